// sim/systemc/loopnest.cpp - see loopnest.h.
#include "loopnest.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <set>

namespace pesim_sc {

namespace {

constexpr int kG = PESIM_DIM_G, kN = PESIM_DIM_N, kK = PESIM_DIM_K, kC = PESIM_DIM_C, kP = PESIM_DIM_P,
              kQ = PESIM_DIM_Q, kR = PESIM_DIM_R, kS = PESIM_DIM_S;

// Which dims a tensor's elements depend on (docs/model.md section 1).
bool depends(int t, int d)
{
    switch (t) {
    case PESIM_WEIGHTS: return d == kG || d == kK || d == kC || d == kR || d == kS;
    case PESIM_OUTPUTS: return d == kG || d == kN || d == kK || d == kP || d == kQ;
    default: return d != kK;
    }
}

bool window_dim(int d) { return d == kP || d == kQ || d == kR || d == kS; }

// Sorted, distinct values.
void normalise(std::vector<int64_t> &v)
{
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
}

int64_t span(const std::vector<int64_t> &v) { return v.empty() ? 0 : v.back() - v.front() + 1; }

// |a \ b| of sorted sets.
int64_t minus_size(const std::vector<int64_t> &a, const std::vector<int64_t> &b)
{
    int64_t n = 0;
    size_t j = 0;
    for (int64_t x : a) {
        while (j < b.size() && b[j] < x) j++;
        if (j == b.size() || b[j] != x) n++;
    }
    return n;
}

// "timeloop": what is left of the new span [nl, nh] when the previous one
// [pl, ph] moved along this axis only (docs/model.md section 6, (H)): the
// part past the old span when they overlap and the new one does not start
// before it; the whole new span otherwise.
int64_t span_delta(const std::vector<int64_t> &nw, const std::vector<int64_t> &pv)
{
    if (nw.empty() || pv.empty()) return span(nw);
    int64_t nl = nw.front(), nh = nw.back(), pl = pv.front(), ph = pv.back();
    if (nl == pl && nh == ph) return 0;
    if (ph < nl || pl > nh) return nh - nl + 1;
    if (pl <= nl) return ph >= nh ? 0 : nh - ph;
    return ph < nh ? nh - nl + 1 : pl - nl;
}

// The same rule for a subtree's values (the set closed into its span):
// the new values past the old span, or all of them.
std::vector<int64_t> span_delta_set(const std::vector<int64_t> &nw, const std::vector<int64_t> &pv)
{
    if (nw == pv) return {};
    if (nw.empty() || pv.empty()) return nw;
    int64_t nl = nw.front(), nh = nw.back(), pl = pv.front(), ph = pv.back();
    if (ph < nl || pl > nh || pl > nl) return nw;
    std::vector<int64_t> d;
    for (int64_t x = ph + 1; x <= nh; x++) d.push_back(x);
    return d;
}

}  // namespace

void LoopNest::init(const pesim_arch *a, const pesim_layer *l, const pesim_mapping *m, bool networks)
{
    a_ = a, l_ = l, m_ = m;
    networks_ = networks;
    M_ = a->n_levels;
    nd_ = 2 * M_;
    for (int d = 0; d < PESIM_NDIMS; d++) {
        bound_[d] = l->dim[d];
        weight_[d][0] = 1;
        for (int lv = 0; lv < M_; lv++) {
            radix_[d][2 * lv] = m->level[lv].spatial_x[d] * m->level[lv].spatial_y[d];
            radix_[d][2 * lv + 1] = m->level[lv].temporal[d];
        }
        for (int k = 0; k < nd_; k++) weight_[d][k + 1] = weight_[d][k] * radix_[d][k];
    }
    // The temporal loops that run (a factor > 1 whose index can be past 0
    // inside the bound), outermost first.
    loops_.clear();
    for (int lv = M_ - 1; lv >= 0; lv--)
        for (int i = 0; i < PESIM_NDIMS; i++) {
            int d = m->level[lv].order[i];
            int64_t f = m->level[lv].temporal[d], w = weight_[d][2 * lv + 1];
            if (f > 1 && w < bound_[d]) loops_.push_back(Loop{lv, d, f, w});
        }
    // Pairs, outermost parent first.
    pairs_.clear(), info_.clear(), pinst_.clear();
    for (int p = M_ - 1; p >= 0; p--)
        for (int t = 0; t < PESIM_NTENSORS; t++) {
            if (!pesim_mapping_keeps(a, m, p, (pesim_tensor)t)) continue;
            int c = p - 1;
            while (c >= 0 && !pesim_mapping_keeps(a, m, c, (pesim_tensor)t)) c--;
            PairInfo pi;
            pi.np = NestPair{(int8_t)t, (int8_t)c, (int8_t)p};
            pairs_.push_back(pi.np);
            info_.push_back(pi);
            int64_t n = 1;  // the parent's instances: the spatial factors above it
            for (int lv = p + 1; lv < M_; lv++)
                for (int d = 0; d < PESIM_NDIMS; d++) n *= radix_[d][2 * lv];
            pinst_.push_back(n);
        }
    J_ = 0;
    const bool tl = a->conventions == PESIM_CONV_TIMELOOP;
    for (PairInfo &pi : info_) {
        const int t = pi.np.tensor, c = pi.np.child;
        if (c < 0) continue;
        pi.tl = tl;
        pi.elide = tl && a->first_read_elision;
        for (int i = 0; i < (int)loops_.size(); i++)
            if (loops_[(size_t)i].level > c && depends(t, loops_[(size_t)i].dim)) pi.js = i;
        if (pi.js < 0) continue;
        J_ = std::max(J_, pi.js + 1);
        // only input windows moving along P, Q, R or S overlap (model.md section 4)
        const Loop &j = loops_[(size_t)pi.js];
        if (t != PESIM_INPUTS || !window_dim(j.dim)) continue;
        if (tl) {  // no running loop inside j* above the child
            pi.sliding = true;
            for (int i = pi.js + 1; i < (int)loops_.size(); i++)
                if (loops_[(size_t)i].level > c) pi.sliding = false;
        } else if (a->level[c].sliding_reuse) {
            // consecutive windows of one instance are adjacent: no running
            // spatial factor of j*'s dim between the child and j*
            pi.sliding = true;
            for (int lv = c + 1; lv <= j.level; lv++)
                if (radix_[j.dim][2 * lv] > 1 && weight_[j.dim][2 * lv] < bound_[j.dim]) pi.sliding = false;
        }
    }
    for (int d = 0; d < PESIM_NDIMS; d++) {
        off_[d] = 0;
        inner_[d] = 0;
        for (int lv = 0; lv < M_; lv++) inner_[d] |= 1u << (2 * lv + 1);
    }
    for (int i = 0; i < J_; i++) inner_[loops_[(size_t)i].dim] &= ~(1u << (2 * loops_[(size_t)i].level + 1));
    idx_.assign((size_t)J_, 0);
    started_ = done_ = false;
    next_index_ = 0;
    int64_t top = 1;
    for (int d = 0; d < PESIM_NDIMS; d++) top = std::max(top, bound_[d]);
    top = std::max(top, (int64_t)(bound_[kP] - 1) * l->stride_h + (bound_[kR] - 1) * l->dilation_h + 1);
    top = std::max(top, (int64_t)(bound_[kQ] - 1) * l->stride_w + (bound_[kS] - 1) * l->dilation_w + 1);
    bits_.assign((size_t)top, 0);
    memo_.assign(info_.size() * 5 * (size_t)(M_ + 2), Memo());
}

void LoopNest::sums(int d, uint32_t mask, int64_t limit, std::vector<int64_t> &out) const
{
    out.clear();
    if (limit <= 0) return;
    out.push_back(0);
    for (int k = nd_ - 1; k >= 0; k--) {
        if (!((mask >> k) & 1u) || radix_[d][k] <= 1) continue;
        size_t n = out.size();
        for (size_t i = 0; i < n; i++)
            for (int64_t x = 1; x < radix_[d][k]; x++) {
                int64_t v = out[i] + x * weight_[d][k];
                if (v >= limit) break;
                out.push_back(v);
            }
    }
}

uint32_t LoopNest::spatial_range(int d, int lo, int hi) const
{
    (void)d;
    uint32_t m = 0;
    for (int lv = std::max(lo, 0); lv <= hi && lv < M_; lv++) m |= 1u << (2 * lv);
    return m;
}

uint32_t LoopNest::spatial_above(int d, int lv) const { return spatial_range(d, lv + 1, M_ - 1); }

int64_t LoopNest::gran(int d, int c) const { return c < 0 ? 1 : weight_[d][2 * c + 2]; }

void LoopNest::coords(int t, Coord *out, int *n) const
{
    auto one = [](int d) {
        Coord c;
        c.nd = 1, c.d[0] = d;
        return c;
    };
    *n = 5;
    if (t == PESIM_WEIGHTS) {
        out[0] = one(kG), out[1] = one(kK), out[2] = one(kC), out[3] = one(kR), out[4] = one(kS);
    } else if (t == PESIM_OUTPUTS) {
        out[0] = one(kG), out[1] = one(kN), out[2] = one(kK), out[3] = one(kP), out[4] = one(kQ);
    } else {
        out[0] = one(kG), out[1] = one(kN), out[2] = one(kC);
        Coord h, w;
        h.nd = 2, h.d[0] = kP, h.d[1] = kR, h.mul[0] = l_->stride_h, h.mul[1] = l_->dilation_h, h.window = true;
        w.nd = 2, w.d[0] = kQ, w.d[1] = kS, w.mul[0] = l_->stride_w, w.mul[1] = l_->dilation_w, w.window = true;
        out[3] = h, out[4] = w;
    }
}

int64_t LoopNest::count_active(int d, uint32_t mask) const
{
    static thread_local std::vector<int64_t> v;
    sums(d, mask, bound_[d] - off_[d], v);
    return (int64_t)v.size();
}

namespace {

// The values of one coordinate over a box of dim ranges [lo, hi).
void values_of(int nd, const int64_t *mul, const int64_t *lo, const int64_t *hi, std::vector<int64_t> &out)
{
    out.clear();
    if (nd == 1) {
        for (int64_t v = lo[0]; v < hi[0]; v++) out.push_back(v * mul[0]);
        return;
    }
    for (int64_t v0 = lo[0]; v0 < hi[0]; v0++)
        for (int64_t v1 = lo[1]; v1 < hi[1]; v1++) out.push_back(v0 * mul[0] + v1 * mul[1]);
    normalise(out);
}

}  // namespace

void LoopNest::coord_event(const PairInfo &pi, const Coord &cd, bool adv, int64_t *r)
{
    int64_t *U = &r[0], *E = &r[1], *Emax = &r[2], *Umax = &r[3], *EPmax = &r[4];
    const int c = pi.np.child, p = pi.np.parent;
    const bool tlin = pi.tl && cd.window;  // "timeloop" input rows: spans, distinct subtrees
    const bool tlsub = pi.tl && pi.np.tensor == PESIM_INPUTS;
    const int jd = adv ? loops_[(size_t)pi.js].dim : -1;
    const int64_t shift = adv ? loops_[(size_t)pi.js].weight : 0;
    int adv_j = -1;  // which of the coordinate's dims advances
    for (int j = 0; j < cd.nd; j++)
        if (cd.d[j] == jd) adv_j = j;
    adv = adv_j >= 0;
    // Digit assignments per dim: parents (spatial above p), subtrees (p's own
    // spatial digits) and leaves (spatial digits of levels c+1 .. p-1).
    std::vector<int64_t> A[2], Z[2], W[2];
    int64_t g[2] = {1, 1};
    for (int j = 0; j < cd.nd; j++) {
        int d = cd.d[j];
        sums(d, spatial_above(d, p), bound_[d] - off_[d], A[j]);
        sums(d, spatial_range(d, p, p), bound_[d], Z[j]);
        sums(d, spatial_range(d, c + 1, p - 1), bound_[d], W[j]);
        g[j] = gran(d, c);
    }
    if (cd.nd == 1) A[1] = Z[1] = W[1] = {0};
    *U = *E = *Emax = *Umax = *EPmax = 0;
    std::vector<int64_t> cur, prev, tmp;
    std::set<std::vector<int64_t>> distinct;
    std::vector<int64_t> sub_cur, sub_prev;
    // The child's values at origins o (the previous tile when back).
    auto child = [&](const int64_t *o, bool back, std::vector<int64_t> &out) {
        int64_t lo[2], hi[2];
        for (int j = 0; j < cd.nd; j++) {
            int d = cd.d[j];
            lo[j] = o[j] - (back && j == adv_j ? shift : 0);
            hi[j] = std::min(lo[j] + g[j], bound_[d]);
            if (lo[j] >= hi[j]) {
                out.clear();
                return;
            }
        }
        values_of(cd.nd, cd.mul, lo, hi, out);
    };
    for (int64_t a0 : A[0])
        for (int64_t a1 : A[1]) {
            int64_t union_n = 0, e_par = 0;  // this parent instance's union and children's words
            distinct.clear();
            for (int64_t z0 : Z[0])
                for (int64_t z1 : Z[1]) {
                    sub_cur.clear(), sub_prev.clear();
                    for (int64_t w0 : W[0])
                        for (int64_t w1 : W[1]) {
                            int64_t o[2] = {off_[cd.d[0]] + a0 + z0 + w0, cd.nd > 1 ? off_[cd.d[1]] + a1 + z1 + w1 : 0};
                            child(o, false, cur);
                            int64_t size = tlin ? span(cur) : (int64_t)cur.size();
                            if (adv) child(o, true, prev);
                            if (adv && tlin) size = span_delta(cur, prev);
                            else if (adv) size = minus_size(cur, prev);
                            *E += size, e_par += size;
                            *Emax = std::max(*Emax, size);  // at an advance, the new words
                            if (tlsub) {
                                sub_cur.insert(sub_cur.end(), cur.begin(), cur.end());
                                if (adv) sub_prev.insert(sub_prev.end(), prev.begin(), prev.end());
                                continue;
                            }
                            // the parent's union of its children's words (or deltas)
                            const std::vector<int64_t> *src = &cur;
                            if (adv) {
                                tmp.clear();
                                std::set_difference(cur.begin(), cur.end(), prev.begin(), prev.end(),
                                                    std::back_inserter(tmp));
                                src = &tmp;
                            }
                            for (int64_t x : *src)
                                if (!bits_[(size_t)x]) bits_[(size_t)x] = 1, touched_.push_back(x), union_n++;
                        }
                    if (tlsub) {  // a subtree's values, rows closed into their span
                        normalise(sub_cur), normalise(sub_prev);
                        if (cd.window) {
                            for (std::vector<int64_t> *v : {&sub_cur, &sub_prev})
                                if (!v->empty()) {
                                    int64_t lo = v->front(), hi = v->back();
                                    v->clear();
                                    for (int64_t x = lo; x <= hi; x++) v->push_back(x);
                                }
                        }
                        distinct.insert(adv ? (cd.window ? span_delta_set(sub_cur, sub_prev)
                                                         : (sub_cur == sub_prev ? std::vector<int64_t>() : sub_cur))
                                            : sub_cur);
                    }
                }
            for (int64_t x : touched_) bits_[(size_t)x] = 0;
            touched_.clear();
            if (tlsub)
                for (const std::vector<int64_t> &s : distinct) union_n += (int64_t)s.size();
            *U += union_n;
            *Umax = std::max(*Umax, union_n), *EPmax = std::max(*EPmax, e_par);
        }
}

void LoopNest::union_box(int c, int p, Xfer &x) const
{
    for (int i = 0; i < J_; i++) {
        const Loop &lp = loops_[(size_t)i];
        if (lp.level > c) x.lo[lp.dim] += idx_[(size_t)i] * lp.weight;
    }
    for (int d = 0; d < PESIM_NDIMS; d++) {
        int64_t span = gran(d, c);
        for (int lv = c + 1; lv <= p; lv++)  // a digit whose weight reaches the bound only idles instances
            if (weight_[d][2 * lv] < bound_[d]) span += (radix_[d][2 * lv] - 1) * weight_[d][2 * lv];
        x.span[d] = span;
        x.ext[d] = std::max<int64_t>(0, std::min(x.lo[d] + span, bound_[d]) - x.lo[d]);
    }
}

void LoopNest::step_loops(std::vector<StepLoop> &out) const
{
    out.clear();
    for (size_t i = (size_t)J_; i < loops_.size(); i++)
        out.push_back(StepLoop{loops_[i].dim, loops_[i].factor, loops_[i].weight});
}

void LoopNest::event(int k, bool adv, Xfer &x)
{
    const PairInfo &pi = info_[(size_t)k];
    const int t = pi.np.tensor, c = pi.np.child, p = pi.np.parent;
    Coord cs[5];
    int n = 0;
    coords(t, cs, &n);
    // Umax, EPmax: the parent instance whose union (its children's words) is
    // the largest; per coordinate, as the instances are a product over them
    int64_t U = 1, E = 1, Emax = 1, Umax = 1, EPmax = 1;
    for (int i = 0; i < n; i++) {
        bool hit;
        Memo *mm = cached(k, i, 0, cs[i], adv ? 1 : 0, &hit);
        if (!hit) coord_event(pi, cs[i], adv, mm->v);
        U *= mm->v[0], E *= mm->v[1], Emax *= mm->v[2], Umax *= mm->v[3], EPmax *= mm->v[4];
    }
    for (int d = 0; d < PESIM_NDIMS; d++) {
        if (depends(t, d)) continue;
        U *= count_active(d, spatial_above(d, p));
        int64_t ce = count_active(d, spatial_above(d, c));
        E *= ce;
        Emax *= ce > 0 ? 1 : 0;
        int64_t up = count_active(d, spatial_above(d, p)) > 0 ? 1 : 0;  // an active parent instance
        Umax *= up;
        EPmax *= up * count_active(d, spatial_range(d, c + 1, p));  // its active children
    }
    if (pinst_[(size_t)k] <= 1) Umax = EPmax = 0;
    if (networks_) {
        // the union entering every network between the child and the parent
        // that fans out: the parent's rule, with that level as the parent
        PairInfo &acc = info_[(size_t)k];
        acc.tot_u[p] += U;
        for (int lv = c + 1; lv < p; lv++) {
            if (fan(lv) <= 1) continue;
            PairInfo at = pi;
            at.np.parent = (int8_t)lv;
            int64_t Ul = 1;
            for (int i = 0; i < n; i++) {
                bool hit;
                Memo *mm = cached(k, i, 2 + (size_t)lv, cs[i], adv ? 1 : 0, &hit);
                if (!hit) coord_event(at, cs[i], adv, mm->v);
                Ul *= mm->v[0];
            }
            for (int d = 0; d < PESIM_NDIMS; d++)
                if (!depends(t, d)) Ul *= count_active(d, spatial_above(d, lv));
            acc.tot_u[lv] += Ul;
        }
    }
    x = Xfer();
    x.tensor = (int8_t)t, x.child = (int8_t)c, x.parent = (int8_t)p, x.pair = (int8_t)k;
    x.child_max = Emax;
    x.advance = adv;
    x.parent_max = Umax, x.fill_max = EPmax;
    union_box(c, p, x);
    if (t == PESIM_OUTPUTS) {
        // Partial sums exist at the parent when a reduction loop among the
        // selected ones has left 0: then every word is read back.
        bool revisit = false;
        for (int i = 0; i <= pi.js; i++)
            if (!depends(t, loops_[(size_t)i].dim) && idx_[(size_t)i] > 0) revisit = true;
        x.parent_updates = U;
        x.parent_reads = revisit ? U : 0;
        const int od[5] = {PESIM_DIM_G, PESIM_DIM_N, PESIM_DIM_K, PESIM_DIM_P, PESIM_DIM_Q};
        for (int i = 0; i < 5; i++) x.origin[i] = off_[od[i]];
        // "timeloop" loads every tile into the children, but with first-read
        // elision not a tile no reduction has visited yet (it starts at 0)
        const bool loads = pi.tl && (revisit || !pi.elide);
        x.child_fills = loads ? E : x.parent_reads;
        x.child_reads = pi.tl ? 0 : E;
        x.update_max = Umax;
        x.parent_max = revisit ? Umax : 0;
        if (!loads) x.fill_max = x.parent_max;
    } else {
        x.parent_reads = U;
        x.child_fills = E;
    }
    if (networks_) {
        info_[(size_t)k].tot_e += E;
        info_[(size_t)k].tot_down += x.child_fills;
    }
}

int64_t LoopNest::coord_stream(int t, int p, const Coord &cd, uint32_t extra, int64_t *largest)
{
    (void)t;
    // A parent instance's origin (P) plus the inner temporal digits (I)
    // within the bound, then the lanes below it (B).
    std::vector<int64_t> P[2], I[2], B[2];
    for (int j = 0; j < cd.nd; j++) {
        int d = cd.d[j];
        sums(d, spatial_above(d, p), bound_[d] - off_[d], P[j]);
        sums(d, extra ? inner_[d] : 0u, bound_[d] - off_[d], I[j]);
        sums(d, spatial_range(d, 0, p), bound_[d], B[j]);
    }
    if (cd.nd == 1) P[1] = I[1] = B[1] = {0};
    int64_t total = 0, big = 0;
    for (int64_t p0 : P[0])
        for (int64_t p1 : P[1]) {
          int64_t mine = 0;  // this parent instance's words
          for (int64_t i0 : I[0])
            for (int64_t i1 : I[1]) {
            int64_t a0 = p0 + i0, a1 = p1 + i1;
            if (off_[cd.d[0]] + a0 >= bound_[cd.d[0]] || (cd.nd > 1 && off_[cd.d[1]] + a1 >= bound_[cd.d[1]]))
                continue;
            int64_t n = 0;
            for (int64_t b0 : B[0])
                for (int64_t b1 : B[1]) {
                    int64_t v0 = off_[cd.d[0]] + a0 + b0, v1 = cd.nd > 1 ? off_[cd.d[1]] + a1 + b1 : 0;
                    if (v0 >= bound_[cd.d[0]] || (cd.nd > 1 && v1 >= bound_[cd.d[1]])) continue;
                    int64_t x = v0 * cd.mul[0] + (cd.nd > 1 ? v1 * cd.mul[1] : 0);
                    if (!bits_[(size_t)x]) bits_[(size_t)x] = 1, touched_.push_back(x), n++;
                }
            for (int64_t x : touched_) bits_[(size_t)x] = 0;
            touched_.clear();
            mine += n;
            }
          total += mine, big = std::max(big, mine);
        }
    if (largest) *largest = big;
    return total;
}

LoopNest::Memo *LoopNest::cached(int k, int i, size_t slot, const Coord &cd, int64_t tag, bool *hit)
{
    Memo &mm = memo_[((size_t)k * 5 + (size_t)i) * (size_t)(M_ + 2) + slot];
    int64_t key[4] = {off_[cd.d[0]], cd.nd > 1 ? off_[cd.d[1]] : 0, tag, 0};
    *hit = mm.valid && std::equal(key, key + 4, mm.key);
    std::copy(key, key + 4, mm.key);
    mm.valid = true;
    return &mm;
}

int64_t LoopNest::stream_words(int k, int lv, const Coord *cs, int n, int64_t *largest)
{
    int64_t u = 1, big = 1;
    for (int i = 0; i < n; i++) {
        bool hit;
        Memo *mm = cached(k, i, lv == info_[(size_t)k].np.parent ? 1 : 2 + (size_t)lv, cs[i], 0, &hit);
        if (!hit) mm->v[0] = coord_stream(info_[(size_t)k].np.tensor, lv, cs[i], 1, &mm->v[1]);
        u *= mm->v[0], big *= mm->v[1];
    }
    if (largest) *largest = big;
    return u;
}

void LoopNest::stream(int k, Xfer &x)
{
    const PairInfo &pi = info_[(size_t)k];
    const int t = pi.np.tensor, p = pi.np.parent;
    Coord cs[5];
    int n = 0;
    coords(t, cs, &n);
    // Per step of the block the lanes read the distinct words they need
    // (the MAC array counts single words: distinct rows, whatever the
    // conventions); outputs: the reduced updates.
    // Umax, Fmax: the same for the parent instance whose lanes read the most
    int64_t Umax = 0, U = stream_words(k, p, cs, n, &Umax), F = U, Fmax = Umax;
    for (int d = 0; d < PESIM_NDIMS; d++) {
        if (depends(t, d)) continue;
        U *= count_active(d, spatial_above(d, p) | inner_[d]);
        F *= count_active(d, spatial_above(d, p));
        Umax *= count_active(d, inner_[d]);  // the origin's instance, active when any is
        Fmax *= count_active(d, 0) > 0 ? 1 : 0;
    }
    if (pinst_[(size_t)k] <= 1) Umax = Fmax = 0;
    x = Xfer();
    x.tensor = (int8_t)t, x.child = -1, x.parent = (int8_t)p, x.pair = (int8_t)k, x.stream = true;
    union_box(-1, p, x);
    if (t != PESIM_OUTPUTS) {
        x.parent_reads = U;
        x.parent_max = Umax;
    } else {
        // The first write of a word at its parent instance reads nothing back:
        // in this block, unless a reduction loop among the outer ones has left 0.
        bool revisit = false;
        for (int i = 0; i < J_; i++)
            if (!depends(t, loops_[(size_t)i].dim) && idx_[(size_t)i] > 0) revisit = true;
        x.parent_updates = U;
        x.parent_reads = revisit ? U : U - F;
        x.psum_all = revisit;
        x.update_max = Umax;
        x.parent_max = revisit ? Umax : Umax - Fmax;
    }
    if (!networks_) return;
    // Every MAC reads one word of each operand and writes one partial sum:
    // the words below the innermost level are the block's MACs.
    int64_t macs = 1;
    for (int d = 0; d < PESIM_NDIMS; d++) macs *= count_active(d, inner_[d] | spatial_range(d, 0, M_ - 1));
    PairInfo &acc = info_[(size_t)k];
    acc.tot_e += macs;
    acc.tot_down += t != PESIM_OUTPUTS ? macs : a_->conventions == PESIM_CONV_TIMELOOP ? macs : x.parent_reads;
    acc.tot_u[p] += U;
    for (int lv = 0; lv < p; lv++) {
        if (fan(lv) <= 1) continue;
        int64_t Ul = stream_words(k, lv, cs, n);
        for (int d = 0; d < PESIM_NDIMS; d++)
            if (!depends(t, d)) Ul *= count_active(d, spatial_above(d, lv) | inner_[d]);
        acc.tot_u[lv] += Ul;
    }
}

int64_t LoopNest::fan(int lv) const
{
    int64_t f = 1;
    for (int d = 0; d < PESIM_NDIMS; d++) f *= radix_[d][2 * lv];
    return f;
}

namespace {
// Distance between neighbouring children along an axis for dim d: the
// product of the factors of the dims after d in the axis order.
double axis_step(const pesim_level_map &lm, bool y, int d)
{
    const uint8_t *ord = y ? lm.order_y : lm.order_x;
    const int64_t *f = y ? lm.spatial_y : lm.spatial_x;
    double st = 1;
    bool after = false;
    for (int i = 0; i < PESIM_NDIMS; i++) {
        int e = ord[i] & 7;
        if (after) st *= (double)f[e];
        after |= e == d;
    }
    return st;
}
}  // namespace

// docs/model.md section 7, "noc_word_hops".
double LoopNest::hops(int lv, int t, int64_t ingress, int64_t delivered) const
{
    if (ingress <= 0) return 0;
    const pesim_level_map &lm = m_->level[lv];
    const pesim_noc_kind kind = a_->level[lv].noc[t].kind;
    const double n = (double)fan(lv);
    if (a_->conventions == PESIM_CONV_TIMELOOP || kind == PESIM_NOC_BUS) {
        // Timeloop's multicast mesh: from the side of a sqrt(n) x sqrt(n)
        // mesh to m of its n children
        double mc = (double)delivered / (double)ingress;
        if (mc <= 0) return 0;
        double per = std::sqrt(n * mc) + (std::sqrt(n) - std::sqrt(mc)) / 2 - std::sqrt(n / mc) + 0.5;
        return (double)ingress * per;
    }
    if (kind == PESIM_NOC_UNICAST || kind == PESIM_NOC_MESH) {
        // every copy from the corner to its child: 1 + x + y at the mean position
        double mean = 1;
        for (int d = 0; d < PESIM_NDIMS; d++)
            mean += (double)(lm.spatial_x[d] - 1) / 2 * axis_step(lm, false, d) +
                    (double)(lm.spatial_y[d] - 1) / 2 * axis_step(lm, true, d);
        return (double)delivered * mean;
    }
    // systolic: operands along X (a line per row that needs them), partial
    // sums along Y (a line per column); from the edge to the farthest child
    // of the word's group, the mean over the groups
    const bool out = t == PESIM_OUTPUTS;
    const int64_t *along = out ? lm.spatial_y : lm.spatial_x, *across = out ? lm.spatial_x : lm.spatial_y;
    double far = 0, lines = 1;
    for (int d = 0; d < PESIM_NDIMS; d++) {
        far += (double)(along[d] - 1) * (depends(t, d) ? 0.5 : 1.0) * axis_step(lm, out, d);
        if (!depends(t, d)) lines *= (double)across[d];
    }
    return (double)ingress * lines * (1 + far);
}

void LoopNest::report(NetReport &r) const
{
    std::memset(&r, 0, sizeof r);
    for (const PairInfo &pi : info_) {
        const int t = pi.np.tensor, c = pi.np.child, p = pi.np.parent;
        const bool outs = t == PESIM_OUTPUTS;
        r.words[p][t] += outs ? pi.tot_e + pi.tot_down : pi.tot_down;
        // down the chain: what enters each network is what the next one
        // down (or the child) receives
        int64_t below = outs ? pi.tot_e : pi.tot_down;
        for (int lv = c + 1; lv <= p; lv++) {
            int64_t f = fan(lv), in = lv == p ? pi.tot_u[p] : f > 1 ? pi.tot_u[lv] : below;
            r.ingress[lv][t] += in;
            r.delivered[lv][t] += below;
            r.fanout[lv][t] = f;
            r.hops[lv][t] += hops(lv, t, in, below);
            below = in;
        }
    }
}

bool LoopNest::next(Block &b)
{
    if (done_) return false;
    int changed = -1;
    if (!started_) {
        started_ = true;
    } else {
        int i = J_ - 1;
        for (; i >= 0; i--) {
            const Loop &lp = loops_[(size_t)i];
            idx_[(size_t)i]++;
            off_[lp.dim] += lp.weight;
            if (idx_[(size_t)i] < lp.factor && off_[lp.dim] < bound_[lp.dim]) break;
            off_[lp.dim] -= idx_[(size_t)i] * lp.weight;
            idx_[(size_t)i] = 0;
        }
        if (i < 0) {
            done_ = true;
            return false;
        }
        changed = i;
    }
    b.index = next_index_++;
    b.n = 0;
    for (int k = 0; k < (int)info_.size(); k++) {
        const PairInfo &pi = info_[(size_t)k];
        if (pi.np.child < 0) continue;
        if (changed < 0 || changed <= pi.js) event(k, pi.sliding && changed >= 0 && changed == pi.js, b.x[b.n++]);
    }
    for (int k = 0; k < (int)info_.size(); k++)
        if (info_[(size_t)k].np.child < 0) stream(k, b.x[b.n++]);
    b.steps = 1, b.macs = 1;
    for (int d = 0; d < PESIM_NDIMS; d++) {
        b.steps *= count_active(d, inner_[d]);
        b.macs *= count_active(d, inner_[d] | spatial_range(d, 0, M_ - 1));
    }
    return true;
}

int64_t slowest_share(int64_t total, int64_t instances, int64_t largest)
{
    if (total <= 0 || instances <= 0) return 0;
    int64_t avg = (total + instances - 1) / instances;
    return std::max(avg, largest);
}

int64_t slowest_readback_words(const Xfer &x, int64_t instances)
{
    int64_t tiles = x.child_reads > 0 ? x.child_reads : x.child_fills;
    if (tiles <= 0) return 0;
    int64_t big = (int64_t)(((__int128)x.child_max * x.child_fills + tiles - 1) / tiles);
    return slowest_share(x.child_fills, instances, big);
}

int64_t slowest_child_words(const Xfer &x, int64_t total, int64_t instances)
{
    return slowest_share(total, instances, x.child_max);
}

namespace {
void used_axes(const pesim_mapping *m, int lv, int64_t *ux, int64_t *uy)
{
    *ux = *uy = 1;
    for (int d = 0; d < PESIM_NDIMS; d++) *ux *= m->level[lv].spatial_x[d], *uy *= m->level[lv].spatial_y[d];
}
}  // namespace

int64_t mesh_link_words(const pesim_mapping *m, int lv, int64_t copies)
{
    int64_t ux, uy;
    used_axes(m, lv, &ux, &uy);
    if (ux * uy <= 1 || copies <= 0) return 0;
    // XY routing from child (0, 0): the first link east carries every copy
    // bound for columns 1 .. ux-1 (uy (ux - 1) of the ux uy children); with
    // one column, the first link south carries uy - 1 of them.
    int64_t busiest = std::max(uy * (ux - 1), uy - 1), n = ux * uy;
    return (copies * busiest + n - 1) / n;
}

int64_t mesh_far_hops(const pesim_mapping *m, int lv)
{
    int64_t ux, uy;
    used_axes(m, lv, &ux, &uy);
    return ux - 1 + uy - 1;
}

int64_t reduce_cycles(const pesim_arch *a, const pesim_mapping *m, int lv)
{
    if (lv < 0 || lv >= a->n_levels) return 0;
    const pesim_noc &noc = a->level[lv].noc[PESIM_OUTPUTS];
    if (noc.kind == PESIM_NOC_SYSTOLIC) return 0;  // the fold's skew pays the hops
    int64_t n = 1;  // children adding into one output word: the spatial C, R, S
    for (int d : {kC, kR, kS}) n *= m->level[lv].spatial_x[d] * m->level[lv].spatial_y[d];
    if (n <= 1) return 0;
    if (noc.reduce == PESIM_REDUCE_SYSTOLIC) return n - 1;
    if (noc.reduce != PESIM_REDUCE_TREE) return 0;
    int64_t depth = 0;
    while (((int64_t)1 << depth) < n) depth++;
    return depth;
}

int64_t reduce_path(const pesim_arch *a, const pesim_mapping *m, int child, int parent)
{
    int64_t s = 0;
    for (int lv = child + 1; lv <= parent; lv++) s += reduce_cycles(a, m, lv);
    return s;
}

}  // namespace pesim_sc
