/* cli/cmd_report.c - `pesim report CAMPAIGN.db`: one self-contained HTML page
 * of a result store (docs/workflows.md): the runs table; convergence curves
 * (best so far per evaluation, mean and min-max band over the seeds of each
 * algorithm, per search); the best cycles of each layer per algorithm (bars);
 * per sweep the Pareto front (cycles vs energy) with its table and a heatmap
 * of the best EDP over the two largest hardware parameters; per
 * whole-network run the store holds (net_* tables: a sweep's best or Pareto
 * points) the per-layer compute and stall cycles by cause (stacked bars and
 * a table), the memory occupancy timeline of each on-chip level and the DRAM
 * bandwidth over time; and the analytical-vs-simulated scatter of designs
 * evaluated at both fidelities, with their rank agreement. Plots are inline SVG drawn by pesim (svg.c):
 * no script, no network, no plotting library.
 *
 * The store is opened read-only with SQLite (the schema of docs/search.md
 * "The store"); a store another process is writing can be reported. Exit
 * status: 0, 2 bad usage or a file that is not a store. */
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "opts.h"
#include "output.h"
#include "pareto.h"
#include "rank.h"
#include "svg.h"

#define REPORT_DEFAULT_HTML "report.html"
#define REPORT_MAX_CURVES 24     /* searches with a convergence plot */
#define REPORT_MAX_POINTS 20000  /* scatter points drawn per plot */

static const cli_usage usage = {
    "report",
    "CAMPAIGN.db [--html FILE] [--title TEXT]",
    "Writes one self-contained HTML page of a result store (pesim search / sweep /\n"
    "compare --db): the runs, convergence curves (mean and min-max over seeds per\n"
    "algorithm), the best cycles per layer, each sweep's Pareto front, Pareto table\n"
    "and heatmap, the whole-network runs of a sweep's best points (per-layer stall\n"
    "breakdown, memory occupancy over the layers, DRAM bandwidth over time), and the\n"
    "analytical-vs-simulated scatter of designs evaluated at both fidelities with its\n"
    "Spearman and Kendall rank correlation. Plots are inline SVG: the page needs no\n"
    "network and no other file.",
    "Defaults: --html " REPORT_DEFAULT_HTML ", --title: the store's file name. Exit status:\n"
    "0 success, 2 bad usage or a file that is not a pesim store.",
};

typedef struct run_row {
    int64_t id, seed, budget, samples, valid;
    char algo[64], label[160], fidelity[16], objective[16], config[8192], algo_options[2048];
    double best;                  /* NaN: no valid evaluation */
    int finished;
} run_row;

typedef struct report {
    sqlite3 *db;
    FILE *f;
    run_row *runs;
    int n_runs;
    int n_plots, n_tables;
} report;

static const char *col_text(sqlite3_stmt *q, int i)
{
    const unsigned char *t = sqlite3_column_text(q, i);
    return t ? (const char *)t : "";
}

/* ------------------------------------------------------------ reading */

static int read_runs(report *r)
{
    sqlite3_stmt *q = NULL;
    const char *sql =
        "SELECT r.id, r.algorithm, r.label, r.seed, r.budget, r.fidelity, r.objective, r.config, r.algo_options,"
        " r.finished IS NOT NULL, (SELECT COUNT(*) FROM evals e WHERE e.id >> 40 = r.id),"
        " (SELECT SUM(flags & 1) FROM evals e WHERE e.id >> 40 = r.id),"
        " (SELECT MIN(objective) FROM evals e WHERE e.id >> 40 = r.id AND flags & 1) FROM runs r ORDER BY r.id";
    if (sqlite3_prepare_v2(r->db, sql, -1, &q, NULL) != SQLITE_OK)
        return -1;
    int cap = 0;
    while (sqlite3_step(q) == SQLITE_ROW) {
        if (r->n_runs == cap) {
            cap = cap ? 2 * cap : 16;
            run_row *t = realloc(r->runs, (size_t)cap * sizeof *t);
            if (!t) {
                sqlite3_finalize(q);
                return -1;
            }
            r->runs = t;
        }
        run_row *w = &r->runs[r->n_runs++];
        memset(w, 0, sizeof *w);
        w->id = sqlite3_column_int64(q, 0);
        snprintf(w->algo, sizeof w->algo, "%s", col_text(q, 1));
        snprintf(w->label, sizeof w->label, "%s", col_text(q, 2));
        w->seed = sqlite3_column_int64(q, 3);
        w->budget = sqlite3_column_int64(q, 4);
        snprintf(w->fidelity, sizeof w->fidelity, "%s", col_text(q, 5));
        snprintf(w->objective, sizeof w->objective, "%s", col_text(q, 6));
        snprintf(w->config, sizeof w->config, "%s", col_text(q, 7));
        snprintf(w->algo_options, sizeof w->algo_options, "%s", col_text(q, 8));
        w->finished = sqlite3_column_int(q, 9);
        w->samples = sqlite3_column_int64(q, 10);
        w->valid = sqlite3_column_int64(q, 11);
        w->best = sqlite3_column_type(q, 12) == SQLITE_NULL ? NAN : sqlite3_column_double(q, 12);
    }
    return sqlite3_finalize(q) == SQLITE_OK ? 0 : -1;
}

/* The best-so-far curve of a run: best[s] for s < *n (NaN before the first
 * valid evaluation). */
static double *read_curve(report *r, int64_t run, int64_t *n)
{
    sqlite3_stmt *q = NULL;
    *n = 0;
    if (sqlite3_prepare_v2(r->db, "SELECT sample, best FROM best_so_far WHERE run = ? ORDER BY sample", -1, &q,
                           NULL) != SQLITE_OK)
        return NULL;
    sqlite3_bind_int64(q, 1, run);
    int64_t cap = 0;
    double *v = NULL;
    while (sqlite3_step(q) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? 2 * cap : 256;
            double *t = realloc(v, (size_t)cap * sizeof *t);
            if (!t)
                break;
            v = t;
        }
        v[(*n)++] = sqlite3_column_type(q, 1) == SQLITE_NULL ? NAN : sqlite3_column_double(q, 1);
    }
    sqlite3_finalize(q);
    return v;
}

/* ------------------------------------------------------------ html */

static void esc(report *r, const char *s) { svg_text_escaped(r->f, s); }

static void fmt_g(char *buf, size_t n, double v)
{
    if (isnan(v))
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, "%.4g", v);
}

static void table_begin(report *r, const char *id, const char *caption, const char *const *heads, int n)
{
    fprintf(r->f, "<table id=\"%s\"><caption>", id);
    esc(r, caption);
    fputs("</caption>\n<tr>", r->f);
    for (int i = 0; i < n; i++) {
        fputs("<th>", r->f);
        esc(r, heads[i]);
        fputs("</th>", r->f);
    }
    fputs("</tr>\n", r->f);
    r->n_tables++;
}

static void td(report *r, const char *s)
{
    fputs("<td>", r->f);
    esc(r, s);
    fputs("</td>", r->f);
}

static void td_g(report *r, double v)
{
    char b[64];
    fmt_g(b, sizeof b, v);
    td(r, b);
}

static void td_i(report *r, int64_t v) { fprintf(r->f, "<td>%lld</td>", (long long)v); }

static void runs_table(report *r)
{
    static const char *const heads[] = {"run", "label", "algorithm", "seed", "fidelity", "objective",
                                        "evaluations", "valid", "best objective", "state"};
    fputs("<h2 id=\"runs\">Runs</h2>\n", r->f);
    table_begin(r, "table-runs", "every run of the store", heads, 10);
    for (int i = 0; i < r->n_runs; i++) {
        const run_row *w = &r->runs[i];
        fputs("<tr>", r->f);
        td_i(r, w->id);
        td(r, w->label);
        td(r, w->algo);
        td_i(r, w->seed);
        td(r, w->fidelity);
        td(r, w->objective);
        td_i(r, w->samples);
        td_i(r, w->valid);
        td_g(r, w->best);
        td(r, w->finished ? "finished" : "stopped");
        fputs("</tr>\n", r->f);
    }
    fputs("</table>\n", r->f);
}

static int is_sweep(const run_row *w) { return strcmp(w->algo, "sweep") == 0; }

/* Runs that are not searches: sweeps, and the evaluator comparisons of
 * `pesim compare --mappings` (the same candidates at two fidelities). */
static int is_search(const run_row *w) { return !is_sweep(w) && strcmp(w->algo, "compare") != 0; }

/* ------------------------------------------------------------ convergence */

/* One plot per search (label, fidelity, objective): per algorithm, the mean
 * and min-max band of the best so far over its runs (seeds). */
static void convergence(report *r)
{
    char *done = calloc((size_t)(r->n_runs > 0 ? r->n_runs : 1), 1);
    if (!done)
        return;
    int plots = 0, skipped = 0, header = 0;
    for (int i = 0; i < r->n_runs; i++) {
        const run_row *g = &r->runs[i];
        if (done[i] || !is_search(g) || g->samples == 0)
            continue;
        if (plots == REPORT_MAX_CURVES) {
            skipped++;
            done[i] = 1;
            continue;
        }
        if (!header) {
            fputs("<h2 id=\"convergence\">Convergence</h2>\n<p>Best objective so far against evaluations; the line is "
                  "the mean over the runs (seeds) of an algorithm, the band their minimum and maximum.</p>\n",
                  r->f);
            header = 1;
        }
        /* the runs of this search, by algorithm */
        int members[256], nm = 0;
        for (int j = i; j < r->n_runs && nm < 256; j++) {
            const run_row *w = &r->runs[j];
            if (!done[j] && is_search(w) && w->samples > 0 && strcmp(w->label, g->label) == 0 &&
                strcmp(w->fidelity, g->fidelity) == 0 && strcmp(w->objective, g->objective) == 0) {
                members[nm++] = j;
                done[j] = 1;
            }
        }
        int64_t len = 0;
        double ymin = INFINITY, ymax = -INFINITY;
        double *curves[256];
        int64_t clen[256];
        for (int m = 0; m < nm; m++) {
            curves[m] = read_curve(r, r->runs[members[m]].id, &clen[m]);
            if (clen[m] > len)
                len = clen[m];
            for (int64_t s = 0; curves[m] && s < clen[m]; s++)
                if (!isnan(curves[m][s]))
                    ymin = fmin(ymin, curves[m][s]), ymax = fmax(ymax, curves[m][s]);
        }
        char id[64], title[256], ylab[64];
        snprintf(id, sizeof id, "convergence-%d", plots);
        snprintf(title, sizeof title, "%s (%s, %s)", g->label[0] ? g->label : "search", g->objective, g->fidelity);
        snprintf(ylab, sizeof ylab, "best %s so far", g->objective);
        int ylog = ymin > 0 && ymax / ymin > 10;
        svg_plot p;
        svg_begin(&p, r->f, id, title, "evaluations", ylab, 1, (double)(len > 1 ? len : 2), ymin, ymax,
                  ylog ? SVG_YLOG : 0, 0);
        double *x = malloc((size_t)(len > 0 ? len : 1) * sizeof *x), *mean = malloc((size_t)(len > 0 ? len : 1) * sizeof *mean),
               *lo = malloc((size_t)(len > 0 ? len : 1) * sizeof *lo), *hi = malloc((size_t)(len > 0 ? len : 1) * sizeof *hi);
        char *adone = calloc((size_t)nm + 1, 1);
        int color = 0;
        for (int a = 0; x && mean && lo && hi && adone && a < nm; a++) {
            if (adone[a])
                continue;
            const char *algo = r->runs[members[a]].algo;
            int seeds = 0;
            int64_t n = 0;   /* samples where some run of the algorithm has a valid best */
            for (int64_t s = 0; s < len; s++) {
                double sum = 0, mn = INFINITY, mx = -INFINITY;
                int k = 0;
                for (int m = a; m < nm; m++) {
                    if (strcmp(r->runs[members[m]].algo, algo) != 0)
                        continue;
                    if (s == 0)
                        seeds++;
                    double v = curves[m] && s < clen[m] ? curves[m][s] : (curves[m] && clen[m] ? curves[m][clen[m] - 1] : NAN);
                    if (isnan(v))
                        continue;
                    sum += v, k++, mn = fmin(mn, v), mx = fmax(mx, v);
                }
                if (k == 0)
                    continue;
                x[n] = (double)(s + 1), mean[n] = sum / k, lo[n] = mn, hi[n] = mx;
                n++;
            }
            for (int m = a; m < nm; m++)
                if (strcmp(r->runs[members[m]].algo, algo) == 0)
                    adone[m] = 1;
            const char *c = svg_color(color++);
            svg_band(&p, x, lo, hi, (int)n, c);
            svg_line(&p, x, mean, (int)n, c, 2);
            char leg[128];
            snprintf(leg, sizeof leg, "%s (%d seed%s)", algo, seeds, seeds == 1 ? "" : "s");
            svg_legend(&p, c, leg);
        }
        svg_end(&p);
        r->n_plots++;
        free(x), free(mean), free(lo), free(hi), free(adone);
        for (int m = 0; m < nm; m++)
            free(curves[m]);
        plots++;
    }
    if (skipped)
        fprintf(r->f, "<p>%d more searches are not plotted (the first %d are).</p>\n", skipped, REPORT_MAX_CURVES);
    free(done);
}

/* Bars: the best cycles of each searched layer per algorithm (runs whose
 * label is a layer: more than one label searched with the same algorithm). */
static void layer_bars(report *r)
{
    sqlite3_stmt *q = NULL;
    const char *sql = "SELECT r.label, r.algorithm, MIN(e.cycles) FROM runs r JOIN evaluations e ON e.run = r.id"
                      " WHERE e.valid AND r.algorithm NOT IN ('sweep', 'compare')"
                      " GROUP BY r.label, r.algorithm"
                      " ORDER BY (SELECT MIN(id) FROM runs x WHERE x.label = r.label), MIN(r.id)";
    if (sqlite3_prepare_v2(r->db, sql, -1, &q, NULL) != SQLITE_OK)
        return;
    enum { MAXL = 64, MAXA = 8 };
    char labels[MAXL][160], algos[MAXA][64];
    double cyc[MAXL][MAXA];
    int nl = 0, na = 0;
    while (sqlite3_step(q) == SQLITE_ROW) {
        const char *l = col_text(q, 0), *a = col_text(q, 1);
        int li = 0, ai = 0;
        while (li < nl && strcmp(labels[li], l) != 0)
            li++;
        while (ai < na && strcmp(algos[ai], a) != 0)
            ai++;
        if ((li == nl && nl == MAXL) || (ai == na && na == MAXA))
            continue;
        if (li == nl) {
            snprintf(labels[nl], sizeof labels[nl], "%s", l);
            for (int k = 0; k < MAXA; k++)
                cyc[nl][k] = NAN;
            nl++;
        }
        if (ai == na)
            snprintf(algos[na++], sizeof algos[0], "%s", a);
        cyc[li][ai] = sqlite3_column_double(q, 2);
    }
    sqlite3_finalize(q);
    if (nl < 2)
        return;
    double ymax = 0;
    for (int i = 0; i < nl; i++)
        for (int k = 0; k < na; k++)
            if (!isnan(cyc[i][k]))
                ymax = fmax(ymax, cyc[i][k]);
    fputs("<h2 id=\"layers\">Per-layer cycles</h2>\n<p>The fewest cycles of a valid mapping found for each layer, per "
          "algorithm.</p>\n", r->f);
    svg_plot p;
    svg_begin(&p, r->f, "layer-cycles", "best cycles per layer", "layer", "cycles", 0, nl, 0, ymax * 1.05, SVG_XCAT,
              90 + 14.0 * nl * (na > 1 ? na : 1));
    double w = 0.8 / na;
    for (int k = 0; k < na; k++) {
        for (int i = 0; i < nl; i++) {
            if (isnan(cyc[i][k]))
                continue;
            char tip[320];
            snprintf(tip, sizeof tip, "%.160s, %.64s: %.0f cycles", labels[i], algos[k], cyc[i][k]);
            svg_bar(&p, i + 0.1 + w * (k + 0.5), w, 0, cyc[i][k], svg_color(k), tip);
        }
        svg_legend(&p, svg_color(k), algos[k]);
    }
    for (int i = 0; i < nl; i++)
        svg_xcat(&p, i + 0.5, labels[i]);
    svg_end(&p);
    r->n_plots++;
}

/* ------------------------------------------------------------ sweeps */

typedef struct sweep_param {
    char keys[256];
    int n;               /* choices */
    char values[64][32];
} sweep_param;

/* The "param i KEY=v0|v1|...[,KEY=v0|v1|...]" lines `pesim sweep` writes
 * into a run's config: a tuple's keys joined by ",", its values by "/". */
static int sweep_params(const char *config, sweep_param *ps, int max)
{
    int n = 0;
    for (const char *l = config; l && *l && n < max; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        if (strncmp(l, "param ", 6) != 0)
            continue;
        const char *seg = strchr(l + 6, ' '), *end = strchr(l, '\n');
        if (!end)
            end = l + strlen(l);
        if (!seg || seg > end)
            continue;
        sweep_param *p = &ps[n];
        memset(p, 0, sizeof *p);
        for (seg++; seg < end;) {
            const char *eq = memchr(seg, '=', (size_t)(end - seg));
            if (!eq)
                break;
            size_t kl = strlen(p->keys);
            snprintf(p->keys + kl, sizeof p->keys - kl, "%s%.*s", kl ? "," : "", (int)(eq - seg), seg);
            const char *v = eq + 1, *ve = memchr(v, ',', (size_t)(end - v));
            if (!ve)
                ve = end;
            int c = 0;
            while (v <= ve && c < 64) {
                const char *bar = memchr(v, '|', (size_t)(ve - v));
                const char *e = bar ? bar : ve;
                size_t vl = strlen(p->values[c]);
                snprintf(p->values[c] + vl, sizeof p->values[c] - vl, "%s%.*s", vl ? "/" : "", (int)(e - v), v);
                c++;
                if (!bar)
                    break;
                v = bar + 1;
            }
            if (c > p->n)
                p->n = c;
            seg = ve + 1;
        }
        if (p->n > 0)
            n++;
    }
    return n;
}

static void sweep_section(report *r, const run_row *w, int idx)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(r->db,
                           "SELECT choices, valid, cycles, energy_pj, area_um2 FROM evaluations WHERE run = ?"
                           " ORDER BY sample",
                           -1, &q, NULL) != SQLITE_OK)
        return;
    sqlite3_bind_int64(q, 1, w->id);
    int64_t n = 0, cap = 0;
    pesim_result *res = NULL;
    int32_t (*ch)[8] = NULL;
    while (sqlite3_step(q) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? 2 * cap : 256;
            pesim_result *t = realloc(res, (size_t)cap * sizeof *t);
            int32_t(*c)[8] = realloc(ch, (size_t)cap * sizeof *c);
            if (t)
                res = t;
            if (c)
                ch = c;
            if (!t || !c)
                break;
        }
        memset(&res[n], 0, sizeof res[n]);
        res[n].valid = sqlite3_column_int(q, 1);
        res[n].cycles = sqlite3_column_int64(q, 2);
        res[n].energy_pj = sqlite3_column_double(q, 3);
        res[n].area_um2 = sqlite3_column_double(q, 4);
        memset(ch[n], 0, sizeof ch[n]);
        const char *c = col_text(q, 0);
        for (int k = 0; k < 8 && *c; k++) {
            ch[n][k] = atoi(c);
            c = strchr(c, ',');
            c = c ? c + 1 : "";
        }
        n++;
    }
    sqlite3_finalize(q);
    char *pareto = calloc((size_t)(n > 0 ? n : 1), 1);
    if (!res || !ch || !pareto || cli_pareto_mark(res, n, pareto) < 0) {
        free(res), free(ch), free(pareto);
        return;
    }
    sweep_param ps[8];
    int np = sweep_params(w->config, ps, 8);
    fprintf(r->f, "<h2 id=\"sweep-%d\">Sweep (run %lld): %lld points</h2>\n<p>", idx, (long long)w->id, (long long)n);
    esc(r, w->config);
    fputs("</p>\n", r->f);
    /* the front */
    double x0 = INFINITY, x1 = 0, y0 = INFINITY, y1 = 0;
    for (int64_t i = 0; i < n; i++)
        if (res[i].valid && res[i].cycles > 0 && res[i].energy_pj > 0)
            x0 = fmin(x0, (double)res[i].cycles), x1 = fmax(x1, (double)res[i].cycles),
            y0 = fmin(y0, res[i].energy_pj), y1 = fmax(y1, res[i].energy_pj);
    char id[64];
    snprintf(id, sizeof id, "pareto-%d", idx);
    svg_plot p;
    svg_begin(&p, r->f, id, "Pareto front: latency vs energy (area in the tooltip)", "cycles", "energy (pJ)", x0 * 0.9,
              x1 * 1.1, y0 * 0.9, y1 * 1.1, SVG_XLOG | SVG_YLOG, 0);
    int64_t drawn = 0;
    for (int pass = 0; pass < 2; pass++)
        for (int64_t i = 0; i < n && drawn < REPORT_MAX_POINTS; i++) {
            if (!res[i].valid || pareto[i] != pass)
                continue;
            char tip[128];
            snprintf(tip, sizeof tip, "point %lld: %lld cycles, %.4g pJ, %.4g um2", (long long)i,
                     (long long)res[i].cycles, res[i].energy_pj, res[i].area_um2);
            svg_point(&p, (double)res[i].cycles, res[i].energy_pj, pass ? 5 : 3, pass ? svg_color(1) : "#999999", tip);
            drawn++;
        }
    svg_legend(&p, svg_color(1), "Pareto (latency, energy, area)");
    svg_legend(&p, "#999999", "dominated");
    svg_end(&p);
    r->n_plots++;
    /* the front's table */
    const char *heads[16];
    int nh = 0;
    heads[nh++] = "point";
    for (int k = 0; k < np && nh < 12; k++)
        heads[nh++] = ps[k].keys;
    heads[nh++] = "cycles";
    heads[nh++] = "energy (pJ)";
    heads[nh++] = "area (um2)";
    heads[nh++] = "EDP";
    snprintf(id, sizeof id, "table-pareto-%d", idx);
    table_begin(r, id, "the Pareto points", heads, nh);
    for (int64_t i = 0; i < n; i++) {
        if (!pareto[i])
            continue;
        fputs("<tr>", r->f);
        td_i(r, i);
        for (int k = 0; k < np && k < 8; k++)
            td(r, ch[i][k] < ps[k].n ? ps[k].values[ch[i][k]] : "?");
        td_i(r, res[i].cycles);
        td_g(r, res[i].energy_pj);
        td_g(r, res[i].area_um2);
        td_g(r, res[i].energy_pj * (double)res[i].cycles);
        fputs("</tr>\n", r->f);
    }
    fputs("</table>\n", r->f);
    /* the heatmap over the two parameters with the most choices */
    int a = -1, b = -1;
    for (int k = 0; k < np && k < 8; k++) {
        if (ps[k].n < 2)
            continue;
        if (a < 0 || ps[k].n > ps[a].n)
            b = a, a = k;
        else if (b < 0 || ps[k].n > ps[b].n)
            b = k;
    }
    if (a >= 0 && b >= 0) {
        int na = ps[a].n, nb = ps[b].n;
        double *best = malloc((size_t)na * (size_t)nb * sizeof *best);
        if (best) {
            double lo = INFINITY, hi = -INFINITY;
            for (int k = 0; k < na * nb; k++)
                best[k] = NAN;
            for (int64_t i = 0; i < n; i++) {
                if (!res[i].valid || ch[i][a] >= na || ch[i][b] >= nb)
                    continue;
                double edp = res[i].energy_pj * (double)res[i].cycles, *c = &best[ch[i][a] * nb + ch[i][b]];
                if (isnan(*c) || edp < *c)
                    *c = edp;
            }
            for (int k = 0; k < na * nb; k++)
                if (!isnan(best[k]) && best[k] > 0)
                    lo = fmin(lo, log10(best[k])), hi = fmax(hi, log10(best[k]));
            snprintf(id, sizeof id, "heatmap-%d", idx);
            char title[320];
            snprintf(title, sizeof title, "best EDP over %.120s x %.120s (grey: no valid point)", ps[a].keys, ps[b].keys);
            svg_begin(&p, r->f, id, title, ps[a].keys, ps[b].keys, 0, na, 0, nb, SVG_XCAT | SVG_YCAT, 0);
            for (int i = 0; i < na; i++)
                for (int j = 0; j < nb; j++) {
                    double v = best[i * nb + j];
                    char text[32] = "", tip[384];
                    if (!isnan(v))
                        snprintf(text, sizeof text, "%.2g", v);
                    snprintf(tip, sizeof tip, "%.120s=%s %.120s=%s: best EDP %s", ps[a].keys, ps[a].values[i], ps[b].keys,
                             ps[b].values[j], isnan(v) ? "none" : text);
                    double t = isnan(v) || v <= 0 ? NAN : hi > lo ? (log10(v) - lo) / (hi - lo) : 0;
                    svg_cell(&p, i, j, t, text, tip);
                }
            for (int i = 0; i < na; i++)
                svg_xcat(&p, i + 0.5, ps[a].values[i]);
            for (int j = 0; j < nb; j++)
                svg_ycat(&p, j + 0.5, ps[b].values[j]);
            svg_end(&p);
            r->n_plots++;
            free(best);
        }
    }
    free(res), free(ch), free(pareto);
}

/* Grows four arrays of doubles to cap entries each: 0, or -1 when out of
 * memory (each array then still holds its old entries, to be freed). */
static int grow4(double **a, double **b, double **c, double **d, int64_t cap)
{
    double **v[4] = {a, b, c, d};
    int ok = 1;
    for (int i = 0; i < 4; i++) {
        double *t = realloc(*v[i], (size_t)cap * sizeof *t);
        if (t)
            *v[i] = t;
        else
            ok = 0;
    }
    return ok ? 0 : -1;
}

/* ------------------------------------------------------------ fidelity */

/* Designs evaluated at both fidelities (same design hash; sweeps with an
 * inner search excluded: their hash is the architecture's, not the design's). */
static void fidelity_scatter(report *r)
{
    const char *sql =
        "SELECT a.cycles, c.cycles, a.energy_pj, c.energy_pj FROM evaluations a JOIN evaluations c"
        " ON a.design_hash = c.design_hash WHERE a.fidelity = 'analytical' AND c.fidelity = 'cycle'"
        " AND a.valid AND c.valid AND a.run IN (SELECT id FROM runs WHERE algo_options NOT LIKE 'inner=%')"
        " AND c.run IN (SELECT id FROM runs WHERE algo_options NOT LIKE 'inner=%')"
        " GROUP BY a.design_hash LIMIT 20000";
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(r->db, sql, -1, &q, NULL) != SQLITE_OK)
        return;
    int64_t n = 0, cap = 0;
    double *ac = NULL, *cc = NULL, *ae = NULL, *ce = NULL;
    while (sqlite3_step(q) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? 2 * cap : 256;
            if (grow4(&ac, &cc, &ae, &ce, cap) != 0)
                break;
        }
        ac[n] = sqlite3_column_double(q, 0);
        cc[n] = sqlite3_column_double(q, 1);
        ae[n] = sqlite3_column_double(q, 2);
        ce[n] = sqlite3_column_double(q, 3);
        n++;
    }
    sqlite3_finalize(q);
    if (n > 0) {
        double lo = INFINITY, hi = 0, mean_err = 0, max_err = 0;
        for (int64_t i = 0; i < n; i++) {
            lo = fmin(lo, fmin(ac[i], cc[i])), hi = fmax(hi, fmax(ac[i], cc[i]));
            double err = ac[i] > 0 ? 100.0 * fabs(cc[i] - ac[i]) / ac[i] : 0;
            mean_err += err, max_err = fmax(max_err, err);
        }
        mean_err /= (double)n;
        cli_rank_agreement ra;
        int ok = cli_rank_agree(ac, cc, n, &ra) == 0;
        fputs("<h2 id=\"fidelity\">Analytical vs simulated</h2>\n<p>Designs evaluated by both the analytical model "
              "and the cycle engine (same design).</p>\n", r->f);
        svg_plot p;
        svg_begin(&p, r->f, "fidelity-scatter", "cycles: analytical model vs cycle engine", "analytical cycles",
                  "simulated cycles", lo * 0.9, hi * 1.1, lo * 0.9, hi * 1.1, lo > 0 ? SVG_XLOG | SVG_YLOG : 0, 0);
        double dx[2] = {lo, hi};
        svg_line(&p, dx, dx, 2, "#999999", 1);
        for (int64_t i = 0; i < n; i++) {
            char tip[96];
            snprintf(tip, sizeof tip, "analytical %.0f, simulated %.0f cycles", ac[i], cc[i]);
            svg_point(&p, ac[i], cc[i], 3, svg_color(0), tip);
        }
        svg_legend(&p, svg_color(0), "a design");
        svg_legend(&p, "#999999", "y = x");
        svg_end(&p);
        r->n_plots++;
        static const char *const heads[] = {"designs", "mean |error| %", "max |error| %", "Spearman", "Kendall tau-b",
                                            "discordant pairs"};
        table_begin(r, "table-fidelity", "agreement of the two evaluators (cycles)", heads, 6);
        fputs("<tr>", r->f);
        td_i(r, n);
        td_g(r, mean_err);
        td_g(r, max_err);
        td_g(r, ok ? ra.spearman : NAN);
        td_g(r, ok ? ra.kendall : NAN);
        char b[64];
        snprintf(b, sizeof b, "%lld of %lld", (long long)(ok ? ra.discordant : 0), (long long)(ok ? ra.pairs : 0));
        td(r, b);
        fputs("</tr>\n</table>\n", r->f);
    }
    free(ac), free(cc), free(ae), free(ce);
}

/* ------------------------------------------------------------ network runs */

#define REPORT_MAX_NETWORKS 8    /* whole-network runs drawn */
#define REPORT_MAX_LAYERS 400    /* layers per network run drawn */

typedef struct net_layer_row {
    char name[64];
    int64_t start, cycles, compute, stall[PESIM_STALL_COUNT], dram_rd, dram_wr;
    double energy;
} net_layer_row;

/* The stacked bars of each layer's compute and stall cycles (its share of
 * the network's timeline) and the table of the same. */
/* Which mappings the network run's MAC layers ran (net_layers.mapped: 1
 * the default mapper's, 2 the one a search gave): a sentence when some were
 * given. */
static void network_mappings(report *r, int64_t run, int64_t sample)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(r->db, "SELECT SUM(mapped = 2), SUM(mapped > 0) FROM net_layers WHERE run = ?1 AND "
                           "sample = ?2", -1, &q, NULL) != SQLITE_OK)
        return;
    sqlite3_bind_int64(q, 1, run);
    sqlite3_bind_int64(q, 2, sample);
    if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_int64(q, 0) > 0)
        fprintf(r->f, "<p>%lld of its %lld MAC layers ran the mapping the search found for them; the others were "
                "remapped by the default mapper in the room the placement left.</p>\n",
                (long long)sqlite3_column_int64(q, 0), (long long)sqlite3_column_int64(q, 1));
    sqlite3_finalize(q);
}

static void network_layers(report *r, int k, int64_t run, int64_t sample)
{
    char sql[512];
    size_t w = (size_t)snprintf(sql, sizeof sql, "SELECT name, start_cycle, cycles, compute_cycles");
    for (int c = 0; c < PESIM_STALL_COUNT && w < sizeof sql; c++)
        w += (size_t)snprintf(sql + w, sizeof sql - w, ", stall_%s", pesim_stall_name((pesim_stall)c));
    if (w < sizeof sql)
        snprintf(sql + w, sizeof sql - w, ", energy_pj, dram_read_words, dram_write_words FROM net_layers"
                                          " WHERE run = ?1 AND sample = ?2 ORDER BY layer");
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(r->db, sql, -1, &q, NULL) != SQLITE_OK)
        return;
    sqlite3_bind_int64(q, 1, run);
    sqlite3_bind_int64(q, 2, sample);
    net_layer_row *rows = malloc(REPORT_MAX_LAYERS * sizeof *rows);
    int n = 0;
    while (rows && n < REPORT_MAX_LAYERS && sqlite3_step(q) == SQLITE_ROW) {
        net_layer_row *x = &rows[n++];
        int c = 0;
        snprintf(x->name, sizeof x->name, "%s", col_text(q, c++));
        x->start = sqlite3_column_int64(q, c++);
        x->cycles = sqlite3_column_int64(q, c++);
        x->compute = sqlite3_column_int64(q, c++);
        for (int j = 0; j < PESIM_STALL_COUNT; j++)
            x->stall[j] = sqlite3_column_int64(q, c++);
        x->energy = sqlite3_column_double(q, c++);
        x->dram_rd = sqlite3_column_int64(q, c++);
        x->dram_wr = sqlite3_column_int64(q, c++);
    }
    sqlite3_finalize(q);
    if (!rows || n == 0) {
        free(rows);
        return;
    }
    double ymax = 0;
    for (int i = 0; i < n; i++) {
        double h = (double)rows[i].compute;
        for (int j = 0; j < PESIM_STALL_COUNT; j++)
            h += (double)rows[i].stall[j];
        ymax = fmax(ymax, fmax(h, (double)rows[i].cycles));
    }
    char id[64], tip[320];
    snprintf(id, sizeof id, "layer-breakdown-%d", k);
    svg_plot p;
    svg_begin(&p, r->f, id, "cycles per layer: compute and stalls by cause", "layer", "cycles", 0, n, 0, ymax * 1.05,
              SVG_XCAT, 90 + 14.0 * n);
    for (int i = 0; i < n; i++) {
        double y = 0;
        for (int j = -1; j < PESIM_STALL_COUNT; j++) {
            int64_t v = j < 0 ? rows[i].compute : rows[i].stall[j];
            if (v <= 0)
                continue;
            snprintf(tip, sizeof tip, "%.64s: %lld cycles %s (of %lld)", rows[i].name, (long long)v,
                     j < 0 ? "compute" : pesim_stall_name((pesim_stall)j), (long long)rows[i].cycles);
            svg_bar(&p, i + 0.5, 0.8, y, y + (double)v, svg_color(j + 1), tip);
            y += (double)v;
        }
    }
    svg_legend(&p, svg_color(0), "compute");
    for (int j = 0; j < PESIM_STALL_COUNT; j++)
        svg_legend(&p, svg_color(j + 1), pesim_stall_name((pesim_stall)j));
    for (int i = 0; i < n; i++)
        svg_xcat(&p, i + 0.5, rows[i].name);
    svg_end(&p);
    r->n_plots++;
    const char *heads[8 + PESIM_STALL_COUNT];
    int nh = 0;
    heads[nh++] = "layer";
    heads[nh++] = "start cycle";
    heads[nh++] = "cycles";
    heads[nh++] = "compute";
    for (int j = 0; j < PESIM_STALL_COUNT; j++)
        heads[nh++] = pesim_stall_name((pesim_stall)j);
    heads[nh++] = "energy (pJ)";
    heads[nh++] = "DRAM words read";
    heads[nh++] = "DRAM words written";
    snprintf(id, sizeof id, "table-network-%d", k);
    fputs("<div class=\"scroll\">\n", r->f); /* wider than the page: it scrolls */
    table_begin(r, id, "per layer: its share of the timeline, compute and stall cycles by cause", heads, nh);
    for (int i = 0; i < n; i++) {
        fputs("<tr>", r->f);
        td(r, rows[i].name);
        td_i(r, rows[i].start);
        td_i(r, rows[i].cycles);
        td_i(r, rows[i].compute);
        for (int j = 0; j < PESIM_STALL_COUNT; j++)
            td_i(r, rows[i].stall[j]);
        td_g(r, rows[i].energy);
        td_i(r, rows[i].dram_rd);
        td_i(r, rows[i].dram_wr);
        fputs("</tr>\n", r->f);
    }
    fputs("</table>\n</div>\n", r->f);
    free(rows);
}

/* The occupancy of each on-chip level with a capacity over the steps, in %
 * of its capacity per instance: live tensors (band) and live + the step's
 * tiles (line), flat over each step. */
static void network_occupancy(report *r, int k, int64_t run, int64_t sample)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(r->db,
                           "SELECT level, level_name, step, live_words, staging_words, capacity_words FROM net_occupancy"
                           " WHERE run = ?1 AND sample = ?2 AND capacity_words > 0 ORDER BY level DESC, step",
                           -1, &q, NULL) != SQLITE_OK)
        return;
    sqlite3_bind_int64(q, 1, run);
    sqlite3_bind_int64(q, 2, sample);
    enum { MAXS = 2 * REPORT_MAX_LAYERS };
    typedef struct occ_line {
        char name[64];
        int n;
        double x[MAXS], lo[MAXS], live[MAXS], all[MAXS];
    } occ_line;
    occ_line *ln = calloc(PESIM_MAX_LEVELS, sizeof *ln);
    int nl = 0, cur = -1, steps = 1;
    double ymax = 100;
    while (ln && sqlite3_step(q) == SQLITE_ROW) {
        int lv = sqlite3_column_int(q, 0);
        if (lv != cur) {
            if (nl == PESIM_MAX_LEVELS)
                break;
            cur = lv;
            snprintf(ln[nl++].name, sizeof ln[0].name, "%s", col_text(q, 1));
        }
        occ_line *l = &ln[nl - 1];
        int step = sqlite3_column_int(q, 2);
        double cap = (double)sqlite3_column_int64(q, 5);
        double lw = 100.0 * (double)sqlite3_column_int64(q, 3) / cap;
        double aw = lw + 100.0 * (double)sqlite3_column_int64(q, 4) / cap;
        if (step + 1 > steps)
            steps = step + 1;
        ymax = fmax(ymax, aw);
        for (int e = 0; e < 2 && l->n < MAXS; e++) {
            l->x[l->n] = step + e, l->lo[l->n] = 0, l->live[l->n] = lw, l->all[l->n] = aw;
            l->n++;
        }
    }
    sqlite3_finalize(q);
    if (ln && nl > 0) {
        char id[64];
        snprintf(id, sizeof id, "occupancy-%d", k);
        svg_plot p;
        svg_begin(&p, r->f, id, "memory occupancy per step (% of each level's capacity, per instance)",
                  "step (layer)", "% of capacity", 0, steps, 0, ymax * 1.05, 0, 0);
        for (int i = 0; i < nl; i++) {
            const char *c = svg_color(i);
            svg_band(&p, ln[i].x, ln[i].lo, ln[i].live, ln[i].n, c);
            svg_line(&p, ln[i].x, ln[i].all, ln[i].n, c, 2);
            char leg[128];
            snprintf(leg, sizeof leg, "%.48s: live (band), + tiles (line)", ln[i].name);
            svg_legend(&p, c, leg);
        }
        double cx[2] = {0, steps}, cy[2] = {100, 100};
        svg_line(&p, cx, cy, 2, "#999999", 1);
        svg_legend(&p, "#999999", "capacity");
        svg_end(&p);
        r->n_plots++;
    }
    free(ln);
}

/* The DRAM traffic over time in words per cycle (bins), with the DRAM's
 * peak when known. */
static void network_dram(report *r, int k, int64_t run, int64_t sample, double peak)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(r->db,
                           "SELECT start_cycle, end_cycle, read_words, write_words FROM net_dram"
                           " WHERE run = ?1 AND sample = ?2 ORDER BY bin",
                           -1, &q, NULL) != SQLITE_OK)
        return;
    sqlite3_bind_int64(q, 1, run);
    sqlite3_bind_int64(q, 2, sample);
    int n = 0, cap = 0;
    double *x = NULL, *rd = NULL, *wr = NULL, *tot = NULL, ymax = peak, xmax = 1;
    while (sqlite3_step(q) == SQLITE_ROW) {
        if (n + 2 > cap) {
            cap = cap ? 2 * cap : 256;
            if (grow4(&x, &rd, &wr, &tot, cap) != 0)
                break;
        }
        double s = (double)sqlite3_column_int64(q, 0), e = (double)sqlite3_column_int64(q, 1);
        double span = e > s ? e - s : 1;
        double vr = sqlite3_column_double(q, 2) / span, vw = sqlite3_column_double(q, 3) / span;
        for (int j = 0; j < 2; j++) { /* flat over the bin */
            x[n] = j ? e : s, rd[n] = vr, wr[n] = vw, tot[n] = vr + vw;
            n++;
        }
        ymax = fmax(ymax, vr + vw);
        xmax = fmax(xmax, e);
    }
    sqlite3_finalize(q);
    if (n > 0) {
        char id[64];
        snprintf(id, sizeof id, "dram-bandwidth-%d", k);
        svg_plot p;
        svg_begin(&p, r->f, id, "DRAM bandwidth over time (words per cycle, per bin)", "cycle", "words / cycle", 0,
                  xmax, 0, ymax > 0 ? ymax * 1.1 : 1, 0, 0);
        svg_line(&p, x, tot, n, svg_color(0), 2);
        svg_line(&p, x, rd, n, svg_color(1), 1);
        svg_line(&p, x, wr, n, svg_color(2), 1);
        svg_legend(&p, svg_color(0), "read + write");
        svg_legend(&p, svg_color(1), "read");
        svg_legend(&p, svg_color(2), "write");
        if (peak > 0) {
            double px[2] = {0, xmax}, py[2] = {peak, peak};
            svg_line(&p, px, py, 2, "#999999", 1);
            svg_legend(&p, "#999999", "DRAM peak");
        }
        svg_end(&p);
        r->n_plots++;
    }
    free(x), free(rd), free(wr), free(tot);
}

/* The whole-network runs the store holds (`pesim sweep --db`: the best
 * point's, or every Pareto point's): per-layer breakdown, occupancy, DRAM. */
static void network_runs(report *r)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(r->db,
                           "SELECT n.run, n.sample, n.placement, n.fidelity, n.cycles, n.energy_pj,"
                           " n.dram_peak_words_per_cycle, r.algorithm, n.valid, n.reason FROM net_runs n"
                           " JOIN runs r ON r.id = n.run ORDER BY n.run, n.valid, n.sample",
                           -1, &q, NULL) != SQLITE_OK)
        return; /* a store written before these tables */
    int k = 0, skipped = 0, header = 0;
    while (sqlite3_step(q) == SQLITE_ROW) {
        if (k == REPORT_MAX_NETWORKS) {
            skipped++;
            continue;
        }
        int64_t run = sqlite3_column_int64(q, 0), sample = sqlite3_column_int64(q, 1);
        if (!header)
            fputs("<h2 id=\"networks\">Whole-network runs</h2>\n<p>Designs run as one network (every layer, its tensors "
                  "placed in memory, state carried from layer to layer): where the cycles go per layer, how full "
                  "each memory is at each step, and the DRAM traffic over time.</p>\n",
                  r->f);
        header = 1;
        char head[384];
        if (!sqlite3_column_int(q, 8)) { /* infeasible as a whole network: why */
            snprintf(head, sizeof head, "%.32s run %lld, point %lld (%.32s placement): does not run as a whole "
                     "network: %.200s", col_text(q, 7), (long long)run, (long long)sample, col_text(q, 2),
                     col_text(q, 9));
            fputs("<p>", r->f);
            esc(r, head);
            fputs("</p>\n", r->f);
            continue;
        }
        fprintf(r->f, "<h3 id=\"network-%d\">", k);
        snprintf(head, sizeof head, "%.32s run %lld, point %lld: %.32s placement, %.16s: %lld cycles, %.4g pJ",
                 col_text(q, 7), (long long)run, (long long)sample, col_text(q, 2), col_text(q, 3),
                 (long long)sqlite3_column_int64(q, 4), sqlite3_column_double(q, 5));
        esc(r, head);
        fputs("</h3>\n", r->f);
        network_mappings(r, run, sample);
        network_layers(r, k, run, sample);
        network_occupancy(r, k, run, sample);
        network_dram(r, k, run, sample, sqlite3_column_double(q, 6));
        k++;
    }
    sqlite3_finalize(q);
    if (skipped)
        fprintf(r->f, "<p>%d more network runs are not drawn (the first %d are).</p>\n", skipped, REPORT_MAX_NETWORKS);
}

/* ------------------------------------------------------------ the page */

static void page(report *r, const char *path, const char *title)
{
    FILE *f = r->f;
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>", f);
    esc(r, title);
    fputs("</title>\n<style>\nbody{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}\n"
          "table{border-collapse:collapse;margin:1em 0;font-size:13px}\n"
          "th,td{border:1px solid #ccc;padding:3px 8px;text-align:right}\nth{background:#f2f2f2}\n"
          "caption{text-align:left;font-weight:bold;padding:4px 0}\nsvg{display:block;margin:1em 0}\n"
          ".scroll{overflow-x:auto}\n"
          "</style>\n</head>\n<body>\n<h1>", f);
    esc(r, title);
    fputs("</h1>\n<p>pesim report of <code>", f);
    esc(r, path);
    int64_t evals = 0;
    for (int i = 0; i < r->n_runs; i++)
        evals += r->runs[i].samples;
    fprintf(f, "</code>: %d runs, %lld evaluations.</p>\n", r->n_runs, (long long)evals);
    runs_table(r);
    convergence(r);
    layer_bars(r);
    int k = 0;
    for (int i = 0; i < r->n_runs; i++)
        if (is_sweep(&r->runs[i]))
            sweep_section(r, &r->runs[i], k++);
    network_runs(r);
    fidelity_scatter(r);
    fprintf(f, "<p>%d plots, %d tables.</p>\n</body>\n</html>\n", r->n_plots, r->n_tables);
}

int cli_cmd_report(int argc, char **argv)
{
    const char *db_path = NULL, *html = NULL, *title = NULL;
    if (argc > 1 && argv[1][0] != '-') { /* the store comes first */
        db_path = argv[1];
        argv[1] = argv[0];
        argv++, argc--;
    }
    const cli_opt opts[] = {
        {"html", "FILE", "the page [" REPORT_DEFAULT_HTML "]", &html, NULL},
        {"title", "TEXT", "the page's title [the store's file name]", &title, NULL},
        {NULL, NULL, NULL, NULL, NULL},
    };
    int rc = cli_parse(&usage, opts, argc, argv);
    if (rc != CLI_PARSE_OK)
        return rc == CLI_PARSE_HELP ? CLI_OK : CLI_USAGE;
    if (!db_path) {
        cli_error("report: the store comes first: 'pesim report CAMPAIGN.db [--html FILE]'");
        return CLI_USAGE;
    }
    report r;
    memset(&r, 0, sizeof r);
    if (sqlite3_open_v2(db_path, &r.db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK || read_runs(&r) != 0) {
        cli_error("report: %s: not a pesim result store (%s)", db_path, r.db ? sqlite3_errmsg(r.db) : "cannot open");
        sqlite3_close(r.db);
        free(r.runs);
        return CLI_USAGE;
    }
    if (!html)
        html = REPORT_DEFAULT_HTML;
    r.f = cli_open_out(html);
    if (!r.f) {
        sqlite3_close(r.db);
        free(r.runs);
        return CLI_USAGE;
    }
    const char *base = strrchr(db_path, '/');
    page(&r, db_path, title ? title : base ? base + 1 : db_path);
    rc = cli_close_out(r.f, html) != 0 ? CLI_FAIL : CLI_OK;
    if (rc == CLI_OK && !cli_is_stdout(html))
        printf("report: %s (%d plots, %d tables)\n", html, r.n_plots, r.n_tables);
    sqlite3_close(r.db);
    free(r.runs);
    return rc;
}
