/* cli/suggest.h - "did you mean": the candidates closest to a misspelt name. */
#ifndef PESIM_CLI_SUGGEST_H
#define PESIM_CLI_SUGGEST_H

#include <stddef.h>

#define CLI_SUGGEST_MAX 8

/* Selects up to max (<= CLI_SUGGEST_MAX) of the n candidates that are close
 * to name - edit distance (case-insensitive) at most max(2, len(name)/3), or
 * containing name, or contained in it - closest first, ties in candidate
 * order. Writes them into out (pointers into cands) and returns how many. */
size_t cli_suggest(const char *name, const char *const *cands, size_t n,
                   const char **out, size_t max);

/* Case-insensitive Levenshtein distance of a and b (each cut at 127 bytes). */
size_t cli_edit_distance(const char *a, const char *b);

#endif
