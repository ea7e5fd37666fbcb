/* config_fuzz.c - libFuzzer target for the config loaders and the Timeloop
 * YAML readers: any bytes are fed to every loader; none may crash, hang or
 * leak (pesim's own allocations).
 * Build: cmake -DPESIM_FUZZ=ON with clang (see docs/config.md), then
 *   build/fuzz/config_fuzz tests/data/config/ -max_total_time=60
 * tests/config_fuzz_test.cc runs the same entry over deterministic mutations of
 * the shipped configs in every CI run (ASan + UBSan). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pesim/config.h"
#include "pesim/timeloop.h"

int pesim_fuzz_config_one(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int pesim_fuzz_config_one(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    pesim_error e;
    pesim_network net;
    if (pesim_network_load_string(text, "fuzz", &net, &e) == PESIM_OK) pesim_network_free(&net);
    pesim_arch a;
    int have_arch = pesim_arch_load_string(text, "fuzz", &a, &e) == PESIM_OK;
    if (!have_arch) have_arch = pesim_arch_load("configs/arch/tiny.cfg", &a, &e) == PESIM_OK;
    if (have_arch) {
        pesim_mapping m;
        (void)pesim_mapping_load_string(text, "fuzz", &a, &m, &e);
    }
    /* the Timeloop readers: the text as an arch (and its ERT), a problem, and a
     * mapping of exercise 04 (its arch and problem read once) */
    pesim_arch ta;
    (void)pesim_timeloop_load_arch_string(text, "fuzz", text, "fuzz", PESIM_TL_ERT_ACTIONS, &ta, &e);
    pesim_tl_problem tp;
    (void)pesim_timeloop_load_problem_string(text, "fuzz", &tp, &e);
    static int ex_state; /* 0 not read, 1 read, -1 unreadable */
    static pesim_arch ex_arch;
    static pesim_tl_problem ex_prob;
    if (!ex_state)
        ex_state = pesim_timeloop_load_arch("tests/data/timeloop/04-model-conv1d+oc-3levelspatial/arch/"
                                            "3levelspatial.arch.yaml", NULL, PESIM_TL_ERT_MAX, &ex_arch, &e) == PESIM_OK &&
                           pesim_timeloop_load_problem("tests/data/timeloop/04-model-conv1d+oc-3levelspatial/prob/"
                                                       "conv1d+oc+ic.prob.yaml", &ex_prob, &e) == PESIM_OK
                       ? 1
                       : -1;
    if (ex_state == 1) {
        pesim_mapping m;
        (void)pesim_timeloop_load_mapping_string(text, "fuzz", &ex_arch, &ex_prob, &m, &e);
    }
    free(text);
    return 0;
}

#ifdef PESIM_LIBFUZZER
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return pesim_fuzz_config_one(data, size); }
#endif
