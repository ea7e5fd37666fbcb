/* cli/cmd_das.c - `pesim das --experiment FILE ...`: the agent-accelerator
 * co-search (pesim_das_cosearch, docs/das.md): DAS over the agent network
 * and the experiment's hardware parameters, score against FPS. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pesim/config.h"
#include "pesim/das.h"
#include "pesim/search.h"

#include "cli.h"
#include "opts.h"
#include "output.h"
#include "search_run.h"

static const cli_usage usage = {
    "das",
    "--experiment FILE [--budget N] [--seed S] [--eval analytical|cycle] [--algo-opt K=V,...]\n"
    "                 [--threads N] [--db FILE [--resume | --new-run]] [--json FILE]\n"
    "       pesim das --baseline pipeline --experiment FILE [--workload FILE] [--level NAME]\n"
    "                 [--budget N] [--json FILE]",
    "Co-searches the agent network and its accelerator: DAS (Gumbel-softmax logits\n"
    "per choice, Adam on the relaxed cost) over the experiment's `agents` (each a\n"
    "workload with a user-given score) and its hardware parameters, minimising\n"
    "-ln(FPS) - score_weight * score under the experiment's area and power budgets.\n"
    "The best design is also evaluated on the cycle engine. With --db every design\n"
    "and its result go to a result store (SQLite); --resume continues the run there\n"
    "(replaying the stored designs, also to a larger --budget), --new-run starts\n"
    "another. --baseline pipeline evaluates instead the DNNBuilder-like per-layer\n"
    "pipelined template (pesim_pipeline_search: one stage per MAC layer of the\n"
    "workload, PEs and buffer at --level split by work) on the experiment's arch,\n"
    "objective and budgets, at most --budget template points.",
    "Defaults: the experiment's search budget and seed (else 200 and 1), --eval analytical\n"
    "(the designs proposed; the gradient is always analytical). --algo-opt: the options\n"
    "of --algo das (--algo-opt help). Exit status: 0 success, 1 no valid design,\n"
    "2 bad usage or bad input. Format of `agents`: docs/das.md.",
};

static int parse_count(const char *opt, const char *s, int64_t lo, int64_t hi, int64_t *v)
{
    char *end;
    errno = 0;
    long long x = strtoll(s, &end, 10);
    if (errno || end == s || *end || x < lo || x > hi) {
        cli_error("das: --%s '%s': expected an integer in [%" PRId64 ", %" PRId64 "]", opt, s, lo, hi);
        return 1;
    }
    *v = x;
    return 0;
}

/* --baseline pipeline: the DNNBuilder-like template's search on the
 * experiment's arch, objective and budgets. */
static int run_pipeline(const char *experiment, const pesim_experiment *x, const char *workload, const char *level,
                        int64_t budget, int budget_given, const char *json)
{
    const char *wl = workload ? workload : x->workload_path;
    pesim_error e;
    pesim_error_clear(&e);
    pesim_arch arch;
    if (pesim_arch_load(x->arch_path, &arch, &e) != PESIM_OK) {
        cli_report(&e, x->arch_path);
        return CLI_USAGE;
    }
    pesim_network net;
    if (pesim_network_load(wl, &net, &e) != PESIM_OK) {
        cli_report(&e, wl);
        return CLI_USAGE;
    }
    if (!budget_given) budget = pesim_pipeline_grid_size();
    pesim_pipeline_result *r = malloc(sizeof *r);
    if (!r) {
        pesim_network_free(&net);
        cli_error("das: out of memory");
        return CLI_FAIL;
    }
    int64_t n = 0;
    pesim_status st = pesim_pipeline_search(&arch, &net, level, &x->eval, budget, r, &n, &e);
    if (st != PESIM_OK) {
        cli_report(&e, experiment);
        free(r);
        pesim_network_free(&net);
        return CLI_USAGE;
    }
    FILE *text = cli_is_stdout(json) ? NULL : stdout;
    if (text) {
        fprintf(text, "pipeline template of %s on %s: %" PRId64 " points\n", wl, x->arch_path, n);
        if (r->valid) {
            fprintf(text,
                    "best: %" PRId64 " PEs, %" PRId64 " words, alpha %.2g: %d stages, latency %" PRId64
                    " cycles, interval %" PRId64 " cycles, FPS %.4g, energy %.6g pJ, EDP %.6g, area %.4g um2\n",
                    r->point.pes, r->point.words, r->point.alpha, (int)r->n_stages, r->latency_cycles,
                    r->interval_cycles, r->fps, r->energy_pj, r->energy_pj * (double)r->latency_cycles, r->area_um2);
            for (int32_t s = 0; s < r->n_stages; s++)
                fprintf(text, "  stage %-20s %4d x %-4d PEs %10" PRId64 " words %12" PRId64 " cycles\n",
                        net.layers[r->stage[s].layer].name, (int)r->stage[s].fanout_y, (int)r->stage[s].fanout_x,
                        r->stage[s].words, r->stage[s].cycles);
        } else {
            fprintf(text, "best: none (%s)\n", r->reason);
        }
    }
    FILE *jf = json ? cli_open_out(json) : NULL;
    if (json && !jf) {
        free(r);
        pesim_network_free(&net);
        return CLI_USAGE;
    }
    if (jf) {
        fprintf(jf, "{ \"baseline\": \"pipeline\", \"workload\": \"%s\", \"points\": %" PRId64 ",\n", wl, n);
        if (r->valid)
            fprintf(jf,
                    "  \"best\": { \"pes\": %" PRId64 ", \"words\": %" PRId64 ", \"alpha\": %.17g, \"stages\": %d, "
                    "\"latency_cycles\": %" PRId64 ", \"interval_cycles\": %" PRId64 ", \"fps\": %.17g, "
                    "\"energy_pj\": %.17g, \"edp\": %.17g, \"area_um2\": %.17g, \"objective\": %.17g }\n}\n",
                    r->point.pes, r->point.words, r->point.alpha, (int)r->n_stages, r->latency_cycles,
                    r->interval_cycles, r->fps, r->energy_pj, r->energy_pj * (double)r->latency_cycles, r->area_um2,
                    r->objective);
        else
            fprintf(jf, "  \"best\": null\n}\n");
    }
    int valid = r->valid;
    free(r);
    pesim_network_free(&net);
    int bad = cli_close_out(jf, json);
    bad |= cli_close_out(stdout, "-");
    if (bad) return CLI_FAIL;
    return valid ? CLI_OK : CLI_FAIL;
}

int cli_cmd_das(int argc, char **argv)
{
    const char *experiment = NULL, *budget = NULL, *seed = NULL, *eval = NULL, *algo_opt = NULL, *threads = NULL,
               *json = NULL, *db = NULL, *baseline = NULL, *workload = NULL, *level = NULL;
    int resume = 0, new_run = 0;
    const cli_opt opts[] = {
        {"experiment", "FILE", "an experiment config with agents (docs/das.md)", &experiment, NULL},
        {"budget", "N", "designs evaluated", &budget, NULL},
        {"seed", "S", "DAS's seed", &seed, NULL},
        {"eval", "NAME", "fidelity of the designs proposed: analytical or cycle", &eval, NULL},
        {"algo-opt", "K=V,...", "DAS options (--algo-opt help lists them)", &algo_opt, NULL},
        {"threads", "N", "evaluator threads", &threads, NULL},
        {"db", "FILE", "the result store to record into (default: none)", &db, NULL},
        {"baseline", "NAME", "pipeline: the DNNBuilder-like template instead of DAS", &baseline, NULL},
        {"workload", "FILE", "--baseline: the network (default: the experiment's)", &workload, NULL},
        {"level", "NAME", "--baseline: the level whose array and buffer are split (default GLB)", &level, NULL},
        {"resume", NULL, "continue the store's run of this co-search", NULL, &resume},
        {"new-run", NULL, "start another run in a store that has one", NULL, &new_run},
        {"json", "FILE", "also write JSON ('-': stdout only)", &json, NULL},
        {NULL, NULL, NULL, NULL, NULL},
    };
    int rc = cli_parse(&usage, opts, argc, argv);
    if (rc != CLI_PARSE_OK) return rc == CLI_PARSE_HELP ? CLI_OK : CLI_USAGE;
    search_args a;
    memset(&a, 0, sizeof a);
    a.algo = "das";
    int help_shown = 0;
    if ((rc = cli_search_algo_opts(&a, algo_opt, &help_shown)) != CLI_OK || help_shown) return rc;
    if (!experiment) {
        cli_error("das: --experiment FILE is required");
        return CLI_USAGE;
    }
    pesim_error e;
    pesim_error_clear(&e);
    pesim_experiment x;
    if (pesim_experiment_load(experiment, &x, &e) != PESIM_OK) {
        cli_report(&e, experiment);
        return CLI_USAGE;
    }
    pesim_das_cosearch_options o;
    memset(&o, 0, sizeof o);
    o.budget = x.budget > 0 ? x.budget : 200;
    o.seed = x.seed > 0 ? x.seed : 1;
    o.fidelity = PESIM_FIDELITY_ANALYTICAL;
    o.kv = a.algo_kv;
    o.n_kv = a.n_algo_kv;
    o.threads = 1;
    int64_t v;
    if (budget) {
        if (parse_count("budget", budget, 1, INT64_C(1000000000000), &v)) return CLI_USAGE;
        o.budget = v;
    }
    if (seed) {
        if (parse_count("seed", seed, 0, INT64_MAX, &v)) return CLI_USAGE;
        o.seed = (uint64_t)v;
    }
    if (threads) {
        if (parse_count("threads", threads, 1, 1024, &v)) return CLI_USAGE;
        o.threads = (int32_t)v;
    }
    if (eval) {
        int f = pesim_fidelity_parse(eval);
        if (f < 0) {
            cli_error("das: unknown evaluator '%s' (--eval analytical|cycle)", eval);
            return CLI_USAGE;
        }
        o.fidelity = (pesim_fidelity)f;
    }
    if (baseline) {
        if (strcmp(baseline, "pipeline") != 0) {
            cli_error("das: unknown --baseline '%s' (pipeline)", baseline);
            return CLI_USAGE;
        }
        return run_pipeline(experiment, &x, workload, level ? level : "GLB", o.budget, budget != NULL, json);
    }
    if (workload || level) {
        cli_error("das: --workload and --level go with --baseline pipeline");
        return CLI_USAGE;
    }
    if (resume && new_run) {
        cli_error("das: --resume continues a run, --new-run starts another: give one");
        return CLI_USAGE;
    }
    if ((resume || new_run) && !db) {
        cli_error("das: --resume and --new-run need --db FILE (the store)");
        return CLI_USAGE;
    }
    o.mode = resume ? PESIM_RUN_RESUME : new_run ? PESIM_RUN_ANOTHER : PESIM_RUN_NEW;
    if (resume && access(db, F_OK) != 0) {
        cli_error("das: --resume: %s does not exist (nothing to resume)", db);
        return CLI_USAGE;
    }
    pesim_store *store = NULL;
    if (db && pesim_store_open(db, &store, &e) != PESIM_OK) {
        cli_report(&e, db);
        return CLI_USAGE;
    }
    o.store = store;
    pesim_das_cosearch_result r;
    pesim_status rs = pesim_das_cosearch(experiment, &o, &r, &e);
    pesim_store_close(store);
    if (rs != PESIM_OK) {
        cli_report(&e, experiment);
        return e.code == PESIM_ERR_NOMEM || e.code == PESIM_ERR_INTERNAL || e.code == PESIM_ERR_IO ? CLI_FAIL
                                                                                                   : CLI_USAGE;
    }
    FILE *text = cli_is_stdout(json) ? NULL : stdout;
    if (text) {
        fprintf(text, "das co-search of %s: %" PRId64 " designs (%s), %" PRId64 " predictions, %.2f s\n", experiment,
                r.samples, pesim_fidelity_name(o.fidelity), r.predictions, r.wall_s);
        if (db)
            fprintf(text, "store %s: run %" PRId64 "%s, %" PRId64 " designs replayed from it\n", db, r.run_id,
                    r.resumed ? " (resumed)" : "", r.replayed);
        fprintf(text, "%-40s %8s %8s %12s\n", "agent", "score", "designs", "best FPS");
        for (int32_t i = 0; i < x.n_agents; i++)
            fprintf(text, "%-40s %8.4g %8" PRId64 " %12.4g\n", x.agent_workload[i], x.agent_score[i],
                    r.agent_samples[i], r.agent_best_fps[i]);
        if (r.found)
            fprintf(text,
                    "best: %s (score %.4g), FPS %.4g (cycle engine %.4g), objective %.6g, area %.4g um2, sample "
                    "%" PRId64 "\n",
                    x.agent_workload[r.agent], r.score, r.fps, r.cycle_fps, r.objective, r.best.area_um2,
                    r.best_sample);
        else
            fprintf(text, "best: none (no valid design)\n");
    }
    FILE *jf = json ? cli_open_out(json) : NULL;
    if (json && !jf) return CLI_USAGE;
    if (jf) {
        fprintf(jf, "{ \"experiment\": \"%s\", \"budget\": %" PRId64 ", \"seed\": %" PRIu64 ", \"eval\": \"%s\",\n",
                experiment, o.budget, o.seed, pesim_fidelity_name(o.fidelity));
        fprintf(jf,
                "  \"samples\": %" PRId64 ", \"predictions\": %" PRId64 ", \"wall_s\": %.6g, \"run_id\": %" PRId64
                ", \"resumed\": %s, \"replayed\": %" PRId64 ",\n  \"agents\": [",
                r.samples, r.predictions, r.wall_s, r.run_id, r.resumed ? "true" : "false", r.replayed);
        for (int32_t i = 0; i < x.n_agents; i++)
            fprintf(jf, "%s{ \"workload\": \"%s\", \"score\": %.17g, \"designs\": %" PRId64 ", \"best_fps\": %.17g }",
                    i ? ", " : "", x.agent_workload[i], x.agent_score[i], r.agent_samples[i], r.agent_best_fps[i]);
        fprintf(jf, "],\n  \"best\": ");
        if (r.found) {
            fprintf(jf,
                    "{ \"agent\": %d, \"workload\": \"%s\", \"score\": %.17g, \"objective\": %.17g, \"fps\": %.17g, "
                    "\"cycles\": %" PRId64 ", \"energy_pj\": %.17g, \"area_um2\": %.17g, \"cycle_fps\": %.17g, "
                    "\"cycle_cycles\": %" PRId64 ", \"sample\": %" PRId64 ", \"hardware\": [",
                    (int)r.agent, x.agent_workload[r.agent], r.score, r.objective, r.fps, r.best.cycles,
                    r.best.energy_pj, r.best.area_um2, r.cycle_fps, r.cycle.cycles, r.best_sample);
            for (int32_t i = 0; i < r.n_hw; i++) fprintf(jf, "%s%d", i ? ", " : "", (int)r.hw[i]);
            fprintf(jf, "] }\n}\n");
        } else {
            fprintf(jf, "null\n}\n");
        }
    }
    int bad = cli_close_out(jf, json);
    bad |= cli_close_out(stdout, "-");
    if (bad) return CLI_FAIL;
    return r.found ? CLI_OK : CLI_FAIL;
}
