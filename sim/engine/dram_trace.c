/* engine/dram_trace.c - request traces in DRAMsim3's format and the driver that
 * feeds them to the DRAM model with its event-driven path (pesim/dram.h). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/dram_impl.h"

#define LINE_MAX_BYTES 4096

/* 1 if the n bytes at p are word, ignoring ASCII case. */
static int is_word(const char *p, size_t n, const char *word)
{
    if (strlen(word) != n) return 0;
    for (size_t i = 0; i < n; i++)
        if (toupper((unsigned char)p[i]) != word[i]) return 0;
    return 1;
}

static const char *skip_blanks(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') p++;
    return p;
}

/* Copies the token at p (up to a blank) into tok for messages; returns its end. */
static const char *token(const char *p, char *tok, size_t n)
{
    const char *q = p;
    while (*q && *q != ' ' && *q != '\t' && *q != '\r' && *q != '\n') q++;
    size_t len = (size_t)(q - p);
    if (n > 0) {
        if (len >= n) len = n - 1;
        memcpy(tok, p, len);
        tok[len] = '\0';
    }
    return q;
}

int pesim_dram_trace_parse_line(const char *line, pesim_dram_request *r, char *msg, size_t n)
{
    char tok[48];
    const char *p = skip_blanks(line);
    if (*p == '\0' || *p == '#') return 0;

    /* 0x<hex address> */
    const char *end = token(p, tok, sizeof tok);
    if (!(p[0] == '0' && (p[1] == 'x' || p[1] == 'X') && isxdigit((unsigned char)p[2]))) {
        snprintf(msg, n, "expected an address '0x<hex>', got '%s'", tok);
        return -1;
    }
    uint64_t addr = 0;
    for (const char *q = p + 2; q < end; q++) {
        int d;
        if (*q >= '0' && *q <= '9') d = *q - '0';
        else if (*q >= 'a' && *q <= 'f') d = *q - 'a' + 10;
        else if (*q >= 'A' && *q <= 'F') d = *q - 'A' + 10;
        else {
            snprintf(msg, n, "bad hex address '%s'", tok);
            return -1;
        }
        if (addr >> 60) {
            snprintf(msg, n, "address '%s' does not fit in 64 bits", tok);
            return -1;
        }
        addr = addr << 4 | (uint64_t)d;
    }

    /* READ | WRITE */
    p = skip_blanks(end);
    end = token(p, tok, sizeof tok);
    int is_write;
    if (is_word(p, (size_t)(end - p), "READ")) {
        is_write = 0;
    } else if (is_word(p, (size_t)(end - p), "WRITE")) {
        is_write = 1;
    } else {
        snprintf(msg, n, *p ? "expected READ or WRITE, got '%s'" : "expected READ or WRITE after the address%s", tok);
        return -1;
    }

    /* <cycle>: decimal, up to PESIM_DRAM_TRACE_MAX_CYCLE */
    p = skip_blanks(end);
    end = token(p, tok, sizeof tok);
    if (p == end) {
        snprintf(msg, n, "expected a cycle after %s", is_write ? "WRITE" : "READ");
        return -1;
    }
    uint64_t cycle = 0;
    for (const char *q = p; q < end; q++) {
        if (*q < '0' || *q > '9') {
            snprintf(msg, n, "expected a cycle (a non-negative integer), got '%s'", tok);
            return -1;
        }
        cycle = cycle * 10 + (uint64_t)(*q - '0');
        if (cycle > PESIM_DRAM_TRACE_MAX_CYCLE) {
            snprintf(msg, n, "cycle '%s' is above 2^42, the most a trace may give (pesim/dram.h)", tok);
            return -1;
        }
    }
    p = skip_blanks(end);
    if (*p) {
        token(p, tok, sizeof tok);
        snprintf(msg, n, "unexpected '%s' after the cycle", tok);
        return -1;
    }
    r->addr = addr;
    r->is_write = is_write;
    r->cycle = cycle;
    return 1;
}

/* ---- request sources ------------------------------------------------------ */

/* Fills *r with the next request: 1, 0 at the end, -1 on error (e filled). */
typedef int (*pull_fn)(void *ctx, pesim_dram_request *r, pesim_error *e);

typedef struct array_src {
    const pesim_dram_request *reqs;
    size_t n, i;
} array_src;

static int pull_array(void *ctx, pesim_dram_request *r, pesim_error *e)
{
    array_src *s = ctx;
    if (s->i >= s->n) return 0;
    *r = s->reqs[s->i];
    if (r->cycle > PESIM_DRAM_TRACE_MAX_CYCLE) {
        pesim_error_set(e, PESIM_ERR_RANGE, NULL, 0, "cycle", "request %zu: cycle above 2^42", s->i);
        return -1;
    }
    s->i++;
    return 1;
}

typedef struct file_src {
    FILE *f;
    const char *path;
    int line;
    char buf[LINE_MAX_BYTES];
} file_src;

static int pull_file(void *ctx, pesim_dram_request *r, pesim_error *e)
{
    file_src *s = ctx;
    for (;;) {
        if (!fgets(s->buf, sizeof s->buf, s->f)) {
            if (ferror(s->f)) {
                pesim_error_set(e, PESIM_ERR_IO, s->path, s->line, NULL, "read error");
                return -1;
            }
            return 0;
        }
        s->line++;
        size_t len = strlen(s->buf);
        if (len + 1 == sizeof s->buf && s->buf[len - 1] != '\n' && !feof(s->f)) {
            pesim_error_set(e, PESIM_ERR_PARSE, s->path, s->line, NULL, "line longer than %d bytes",
                            LINE_MAX_BYTES - 2);
            return -1;
        }
        char msg[160];
        int k = pesim_dram_trace_parse_line(s->buf, r, msg, sizeof msg);
        if (k < 0) {
            pesim_error_set(e, PESIM_ERR_PARSE, s->path, s->line, NULL, "%s", msg);
            return -1;
        }
        if (k > 0) return 1;
    }
}

/* ---- the driver ----------------------------------------------------------- */

/* The trace-driver contract of pesim/dram.h on the event-driven path. Each
 * visited cycle: add the pending request if it may go now, then tick; then
 * jump to the earliest of the model's next event (known from the tick when it
 * issued nothing) and the cycle at which the pending request may be added. A
 * skipped cycle is one in which ticking would have done nothing. */
static pesim_status drive(pesim_dram_sim *h, pull_fn pull, void *src, uint64_t *count, pesim_error *e)
{
    pesim_error local;
    if (!e) e = &local;
    pesim_dram_request p;
    int have = pull(src, &p, e);
    if (have < 0) return e->code;
    int64_t last_add = -1;        /* cycle of the last issue: at most one a cycle */
    uint64_t id = count ? *count : 0;
    pesim_status st = PESIM_OK;
    const dram_channel *pch = have ? &h->ch[dram_channel_of(h, p.addr)] : NULL;   /* p's channel */
    for (;;) {
        int64_t now = h->now;
        if (have && (int64_t)p.cycle <= now && last_add < now && pch->n_free > 0) {
            pesim_dram_sim_add(h, p.addr, p.is_write, id++);
            last_add = now;
            have = pull(src, &p, e);
            if (have < 0) {
                st = e->code;
                break;
            }
            if (have) pch = &h->ch[dram_channel_of(h, p.addr)];
        }
        if (!have && h->outstanding == 0) break;
        int64_t next = dram_step(h);          /* now -> now + 1 */
        if (!have && h->outstanding == 0) break;
        if (have && pch->n_free > 0) {
            int64_t a = (int64_t)p.cycle;
            if (a <= last_add) a = last_add + 1;
            if (a < next) next = a;
        }
        if (next == NEVER) {       /* cannot happen: a full queue always has work */
            st = pesim_error_set(e, PESIM_ERR_INTERNAL, NULL, 0, NULL, "DRAM model stalled at cycle %lld",
                                 (long long)now);
            break;
        }
        if (next > h->now) {
            int hint_valid = h->hint_at == h->now;
            h->now = next;
            if (hint_valid) h->hint_at = next;   /* the model's next event is unchanged */
        }
    }
    if (count) *count = id;
    return st;
}

pesim_status pesim_dram_sim_run_requests(pesim_dram_sim *h, const pesim_dram_request *reqs, size_t n,
                                         uint64_t *count, pesim_error *e)
{
    array_src s = {reqs, n, 0};
    return drive(h, pull_array, &s, count, e);
}

pesim_status pesim_dram_sim_run_trace(pesim_dram_sim *h, const char *path, uint64_t *count, pesim_error *e)
{
    pesim_error local;
    if (!e) e = &local;
    file_src *s = malloc(sizeof *s);
    if (!s) return pesim_error_set(e, PESIM_ERR_NOMEM, path, 0, NULL, "out of memory");
    s->f = fopen(path, "r");
    if (!s->f) {
        pesim_status st = pesim_error_set(e, PESIM_ERR_IO, path, 0, NULL, "cannot open trace: %s", strerror(errno));
        free(s);
        return st;
    }
    s->path = path;
    s->line = 0;
    /* every line checked before anything runs */
    pesim_dram_request r;
    int k;
    while ((k = pull_file(s, &r, e)) > 0) {}
    pesim_status st = k < 0 ? e->code : PESIM_OK;
    if (!st) {
        rewind(s->f);
        s->line = 0;
        st = drive(h, pull_file, s, count, e);
    }
    fclose(s->f);
    free(s);
    return st;
}
