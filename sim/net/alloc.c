/* alloc.c - capacity over time and addresses, one level at a time
 * (docs/network.md "Allocation").
 *
 * Each level is an address space of `capacity` words per instance (a tensor
 * takes ceil(words / instances) words in every instance, at the same offset).
 * First the sum: at no step may the live tensors exceed the capacity; the
 * first step that does names the tensor born last among the live ones and the
 * words over. Then addresses, as the static planners of TFLite and of
 * TelaMalloc/MiniMalloc frame the problem (buffers with known lifetimes):
 * pinned addresses first (they must fit and not overlap), then the others
 * largest first, each into the best-fitting free run among the buffers whose
 * lifetimes overlap its own (the lowest such run on a tie). A buffer with no
 * run large enough is a fragmentation failure: its step with the most live
 * words and the largest run are reported. An unbounded level places buffers
 * the same way, with no top. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/net_impl.h"

static int overlaps(const pesim_net_tensor *a, const pesim_net_tensor *b)
{
    return a->birth <= b->death && b->birth <= a->death;
}

/* Sort helpers: qsort has no context argument, so the handle travels in a
 * thread-local pointer (a handle is used by one thread at a time). */
static _Thread_local const pesim_net *sort_net;

static int by_size(const void *x, const void *y)
{
    const pesim_net_tensor *a = &sort_net->tensor[*(const int32_t *)x], *b = &sort_net->tensor[*(const int32_t *)y];
    if (a->inst_words != b->inst_words) return a->inst_words > b->inst_words ? -1 : 1;
    if (a->birth != b->birth) return a->birth < b->birth ? -1 : 1;
    return *(const int32_t *)x - *(const int32_t *)y;
}

static int by_address(const void *x, const void *y)
{
    const pesim_net_tensor *a = &sort_net->tensor[*(const int32_t *)x], *b = &sort_net->tensor[*(const int32_t *)y];
    if (a->address != b->address) return a->address < b->address ? -1 : 1;
    return *(const int32_t *)x - *(const int32_t *)y;
}

static void fail(pesim_net_result *r, const pesim_net *n, int32_t id, int level, int32_t step, int64_t over,
                 const char *fmt_extra)
{
    r->valid = 0;
    r->fail_tensor = id;
    r->fail_level = level;
    r->fail_step = step;
    r->fail_words_over = over;
    const pesim_net_tensor *t = &n->tensor[id];
    const char *kind = t->kind == PESIM_NET_INPUT ? "input" : t->kind == PESIM_NET_WEIGHTS ? "weights" : "output";
    const char *owner = t->layer >= 0 ? n->net.layers[t->layer].name : "network";
    /* a one-line summary (the fail_* fields carry the whole answer): names
     * cut to 40 characters, and a reason longer than the field ends in "..." */
    int w = snprintf(r->reason, sizeof r->reason,
                     "level %.40s over capacity at step %d (layer %.40s): %s of %.40s (%lld words) %s",
                     n->arch.level[level].name, (int)step, n->net.layers[step].name, kind, owner,
                     (long long)t->inst_words, fmt_extra);
    if (w >= (int)sizeof r->reason) memcpy(r->reason + sizeof r->reason - 4, "...", 4);
}

int net_alloc_level(pesim_net *n, int level, const int64_t *pin, pesim_net_result *res)
{
    const int64_t C = n->cap[level];
    const int32_t L = n->L;
    int32_t *ids = n->order, cnt = 0;
    for (int32_t id = 0; id < n->T; id++) {
        const pesim_net_tensor *t = &n->tensor[id];
        if (t->words > 0 && t->level == level && t->alias_of < 0) ids[cnt++] = id;
    }
    if (cnt == 0) return 1;
    sort_net = n;

    /* 1. the sum at every step (steps are few: a difference array) */
    if (C > 0) {
        int64_t *live = n->scratch;
        memset(live, 0, ((size_t)L + 1) * sizeof *live);
        for (int32_t k = 0; k < cnt; k++) {
            const pesim_net_tensor *t = &n->tensor[ids[k]];
            live[t->birth] += t->inst_words;
            live[t->death + 1] -= t->inst_words;
        }
        int64_t sum = 0;
        for (int32_t s = 0; s < L; s++) {
            sum += live[s];
            if (sum <= C) continue;
            int32_t last = -1; /* the newcomer: born last among the live, the larger on a tie */
            for (int32_t k = 0; k < cnt; k++) {
                const pesim_net_tensor *t = &n->tensor[ids[k]];
                if (t->birth > s || t->death < s) continue;
                if (last < 0 || t->birth > n->tensor[last].birth ||
                    (t->birth == n->tensor[last].birth && t->inst_words > n->tensor[last].inst_words))
                    last = ids[k];
            }
            char extra[96];
            snprintf(extra, sizeof extra, "does not fit: %lld live words > %lld, %lld over", (long long)sum,
                     (long long)C, (long long)(sum - C));
            fail(res, n, last, level, s, sum - C, extra);
            return 0;
        }
    }

    /* 2. pinned buffers, then the rest largest first */
    int32_t np = 0;
    for (int32_t k = 0; k < cnt; k++) { /* pinned to the front */
        if (pin[ids[k]] < 0) continue;
        int32_t x = ids[k];
        ids[k] = ids[np], ids[np++] = x;
    }
    qsort(ids + np, (size_t)(cnt - np), sizeof *ids, by_size);
    int32_t *ov = n->order + n->T; /* overlapping placed buffers */
    for (int32_t k = 0; k < cnt; k++) {
        pesim_net_tensor *t = &n->tensor[ids[k]];
        int32_t no = 0;
        for (int32_t j = 0; j < k; j++)
            if (overlaps(t, &n->tensor[ids[j]])) ov[no++] = ids[j];
        if (k < np) {
            int64_t a = pin[ids[k]];
            if (C > 0 && a + t->inst_words > C) {
                char extra[96];
                snprintf(extra, sizeof extra, "is pinned at %lld, past the capacity %lld", (long long)a, (long long)C);
                fail(res, n, ids[k], level, t->birth, a + t->inst_words - C, extra);
                return 0;
            }
            for (int32_t j = 0; j < no; j++) {
                const pesim_net_tensor *u = &n->tensor[ov[j]];
                if (a < u->address + u->inst_words && u->address < a + t->inst_words) {
                    char extra[96];
                    snprintf(extra, sizeof extra, "is pinned at %lld, over tensor %d", (long long)a, (int)ov[j]);
                    fail(res, n, ids[k], level, t->birth > u->birth ? t->birth : u->birth, 0, extra);
                    return 0;
                }
            }
            t->address = a;
            continue;
        }
        qsort(ov, (size_t)no, sizeof *ov, by_address);
        int64_t best = -1, best_gap = 0, at = 0, largest = 0;
        for (int32_t j = 0; j <= no; j++) {
            int64_t end = j < no ? n->tensor[ov[j]].address : (C > 0 ? C : INT64_MAX);
            int64_t gap = end - at;
            if (gap > largest) largest = gap;
            if (gap >= t->inst_words && (best < 0 || gap < best_gap)) best = at, best_gap = gap;
            if (j < no) {
                int64_t e = n->tensor[ov[j]].address + n->tensor[ov[j]].inst_words;
                if (e > at) at = e;
            }
        }
        if (best < 0) {
            /* fragmentation: the step of its lifetime with the most live words */
            int32_t worst = t->birth;
            int64_t most = -1;
            for (int32_t s = t->birth; s <= t->death; s++) {
                int64_t sum = t->inst_words;
                for (int32_t j = 0; j < no; j++) {
                    const pesim_net_tensor *u = &n->tensor[ov[j]];
                    if (u->birth <= s && s <= u->death) sum += u->inst_words;
                }
                if (sum > most) most = sum, worst = s;
            }
            char extra[120];
            snprintf(extra, sizeof extra, "finds no free run: the largest is %lld words (fragmentation; %lld live)",
                     (long long)largest, (long long)most);
            fail(res, n, ids[k], level, worst, most > C ? most - C : 0, extra);
            return 0;
        }
        t->address = best;
    }
    /* slices of a concat's buffer */
    for (int32_t id = 0; id < n->T; id++) {
        pesim_net_tensor *t = &n->tensor[id];
        if (t->alias_of >= 0 && t->level == level) t->address = n->tensor[t->alias_of].address + n->alias_base[id];
    }
    return 1;
}

int net_alloc_extend(pesim_net *n, int32_t id, int32_t birth, int pinned)
{
    pesim_net_tensor *t = &n->tensor[id];
    const int64_t C = n->cap[t->level];
    pesim_net_tensor want = *t;
    want.birth = birth;
    int32_t *ov = n->order + n->T, no = 0;
    for (int32_t j = 0; j < n->T; j++) {
        const pesim_net_tensor *u = &n->tensor[j];
        if (j == id || u->words == 0 || u->level != t->level || u->alias_of >= 0 || !overlaps(&want, u)) continue;
        ov[no++] = j;
    }
    if (pinned) { /* it stays where it is, if that is free over the longer life */
        for (int32_t j = 0; j < no; j++) {
            const pesim_net_tensor *u = &n->tensor[ov[j]];
            if (t->address < u->address + u->inst_words && u->address < t->address + t->inst_words) return 0;
        }
        t->birth = birth;
        return 1;
    }
    sort_net = n;
    qsort(ov, (size_t)no, sizeof *ov, by_address);
    int64_t best = -1, best_gap = 0, at = 0;
    for (int32_t j = 0; j <= no; j++) {
        int64_t end = j < no ? n->tensor[ov[j]].address : (C > 0 ? C : INT64_MAX);
        int64_t gap = end - at;
        if (gap >= t->inst_words && (best < 0 || gap < best_gap)) best = at, best_gap = gap;
        if (j < no) {
            int64_t e = n->tensor[ov[j]].address + n->tensor[ov[j]].inst_words;
            if (e > at) at = e;
        }
    }
    if (best < 0) return 0;
    t->address = best;
    t->birth = birth;
    return 1;
}

int64_t net_room(pesim_net *n, int level, int32_t step, int64_t *live, int64_t *top)
{
    const int64_t C = n->cap[level];
    int64_t sum = 0, hi = 0;
    /* runs between the live buffers: the buffers sorted by address (few per step) */
    int32_t *ids = n->order + 2 * n->T, cnt = 0;
    for (int32_t id = 0; id < n->T; id++) {
        const pesim_net_tensor *t = &n->tensor[id];
        if (t->words == 0 || t->level != level || t->alias_of >= 0 || t->birth > step || t->death < step) continue;
        sum += t->inst_words;
        if (t->address + t->inst_words > hi) hi = t->address + t->inst_words;
        ids[cnt++] = id;
    }
    if (live) *live = sum;
    if (top) *top = hi;
    if (C == 0) return INT64_MAX;
    /* insertion sort by address (the lists are short) */
    for (int32_t i = 1; i < cnt; i++) {
        int32_t x = ids[i], j = i - 1;
        while (j >= 0 && n->tensor[ids[j]].address > n->tensor[x].address) ids[j + 1] = ids[j], j--;
        ids[j + 1] = x;
    }
    int64_t at = 0, largest = 0;
    for (int32_t j = 0; j <= cnt; j++) {
        int64_t end = j < cnt ? n->tensor[ids[j]].address : C;
        if (end - at > largest) largest = end - at;
        if (j < cnt) {
            int64_t e = n->tensor[ids[j]].address + n->tensor[ids[j]].inst_words;
            if (e > at) at = e;
        }
    }
    return largest;
}
