/* space.c - what every space shares: construction, parameters, accessors,
 * the design hash, and decode/encode dispatch (docs/search.md "Spaces").
 * The kinds live in space_mapping.c, space_hw.c and space_place.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pesim/model.h"
#include "space_impl.h"

/* ------------------------------------------------------------- hashing */

uint64_t srch_hash_double(uint64_t h, double x)
{
    if (x == 0) x = 0; /* -0.0 and 0.0 are the same value */
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    return srch_hmix(h, bits);
}

uint64_t srch_hash_str(uint64_t h, const char *s)
{
    uint64_t w = 0;
    int k = 0;
    for (; *s; s++) {
        w |= (uint64_t)(unsigned char)*s << (8 * k);
        if (++k == 8) h = srch_hmix(h, w), w = 0, k = 0;
    }
    return srch_hmix(h, w ^ ((uint64_t)k << 60) ^ 0x5A5A0000u);
}

/* Every field that can change a cost (names and config lines are left out,
 * so two archs that differ only in a level's name hash equal). */
uint64_t srch_hash_arch(uint64_t h, const pesim_arch *a)
{
    h = srch_hash_str(h, a->dataflow[0] ? a->dataflow : "any");
    h = srch_hmix(h, (uint64_t)a->conventions);
    if (a->first_read_elision) h = srch_hmix(h, 0xE1u); /* mixed only when set: older stores keep their hashes */
    h = srch_hmix(h, (uint64_t)a->word_bits);
    h = srch_hash_double(h, a->clock_mhz);
    h = srch_hmix(h, (uint64_t)a->mac_latency_cycles);
    h = srch_hash_double(h, a->mac_energy_pj);
    h = srch_hash_double(h, a->mac_area_um2);
    h = srch_hash_double(h, a->mac_leak_pj_per_cycle);
    h = srch_hmix(h, (uint64_t)(uint32_t)a->tech_nm << 32 | (uint32_t)a->mac_operand);
    h = srch_hmix(h, (uint64_t)a->estimated);
    h = srch_hmix(h, (uint64_t)a->n_levels);
    for (int l = 0; l < a->n_levels; l++) {
        const pesim_level *v = &a->level[l];
        h = srch_hmix(h, (uint64_t)v->is_dram | (uint64_t)v->keeps[0] << 8 | (uint64_t)v->keeps[1] << 16 |
                             (uint64_t)v->keeps[2] << 24 | (uint64_t)(pesim_level_tile_slots(v) - 1) << 32 |
                             (uint64_t)(v->sliding_reuse != 0) << 40);
        h = srch_hmix(h, (uint64_t)v->capacity_words);
        for (int t = 0; t < PESIM_NTENSORS; t++) h = srch_hmix(h, (uint64_t)v->tensor_capacity_words[t]);
        h = srch_hmix(h, (uint64_t)(uint32_t)v->fanout_x << 32 | (uint32_t)v->fanout_y);
        h = srch_hmix(h, (uint64_t)v->spatial_x_dims << 32 | v->spatial_y_dims);
        h = srch_hmix(h, (uint64_t)(uint32_t)v->banks << 32 | (uint32_t)v->ports);
        h = srch_hash_double(h, v->read_words_per_cycle);
        h = srch_hash_double(h, v->write_words_per_cycle);
        h = srch_hmix(h, (uint64_t)v->latency_cycles);
        h = srch_hash_double(h, v->read_energy_pj);
        h = srch_hash_double(h, v->write_energy_pj);
        h = srch_hash_double(h, v->leak_pj_per_cycle);
        h = srch_hash_double(h, v->area_um2);
        h = srch_hash_double(h, v->reduce_energy_pj);
        h = srch_hash_double(h, v->reduce_area_um2);
        h = srch_hmix(h, (uint64_t)v->estimated); /* an estimated DRAM energy is the IDD model's */
        h = srch_hmix(h, (uint64_t)(v->block_words > 1 ? v->block_words : 1));
        if (v->arbitration) /* a later key: the default leaves the hashes of earlier stores */
            h = srch_hmix(h, 0x617262ull << 32 | (uint32_t)v->arbitration);
        if (pesim_level_word_bits(a, l) != a->word_bits) /* likewise; 0 and the arch's width hash alike */
            h = srch_hmix(h, 0x776273ull << 32 | (uint32_t)pesim_level_word_bits(a, l));
        if (v->cluster_size > 1) /* likewise */
            h = srch_hmix(h, 0x636c75ull << 32 | (uint32_t)v->cluster_size);
        for (int t = 0; t < PESIM_NTENSORS; t++) {
            h = srch_hmix(h, (uint64_t)v->noc[t].kind << 8 | (uint64_t)v->noc[t].reduce);
            h = srch_hash_double(h, v->noc[t].words_per_cycle);
            h = srch_hash_double(h, v->noc[t].hop_energy_pj);
        }
        if (v->is_dram) {
            const pesim_dram *d = &v->dram;
            const int32_t f[] = {d->CL,     d->CWL,    d->tRCD,   d->tRP,  d->tRAS,     d->tRC,
                                 d->BL,     d->tCCD_S, d->tCCD_L, d->tRRD_S, d->tRRD_L, d->tFAW,
                                 d->tWTR_S, d->tWTR_L, d->tWR,    d->tRTP, d->tRTRS,    d->tRFC,
                                 d->tREFI,  d->channels, d->ranks, d->bankgroups, d->banks_per_group,
                                 d->bus_bits};
            h = srch_hash_double(h, d->tck_ns);
            for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) h = srch_hmix(h, (uint64_t)(uint32_t)f[i]);
            h = srch_hmix(h, (uint64_t)d->row_bytes);
            const double pw[] = {d->vdd_v,    d->idd0_ma,  d->idd2n_ma,          d->idd3n_ma,
                                 d->idd4r_ma, d->idd4w_ma, d->idd5ab_ma,         d->io_read_pj_per_bit,
                                 d->io_write_pj_per_bit};
            for (size_t i = 0; i < sizeof pw / sizeof pw[0]; i++) h = srch_hash_double(h, pw[i]);
            h = srch_hmix(h, (uint64_t)(uint32_t)d->device_bits);
            if (d->reads_in_flight > 1) h = srch_hmix(h, (uint64_t)(uint32_t)d->reads_in_flight);
            if (d->layout || d->order) h = srch_hmix(h, (uint64_t)(uint32_t)d->layout << 32 | (uint32_t)d->order);
        }
    }
    const pesim_vector *vu = &a->vector; /* costs the network evaluator's layers without MACs */
    if (vu->lanes > 0) {
        h = srch_hmix(h, (uint64_t)(uint32_t)vu->level << 32 | (uint32_t)vu->lanes);
        h = srch_hmix(h, (uint64_t)(uint32_t)vu->latency_cycles);
        h = srch_hash_double(h, vu->ops_per_cycle);
        h = srch_hash_double(h, vu->energy_pj_per_op);
        h = srch_hash_double(h, vu->area_um2);
        h = srch_hash_double(h, vu->leak_pj_per_cycle);
    }
    return h;
}

uint64_t srch_hash_mapping(uint64_t h, const pesim_arch *a, const pesim_layer *layer, const pesim_mapping *mp)
{
    pesim_mapping canon = *mp; /* equivalent mappings hash equal (docs/model.md 8) */
    const pesim_mapping *m = &canon;
    if (layer) pesim_mapping_canonical(a, layer, &canon);
    h = srch_hmix(h, (uint64_t)m->n_levels);
    for (int l = 0; l < m->n_levels; l++) {
        const pesim_level_map *lm = &m->level[l];
        /* two temporal factors a word (factors are < 2^32 in any real layer;
         * larger ones are folded in whole) */
        for (int d = 0; d < PESIM_NDIMS; d += 2) {
            uint64_t t0 = (uint64_t)lm->temporal[d], t1 = (uint64_t)lm->temporal[d + 1];
            h = (t0 | t1) >> 32 ? srch_hmix(srch_hmix(h, t0), t1) : srch_hmix(h, t0 | t1 << 32);
        }
        for (int d = 0; d < PESIM_NDIMS; d++)
            if ((lm->spatial_x[d] | lm->spatial_y[d]) != 1)
                h = srch_hmix(h, (uint64_t)d << 56 ^ (uint64_t)lm->spatial_x[d] << 28 ^ (uint64_t)lm->spatial_y[d]);
        /* the order of the loops that iterate, then the kept tensors */
        uint64_t w = 0;
        int k = 0;
        for (int i = 0; i < PESIM_NDIMS; i++) {
            int d = lm->order[i] & 7;
            if (lm->temporal[d] > 1) w |= (uint64_t)(d + 1) << (4 * k++);
        }
        for (int t = 0; t < PESIM_NTENSORS; t++)
            if (pesim_mapping_keeps(a, m, l, (pesim_tensor)t)) w |= 1ULL << (40 + t);
        h = srch_hmix(h, w);
        /* the axis orders of the dims that several share an axis with */
        uint64_t ax = 0;
        for (int i = 0; i < PESIM_NDIMS; i++) {
            int dx = lm->order_x[i] & 7, dy = lm->order_y[i] & 7;
            if (lm->spatial_x[dx] > 1) ax = ax << 4 | (uint64_t)(dx + 1);
            if (lm->spatial_y[dy] > 1) ax = ax << 4 | (uint64_t)(dy + 9);
        }
        if (ax) h = srch_hmix(h, ax);
    }
    return h;
}

/* ------------------------------------------------------- construction */

pesim_space *srch_space_new(space_kind kind, const pesim_arch *a, const pesim_network *net, pesim_error *e)
{
    pesim_space *s = calloc(1, sizeof *s);
    if (!s) {
        pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, "space", "out of memory");
        return NULL;
    }
    s->kind = kind;
    s->arch = *a;
    s->net = *net;
    s->net.layers = NULL;
    s->net.n_layers = 0;
    size_t nl = net->n_layers > 0 ? (size_t)net->n_layers : 1;
    s->net.layers = malloc(nl * sizeof *s->net.layers);
    s->mac = malloc(nl * sizeof *s->mac);
    s->mac_of = malloc(nl * sizeof *s->mac_of);
    if (!s->net.layers || !s->mac || !s->mac_of) {
        pesim_space_destroy(s);
        pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, "space", "out of memory");
        return NULL;
    }
    if (net->n_layers > 0) memcpy(s->net.layers, net->layers, (size_t)net->n_layers * sizeof *net->layers);
    s->net.n_layers = net->n_layers;
    for (int32_t i = 0; i < net->n_layers; i++) {
        s->mac_of[i] = -1;
        if (pesim_layer_has_macs(&net->layers[i])) s->mac_of[i] = s->n_mac, s->mac[s->n_mac++] = i;
    }
    s->arch_hash = srch_hash_arch(SRCH_HASH_SEED, a);
    pesim_mapping_init(&s->identity, a->n_levels);
    s->scale_area_energy = 1;
    return s;
}

int32_t srch_add_param(pesim_space *s, const char *name, pesim_param_kind kind, int32_t n_choices, int32_t level,
                       int32_t dim, int32_t tensor, int32_t layer)
{
    if (s->n_params == s->cap_params) {
        int32_t cap = s->cap_params ? 2 * s->cap_params : 64;
        pesim_param *p = realloc(s->params, (size_t)cap * sizeof *p);
        if (!p) return -1;
        s->params = p;
        s->cap_params = cap;
    }
    pesim_param *p = &s->params[s->n_params];
    memset(p, 0, sizeof *p);
    snprintf(p->name, sizeof p->name, "%s", name);
    p->kind = kind;
    p->n_choices = n_choices;
    p->level = level;
    p->dim = dim;
    p->tensor = tensor;
    p->layer = layer;
    p->axis = p->pos = -1;
    return s->n_params++;
}

static const char *kind_name(space_kind k)
{
    switch (k) {
    case SPACE_LAYER: return "mapping";
    case SPACE_NETWORK: return "network-mapping";
    case SPACE_HARDWARE: return "hardware";
    case SPACE_PLACEMENT: return "placement";
    }
    return "?";
}

pesim_status srch_space_finish(pesim_space *s, pesim_error *e)
{
    size_t nm = s->n_mac > 0 ? (size_t)s->n_mac : 1;
    s->scratch_maps = calloc(nm, sizeof *s->scratch_maps);
    s->nch = malloc((size_t)(s->n_params > 0 ? s->n_params : 1) * sizeof *s->nch);
    if (!s->scratch_maps || !s->nch) return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, "space", "out of memory");
    for (int32_t i = 0; i < s->n_params; i++) s->nch[i] = s->params[i].n_choices;
    pesim_status st = pesim_placement_init(&s->scratch_place, s->net.n_layers, s->arch.n_levels - 1, e);
    if (st) return st;
    if ((st = srch_build_graph(s, e))) return st;
    /* the parameter list's hash makes a changed space a different space */
    uint64_t h = SRCH_HASH_SEED;
    for (int32_t i = 0; i < s->n_params; i++) {
        h = srch_hash_str(h, s->params[i].name);
        h = srch_hmix(h, (uint64_t)s->params[i].n_choices);
    }
    h = srch_hfinal(srch_hmix(h, s->arch_hash));
    char what[256];
    if (s->kind == SPACE_LAYER)
        snprintf(what, sizeof what, "layer=%s", s->net.layers[0].name);
    else if (s->kind == SPACE_HARDWARE)
        snprintf(what, sizeof what, "experiment=%s%s network=%s layers=%d", s->experiment,
                 s->maps ? " joint" : "", s->net.name, (int)s->n_mac);
    else
        snprintf(what, sizeof what, "network=%s layers=%d", s->net.name, (int)s->n_mac);
    if (s->kind == SPACE_PLACEMENT) { /* the options that change a placement's cost, where not the default */
        const pesim_net_options *o = &s->place_opt;
        size_t at = strlen(what);
        snprintf(what + at, sizeof what - at, "%s%s%s%s", o->preload_weights ? "" : " no-preload",
                 o->rectify ? " rectify" : "", o->no_alias ? " no-alias" : "", o->no_prefetch ? " no-prefetch" : "");
    }
    char enc[64] = "";
    if (s->maps)
        snprintf(enc, sizeof enc, " encoding=order:%s,spatial:%s", s->opt.order ? "sequence" : "rank",
                 s->opt.spatial ? "dim" : "factors");
    snprintf(s->desc, sizeof s->desc, "%s arch=%s %s%s params=%d log10size=%.4g id=%016llx", kind_name(s->kind),
             s->arch.name, what, enc, (int)s->n_params, pesim_space_log10_size(s), (unsigned long long)h);
    return PESIM_OK;
}

void pesim_space_destroy(pesim_space *s)
{
    if (!s) return;
    free(s->net.layers);
    free(s->mac);
    free(s->mac_of);
    free(s->gnodes);
    free(s->gedges);
    free(s->params);
    for (int32_t i = 0; i < s->n_hw; i++) free(s->hw[i].values);
    free(s->hw);
    free(s->maps);
    free(s->cand_pool);
    free(s->place_w);
    free(s->place_o);
    free(s->place_choice);
    free(s->default_maps);
    free(s->scratch_maps);
    free(s->nch);
    for (int k = 0; k <= PESIM_NDIMS; k++) free(s->perms[k]);
    pesim_placement_free(&s->scratch_place);
    free(s);
}

/* ---------------------------------------------------------- accessors */

int32_t pesim_space_n_params(const pesim_space *s) { return s ? s->n_params : 0; }

const pesim_param *pesim_space_param(const pesim_space *s, int32_t i)
{
    return s && i >= 0 && i < s->n_params ? &s->params[i] : NULL;
}

double pesim_space_log10_size(const pesim_space *s)
{
    double x = 0;
    for (int32_t i = 0; s && i < s->n_params; i++) x += log10((double)s->params[i].n_choices);
    return x;
}

const char *pesim_space_describe(const pesim_space *s) { return s ? s->desc : ""; }
int32_t pesim_space_n_layers(const pesim_space *s) { return s ? s->n_mac : 0; }

const pesim_layer *pesim_space_layer(const pesim_space *s, int32_t i)
{
    return s && i >= 0 && i < s->n_mac ? &s->net.layers[s->mac[i]] : NULL;
}

const pesim_arch *pesim_space_arch(const pesim_space *s) { return s ? &s->arch : NULL; }
const pesim_space_options *pesim_space_options_of(const pesim_space *s) { return s ? &s->opt : NULL; }
const pesim_network *pesim_space_network_of(const pesim_space *s) { return s ? &s->net : NULL; }

const pesim_net_options *pesim_space_placement_options(const pesim_space *s)
{
    return s && s->kind == SPACE_PLACEMENT ? &s->place_opt : NULL;
}

/* ------------------------------------------------------ decode / encode */

int srch_needs_mapper(const pesim_space *s) { return s->kind == SPACE_HARDWARE && !s->maps; }

static int fail(char *reason, size_t n, const char *msg)
{
    if (reason && n) snprintf(reason, n, "%s", msg);
    return 0;
}

int srch_decode(const pesim_space *s, const int32_t *choices, pesim_design *d, int arch_ready, char *reason,
                size_t n, pesim_violation *v)
{
    if (reason && n) reason[0] = '\0';
    d->n_layers = s->n_mac;
    d->hash = 0;
    for (int32_t i = 0; i < s->n_params; i++)
        if ((uint32_t)choices[i] >= (uint32_t)s->nch[i]) {
            if (reason && n)
                snprintf(reason, n, "choice %d of %s is out of range [0, %d)", (int)choices[i], s->params[i].name,
                         (int)s->params[i].n_choices);
            if (v) *v = pesim_violation_make(PESIM_VIOLATION_STRUCTURE);
            return 0;
        }
    uint64_t h = s->arch_hash;
    if (s->n_hw > 0) {
        d->arch = s->arch;
        if (!srch_apply_hw(s, choices, &d->arch, reason, n, v)) return 0;
        h = srch_hash_arch(SRCH_HASH_SEED, &d->arch);
    } else if (!arch_ready) {
        d->arch = s->arch;
    }
    h = srch_hmix(h, (uint64_t)s->kind);
    if (s->maps) {
        for (int32_t i = 0; i < s->n_mac; i++) {
            if (!srch_decode_layer(s, &s->maps[i], &d->arch, choices, &d->mappings[i], reason, n, v)) return 0;
            pesim_mapping_canonical(&d->arch, &s->net.layers[s->maps[i].layer], &d->mappings[i]);
            h = srch_hash_mapping(h, &d->arch, &s->net.layers[s->maps[i].layer], &d->mappings[i]);
        }
    }
    if (s->kind == SPACE_PLACEMENT) {
        pesim_placement *p = &d->placement;
        for (int32_t li = 0; li < s->net.n_layers; li++) {
            const int32_t *pc = &s->place_choice[(size_t)li * 2 * PESIM_MAX_LEVELS];
            p->weights_level[li] = s->place_w[li] >= 0 ? pc[choices[s->place_w[li]]] : pc[0];
            p->outputs_level[li] = s->place_o[li] >= 0 ? pc[PESIM_MAX_LEVELS + choices[s->place_o[li]]]
                                                       : pc[PESIM_MAX_LEVELS];
            h = srch_hmix(h, (uint64_t)p->weights_level[li] << 8 | (uint64_t)p->outputs_level[li]);
        }
    }
    d->hash = srch_hfinal(h);
    return 1;
}

int srch_complete(const pesim_space *s, pesim_design *d, char *reason, size_t n, pesim_violation *v)
{
    if (!srch_needs_mapper(s)) return 1;
    for (int32_t i = 0; i < s->n_mac; i++) {
        const pesim_layer *l = &s->net.layers[s->mac[i]];
        pesim_error err;
        pesim_error_clear(&err);
        if (pesim_mapper_default(&d->arch, l, &d->mappings[i], &err) != PESIM_OK) {
            if (reason && n) snprintf(reason, n, "layer %s: default mapper: %s", l->name, err.msg);
            if (v) *v = pesim_violation_make(PESIM_VIOLATION_MAPPER), v->layer = s->mac[i];
            return 0;
        }
    }
    return 1;
}

int pesim_space_decode(pesim_space *s, const int32_t *choices, pesim_design *d, char *reason, size_t n)
{
    return pesim_space_decode_why(s, choices, d, reason, n, NULL);
}

int pesim_space_decode_why(pesim_space *s, const int32_t *choices, pesim_design *d, char *reason, size_t n,
                           pesim_violation *v)
{
    if (v) *v = pesim_violation_make(PESIM_VIOLATION_NONE);
    if (!s || !choices || !d) {
        if (v) v->kind = PESIM_VIOLATION_STRUCTURE;
        return fail(reason, n, "pesim_space_decode: NULL argument");
    }
    memset(d, 0, sizeof *d);
    d->mappings = s->scratch_maps;
    d->placement = s->scratch_place;
    if (s->kind != SPACE_PLACEMENT) {
        d->placement.n_layers = 0;
        d->placement.weights_level = d->placement.outputs_level = NULL;
    }
    if (!srch_decode(s, choices, d, 0, reason, n, v)) return 0;
    if (s->kind == SPACE_PLACEMENT) /* the evaluator reads them from the space */
        memcpy(d->mappings, s->default_maps, (size_t)s->n_mac * sizeof *d->mappings);
    return srch_complete(s, d, reason, n, v);
}

int pesim_space_encode(const pesim_space *s, const pesim_design *d, int32_t *choices)
{
    if (!s || !d || !choices) return 0;
    for (int32_t i = 0; i < s->n_params; i++) choices[i] = 0;
    /* hardware: the value of each parameter that the design's arch has */
    for (int32_t i = 0; i < s->n_hw; i++) {
        int found = 0;
        for (int32_t v = 0; v < s->params[i].n_choices && !found; v++) {
            choices[i] = v;
            pesim_arch a = s->arch;
            char why[8];
            /* apply only this parameter to a copy and compare the fields it sets */
            if (!srch_apply_hw(s, choices, &a, why, sizeof why, NULL)) continue;
            found = 1;
            const hw_param *hp = &s->hw[i];
            for (int k = 0; k < hp->n_keys && found; k++) {
                const hw_key *key = &hp->key[k];
                const pesim_level *x = key->level >= 0 ? &a.level[key->level] : NULL;
                const pesim_level *y = key->level >= 0 ? &d->arch.level[key->level] : NULL;
                switch (key->field) {
                case HW_DATAFLOW: found = strcmp(a.dataflow, d->arch.dataflow) == 0; break;
                case HW_FANOUT_X: found = x->fanout_x == y->fanout_x; break;
                case HW_FANOUT_Y: found = x->fanout_y == y->fanout_y; break;
                case HW_CAPACITY: found = x->capacity_words == y->capacity_words; break;
                case HW_TENSOR_CAPACITY:
                    found = x->tensor_capacity_words[key->tensor] == y->tensor_capacity_words[key->tensor];
                    break;
                case HW_READ_BW: found = x->read_words_per_cycle == y->read_words_per_cycle; break;
                case HW_WRITE_BW: found = x->write_words_per_cycle == y->write_words_per_cycle; break;
                case HW_BW:
                    found = x->read_words_per_cycle == y->read_words_per_cycle &&
                            x->write_words_per_cycle == y->write_words_per_cycle;
                    break;
                case HW_NOC_BW: found = x->noc[key->tensor].words_per_cycle == y->noc[key->tensor].words_per_cycle; break;
                case HW_DRAM_CHANNELS: found = x->dram.channels == y->dram.channels; break;
                case HW_SPATIAL_X: found = x->spatial_x_dims == y->spatial_x_dims; break;
                case HW_SPATIAL_Y: found = x->spatial_y_dims == y->spatial_y_dims; break;
                case HW_BANKS: found = x->banks == y->banks; break;
                case HW_DOUBLE_BUFFERED:
                case HW_TILE_SLOTS: found = pesim_level_tile_slots(x) == pesim_level_tile_slots(y); break;
                case HW_PORTS: found = x->ports == y->ports; break;
                case HW_WORD_BITS: found = a.word_bits == d->arch.word_bits; break;
                case HW_LEVEL_WORD_BITS: found = x->word_bits == y->word_bits; break;
                case HW_FIELD_COUNT: found = 0; break;
                }
            }
        }
        if (!found) return 0;
    }
    if (s->maps)
        for (int32_t i = 0; i < s->n_mac; i++)
            if (!srch_encode_layer(s, &s->maps[i], &d->arch, &d->mappings[i], choices)) return 0;
    if (s->kind == SPACE_PLACEMENT) {
        if (!d->placement.weights_level || d->placement.n_layers != s->net.n_layers) return 0;
        for (int32_t li = 0; li < s->net.n_layers; li++) {
            const int32_t *pc = &s->place_choice[(size_t)li * 2 * PESIM_MAX_LEVELS];
            for (int w = 0; w < 2; w++) {
                int32_t p = w ? s->place_o[li] : s->place_w[li];
                int32_t want = w ? d->placement.outputs_level[li] : d->placement.weights_level[li];
                if (p < 0) { /* a single choice, or no weights at all */
                    int has = w || s->net.layers[li].op == PESIM_OP_CONV || s->net.layers[li].op == PESIM_OP_GEMM;
                    if (has && pc[w * PESIM_MAX_LEVELS] != want) return 0;
                    continue;
                }
                int found = 0;
                for (int32_t c = 0; c < s->params[p].n_choices; c++)
                    if (pc[w * PESIM_MAX_LEVELS + c] == want) choices[p] = c, found = 1;
                if (!found) return 0;
            }
        }
    }
    return 1;
}
