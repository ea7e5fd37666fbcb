/* cli/progress.h - progress of long work on a terminal.
 *
 * DESIGN.md: long work shows progress on a terminal and stays quiet when not
 * on one. A progress line is written to stderr only when stderr is a
 * terminal (under an MPI launcher: when the launcher's stderr is one, since
 * the launcher pipes a rank's stderr) and the work has already taken a second (PESIM_PROGRESS_DELAY_S
 * in the environment sets another delay, e.g. 0); it is rewritten in place
 * ("\r") and erased by cli_progress_end, so nothing is left on stderr. */
#ifndef PESIM_CLI_PROGRESS_H
#define PESIM_CLI_PROGRESS_H

#include <stdint.h>

typedef struct cli_progress {
    int on;                  /* stderr is a terminal */
    int shown;               /* a line is on the screen */
    double t0;               /* start, seconds */
    double delay_s;          /* nothing is shown before the work has taken this long */
    const char *what;        /* "cycle engine" */
    int64_t total;           /* units of work (MACs) */
    const char *unit;        /* "points": counts other units than MACs (NULL: MACs; start sets NULL) */
} cli_progress;

void cli_progress_start(cli_progress *p, const char *what, int64_t total);
/* `done` units of `total` are done; `item` (may be NULL) is being worked on. */
void cli_progress_step(cli_progress *p, int64_t done, const char *item);
void cli_progress_end(cli_progress *p);

#endif
