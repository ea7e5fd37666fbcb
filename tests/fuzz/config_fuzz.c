/* config_fuzz.c - libFuzzer target for the config loaders: any bytes are fed to
 * every loader; none may crash, hang or leak (pesim's own allocations).
 * Build: cmake -DPESIM_FUZZ=ON with clang (see docs/config.md), then
 *   build/fuzz/config_fuzz tests/data/config/ -max_total_time=60
 * tests/config_fuzz_test.cc runs the same entry over deterministic mutations of
 * the shipped configs in every CI run (ASan + UBSan). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pesim/config.h"

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
    free(text);
    return 0;
}

#ifdef PESIM_LIBFUZZER
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return pesim_fuzz_config_one(data, size); }
#endif
