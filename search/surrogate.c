/* search/surrogate.c - the ensemble of XGBoost regressors of
 * pesim/surrogate.h (bootstrap weights, column subsampling, mean and
 * spread), and its byte form.
 *
 * Byte form (little-endian host layout, version 1): "PSUR", u32 version,
 * i32 n_features, the options, i64 n_samples, the samples (x as doubles,
 * then y), u64 rng state size and the mt19937 state, i32 fitted, then per
 * member u64 length and the model's UBJSON bytes (when fitted). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <xgboost/c_api.h>

#include "algo_impl.h"
#include "pesim/surrogate.h"

struct pesim_surrogate {
    int32_t nf;
    pesim_surrogate_options o;
    gsl_rng *rng;              /* bootstrap counts and member seeds */
    int64_t n, cap;
    double *x, *y;             /* cap x nf, cap */
    int fitted;
    BoosterHandle *member;     /* o.members, NULL until fitted */
};

void pesim_surrogate_options_default(pesim_surrogate_options *o)
{
    memset(o, 0, sizeof *o);
    o->members = 5;
    o->rounds = 60;
    o->max_depth = 4;
    o->eta = 0.15;
    o->colsample = 0.8;
    o->bootstrap = 1;
}

static pesim_status xgb_fail(pesim_error *e, const char *what)
{
    return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "xgboost", "%s: %s", what, XGBGetLastError());
}

static void free_members(pesim_surrogate *s)
{
    for (int32_t m = 0; s->member && m < s->o.members; m++)
        if (s->member[m]) XGBoosterFree(s->member[m]);
    if (s->member) memset(s->member, 0, (size_t)s->o.members * sizeof *s->member);
    s->fitted = 0;
}

void pesim_surrogate_destroy(pesim_surrogate *s)
{
    if (!s) return;
    free_members(s);
    free(s->member);
    free(s->x);
    free(s->y);
    if (s->rng) gsl_rng_free(s->rng);
    free(s);
}

pesim_status pesim_surrogate_create(int32_t n_features, const pesim_surrogate_options *opt, pesim_surrogate **out,
                                    pesim_error *e)
{
    *out = NULL;
    pesim_surrogate_options o;
    pesim_surrogate_options_default(&o);
    if (opt) {
        o.seed = opt->seed;
        o.bootstrap = opt->bootstrap;
        if (opt->members) o.members = opt->members;
        if (opt->rounds) o.rounds = opt->rounds;
        if (opt->max_depth) o.max_depth = opt->max_depth;
        if (opt->eta != 0) o.eta = opt->eta;
        if (opt->colsample != 0) o.colsample = opt->colsample;
    }
    if (n_features < 1)
        return pesim_error_set(e, PESIM_ERR_RANGE, NULL, 0, "n_features", "expected >= 1, got %d", n_features);
    if (o.members < 1 || o.members > 1000)
        return pesim_error_set(e, PESIM_ERR_RANGE, NULL, 0, "members", "expected 1..1000, got %d", o.members);
    if (o.rounds < 1 || o.rounds > 100000)
        return pesim_error_set(e, PESIM_ERR_RANGE, NULL, 0, "rounds", "expected 1..100000, got %d", o.rounds);
    if (o.max_depth < 1 || o.max_depth > 30)
        return pesim_error_set(e, PESIM_ERR_RANGE, NULL, 0, "max_depth", "expected 1..30, got %d", o.max_depth);
    if (!(o.eta > 0 && o.eta <= 1))
        return pesim_error_set(e, PESIM_ERR_RANGE, NULL, 0, "eta", "expected (0, 1], got %g", o.eta);
    if (!(o.colsample > 0 && o.colsample <= 1))
        return pesim_error_set(e, PESIM_ERR_RANGE, NULL, 0, "colsample", "expected (0, 1], got %g", o.colsample);
    pesim_surrogate *s = calloc(1, sizeof *s);
    if (!s) return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    s->nf = n_features;
    s->o = o;
    s->rng = algo_rng_create(o.seed);
    s->member = calloc((size_t)o.members, sizeof *s->member);
    if (!s->rng || !s->member) {
        pesim_surrogate_destroy(s);
        return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    }
    *out = s;
    return PESIM_OK;
}

int32_t pesim_surrogate_n_features(const pesim_surrogate *s) { return s->nf; }
int64_t pesim_surrogate_n_samples(const pesim_surrogate *s) { return s->n; }
int pesim_surrogate_fitted(const pesim_surrogate *s) { return s->fitted; }

pesim_status pesim_surrogate_add(pesim_surrogate *s, const double *x, const double *y, int32_t n, pesim_error *e)
{
    if (n < 0) return pesim_error_set(e, PESIM_ERR_RANGE, NULL, 0, "n", "negative count %d", n);
    for (int64_t i = 0; i < (int64_t)n * s->nf; i++)
        if (!isfinite(x[i]))
            return pesim_error_set(e, PESIM_ERR_RANGE, NULL, 0, "x", "sample %lld: feature %lld is not finite",
                                   (long long)(i / s->nf), (long long)(i % s->nf));
    for (int32_t i = 0; i < n; i++)
        if (!isfinite(y[i])) return pesim_error_set(e, PESIM_ERR_RANGE, NULL, 0, "y", "sample %d is not finite", i);
    if (n == 0) return PESIM_OK;
    if (s->n + n > s->cap) {
        int64_t cap = s->cap ? s->cap : 64;
        while (cap < s->n + n) cap *= 2;
        double *nx = realloc(s->x, (size_t)cap * (size_t)s->nf * sizeof *nx);
        if (!nx) return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        s->x = nx;
        double *ny = realloc(s->y, (size_t)cap * sizeof *ny);
        if (!ny) return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        s->y = ny;
        s->cap = cap;
    }
    memcpy(s->x + (size_t)s->n * (size_t)s->nf, x, (size_t)n * (size_t)s->nf * sizeof *x);
    memcpy(s->y + s->n, y, (size_t)n * sizeof *y);
    s->n += n;
    return PESIM_OK;
}

/* A DMatrix of n rows of doubles (XGBoost takes floats). */
static pesim_status make_dmatrix(const double *x, int64_t n, int32_t nf, DMatrixHandle *out, pesim_error *e)
{
    float *f = malloc((size_t)(n > 0 ? n : 1) * (size_t)nf * sizeof *f);
    if (!f) return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    for (int64_t i = 0; i < n * nf; i++) f[i] = (float)x[i];
    int rc = XGDMatrixCreateFromMat(f, (bst_ulong)n, (bst_ulong)nf, NAN, out);
    free(f);
    return rc ? xgb_fail(e, "creating a matrix") : PESIM_OK;
}

/* Parameters every member gets (also after a load: they are not saved). */
static int set_params(BoosterHandle b, const pesim_surrogate_options *o, unsigned long seed)
{
    char buf[64];
    int rc = XGBoosterSetParam(b, "verbosity", "0");
    rc |= XGBoosterSetParam(b, "nthread", "1");
    rc |= XGBoosterSetParam(b, "tree_method", "exact");
    rc |= XGBoosterSetParam(b, "objective", "reg:squarederror");
    snprintf(buf, sizeof buf, "%d", o->max_depth);
    rc |= XGBoosterSetParam(b, "max_depth", buf);
    snprintf(buf, sizeof buf, "%.17g", o->eta);
    rc |= XGBoosterSetParam(b, "eta", buf);
    snprintf(buf, sizeof buf, "%.17g", o->colsample);
    rc |= XGBoosterSetParam(b, "colsample_bytree", buf);
    snprintf(buf, sizeof buf, "%lu", seed);
    rc |= XGBoosterSetParam(b, "seed", buf);
    return rc;
}

pesim_status pesim_surrogate_fit(pesim_surrogate *s, pesim_error *e)
{
    if (s->n < 1) return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, NULL, "surrogate: no sample to fit");
    free_members(s);
    DMatrixHandle d = NULL;
    pesim_status st = make_dmatrix(s->x, s->n, s->nf, &d, e);
    if (st != PESIM_OK) return st;
    float *label = malloc((size_t)s->n * sizeof *label), *w = malloc((size_t)s->n * sizeof *w);
    double *p = malloc((size_t)s->n * sizeof *p);
    unsigned int *cnt = malloc((size_t)s->n * sizeof *cnt);
    if (!label || !w || !p || !cnt) {
        st = pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        goto done;
    }
    double ymean = 0;
    for (int64_t i = 0; i < s->n; i++) label[i] = (float)s->y[i], p[i] = 1.0 / (double)s->n, ymean += s->y[i];
    ymean /= (double)s->n;
    char base[32];
    snprintf(base, sizeof base, "%.9g", ymean); /* boosting starts from the mean label, not XGBoost's 0.5 */
    if (XGDMatrixSetFloatInfo(d, "label", label, (bst_ulong)s->n)) {
        st = xgb_fail(e, "setting labels");
        goto done;
    }
    for (int32_t m = 0; m < s->o.members; m++) {
        unsigned long seed = gsl_rng_get(s->rng);
        if (s->o.bootstrap && s->n > 1) {
            gsl_ran_multinomial(s->rng, (size_t)s->n, (unsigned int)s->n, p, cnt);
            for (int64_t i = 0; i < s->n; i++) w[i] = (float)cnt[i];
        } else {
            for (int64_t i = 0; i < s->n; i++) w[i] = 1.0f;
        }
        if (XGDMatrixSetFloatInfo(d, "weight", w, (bst_ulong)s->n)) {
            st = xgb_fail(e, "setting weights");
            goto done;
        }
        if (XGBoosterCreate(&d, 1, &s->member[m]) || set_params(s->member[m], &s->o, seed) ||
            XGBoosterSetParam(s->member[m], "base_score", base)) {
            st = xgb_fail(e, "creating a booster");
            goto done;
        }
        for (int32_t r = 0; r < s->o.rounds; r++)
            if (XGBoosterUpdateOneIter(s->member[m], r, d)) {
                st = xgb_fail(e, "boosting");
                goto done;
            }
    }
    s->fitted = 1;
done:
    if (st != PESIM_OK) free_members(s);
    XGDMatrixFree(d);
    free(label);
    free(w);
    free(p);
    free(cnt);
    return st;
}

pesim_status pesim_surrogate_predict(pesim_surrogate *s, const double *x, int32_t n, double *mean, double *sd,
                                     pesim_error *e)
{
    if (!s->fitted) return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, NULL, "surrogate: not fitted");
    if (n < 1) return PESIM_OK;
    DMatrixHandle d = NULL;
    pesim_status st = make_dmatrix(x, n, s->nf, &d, e);
    if (st != PESIM_OK) return st;
    double *sum2 = calloc((size_t)n, sizeof *sum2);
    if (!sum2) {
        XGDMatrixFree(d);
        return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    }
    for (int32_t i = 0; i < n; i++) mean[i] = 0;
    for (int32_t m = 0; m < s->o.members; m++) {
        bst_ulong len = 0;
        const float *out = NULL;
        if (XGBoosterPredict(s->member[m], d, 0, 0, 0, &len, &out) || len != (bst_ulong)n) {
            st = xgb_fail(e, "predicting");
            break;
        }
        for (int32_t i = 0; i < n; i++) mean[i] += out[i], sum2[i] += (double)out[i] * out[i];
    }
    for (int32_t i = 0; st == PESIM_OK && i < n; i++) {
        double k = s->o.members;
        mean[i] /= k;
        if (sd) {
            double v = sum2[i] / k - mean[i] * mean[i];
            sd[i] = v > 0 ? sqrt(v) : 0;
        }
    }
    free(sum2);
    XGDMatrixFree(d);
    return st;
}

pesim_status pesim_surrogate_rmse(pesim_surrogate *s, const double *x, const double *y, int32_t n, double *rmse,
                                  pesim_error *e)
{
    if (n < 1) return pesim_error_set(e, PESIM_ERR_RANGE, NULL, 0, "n", "no sample to score");
    double *m = malloc((size_t)n * sizeof *m);
    if (!m) return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    pesim_status st = pesim_surrogate_predict(s, x, n, m, NULL, e);
    double acc = 0;
    for (int32_t i = 0; st == PESIM_OK && i < n; i++) acc += (m[i] - y[i]) * (m[i] - y[i]);
    if (st == PESIM_OK) *rmse = sqrt(acc / n);
    free(m);
    return st;
}

/* ------------------------------------------------------------ byte form */

typedef struct wbuf {
    unsigned char *p;
    size_t len, cap;
    int oom;
} wbuf;

static void put(wbuf *b, const void *src, size_t n)
{
    if (b->oom || n == 0) return;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n) cap *= 2;
        unsigned char *q = realloc(b->p, cap);
        if (!q) {
            b->oom = 1;
            return;
        }
        b->p = q, b->cap = cap;
    }
    memcpy(b->p + b->len, src, n);
    b->len += n;
}

#define SUR_MAGIC "PSUR"
#define SUR_VERSION 1u

pesim_status pesim_surrogate_save(const pesim_surrogate *s, unsigned char **buf, size_t *len, pesim_error *e)
{
    *buf = NULL, *len = 0;
    wbuf b = {0};
    uint32_t ver = SUR_VERSION;
    put(&b, SUR_MAGIC, 4);
    put(&b, &ver, sizeof ver);
    put(&b, &s->nf, sizeof s->nf);
    put(&b, &s->o, sizeof s->o);
    put(&b, &s->n, sizeof s->n);
    put(&b, s->x, (size_t)s->n * (size_t)s->nf * sizeof *s->x);
    put(&b, s->y, (size_t)s->n * sizeof *s->y);
    uint64_t rs = gsl_rng_size(s->rng);
    put(&b, &rs, sizeof rs);
    put(&b, gsl_rng_state(s->rng), (size_t)rs);
    int32_t fitted = s->fitted;
    put(&b, &fitted, sizeof fitted);
    for (int32_t m = 0; fitted && m < s->o.members; m++) {
        bst_ulong ml = 0;
        const char *mp = NULL;
        if (XGBoosterSaveModelToBuffer(s->member[m], "{\"format\": \"ubj\"}", &ml, &mp)) {
            free(b.p);
            return xgb_fail(e, "saving a model");
        }
        uint64_t l64 = ml;
        put(&b, &l64, sizeof l64);
        put(&b, mp, (size_t)ml);
    }
    if (b.oom) {
        free(b.p);
        return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    }
    *buf = b.p, *len = b.len;
    return PESIM_OK;
}

static int get(const unsigned char *buf, size_t len, size_t *at, void *dst, size_t n)
{
    if (n > len - *at) return 0;
    if (n == 0) return 1;
    memcpy(dst, buf + *at, n);
    *at += n;
    return 1;
}

pesim_status pesim_surrogate_load(const unsigned char *buf, size_t len, pesim_surrogate **out, pesim_error *e)
{
    *out = NULL;
    size_t at = 0;
    char magic[4];
    uint32_t ver = 0;
    int32_t nf = 0;
    pesim_surrogate_options o;
    int64_t n = 0;
    if (!get(buf, len, &at, magic, 4) || memcmp(magic, SUR_MAGIC, 4) || !get(buf, len, &at, &ver, sizeof ver) ||
        ver != SUR_VERSION || !get(buf, len, &at, &nf, sizeof nf) || !get(buf, len, &at, &o, sizeof o) ||
        !get(buf, len, &at, &n, sizeof n) || n < 0 || nf < 1 || (uint64_t)n > len / sizeof(double) / (uint64_t)nf)
        return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "surrogate", "not a surrogate (version %u) byte form",
                               SUR_VERSION);
    pesim_surrogate *s = NULL;
    pesim_status st = pesim_surrogate_create(nf, &o, &s, e);
    if (st != PESIM_OK) return st;
    double *x = malloc((size_t)(n ? n : 1) * (size_t)nf * sizeof *x), *y = malloc((size_t)(n ? n : 1) * sizeof *y);
    uint64_t rs = 0;
    int32_t fitted = 0;
    int ok = x && y && get(buf, len, &at, x, (size_t)n * (size_t)nf * sizeof *x) &&
             get(buf, len, &at, y, (size_t)n * sizeof *y) && get(buf, len, &at, &rs, sizeof rs) &&
             rs == gsl_rng_size(s->rng) && get(buf, len, &at, gsl_rng_state(s->rng), (size_t)rs) &&
             get(buf, len, &at, &fitted, sizeof fitted);
    if (ok) st = pesim_surrogate_add(s, x, y, (int32_t)n, e);
    free(x);
    free(y);
    for (int32_t m = 0; ok && st == PESIM_OK && fitted && m < o.members; m++) {
        uint64_t ml = 0;
        ok = get(buf, len, &at, &ml, sizeof ml) && ml <= len - at;
        if (!ok) break;
        if (XGBoosterCreate(NULL, 0, &s->member[m]) ||
            XGBoosterLoadModelFromBuffer(s->member[m], buf + at, (bst_ulong)ml) ||
            set_params(s->member[m], &s->o, 0))
            st = xgb_fail(e, "loading a model");
        at += ml;
    }
    if (st == PESIM_OK && !ok)
        st = pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "surrogate", "truncated surrogate byte form");
    if (st != PESIM_OK) {
        pesim_surrogate_destroy(s);
        return st;
    }
    s->fitted = fitted != 0;
    *out = s;
    return PESIM_OK;
}
