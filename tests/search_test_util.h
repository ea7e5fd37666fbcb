// search_test_util.h - what the search suites share: an architecture and a
// workload loaded from files, a scratch directory, a temporary file.
#ifndef PESIM_TESTS_SEARCH_TEST_UTIL_H
#define PESIM_TESTS_SEARCH_TEST_UTIL_H

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

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

#endif
