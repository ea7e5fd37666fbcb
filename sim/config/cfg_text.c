/* cfg_text.c - checks of a config's text that libconfig 1.5 cannot make
 * itself: integer literals it would silently change, @include targets it
 * would read past (a directory makes its flex scanner call exit()), a UTF-8
 * byte-order mark, and the key of a "duplicate setting name". One small lexer
 * with libconfig's token rules serves all of them. Contracts: cfg_util.h. */
#include "config/cfg_util.h"
#include "core/util.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ------------------------------------------------------------ the lexer */

typedef enum tok_kind {
    TOK_END = 0,
    TOK_NAME,     /* a setting name or true/false */
    TOK_STRING,   /* "..." (s, len: the quoted text without the quotes, escapes kept) */
    TOK_NUMBER,   /* an integer or float literal, sign included */
    TOK_INCLUDE,  /* @include "path" at the start of a line (s, len: the path) */
    TOK_PUNCT     /* any other character: = : ; , { } ( ) [ ] */
} tok_kind;

typedef struct tok {
    tok_kind kind;
    const char *s;
    size_t len;
    int line;
} tok;

typedef struct lexer {
    const char *p;
    int line;
    int line_start;   /* only blanks since the last newline (libconfig's `^[ \t]*`) */
} lexer;

static void lex_init(lexer *x, const char *text)
{
    x->p = text;
    x->line = 1;
    x->line_start = 1;
}

/* The next token, skipping blanks and comments (# // and block comments). */
static tok lex_next(lexer *x)
{
    const char *p = x->p;
    tok t = {TOK_END, NULL, 0, 0};
    for (;;) {
        if (*p == '\n') {
            x->line++;
            x->line_start = 1;
            p++;
        } else if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\f' || *p == '\v') {
            p++;
        } else if (*p == '#' || (p[0] == '/' && p[1] == '/')) {
            while (*p && *p != '\n') p++;
        } else if (p[0] == '/' && p[1] == '*') {
            for (p += 2; *p && !(p[0] == '*' && p[1] == '/'); p++)
                if (*p == '\n') x->line++;
            if (*p) p += 2;
            x->line_start = 0;
        } else {
            break;
        }
    }
    t.line = x->line;
    t.s = p;
    if (!*p) {
        x->p = p;
        return t;
    }
    int at_start = x->line_start;
    x->line_start = 0;
    if (at_start && strncmp(p, "@include", 8) == 0 && (p[8] == ' ' || p[8] == '\t')) {
        const char *q = p + 8;
        while (*q == ' ' || *q == '\t') q++;
        if (*q == '"') {
            /* libconfig's INCLUDE state: \\ and \" are escapes, the rest is literal */
            const char *s = ++q;
            while (*q && *q != '"') q += (q[0] == '\\' && (q[1] == '\\' || q[1] == '"')) ? 2 : 1;
            t.kind = TOK_INCLUDE;
            t.s = s;
            t.len = (size_t)(q - s);
            x->p = *q ? q + 1 : q;
            return t;
        }
    }
    if (*p == '"') {
        const char *s = ++p;
        for (; *p && *p != '"'; p++) {
            if (*p == '\\' && p[1]) p++;
            if (*p == '\n') x->line++;
        }
        t.kind = TOK_STRING;
        t.s = s;
        t.len = (size_t)(p - s);
        x->p = *p ? p + 1 : p;
        return t;
    }
    if (isalpha((unsigned char)*p) || *p == '_' || *p == '*' || *p == '@') {
        while (isalnum((unsigned char)*p) || *p == '_' || *p == '*' || *p == '-' || *p == '@') p++;
        t.kind = TOK_NAME;
        t.len = (size_t)(p - t.s);
        x->p = p;
        return t;
    }
    if (isdigit((unsigned char)*p) || ((*p == '-' || *p == '+' || *p == '.') && isdigit((unsigned char)p[1]))) {
        if (*p == '-' || *p == '+') p++;
        int hex = p[0] == '0' && (p[1] == 'x' || p[1] == 'X');
        while (isalnum((unsigned char)*p) || *p == '.' ||
               ((*p == '-' || *p == '+') && !hex && (p[-1] == 'e' || p[-1] == 'E')))
            p++;
        t.kind = TOK_NUMBER;
        t.len = (size_t)(p - t.s);
        x->p = p;
        return t;
    }
    t.kind = TOK_PUNCT;
    t.len = 1;
    x->p = p + 1;
    return t;
}

/* ------------------------------------------------------ integer literals */

pesim_status pesim_cfg_check_literals(const cfg_ctx *c, const char *text)
{
    lexer x;
    lex_init(&x, text);
    for (tok t = lex_next(&x); t.kind != TOK_END; t = lex_next(&x)) {
        if (t.kind != TOK_NUMBER) continue;
        const char *digits = t.s;
        int neg = *digits == '-';
        if (*digits == '-' || *digits == '+') digits++;
        int hex = digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X');
        int is_float = 0;
        for (const char *q = digits; q < t.s + t.len; q++)
            if (!hex && (*q == '.' || *q == 'e' || *q == 'E')) is_float = 1;
        if (is_float) continue;
        size_t len = (size_t)(t.s + t.len - digits), suffix = 0;
        while (suffix < 2 && suffix < len && (digits[len - 1 - suffix] == 'L' || digits[len - 1 - suffix] == 'l'))
            suffix++;
        char num[32];
        if (len - suffix >= sizeof num) /* far too many digits for any integer */
            return pesim_error_set(c->e, PESIM_ERR_PARSE, c->name, t.line, NULL,
                                   "integer literal %.*s... does not fit in 64 bits", 24, t.s);
        memcpy(num, digits, len - suffix);
        num[len - suffix] = '\0';
        errno = 0;
        char *end;
        unsigned long long mag = strtoull(num, &end, hex ? 16 : 10);
        if (*end) continue; /* not a plain integer; libconfig accepted it, so leave it be */
        unsigned long long lim32 = neg ? 2147483648ull : 2147483647ull;
        unsigned long long lim64 = neg ? 9223372036854775808ull : 9223372036854775807ull;
        int tlen = (int)t.len;
        if (errno == ERANGE || mag > lim64)
            return pesim_error_set(c->e, PESIM_ERR_PARSE, c->name, t.line, NULL,
                                   "integer literal %.*s does not fit in 64 bits", tlen, t.s);
        if (!suffix && mag > lim32)
            return pesim_error_set(c->e, PESIM_ERR_PARSE, c->name, t.line, NULL,
                                   "integer literal %.*s does not fit in 32 bits: write it as %.*sL "
                                   "(without the L, libconfig silently changes its value)",
                                   tlen, t.s, tlen, t.s);
    }
    return PESIM_OK;
}

/* ------------------------------------------------------------- @include */

/* libconfig 1.5 opens an include at <include dir>/<path> (the dir is
 * prepended even to an absolute path) or, without a dir, at <path>. */
static char *include_path(const char *dir, const char *s, size_t len)
{
    size_t dl = dir ? strlen(dir) : 0;
    char *p = malloc(dl + len + 2);
    if (!p) return NULL;
    size_t n = 0;
    if (dir) {
        memcpy(p, dir, dl);
        p[dl] = '/';
        n = dl + 1;
    }
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\\' && i + 1 < len && (s[i + 1] == '\\' || s[i + 1] == '"')) i++;
        p[n++] = s[i];
    }
    p[n] = '\0';
    return p;
}

/* libconfig's MAX_INCLUDE_DEPTH: deeper includes are its own (clean) error. */
#define INCLUDE_DEPTH_MAX 10

static pesim_status check_includes(const cfg_ctx *c, const char *text, const char *file, int depth)
{
    lexer x;
    lex_init(&x, text);
    for (tok t = lex_next(&x); t.kind != TOK_END; t = lex_next(&x)) {
        if (t.kind != TOK_INCLUDE) continue;
        char *path = include_path(c->dir, t.s, t.len);
        if (!path) return pesim_error_set(c->e, PESIM_ERR_NOMEM, file, t.line, "@include", "out of memory");
        struct stat st;
        pesim_status res = PESIM_OK;
        if (stat(path, &st) != 0) {
            /* libconfig reports a missing file itself ("cannot open include file") */
        } else if (S_ISDIR(st.st_mode)) {
            res = pesim_error_set(c->e, PESIM_ERR_IO, file, t.line, "@include",
                                  "\"%.*s\" (%s) is a directory, not a config file", (int)t.len, t.s, path);
        } else if (!S_ISREG(st.st_mode)) {
            res = pesim_error_set(c->e, PESIM_ERR_IO, file, t.line, "@include",
                                  "\"%.*s\" (%s) is not a regular file", (int)t.len, t.s, path);
        } else if (depth + 1 < INCLUDE_DEPTH_MAX) {
            char *inner = NULL;
            pesim_error ie;
            if (pesim_io_read_text(path, &inner, &ie) == PESIM_OK) {
                if ((unsigned char)inner[0] == 0xEF && (unsigned char)inner[1] == 0xBB &&
                    (unsigned char)inner[2] == 0xBF)
                    res = pesim_error_set(c->e, PESIM_ERR_PARSE, path, 1, NULL,
                                          "the file starts with a UTF-8 byte-order mark (bytes EF BB BF): save it "
                                          "without one (pesim skips it in the main file, libconfig does not in "
                                          "an included file)");
                else
                    res = check_includes(c, inner, path, depth + 1);
            }
            free(inner); /* unreadable: libconfig reports it */
        }
        free(path);
        if (res) return res;
    }
    return PESIM_OK;
}

pesim_status pesim_cfg_check_includes(const cfg_ctx *c, const char *text)
{
    return check_includes(c, text, c->name, 0);
}

/* ---------------------------------------------------------------- BOM */

const char *pesim_cfg_skip_bom(const char *text)
{
    const unsigned char *u = (const unsigned char *)text;
    return u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF ? text + 3 : text;
}

/* ------------------------------------------------------ duplicate keys */

/* One open { } group or ( ) / [ ] list of the scan below, with the segment
 * it adds to a key path: its setting name, or its index in a list (shown as
 * its string `name` / `layer` once seen, as docs/config.md's paths do). */
typedef struct scope {
    int is_list;
    int count;            /* lists: elements so far (commas at this depth) */
    const char *seg;      /* the setting name (NULL: none, or a list element) */
    size_t seg_len;
    int index;            /* a list element's index */
    const char *label;    /* a list element's `name` / `layer` string */
    size_t label_len;
    size_t first_name;    /* index of the scope's first name in the names array */
} scope;

typedef struct seen_name {
    const char *s;
    size_t len;
    int line;
} seen_name;

#define SCOPE_MAX 64

/* Appends ".seg" (no dot first) to key (cap n, used *at). */
static void put_seg(char *key, size_t n, size_t *at, const char *s, size_t len, int bracket)
{
    if (*at + 1 >= n) return;
    int k = snprintf(key + *at, n - *at, "%s%s%.*s%s", *at ? "." : "", bracket ? "[" : "", (int)len, s,
                     bracket ? "]" : "");
    if (k > 0) *at = *at + (size_t)k >= n ? n - 1 : *at + (size_t)k;
}

static int is_word(const tok *t, const char *w)
{
    return t->kind == TOK_NAME && t->len == strlen(w) && memcmp(t->s, w, t->len) == 0;
}

int pesim_cfg_find_duplicate(const char *text, int line, char *key, size_t n, int *first_line)
{
    lexer x;
    lex_init(&x, text);
    scope sc[SCOPE_MAX];
    int depth = 0; /* sc[0]: the root group; sc[1]: a top-level group (no segment in paths) */
    memset(sc, 0, sizeof sc);
    seen_name *names = NULL;
    size_t n_names = 0, cap = 0;
    int found = 0;
    tok prev = {TOK_END, NULL, 0, 0}, pprev = prev;
    for (tok t = lex_next(&x); t.kind != TOK_END && t.line <= line && !found; pprev = prev, prev = t, t = lex_next(&x)) {
        if (t.kind != TOK_PUNCT) continue;
        char ch = *t.s;
        scope *g = &sc[depth];
        if ((ch == '=' || ch == ':') && prev.kind == TOK_NAME && !g->is_list) {
            /* a setting name: the first repeat in a group is where libconfig stops */
            for (size_t i = g->first_name; i < n_names && !found; i++)
                if (names[i].len == prev.len && memcmp(names[i].s, prev.s, prev.len) == 0) {
                    if (prev.line != line) goto done; /* not the error libconfig reported */
                    size_t at = 0;
                    key[0] = '\0';
                    for (int k = 2; k <= depth; k++) {
                        if (sc[k].seg) put_seg(key, n, &at, sc[k].seg, sc[k].seg_len, 0);
                        else if (sc[k].label) put_seg(key, n, &at, sc[k].label, sc[k].label_len, 1);
                        else {
                            char idx[16];
                            snprintf(idx, sizeof idx, "%d", sc[k].index);
                            put_seg(key, n, &at, idx, strlen(idx), 1);
                        }
                    }
                    put_seg(key, n, &at, prev.s, prev.len, 0);
                    *first_line = names[i].line;
                    found = 1;
                }
            if (found) break;
            if (n_names == cap) {
                size_t nc = cap ? cap * 2 : 64;
                seen_name *nn = realloc(names, nc * sizeof *nn);
                if (!nn) goto done;
                names = nn;
                cap = nc;
            }
            names[n_names++] = (seen_name){prev.s, prev.len, prev.line};
        } else if (ch == '{' || ch == '(' || ch == '[') {
            if (depth + 1 >= SCOPE_MAX) goto done;
            scope s;
            memset(&s, 0, sizeof s);
            s.is_list = ch != '{';
            s.first_name = n_names;
            if (g->is_list) {
                s.index = g->count;
            } else if (prev.kind == TOK_PUNCT && (*prev.s == '=' || *prev.s == ':') && pprev.kind == TOK_NAME) {
                s.seg = pprev.s;
                s.seg_len = pprev.len;
            }
            sc[++depth] = s;
        } else if ((ch == '}' || ch == ')' || ch == ']') && depth > 0) {
            n_names = sc[depth].first_name; /* the closed scope's names are forgotten */
            depth--;
        } else if (ch == ',' && g->is_list) {
            g->count++;
        } else if (ch == ';' || ch == ',') {
            /* `name = "GLB";` in a list element labels it */
            if (depth >= 2 && sc[depth - 1].is_list && !g->seg && !g->label && prev.kind == TOK_STRING &&
                pprev.kind == TOK_PUNCT && n_names > g->first_name) {
                seen_name *nm = &names[n_names - 1];
                tok w = {TOK_NAME, nm->s, nm->len, nm->line};
                if (is_word(&w, "name") || is_word(&w, "layer")) {
                    g->label = prev.s;
                    g->label_len = prev.len;
                }
            }
        }
    }
done:
    free(names);
    return found;
}
