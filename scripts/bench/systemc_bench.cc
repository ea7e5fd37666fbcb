// systemc_bench.cc - the cycle engine against the SystemC reference, wall time
// on the same cases (scripts/bench_systemc.sh; docs/engine.md, "SystemC
// reference"): the cross-check matrix's cases (tests/systemc_cases.h) and a
// few medium layers with the default mapper. Prints each group's median
// ratio (SystemC time / engine time) and checks that the cycles agree.
//
//   systemc_bench [CASES] [REPEATS]   (defaults: 240 matrix cases; the engine
//                                      is timed as the best of REPEATS = 20 runs)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "systemc_cases.h"

extern "C" {
#include "pesim/systemc.h"
}

namespace {

double now_s()
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double median(std::vector<double> v)
{
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

struct Timing {
    double engine_s, systemc_s;
    int64_t cycles;
    bool equal;
};

Timing time_case(const pesim_arch &a, const pesim_layer &l, const pesim_mapping &m, const pesim_engine_options &o,
                 int repeats)
{
    Timing t{1e30, 0, 0, false};
    pesim_cost ce, cs;
    for (int r = 0; r < repeats; r++) {
        double t0 = now_s();
        pesim_engine_run(&a, &l, &m, &o, &ce, nullptr);
        t.engine_s = std::min(t.engine_s, now_s() - t0);
    }
    double t0 = now_s();
    pesim_status st = pesim_systemc_run(&a, &l, &m, &o, &cs, nullptr);
    t.systemc_s = now_s() - t0;
    t.cycles = ce.cycles;
    t.equal = st == PESIM_OK && cs.cycles == ce.cycles;
    return t;
}

}  // namespace

int main(int argc, char **argv)
{
    int cases = argc > 1 ? std::atoi(argv[1]) : 240, repeats = argc > 2 ? std::atoi(argv[2]) : 20;
    const char *root = PESIM_SOURCE_DIR;
    std::vector<double> ratios;
    double te = 0, ts = 0;
    int64_t cycles = 0;
    int unequal = 0;
    for (int i = 0; i < cases; i++) {
        sc_cases::Case c;
        if (!sc_cases::make_case(i, root, &c)) {
            std::fprintf(stderr, "systemc_bench: cannot build case %d (run from the source tree)\n", i);
            return 1;
        }
        Timing t = time_case(c.arch, c.layer, c.map, c.opt, repeats);
        ratios.push_back(t.systemc_s / t.engine_s);
        te += t.engine_s, ts += t.systemc_s, cycles += t.cycles;
        unequal += !t.equal;
    }
    std::printf("matrix: %d cases, %lld simulated cycles; engine %.4f s, SystemC %.2f s; median ratio %.0fx "
                "(min %.0fx)%s\n",
                cases, (long long)cycles, te, ts, median(ratios), *std::min_element(ratios.begin(), ratios.end()),
                unequal ? "; CYCLES DIFFER" : "");

    // Medium layers: the default mapper's mapping on shipped architectures.
    struct Medium {
        const char *arch, *net, *layer;
    } medium[] = {
        {"tiny", "resnet18", "res4a_branch1"},
        {"eyeriss", "resnet18", "res3a_branch2a"},
        {"tpu_32x32", "resnet18", "res4a_branch2b"},
        {"simba", "mobilenet_v2", "b2_dw"},
        {"simba", "resnet18", "res3a_branch2a"},
        {"eyeriss", "alexnet", "conv3"},
    };
    std::vector<double> mr;
    std::printf("%-10s %-14s %-20s %12s %10s %10s %8s\n", "arch", "network", "layer", "cycles", "engine s",
                "SystemC s", "ratio");
    for (const Medium &md : medium) {
        pesim_arch a;
        pesim_network net;
        pesim_error e;
        std::string ap = std::string(root) + "/configs/arch/" + md.arch + ".cfg";
        std::string np = std::string(root) + "/workloads/" + md.net + ".cfg";
        if (pesim_arch_load(ap.c_str(), &a, &e) != PESIM_OK || pesim_network_load(np.c_str(), &net, &e) != PESIM_OK) {
            std::fprintf(stderr, "systemc_bench: %s\n", e.msg);
            return 1;
        }
        int li = pesim_network_find(&net, md.layer);
        if (li < 0) li = 1;  // the workload changed: take its second layer
        pesim_layer l = net.layers[li];
        pesim_mapping m;
        pesim_engine_options o;
        std::memset(&o, 0, sizeof o);
        if (pesim_mapper_default(&a, &l, &m, &e) != PESIM_OK) {
            std::fprintf(stderr, "systemc_bench: %s\n", e.msg);
            return 1;
        }
        Timing t = time_case(a, l, m, o, std::max(3, repeats / 4));
        mr.push_back(t.systemc_s / t.engine_s);
        std::printf("%-10s %-14s %-20s %12lld %10.5f %10.3f %7.0fx%s\n", md.arch, md.net, l.name,
                    (long long)t.cycles, t.engine_s, t.systemc_s, t.systemc_s / t.engine_s,
                    t.equal ? "" : "  CYCLES DIFFER");
        unequal += !t.equal;
        pesim_network_free(&net);
    }
    std::printf("medium layers: median ratio %.0fx\n", median(mr));
    ratios.insert(ratios.end(), mr.begin(), mr.end());
    std::printf("all: median ratio %.0fx (SystemC time / engine time)\n", median(ratios));
    return unequal ? 1 : 0;
}
