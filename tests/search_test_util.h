// search_test_util.h - what the search suites share: an architecture and a
// workload loaded from files, a scratch directory, a temporary file, the
// one-sided Wilcoxon signed-rank test of paired comparisons.
#ifndef PESIM_TESTS_SEARCH_TEST_UTIL_H
#define PESIM_TESTS_SEARCH_TEST_UTIL_H

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

extern "C" {
#include "pesim/config.h"
}

// An architecture and (net_file may be NULL) a network, loaded or failing the test.
struct Loaded {
    pesim_arch arch;
    pesim_network net;
    Loaded(const char *arch_file, const char *net_file)
    {
        pesim_error e;
        memset(&net, 0, sizeof net);
        EXPECT_EQ(pesim_arch_load(arch_file, &arch, &e), PESIM_OK) << e.msg;
        if (net_file) {
            EXPECT_EQ(pesim_network_load(net_file, &net, &e), PESIM_OK) << e.msg;
        }
    }
    ~Loaded() { pesim_network_free(&net); }
    Loaded(const Loaded &) = delete;
    Loaded &operator=(const Loaded &) = delete;
    const pesim_layer *layer(const char *name) const { return &net.layers[pesim_network_find(&net, name)]; }
};

// A fresh scratch directory, removed (whatever its permissions) at the end.
struct TempDir {
    std::string path;
    explicit TempDir(const char *prefix = "pesim_search")
    {
        std::string tmpl = std::string("/tmp/") + prefix + "_XXXXXX";
        const char *p = mkdtemp(&tmpl[0]);
        EXPECT_NE(p, nullptr);
        path = p ? p : "/tmp";
    }
    ~TempDir()
    {
        chmod(path.c_str(), 0755);
        std::string cmd = "rm -rf '" + path + "'";
        if (system(cmd.c_str()) != 0) fprintf(stderr, "could not remove %s\n", path.c_str());
    }
    std::string file(const char *name) const { return path + "/" + name; }
};

// Writes text to /tmp/pesim_<pid>_<name> and returns the path (the caller removes it).
inline std::string write_temp(const std::string &name, const std::string &text)
{
    std::string path = std::string("/tmp/pesim_") + std::to_string(getpid()) + "_" + name;
    FILE *f = fopen(path.c_str(), "w");
    EXPECT_NE(f, nullptr);
    if (f) {
        fputs(text.c_str(), f);
        fclose(f);
    }
    return path;
}

// One-sided exact Wilcoxon signed-rank test that the paired differences d
// tend to be positive: P(W- <= observed W-) under the null that each
// difference's sign is a fair coin. Zeros are dropped; ties in |d| get
// their average rank. Exact: the null distribution of the (doubled, so
// integer) rank sum by dynamic programming over the differences.
inline double WilcoxonP(const std::vector<double> &d)
{
    std::vector<double> a;
    for (double v : d)
        if (v != 0) a.push_back(v);
    const size_t n = a.size();
    std::vector<size_t> idx(n);
    for (size_t i = 0; i < n; i++) idx[i] = i;
    std::sort(idx.begin(), idx.end(), [&](size_t x, size_t y) { return std::fabs(a[x]) < std::fabs(a[y]); });
    std::vector<int> rank2(n);  // twice the average rank
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j + 1 < n && std::fabs(a[idx[j + 1]]) == std::fabs(a[idx[i]])) j++;
        for (size_t k = i; k <= j; k++) rank2[idx[k]] = (int)(i + j + 2);
        i = j + 1;
    }
    int wminus = 0, total = 0;
    for (size_t i = 0; i < n; i++) {
        total += rank2[i];
        if (a[i] < 0) wminus += rank2[i];
    }
    std::vector<double> ways((size_t)total + 1, 0.0);  // ways[w]: sign patterns whose W- (doubled) is w
    ways[0] = 1;
    int reach = 0;
    for (size_t i = 0; i < n; i++) {
        for (int w = reach; w >= 0; w--)
            if (ways[(size_t)w] != 0) ways[(size_t)(w + rank2[i])] += ways[(size_t)w];
        reach += rank2[i];
    }
    double le = 0;
    for (int w = 0; w <= wminus; w++) le += ways[(size_t)w];
    return le / std::ldexp(1.0, (int)n);
}

// FNV-1a (64 bits) over n bytes, continuing from h: a golden value of a
// run (its candidates, the bits of its results).
inline uint64_t Fnv1aBytes(const void *p, size_t n, uint64_t h = 1469598103934665603ull)
{
    const unsigned char *c = (const unsigned char *)p;
    for (size_t i = 0; i < n; i++) h = (h ^ c[i]) * 1099511628211ull;
    return h;
}
// FNV-1a over a run's candidates, each value's 4 bytes least significant first.
inline uint64_t Fnv1a(const std::vector<int32_t> &v)
{
    uint64_t h = 1469598103934665603ull;
    for (int32_t x : v) {
        const unsigned char b[4] = {(unsigned char)x, (unsigned char)((uint32_t)x >> 8),
                                    (unsigned char)((uint32_t)x >> 16), (unsigned char)((uint32_t)x >> 24)};
        h = Fnv1aBytes(b, 4, h);
    }
    return h;
}

#endif
