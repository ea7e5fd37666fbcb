// mapper_test.cc - the default mapper gives a valid mapping for every layer of
// every shipped workload on every shipped architecture, and the mapping it
// prints loads back unchanged.
#include <gtest/gtest.h>

#include <dirent.h>

#include <algorithm>
#include <cstdlib>
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
