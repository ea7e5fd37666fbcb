/* cli/suggest.c - close-name suggestions (see suggest.h). */
#include <ctype.h>
#include <string.h>

#include "suggest.h"

#define NAME_CUT 127

static int lower(char c) { return tolower((unsigned char)c); }

size_t cli_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > NAME_CUT) la = NAME_CUT;
    if (lb > NAME_CUT) lb = NAME_CUT;
    size_t row[NAME_CUT + 1];              /* distances of a[0..i) to b[0..j) */
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];              /* d(i-1, j-1) */
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];            /* d(i-1, j) */
            size_t best = diag + (lower(a[i - 1]) != lower(b[j - 1]));
            if (up + 1 < best) best = up + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

/* 1 if needle occurs in hay, ignoring case. */
static int contains(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    if (n == 0)
        return 0;
    for (; *hay; hay++) {
        size_t k = 0;
        while (k < n && hay[k] && lower(hay[k]) == lower(needle[k]))
            k++;
        if (k == n)
            return 1;
    }
    return 0;
}

size_t cli_suggest(const char *name, const char *const *cands, size_t n,
                   const char **out, size_t max)
{
    size_t dist[CLI_SUGGEST_MAX];
    size_t len = strlen(name), limit = len / 3 > 2 ? len / 3 : 2, found = 0;
    if (max > CLI_SUGGEST_MAX)
        max = CLI_SUGGEST_MAX;
    for (size_t i = 0; i < n; i++) {
        size_t d = cli_edit_distance(name, cands[i]);
        if (d > limit && !contains(cands[i], name) && !contains(name, cands[i]))
            continue;
        /* insertion into the sorted short list; equal distances keep input order */
        size_t pos = found;
        while (pos > 0 && dist[pos - 1] > d)
            pos--;
        if (pos >= max)
            continue;
        size_t last = found < max ? found : max - 1;
        for (size_t k = last; k > pos; k--) {
            dist[k] = dist[k - 1];
            out[k] = out[k - 1];
        }
        dist[pos] = d;
        out[pos] = cands[i];
        if (found < max)
            found++;
    }
    return found;
}
