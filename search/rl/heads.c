/* search/rl/heads.c - categorical heads with action masks: the masked
 * softmax, picking actions, log-probabilities and entropies.
 *
 * A masked entry has probability 0 (its logit is ignored, as if it were
 * -infinity) and receives no gradient. A head whose mask allows nothing is
 * inactive in that row (its action is -1). */
#include <math.h>
#include <stdlib.h>

#include "heads_impl.h"

double rl_head_lse(const double *z, const uint8_t *m, int32_t n)
{
    double mx = -INFINITY;
    for (int32_t j = 0; j < n; j++)
        if ((!m || m[j]) && z[j] > mx)
            mx = z[j];
    if (mx == -INFINITY)
        return -INFINITY;
    double s = 0;
    for (int32_t j = 0; j < n; j++)
        if (!m || m[j])
            s += exp(z[j] - mx);
    return mx + log(s);
}

double rl_head_entropy(const double *z, const uint8_t *m, int32_t n, double lse)
{
    double H = 0;
    for (int32_t j = 0; j < n; j++)
        if (!m || m[j]) {
            double lp = z[j] - lse;
            H -= exp(lp) * lp;
        }
    return H;
}

int32_t pesim_rl_softmax(const double *z, const uint8_t *mask, int32_t n, double temperature, double *p)
{
    double mx = -INFINITY;
    int32_t allowed = 0;
    for (int32_t j = 0; j < n; j++)
        if (!mask || mask[j]) {
            allowed++;
            if (z[j] / temperature > mx)
                mx = z[j] / temperature;
        }
    double s = 0;
    for (int32_t j = 0; j < n; j++) {
        p[j] = (!mask || mask[j]) ? exp(z[j] / temperature - mx) : 0;
        s += p[j];
    }
    for (int32_t j = 0; allowed && j < n; j++)
        p[j] /= s;
    return allowed;
}

int32_t pesim_rl_sample_index(const double *p, int32_t n, gsl_rng *rng)
{
    int32_t last = -1;
    for (int32_t j = 0; j < n; j++)
        if (p[j] > 0)
            last = j;
    if (last < 0)
        return -1;
    double u = gsl_rng_uniform(rng), c = 0;
    for (int32_t j = 0; j < last; j++) {
        c += p[j];
        if (u < c && p[j] > 0)
            return j;
    }
    return last;  /* what rounding leaves over goes to the last possible entry */
}

/* A draw from the masked softmax of z without building p. */
static int32_t sample_head(const double *z, const uint8_t *m, int32_t n, double lse, gsl_rng *rng)
{
    int32_t last = -1;
    for (int32_t j = 0; j < n; j++)
        if (!m || m[j])
            last = j;
    double u = gsl_rng_uniform(rng), c = 0;
    for (int32_t j = 0; j < last; j++) {
        if (m && !m[j])
            continue;
        c += exp(z[j] - lse);
        if (u < c)
            return j;
    }
    return last;
}

void pesim_rl_heads_pick(const pesim_rl_layout *L, const double *out, const uint8_t *mask, int32_t batch,
                         pesim_rl_pick pick, gsl_rng *rng, int32_t *actions, double *logp)
{
    for (int32_t b = 0; b < batch; b++) {
        const double *row = out + (int64_t)b * L->out_dim;
        const uint8_t *mrow = mask ? mask + (int64_t)b * L->n_logits : NULL;
        double lp = 0;
        for (int32_t h = 0; h < L->n_heads; h++) {
            const double *z = row + L->head_offset[h];
            const uint8_t *m = mrow ? mrow + L->head_offset[h] : NULL;
            int32_t n = L->head_size[h];
            double lse = rl_head_lse(z, m, n);
            int32_t a = -1;
            if (lse > -INFINITY) {
                if (pick == PESIM_RL_GREEDY) {
                    for (int32_t j = 0; j < n; j++)
                        if ((!m || m[j]) && (a < 0 || z[j] > z[a]))
                            a = j;
                } else {
                    a = sample_head(z, m, n, lse, rng);
                }
                lp += z[a] - lse;
            }
            actions[(int64_t)b * L->n_heads + h] = a;
        }
        if (logp)
            logp[b] = lp;
    }
}

pesim_status pesim_rl_net_act(pesim_rl_net *n, const double *obs, const uint8_t *mask, int32_t batch,
                              pesim_rl_pick pick, gsl_rng *rng, int32_t *actions, double *logp,
                              double *out_buf, pesim_error *e)
{
    const pesim_rl_layout *L = pesim_rl_net_layout(n);
    double *out = out_buf;
    if (!out) {
        out = malloc((size_t)(batch > 0 ? batch : 1) * (size_t)(L->out_dim > 0 ? L->out_dim : 1) * sizeof *out);
        if (!out)
            return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    }
    pesim_status st = pesim_rl_net_forward(n, obs, batch, out, e);
    if (st == PESIM_OK)
        pesim_rl_heads_pick(pesim_rl_net_layout(n), out, mask, batch, pick, rng, actions, logp);
    if (!out_buf)
        free(out);
    return st;
}

pesim_status pesim_rl_heads_logp(const pesim_rl_layout *L, const double *out, const uint8_t *mask,
                                 const int32_t *actions, int32_t batch, double *logp, double *entropy,
                                 pesim_error *e)
{
    for (int32_t b = 0; b < batch; b++) {
        const double *row = out + (int64_t)b * L->out_dim;
        const uint8_t *mrow = mask ? mask + (int64_t)b * L->n_logits : NULL;
        double lp = 0, H = 0;
        for (int32_t h = 0; h < L->n_heads; h++) {
            int32_t a = actions[(int64_t)b * L->n_heads + h];
            if (a == -1)
                continue;
            const double *z = row + L->head_offset[h];
            const uint8_t *m = mrow ? mrow + L->head_offset[h] : NULL;
            if (a < 0 || a >= L->head_size[h] || (m && !m[a]))
                return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "actions",
                                       "row %d head %d: action %d is %s", (int)b, (int)h, (int)a,
                                       a < 0 || a >= L->head_size[h] ? "out of range" : "masked");
            double lse = rl_head_lse(z, m, L->head_size[h]);
            lp += z[a] - lse;
            if (entropy)
                H += rl_head_entropy(z, m, L->head_size[h], lse);
        }
        logp[b] = lp;
        if (entropy)
            entropy[b] = H;
    }
    return PESIM_OK;
}
