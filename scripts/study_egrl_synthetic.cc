// scripts/study_egrl_synthetic.cc - EGRL and its ablations on the synthetic
// placement problem of tests/search_egrl_test.cc (tests/search_egrl_problem.h),
// at more seeds than the test runs (docs/egrl.md "Audit of the learner").
// Built and run by scripts/study_egrl_synthetic.sh.
//
// usage: study_egrl_synthetic ALGO "K=V;K=V" FIRST_SEED SEEDS [BUDGET [PROBLEM [OPTIMUM]]]
// PROBLEM: synthetic (the default: refused placements are invalid),
// synthetic-rectify (the same problem, rectified: egrl_problem::Problem),
// fc6-rectify (the real network of SearchEgrl.FindsTheOptimumOfASmallNetwork,
// egrl_problem::kFc6 on tests/data/cli/tiny_arch.cfg, through the evaluator,
// the placement space with rectify; run from the repository root), fc6 (the
// same without rectify) or capacity (egrl_problem::kCapArch/kCapWorkload,
// rectified: the problem where capacity binds after rectification) or
// transformer (egrl_problem::kTfArch/kTfWorkload, not rectified, as the
// study: 2 encoder layers of BERT-base on a cut NNP-I; see below) or
// resnet18 (ResNet-18, workloads/resnet18.cfg, on the capacity problem's
// small NNP-I, rectified: a small network with repeated layers, 52
// placement parameters; docs/egrl.md "Does the order depend on the
// network?"; its figures are own speedups as the transformer's). Prints
// one line: the final gap to the optimum per seed, their mean, how many seeds
// found the optimum, in how many the learner's last rollout was all-DRAM
// (every tensor at level 0, the outermost), and the share of all the
// learner's rollouts that were all-DRAM (for real networks also the optimum
// and how many placements cost it). OPTIMUM, when given, is the optimum (a
// real network's enumeration is skipped). ALGO "describe" (real networks)
// enumerates the space and prints the optimum, how many placements cost it
// and are within 1 % and 5 % of it, greedy's and all-innermost's gaps and
// how many placements are refused without rectification.
//
// PROBLEMs transformer and resnet18 are too large to enumerate (3^40 and
// 3^52 placements; ALGO describe refuses them): instead of gaps, the line
// gives per seed the speedup over greedy (greedy's latency / the best
// latency) of the best placement the algorithm found itself, the
// greedy candidate every egrl, ea and pg run evaluates first left out (the
// study's "own" figure, docs/studies/egrl.md), "speedups: s s ... mean M",
// then in how many seeds that beat greedy (> 1), the share of the
// algorithm's own candidates that were valid (not over capacity), and the
// learner's all-DRAM counts as above. OPTIMUM is not used.
//
// ATTRIB (an 8th argument, after OPTIMUM; ALGO egrl, ea or pg): a file that
// gets one line per evaluated candidate, greedy's included, for the
// mechanism study (docs/egrl.md "Why EGRL's valid candidates do not improve
// its best", scripts/study_egrl_mech.sh): "seed ask origin valid objective
// key" (ask: the run's ask, 0 greedy's, each later one a whole generation at
// batch 21; origin: egrl_ask_origins' code; objective 0 if refused; key:
// the placement's algo_hash, in hex, to tell repeats).
//
// ALGO "critic-fit" (problem capacity only): how well EGRL's critic ranks
// placements (docs/egrl.md "Does the critic learn the landscape?"):
//   study_egrl_synthetic critic-fit "K=V;K=V" FIRST_SEED SEEDS [BUDGET [capacity [SAMPLE]]]
// enumerates the 59,049 placements, then runs egrl with the options and,
// after every generation (the learner's update), takes egrl_critic_values
// (min(Q1, Q2) of each placement's actions) and prints one line per seed and
// generation: the Spearman rank correlation (mid-ranks for ties) between the
// critic's value and the true reward (speedup^2 - 1 over greedy) over (a) a
// fixed uniform sample of SAMPLE placements (default 2000, drawn once with
// seed 1, without replacement), (b) the top 1 % (the 590 placements of
// lowest latency, ties by index), (c) the distinct placements evaluated so
// far (what the critic is trained on); then the mean of each over the seeds
// per generation; with each line, the critic's mean and largest value over
// the sample against the rewards' mean there (max 34.5, the optimum's). The diagnostic changes nothing in the run
// (egrl_critic_values draws nothing), so the gaps are the plain run's.
//
// ALGO "fit-all" (problem capacity only): the upper bound (docs/egrl.md
// "Can the critic represent the top's order?"):
//   study_egrl_synthetic fit-all "K=V;K=V" SEED 1 STEPS capacity [SAMPLE]
// egrl's learner (its critic, batch, loss and Adam; seed SEED) gets every
// one of the 59,049 placements with its true reward in its replay
// (egrl_critic_train) and takes STEPS updates; after 250, 500, 1000, ...
// steps and at STEPS it prints the Spearman rho between min(Q1, Q2) and the
// reward over the sample (SAMPLE 0: all 59,049), the top 1 % and all.
#include <cstdlib>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>

#include "../search/algo_impl.h"
#include "../search/algorithms/egrl.h"
#include "search_egrl_problem.h"

namespace {

// The real network of a problem name (NULL for the synthetic ones).
egrl_problem::RealPlacement *Real(const std::string &problem, bool rectify)
{
    if (problem.rfind("fc6", 0) == 0)
        return new egrl_problem::RealPlacement("tests/data/cli/tiny_arch.cfg", "fc6.cfg", egrl_problem::kFc6, rectify);
    if (problem == "capacity")
        return new egrl_problem::RealPlacement(egrl_problem::kCapArch, egrl_problem::kCapWorkload, nullptr, rectify);
    if (problem == "transformer")
        return new egrl_problem::RealPlacement(egrl_problem::kTfArch, egrl_problem::kTfWorkload, nullptr, rectify);
    if (problem == "resnet18")
        return new egrl_problem::RealPlacement(egrl_problem::kCapArch, "workloads/resnet18.cfg", nullptr, rectify);
    return nullptr;
}

// The real problems too large to enumerate: their figure is the own speedup
// over greedy, not a gap to an optimum, and describe refuses them.
bool OwnSpeedups(const std::string &problem) { return problem == "transformer" || problem == "resnet18"; }

// ALGO "describe": the space's landscape.
int Describe(const std::string &problem)
{
    std::unique_ptr<egrl_problem::RealPlacement> r(Real(problem, true)), u(Real(problem, false));
    if (!r || !r->ok || !u->ok) return 2;
    const int32_t np = r->n();
    std::vector<int32_t> x((size_t)np, 0), argmin;
    long at_opt = 0;
    const double opt = r->Optimum(&at_opt, &argmin);
    long n = 0, in1 = 0, in5 = 0, refused = 0;
    for (;;) {
        pesim_result a = (*r)(x.data()), b = (*u)(x.data());
        n++, in1 += a.valid && a.objective <= opt * 1.01, in5 += a.valid && a.objective <= opt * 1.05;
        refused += !b.valid;
        int32_t i = 0;
        while (i < np && ++x[(size_t)i] == pesim_space_param(r->s, i)->n_choices) x[(size_t)i++] = 0;
        if (i == np) break;
    }
    std::vector<int32_t> g = r->Greedy(), inner((size_t)np);
    for (int32_t i = 0; i < np; i++) inner[(size_t)i] = pesim_space_param(r->s, i)->n_choices - 1;
    const double gg = g.empty() ? -1 : (*r)(g.data()).objective / opt - 1, gi = (*r)(inner.data()).objective / opt - 1;
    printf("%s: %d parameters, %ld placements; optimum %.0f at %ld (within 1%%: %ld, 5%%: %ld); greedy gap %.6f; "
           "all-innermost gap %.6f; refused without rectification %ld\nan optimum:",
           problem.c_str(), (int)np, n, opt, at_opt, in1, in5, gg, gi, refused);
    for (int32_t v : argmin) printf(" %d", (int)v);
    printf("\ngreedy:    ");
    for (int32_t v : g) printf(" %d", (int)v);
    printf("\n");
    return 0;
}

// Ranks with ties at their mid-rank (1-based).
std::vector<double> MidRanks(const std::vector<double> &v)
{
    std::vector<size_t> o(v.size());
    std::iota(o.begin(), o.end(), 0);
    std::sort(o.begin(), o.end(), [&](size_t a, size_t b) { return v[a] < v[b]; });
    std::vector<double> r(v.size());
    for (size_t i = 0; i < o.size();) {
        size_t j = i;
        while (j + 1 < o.size() && v[o[j + 1]] == v[o[i]]) j++;
        for (size_t k = i; k <= j; k++) r[o[k]] = (double)(i + j) / 2 + 1;
        i = j + 1;
    }
    return r;
}

// Spearman's rho: Pearson's correlation of the mid-ranks (0 when either
// side is constant).
double Spearman(const std::vector<double> &a, const std::vector<double> &b)
{
    std::vector<double> ra = MidRanks(a), rb = MidRanks(b);
    const double n = (double)a.size(), m = (n + 1) / 2;
    double sab = 0, saa = 0, sbb = 0;
    for (size_t i = 0; i < a.size(); i++) {
        sab += (ra[i] - m) * (rb[i] - m), saa += (ra[i] - m) * (ra[i] - m), sbb += (rb[i] - m) * (rb[i] - m);
    }
    return saa > 0 && sbb > 0 ? sab / std::sqrt(saa * sbb) : 0;
}

// The capacity-bound problem enumerated: every placement's choices (all,
// mixed radix, parameter 0 fastest), latency and reward (speedup^2 - 1 over
// greedy's latency, -5 refused, as egrl's), the top 1 % (the lowest
// latencies, ties by index) and a fixed uniform sample (SAMPLE placements
// drawn once with seed 1 without replacement; 0: all).
struct Landscape {
    int32_t np = 0;
    std::vector<int32_t> radix, all;
    std::vector<double> lat, rew;
    std::vector<long> top, uni;
    double ref = 0;
    long index_of(const int32_t *x) const
    {
        long k = 0;
        for (int32_t i = np - 1; i >= 0; i--) k = k * radix[(size_t)i] + x[i];
        return k;
    }
    Landscape(egrl_problem::RealPlacement &rp, size_t sample) : np(rp.n()), radix((size_t)rp.n())
    {
        for (int32_t i = 0; i < np; i++) radix[(size_t)i] = pesim_space_param(rp.s, i)->n_choices;
        std::vector<int32_t> x((size_t)np, 0);
        for (;;) {
            all.insert(all.end(), x.begin(), x.end());
            pesim_result r = rp(x.data());
            lat.push_back(r.valid ? r.objective : PESIM_INVALID_PENALTY);
            int32_t i = 0;
            while (i < np && ++x[(size_t)i] == radix[(size_t)i]) x[(size_t)i++] = 0;
            if (i == np) break;
        }
        const long n_all = (long)lat.size();
        std::vector<int32_t> g = rp.Greedy();
        ref = lat[(size_t)index_of(g.data())];
        for (double l : lat) rew.push_back(l < PESIM_INVALID_PENALTY ? std::pow(ref / l, 2) - 1 : -5.0);
        std::vector<long> order((size_t)n_all);
        std::iota(order.begin(), order.end(), 0L);
        std::stable_sort(order.begin(), order.end(), [&](long a, long b) { return lat[(size_t)a] < lat[(size_t)b]; });
        top.assign(order.begin(), order.begin() + n_all / 100);
        uni = order;
        std::mt19937_64 gen(1);
        std::shuffle(uni.begin(), uni.end(), gen);
        if (sample > 0) uni.resize(std::min(sample, uni.size()));
    }
    // Spearman rho between the critics' value and the reward over ids (NAN
    // if the critics cannot say); the critics' values in q when given.
    double Rho(void *st, const std::vector<long> &ids, std::vector<double> *q = nullptr) const
    {
        std::vector<int32_t> xs;
        std::vector<double> truth, v(ids.size());
        for (long id : ids) {
            xs.insert(xs.end(), all.begin() + id * np, all.begin() + (id + 1) * np);
            truth.push_back(rew[(size_t)id]);
        }
        if (!egrl_critic_values(st, xs.data(), (int32_t)ids.size(), v.data())) return NAN;
        if (q) *q = v;
        return Spearman(v, truth);
    }
};

// egrl on the capacity-bound problem with the options kv (NULL on error,
// printed).
pesim_algo *CreateEgrl(egrl_problem::RealPlacement &rp, const std::vector<const char *> &kv, int seed)
{
    pesim_algo_options o;
    memset(&o, 0, sizeof o);
    o.kv = kv.data();
    o.n_kv = (int32_t)kv.size();
    pesim_eval_options eo;
    memset(&eo, 0, sizeof eo);
    eo.objective = PESIM_OBJ_LATENCY;
    o.eval = &eo;
    pesim_algo *al = nullptr;
    pesim_error e;
    if (pesim_algo_create("egrl", rp.s, (uint64_t)seed, &o, &al, &e) != PESIM_OK) fprintf(stderr, "egrl: %s\n", e.msg);
    return al;
}

// ALGO "fit-all": see the head of the file.
int FitAll(const std::vector<const char *> &kv, const std::string &kvs, int seed, int steps, size_t sample)
{
    egrl_problem::RealPlacement rp(egrl_problem::kCapArch, egrl_problem::kCapWorkload, nullptr, true);
    if (!rp.ok) {
        fprintf(stderr, "capacity: %s\n", rp.error.msg);
        return 2;
    }
    const Landscape L(rp, sample);
    pesim_algo *al = CreateEgrl(rp, kv, seed);
    if (!al) return 2;
    void *st = pesim_algo_state(al);
    printf("fit-all [%s] seed %d: %zu placements in the replay, greedy %.0f cycles, sample %zu, top 1%% %zu\n",
           kvs.c_str(), seed, L.lat.size(), L.ref, L.uni.size(), L.top.size());
    if (!egrl_critic_train(st, L.all.data(), L.rew.data(), (int32_t)L.lat.size(), 0)) return 2;
    for (int done = 0, next = 250; done < steps;) {
        const int k = std::min(next, steps) - done;
        if (!egrl_critic_train(st, nullptr, nullptr, 0, k)) return 2;
        done += k;
        printf("steps %d sample %.4f top1%% %.4f\n", done, L.Rho(st, L.uni), L.Rho(st, L.top));
        fflush(stdout);
        next *= 2;
    }
    pesim_algo_destroy(al);
    return 0;
}

// ALGO "critic-fit": see the head of the file.
int CriticFit(const std::vector<const char *> &kv, const std::string &kvs, int first, int seeds, int budget,
              size_t sample)
{
    egrl_problem::RealPlacement rp(egrl_problem::kCapArch, egrl_problem::kCapWorkload, nullptr, true);
    if (!rp.ok) {
        fprintf(stderr, "capacity: %s\n", rp.error.msg);
        return 2;
    }
    const Landscape L(rp, sample);
    const int32_t np = L.np;
    printf("critic-fit [%s] capacity: %zu placements, greedy %.0f cycles, sample %zu, top 1%% %zu (latency %.0f-%.0f)\n",
           kvs.c_str(), L.lat.size(), L.ref, L.uni.size(), L.top.size(), L.lat[(size_t)L.top.front()],
           L.lat[(size_t)L.top.back()]);
    std::map<int, std::vector<double>> sum[3];
    for (int seed = first; seed < first + seeds; seed++) {
        pesim_algo *al = CreateEgrl(rp, kv, seed);
        if (!al) return 2;
        const int32_t batch = 21;
        std::vector<int32_t> cand((size_t)batch * np);
        std::vector<pesim_result> r(batch);
        std::set<long> seen;
        double best = PESIM_INVALID_PENALTY;
        int gen_no = 0;
        for (int done = 0; done < budget;) {
            const int32_t k = pesim_algo_ask(al, cand.data(), std::min(batch, budget - done));
            if (k <= 0) break;
            for (int32_t c = 0; c < k; c++) {
                const long id = L.index_of(&cand[(size_t)c * np]);
                seen.insert(id);
                r[c] = rp(&cand[(size_t)c * np]);
                if (r[c].valid) best = std::min(best, r[c].objective);
            }
            pesim_algo_tell(al, cand.data(), r.data(), k);
            done += k;
            if (k != batch) continue; /* greedy's, or a generation cut by the budget: no update */
            gen_no++;
            const std::vector<long> seen_v(seen.begin(), seen.end());
            const std::vector<long> *sets[3] = {&L.uni, &L.top, &seen_v};
            double rho[3], qm = 0, rm = 0, qmax = 0;
            for (int t = 0; t < 3; t++) {
                std::vector<double> q;
                rho[t] = L.Rho(pesim_algo_state(al), *sets[t], &q);
                if (std::isnan(rho[t])) {
                    fprintf(stderr, "egrl_critic_values failed\n");
                    return 2;
                }
                if (t == 0) { /* the critic's scale against the rewards' */
                    qm = std::accumulate(q.begin(), q.end(), 0.0) / (double)q.size();
                    for (long id : L.uni) rm += L.rew[(size_t)id];
                    rm /= (double)L.uni.size();
                    qmax = *std::max_element(q.begin(), q.end());
                }
                sum[t][gen_no].push_back(rho[t]);
            }
            printf("seed %d gen %d sample %.4f top1%% %.4f seen %.4f (%zu) sample mean Q %.3f max Q %.3f mean reward %.3f\n",
                   seed, gen_no, rho[0], rho[1], rho[2], seen.size(), qm, qmax, rm);
            fflush(stdout);
        }
        pesim_algo_destroy(al);
        printf("seed %d final gap %.6f\n", seed, best / L.lat[(size_t)L.top.front()] - 1);
    }
    printf("mean over seeds per generation: gen sample top1%% seen\n");
    for (auto &kvp : sum[0]) {
        const int gno = kvp.first;
        double m[3];
        for (int t = 0; t < 3; t++)
            m[t] = std::accumulate(sum[t][gno].begin(), sum[t][gno].end(), 0.0) / (double)sum[t][gno].size();
        printf("mean gen %d %.4f %.4f %.4f\n", gno, m[0], m[1], m[2]);
    }
    return 0;
}

}  // namespace

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: %s ALGO \"K=V;K=V\" FIRST_SEED SEEDS [BUDGET [PROBLEM [OPTIMUM]]]\n", argv[0]);
        return 2;
    }
    const char *algo = argv[1];
    const std::string kvs = argv[2];
    const int first = atoi(argv[3]), seeds = atoi(argv[4]), budget = argc > 5 ? atoi(argv[5]) : 1000;
    const std::string problem = argc > 6 ? argv[6] : "synthetic";
    const bool rectify = problem.find("-rectify") != std::string::npos;
    if (problem != "synthetic" && problem != "synthetic-rectify" && problem != "fc6" && problem != "fc6-rectify" &&
        problem != "capacity" && problem != "transformer" && problem != "resnet18") {
        fprintf(stderr, "unknown problem %s\n", problem.c_str());
        return 2;
    }
    if (strcmp(algo, "describe") == 0) {
        if (OwnSpeedups(problem)) {
            fprintf(stderr, "describe: %s is too large to enumerate\n", problem.c_str());
            return 2;
        }
        return Describe(problem);
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
    if (strcmp(algo, "critic-fit") == 0) {
        if (problem != "capacity") {
            fprintf(stderr, "critic-fit: problem capacity only\n");
            return 2;
        }
        return CriticFit(ptr, kvs, first, seeds, budget, argc > 7 ? (size_t)atol(argv[7]) : 2000);
    }
    if (strcmp(algo, "fit-all") == 0) {
        if (problem != "capacity") {
            fprintf(stderr, "fit-all: problem capacity only\n");
            return 2;
        }
        return FitAll(ptr, kvs, first, budget, argc > 7 ? (size_t)atol(argv[7]) : 2000);
    }
    egrl_problem::PlaceSpace ps(6);
    egrl_problem::Problem syn(ps.sp.n, rectify);
    std::unique_ptr<egrl_problem::RealPlacement> rp(Real(problem, rectify || problem == "capacity" || problem == "resnet18"));
    const bool fc6 = rp != nullptr; /* a real network */
    if (fc6 && !rp->ok) {
        fprintf(stderr, "%s: %s\n", problem.c_str(), rp->error.msg);
        return 2;
    }
    auto f = [&](const int32_t *x) { return fc6 ? (*rp)(x) : syn(x); };
    long at_opt = -1; /* counted for real networks only, when enumerated */
    const bool own = OwnSpeedups(problem); /* no optimum */
    const std::vector<int32_t> greedy = own ? rp->Greedy() : std::vector<int32_t>();
    if (own && greedy.empty()) {
        fprintf(stderr, "%s: the greedy placer failed\n", problem.c_str());
        return 2;
    }
    const double opt = own ? (*rp)(greedy.data()).objective
                           : argc > 7 ? atof(argv[7]) : fc6 ? rp->Optimum(&at_opt) : syn.Optimum();
    const int32_t n = fc6 ? rp->n() : ps.sp.n, batch = 21;
    double sum = 0;
    int found = 0, all_dram = 0;
    long rollouts = 0, dram_rollouts = 0, own_n = 0, own_valid = 0;
    FILE *attrib = nullptr;
    if (argc > 8) {
        if (strcmp(algo, "egrl") != 0 && strcmp(algo, "ea") != 0 && strcmp(algo, "pg") != 0) {
            fprintf(stderr, "ATTRIB: egrl, ea or pg only\n");
            return 2;
        }
        if (!(attrib = fopen(argv[8], "w"))) {
            fprintf(stderr, "%s: cannot write\n", argv[8]);
            return 2;
        }
    }
    printf("%s [%s] %s", algo, kvs.c_str(), problem.c_str());
    if (at_opt >= 0) printf(" (optimum %.0f at %ld placements)", opt, at_opt);
    if (own) printf(" (greedy %.0f cycles)", opt);
    printf(own ? " speedups:" : " gaps:");
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
        const pesim_status rc = fc6 ? pesim_algo_create(algo, rp->s, (uint64_t)seed, &o, &al, &e)
                                    : pesim_algo_create_core(algo, &ps.sp, (uint64_t)seed, &o, &al, &e);
        if (rc != PESIM_OK) {
            fprintf(stderr, "%s: %s\n", algo, e.msg);
            return 2;
        }
        std::vector<int32_t> x((size_t)batch * n), learner;
        std::vector<pesim_result> r(batch);
        double best = PESIM_INVALID_PENALTY;
        std::vector<int32_t> origin((size_t)batch);
        for (int done = 0, ask = 0; done < budget; ask++) {
            const int32_t k = pesim_algo_ask(al, x.data(), std::min(batch, budget - done));
            if (k <= 0) break;
            /* own: the first ask's one candidate, greedy's, is left out */
            const bool skip = own && done == 0 && k == 1 && std::equal(greedy.begin(), greedy.end(), x.begin());
            for (int32_t c = 0; c < k; c++) {
                r[c] = f(&x[(size_t)c * n]);
                if (skip) continue;
                own_n++, own_valid += r[c].valid != 0;
                if (r[c].valid) best = std::min(best, r[c].objective);
            }
            if (attrib && egrl_ask_origins(pesim_algo_state(al), origin.data()) == k)
                for (int32_t c = 0; c < k; c++)
                    fprintf(attrib, "%d %d %d %d %.6f %016llx\n", seed, ask, (int)origin[(size_t)c], r[c].valid,
                            r[c].valid ? r[c].objective : 0.0,
                            (unsigned long long)algo_hash(&x[(size_t)c * n], n));
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
        /* own: the speedup over greedy (0 when nothing valid), found: > 1 */
        const double gap = own ? (best < PESIM_INVALID_PENALTY ? opt / best : 0)
                               : best < PESIM_INVALID_PENALTY ? best / opt - 1 : 10;
        bool dram = strcmp(algo, "egrl") == 0 || strcmp(algo, "pg") == 0;
        for (int32_t v : learner) dram = dram && v == 0;
        sum += gap, found += own ? gap > 1 + 1e-12 : gap < 1e-12, all_dram += dram && !learner.empty();
        printf(" %.6f", gap);
        fflush(stdout);
    }
    printf("  mean %.6f %s %d/%d learner-last-all-DRAM %d learner-all-DRAM-share %.3f", sum / seeds,
           own ? "beat-greedy" : "found", found, seeds, all_dram,
           rollouts ? (double)dram_rollouts / (double)rollouts : 0.0);
    if (own) printf(" valid-share %.3f", own_n ? (double)own_valid / (double)own_n : 0.0);
    printf("\n");
    if (attrib) fclose(attrib);
    return 0;
}
