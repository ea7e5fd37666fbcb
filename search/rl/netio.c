/* search/rl/netio.c - networks to and from "pesim-rl-net 1" text files
 * (docs/rl.md, "File format").
 *
 *   pesim-rl-net 1
 *   kind mlp                       (or gnn)
 *   act tanh                       (or relu)
 *   in_dim 12                      (MLP) | in_features 8 (GNN)
 *   hidden 2 64 64                 (MLP: count, widths) | hidden 128 (GNN)
 *   depth 3                        (GNN)
 *   ratio 0.5                      (GNN)
 *   root_weight 1                  (GNN)
 *   heads 3 4 5 6                  (MLP: count, sizes) | decisions 2 3 3 (GNN)
 *   values 1
 *   head_gain 0.01
 *   params 1234
 *   <1234 lines: one parameter each, %.17g, in tensor order>
 *   end
 *
 * Keys may come in any order between the first line and `params`; a key
 * that the kind does not use, an unknown key, a repeated key, a missing
 * one, a wrong count or a missing `end` (a truncated file) is an error
 * naming the file, the line and the key. */
#define _POSIX_C_SOURCE 200809L /* strdup */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rl_impl.h"

#define NET_FORMAT_VERSION 1

/* ---------------------------------------------------------------- save */

pesim_status pesim_rl_net_save(const pesim_rl_net *n, const char *path, pesim_error *e)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return pesim_error_set(e, PESIM_ERR_IO, path, 0, NULL, "cannot write: %s", strerror(errno));
    fprintf(f, "pesim-rl-net %d\n", NET_FORMAT_VERSION);
    if (n->kind == PESIM_RL_MLP) {
        const pesim_rl_mlp_config *c = &n->mlp;
        fprintf(f, "kind mlp\nact %s\nin_dim %d\nhidden %d", c->act == PESIM_RL_RELU ? "relu" : "tanh",
                (int)c->in_dim, (int)c->n_hidden);
        for (int32_t l = 0; l < c->n_hidden; l++)
            fprintf(f, " %d", (int)c->hidden[l]);
        fprintf(f, "\nheads %d", (int)c->n_heads);
        for (int32_t h = 0; h < c->n_heads; h++)
            fprintf(f, " %d", (int)c->head_sizes[h]);
        fprintf(f, "\nvalues %d\nhead_gain %.17g\n", (int)c->n_values, c->head_gain);
    } else {
        const pesim_rl_gnn_config *c = &n->gnn;
        fprintf(f, "kind gnn\nact %s\nin_features %d\nhidden %d\ndepth %d\nratio %.17g\nroot_weight %d\n"
                   "decisions %d",
                c->act == PESIM_RL_RELU ? "relu" : "tanh", (int)c->in_features, (int)c->hidden, (int)c->depth,
                c->ratio, c->root_weight, (int)c->n_decisions);
        for (int32_t d = 0; d < c->n_decisions; d++)
            fprintf(f, " %d", (int)c->decision_sizes[d]);
        fprintf(f, "\nvalues %d\nhead_gain %.17g\n", (int)c->n_values, c->head_gain);
    }
    fprintf(f, "params %lld\n", (long long)n->n_params);
    for (int64_t i = 0; i < n->n_params; i++)
        fprintf(f, "%.17g\n", n->params[i]);
    fprintf(f, "end\n");
    int bad = ferror(f);
    if (fclose(f) != 0 || bad)
        return pesim_error_set(e, PESIM_ERR_IO, path, 0, NULL, "write failed: %s", strerror(errno));
    return PESIM_OK;
}

/* ---------------------------------------------------------------- load */

enum { K_KIND, K_ACT, K_IN_DIM, K_IN_FEATURES, K_HIDDEN, K_DEPTH, K_RATIO, K_ROOT, K_HEADS, K_DECISIONS,
       K_VALUES, K_HEAD_GAIN, K_COUNT };
static const char *const key_names[K_COUNT] = {"kind",  "act",         "in_dim", "in_features", "hidden",
                                               "depth", "ratio",       "root_weight", "heads", "decisions",
                                               "values", "head_gain"};

/* What a file says. */
typedef struct net_file {
    const char *path;
    pesim_rl_net_kind kind;
    pesim_rl_mlp_config mlp;
    int32_t *heads;            /* mlp.head_sizes */
    pesim_rl_gnn_config gnn;
    int line[K_COUNT];         /* where each key was (0: absent) */
    int params_line;
    int64_t n_params;
    double *params;
} net_file;

typedef struct reader {
    FILE *f;
    char *buf;
    size_t cap;
    int line;
} reader;

/* The next line without its newline, or NULL at the end of the file. */
static char *next_line(reader *r)
{
    size_t len = 0;
    if (!r->buf) {
        r->cap = 256;
        if (!(r->buf = malloc(r->cap)))
            return NULL;
    }
    for (;;) {
        if (!fgets(r->buf + len, (int)(r->cap - len), r->f))
            break;
        len += strlen(r->buf + len);
        if (len > 0 && r->buf[len - 1] == '\n')
            break;
        char *nb = realloc(r->buf, r->cap * 2);
        if (!nb)
            return NULL;
        r->buf = nb;
        r->cap *= 2;
    }
    if (len == 0)
        return NULL;
    r->line++;
    while (len > 0 && (r->buf[len - 1] == '\n' || r->buf[len - 1] == '\r'))
        r->buf[--len] = '\0';
    return r->buf;
}

static pesim_status parse_int(const char *path, int line, const char *key, char **s, long lo, long hi, int32_t *out,
                              pesim_error *e)
{
    char *end;
    errno = 0;
    long v = strtol(*s, &end, 10);
    if (end == *s || errno)
        return pesim_error_set(e, PESIM_ERR_TYPE, path, line, key, "expected an integer, got '%s'", *s);
    if (v < lo || v > hi)
        return pesim_error_set(e, PESIM_ERR_RANGE, path, line, key, "%ld is outside [%ld, %ld]", v, lo, hi);
    *s = end;
    *out = (int32_t)v;
    return PESIM_OK;
}

static pesim_status parse_real(const char *path, int line, const char *key, char **s, double *out, pesim_error *e)
{
    char *end;
    double v = strtod(*s, &end);
    if (end == *s)
        return pesim_error_set(e, PESIM_ERR_TYPE, path, line, key, "expected a number, got '%s'", *s);
    *s = end;
    *out = v;
    return PESIM_OK;
}

static pesim_status expect_end_of_line(const char *path, int line, const char *key, const char *s, pesim_error *e)
{
    while (*s == ' ' || *s == '\t')
        s++;
    if (*s)
        return pesim_error_set(e, PESIM_ERR_PARSE, path, line, key, "unexpected '%s' at the end of the line", s);
    return PESIM_OK;
}

static void net_file_free(net_file *nf)
{
    free(nf->heads);
    free(nf->params);
}

/* Keys the kind uses. */
static int key_used(pesim_rl_net_kind kind, int k)
{
    switch (k) {
    case K_IN_DIM:
    case K_HEADS:
        return kind == PESIM_RL_MLP;
    case K_IN_FEATURES:
    case K_DEPTH:
    case K_RATIO:
    case K_ROOT:
    case K_DECISIONS:
        return kind == PESIM_RL_GNN;
    default:
        return 1;
    }
}

/* The line of the key a config check names (for its message). */
static int line_of_check_key(const net_file *nf, const char *key)
{
    static const struct { const char *check, *file; } alias[] = {
        {"n_hidden", "hidden"}, {"head_sizes", "heads"}, {"decision_sizes", "decisions"}};
    for (size_t i = 0; i < sizeof alias / sizeof alias[0]; i++)
        if (strcmp(key, alias[i].check) == 0)
            key = alias[i].file;
    for (int k = 0; k < K_COUNT; k++)
        if (strcmp(key, key_names[k]) == 0)
            return nf->line[k];
    return 0;
}

static pesim_status parse_key(net_file *nf, int k, char *s, int line, pesim_error *e)
{
    const char *p = nf->path, *key = key_names[k];
    pesim_status st = PESIM_OK;
    switch (k) {
    case K_ACT: {
        while (*s == ' ')
            s++;
        if (strcmp(s, "tanh") == 0)
            nf->mlp.act = nf->gnn.act = PESIM_RL_TANH;
        else if (strcmp(s, "relu") == 0)
            nf->mlp.act = nf->gnn.act = PESIM_RL_RELU;
        else
            return pesim_error_set(e, PESIM_ERR_RANGE, p, line, key, "unknown activation '%s' (tanh, relu)", s);
        return PESIM_OK;
    }
    case K_IN_DIM:
        st = parse_int(p, line, key, &s, 1, INT32_MAX / 2, &nf->mlp.in_dim, e);
        break;
    case K_IN_FEATURES:
        st = parse_int(p, line, key, &s, 1, INT32_MAX / 2, &nf->gnn.in_features, e);
        break;
    case K_HIDDEN:
        if (nf->kind == PESIM_RL_GNN) {
            st = parse_int(p, line, key, &s, 1, INT32_MAX / 2, &nf->gnn.hidden, e);
        } else {
            st = parse_int(p, line, key, &s, 0, PESIM_RL_MAX_HIDDEN, &nf->mlp.n_hidden, e);
            for (int32_t l = 0; st == PESIM_OK && l < nf->mlp.n_hidden; l++)
                st = parse_int(p, line, key, &s, 1, INT32_MAX / 2, &nf->mlp.hidden[l], e);
        }
        break;
    case K_DEPTH:
        st = parse_int(p, line, key, &s, 0, 8, &nf->gnn.depth, e);
        break;
    case K_RATIO:
        st = parse_real(p, line, key, &s, &nf->gnn.ratio, e);
        break;
    case K_ROOT: {
        int32_t v;
        st = parse_int(p, line, key, &s, 0, 1, &v, e);
        nf->gnn.root_weight = v;
        break;
    }
    case K_HEADS: {
        int32_t nh;
        st = parse_int(p, line, key, &s, 0, INT32_MAX / 2, &nh, e);
        if (st != PESIM_OK)
            break;
        free(nf->heads);
        nf->heads = malloc((size_t)(nh > 0 ? nh : 1) * sizeof(int32_t));
        if (!nf->heads)
            return pesim_error_set(e, PESIM_ERR_NOMEM, p, line, key, "out of memory (%d heads)", (int)nh);
        nf->mlp.n_heads = nh;
        nf->mlp.head_sizes = nf->heads;
        for (int32_t h = 0; st == PESIM_OK && h < nh; h++)
            st = parse_int(p, line, key, &s, 1, INT32_MAX / 2, &nf->heads[h], e);
        break;
    }
    case K_DECISIONS:
        st = parse_int(p, line, key, &s, 0, PESIM_RL_MAX_DECISIONS, &nf->gnn.n_decisions, e);
        for (int32_t d = 0; st == PESIM_OK && d < nf->gnn.n_decisions; d++)
            st = parse_int(p, line, key, &s, 1, 1 << 20, &nf->gnn.decision_sizes[d], e);
        break;
    case K_VALUES:
        st = parse_int(p, line, key, &s, 0, 1 << 20, &nf->mlp.n_values, e);
        nf->gnn.n_values = nf->mlp.n_values;
        break;
    case K_HEAD_GAIN:
        st = parse_real(p, line, key, &s, &nf->mlp.head_gain, e);
        nf->gnn.head_gain = nf->mlp.head_gain;
        break;
    default:
        break;
    }
    if (st != PESIM_OK)
        return st;
    return expect_end_of_line(p, line, key, s, e);
}

static pesim_status read_file(const char *path, net_file *nf, pesim_error *e)
{
    memset(nf, 0, sizeof *nf);
    nf->path = path;
    FILE *f = fopen(path, "r");
    if (!f)
        return pesim_error_set(e, PESIM_ERR_IO, path, 0, NULL, "cannot read: %s", strerror(errno));
    reader r = {f, NULL, 0, 0};
    pesim_status st = PESIM_OK;
    char *s = next_line(&r);
    int version = 0;
    if (!s || sscanf(s, "pesim-rl-net %d", &version) != 1) {
        st = pesim_error_set(e, PESIM_ERR_PARSE, path, s ? r.line : 0, NULL,
                             "not a pesim network file (the first line must be 'pesim-rl-net 1')");
        goto done;
    }
    if (version != NET_FORMAT_VERSION) {
        st = pesim_error_set(e, PESIM_ERR_INVALID, path, r.line, NULL,
                             "network file version %d, this pesim reads version %d", version, NET_FORMAT_VERSION);
        goto done;
    }
    /* the kind first: the meaning of `hidden` depends on it */
    s = next_line(&r);
    if (!s || strncmp(s, "kind ", 5) != 0) {
        st = pesim_error_set(e, PESIM_ERR_MISSING, path, r.line, "kind", "the second line must be 'kind mlp|gnn'");
        goto done;
    }
    if (strcmp(s + 5, "mlp") == 0)
        nf->kind = PESIM_RL_MLP;
    else if (strcmp(s + 5, "gnn") == 0)
        nf->kind = PESIM_RL_GNN;
    else {
        st = pesim_error_set(e, PESIM_ERR_RANGE, path, r.line, "kind", "unknown kind '%s' (mlp, gnn)", s + 5);
        goto done;
    }
    nf->line[K_KIND] = r.line;
    for (;;) {
        s = next_line(&r);
        if (!s) {
            st = pesim_error_set(e, PESIM_ERR_PARSE, path, r.line, "params", "the file ends before 'params'");
            goto done;
        }
        char *sp = strchr(s, ' ');
        size_t kl = sp ? (size_t)(sp - s) : strlen(s);
        if (kl == 6 && strncmp(s, "params", 6) == 0)
            break;
        int k = -1;
        for (int i = 0; i < K_COUNT; i++)
            if (strlen(key_names[i]) == kl && strncmp(s, key_names[i], kl) == 0)
                k = i;
        if (k < 0 || k == K_KIND || !key_used(nf->kind, k)) {
            st = pesim_error_set(e, PESIM_ERR_KEY, path, r.line, NULL, "unknown key '%.*s' for a %s network",
                                 (int)kl, s, nf->kind == PESIM_RL_MLP ? "mlp" : "gnn");
            goto done;
        }
        if (nf->line[k]) {
            st = pesim_error_set(e, PESIM_ERR_INVALID, path, r.line, key_names[k], "repeated (first on line %d)",
                                 nf->line[k]);
            goto done;
        }
        nf->line[k] = r.line;
        if (!sp) {
            st = pesim_error_set(e, PESIM_ERR_MISSING, path, r.line, key_names[k], "no value");
            goto done;
        }
        if ((st = parse_key(nf, k, sp + 1, r.line, e)) != PESIM_OK)
            goto done;
    }
    for (int k = 0; k < K_COUNT; k++)
        if (key_used(nf->kind, k) && !nf->line[k]) {
            st = pesim_error_set(e, PESIM_ERR_MISSING, path, r.line, key_names[k], "missing (before 'params')");
            goto done;
        }
    nf->params_line = r.line;
    {
        long long np;
        char *end;
        errno = 0;
        np = strtoll(s + 6, &end, 10);
        if (end == s + 6 || errno || np < 0 || np > ((long long)1 << 40)) {
            st = pesim_error_set(e, PESIM_ERR_RANGE, path, r.line, "params", "bad parameter count '%s'", s + 6);
            goto done;
        }
        nf->n_params = np;
    }
    nf->params = malloc((size_t)(nf->n_params > 0 ? nf->n_params : 1) * sizeof(double));
    if (!nf->params) {
        st = pesim_error_set(e, PESIM_ERR_NOMEM, path, r.line, "params", "out of memory");
        goto done;
    }
    for (int64_t i = 0; i < nf->n_params; i++) {
        s = next_line(&r);
        if (!s) {
            st = pesim_error_set(e, PESIM_ERR_PARSE, path, r.line, "params",
                                 "the file ends after %lld of %lld parameters (truncated?)", (long long)i,
                                 (long long)nf->n_params);
            goto done;
        }
        char *p = s;
        if ((st = parse_real(path, r.line, "params", &p, &nf->params[i], e)) != PESIM_OK ||
            (st = expect_end_of_line(path, r.line, "params", p, e)) != PESIM_OK)
            goto done;
    }
    s = next_line(&r);
    if (!s || strcmp(s, "end") != 0) {
        st = pesim_error_set(e, PESIM_ERR_PARSE, path, r.line, "end",
                             s ? "expected 'end' after the parameters, got '%s'" : "missing 'end' (truncated?)%s",
                             s ? s : "");
        goto done;
    }
done:
    free(r.buf);
    fclose(f);
    if (st != PESIM_OK)
        net_file_free(nf);
    return st;
}

/* The network a file describes (weights copied in). */
static pesim_status build_from_file(net_file *nf, pesim_rl_net **out, pesim_error *e)
{
    pesim_rl_net *n;
    pesim_status st = rl_net_build(nf->kind, &nf->mlp, &nf->gnn, nf->path, &n, e);
    if (st != PESIM_OK) {
        if (e && e->line == 0)
            e->line = line_of_check_key(nf, e->key);
        *out = NULL;
        return st;
    }
    if (n->n_params != nf->n_params) {
        long long want = (long long)n->n_params;
        pesim_rl_net_destroy(n);
        *out = NULL;
        return pesim_error_set(e, PESIM_ERR_INVALID, nf->path, nf->params_line, "params",
                               "the architecture has %lld parameters, the file gives %lld", want,
                               (long long)nf->n_params);
    }
    memcpy(n->params, nf->params, (size_t)n->n_params * sizeof(double));
    *out = n;
    return PESIM_OK;
}

pesim_status pesim_rl_net_load(const char *path, pesim_rl_net **out, pesim_error *e)
{
    *out = NULL;
    net_file nf;
    pesim_status st = read_file(path, &nf, e);
    if (st != PESIM_OK)
        return st;
    st = build_from_file(&nf, out, e);
    net_file_free(&nf);
    return st;
}

/* ------------------------------------------------------ load into a net */

static const char *act_name(pesim_rl_act a) { return a == PESIM_RL_RELU ? "relu" : "tanh"; }

/* The first architectural difference between the file's net f and n, as an
 * error; `adapt` skips the differences ADAPT bridges. */
static pesim_status compare(const net_file *nf, const pesim_rl_net *f, const pesim_rl_net *n, int adapt,
                            pesim_error *e)
{
    const char *p = nf->path;
    if (f->kind != n->kind)
        return pesim_error_set(e, PESIM_ERR_INVALID, p, nf->line[K_KIND], "kind",
                               "the file holds a %s, the network is a %s", f->kind == PESIM_RL_MLP ? "mlp" : "gnn",
                               n->kind == PESIM_RL_MLP ? "mlp" : "gnn");
    if (f->kind == PESIM_RL_MLP) {
        const pesim_rl_mlp_config *a = &f->mlp, *b = &n->mlp;
        if (a->act != b->act)
            return pesim_error_set(e, PESIM_ERR_INVALID, p, nf->line[K_ACT], "act", "file %s, network %s",
                                   act_name(a->act), act_name(b->act));
        if (a->n_hidden != b->n_hidden)
            return pesim_error_set(e, PESIM_ERR_INVALID, p, nf->line[K_HIDDEN], "hidden",
                                   "file %d hidden layers, network %d", (int)a->n_hidden, (int)b->n_hidden);
        for (int32_t l = 0; l < a->n_hidden; l++)
            if (a->hidden[l] != b->hidden[l])
                return pesim_error_set(e, PESIM_ERR_INVALID, p, nf->line[K_HIDDEN], "hidden",
                                       "hidden layer %d: file %d wide, network %d", (int)l, (int)a->hidden[l],
                                       (int)b->hidden[l]);
        if (adapt)
            return PESIM_OK;
        if (a->in_dim != b->in_dim)
            return pesim_error_set(e, PESIM_ERR_INVALID, p, nf->line[K_IN_DIM], "in_dim",
                                   "input size: file %d, network %d", (int)a->in_dim, (int)b->in_dim);
        if (a->n_heads != b->n_heads)
            return pesim_error_set(e, PESIM_ERR_INVALID, p, nf->line[K_HEADS], "heads", "file %d heads, network %d",
                                   (int)a->n_heads, (int)b->n_heads);
        for (int32_t h = 0; h < a->n_heads; h++)
            if (a->head_sizes[h] != b->head_sizes[h])
                return pesim_error_set(e, PESIM_ERR_INVALID, p, nf->line[K_HEADS], "heads",
                                       "head %d: file %d actions, network %d", (int)h, (int)a->head_sizes[h],
                                       (int)b->head_sizes[h]);
        if (a->n_values != b->n_values)
            return pesim_error_set(e, PESIM_ERR_INVALID, p, nf->line[K_VALUES], "values",
                                   "file %d value outputs, network %d", (int)a->n_values, (int)b->n_values);
    } else {
        const pesim_rl_gnn_config *a = &f->gnn, *b = &n->gnn;
        if (a->act != b->act)
            return pesim_error_set(e, PESIM_ERR_INVALID, p, nf->line[K_ACT], "act", "file %s, network %s",
                                   act_name(a->act), act_name(b->act));
        if (a->hidden != b->hidden)
            return pesim_error_set(e, PESIM_ERR_INVALID, p, nf->line[K_HIDDEN], "hidden",
                                   "file %d hidden units, network %d", (int)a->hidden, (int)b->hidden);
        if (a->depth != b->depth)
            return pesim_error_set(e, PESIM_ERR_INVALID, p, nf->line[K_DEPTH], "depth", "file depth %d, network %d",
                                   (int)a->depth, (int)b->depth);
        if (a->root_weight != b->root_weight)
            return pesim_error_set(e, PESIM_ERR_INVALID, p, nf->line[K_ROOT], "root_weight",
                                   "file root_weight %d, network %d", a->root_weight, b->root_weight);
        if (adapt)
            return PESIM_OK;
        if (a->in_features != b->in_features)
            return pesim_error_set(e, PESIM_ERR_INVALID, p, nf->line[K_IN_FEATURES], "in_features",
                                   "node features: file %d, network %d", (int)a->in_features, (int)b->in_features);
        if (a->ratio != b->ratio)
            return pesim_error_set(e, PESIM_ERR_INVALID, p, nf->line[K_RATIO], "ratio", "file %g, network %g",
                                   a->ratio, b->ratio);
        if (a->n_decisions != b->n_decisions)
            return pesim_error_set(e, PESIM_ERR_INVALID, p, nf->line[K_DECISIONS], "decisions",
                                   "file %d decisions per node, network %d", (int)a->n_decisions,
                                   (int)b->n_decisions);
        for (int32_t d = 0; d < a->n_decisions; d++)
            if (a->decision_sizes[d] != b->decision_sizes[d])
                return pesim_error_set(e, PESIM_ERR_INVALID, p, nf->line[K_DECISIONS], "decisions",
                                       "decision %d: file %d actions, network %d", (int)d,
                                       (int)a->decision_sizes[d], (int)b->decision_sizes[d]);
        if (a->n_values != b->n_values)
            return pesim_error_set(e, PESIM_ERR_INVALID, p, nf->line[K_VALUES], "values",
                                   "file %d value outputs, network %d", (int)a->n_values, (int)b->n_values);
    }
    return PESIM_OK;
}

/* ADAPT's row correspondence for an output tensor: the file's row for the
 * net's row r (-1: none). Logit rows go head by head (MLP) or decision by
 * decision (GNN), action by action; value rows by index. */
static int32_t out_row(const pesim_rl_net *f, const pesim_rl_net *n, const char *tname, int32_t r)
{
    if (n->kind == PESIM_RL_MLP) {
        if (strncmp(tname, "out.", 4) != 0)
            return r;
        const pesim_rl_mlp_config *a = &f->mlp, *b = &n->mlp;
        int32_t off_b = 0, off_a = 0;
        for (int32_t h = 0; h < b->n_heads; h++) {
            if (r < off_b + b->head_sizes[h]) {
                int32_t act = r - off_b;
                return h < a->n_heads && act < a->head_sizes[h] ? off_a + act : -1;
            }
            off_b += b->head_sizes[h];
            if (h < a->n_heads)
                off_a += a->head_sizes[h];
        }
        for (int32_t h = b->n_heads; h < a->n_heads; h++)
            off_a += a->head_sizes[h];
        int32_t v = r - off_b;
        return v < a->n_values ? off_a + v : -1;
    }
    if (strncmp(tname, "head.", 5) != 0)
        return r;  /* value rows map by index; the rest has equal shapes */
    const pesim_rl_gnn_config *a = &f->gnn, *b = &n->gnn;
    int32_t off_b = 0, off_a = 0;
    for (int32_t d = 0; d < b->n_decisions; d++) {
        if (r < off_b + b->decision_sizes[d]) {
            int32_t act = r - off_b;
            return d < a->n_decisions && act < a->decision_sizes[d] ? off_a + act : -1;
        }
        off_b += b->decision_sizes[d];
        if (d < a->n_decisions)
            off_a += a->decision_sizes[d];
    }
    return -1;
}

/* Copies the corresponding block of every tensor of f into n. */
static void adapt_copy(const pesim_rl_net *f, pesim_rl_net *n)
{
    for (int32_t t = 0; t < n->n_tensors; t++) {
        const rl_tensor_slot *tn = &n->tensors[t];
        int32_t ti = rl_net_find_tensor(f, tn->name);
        if (ti < 0)
            continue;
        const rl_tensor_slot *tf = &f->tensors[ti];
        int bias = strstr(tn->name, ".b") != NULL && tn->rows == 1;
        int32_t cols = tn->cols < tf->cols ? tn->cols : tf->cols;
        for (int32_t r = 0; r < tn->rows; r++) {
            if (bias) {
                /* a bias is one row; its entries follow the weight's rows */
                for (int32_t c = 0; c < tn->cols; c++) {
                    int32_t fr = out_row(f, n, tn->name, c);
                    if (fr >= 0 && fr < tf->cols)
                        n->params[tn->offset + c] = f->params[tf->offset + fr];
                }
                break;
            }
            int32_t fr = out_row(f, n, tn->name, r);
            if (fr < 0 || fr >= tf->rows)
                continue;
            memcpy(n->params + tn->offset + (int64_t)r * tn->cols, f->params + tf->offset + (int64_t)fr * tf->cols,
                   (size_t)cols * sizeof(double));
        }
    }
}

pesim_status pesim_rl_net_load_into(pesim_rl_net *n, const char *path, pesim_rl_load_mode mode, pesim_error *e)
{
    if (mode != PESIM_RL_LOAD_STRICT && mode != PESIM_RL_LOAD_ADAPT)
        return pesim_error_set(e, PESIM_ERR_RANGE, path, 0, NULL, "unknown load mode %d", (int)mode);
    net_file nf;
    pesim_status st = read_file(path, &nf, e);
    if (st != PESIM_OK)
        return st;
    pesim_rl_net *f = NULL;
    st = build_from_file(&nf, &f, e);
    if (st == PESIM_OK)
        st = compare(&nf, f, n, mode == PESIM_RL_LOAD_ADAPT, e);
    if (st == PESIM_OK) {
        if (mode == PESIM_RL_LOAD_STRICT)
            memcpy(n->params, f->params, (size_t)n->n_params * sizeof(double));
        else
            adapt_copy(f, n);
    }
    pesim_rl_net_destroy(f);
    net_file_free(&nf);
    return st;
}
