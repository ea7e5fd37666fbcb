// search_egrl_problem.h - the placement problems of EGRL's tests
// (tests/search_egrl_test.cc) and of scripts/study_egrl_synthetic.sh: a
// synthetic placement space of layers x (weights, outputs) over three levels,
// with a latency with capacities whose optimum dynamic programming finds; and
// real networks' placement spaces through the evaluator (RealPlacement): fc6
// on tiny_arch.cfg, the capacity-bound problem (DQN on a small NNP-I) and the
// transformer problem (2 encoder layers of BERT-base on a cut NNP-I).
#ifndef PESIM_TESTS_SEARCH_EGRL_PROBLEM_H
#define PESIM_TESTS_SEARCH_EGRL_PROBLEM_H

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <numeric>
#include <vector>

#include "../search/algo_impl.h"
#include "synthetic_space.h"

extern "C" {
#include "pesim/config.h"
#include "pesim/search.h"
}

namespace egrl_problem {

// A synthetic placement space: per layer a weights and an outputs parameter
// (3 levels: 0 DRAM, 1 LLC, 2 SRAM), with layer and tensor set.
struct PlaceSpace : SyntheticSpace {
    explicit PlaceSpace(int layers, int levels = 3)
    {
        for (int l = 0; l < layers; l++)
            for (int t : {PESIM_WEIGHTS, PESIM_OUTPUTS}) Add(levels, PESIM_PARAM_PLACEMENT, -1, l, t);
        Get(true);
    }
};

inline pesim_result Valid(double v)
{
    pesim_result r;
    memset(&r, 0, sizeof r);
    r.valid = 1;
    r.objective = v;
    return r;
}

inline pesim_result Invalid()
{
    pesim_result r;
    memset(&r, 0, sizeof r);
    r.objective = PESIM_INVALID_PENALTY;
    r.violation = pesim_violation_make(PESIM_VIOLATION_PLACEMENT);
    snprintf(r.reason, sizeof r.reason, "over capacity");
    return r;
}

// Latency of a placement: each tensor's words over its level's bandwidth
// (1, 4, 16 words per cycle), with SRAM and LLC capacities; over capacity is
// invalid. Sizes vary so that the optimum is a knapsack, not "all in SRAM".
// With rectify, nothing is invalid: net's rule (docs/network.md
// "Rectification"), in tensor order, the failing tensor is spilled one level
// out until it fits (DRAM holds anything), and the latency is the rectified
// placement's (the spills' traffic at the slower level is the penalty).
struct Problem {
    std::vector<double> words;
    double cap_llc, cap_sram;
    bool rectify;
    explicit Problem(int n_params, bool rectify_ = false) : rectify(rectify_)
    {
        for (int i = 0; i < n_params; i++) words.push_back(1 + (i * 37 % 11) * (i % 3 + 1));
        double total = std::accumulate(words.begin(), words.end(), 0.0);
        cap_sram = std::floor(total * 0.3);
        cap_llc = std::floor(total * 0.4);
    }
    pesim_result operator()(const int32_t *x) const
    {
        static const double bw[3] = {1, 4, 16};
        double used[3] = {0, 0, 0}, t = 0;
        const double cap[3] = {INFINITY, cap_llc, cap_sram};
        for (size_t i = 0; i < words.size(); i++) {
            int l = x[i];
            while (rectify && used[l] + words[i] > cap[l]) l--;
            used[l] += words[i], t += words[i] / bw[l];
        }
        if (used[1] > cap_llc || used[2] > cap_sram) return Invalid();
        return Valid(t);
    }
    // The exact optimum by dynamic programming over (tensor, LLC words used,
    // SRAM words used): sizes are small integers.
    double Optimum() const
    {
        static const double bw[3] = {1, 4, 16};
        const int cl = (int)cap_llc, cs = (int)cap_sram;
        const double inf = PESIM_INVALID_PENALTY;
        std::vector<double> cur((size_t)(cl + 1) * (cs + 1), inf), nxt;
        cur[0] = 0;
        for (double w : words) {
            nxt.assign(cur.size(), inf);
            const int iw = (int)w;
            for (int a = 0; a <= cl; a++)
                for (int b = 0; b <= cs; b++) {
                    double v = cur[(size_t)a * (cs + 1) + b];
                    if (v >= inf) continue;
                    auto relax = [&](int a2, int b2, double t) {
                        if (a2 > cl || b2 > cs) return;
                        double &x = nxt[(size_t)a2 * (cs + 1) + b2];
                        x = std::min(x, v + t);
                    };
                    relax(a, b, w / bw[0]);
                    relax(a + iw, b, w / bw[1]);
                    relax(a, b + iw, w / bw[2]);
                }
            cur.swap(nxt);
        }
        return *std::min_element(cur.begin(), cur.end());
    }
};

// Six fully connected layers in a chain (one sample: every weight word is
// read once, so where the weights live decides the latency; 4,800 to 8,960
// weight words each, 40,960 in all) on tests/data/cli/tiny_arch.cfg, whose
// global buffer holds 16,384 words: 12 placement parameters (weights and
// output of each layer, GLB or DRAM), 4,096 placements.
inline const char *const kFc6 =
    "network = { name = \"fc6\"; input = { n = 1; c = 48; h = 1; w = 1; }; layers = (\n"
    "  { name = \"fc1\"; type = \"gemm\"; inputs = [ \"input\" ]; m = 1; k_red = 48; n_out = 160; },\n"
    "  { name = \"fc2\"; type = \"gemm\"; inputs = [ \"fc1\" ]; m = 1; k_red = 160; n_out = 56; },\n"
    "  { name = \"fc3\"; type = \"gemm\"; inputs = [ \"fc2\" ]; m = 1; k_red = 56; n_out = 120; },\n"
    "  { name = \"fc4\"; type = \"gemm\"; inputs = [ \"fc3\" ]; m = 1; k_red = 120; n_out = 40; },\n"
    "  { name = \"fc5\"; type = \"gemm\"; inputs = [ \"fc4\" ]; m = 1; k_red = 40; n_out = 200; },\n"
    "  { name = \"fc6\"; type = \"gemm\"; inputs = [ \"fc5\" ]; m = 1; k_red = 200; n_out = 24; }\n"
    "); };\n";

// The capacity-bound problem (issue #16): DQN (workloads/dqn_atari.cfg:
// three convolutions and two fully connected layers, 10 placement parameters
// over SRAM, LLC and DRAM, 59,049 placements) on a small NNP-I
// (tests/data/search/nnpi_small.cfg: configs/arch/nnpi.cfg with a 4,096-word
// SRAM and a 65,536-word LLC per instance, so that only a few of DQN's
// tensors fit at once), weights preloaded, rectified, objective latency.
// Every placement is feasible after rectification, but capacity still
// decides which tensors get the fast levels: docs/egrl.md "A problem where
// capacity binds".
inline const char *const kCapArch = "tests/data/search/nnpi_small.cfg";
inline const char *const kCapWorkload = "workloads/dqn_atari.cfg";

// The transformer problem (issue #16, wave 11): the first 2 of BERT-base's 12
// encoder layers (tests/data/search/bert_base_128_2l.cfg: 28 layers, 40
// placement parameters, 3^40 placements) on NNP-I with its SRAM and LLC cut
// to a sixth (tests/data/search/nnpi_sixth.cfg), so that capacity binds as it
// does for the whole BERT-base on nnpi.cfg; weights preloaded, objective
// latency, refused placements invalid as in the study (docs/studies/egrl.md).
// Too large to enumerate: its figure is the speedup over greedy. docs/egrl.md
// "A transformer block (wave 11)".
inline const char *const kTfArch = "tests/data/search/nnpi_sixth.cfg";
inline const char *const kTfWorkload = "tests/data/search/bert_base_128_2l.cfg";

// A real network's placement space (weights preloaded, rectify as asked)
// and its evaluator at analytical fidelity, objective latency. Paths are
// relative to the repository root; workload_text, when not NULL, is the
// network itself (workload then names it in messages). ok is false (and
// error holds why) when anything fails to load.
struct RealPlacement {
    pesim_arch arch;
    pesim_network net;
    pesim_space *s = nullptr;
    pesim_evaluator *ev = nullptr;
    bool ok = false;
    pesim_error error;
    RealPlacement(const char *arch_path, const char *workload, const char *workload_text, bool rectify)
    {
        memset(&net, 0, sizeof net);
        pesim_error_clear(&error);
        pesim_net_options o;
        memset(&o, 0, sizeof o);
        o.preload_weights = 1; /* pesim_space_placement's default */
        o.rectify = rectify;
        pesim_eval_options eo;
        memset(&eo, 0, sizeof eo);
        eo.objective = PESIM_OBJ_LATENCY;
        if (pesim_arch_load(arch_path, &arch, &error) != PESIM_OK ||
            (workload_text ? pesim_network_load_string(workload_text, workload, &net, &error)
                           : pesim_network_load(workload, &net, &error)) != PESIM_OK ||
            pesim_space_placement_opts(&arch, &net, &o, &s, &error) != PESIM_OK ||
            pesim_evaluator_create(s, nullptr, &eo, &ev, &error) != PESIM_OK)
            return;
        ok = true;
    }
    RealPlacement(const RealPlacement &) = delete;
    RealPlacement &operator=(const RealPlacement &) = delete;
    ~RealPlacement()
    {
        pesim_evaluator_destroy(ev);
        pesim_space_destroy(s);
        pesim_network_free(&net);
    }
    int32_t n() const { return pesim_space_n_params(s); }
    pesim_result operator()(const int32_t *x) const
    {
        pesim_result r;
        if (pesim_evaluator_run(ev, x, 1, PESIM_FIDELITY_ANALYTICAL, &r) != PESIM_OK) r = Invalid();
        return r;
    }
    // The greedy placer's placement (the native compiler, EGRL's 1.0x) as choices.
    std::vector<int32_t> Greedy() const
    {
        std::vector<int32_t> x((size_t)n(), 0);
        pesim_error e;
        if (pesim_space_placement_greedy(s, x.data(), nullptr, &e) != PESIM_OK) x.clear();
        return x;
    }
    // Every placement of the space (mixed radix); *at_opt: how many cost the
    // optimum; *argmin (may be NULL): the first that does.
    double Optimum(long *at_opt, std::vector<int32_t> *argmin = nullptr) const
    {
        const int32_t np = n();
        std::vector<int32_t> x((size_t)np, 0);
        std::vector<double> all;
        double best = PESIM_INVALID_PENALTY;
        for (;;) {
            pesim_result r = (*this)(x.data());
            if (r.valid) {
                all.push_back(r.objective);
                if (r.objective < best && argmin) *argmin = x;
                best = std::min(best, r.objective);
            }
            int32_t i = 0;
            while (i < np && ++x[(size_t)i] == pesim_space_param(s, i)->n_choices) x[(size_t)i++] = 0;
            if (i == np) break;
        }
        *at_opt = (long)std::count(all.begin(), all.end(), best);
        return best;
    }
};

}  // namespace egrl_problem

#endif
