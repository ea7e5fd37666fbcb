// mapper_test.cc - the default mapper gives a valid mapping for every layer of
// every shipped workload on every shipped architecture, and the mapping it
// prints loads back unchanged.
#include <gtest/gtest.h>

#include <dirent.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

extern "C" {
#include "pesim/config.h"
#include "pesim/model.h"
}

static std::vector<std::string> cfg_files(const std::string &dir)
{
    std::vector<std::string> out;
    std::string path = std::string(PESIM_SOURCE_DIR) + "/" + dir;
    DIR *d = opendir(path.c_str());
    if (!d) return out;
    while (dirent *e = readdir(d)) {
        std::string n = e->d_name;
        if (n.size() > 4 && n.substr(n.size() - 4) == ".cfg") out.push_back(path + "/" + n);
    }
    closedir(d);
    std::sort(out.begin(), out.end());
    return out;
}

TEST(DefaultMapper, ValidForEveryShippedLayerOnEveryShippedArch)
{
    std::vector<std::string> archs = cfg_files("configs/arch"), nets = cfg_files("workloads");
    ASSERT_GE(archs.size(), 8u);
    ASSERT_GE(nets.size(), 10u);
    long pairs = 0;
    for (const std::string &af : archs) {
        pesim_arch a;
        pesim_error e;
        ASSERT_EQ(pesim_arch_load(af.c_str(), &a, &e), PESIM_OK) << af << ": " << e.msg;
        for (const std::string &nf : nets) {
            pesim_network net;
            ASSERT_EQ(pesim_network_load(nf.c_str(), &net, &e), PESIM_OK) << nf << ": " << e.msg;
            for (int i = 0; i < net.n_layers; i++) {
                const pesim_layer &l = net.layers[i];
                if (!pesim_layer_has_macs(&l)) continue;
                pesim_mapping m;
                ASSERT_EQ(pesim_mapper_default(&a, &l, &m, &e), PESIM_OK) << af << " " << nf << " " << l.name << ": " << e.msg;
                pesim_cost c;
                ASSERT_EQ(pesim_model_evaluate(&a, &l, &m, &c), PESIM_OK);
                ASSERT_TRUE(c.valid) << af << " " << nf << " " << l.name << ": " << c.reason;
                ASSERT_EQ(c.macs, pesim_layer_macs(&l));
                pairs++;
            }
            pesim_network_free(&net);
        }
    }
    RecordProperty("pairs", (int)pairs);
    EXPECT_GT(pairs, 1000);
}

// The mapper uses the array: on the TPU-like 32x32 array a big conv runs at
// high utilization (a mapper that never unrolls would be at 1/1024).
TEST(DefaultMapper, UsesTheArray)
{
    pesim_arch a;
    pesim_network net;
    pesim_error e;
    ASSERT_EQ(pesim_arch_load(PESIM_SOURCE_DIR "/configs/arch/tpu_32x32.cfg", &a, &e), PESIM_OK) << e.msg;
    ASSERT_EQ(pesim_network_load(PESIM_SOURCE_DIR "/workloads/resnet50.cfg", &net, &e), PESIM_OK) << e.msg;
    int i = pesim_network_find(&net, "res3a_branch2b");
    ASSERT_GE(i, 0);
    pesim_mapping m;
    ASSERT_EQ(pesim_mapper_default(&a, &net.layers[i], &m, &e), PESIM_OK);
    pesim_cost c;
    pesim_model_evaluate(&a, &net.layers[i], &m, &c);
    ASSERT_TRUE(c.valid);
    EXPECT_GT(c.spatial_used, 512);
    EXPECT_GT(c.utilization, 0.3);
    pesim_network_free(&net);
}

TEST(DefaultMapper, PrintedMappingLoadsBackUnchanged)
{
    pesim_arch a;
    pesim_network net;
    pesim_error e;
    ASSERT_EQ(pesim_arch_load(PESIM_SOURCE_DIR "/configs/arch/eyeriss.cfg", &a, &e), PESIM_OK);
    ASSERT_EQ(pesim_network_load(PESIM_SOURCE_DIR "/workloads/mobilenet_v2.cfg", &net, &e), PESIM_OK);
    int n = 0;
    for (int i = 0; i < net.n_layers; i++) {
        if (!pesim_layer_has_macs(&net.layers[i])) continue;
        pesim_mapping m, back;
        ASSERT_EQ(pesim_mapper_default(&a, &net.layers[i], &m, &e), PESIM_OK);
        char *text = pesim_mapping_to_string(&m, &a, net.layers[i].name);
        ASSERT_NE(text, nullptr);
        ASSERT_EQ(pesim_mapping_load_string(text, "printed", &a, &back, &e), PESIM_OK) << e.msg << "\n" << text;
        EXPECT_EQ(memcmp(&m, &back, sizeof m), 0) << text;
        free(text);
        n++;
    }
    EXPECT_GT(n, 40);
    pesim_network_free(&net);
}

// FNV-1a over bytes, fed field by field (no struct padding).
struct Fnv {
    uint64_t h = 1469598103934665603ull;
    void bytes(const void *p, size_t n)
    {
        const unsigned char *b = (const unsigned char *)p;
        for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 1099511628211ull;
    }
    template <class T> void put(const T &v) { bytes(&v, sizeof v); }
};

// Hashes what the default mapper returns for every MAC layer of `net_files`
// on arch a (its status, error message or mapping: every factor, order and
// bypass of every level) and the model's cost of that mapping (validity
// and the bits of its cycles, energies, EDP, utilization and access counts).
static void digest_mapper(Fnv &f, const pesim_arch &a, const std::vector<std::string> &net_files, long *layers)
{
    for (const std::string &nf : net_files) {
        pesim_network net;
        pesim_error e;
        ASSERT_EQ(pesim_network_load(nf.c_str(), &net, &e), PESIM_OK) << nf << ": " << e.msg;
        for (int i = 0; i < net.n_layers; i++) {
            const pesim_layer &l = net.layers[i];
            if (!pesim_layer_has_macs(&l)) continue;
            pesim_mapping m;
            memset(&m, 0, sizeof m);
            pesim_status st = pesim_mapper_default(&a, &l, &m, &e);
            f.put((int32_t)st);
            (*layers)++;
            if (st != PESIM_OK) {
                f.bytes(e.msg, strlen(e.msg));
                continue;
            }
            f.put(m.n_levels);
            for (int lv = 0; lv < m.n_levels; lv++) {
                const pesim_level_map &lm = m.level[lv];
                f.bytes(lm.temporal, sizeof lm.temporal);
                f.bytes(lm.spatial_x, sizeof lm.spatial_x);
                f.bytes(lm.spatial_y, sizeof lm.spatial_y);
                f.bytes(lm.order, sizeof lm.order);
                f.bytes(lm.order_x, sizeof lm.order_x);
                f.bytes(lm.order_y, sizeof lm.order_y);
                f.bytes(lm.bypass, sizeof lm.bypass);
            }
            pesim_cost c;
            ASSERT_EQ(pesim_model_evaluate(&a, &l, &m, &c), PESIM_OK);
            f.put(c.valid);
            f.put(c.cycles), f.put(c.compute_cycles), f.put(c.energy_pj), f.put(c.edp_pj_cycles);
            f.put(c.utilization), f.put(c.energy_leak_pj), f.put(c.energy_noc_pj), f.put(c.spatial_used);
            for (int lv = 0; lv < m.n_levels; lv++)
                for (int t = 0; t < PESIM_NTENSORS; t++)
                    f.put(c.access[lv][t].reads), f.put(c.access[lv][t].fills), f.put(c.access[lv][t].updates);
        }
        pesim_network_free(&net);
    }
}

// The default mapper's mappings and costs, as a digest recorded from the
// mapper before its evaluations were made cheaper (the speed-ups must not
// change a single mapping or cost bit): every MAC layer of a CNN, a
// depthwise CNN and a transformer on every shipped arch, the EGRL study's
// NNP-I, a "timeloop"-conventions arch, and each of those with every bounded
// capacity cut to a quarter (the mapper's bypass and shrink paths).
TEST(DefaultMapper, SameMappingsAsRecorded)
{
    std::vector<std::string> archs = cfg_files("configs/arch");
    archs.push_back(std::string(PESIM_SOURCE_DIR) + "/tests/data/search/nnpi_small.cfg");
    archs.push_back(std::string(PESIM_SOURCE_DIR) + "/tests/data/timeloop/06-mapper-convlayer-eyeriss/pesim/arch.cfg");
    const std::vector<std::string> nets = {std::string(PESIM_SOURCE_DIR) + "/workloads/resnet50.cfg",
                                           std::string(PESIM_SOURCE_DIR) + "/workloads/mobilenet_v2.cfg",
                                           std::string(PESIM_SOURCE_DIR) + "/workloads/bert_base_128.cfg"};
    ASSERT_EQ(archs.size(), 11u);
    Fnv f;
    long layers = 0;
    std::string each; // every (arch, cut)'s own digest, to name the one that moved
    for (const std::string &af : archs) {
        pesim_arch a;
        pesim_error e;
        ASSERT_EQ(pesim_arch_load(af.c_str(), &a, &e), PESIM_OK) << af << ": " << e.msg;
        for (int cut = 0; cut < 2; cut++) {
            if (cut)
                for (int lv = 0; lv < a.n_levels - 1; lv++) {
                    if (a.level[lv].capacity_words >= 4) a.level[lv].capacity_words /= 4;
                    for (int t = 0; t < PESIM_NTENSORS; t++)
                        if (a.level[lv].tensor_capacity_words[t] >= 4) a.level[lv].tensor_capacity_words[t] /= 4;
                }
            Fnv one;
            digest_mapper(one, a, nets, &layers);
            f.put(one.h);
            char line[512];
            std::snprintf(line, sizeof line, "%s cut %d: %016llx\n", af.c_str() + strlen(PESIM_SOURCE_DIR) + 1, cut,
                          (unsigned long long)one.h);
            each += line;
        }
    }
    EXPECT_GT(layers, 2000);
    // Recorded again when PESIM_MAX_LEVELS went from 8 to 12 and the digest
    // from every level slot to the arch's levels: ba13ddc's mapper (8 slots)
    // gives this digest too.
    EXPECT_EQ(f.h, 0x95c2f55d24dbd834ull) << std::hex << f.h << "\n" << each;
}
