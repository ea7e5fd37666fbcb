// search_campaign_test.cc - the campaign loop of pesim/search.h: for every
// algorithm a run stopped part-way and resumed with a doubled budget equals a
// straight run of the doubled budget (and so does a finished run extended);
// the evaluation step is pluggable and campaigns nest; the algorithm's
// predictor; a run without a store; the stop flag.
#include <gtest/gtest.h>

#include "search_test_util.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

#include "../search/algo_impl.h"

extern "C" {
#include "pesim/config.h"
#include "pesim/search.h"
}

namespace {



pesim_campaign_options Options(const char *algo, int64_t budget, int32_t batch, pesim_run_mode mode)
{
    pesim_campaign_options o;
    memset(&o, 0, sizeof o);
    o.algo = algo;
    o.seed = 7;
    o.budget = budget;
    o.batch = batch;
    o.fidelity = PESIM_FIDELITY_ANALYTICAL;
    o.eval.objective = PESIM_OBJ_EDP;
    o.mode = mode;
    o.label = "L";
    return o;
}

// Stops after `after` samples (at a batch boundary).
struct StopAfter {
    int64_t after;
    int64_t seen = 0;
};
int stop_after(void *ctx, const pesim_campaign_batch *b)
{
    StopAfter *s = (StopAfter *)ctx;
    s->seen = b->first + b->n;
    return s->seen >= s->after;
}

struct Row {
    std::vector<int32_t> x;
    pesim_result r;
};

// Every evaluation of the run with label "L" in the store at path.
std::vector<Row> Rows(const std::string &path, const pesim_space *s)
{
    std::vector<Row> out;
    pesim_store *st = nullptr;
    pesim_error e;
    EXPECT_EQ(pesim_store_open(path.c_str(), &st, &e), PESIM_OK) << e.msg;
    if (!st) return out;
    pesim_run_info info;
    int found = 0;
    EXPECT_EQ(pesim_store_find_run(st, "L", pesim_space_describe(s), &info, &found, &e), PESIM_OK);
    const int32_t np = pesim_space_n_params(s);
    if (found) {
        std::vector<int32_t> x((size_t)(info.samples + 1) * np);
        std::vector<pesim_result> r((size_t)info.samples + 1);
        int32_t got = 0;
        EXPECT_EQ(pesim_store_read(st, info.id, 0, (int32_t)info.samples + 1, np, x.data(), r.data(), &got, &e),
                  PESIM_OK);
        for (int32_t i = 0; i < got; i++)
            out.push_back({std::vector<int32_t>(&x[(size_t)i * np], &x[(size_t)(i + 1) * np]), r[(size_t)i]});
    }
    pesim_store_close(st);
    return out;
}

// One campaign on s into the store at db (NULL: none); returns its report.
pesim_campaign_report RunCampaign(pesim_space *s, const std::string &db, const pesim_campaign_options &o,
                          StopAfter *stop = nullptr, bool finish = true)
{
    pesim_store *st = nullptr;
    pesim_error e;
    if (!db.empty()) {
        EXPECT_EQ(pesim_store_open(db.c_str(), &st, &e), PESIM_OK) << e.msg;
    }
    pesim_campaign *c = nullptr;
    pesim_campaign_report rep;
    memset(&rep, 0, sizeof rep);
    EXPECT_EQ(pesim_campaign_create(s, st, &o, &c, &e), PESIM_OK) << o.algo << ": " << e.msg;
    if (c) {
        if (stop) pesim_campaign_set_callback(c, stop_after, stop);
        EXPECT_EQ(pesim_campaign_run(c, &e), PESIM_OK) << e.msg;
        if (finish && !(stop && pesim_campaign_get_report(c)->stopped)) {
            EXPECT_EQ(pesim_campaign_finish(c, &e), PESIM_OK) << e.msg;
        }
        rep = *pesim_campaign_get_report(c);
    }
    pesim_campaign_destroy(c);
    pesim_store_close(st);
    return rep;
}

void ExpectSameRows(const std::vector<Row> &a, const std::vector<Row> &b, const char *what)
{
    ASSERT_EQ(a.size(), b.size()) << what;
    for (size_t i = 0; i < a.size(); i++) {
        ASSERT_EQ(a[i].x, b[i].x) << what << ": sample " << i;
        EXPECT_EQ(a[i].r.valid, b[i].r.valid) << what << ": sample " << i;
        EXPECT_EQ(a[i].r.objective, b[i].r.objective) << what << ": sample " << i;
        EXPECT_EQ(a[i].r.design_hash, b[i].r.design_hash) << what << ": sample " << i;
    }
}

const char *const kAlgos[] = {"exhaustive", "random", "annealing", "genetic", "timeloop", "rl", "marl", "das"};

}  // namespace

// For every algorithm: a run stopped part-way (as a kill leaves it: not
// finished) and resumed with twice its budget, and a finished run extended
// to twice its budget, equal a straight run of the doubled budget, row for row.
TEST(SearchCampaign, ResumedWithADoubledBudgetIsTheStraightRun)
{
    Loaded micro("tests/data/search/micro_arch.cfg", "tests/data/search/micro.cfg");
    Loaded eyeriss("configs/arch/eyeriss.cfg", "workloads/resnet50.cfg");
    for (const char *algo : kAlgos) {
        const bool small = strcmp(algo, "exhaustive") == 0;
        Loaded &x = small ? micro : eyeriss;
        pesim_space *s = nullptr;
        pesim_error e;
        ASSERT_EQ(pesim_space_mapping(&x.arch, x.layer(small ? "fc" : "res2a_branch2b"), &s, &e), PESIM_OK) << e.msg;
        const int64_t N = 160;
        const int32_t B = 3;
        for (int finished = 0; finished < 2; finished++) {
            TempDir d;
            // first part: stopped at 70 (killed) or the whole N (finished)
            StopAfter stop{70};
            pesim_campaign_report a =
                RunCampaign(s, d.file("r.db"), Options(algo, N, B, PESIM_RUN_NEW), finished ? nullptr : &stop);
            if (finished) {
                EXPECT_EQ(a.samples, small ? a.samples : N) << algo;
            } else {  // stopped at the first batch boundary from 70 on
                EXPECT_GE(a.samples, 70) << algo;
                EXPECT_LT(a.samples, 70 + B) << algo;
            }
            EXPECT_EQ(a.stopped, finished ? 0 : 1) << algo;
            pesim_campaign_report b = RunCampaign(s, d.file("r.db"), Options(algo, 2 * N, B, PESIM_RUN_RESUME));
            EXPECT_EQ(b.resumed, 1) << algo;
            EXPECT_EQ(b.run_id, a.run_id) << algo;
            EXPECT_EQ(b.replayed, a.samples) << algo;
            pesim_campaign_report c = RunCampaign(s, d.file("straight.db"), Options(algo, 2 * N, B, PESIM_RUN_NEW));
            EXPECT_EQ(b.samples, c.samples) << algo;
            EXPECT_EQ(b.found, c.found) << algo;
            EXPECT_EQ(b.best.objective, c.best.objective) << algo;
            EXPECT_EQ(b.best_sample, c.best_sample) << algo;
            EXPECT_EQ(b.valid, c.valid) << algo;
            ExpectSameRows(Rows(d.file("r.db"), s), Rows(d.file("straight.db"), s), algo);
            if (!small) {
                EXPECT_EQ(c.samples, 2 * N) << algo;
            }
        }
        pesim_space_destroy(s);
    }
}

// The evaluation step is pluggable, and a campaign nests inside another's:
// each hardware point of an outer search is scored by an inner mapping
// search of the network on that point's arch.
struct Nested {
    pesim_space *outer;
    int calls = 0;
    int64_t inner_samples = 0;
};

pesim_status nested_eval(void *ctx, const int32_t *choices, int32_t n, pesim_fidelity f, pesim_result *out)
{
    Nested *t = (Nested *)ctx;
    const int32_t np = pesim_space_n_params(t->outer);
    for (int32_t i = 0; i < n; i++) {
        t->calls++;
        pesim_design d;
        char why[PESIM_REASON_MAX];
        memset(&out[i], 0, sizeof out[i]);
        out[i].fidelity = f;
        out[i].objective = PESIM_INVALID_PENALTY;
        out[i].violation = pesim_violation_make(PESIM_VIOLATION_NONE);
        if (!pesim_space_decode_why(t->outer, choices + (size_t)i * np, &d, why, sizeof why, &out[i].violation)) {
            snprintf(out[i].reason, sizeof out[i].reason, "%s", why);
            continue;
        }
        pesim_arch arch = d.arch; /* the decode's scratch is reused below */
        pesim_space *inner = nullptr;
        pesim_error e;
        if (pesim_space_network(&arch, pesim_space_network_of(t->outer), &inner, &e) != PESIM_OK) return e.code;
        pesim_campaign_options o = Options("genetic", 40, 8, PESIM_RUN_NEW);
        pesim_campaign *c = nullptr;
        if (pesim_campaign_create(inner, nullptr, &o, &c, &e) != PESIM_OK) return e.code;
        pesim_status st = pesim_campaign_run(c, &e);
        const pesim_campaign_report *r = pesim_campaign_get_report(c);
        t->inner_samples += r->samples;
        if (r->found) {
            out[i] = r->best;
        } else {
            snprintf(out[i].reason, sizeof out[i].reason, "no valid mapping");
            out[i].violation = pesim_violation_make(PESIM_VIOLATION_OTHER);
        }
        pesim_campaign_destroy(c);
        pesim_space_destroy(inner);
        if (st) return st;
    }
    return PESIM_OK;
}

TEST(SearchCampaign, PluggableEvaluationAndNesting)
{
    pesim_space *s = nullptr;
    pesim_error e;
    ASSERT_EQ(pesim_space_from_experiment("tests/data/search/tiny_sweep.cfg", nullptr, nullptr, 0, &s, &e), PESIM_OK)
        << e.msg;
    double best[2];
    for (int rep = 0; rep < 2; rep++) {
        TempDir d;
        Nested t{s};
        pesim_store *st = nullptr;
        ASSERT_EQ(pesim_store_open(d.file("n.db").c_str(), &st, &e), PESIM_OK);
        pesim_campaign_options o = Options("random", 12, 4, PESIM_RUN_NEW);
        pesim_campaign *c = nullptr;
        ASSERT_EQ(pesim_campaign_create(s, st, &o, &c, &e), PESIM_OK) << e.msg;
        pesim_campaign_set_evaluate(c, nested_eval, &t);
        ASSERT_EQ(pesim_campaign_run(c, &e), PESIM_OK) << e.msg;
        const pesim_campaign_report *r = pesim_campaign_get_report(c);
        EXPECT_EQ(r->samples, 12);
        EXPECT_EQ(t.calls, 12) << "every candidate went through the plugged step";
        EXPECT_EQ(t.inner_samples, 12 * 40 - 40 * (12 - r->samples));
        ASSERT_TRUE(r->found);
        best[rep] = r->best.objective;
        pesim_campaign_destroy(c);
        pesim_store_close(st);
        // the store has what the plugged step returned
        std::vector<Row> rows = Rows(d.file("n.db"), s);
        ASSERT_EQ(rows.size(), 12u);
        double low = PESIM_INVALID_PENALTY;
        for (const Row &row : rows)
            if (row.r.valid) low = std::min(low, row.r.objective);
        EXPECT_EQ(low, best[rep]);
    }
    EXPECT_EQ(best[0], best[1]) << "nested campaigns are deterministic";
    pesim_space_destroy(s);
}

// The algorithm's predictor (pesim_algo_env): the campaign's evaluator,
// outside the budget and the store, per-layer costs on request.
TEST(SearchCampaign, PredictorOutsideTheBudget)
{
    Loaded x("tests/data/cli/tiny_arch.cfg", "tests/data/cli/small.cfg");
    pesim_space *s = nullptr;
    pesim_error e;
    ASSERT_EQ(pesim_space_network(&x.arch, &x.net, &s, &e), PESIM_OK) << e.msg;
    TempDir d;
    pesim_store *st = nullptr;
    ASSERT_EQ(pesim_store_open(d.file("p.db").c_str(), &st, &e), PESIM_OK);
    pesim_campaign_options o = Options("random", 10, 5, PESIM_RUN_NEW);
    pesim_campaign *c = nullptr;
    ASSERT_EQ(pesim_campaign_create(s, st, &o, &c, &e), PESIM_OK) << e.msg;
    const algo_space *sp = pesim_algo_space(pesim_campaign_algo(c));
    ASSERT_NE(sp->env, nullptr);
    ASSERT_NE(sp->env->predict, nullptr);
    EXPECT_EQ(sp->space, s);
    EXPECT_EQ(sp->eval.objective, PESIM_OBJ_EDP);
    const int32_t np = pesim_space_n_params(s), nl = pesim_space_n_layers(s);
    std::vector<int32_t> zero((size_t)np * 2, 0);
    std::vector<pesim_result> r(2), direct(2);
    std::vector<pesim_cost> costs((size_t)nl * 2);
    ASSERT_EQ(sp->env->predict(sp->env->ctx, zero.data(), 2, PESIM_FIDELITY_ANALYTICAL, r.data(), costs.data()),
              PESIM_OK);
    ASSERT_EQ(sp->env->predict(sp->env->ctx, zero.data(), 1, PESIM_FIDELITY_ANALYTICAL, r.data(), nullptr), PESIM_OK);
    ASSERT_EQ(pesim_evaluator_run(pesim_campaign_evaluator(c), zero.data(), 1, PESIM_FIDELITY_ANALYTICAL,
                                  direct.data()),
              PESIM_OK);
    EXPECT_EQ(r[0].objective, direct[0].objective);
    int64_t cycles = 0;
    for (int32_t i = 0; i < nl; i++) cycles += costs[(size_t)i].cycles;
    EXPECT_EQ(cycles, direct[0].cycles);
    EXPECT_EQ(pesim_campaign_get_report(c)->predictions, 3);
    ASSERT_EQ(pesim_campaign_run(c, &e), PESIM_OK);
    EXPECT_EQ(pesim_campaign_get_report(c)->samples, 10) << "predictions are not in the budget";
    pesim_campaign_destroy(c);
    pesim_store_close(st);
    EXPECT_EQ(Rows(d.file("p.db"), s).size(), 10u) << "nor in the store";
    pesim_space_destroy(s);
}

// Without a store nothing is recorded or resumed; the stop flag ends a run
// between batches; bad options are refused.
TEST(SearchCampaign, NoStoreStopFlagAndBadOptions)
{
    Loaded x("tests/data/search/micro_arch.cfg", "tests/data/search/micro.cfg");
    pesim_space *s = nullptr;
    pesim_error e;
    ASSERT_EQ(pesim_space_mapping(&x.arch, x.layer("fc"), &s, &e), PESIM_OK) << e.msg;
    pesim_campaign_report r = RunCampaign(s, "", Options("annealing", 50, 5, PESIM_RUN_NEW));
    EXPECT_EQ(r.samples, 50);
    EXPECT_EQ(r.run_id, 0);
    EXPECT_TRUE(r.found);
    volatile int stop = 1;
    pesim_campaign_options o = Options("random", 50, 5, PESIM_RUN_NEW);
    o.stop = &stop;
    r = RunCampaign(s, "", o);
    EXPECT_EQ(r.samples, 0);
    EXPECT_EQ(r.stopped, 1);
    pesim_campaign *c = nullptr;
    o = Options("random", 0, 5, PESIM_RUN_NEW);
    EXPECT_EQ(pesim_campaign_create(s, nullptr, &o, &c, &e), PESIM_ERR_RANGE);
    o = Options("genetic", 10, 5, PESIM_RUN_NEW);
    const char *kv[] = {"popsize=3"};
    o.algo_opt.kv = kv;
    o.algo_opt.n_kv = 1;
    EXPECT_EQ(pesim_campaign_create(s, nullptr, &o, &c, &e), PESIM_ERR_KEY);
    EXPECT_NE(std::string(e.msg).find("'popsize'"), std::string::npos) << e.msg;
    EXPECT_EQ(c, nullptr);
    pesim_campaign_destroy(nullptr);
    pesim_space_destroy(s);
}

// by_seed: several seeds of one search share a store, each run found (for a
// new run's refusal, and for resume) by label, space and seed.
TEST(SearchCampaign, BySeedRunsShareAStore)
{
    Loaded x("tests/data/search/micro_arch.cfg", "tests/data/search/micro.cfg");
    pesim_space *s = nullptr;
    pesim_error e;
    ASSERT_EQ(pesim_space_mapping(&x.arch, x.layer("fc"), &s, &e), PESIM_OK) << e.msg;
    TempDir d;
    const std::string db = d.file("s.db");
    pesim_campaign_options o = Options("random", 20, 5, PESIM_RUN_NEW);
    o.by_seed = 1;
    EXPECT_EQ(RunCampaign(s, db, o).run_id, 1);
    o.seed = 8; // another seed: a new run without PESIM_RUN_ANOTHER
    EXPECT_EQ(RunCampaign(s, db, o).run_id, 2);
    o.seed = 7; // seed 7 again: refused as a plain search would be
    pesim_store *st = nullptr;
    ASSERT_EQ(pesim_store_open(db.c_str(), &st, &e), PESIM_OK) << e.msg;
    pesim_campaign *c = nullptr;
    EXPECT_EQ(pesim_campaign_create(s, st, &o, &c, &e), PESIM_ERR_INVALID);
    EXPECT_NE(std::string(e.msg).find("already has run 1 of 'L' (random, seed 7"), std::string::npos) << e.msg;
    pesim_run_info info;
    int found = 0;
    ASSERT_EQ(pesim_store_find_run_seed(st, "L", pesim_space_describe(s), 7, &info, &found, &e), PESIM_OK);
    EXPECT_TRUE(found);
    EXPECT_EQ(info.id, 1);
    EXPECT_EQ(info.samples, 20);
    ASSERT_EQ(pesim_store_find_run_seed(st, "L", pesim_space_describe(s), 9, &info, &found, &e), PESIM_OK);
    EXPECT_FALSE(found);
    ASSERT_EQ(pesim_store_find_run(st, "L", pesim_space_describe(s), &info, &found, &e), PESIM_OK);
    EXPECT_EQ(info.id, 2); // without the seed: the latest
    pesim_store_close(st);
    // resume finds seed 7's own run (the latest run is seed 8's)
    o.mode = PESIM_RUN_RESUME;
    o.budget = 30;
    pesim_campaign_report r = RunCampaign(s, db, o);
    EXPECT_EQ(r.run_id, 1);
    EXPECT_EQ(r.replayed, 20);
    EXPECT_EQ(r.samples, 30);
    pesim_space_destroy(s);
}
