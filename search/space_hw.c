/* space_hw.c - hardware spaces and joint hardware/mapping spaces
 * (docs/search.md "Hardware space"). The experiment file is read by
 * experiment.c; here its parameters become categorical parameters and are
 * applied to a copy of the base arch at decode time.
 *
 * After the values are applied, the cost fields are re-estimated from the
 * new hardware (sim/estimate, docs/estimate.md): a field the base arch left to
 * the estimator takes the estimate of the new design; a given field is scaled
 * by estimate(new) / estimate(base) (scale_area_energy, on by default), so
 * capacity, banks, ports, bandwidth (the width of an access), the array shape
 * (network hop lengths, instance counts) and the word width all cost area,
 * energy or leakage. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pesim/config.h"
#include "pesim/estimate.h"
#include "space_impl.h"

void srch_hw_apply_value(pesim_arch *a, const hw_key *k, const hw_value *v)
{
    pesim_level *x = k->level >= 0 ? &a->level[k->level] : NULL;
    switch (k->field) {
    case HW_DATAFLOW: snprintf(a->dataflow, sizeof a->dataflow, "%s", v->str); break;
    case HW_FANOUT_X: x->fanout_x = (int32_t)v->num; break;
    case HW_FANOUT_Y: x->fanout_y = (int32_t)v->num; break;
    case HW_CAPACITY: x->capacity_words = (int64_t)v->num; break;
    case HW_TENSOR_CAPACITY: x->tensor_capacity_words[k->tensor] = (int64_t)v->num; break;
    case HW_READ_BW: x->read_words_per_cycle = v->num; break;
    case HW_WRITE_BW: x->write_words_per_cycle = v->num; break;
    case HW_BW: x->read_words_per_cycle = x->write_words_per_cycle = v->num; break;
    case HW_NOC_BW: x->noc[k->tensor].words_per_cycle = v->num; break;
    case HW_DRAM_CHANNELS: x->dram.channels = (int32_t)v->num; break;
    case HW_SPATIAL_X: x->spatial_x_dims = v->mask; break;
    case HW_SPATIAL_Y: x->spatial_y_dims = v->mask; break;
    case HW_BANKS: x->banks = (int32_t)v->num; break;
    case HW_DOUBLE_BUFFERED: x->tile_slots = v->num != 0 ? 2 : 1; break;
    case HW_PORTS: x->ports = (int32_t)v->num; break;
    case HW_WORD_BITS: a->word_bits = (int32_t)v->num; break;
    case HW_TILE_SLOTS: x->tile_slots = (int32_t)v->num; break;
    case HW_LEVEL_WORD_BITS: x->word_bits = (int32_t)v->num; break;
    case HW_FIELD_COUNT: break;
    }
}

int srch_apply_hw(const pesim_space *s, const int32_t *choices, pesim_arch *a, char *reason, size_t n,
                  pesim_violation *why)
{
    for (int32_t i = 0; i < s->n_hw; i++) {
        const hw_param *hp = &s->hw[i];
        const hw_value *v = &hp->values[(size_t)choices[i] * (size_t)hp->n_keys];
        for (int k = 0; k < hp->n_keys; k++) srch_hw_apply_value(a, &hp->key[k], &v[k]);
    }
    pesim_error err;
    pesim_error_clear(&err);
    if (pesim_arch_check(a, NULL, &err) != PESIM_OK) {
        if (reason && n) snprintf(reason, n, "hardware: %s: %s", err.key, err.msg);
        if (why) *why = pesim_violation_make(PESIM_VIOLATION_STRUCTURE);
        return 0;
    }
    pesim_estimate_rescale(&s->arch, a, s->scale_area_energy);
    return 1;
}

pesim_status pesim_experiment_load(const char *path, pesim_experiment *out, pesim_error *e)
{
    pesim_experiment tmp;
    if (!out) out = &tmp;
    return srch_experiment_read(path, NULL, NULL, out, e);
}

/* The network a hardware space evaluates: net, or its one layer `layer`. */
static pesim_status pick_layers(const char *path, const pesim_network *net, const char *layer, pesim_network *one,
                                pesim_layer *buf, pesim_error *e)
{
    *one = *net;
    if (!layer[0]) return PESIM_OK;
    int32_t i = pesim_network_find(net, layer);
    if (i < 0) return pesim_error_set(e, PESIM_ERR_INVALID, path, 0, "layer", "network '%s' has no layer '%s'", net->name, layer);
    if (!pesim_layer_has_macs(&net->layers[i]))
        return pesim_error_set(e, PESIM_ERR_INVALID, path, 0, "layer", "layer '%s' has no MACs", layer);
    *buf = net->layers[i];
    buf->n_inputs = 1;
    buf->inputs[0] = PESIM_NETWORK_INPUT;
    one->n_layers = 1;
    one->layers = buf;
    return PESIM_OK;
}

pesim_status pesim_space_from_experiment(const char *path, const pesim_arch *base, const pesim_network *net,
                                         int joint, pesim_space **out, pesim_error *e)
{
    return pesim_space_from_experiment_opt(path, base, net, joint, NULL, out, e);
}

pesim_status pesim_space_from_experiment_opt(const char *path, const pesim_arch *base, const pesim_network *net,
                                             int joint, const pesim_space_options *opt, pesim_space **out,
                                             pesim_error *e)
{
    if (!out) return pesim_error_set(e, PESIM_ERR_INVALID, path, 0, NULL, "NULL output");
    *out = NULL;
    pesim_experiment ex;
    pesim_status st = srch_experiment_read(path, NULL, NULL, &ex, e);
    if (st) return st;
    pesim_arch own_arch;
    pesim_network own_net;
    memset(&own_net, 0, sizeof own_net);
    if (!base) {
        if (!ex.arch_path[0])
            return pesim_error_set(e, PESIM_ERR_MISSING, path, 0, "arch", "no arch given (neither here nor by the caller)");
        if ((st = pesim_arch_load(ex.arch_path, &own_arch, e))) return st;
        base = &own_arch;
    } else if ((st = pesim_arch_check(base, NULL, e))) {
        return st;
    }
    if (!net) {
        if (!ex.workload_path[0])
            return pesim_error_set(e, PESIM_ERR_MISSING, path, 0, "workload",
                                   "no workload given (neither here nor by the caller)");
        if ((st = pesim_network_load(ex.workload_path, &own_net, e))) return st;
        net = &own_net;
    }
    pesim_network use;
    pesim_layer one;
    pesim_space *s = NULL;
    if ((st = pick_layers(path, net, ex.layer, &use, &one, e))) goto fail;
    if (pesim_network_macs(&use) <= 0) {
        st = pesim_error_set(e, PESIM_ERR_INVALID, path, 0, "workload", "network '%s' has no MAC layers", use.name);
        goto fail;
    }
    s = srch_space_new(SPACE_HARDWARE, base, &use, e);
    if (!s) {
        st = PESIM_ERR_NOMEM;
        goto fail;
    }
    if (opt) s->opt = *opt;
    if ((st = srch_experiment_read(path, base, s, &ex, e))) goto fail;
    for (int32_t i = 0; i < s->n_hw; i++) {
        hw_param *hp = &s->hw[i];
        hw_value *shrunk = realloc(hp->values, (size_t)hp->n_values * (size_t)hp->n_keys * sizeof *shrunk);
        if (shrunk) hp->values = shrunk;
        char name[80];
        snprintf(name, sizeof name, "hw.%s", hp->name);
        int32_t level = hp->key[0].level, tensor = hp->key[0].tensor;
        if (srch_add_param(s, name, PESIM_PARAM_HARDWARE, hp->n_values, level, -1, tensor, -1) < 0) {
            st = pesim_error_set(e, PESIM_ERR_NOMEM, path, 0, NULL, "out of memory");
            goto fail;
        }
    }
    if (joint || ex.joint) {
        /* mapping params over the largest fan-outs and every dim any value allows */
        int64_t fx[PESIM_MAX_LEVELS], fy[PESIM_MAX_LEVELS];
        uint32_t ax[PESIM_MAX_LEVELS], ay[PESIM_MAX_LEVELS];
        for (int l = 0; l < base->n_levels; l++) {
            fx[l] = base->level[l].fanout_x, fy[l] = base->level[l].fanout_y;
            ax[l] = base->level[l].spatial_x_dims, ay[l] = base->level[l].spatial_y_dims;
        }
        for (int32_t i = 0; i < s->n_hw; i++) {
            const hw_param *hp = &s->hw[i];
            for (int k = 0; k < hp->n_keys; k++)
                for (int32_t v = 0; v < hp->n_values; v++) {
                    const hw_key *key = &hp->key[k];
                    const hw_value *x = &hp->values[(size_t)v * (size_t)hp->n_keys + (size_t)k];
                    if (key->field == HW_FANOUT_X && x->num > (double)fx[key->level]) fx[key->level] = (int64_t)x->num;
                    if (key->field == HW_FANOUT_Y && x->num > (double)fy[key->level]) fy[key->level] = (int64_t)x->num;
                    if (key->field == HW_SPATIAL_X) ax[key->level] |= x->mask;
                    if (key->field == HW_SPATIAL_Y) ay[key->level] |= x->mask;
                }
        }
        if ((st = srch_add_mapping_params(s, fx, fy, ax, ay, e))) goto fail;
    }
    if ((st = srch_space_finish(s, e))) goto fail;
    pesim_network_free(&own_net);
    *out = s;
    return PESIM_OK;
fail:
    pesim_space_destroy(s);
    pesim_network_free(&own_net);
    return st;
}

/* ------------------------------------------------ hardware values by key */

static const hw_param *hw_of(const pesim_space *s, int32_t param)
{
    if (!s || param < 0 || param >= s->n_hw || !s->hw) return NULL;
    return &s->hw[param];
}

int32_t pesim_space_hw_n_keys(const pesim_space *s, int32_t param)
{
    const hw_param *hp = hw_of(s, param);
    return hp ? hp->n_keys : 0;
}

const char *pesim_space_hw_key(const pesim_space *s, int32_t param, int32_t key)
{
    const hw_param *hp = hw_of(s, param);
    return hp && key >= 0 && key < hp->n_keys ? hp->key[key].text : NULL;
}

int pesim_space_hw_value(const pesim_space *s, int32_t param, int32_t key, int32_t choice, char *buf, size_t n)
{
    if (buf && n) buf[0] = '\0';
    const hw_param *hp = hw_of(s, param);
    if (!hp || !buf || !n || key < 0 || key >= hp->n_keys || choice < 0 || choice >= hp->n_values) return 0;
    const hw_key *k = &hp->key[key];
    const hw_value *v = &hp->values[(size_t)choice * (size_t)hp->n_keys + (size_t)key];
    switch (k->field) {
    case HW_DATAFLOW:
    case HW_SPATIAL_X:
    case HW_SPATIAL_Y: snprintf(buf, n, "%s", v->str); break;
    case HW_DOUBLE_BUFFERED: snprintf(buf, n, "%s", v->num != 0 ? "true" : "false"); break;
    default: /* the fewest digits that read back */
        snprintf(buf, n, "%.15g", v->num);
        if (strtod(buf, NULL) != v->num) snprintf(buf, n, "%.17g", v->num);
        break;
    }
    return 1;
}
