// scripts/study_egrl_synthetic.cc - EGRL and its ablations on the synthetic
// placement problem of tests/search_egrl_test.cc (tests/search_egrl_problem.h),
// at more seeds than the test runs (docs/egrl.md "Audit of the learner").
// Built and run by scripts/study_egrl_synthetic.sh.
//
// usage: study_egrl_synthetic ALGO "K=V;K=V" FIRST_SEED SEEDS [BUDGET [PROBLEM]]
// PROBLEM: synthetic (the default: refused placements are invalid),
// synthetic-rectify (the same problem, rectified: egrl_problem::Problem),
// fc6-rectify (the real network of SearchEgrl.FindsTheOptimumOfASmallNetwork,
// egrl_problem::kFc6 on tests/data/cli/tiny_arch.cfg, through the evaluator,
// the placement space with rectify; run from the repository root) or fc6 (the
// same without rectify). Prints one line: the final gap to the optimum per
// seed, their mean, how many seeds found the optimum, in how many the
// learner's last rollout was all-DRAM (every tensor at level 0, the
// outermost), and the share of all the learner's rollouts that were all-DRAM
// (for fc6 also the optimum and how many placements cost it).
#include <cstdlib>
#include <string>

#include "search_egrl_problem.h"

extern "C" {
#include "pesim/config.h"
}

namespace {

// The real small network's placement space and its evaluator.
struct Fc6 {
    pesim_arch arch;
    pesim_network net;
    pesim_space *s = nullptr;
    pesim_evaluator *ev = nullptr;
    bool ok = false;
    explicit Fc6(bool rectify)
    {
        pesim_error e;
        memset(&net, 0, sizeof net);
        pesim_net_options o;
        memset(&o, 0, sizeof o);
        o.preload_weights = 1; /* pesim_space_placement's default */
        o.rectify = rectify;
        pesim_eval_options eo;
        memset(&eo, 0, sizeof eo);
        eo.objective = PESIM_OBJ_LATENCY;
        if (pesim_arch_load("tests/data/cli/tiny_arch.cfg", &arch, &e) != PESIM_OK ||
            pesim_network_load_string(egrl_problem::kFc6, "fc6.cfg", &net, &e) != PESIM_OK ||
            pesim_space_placement_opts(&arch, &net, &o, &s, &e) != PESIM_OK ||
            pesim_evaluator_create(s, nullptr, &eo, &ev, &e) != PESIM_OK) {
            fprintf(stderr, "fc6: %s\n", e.msg);
            return;
        }
        ok = true;
    }
    ~Fc6()
    {
        pesim_evaluator_destroy(ev);
        pesim_space_destroy(s);
        pesim_network_free(&net);
    }
    pesim_result operator()(const int32_t *x) const
    {
        pesim_result r;
        if (pesim_evaluator_run(ev, x, 1, PESIM_FIDELITY_ANALYTICAL, &r) != PESIM_OK) r = egrl_problem::Invalid();
        return r;
    }
    // every one of the space's placements (mixed radix); *at_opt: how many
    // placements cost the optimum
    double Optimum(long *at_opt) const
    {
        const int32_t n = pesim_space_n_params(s);
        std::vector<int32_t> x((size_t)n, 0);
        std::vector<double> all;
        for (;;) {
            pesim_result r = (*this)(x.data());
            if (r.valid) all.push_back(r.objective);
            int32_t i = 0;
            while (i < n && ++x[(size_t)i] == pesim_space_param(s, i)->n_choices) x[(size_t)i++] = 0;
            if (i == n) break;
        }
        const double best = all.empty() ? PESIM_INVALID_PENALTY : *std::min_element(all.begin(), all.end());
        *at_opt = (long)std::count(all.begin(), all.end(), best);
        return best;
    }
};

}  // namespace

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: %s ALGO \"K=V;K=V\" FIRST_SEED SEEDS [BUDGET]\n", argv[0]);
        return 2;
    }
    const char *algo = argv[1];
    const std::string kvs = argv[2];
    const int first = atoi(argv[3]), seeds = atoi(argv[4]), budget = argc > 5 ? atoi(argv[5]) : 1000;
    const std::string problem = argc > 6 ? argv[6] : "synthetic";
    const bool fc6 = problem.rfind("fc6", 0) == 0, rectify = problem.find("-rectify") != std::string::npos;
    if (problem != "synthetic" && problem != "synthetic-rectify" && problem != "fc6" && problem != "fc6-rectify") {
        fprintf(stderr, "unknown problem %s\n", problem.c_str());
        return 2;
    }
    std::vector<std::string> kv;
    for (size_t p = 0; p < kvs.size();) {
        size_t q = kvs.find(';', p);
        if (q == std::string::npos) q = kvs.size();
        if (q > p) kv.push_back(kvs.substr(p, q - p));
        p = q + 1;
    }
    std::vector<const char *> ptr;
    for (auto &s : kv) ptr.push_back(s.c_str());
    egrl_problem::PlaceSpace ps(6);
    egrl_problem::Problem syn(ps.sp.n, rectify);
    Fc6 real(rectify);
    if (fc6 && !real.ok) return 2;
    auto f = [&](const int32_t *x) { return fc6 ? real(x) : syn(x); };
    long at_opt = -1; /* counted for fc6 only */
    const double opt = fc6 ? real.Optimum(&at_opt) : syn.Optimum();
    const int32_t n = fc6 ? pesim_space_n_params(real.s) : ps.sp.n, batch = 21;
    double sum = 0;
    int found = 0, all_dram = 0;
    long rollouts = 0, dram_rollouts = 0;
    printf("%s [%s] %s", algo, kvs.c_str(), problem.c_str());
    if (at_opt >= 0) printf(" (optimum %.0f at %ld placements)", opt, at_opt);
    printf(" gaps:");
    for (int seed = first; seed < first + seeds; seed++) {
        pesim_algo_options o;
        memset(&o, 0, sizeof o);
        o.kv = ptr.data();
        o.n_kv = (int32_t)ptr.size();
        pesim_algo *al = nullptr;
        pesim_error e;
        pesim_eval_options eo;
        memset(&eo, 0, sizeof eo);
        eo.objective = PESIM_OBJ_LATENCY;
        if (fc6) o.eval = &eo; /* as the campaign passes it */
        const pesim_status rc = fc6 ? pesim_algo_create(algo, real.s, (uint64_t)seed, &o, &al, &e)
                                    : pesim_algo_create_core(algo, &ps.sp, (uint64_t)seed, &o, &al, &e);
        if (rc != PESIM_OK) {
            fprintf(stderr, "%s: %s\n", algo, e.msg);
            return 2;
        }
        std::vector<int32_t> x((size_t)batch * n), learner;
        std::vector<pesim_result> r(batch);
        double best = PESIM_INVALID_PENALTY;
        for (int done = 0; done < budget;) {
            const int32_t k = pesim_algo_ask(al, x.data(), std::min(batch, budget - done));
            if (k <= 0) break;
            for (int32_t c = 0; c < k; c++) {
                r[c] = f(&x[(size_t)c * n]);
                if (r[c].valid) best = std::min(best, r[c].objective);
            }
            // a whole generation's last candidate is the learner's (egrl: 21st; pg: all 20)
            if (k == batch || strcmp(algo, "pg") == 0) {
                learner.assign(x.begin() + (size_t)(k - 1) * n, x.begin() + (size_t)k * n);
                bool d = true;
                for (int32_t v : learner) d = d && v == 0;
                rollouts++, dram_rollouts += d;
            }
            pesim_algo_tell(al, x.data(), r.data(), k);
            done += k;
        }
        pesim_algo_destroy(al);
        const double gap = best < PESIM_INVALID_PENALTY ? best / opt - 1 : 10;
        bool dram = strcmp(algo, "egrl") == 0 || strcmp(algo, "pg") == 0;
        for (int32_t v : learner) dram = dram && v == 0;
        sum += gap, found += gap < 1e-12, all_dram += dram && !learner.empty();
        printf(" %.6f", gap);
        fflush(stdout);
    }
    printf("  mean %.6f found %d/%d learner-last-all-DRAM %d learner-all-DRAM-share %.3f\n", sum / seeds, found, seeds,
           all_dram, rollouts ? (double)dram_rollouts / (double)rollouts : 0.0);
    return 0;
}
