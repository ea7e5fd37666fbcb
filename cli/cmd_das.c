/* cli/cmd_das.c - `pesim das --experiment FILE ...`: the agent-accelerator
 * co-search (pesim_das_cosearch, docs/das.md): DAS over the agent network
 * and the experiment's hardware parameters, score against FPS. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pesim/das.h"
#include "pesim/search.h"

#include "cli.h"
#include "opts.h"
#include "output.h"
#include "search_run.h"

static const cli_usage usage = {
    "das",
    "--experiment FILE [--budget N] [--seed S] [--eval analytical|cycle] [--algo-opt K=V,...]\n"
    "                 [--threads N] [--json FILE]",
    "Co-searches the agent network and its accelerator: DAS (Gumbel-softmax logits\n"
    "per choice, Adam on the relaxed cost) over the experiment's `agents` (each a\n"
    "workload with a user-given score) and its hardware parameters, minimising\n"
    "-ln(FPS) - score_weight * score under the experiment's area and power budgets.\n"
    "The best design is also evaluated on the cycle engine.",
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

int cli_cmd_das(int argc, char **argv)
{
    const char *experiment = NULL, *budget = NULL, *seed = NULL, *eval = NULL, *algo_opt = NULL, *threads = NULL,
               *json = NULL;
    const cli_opt opts[] = {
        {"experiment", "FILE", "an experiment config with agents (docs/das.md)", &experiment, NULL},
        {"budget", "N", "designs evaluated", &budget, NULL},
        {"seed", "S", "DAS's seed", &seed, NULL},
        {"eval", "NAME", "fidelity of the designs proposed: analytical or cycle", &eval, NULL},
        {"algo-opt", "K=V,...", "DAS options (--algo-opt help lists them)", &algo_opt, NULL},
        {"threads", "N", "evaluator threads", &threads, NULL},
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
    pesim_das_cosearch_options o = {x.budget > 0 ? x.budget : 200, x.seed > 0 ? x.seed : 1,
                                    PESIM_FIDELITY_ANALYTICAL, a.algo_kv, a.n_algo_kv, 1};
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
    pesim_das_cosearch_result r;
    if (pesim_das_cosearch(experiment, &o, &r, &e) != PESIM_OK) {
        cli_report(&e, experiment);
        return e.code == PESIM_ERR_NOMEM || e.code == PESIM_ERR_INTERNAL ? CLI_FAIL : CLI_USAGE;
    }
    FILE *text = cli_is_stdout(json) ? NULL : stdout;
    if (text) {
        fprintf(text, "das co-search of %s: %" PRId64 " designs (%s), %" PRId64 " predictions, %.2f s\n", experiment,
                r.samples, pesim_fidelity_name(o.fidelity), r.predictions, r.wall_s);
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
        fprintf(jf, "  \"samples\": %" PRId64 ", \"predictions\": %" PRId64 ", \"wall_s\": %.6g,\n  \"agents\": [",
                r.samples, r.predictions, r.wall_s);
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
