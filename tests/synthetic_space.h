// synthetic_space.h - a synthetic algo_space that owns its arrays, for the
// search suites and the study drivers that test algorithms without a real
// architecture (no GoogleTest here: scripts/study_egrl_synthetic.cc uses it).
#ifndef PESIM_TESTS_SYNTHETIC_SPACE_H
#define PESIM_TESTS_SYNTHETIC_SPACE_H

#include <cstring>
#include <vector>

#include "../search/algo_impl.h"

struct SyntheticSpace {
    std::vector<int32_t> n_choices, level, dim, layer, tensor;
    std::vector<pesim_param_kind> kind;
    algo_space sp;

    // One parameter of n choices, of kind k at level lv (-1: none), of
    // layer and tensor (-1: none; they reach the space only with Get(true)).
    void Add(int32_t n, pesim_param_kind k = PESIM_PARAM_TILE, int32_t lv = -1, int32_t l = -1, int32_t t = -1)
    {
        n_choices.push_back(n);
        kind.push_back(k);
        level.push_back(lv);
        dim.push_back(-1);
        layer.push_back(l);
        tensor.push_back(t);
    }
    // The space over the parameters added so far (valid until the next Add);
    // with_layers: its layer and tensor arrays set, else NULL.
    const algo_space *Get(bool with_layers = false)
    {
        memset(&sp, 0, sizeof sp);
        sp.n = (int32_t)n_choices.size();
        sp.n_choices = n_choices.data();
        sp.kind = kind.data();
        sp.level = level.data();
        sp.dim = dim.data();
        if (with_layers) {
            sp.layer = layer.data();
            sp.tensor = tensor.data();
        }
        return &sp;
    }
};

#endif
