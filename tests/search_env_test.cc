// search_env_test.cc - the environment interface of pesim/search.h: the value
// behind each choice agrees with decoding, masks never exclude a choice that
// leads to a valid design and exclude the invalid ones once they are
// determined, per-layer results sum to the totals, the network graph and
// features, the default design as choices, violations as data.
#include <gtest/gtest.h>

#include "search_test_util.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "test_util.h"

extern "C" {
#include "pesim/config.h"
#include "pesim/model.h"
#include "pesim/search.h"
}
#include "../search/space_impl.h"  // srch_apply_hw: the brute force below

namespace {



double U01(void *ctx) { return (double)((TestRng *)ctx)->uni(0, (1 << 30) - 1) / (double)(1 << 30); }

// A space with its evaluator and cursor.
struct Env {
    pesim_space *s = nullptr;
    pesim_evaluator *ev = nullptr;
    pesim_cursor *c = nullptr;
    pesim_eval_options o;
    std::string tmp;
    ~Env()
    {
        pesim_cursor_destroy(c);
        pesim_evaluator_destroy(ev);
        pesim_space_destroy(s);
        if (!tmp.empty()) remove(tmp.c_str());
    }
    void Finish(double area_budget = 0)
    {
        memset(&o, 0, sizeof o);
        o.objective = PESIM_OBJ_EDP;
        o.area_budget_um2 = area_budget;
        pesim_error e;
        ASSERT_EQ(pesim_evaluator_create(s, nullptr, &o, &ev, &e), PESIM_OK) << e.msg;
        ASSERT_EQ(pesim_cursor_create(s, &o, &c, &e), PESIM_OK) << e.msg;
    }
    int32_t np() const { return pesim_space_n_params(s); }
    pesim_result Eval(const std::vector<int32_t> &x)
    {
        pesim_result r;
        EXPECT_EQ(pesim_evaluator_run(ev, x.data(), 1, PESIM_FIDELITY_ANALYTICAL, &r), PESIM_OK);
        return r;
    }
};

// The spaces every property below runs on.
const char *const kJoint = R"(
experiment = {
  name = "env_joint"; arch = "configs/arch/vta.cfg"; workload = "workloads/resnet18.cfg";
  layer = "res3a_branch2a"; joint = true;
  params = (
    { keys = [ "BUF.fanout_y", "BUF.fanout_x" ]; values = ( [ 8, 8 ], [ 16, 16 ], [ 32, 32 ] ); },
    { key = "BUF.spatial_x"; values = [ "K", "KN" ]; },
    { key = "BUF.tensor_capacity.inputs"; values = [ 64, 4096, 262144 ]; }
  );
};
)";

enum SpaceKind { kLayer, kLayerSeq, kLayerDim, kNetwork, kJointSpace, kPlacement, kKinds };

void Make(Env &env, SpaceKind k, Loaded &eyeriss, Loaded &small)
{
    pesim_error e;
    pesim_space_options o;
    memset(&o, 0, sizeof o);
    switch (k) {
    case kLayer:
        ASSERT_EQ(pesim_space_mapping(&eyeriss.arch, eyeriss.layer("res2a_branch2b"), &env.s, &e), PESIM_OK) << e.msg;
        break;
    case kLayerSeq:
        o.order = PESIM_ORDER_SEQUENCE;
        ASSERT_EQ(pesim_space_mapping_opt(&eyeriss.arch, eyeriss.layer("res2a_branch2b"), &o, &env.s, &e), PESIM_OK);
        break;
    case kLayerDim:
        o.spatial = PESIM_SPATIAL_DIM_FACTOR;
        ASSERT_EQ(pesim_space_mapping_opt(&eyeriss.arch, eyeriss.layer("res2a_branch2b"), &o, &env.s, &e), PESIM_OK);
        break;
    case kNetwork:
        ASSERT_EQ(pesim_space_network(&small.arch, &small.net, &env.s, &e), PESIM_OK) << e.msg;
        break;
    case kJointSpace:
        env.tmp = write_temp("joint.cfg", kJoint);
        ASSERT_EQ(pesim_space_from_experiment(env.tmp.c_str(), nullptr, nullptr, 0, &env.s, &e), PESIM_OK) << e.msg;
        break;
    case kPlacement: {
        ASSERT_EQ(pesim_space_placement(&small.arch, &small.net, &env.s, &e), PESIM_OK) << e.msg;
        break;
    }
    default: break;
    }
    env.Finish(k == kJointSpace ? 1.8e6 : 0); // between the smallest and the largest estimated areas
}

const char *Name(SpaceKind k)
{
    static const char *const n[] = {"layer", "layer-sequence", "layer-dim", "network", "joint", "placement"};
    return n[k];
}

// A candidate of the masked step decode that the evaluator says is valid
// (up to `tries` draws); empty when none was.
std::vector<int32_t> ValidDesign(Env &env, TestRng &rng, int tries = 200)
{
    std::vector<int32_t> x((size_t)env.np());
    for (int t = 0; t < tries; t++) {
        pesim_cursor_reset(env.c);
        EXPECT_EQ(pesim_cursor_sample(env.c, U01, &rng, x.data()), 0);
        if (env.Eval(x).valid) return x;
    }
    return {};
}

}  // namespace

// ---- the value behind each choice agrees with decoding -------------------------

// The dims of order[0..n) whose temporal factor at level lm is past 1, in order.
static std::string NontrivialOrder(const pesim_level_map &lm, const uint8_t *order, int n)
{
    std::string s;
    for (int i = 0; i < n; i++)
        if (lm.temporal[order[i]] > 1) s += pesim_dim_name((pesim_dim)order[i]);
    return s;
}

TEST(SearchEnv, ChoiceValuesAgreeWithDecoding)
{
    Loaded eyeriss("configs/arch/eyeriss.cfg", "workloads/resnet50.cfg");
    Loaded small("tests/data/cli/tiny_arch.cfg", "tests/data/cli/small.cfg");
    TestRng rng(5);
    for (int k = 0; k < kKinds; k++) {
        Env env;
        Make(env, (SpaceKind)k, eyeriss, small);
        const int32_t np = env.np();
        std::vector<int32_t> base((size_t)np, 0);
        int checked = 0;
        for (int32_t p = 0; p < np; p++) {
            const pesim_param *pp = pesim_space_param(env.s, p);
            pesim_choice_value v;
            EXPECT_EQ(pesim_space_choice_value(env.s, p, pp->n_choices, nullptr, &v), 0) << "out of range";
            int64_t prev = 0;
            for (int32_t c = 0; c < pp->n_choices; c++) {
                // sequence orders: random earlier positions, the value depends on them
                std::vector<int32_t> x = base;
                if (pp->kind == PESIM_PARAM_ORDER_POS)
                    for (int32_t q = 0; q < np; q++) {
                        const pesim_param *qq = pesim_space_param(env.s, q);
                        if (qq->kind == PESIM_PARAM_ORDER_POS && qq->level == pp->level && qq->layer == pp->layer)
                            x[(size_t)q] = (int32_t)rng.uni(0, qq->n_choices - 1);
                    }
                if (pp->kind == PESIM_PARAM_SPATIAL_DIM) // a factor of 2 on the dim chosen
                    for (int32_t q = 0; q < np; q++) {
                        const pesim_param *qq = pesim_space_param(env.s, q);
                        if (qq->kind == PESIM_PARAM_SPATIAL_FACTOR && qq->level == pp->level && qq->axis == pp->axis &&
                            qq->layer == pp->layer)
                            x[(size_t)q] = 1;
                    }
                x[(size_t)p] = c;
                ASSERT_EQ(pesim_space_choice_value(env.s, p, c, x.data(), &v), 1);
                EXPECT_EQ(v.kind, pp->kind);
                EXPECT_STRNE(v.text, "") << pp->name;
                pesim_design d;
                char why[PESIM_REASON_MAX];
                if (!pesim_space_decode(env.s, x.data(), &d, why, sizeof why)) continue; // over a fan-out
                int mi = -1;
                for (int32_t i = 0; i < pesim_space_n_layers(env.s); i++)
                    if (pp->layer >= 0 &&
                        pesim_space_layer(env.s, i) == &pesim_space_network_of(env.s)->layers[pp->layer])
                        mi = i;
                const pesim_level_map *lm = mi >= 0 && pp->level >= 0 ? &d.mappings[mi].level[pp->level] : nullptr;
                checked++;
                switch (pp->kind) {
                case PESIM_PARAM_TILE:
                    EXPECT_EQ(lm->temporal[pp->dim], v.factor) << pp->name << " choice " << c;
                    EXPECT_EQ(v.number, (double)v.factor);
                    EXPECT_GT(v.factor, prev) << "tile values ascend";
                    prev = v.factor;
                    break;
                case PESIM_PARAM_SPATIAL_FACTOR:
                    if (pp->dim >= 0) {
                        EXPECT_EQ((pp->axis ? lm->spatial_y : lm->spatial_x)[pp->dim], v.factor) << pp->name;
                    }
                    EXPECT_EQ(v.factor, c + 1);
                    break;
                case PESIM_PARAM_SPATIAL_DIM:
                    if (v.dim >= 0) {
                        EXPECT_EQ((pp->axis ? lm->spatial_y : lm->spatial_x)[v.dim], 2) << pp->name;
                    } else {
                        EXPECT_EQ(c, 0);
                    }
                    break;
                case PESIM_PARAM_BYPASS:
                    EXPECT_EQ(lm->bypass[pp->tensor], (uint8_t)v.number) << pp->name;
                    break;
                case PESIM_PARAM_ORDER:
                    // the decoded mapping is canonical: loops of trip count 1 move to the
                    // end, the others keep the order the choice says
                    EXPECT_EQ(NontrivialOrder(*lm, lm->order, PESIM_NDIMS), NontrivialOrder(*lm, v.perm, v.n_perm))
                        << pp->name;
                    break;
                case PESIM_PARAM_ORDER_POS: {
                    EXPECT_EQ(v.n_perm, pp->pos + 1);
                    std::string got = NontrivialOrder(*lm, lm->order, PESIM_NDIMS);
                    std::string want = NontrivialOrder(*lm, v.perm, v.n_perm);
                    EXPECT_EQ(got.substr(0, want.size()), want) << pp->name;
                    EXPECT_EQ(v.dim, v.perm[pp->pos]);
                    break;
                }
                case PESIM_PARAM_HARDWARE: {
                    char buf[64];
                    ASSERT_EQ(pesim_space_hw_value(env.s, p, 0, c, buf, sizeof buf), 1);
                    EXPECT_EQ(std::string(v.text).substr(0, strlen(buf)), buf);
                    if (!std::isnan(v.number)) {
                        EXPECT_EQ(v.number, strtod(buf, nullptr));
                    }
                    break;
                }
                case PESIM_PARAM_PLACEMENT: {
                    const pesim_placement &pl = d.placement;
                    int32_t lvl = pp->tensor == PESIM_WEIGHTS ? pl.weights_level[pp->layer] : pl.outputs_level[pp->layer];
                    EXPECT_EQ(lvl, v.level) << pp->name;
                    EXPECT_STREQ(v.text, d.arch.level[v.level].name);
                    break;
                }
                default: break;
                }
                EXPECT_EQ(pesim_param_group_of(pp->kind),
                          pp->kind == PESIM_PARAM_HARDWARE     ? PESIM_GROUP_HARDWARE
                          : pp->kind == PESIM_PARAM_PLACEMENT  ? PESIM_GROUP_PLACEMENT
                          : pp->kind == PESIM_PARAM_ORDER || pp->kind == PESIM_PARAM_ORDER_POS ||
                                  pp->kind == PESIM_PARAM_BYPASS
                              ? PESIM_GROUP_SCHEDULE
                              : PESIM_GROUP_TILING);
            }
        }
        EXPECT_GT(checked, np) << Name((SpaceKind)k);
    }
}

// ---- masks -------------------------------------------------------------------

// Sound: for valid designs, with any subset of their choices made, no mask
// excludes the design's own choice of an unmade parameter.
TEST(SearchEnv, MasksNeverExcludeAValidDesign)
{
    Loaded eyeriss("configs/arch/eyeriss.cfg", "workloads/resnet50.cfg");
    Loaded small("tests/data/cli/tiny_arch.cfg", "tests/data/cli/small.cfg");
    TestRng rng(17);
    for (int k = 0; k < kKinds; k++) {
        Env env;
        Make(env, (SpaceKind)k, eyeriss, small);
        const int32_t np = env.np();
        std::vector<uint8_t> mask(4096);
        int designs = 0, checks = 0;
        for (int t = 0; t < 12; t++) {
            // valid designs from the masks, and from uniform random candidates
            std::vector<int32_t> x = t % 2 ? ValidDesign(env, rng) : std::vector<int32_t>();
            if (x.empty()) {
                std::vector<int32_t> y((size_t)np);
                for (int tries = 0; tries < 3000 && x.empty(); tries++) {
                    for (int32_t i = 0; i < np; i++)
                        y[(size_t)i] = (int32_t)rng.uni(0, pesim_space_param(env.s, i)->n_choices - 1);
                    if (env.Eval(y).valid) x = y;
                }
            }
            if (x.empty()) continue;
            designs++;
            for (int rep = 0; rep < 4; rep++) {
                pesim_cursor_reset(env.c);
                int keep_pct = (int)rng.uni(0, 100);
                for (int32_t i = 0; i < np; i++)
                    if ((int)rng.uni(0, 99) < keep_pct) {
                        ASSERT_EQ(pesim_cursor_set(env.c, i, x[(size_t)i]), PESIM_OK);
                    }
                for (int32_t p = 0; p < np; p++) {
                    if (pesim_cursor_get(env.c, p) >= 0) continue;
                    ASSERT_LE(pesim_space_param(env.s, p)->n_choices, (int32_t)mask.size());
                    int32_t allowed = pesim_cursor_mask(env.c, p, mask.data(), nullptr);
                    ASSERT_EQ(mask[(size_t)x[(size_t)p]], 1)
                        << Name((SpaceKind)k) << ": " << pesim_space_param(env.s, p)->name << " choice " << x[(size_t)p]
                        << " of a valid design excluded";
                    EXPECT_GE(allowed, 1);
                    checks++;
                }
            }
        }
        EXPECT_GE(designs, 4) << Name((SpaceKind)k);
        EXPECT_GT(checks, 0) << Name((SpaceKind)k);
    }
}

// Exact once determined: with every other parameter chosen, a choice is
// excluded exactly when the evaluator finds it invalid for a masked reason
// (capacity, fan-out, spatial dim, area, placement, structure); what masks do
// not cover (unsupported shapes, power, the default mapper) is never excluded.
TEST(SearchEnv, MasksExcludeTheInvalidOnceDetermined)
{
    Loaded eyeriss("configs/arch/eyeriss.cfg", "workloads/resnet50.cfg");
    Loaded small("tests/data/cli/tiny_arch.cfg", "tests/data/cli/small.cfg");
    TestRng rng(23);
    for (int k = 0; k < kKinds; k++) {
        Env env;
        Make(env, (SpaceKind)k, eyeriss, small);
        const int32_t np = env.np();
        std::vector<uint8_t> mask(4096);
        std::vector<pesim_violation> why(4096);
        int excluded = 0, allowed_invalid = 0, total = 0;
        for (int t = 0; t < 6; t++) {
            std::vector<int32_t> x((size_t)np);
            if (t % 2) {
                x = ValidDesign(env, rng);
                if (x.empty()) continue;
            } else {
                for (int32_t i = 0; i < np; i++)
                    x[(size_t)i] = (int32_t)rng.uni(0, pesim_space_param(env.s, i)->n_choices - 1);
            }
            for (int32_t p = 0; p < np; p += 1 + (int32_t)rng.uni(0, 2)) {
                pesim_cursor_reset(env.c);
                for (int32_t i = 0; i < np; i++)
                    if (i != p) pesim_cursor_set(env.c, i, x[(size_t)i]);
                pesim_cursor_mask(env.c, p, mask.data(), why.data());
                std::vector<int32_t> y = x;
                for (int32_t c = 0; c < pesim_space_param(env.s, p)->n_choices; c++) {
                    y[(size_t)p] = c;
                    pesim_result r = env.Eval(y);
                    const pesim_violation_kind vk = r.violation.kind;
                    const bool masked_kind = vk == PESIM_VIOLATION_CAPACITY || vk == PESIM_VIOLATION_FANOUT ||
                                             vk == PESIM_VIOLATION_SPATIAL_DIM || vk == PESIM_VIOLATION_AREA ||
                                             vk == PESIM_VIOLATION_PLACEMENT || vk == PESIM_VIOLATION_STRUCTURE;
                    total++;
                    if (!mask[(size_t)c]) {
                        excluded++;
                        EXPECT_FALSE(r.valid) << Name((SpaceKind)k) << " " << pesim_space_param(env.s, p)->name
                                              << " choice " << c << " excluded but valid";
                        EXPECT_TRUE(masked_kind) << r.reason;
                        const pesim_violation_kind wk = why[(size_t)c].kind;
                        EXPECT_TRUE(wk == PESIM_VIOLATION_CAPACITY || wk == PESIM_VIOLATION_FANOUT ||
                                    wk == PESIM_VIOLATION_SPATIAL_DIM || wk == PESIM_VIOLATION_AREA ||
                                    wk == PESIM_VIOLATION_PLACEMENT || wk == PESIM_VIOLATION_STRUCTURE)
                            << pesim_violation_name(wk);
                        if (k == kLayer || k == kLayerSeq || k == kLayerDim) { /* the first one found */
                            EXPECT_EQ(wk, vk) << r.reason;
                            if (vk == PESIM_VIOLATION_CAPACITY) {
                                EXPECT_EQ(why[(size_t)c].level, r.violation.level) << r.reason;
                            }
                        }
                    } else if (!r.valid) {
                        allowed_invalid++;
                        EXPECT_FALSE(masked_kind) << Name((SpaceKind)k) << " " << pesim_space_param(env.s, p)->name
                                                  << " choice " << c << " allowed but: " << r.reason;
                    }
                }
            }
        }
        EXPECT_GT(total, 0);
        if (k != kPlacement) {
            EXPECT_GT(excluded, 0) << Name((SpaceKind)k) << ": nothing was excluded, the test shows nothing";
        }
        RecordProperty(Name((SpaceKind)k), excluded);
    }
}

// The step decode: next() walks the parameters in order; set() checks
// ranges; sampling makes every choice; a fixed arch over the area budget
// leaves nothing allowed.
TEST(SearchEnv, CursorStepDecode)
{
    Loaded eyeriss("configs/arch/eyeriss.cfg", "workloads/resnet50.cfg");
    Loaded small("tests/data/cli/tiny_arch.cfg", "tests/data/cli/small.cfg");
    Env env;
    Make(env, kLayer, eyeriss, small);
    const int32_t np = env.np();
    EXPECT_EQ(pesim_cursor_next(env.c), 0);
    EXPECT_EQ(pesim_cursor_set(env.c, 0, pesim_space_param(env.s, 0)->n_choices), PESIM_ERR_RANGE);
    EXPECT_EQ(pesim_cursor_set(env.c, np, 0), PESIM_ERR_RANGE);
    std::vector<uint8_t> mask(4096);
    TestRng rng(3);
    for (int32_t p = pesim_cursor_next(env.c); p < np; p = pesim_cursor_next(env.c)) {
        int32_t n = pesim_cursor_mask(env.c, p, mask.data(), nullptr);
        ASSERT_GT(n, 0) << pesim_space_param(env.s, p)->name;
        int32_t pick = (int32_t)rng.uni(0, n - 1), c = 0;
        for (; c < pesim_space_param(env.s, p)->n_choices; c++)
            if (mask[(size_t)c] && pick-- == 0) break;
        ASSERT_EQ(pesim_cursor_set(env.c, p, c), PESIM_OK);
    }
    std::vector<int32_t> x((size_t)np);
    EXPECT_EQ(pesim_cursor_sample(env.c, U01, &rng, x.data()), 0);  // all made: it copies them
    for (int32_t i = 0; i < np; i++) EXPECT_EQ(x[(size_t)i], pesim_cursor_get(env.c, i));
    pesim_result r = env.Eval(x);
    EXPECT_TRUE(r.valid || r.violation.kind == PESIM_VIOLATION_UNSUPPORTED) << r.reason;
    // over the area budget: nothing allowed, why says so
    pesim_cursor *tight = nullptr;
    pesim_eval_options o = env.o;
    o.area_budget_um2 = 1;
    pesim_error e;
    ASSERT_EQ(pesim_cursor_create(env.s, &o, &tight, &e), PESIM_OK);
    std::vector<pesim_violation> why(4096);
    EXPECT_EQ(pesim_cursor_mask(tight, 0, mask.data(), why.data()), 0);
    EXPECT_EQ(why[0].kind, PESIM_VIOLATION_AREA);
    EXPECT_GT(why[0].amount, why[0].limit);
    pesim_cursor_destroy(tight);
    pesim_cursor_destroy(nullptr);
}

// Under an area budget a hardware choice is masked out when no completion of
// the other hardware parameters fits it: the area look-ahead. The joint space's
// largest array (32 x 32) is over the budget with every input capacity, so the
// masked decode never picks it, and a budget the smallest 32 x 32 design fits
// allows it again.
TEST(SearchEnv, AreaBudgetLooksAheadOverTheOtherHardwareChoices)
{
    Loaded eyeriss("configs/arch/eyeriss.cfg", "workloads/resnet50.cfg");
    Loaded small("tests/data/cli/tiny_arch.cfg", "tests/data/cli/small.cfg");
    Env env;
    Make(env, kJointSpace, eyeriss, small);
    ASSERT_EQ(std::string(pesim_space_param(env.s, 0)->name).find("fanout") != std::string::npos, true);
    // the smallest area of each array shape over the other hardware choices
    std::vector<double> least(3, 1e300);
    std::vector<int32_t> x((size_t)env.np());
    pesim_eval_options none = env.o;
    none.area_budget_um2 = 0;
    pesim_cursor *free_c = nullptr;
    pesim_error e;
    ASSERT_EQ(pesim_cursor_create(env.s, &none, &free_c, &e), PESIM_OK);
    for (int32_t f = 0; f < 3; f++)
        for (int32_t sx = 0; sx < 2; sx++)
            for (int32_t cap = 0; cap < 3; cap++) {
                pesim_cursor_reset(free_c);
                pesim_cursor_set(free_c, 0, f), pesim_cursor_set(free_c, 1, sx), pesim_cursor_set(free_c, 2, cap);
                TestRng rng(1);
                ASSERT_EQ(pesim_cursor_sample(free_c, U01, &rng, x.data()), 0);
                pesim_result r = env.Eval(x);  // the budget applies to the area the evaluator reports
                least[(size_t)f] = std::min(least[(size_t)f], r.area_um2);
            }
    pesim_cursor_destroy(free_c);
    ASSERT_LT(least[0], least[2]);
    for (double budget : {least[2] * 0.999, least[2] * 1.001}) {
        pesim_eval_options o = env.o;
        o.area_budget_um2 = budget;
        pesim_cursor *c = nullptr;
        ASSERT_EQ(pesim_cursor_create(env.s, &o, &c, &e), PESIM_OK);
        std::vector<uint8_t> mask(3);
        std::vector<pesim_violation> why(3);
        int32_t n = pesim_cursor_mask(c, 0, mask.data(), why.data());
        const bool fits = budget > least[2];
        EXPECT_EQ(n, fits ? 3 : 2) << budget;
        EXPECT_EQ(mask[2], fits ? 1 : 0);
        if (!fits) {
            EXPECT_EQ(why[2].kind, PESIM_VIOLATION_AREA);
            EXPECT_NEAR(why[2].amount, least[2], 1e-6 * least[2]);  // the least area it could have
        }
        TestRng rng(7);
        for (int t = 0; t < 20; t++) {  // the masked decode never ends over the budget
            pesim_cursor_reset(c);
            ASSERT_EQ(pesim_cursor_sample(c, U01, &rng, x.data()), 0);
            EXPECT_LE(env.Eval(x).area_um2, budget);
        }
        pesim_cursor_destroy(c);
    }
}

// The area look-ahead answers a known prefix of the hardware parameters (the
// step decode's case) from a table of least areas and any other known set by a
// scan: both must equal the brute force over every completion. A mask under a
// budget is the mask without one and "some completion fits the budget".
TEST(SearchEnv, AreaLookAheadEqualsTheBruteForceForEveryKnownSet)
{
    Loaded eyeriss("configs/arch/eyeriss.cfg", "workloads/resnet50.cfg");
    Loaded small("tests/data/cli/tiny_arch.cfg", "tests/data/cli/small.cfg");
    Env env;
    Make(env, kJointSpace, eyeriss, small);
    const pesim_space *s = env.s;
    const int32_t nh = s->n_hw;
    ASSERT_EQ(nh, 3);
    std::vector<int32_t> radix((size_t)nh);
    int32_t designs = 1;
    for (int32_t i = 0; i < nh; i++) designs *= radix[(size_t)i] = pesim_space_param(s, i)->n_choices;
    std::vector<double> area((size_t)designs);  // -1: not a valid arch
    std::vector<int32_t> x((size_t)env.np(), 0), digit((size_t)nh);
    std::vector<double> sorted;
    for (int32_t k = 0; k < designs; k++) {
        for (int32_t i = 0, r = k; i < nh; i++) digit[(size_t)i] = r % radix[(size_t)i], r /= radix[(size_t)i];
        std::copy(digit.begin(), digit.end(), x.begin());
        pesim_arch a = s->arch;
        area[(size_t)k] = srch_apply_hw(s, x.data(), &a, NULL, 0, NULL) ? pesim_arch_area_um2(&a) : -1;
        if (area[(size_t)k] >= 0) sorted.push_back(area[(size_t)k]);
    }
    std::sort(sorted.begin(), sorted.end());
    ASSERT_GE(sorted.size(), 4u);
    pesim_error e;
    pesim_eval_options none = env.o;
    none.area_budget_um2 = 0;
    pesim_cursor *free_c = nullptr;
    ASSERT_EQ(pesim_cursor_create(s, &none, &free_c, &e), PESIM_OK);
    int bites = 0, cases = 0;
    for (double budget : {sorted[sorted.size() / 4], sorted[sorted.size() / 2]}) {
        pesim_eval_options o = env.o;
        o.area_budget_um2 = budget;
        pesim_cursor *c = nullptr;
        ASSERT_EQ(pesim_cursor_create(s, &o, &c, &e), PESIM_OK);
        // every parameter p, every set of the others known (a value each, or -1)
        for (int32_t p = 0; p < nh; p++) {
            int32_t sets = 1;
            for (int32_t i = 0; i < nh; i++) sets *= i == p ? 1 : radix[(size_t)i] + 1;
            for (int32_t t = 0; t < sets; t++) {
                std::vector<int32_t> known((size_t)nh, -1);
                for (int32_t i = 0, r = t; i < nh; i++)
                    if (i != p) known[(size_t)i] = r % (radix[(size_t)i] + 1) - 1, r /= radix[(size_t)i] + 1;
                pesim_cursor_reset(c), pesim_cursor_reset(free_c);
                for (int32_t i = 0; i < nh; i++) {
                    ASSERT_EQ(pesim_cursor_set(c, i, known[(size_t)i]), PESIM_OK);
                    ASSERT_EQ(pesim_cursor_set(free_c, i, known[(size_t)i]), PESIM_OK);
                }
                std::vector<uint8_t> got((size_t)radix[(size_t)p]), unbudgeted((size_t)radix[(size_t)p]);
                pesim_cursor_mask(c, p, got.data(), NULL);
                pesim_cursor_mask(free_c, p, unbudgeted.data(), NULL);
                for (int32_t v = 0; v < radix[(size_t)p]; v++) {
                    bool fits = false;
                    for (int32_t k = 0; k < designs && !fits; k++) {
                        bool match = true;
                        for (int32_t i = 0, r = k; i < nh; i++) {
                            int32_t want = i == p ? v : known[(size_t)i];
                            match &= want < 0 || r % radix[(size_t)i] == want;
                            r /= radix[(size_t)i];
                        }
                        fits = match && area[(size_t)k] >= 0 && area[(size_t)k] <= budget;
                    }
                    EXPECT_EQ(got[(size_t)v], (uint8_t)(unbudgeted[(size_t)v] && fits))
                        << "budget " << budget << " param " << p << " set " << t << " choice " << v;
                    bites += unbudgeted[(size_t)v] && !fits;
                    cases++;
                }
            }
        }
        pesim_cursor_destroy(c);
    }
    pesim_cursor_destroy(free_c);
    EXPECT_GT(bites, 0);  // the budget does mask some choices
    EXPECT_GT(cases, bites);
}

// ---- structured results ----------------------------------------------------------

// Per-layer results sum to the totals, and equal what the run gives.
TEST(SearchEnv, PerLayerResultsSumToTheTotals)
{
    Loaded eyeriss("configs/arch/eyeriss.cfg", "workloads/resnet50.cfg");
    Loaded small("tests/data/cli/tiny_arch.cfg", "tests/data/cli/small.cfg");
    TestRng rng(31);
    for (SpaceKind k : {kNetwork, kPlacement, kJointSpace, kLayer}) {
        Env env;
        Make(env, k, eyeriss, small);
        const int32_t nl = pesim_space_n_layers(env.s), np = env.np();
        int valid = 0;
        for (int t = 0; t < 10; t++) {
            std::vector<int32_t> x = t < 6 ? ValidDesign(env, rng) : std::vector<int32_t>();
            if (x.empty()) {
                x.resize((size_t)np);
                for (int32_t i = 0; i < np; i++)
                    x[(size_t)i] = (int32_t)rng.uni(0, pesim_space_param(env.s, i)->n_choices - 1);
            }
            std::vector<pesim_cost> costs((size_t)nl);
            pesim_result d, r;
            ASSERT_EQ(pesim_evaluator_run_detail(env.ev, x.data(), 1, PESIM_FIDELITY_ANALYTICAL, &d, costs.data()),
                      PESIM_OK);
            ASSERT_EQ(pesim_evaluator_run(env.ev, x.data(), 1, PESIM_FIDELITY_ANALYTICAL, &r), PESIM_OK);
            EXPECT_EQ(d.valid, r.valid);
            EXPECT_EQ(d.objective, r.objective);
            EXPECT_EQ(d.violation.kind, r.violation.kind);
            EXPECT_STREQ(d.reason, r.reason);
            if (!d.valid) {
                int bad = 0;
                for (const pesim_cost &c : costs) bad += !c.valid;
                EXPECT_GT(bad, 0) << "an invalid design has an invalid layer";
                continue;
            }
            valid++;
            int64_t cycles = 0;
            double energy = 0;
            for (int32_t i = 0; i < nl; i++) {
                const pesim_cost &c = costs[(size_t)i];
                ASSERT_TRUE(c.valid) << c.reason;
                cycles += c.cycles;
                energy += c.energy_pj;
                int64_t accesses = 0;
                for (int lv = 0; lv < PESIM_MAX_LEVELS; lv++)
                    for (int tt = 0; tt < PESIM_NTENSORS; tt++) accesses += c.access[lv][tt].reads;
                EXPECT_GT(accesses, 0);
                EXPECT_EQ(c.macs, pesim_layer_macs(pesim_space_layer(env.s, i)));
                int64_t stalls = 0;
                for (int st = 0; st < PESIM_STALL_COUNT; st++) stalls += c.stall_cycles[st];
                EXPECT_GE(c.cycles, c.compute_cycles);
                EXPECT_GE(stalls, 0);
            }
            EXPECT_EQ(cycles, d.cycles) << Name(k);
            EXPECT_NEAR(energy, d.energy_pj, 1e-9 * d.energy_pj) << Name(k); // summed in another order
        }
        EXPECT_GT(valid, 0) << Name(k);
    }
}

// An invalid result says why as data, the same as its reason says in words.
TEST(SearchEnv, ViolationsAsData)
{
    Loaded eyeriss("configs/arch/eyeriss.cfg", "workloads/resnet50.cfg");
    Loaded small("tests/data/cli/tiny_arch.cfg", "tests/data/cli/small.cfg");
    TestRng rng(41);
    int seen[PESIM_VIOLATION_KIND_COUNT] = {0};
    for (SpaceKind k : {kLayer, kNetwork, kJointSpace, kPlacement}) {
        Env env;
        Make(env, k, eyeriss, small);
        const int32_t np = env.np();
        const pesim_network *net = pesim_space_network_of(env.s);
        for (int t = 0; t < 400; t++) {
            std::vector<int32_t> x((size_t)np);
            for (int32_t i = 0; i < np; i++)
                x[(size_t)i] = (int32_t)rng.uni(0, pesim_space_param(env.s, i)->n_choices - 1);
            pesim_result r = env.Eval(x);
            if (r.valid) {
                EXPECT_EQ(r.violation.kind, PESIM_VIOLATION_NONE);
                continue;
            }
            const pesim_violation &v = r.violation;
            seen[v.kind]++;
            EXPECT_NE(v.kind, PESIM_VIOLATION_NONE) << r.reason;
            std::string reason = r.reason;
            if (v.layer >= 0 && net->n_layers > 1 && v.kind != PESIM_VIOLATION_PLACEMENT) {
                EXPECT_NE(reason.find(net->layers[v.layer].name), std::string::npos) << reason;
            }
            switch (v.kind) {
            case PESIM_VIOLATION_CAPACITY:
                ASSERT_GE(v.level, 0);
                EXPECT_NE(reason.find("capacity exceeded at "), std::string::npos) << reason;
                EXPECT_NE(reason.find(pesim_space_arch(env.s)->level[v.level].name), std::string::npos) << reason;
                EXPECT_GT(v.amount, v.limit) << reason;
                if (v.tensor >= 0) {
                    EXPECT_NE(reason.find(pesim_tensor_name((pesim_tensor)v.tensor)), std::string::npos) << reason;
                }
                break;
            case PESIM_VIOLATION_FANOUT:
            case PESIM_VIOLATION_AREA:
            case PESIM_VIOLATION_PLACEMENT:
                EXPECT_GT(v.amount, v.limit) << reason;
                break;
            default: break;
            }
        }
    }
    EXPECT_GT(seen[PESIM_VIOLATION_CAPACITY], 0);
    EXPECT_GT(seen[PESIM_VIOLATION_FANOUT], 0);
    EXPECT_GT(seen[PESIM_VIOLATION_AREA], 0);
}

// ---- context features ---------------------------------------------------------------

TEST(SearchEnv, GraphAndFeatures)
{
    Loaded small("tests/data/cli/tiny_arch.cfg", "tests/data/cli/small.cfg");
    pesim_space *s = nullptr;
    pesim_error e;
    ASSERT_EQ(pesim_space_placement(&small.arch, &small.net, &s, &e), PESIM_OK) << e.msg;
    pesim_graph g;
    pesim_space_graph(s, &g);
    ASSERT_EQ(g.n_nodes, small.net.n_layers);
    int edges = 0;
    for (int32_t j = 0; j < small.net.n_layers; j++) edges += small.net.layers[j].n_inputs;
    ASSERT_EQ(g.n_edges, edges);
    for (int32_t i = 0; i < g.n_edges; i++) {
        const pesim_graph_edge &ed = g.edges[i];
        const pesim_layer &dst = small.net.layers[ed.dst];
        EXPECT_EQ(dst.inputs[ed.slot] < 0 ? -1 : dst.inputs[ed.slot], ed.src);
        if (ed.src >= 0) {
            EXPECT_EQ(ed.words, pesim_layer_output_words(&small.net.layers[ed.src]));
            EXPECT_GE(g.nodes[ed.src].last_use, ed.dst) << "a tensor lives until its last consumer";
            EXPECT_EQ(ed.lifetime, g.nodes[ed.src].last_use - ed.src);
        }
    }
    for (int32_t j = 0; j < g.n_nodes; j++) {
        const pesim_graph_node &n = g.nodes[j];
        const pesim_layer &l = small.net.layers[j];
        EXPECT_EQ(n.layer, j);
        EXPECT_EQ(n.op, l.op);
        EXPECT_EQ(n.macs, pesim_layer_macs(&l));
        EXPECT_EQ(n.output_words, pesim_layer_output_words(&l));
        EXPECT_EQ(n.mac >= 0, pesim_layer_has_macs(&l) != 0);
        if (n.mac >= 0) {
            EXPECT_EQ(pesim_space_layer(s, n.mac), &pesim_space_network_of(s)->layers[j]);
        }
        std::vector<double> f(PESIM_NODE_FEATURES, -7);
        EXPECT_EQ(pesim_space_node_features(s, j, f.data(), (int32_t)f.size()), PESIM_NODE_FEATURES);
        for (int d = 0; d < PESIM_NDIMS; d++) EXPECT_DOUBLE_EQ(f[(size_t)d], std::log2((double)l.dim[d]));
        EXPECT_EQ(f[16 + l.op], 1.0);
        EXPECT_STREQ(pesim_feature_name(PESIM_FEATURES_NODE, 16 + l.op), (std::string("op_") + pesim_op_name(l.op)).c_str());
    }
    std::vector<double> ef(PESIM_EDGE_FEATURES);
    EXPECT_EQ(pesim_space_edge_features(s, 0, ef.data(), (int32_t)ef.size()), PESIM_EDGE_FEATURES);
    std::vector<double> af(PESIM_ARCH_FEATURES);
    EXPECT_EQ(pesim_arch_features(pesim_space_arch(s), af.data(), (int32_t)af.size()), PESIM_ARCH_FEATURES);
    EXPECT_EQ(af[3], small.arch.n_levels);
    EXPECT_EQ(af[4 + 1], std::log2((double)small.arch.level[0].fanout_x));
    EXPECT_STREQ(pesim_feature_name(PESIM_FEATURES_ARCH, 4 + PESIM_ARCH_LEVEL_FEATURES + 1), "l1_log2_fanout_x");
    EXPECT_EQ(pesim_feature_name(PESIM_FEATURES_ARCH, PESIM_ARCH_FEATURES), nullptr);
    // placement parameters name their layer (a node) and tensor
    for (int32_t i = 0; i < pesim_space_n_params(s); i++) {
        const pesim_param *p = pesim_space_param(s, i);
        EXPECT_EQ(p->kind, PESIM_PARAM_PLACEMENT);
        EXPECT_GE(p->layer, 0);
        EXPECT_TRUE(p->tensor == PESIM_WEIGHTS || p->tensor == PESIM_OUTPUTS);
    }
    pesim_space_destroy(s);
}

// The default design is in the space (the mapper's mapping of each layer).
TEST(SearchEnv, DefaultChoicesAreTheMappersMapping)
{
    const char *archs[] = {"configs/arch/eyeriss.cfg", "configs/arch/tpu_32x32.cfg", "configs/arch/simba.cfg"};
    for (const char *af : archs) {
        Loaded x(af, "workloads/resnet50.cfg");
        const pesim_layer *l = x.layer("res2a_branch2b");
        pesim_space *s = nullptr;
        pesim_error e;
        ASSERT_EQ(pesim_space_mapping(&x.arch, l, &s, &e), PESIM_OK) << e.msg;
        std::vector<int32_t> c((size_t)pesim_space_n_params(s));
        ASSERT_EQ(pesim_space_default_choices(s, c.data()), 1) << af;
        pesim_design d;
        ASSERT_EQ(pesim_space_decode(s, c.data(), &d, nullptr, 0), 1);
        pesim_mapping m;
        ASSERT_EQ(pesim_mapper_default(&x.arch, l, &m, &e), PESIM_OK);
        pesim_cost a, b;
        ASSERT_EQ(pesim_model_evaluate(&x.arch, l, &m, &a), PESIM_OK);
        ASSERT_EQ(pesim_model_evaluate(&d.arch, l, &d.mappings[0], &b), PESIM_OK);
        EXPECT_EQ(a.cycles, b.cycles) << af;
        EXPECT_EQ(a.energy_pj, b.energy_pj) << af;
        pesim_space_destroy(s);
    }
}
