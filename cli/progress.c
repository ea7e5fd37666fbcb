/* cli/progress.c - a progress line on a terminal (see progress.h).
 * POSIX: isatty, open, getppid; Linux: /proc. */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "pesim/mpi.h"

#include "progress.h"

/* Under mpirun, a rank's stderr is a pipe to the launcher (Open MPI forwards
 * it), whatever the launcher's own stderr is: rank 0 draws the line when the
 * launcher that started it (its parent) writes its stderr to a terminal. */
static int launcher_on_terminal(void)
{
    if (!pesim_mpi_launched())
        return 0;
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/fd/2", (long)getppid());
    int fd = open(path, O_WRONLY | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return 0;
    int tty = isatty(fd);
    close(fd);
    return tty;
}

static double now_seconds(void)
{
    struct timespec ts;
    if (timespec_get(&ts, TIME_UTC) != TIME_UTC)
        return 0.0;
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void cli_progress_start(cli_progress *p, const char *what, int64_t total)
{
    p->on = isatty(fileno(stderr)) || launcher_on_terminal();
    p->shown = 0;
    p->t0 = p->on ? now_seconds() : 0.0;
    p->what = what;
    p->total = total;
    p->unit = NULL;
    const char *d = getenv("PESIM_PROGRESS_DELAY_S");
    char *end = NULL;
    p->delay_s = d ? strtod(d, &end) : 1.0;
    if (!d || end == d || p->delay_s < 0)
        p->delay_s = 1.0;
}

void cli_progress_step(cli_progress *p, int64_t done, const char *item)
{
    if (!p->on)
        return;
    double dt = now_seconds() - p->t0;
    if (dt < p->delay_s)
        return;
    double frac = p->total > 0 ? (double)done / (double)p->total : 0.0;
    fprintf(stderr, "\r\033[Kpesim: %s: %.0f%% of the %s", p->what, 100.0 * frac, p->unit ? p->unit : "MACs");
    if (frac > 0.0 && p->unit) {
        fprintf(stderr, ", %.3g %s/s, ETA %.0f s", (double)done / dt, p->unit, dt * (1.0 - frac) / frac);
    } else if (frac > 0.0) {
        double rate = (double)done / dt;   /* simulated MACs per second */
        fprintf(stderr, ", %.1f %s/s, ETA %.0f s", rate >= 1e9 ? rate * 1e-9 : rate * 1e-6,
                rate >= 1e9 ? "GMAC" : "MMAC", dt * (1.0 - frac) / frac);
    }
    if (item)
        fprintf(stderr, " (%s)", item);
    fflush(stderr);
    p->shown = 1;
}

void cli_progress_end(cli_progress *p)
{
    if (p->shown) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
    p->shown = 0;
}
