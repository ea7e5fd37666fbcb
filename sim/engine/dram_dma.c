/* engine/dram_dma.c - DMA streams in front of the DRAM model: transfers of
 * many bursts, several in flight at once (pesim/dram.h, docs/dram.md).
 *
 * Each stream is a FIFO of transfers whose bursts have not all been offered.
 * Every visited cycle, each stream (in index order) offers its head burst if
 * the transfer has started, the stream has not offered one in this cycle and
 * the burst's channel has room; then the model ticks. Between visits the loop
 * jumps to the earliest of the model's next event and the next cycle at which
 * a stream could offer, exactly as the trace driver does, so skipped cycles
 * are ones in which ticking would have done nothing. */
#include <stdlib.h>
#include <string.h>

#include "engine/dram_impl.h"

/* A transfer: bursts not yet completed and the latest completion so far. */
typedef struct dma_xfer {
    uint64_t left;
    uint64_t finish;
} dma_xfer;

/* The part of a transfer a stream has still to offer. */
typedef struct dma_pending {
    uint64_t xfer;
    uint64_t addr;          /* next burst's first byte */
    uint64_t bursts;        /* bursts still to offer */
    int64_t start;          /* none before this cycle */
    int32_t is_write;
} dma_pending;

typedef struct dma_stream {
    dma_pending *q;         /* ring of cap entries */
    size_t head, len, cap;
    int64_t last_offer;     /* cycle of its last burst (one a cycle) */
} dma_stream;

struct pesim_dram_dma {
    pesim_dram_sim *h;
    int32_t n_streams;
    dma_stream *s;
    dma_xfer *x;            /* transfer id i is x[i - 1] */
    uint64_t nx, cap;
    pesim_dram_command_fn hook;   /* the caller's command hook and its context */
    void *hook_ctx;
};

static void on_command(void *ctx, const pesim_dram_command *c)
{
    pesim_dram_dma *d = ctx;
    d->hook(d->hook_ctx, c);
}

static void on_done(void *ctx, uint64_t id, uint64_t finish)
{
    pesim_dram_dma *d = ctx;
    dma_xfer *x = &d->x[id - 1];
    x->left--;
    if (finish > x->finish) x->finish = finish;
}

pesim_status pesim_dram_dma_create(const pesim_dram *timing, const pesim_dram_sim_options *opts, int32_t streams,
                                   pesim_dram_dma **out, pesim_error *e)
{
    *out = NULL;
    if (streams < 1 || streams > 64)
        return pesim_error_set(e, PESIM_ERR_RANGE, NULL, 0, "streams", "must be in [1, 64], got %d", (int)streams);
    pesim_dram_sim_options o;
    if (opts)
        o = *opts;
    else
        memset(&o, 0, sizeof o);
    if (o.done)
        return pesim_error_set(e, PESIM_ERR_RANGE, NULL, 0, "done",
                               "the DMA takes the model's completions: no done callback");
    pesim_dram_dma *d = calloc(1, sizeof *d);
    if (!d) return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    d->s = calloc((size_t)streams, sizeof *d->s);
    if (!d->s) {
        free(d);
        return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    }
    d->n_streams = streams;
    for (int32_t i = 0; i < streams; i++) d->s[i].last_offer = -1;
    /* The model's callbacks share one context: the DMA's; the caller's hook
     * is called through it with the caller's context. */
    d->hook = o.on_command, d->hook_ctx = o.ctx;
    o.done = on_done;
    o.on_command = d->hook ? on_command : NULL;
    o.ctx = d;
    pesim_status st = pesim_dram_sim_create(timing, &o, &d->h, e);
    if (st != PESIM_OK) {
        free(d->s);
        free(d);
        return st;
    }
    *out = d;
    return PESIM_OK;
}

void pesim_dram_dma_destroy(pesim_dram_dma *d)
{
    if (!d) return;
    for (int32_t i = 0; i < d->n_streams; i++) free(d->s[i].q);
    free(d->s);
    free(d->x);
    pesim_dram_sim_destroy(d->h);
    free(d);
}

pesim_dram_sim *pesim_dram_dma_sim(pesim_dram_dma *d) { return d->h; }

pesim_status pesim_dram_dma_submit(pesim_dram_dma *d, int32_t stream, uint64_t addr, uint64_t bytes, int is_write,
                                   uint64_t start_cycle, uint64_t *xfer)
{
    if (stream < 0 || stream >= d->n_streams || bytes == 0 || addr + bytes < addr || start_cycle > (uint64_t)NEVER)
        return PESIM_ERR_RANGE;
    uint64_t bb = d->h->burst_bytes;
    uint64_t first = addr / bb, last = (addr + bytes - 1) / bb;
    dma_stream *s = &d->s[stream];
    if (s->len == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 16;
        dma_pending *q = malloc(cap * sizeof *q);
        if (!q) return PESIM_ERR_NOMEM;
        for (size_t i = 0; i < s->len; i++) q[i] = s->q[(s->head + i) % s->cap];
        free(s->q);
        s->q = q, s->head = 0, s->cap = cap;
    }
    if (d->nx == d->cap) {
        uint64_t cap = d->cap ? 2 * d->cap : 64;
        dma_xfer *x = realloc(d->x, (size_t)cap * sizeof *x);
        if (!x) return PESIM_ERR_NOMEM;
        d->x = x, d->cap = cap;
    }
    uint64_t id = ++d->nx;
    d->x[id - 1] = (dma_xfer){last - first + 1, 0};
    s->q[(s->head + s->len++) % s->cap] =
        (dma_pending){id, first * bb, last - first + 1, (int64_t)start_cycle, is_write ? 1 : 0};
    d->h->hint_at = -1;   /* a new offer may change the next event */
    *xfer = id;
    return PESIM_OK;
}

int pesim_dram_dma_poll(const pesim_dram_dma *d, uint64_t xfer, uint64_t *finish_cycle)
{
    if (xfer == 0 || xfer > d->nx || d->x[xfer - 1].left > 0) return 0;
    if (finish_cycle) *finish_cycle = d->x[xfer - 1].finish;
    return 1;
}

/* Runs until transfer xfer (0: none) has completed or now reaches until. */
static void run(pesim_dram_dma *d, uint64_t xfer, int64_t until)
{
    pesim_dram_sim *h = d->h;
    for (;;) {
        if (xfer && d->x[xfer - 1].left == 0) return;
        int64_t now = h->now;
        if (now >= until) return;
        for (int32_t i = 0; i < d->n_streams; i++) {
            dma_stream *s = &d->s[i];
            if (s->len == 0) continue;
            dma_pending *p = &s->q[s->head];
            if (p->start > now || s->last_offer >= now) continue;
            if (!dram_channel_has_room(h, &h->ch[dram_channel_of(h, p->addr)])) continue;
            pesim_dram_sim_add(h, p->addr, p->is_write, p->xfer);
            s->last_offer = now;
            p->addr += h->burst_bytes;
            if (--p->bursts == 0) s->head = (s->head + 1) % s->cap, s->len--;
        }
        int64_t next = dram_step(h);   /* now -> now + 1 */
        for (int32_t i = 0; i < d->n_streams; i++) {
            const dma_stream *s = &d->s[i];
            if (s->len == 0) continue;
            const dma_pending *p = &s->q[s->head];
            if (!dram_channel_has_room(h, &h->ch[dram_channel_of(h, p->addr)])) continue;   /* a CAS makes room */
            int64_t a = p->start > s->last_offer + 1 ? p->start : s->last_offer + 1;
            if (a < next) next = a;
        }
        if (next > until) next = until;
        if (next > h->now && next != NEVER) {
            int hint_valid = h->hint_at == h->now;
            h->now = next;
            if (hint_valid) h->hint_at = next;   /* the model's next event is unchanged */
        } else if (next == NEVER) {
            return;   /* nothing pending anywhere: the transfer cannot be waiting */
        }
    }
}

uint64_t pesim_dram_dma_wait(pesim_dram_dma *d, uint64_t xfer)
{
    if (xfer == 0 || xfer > d->nx) return 0;
    run(d, xfer, NEVER);
    return d->x[xfer - 1].finish;
}

void pesim_dram_dma_advance_to(pesim_dram_dma *d, uint64_t cycle)
{
    run(d, 0, cycle > (uint64_t)NEVER ? NEVER : (int64_t)cycle);
}
