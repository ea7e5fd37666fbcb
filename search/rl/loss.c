/* search/rl/loss.c - the learners' losses and their gradients with respect
 * to a network's output row (docs/rl.md gives the maths).
 *
 * For a head with masked softmax p (log p_j = z_j - lse):
 *   d log p_a / d z_j = [j = a] - p_j
 *   d H / d z_j       = -p_j (log p_j + H)
 *   d/dz_j sum_k p_k f_k (with f independent of z) = p_j (f_j - E_p f).
 * Masked entries get no gradient. */
#include <math.h>

#include "heads_impl.h"

double pesim_rl_loss_policy(const pesim_rl_layout *L, const double *out, const uint8_t *mask,
                            const int32_t *actions, const double *adv, const double *logp_old, double clip,
                            double entropy_coef, int32_t batch, double *dout, pesim_rl_pg_loss_stats *stats)
{
    double loss = 0, ent = 0, kl = 0;
    int32_t clipped = 0;
    if (batch <= 0) {
        if (stats)
            stats->entropy = stats->approx_kl = stats->clip_fraction = 0;
        return 0;
    }
    double inv = 1.0 / batch;
    for (int32_t b = 0; b < batch; b++) {
        const double *row = out + (int64_t)b * L->out_dim;
        double *drow = dout + (int64_t)b * L->out_dim;
        const uint8_t *mrow = mask ? mask + (int64_t)b * L->n_logits : NULL;
        const int32_t *act = actions + (int64_t)b * L->n_heads;
        /* first pass: the row's log-probability and entropy */
        double lp = 0, H = 0;
        for (int32_t h = 0; h < L->n_heads; h++) {
            if (act[h] < 0)
                continue;
            const double *z = row + L->head_offset[h];
            const uint8_t *m = mrow ? mrow + L->head_offset[h] : NULL;
            double lse = rl_head_lse(z, m, L->head_size[h]);
            lp += z[act[h]] - lse;
            H += rl_head_entropy(z, m, L->head_size[h], lse);
        }
        /* d loss_b / d logp_b */
        double A = adv[b], glp;
        if (!logp_old) {
            loss += -A * lp;
            glp = -A;
        } else {
            double r = exp(lp - logp_old[b]);
            double rc = r < 1 - clip ? 1 - clip : r > 1 + clip ? 1 + clip : r;
            double s1 = r * A, s2 = rc * A;
            int is_clipped = s2 < s1;
            loss += -(is_clipped ? s2 : s1);
            glp = is_clipped ? 0 : -A * r;
            clipped += (r < 1 - clip || r > 1 + clip);
            kl += logp_old[b] - lp;
        }
        loss -= entropy_coef * H;
        ent += H;
        /* second pass: the gradient on the logits of the heads that acted */
        for (int32_t h = 0; h < L->n_heads; h++) {
            if (act[h] < 0)
                continue;
            const double *z = row + L->head_offset[h];
            const uint8_t *m = mrow ? mrow + L->head_offset[h] : NULL;
            int32_t n = L->head_size[h];
            double lse = rl_head_lse(z, m, n);
            double Hh = rl_head_entropy(z, m, n, lse);
            double *dz = drow + L->head_offset[h];
            for (int32_t j = 0; j < n; j++) {
                if (m && !m[j])
                    continue;
                double lpj = z[j] - lse, pj = exp(lpj);
                double g = glp * ((j == act[h]) - pj) + entropy_coef * pj * (lpj + Hh);
                dz[j] += g * inv;
            }
        }
    }
    if (stats) {
        stats->entropy = ent * inv;
        stats->approx_kl = kl * inv;
        stats->clip_fraction = (double)clipped * inv;
    }
    return loss * inv;
}

double pesim_rl_loss_value(const pesim_rl_layout *L, const double *out, int32_t index, const double *target,
                           double coef, int32_t batch, double *dout)
{
    if (batch <= 0)
        return 0;
    double loss = 0;
    int64_t col = L->n_logits + index;
    for (int32_t b = 0; b < batch; b++) {
        double d = out[(int64_t)b * L->out_dim + col] - target[b];
        loss += 0.5 * d * d;
        dout[(int64_t)b * L->out_dim + col] += coef * d / batch;
    }
    return coef * loss / batch;
}

double pesim_rl_loss_sac_actor(const pesim_rl_layout *L, const double *out, const uint8_t *mask,
                               const double *q1, const double *q2, double alpha, int32_t batch, double *dout)
{
    if (batch <= 0)
        return 0;
    double loss = 0, inv = 1.0 / batch;
    for (int32_t b = 0; b < batch; b++) {
        int64_t ro = (int64_t)b * L->out_dim;
        const uint8_t *mrow = mask ? mask + (int64_t)b * L->n_logits : NULL;
        for (int32_t h = 0; h < L->n_heads; h++) {
            int32_t off = L->head_offset[h], n = L->head_size[h];
            const double *z = out + ro + off, *qa = q1 + ro + off, *qb = q2 + ro + off;
            const uint8_t *m = mrow ? mrow + off : NULL;
            double lse = rl_head_lse(z, m, n);
            if (lse == -INFINITY)
                continue;  /* an inactive head */
            double Ef = 0;
            for (int32_t j = 0; j < n; j++)
                if (!m || m[j]) {
                    double lpj = z[j] - lse, qm = qa[j] < qb[j] ? qa[j] : qb[j];
                    Ef += exp(lpj) * (alpha * lpj - qm);
                }
            loss += Ef;
            double *dz = dout + ro + off;
            for (int32_t j = 0; j < n; j++)
                if (!m || m[j]) {
                    double lpj = z[j] - lse, qm = qa[j] < qb[j] ? qa[j] : qb[j];
                    dz[j] += exp(lpj) * (alpha * lpj - qm - Ef) * inv;
                }
        }
    }
    return loss * inv;
}

double pesim_rl_loss_sac_critic(const pesim_rl_layout *L, const double *q, const int32_t *actions,
                                const double *target, int32_t batch, double *dq)
{
    int64_t count = 0;
    for (int64_t i = 0; i < (int64_t)batch * L->n_heads; i++)
        count += actions[i] >= 0;
    if (count == 0)
        return 0;
    double loss = 0, inv = 1.0 / (double)count;
    for (int32_t b = 0; b < batch; b++)
        for (int32_t h = 0; h < L->n_heads; h++) {
            int32_t a = actions[(int64_t)b * L->n_heads + h];
            if (a < 0)
                continue;
            int64_t k = (int64_t)b * L->out_dim + L->head_offset[h] + a;
            double d = q[k] - target[b];
            loss += 0.5 * d * d;
            dq[k] += d * inv;
        }
    return loss * inv;
}

double pesim_rl_loss_sac_critic_sum(const pesim_rl_layout *L, const double *q, const int32_t *actions,
                                    const double *target, int32_t batch, double *dq)
{
    int32_t rows = 0;
    for (int32_t b = 0; b < batch; b++)
        for (int32_t h = 0; h < L->n_heads; h++)
            if (actions[(int64_t)b * L->n_heads + h] >= 0) {
                rows++;
                break;
            }
    if (rows == 0)
        return 0;
    double loss = 0, inv = 1.0 / rows;
    for (int32_t b = 0; b < batch; b++) {
        const int32_t *act = actions + (int64_t)b * L->n_heads;
        const double *row = q + (int64_t)b * L->out_dim;
        double sum = 0;
        int any = 0;
        for (int32_t h = 0; h < L->n_heads; h++)
            if (act[h] >= 0)
                sum += row[L->head_offset[h] + act[h]], any = 1;
        if (!any)
            continue;
        double d = sum - target[b];
        loss += 0.5 * d * d;
        for (int32_t h = 0; h < L->n_heads; h++)
            if (act[h] >= 0)
                dq[(int64_t)b * L->out_dim + L->head_offset[h] + act[h]] += d * inv;
    }
    return loss * inv;
}
