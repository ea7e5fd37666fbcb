// net_cases.h - a seeded matrix of small whole-network cases (networks,
// architectures, placements, options) shared by the engine-vs-bound and
// engine-vs-SystemC tests (net_engine_test.cc, net_systemc_test.cc).
#ifndef PESIM_TESTS_NET_CASES_H
#define PESIM_TESTS_NET_CASES_H

#include <array>
#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <vector>

extern "C" {
#include "pesim/config.h"
#include "pesim/net.h"
}

#include "test_util.h"

// A network under construction, as config lines; shape[name] = (c, h, w).
struct NetBuilder {
    std::vector<std::string> lines;
    std::map<std::string, std::array<int64_t, 3>> shape;
    int64_t in_c, in_h, in_w;
    int count = 0;

    NetBuilder(int64_t c, int64_t h, int64_t w) : in_c(c), in_h(h), in_w(w) { shape["input"] = {c, h, w}; }
    static std::string I(int64_t v) { return std::to_string(v); }
    std::string Name(const char *p) { return std::string(p) + std::to_string(count++); }
    std::string Add(const std::string &name, const std::string &text, std::array<int64_t, 3> out)
    {
        lines.push_back("name = \"" + name + "\"; " + text);
        shape[name] = out;
        return name;
    }
    std::string Conv(const std::string &src, int64_t k, int64_t r, int64_t stride, int64_t pad, const char *act = nullptr)
    {
        auto s = shape[src];
        if (s[1] + 2 * pad < r || s[2] + 2 * pad < r) r = 1, pad = 0; /* a window that fits */
        int64_t p = (s[1] + 2 * pad - r) / stride + 1, q = (s[2] + 2 * pad - r) / stride + 1;
        std::string t = "type = \"conv\"; inputs = [ \"" + src + "\" ]; k = " + I(k) + "; c = " + I(s[0]) +
                        "; p = " + I(p) + "; q = " + I(q) + "; r = " + I(r) + "; s = " + I(r) + "; stride = [ " +
                        I(stride) + ", " + I(stride) + " ]; pad = [ " + I(pad) + ", " + I(pad) + " ];";
        if (act) t += std::string(" activation = \"") + act + "\";";
        return Add(Name("conv"), t, {k, p, q});
    }
    std::string Pool(const std::string &src, int64_t r, int64_t stride)
    {
        auto s = shape[src];
        if (s[1] < r || s[2] < r) return src; /* too small to pool */
        int64_t p = (s[1] - r) / stride + 1, q = (s[2] - r) / stride + 1;
        return Add(Name("pool"), "type = \"pool\"; inputs = [ \"" + src + "\" ]; k = " + I(s[0]) + "; p = " + I(p) +
                                     "; q = " + I(q) + "; r = " + I(r) + "; s = " + I(r) + "; stride = [ " +
                                     I(stride) + ", " + I(stride) + " ];",
                   {s[0], p, q});
    }
    // O[m][n_out] = A[m][k_red] x W: src's words = m x k_red, m = h x w
    std::string Gemm(const std::string &src, int64_t n_out, const char *act = nullptr)
    {
        auto s = shape[src];
        int64_t m = s[1] * s[2], k = s[0];
        std::string t = "type = \"gemm\"; inputs = [ \"" + src + "\" ]; m = " + I(m) + "; n_out = " + I(n_out) +
                        "; k_red = " + I(k) + ";";
        if (act) t += std::string(" activation = \"") + act + "\";";
        return Add(Name("fc"), t, {n_out, m, 1});
    }
    std::string Matmul(const std::string &a, const std::string &b, int64_t batch, int64_t m, int64_t n_out,
                       int64_t k_red)
    {
        return Add(Name("mm"), "type = \"matmul\"; inputs = [ \"" + a + "\", \"" + b + "\" ]; batch = " + I(batch) +
                                   "; m = " + I(m) + "; n_out = " + I(n_out) + "; k_red = " + I(k_red) + ";",
                   {batch * n_out, m, 1});
    }
    std::string Eltwise(const char *type, const std::string &src, const std::string &extra = "", int64_t batch = 1)
    {
        auto s = shape[src];
        std::string t = std::string("type = \"") + type + "\"; inputs = [ \"" + src + "\" ]; ";
        if (batch > 1) t += "batch = " + I(batch) + "; ";
        t += "k = " + I(s[0] / batch) + "; p = " + I(s[1]) + "; q = " + I(s[2]) + ";" + extra;
        return Add(Name(type), t, s);
    }
    std::string Sum(const std::string &a, const std::string &b, const char *act = nullptr)
    {
        auto s = shape[a];
        std::string t = "type = \"add\"; inputs = [ \"" + a + "\", \"" + b + "\" ]; k = " + I(s[0]) + "; p = " +
                        I(s[1]) + "; q = " + I(s[2]) + ";";
        if (act) t += std::string(" activation = \"") + act + "\";";
        return Add(Name("add"), t, s);
    }
    std::string Concat(const std::string &a, const std::string &b)
    {
        auto s = shape[a], u = shape[b];
        return Add(Name("cat"), "type = \"concat\"; inputs = [ \"" + a + "\", \"" + b + "\" ]; k = " +
                                    I(s[0] + u[0]) + "; p = " + I(s[1]) + "; q = " + I(s[2]) + ";",
                   {s[0] + u[0], s[1], s[2]});
    }
    std::string Text() const
    {
        std::string s = "network = { name = \"case\"; input = { c = " + I(in_c) + "; h = " + I(in_h) + "; w = " +
                        I(in_w) + "; }; layers = (\n";
        for (size_t i = 0; i < lines.size(); i++) s += "  { " + lines[i] + " }" + (i + 1 < lines.size() ? ",\n" : "\n");
        return s + "); };\n";
    }
};

enum NetFamily { NF_CHAIN = 0, NF_RESIDUAL, NF_CONCAT, NF_ATTENTION, NF_COUNT };

inline const char *net_family_name(int f)
{
    static const char *const n[] = {"chain", "residual", "concat", "attention"};
    return n[f];
}

// A random network of a family.
inline std::string random_network(TestRng &rng, int family)
{
    switch (family) {
    case NF_CHAIN: {
        NetBuilder b(rng.uni(2, 6), rng.uni(4, 8), rng.uni(4, 8));
        std::string x = b.Conv("input", rng.uni(2, 8), 3, 1, 1, rng.coin(50) ? "relu" : nullptr);
        if (rng.coin(50)) x = b.Eltwise("act", x, " function = \"gelu\";");
        x = b.Conv(x, rng.uni(2, 8), rng.coin(50) ? 3 : 1, rng.uni(1, 2), 0);
        if (rng.coin(50)) x = b.Pool(x, 2, 1);
        b.Gemm(x, rng.uni(2, 10));
        return b.Text();
    }
    case NF_RESIDUAL: {
        int64_t c = rng.uni(2, 6);
        NetBuilder b(c, rng.uni(3, 6), rng.uni(3, 6));
        std::string y = b.Conv("input", rng.uni(2, 6), 3, 1, 1, "relu");
        y = b.Conv(y, c, 1, 1, 0);
        std::string x = b.Sum(y, "input", "relu");
        y = b.Conv(x, c, 3, 1, 1, "relu");
        x = b.Sum(y, x);
        if (rng.coin(50)) b.Eltwise("layernorm", x);
        return b.Text();
    }
    case NF_CONCAT: {
        NetBuilder b(rng.uni(2, 5), rng.uni(3, 6), rng.uni(3, 6));
        std::string l = b.Conv("input", rng.uni(2, 6), 1, 1, 0, "relu");
        std::string r = b.Conv("input", rng.uni(2, 6), 3, 1, 1);
        std::string x = b.Concat(l, r);
        if (rng.coin(50)) x = b.Pool(x, 2, 2);
        b.Conv(x, rng.uni(2, 6), 1, 1, 0);
        return b.Text();
    }
    default: { // attention: heads x head dim = hidden, seq tokens
        int64_t heads = rng.uni(1, 2), dh = rng.uni(2, 4), seq = rng.uni(2, 6), hid = heads * dh;
        NetBuilder b(hid, seq, 1);
        std::string q = b.Gemm("input", hid), k = b.Gemm("input", hid), v = b.Gemm("input", hid);
        std::string s = b.Matmul(q, k, heads, seq, seq, dh);
        s = b.Eltwise("softmax", s, "", heads);
        std::string c = b.Matmul(s, v, heads, seq, dh, seq);
        std::string o = b.Gemm(c, hid);
        std::string x = b.Sum(o, "input");
        x = b.Eltwise("layernorm", x);
        if (rng.coin(50)) x = b.Eltwise("act", b.Gemm(x, 2 * hid), " function = \"gelu\";");
        return b.Text();
    }
    }
}

enum NetArch { NA_PLAIN = 0, NA_TINY, NA_DRAM4, NA_NEAR, NA_COUNT };

inline const char *net_arch_name(int a)
{
    static const char *const n[] = {"plain", "tiny", "dram4", "near"};
    return n[a];
}

// A random architecture of a family: a plain two-level machine (no DRAM
// timing), tiny.cfg (DDR4), four levels over LPDDR4 with a home SRAM, or
// "near": a home SRAM below the vector unit, which sits beside an LLC over
// DDR4 (so what a vector layer touches lives in the LLC or DRAM, the other
// tensors in the SRAM too: Simba's weights in the PEs).
inline std::string random_arch(TestRng &rng, int family)
{
    auto D = [](double v) { return std::to_string(v); };
    auto I = [](int64_t v) { return std::to_string(v); };
    switch (family) {
    case NA_PLAIN:
        return "arch = { name = \"plain\"; word_bits = 8; clock_mhz = 1000.0; mac = { energy_pj = 1.0; "
               "latency_cycles = " + I(rng.uni(1, 3)) + "; };\n levels = (\n"
               "  { name = \"SRAM\"; capacity_words = " + I(rng.uni(200, 2000)) + "; banks = " + I(rng.uni(1, 2)) +
               "; read_words_per_cycle = " + D((double)rng.uni(2, 8)) + "; write_words_per_cycle = " +
               D((double)rng.uni(2, 8)) + "; latency_cycles = " + I(rng.uni(0, 2)) +
               "; read_energy_pj = 1.0; write_energy_pj = 1.0; },\n"
               "  { name = \"MEM\"; banks = 2; read_words_per_cycle = " + D((double)rng.uni(1, 3)) +
               "; write_words_per_cycle = " + D((double)rng.uni(1, 3)) + "; latency_cycles = " + I(rng.uni(2, 12)) +
               "; read_energy_pj = 10.0; write_energy_pj = 10.0; }\n );\n"
               " vector = { level = \"SRAM\"; lanes = " + I(rng.uni(1, 8)) + "; latency_cycles = " + I(rng.uni(1, 3)) +
               "; energy_pj_per_op = 0.5; };\n};\n";
    case NA_TINY:
        return "";  // configs/arch/tiny.cfg
    case NA_NEAR:
        return "arch = { name = \"near\"; word_bits = 8; clock_mhz = 1000.0; mac = { energy_pj = 0.3; };\n levels = (\n"
               "  { name = \"RF\"; tensor_capacity = { weights = 8; inputs = 8; outputs = 8; }; },\n"
               "  { name = \"GLB\"; capacity_words = " + I(rng.uni(256, 1024)) + "; fanout_x = 2; fanout_y = 2;"
               " read_words_per_cycle = 8.0; write_words_per_cycle = 8.0; latency_cycles = 1; read_energy_pj = 2.0;"
               " write_energy_pj = 2.0; },\n"
               "  { name = \"SRAM\"; capacity_words = " + I(rng.uni(128, 2048)) + "; read_words_per_cycle = 4.0;"
               " write_words_per_cycle = 4.0; latency_cycles = 1; read_energy_pj = 3.0; write_energy_pj = 3.0; },\n"
               "  { name = \"LLC\"; capacity_words = " + I(rng.uni(512, 4096)) + "; banks = " + I(rng.uni(1, 2)) +
               "; read_words_per_cycle = 4.0; write_words_per_cycle = 4.0; latency_cycles = 2;"
               " read_energy_pj = 5.0; write_energy_pj = 5.0; },\n"
               "  { name = \"DRAM\"; dram = { preset = \"ddr4-3200\"; channels = 1; }; read_energy_pj = 60.0;"
               " write_energy_pj = 60.0; }\n );\n"
               " vector = { level = \"LLC\"; lanes = " + I(rng.uni(2, 8)) + "; latency_cycles = 2; energy_pj_per_op = 0.4; };\n};\n";
    default:
        return "arch = { name = \"dram4\"; word_bits = 8; clock_mhz = 800.0; mac = { energy_pj = 0.3; };\n levels = (\n"
               "  { name = \"RF\"; keeps = [ \"weights\", \"outputs\" ]; tensor_capacity = { weights = 8; outputs = 8; }; },\n"
               "  { name = \"GLB\"; capacity_words = " + I(rng.uni(256, 1024)) + "; fanout_x = 2; fanout_y = 2; banks = 2;"
               " double_buffered = " + (rng.coin(50) ? "true" : "false") + "; read_words_per_cycle = 8.0;"
               " write_words_per_cycle = 8.0; latency_cycles = 1; read_energy_pj = 2.0; write_energy_pj = 2.0; },\n"
               "  { name = \"SRAM\"; capacity_words = " + I(rng.uni(256, 4096)) + "; banks = " + I(rng.uni(1, 2)) +
               "; read_words_per_cycle = 4.0; write_words_per_cycle = 4.0; latency_cycles = 2;"
               " read_energy_pj = 5.0; write_energy_pj = 5.0; },\n"
               "  { name = \"DRAM\"; dram = { preset = \"lpddr4-2400\"; channels = 2; }; read_energy_pj = 60.0;"
               " write_energy_pj = 60.0; }\n );\n"
               " vector = { level = \"GLB\"; lanes = " + I(rng.uni(2, 8)) + "; latency_cycles = 2; energy_pj_per_op = 0.4; };\n};\n";
    }
}

// One case: loaded inputs, a handle, a random placement over the homes.
struct NetCase {
    pesim_arch arch{};
    pesim_network net{};
    pesim_net *n = nullptr;
    pesim_placement p{};
    pesim_net_options opt{};
    std::string what;
    bool ok = false;

    NetCase(uint64_t seed, int net_family, int arch_family)
    {
        TestRng rng(seed);
        std::string at = random_arch(rng, arch_family), nt = random_network(rng, net_family);
        pesim_error e;
        pesim_status st = at.empty() ? pesim_arch_load(PESIM_SOURCE_DIR "/configs/arch/tiny.cfg", &arch, &e)
                                     : pesim_arch_load_string(at.c_str(), "case_arch.cfg", &arch, &e);
        if (st != PESIM_OK || pesim_network_load_string(nt.c_str(), "case.cfg", &net, &e) != PESIM_OK) {
            what = std::string("load: ") + e.msg;
            return;
        }
        pesim_net_options o{};
        o.preload_weights = rng.coin(30);
        o.rectify = rng.coin(70);
        o.no_alias = rng.coin(20);
        o.no_prefetch = rng.coin(20);
        o.engine.dram_fcfs = rng.coin(20);
        o.engine.no_refresh = rng.coin(20);
        opt = o;
        if (pesim_net_create(&arch, &net, &o, &n, &e) != PESIM_OK) {
            what = std::string("create: ") + e.msg;
            return;
        }
        pesim_net_place_outermost(n, &p, &e);
        int policy = (int)rng.uni(0, 2); /* 0 random, 1 greedy, 2 outermost */
        if (policy == 1) {
            pesim_placement_free(&p);
            pesim_net_place_greedy(n, &p, &e);
        } else if (policy == 0) {
            int32_t h[PESIM_MAX_LEVELS];  /* each tensor among its own homes */
            for (int32_t i = 0; i < net.n_layers; i++) {
                p.weights_level[i] = h[rng.uni(0, pesim_net_tensor_homes(n, PESIM_NET_WEIGHTS_TENSOR(i), h) - 1)];
                p.outputs_level[i] = h[rng.uni(0, pesim_net_tensor_homes(n, PESIM_NET_OUTPUT_TENSOR(i), h) - 1)];
            }
            p.input_level = h[rng.uni(0, pesim_net_tensor_homes(n, PESIM_NET_INPUT_TENSOR, h) - 1)];
        }
        what = std::string(net_family_name(net_family)) + " on " + net_arch_name(arch_family) + " seed " +
               std::to_string(seed) + (policy == 1 ? " greedy" : policy == 2 ? " outermost" : " random") +
               (o.preload_weights ? " preload" : "") + (o.rectify ? " rectify" : "") + (o.no_alias ? " no-alias" : "") +
               (o.no_prefetch ? " no-prefetch" : "");
        ok = true;
    }
    ~NetCase()
    {
        pesim_placement_free(&p);
        pesim_net_destroy(n);
        pesim_network_free(&net);
    }
    NetCase(const NetCase &) = delete;
    NetCase &operator=(const NetCase &) = delete;
};

#endif
