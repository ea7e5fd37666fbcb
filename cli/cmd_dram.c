/* cli/cmd_dram.c - `pesim dram --preset ddr3-1600|ddr4-3200|lpddr4-2400|hbm2|FILE --trace FILE
 * [--json FILE] [--sched frfcfs|fcfs] [--channels N] ...`: the DRAM model on
 * its own, driven by a request trace in DRAMsim3's format (docs/dram.md). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pesim/arch.h"
#include "pesim/dram.h"

#include "cli.h"
#include "json.h"
#include "load.h"
#include "opts.h"
#include "output.h"

static const cli_usage usage = {
    "dram",
    "--preset ddr3-1600|ddr4-3200|lpddr4-2400|hbm2|FILE --trace FILE [--json FILE] [--sched frfcfs|fcfs]\n"
    "                  [--channels N] [--queue N] [--bank-queue N] [--map SCHEME] [--hit-cap N]\n"
    "                  [--age-cap N] [--no-refresh]",
    "Runs the cycle-level DRAM model on its own, driven by a request trace in\n"
    "DRAMsim3's format: one request a line, `0x<hex address> READ|WRITE <cycle>`.\n"
    "Requests are issued in order, at most one per cycle, not before their cycle,\n"
    "when the controller accepts them. Reports the finish cycle, bandwidth, read\n"
    "latency (mean, p50, p99, max), the row-hit rate, the command counts and the\n"
    "ranks' background state (cycles with a row open / all banks precharged).\n"
    "Times are DRAM clock cycles (tCK) unless given in ns.",
    "--preset FILE is an architecture config whose outermost level has a dram group.\n"
    "SCHEME names the address fields from most to least significant, two letters\n"
    "each: ro ra bg ba ch co (default rorabacobgch; DRAMsim3's is rochrababgco),\n"
    "in any case, optionally separated by - _ : , . or / (Ro-Ch-Ra-Ba-Bg-Co).\n"
    "FILE '-' writes the JSON to stdout (and the summary is then not printed).\n"
    "Exit status: 0 success, 1 the run failed, 2 bad usage or bad input (a bad\n"
    "trace line is reported as file:line). Details: docs/dram.md.",
};

/* Parses a decimal integer option in [lo, hi]; prints a message and returns
 * -1 when it is not one. */
static int parse_int_opt(const char *name, const char *s, long lo, long hi, int32_t *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || end == s || v < lo || v > hi) {
        cli_error("dram: --%s must be an integer in [%ld, %ld], got '%s'", name, lo, hi, s);
        return -1;
    }
    *out = (int32_t)v;
    return 0;
}

/* The DRAM of a preset name or of an arch config's outermost level. */
static int load_dram(const char *preset, pesim_dram *d)
{
    if (pesim_dram_preset(preset, d) == PESIM_OK)
        return CLI_OK;
    FILE *f = fopen(preset, "r");
    if (!f) {
        cli_error("dram: '%s' is neither a preset (ddr3-1600, ddr4-3200, lpddr4-2400, hbm2) nor a readable file", preset);
        return CLI_USAGE;
    }
    fclose(f);
    pesim_arch a;
    if (cli_load_arch(preset, &a) != CLI_OK)
        return CLI_USAGE;
    const pesim_level *top = &a.level[a.n_levels - 1];
    if (!top->is_dram) {
        cli_error("%s: the outermost level '%s' has no dram group", preset, top->name);
        return CLI_USAGE;
    }
    *d = top->dram;
    if (!d->preset[0])
        snprintf(d->preset, sizeof d->preset, "custom");
    return CLI_OK;
}

/* The figures a run reports, in the units of their names. */
typedef struct dram_report {
    uint64_t requests;
    pesim_dram_stats st;
    double tck_ns;
    double bandwidth_gbps, peak_gbps;
    double lat_mean_cycles;
    uint64_t lat_p50, lat_p99;
    double row_hit_rate;
    double bus_utilization;
} dram_report;

static void summarize(const pesim_dram *d, uint64_t requests, const pesim_dram_stats *st, dram_report *r)
{
    memset(r, 0, sizeof *r);
    r->requests = requests;
    r->st = *st;
    r->tck_ns = d->tck_ns;
    double bytes = (double)(st->reads + st->writes) * (double)pesim_dram_burst_bytes(d);
    r->bandwidth_gbps = st->finish_cycle ? bytes / ((double)st->finish_cycle * d->tck_ns) : 0.0;
    r->peak_gbps = pesim_dram_peak_gbps(d);
    r->lat_mean_cycles = st->reads ? (double)st->read_latency_sum_cycles / (double)st->reads : 0.0;
    r->lat_p50 = pesim_dram_stats_read_latency_quantile(st, 0.50);
    r->lat_p99 = pesim_dram_stats_read_latency_quantile(st, 0.99);
    uint64_t cas = st->row_hits + st->row_misses + st->row_conflicts;
    r->row_hit_rate = cas ? (double)st->row_hits / (double)cas : 0.0;
    r->bus_utilization = st->finish_cycle ? (double)st->busy_cycles / ((double)st->finish_cycle * d->channels) : 0.0;
}

static void print_text(const pesim_dram *d, const pesim_dram_sim_options *o, const char *trace,
                       const dram_report *r, FILE *f)
{
    const pesim_dram_stats *st = &r->st;
    char a[32], b[32], c[32];
    fprintf(f, "DRAM %s: %d channel%s x %d ranks x %d bank groups x %d banks, %d-bit bus, tCK %g ns\n",
            d->preset[0] ? d->preset : "custom", (int)d->channels, d->channels == 1 ? "" : "s", (int)d->ranks,
            (int)d->bankgroups, (int)d->banks_per_group, (int)d->bus_bits, d->tck_ns);
    char cap[32] = "";
    if (o->sched == PESIM_DRAM_FRFCFS) {
        if (o->row_hit_cap > 0)
            snprintf(cap, sizeof cap, " (row-hit cap %d)", (int)o->row_hit_cap);
        else
            snprintf(cap, sizeof cap, " (no row-hit cap)");
    }
    char age[32] = "";
    if (o->sched == PESIM_DRAM_FRFCFS) {
        if (o->age_cap_cycles > 0)
            snprintf(age, sizeof age, ", age cap %d cycles", (int)o->age_cap_cycles);
        else
            snprintf(age, sizeof age, ", no age cap");
    }
    fprintf(f, "controller: %s%s%s, queue %d per channel (%d per bank), address map %s, refresh %s\n",
            o->sched == PESIM_DRAM_FCFS ? "fcfs" : "fr-fcfs", cap, age, (int)o->queue_depth,
            (int)o->bank_queue_depth, o->address_map, o->disable_refresh ? "off" : "on");
    fprintf(f, "trace %s: %s request%s (%s reads, %s writes)\n\n", trace,
            cli_fmt_count((int64_t)r->requests, a, sizeof a), r->requests == 1 ? "" : "s",
            cli_fmt_count((int64_t)st->reads, b, sizeof b), cli_fmt_count((int64_t)st->writes, c, sizeof c));
    fprintf(f, "finish          %s cycles (%s)\n", cli_fmt_count((int64_t)st->finish_cycle, a, sizeof a),
            cli_fmt_seconds((double)st->finish_cycle * r->tck_ns * 1e-9, b, sizeof b));
    fprintf(f, "bandwidth       %.2f GB/s (%.1f%% of %.2f GB/s peak)\n", r->bandwidth_gbps,
            r->peak_gbps > 0 ? 100.0 * r->bandwidth_gbps / r->peak_gbps : 0.0, r->peak_gbps);
    if (st->reads)
        fprintf(f,
                "read latency    mean %.1f cycles (%.1f ns), p50 %llu (%.1f ns), p99 %llu (%.1f ns), "
                "max %llu (%.1f ns)\n",
                r->lat_mean_cycles, r->lat_mean_cycles * r->tck_ns, (unsigned long long)r->lat_p50,
                (double)r->lat_p50 * r->tck_ns, (unsigned long long)r->lat_p99, (double)r->lat_p99 * r->tck_ns,
                (unsigned long long)st->read_latency_max_cycles, (double)st->read_latency_max_cycles * r->tck_ns);
    else
        fputs("read latency    - (no reads)\n", f);
    fprintf(f, "row hits        %.1f%% (%llu hits, %llu misses, %llu conflicts)\n", 100.0 * r->row_hit_rate,
            (unsigned long long)st->row_hits, (unsigned long long)st->row_misses,
            (unsigned long long)st->row_conflicts);
    fprintf(f, "commands        ACT %llu, PRE %llu, RD %llu, WR %llu, REF %llu\n", (unsigned long long)st->act,
            (unsigned long long)st->pre, (unsigned long long)st->rd, (unsigned long long)st->wr,
            (unsigned long long)st->ref);
    uint64_t rank_cycles = st->active_cycles + st->precharged_cycles;
    fprintf(f, "ranks           %.1f%% of rank-cycles with a row open, %.1f%% all banks precharged\n",
            rank_cycles ? 100.0 * (double)st->active_cycles / (double)rank_cycles : 0.0,
            rank_cycles ? 100.0 * (double)st->precharged_cycles / (double)rank_cycles : 0.0);
    if (st->aged)
        fprintf(f, "age cap         %llu requests reached it\n", (unsigned long long)st->aged);
    fprintf(f, "data bus busy   %s cycles (%.1f%%)\n", cli_fmt_count((int64_t)st->busy_cycles, a, sizeof a),
            100.0 * r->bus_utilization);
}

static void write_json(const pesim_dram *d, const pesim_dram_sim_options *o, const char *trace,
                       const dram_report *r, FILE *f)
{
    const pesim_dram_stats *st = &r->st;
    json_writer w;
    json_init(&w, f);
    json_begin_object(&w);
    json_kv_string(&w, "preset", d->preset[0] ? d->preset : "custom");
    json_kv_string(&w, "trace", trace);
    json_kv_string(&w, "scheduler", o->sched == PESIM_DRAM_FCFS ? "fcfs" : "frfcfs");
    json_kv_int(&w, "channels", d->channels);
    json_kv_int(&w, "queue_depth", o->queue_depth);
    json_kv_int(&w, "bank_queue_depth", o->bank_queue_depth);
    if (o->sched == PESIM_DRAM_FRFCFS && o->row_hit_cap > 0)
        json_kv_int(&w, "row_hit_cap", o->row_hit_cap);
    else
        json_kv_null(&w, "row_hit_cap");
    if (o->sched == PESIM_DRAM_FRFCFS && o->age_cap_cycles > 0)
        json_kv_int(&w, "age_cap_cycles", o->age_cap_cycles);
    else
        json_kv_null(&w, "age_cap_cycles");
    json_kv_string(&w, "address_map", o->address_map);
    json_kv_bool(&w, "refresh", !o->disable_refresh);
    json_kv_double(&w, "tck_ns", d->tck_ns);
    json_kv_int(&w, "requests", (int64_t)r->requests);
    json_kv_int(&w, "reads", (int64_t)st->reads);
    json_kv_int(&w, "writes", (int64_t)st->writes);
    json_kv_int(&w, "finish_cycle", (int64_t)st->finish_cycle);
    json_kv_double(&w, "finish_ns", (double)st->finish_cycle * d->tck_ns);
    json_kv_double(&w, "bandwidth_gbps", r->bandwidth_gbps);
    json_kv_double(&w, "peak_gbps", r->peak_gbps);
    json_key(&w, "read_latency");
    json_begin_object(&w);
    if (st->reads) {
        json_kv_double(&w, "mean_cycles", r->lat_mean_cycles);
        json_kv_int(&w, "p50_cycles", (int64_t)r->lat_p50);
        json_kv_int(&w, "p99_cycles", (int64_t)r->lat_p99);
        json_kv_int(&w, "min_cycles", (int64_t)st->read_latency_min_cycles);
        json_kv_int(&w, "max_cycles", (int64_t)st->read_latency_max_cycles);
        json_kv_double(&w, "mean_ns", r->lat_mean_cycles * d->tck_ns);
        json_kv_double(&w, "p50_ns", (double)r->lat_p50 * d->tck_ns);
        json_kv_double(&w, "p99_ns", (double)r->lat_p99 * d->tck_ns);
        json_kv_double(&w, "max_ns", (double)st->read_latency_max_cycles * d->tck_ns);
    } else {
        static const char *const keys[] = {"mean_cycles", "p50_cycles", "p99_cycles", "min_cycles", "max_cycles",
                                           "mean_ns",     "p50_ns",     "p99_ns",     "max_ns"};
        for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) json_kv_null(&w, keys[i]);
    }
    json_end_object(&w);
    if (st->row_hits + st->row_misses + st->row_conflicts)
        json_kv_double(&w, "row_hit_rate", r->row_hit_rate);
    else
        json_kv_null(&w, "row_hit_rate");
    json_kv_int(&w, "row_hits", (int64_t)st->row_hits);
    json_kv_int(&w, "row_misses", (int64_t)st->row_misses);
    json_kv_int(&w, "row_conflicts", (int64_t)st->row_conflicts);
    json_key(&w, "commands");
    json_begin_object(&w);
    json_kv_int(&w, "act", (int64_t)st->act);
    json_kv_int(&w, "pre", (int64_t)st->pre);
    json_kv_int(&w, "rd", (int64_t)st->rd);
    json_kv_int(&w, "wr", (int64_t)st->wr);
    json_kv_int(&w, "ref", (int64_t)st->ref);
    json_end_object(&w);
    json_kv_int(&w, "aged", (int64_t)st->aged);
    json_key(&w, "background");
    json_begin_object(&w);
    json_kv_int(&w, "cycles", (int64_t)st->cycle);
    json_kv_int(&w, "active_rank_cycles", (int64_t)st->active_cycles);
    json_kv_int(&w, "precharged_rank_cycles", (int64_t)st->precharged_cycles);
    json_end_object(&w);
    json_kv_int(&w, "busy_cycles", (int64_t)st->busy_cycles);
    json_kv_double(&w, "bus_utilization", r->bus_utilization);
    json_end_object(&w);
}

int cli_cmd_dram(int argc, char **argv)
{
    const char *preset = NULL, *trace = NULL, *json = NULL, *sched = NULL, *channels = NULL, *queue = NULL,
               *bank_queue = NULL, *map = NULL, *hit_cap = NULL, *age_cap = NULL;
    int no_refresh = 0;
    const cli_opt opts[] = {
        {"preset", "NAME|FILE", "ddr3-1600, ddr4-3200, lpddr4-2400, hbm2, or an arch config with a DRAM level", &preset, NULL},
        {"trace", "FILE", "request trace: 0x<hex address> READ|WRITE <cycle> a line", &trace, NULL},
        {"json", "FILE", "also write the results as JSON to FILE", &json, NULL},
        {"sched", "frfcfs|fcfs", "scheduler (default frfcfs)", &sched, NULL},
        {"channels", "N", "override the number of channels", &channels, NULL},
        {"queue", "N", "requests a channel holds (default 32)", &queue, NULL},
        {"bank-queue", "N", "command-queue entries per bank (default 8, DRAMsim3's)", &bank_queue, NULL},
        {"map", "SCHEME", "address mapping (default rorabacobgch)", &map, NULL},
        {"hit-cap", "N", "FR-FCFS row hits per activation that may pass an older miss (default 16; <= 0: no cap)",
         &hit_cap, NULL},
        {"age-cap", "N", "FR-FCFS: cycles a request may wait before it is served first (default 1000; <= 0: none)",
         &age_cap, NULL},
        {"no-refresh", NULL, "do not model refresh", NULL, &no_refresh},
        {NULL, NULL, NULL, NULL, NULL},
    };
    int rc = cli_parse(&usage, opts, argc, argv);
    if (rc != CLI_PARSE_OK)
        return rc == CLI_PARSE_HELP ? CLI_OK : CLI_USAGE;
    if (!preset || !trace) {
        cli_error("dram: --preset and --trace are required (see 'pesim dram --help')");
        return CLI_USAGE;
    }
    pesim_dram_sim_options o;
    memset(&o, 0, sizeof o);
    if (sched) {
        if (strcmp(sched, "frfcfs") == 0 || strcmp(sched, "fr-fcfs") == 0) {
            o.sched = PESIM_DRAM_FRFCFS;
        } else if (strcmp(sched, "fcfs") == 0) {
            o.sched = PESIM_DRAM_FCFS;
        } else {
            cli_error("dram: --sched must be frfcfs or fcfs, got '%s'", sched);
            return CLI_USAGE;
        }
    }
    if (queue && parse_int_opt("queue", queue, 1, 65536, &o.queue_depth) != 0)
        return CLI_USAGE;
    if (bank_queue && parse_int_opt("bank-queue", bank_queue, 1, 65536, &o.bank_queue_depth) != 0)
        return CLI_USAGE;
    if (age_cap) {
        if (parse_int_opt("age-cap", age_cap, -1000000, 1000000, &o.age_cap_cycles) != 0)
            return CLI_USAGE;
        if (o.age_cap_cycles <= 0)
            o.age_cap_cycles = -1;   /* the library's "no cap" (0 there means the default) */
    }
    if (hit_cap) {
        if (parse_int_opt("hit-cap", hit_cap, -1000000, 1000000, &o.row_hit_cap) != 0)
            return CLI_USAGE;
        if (o.row_hit_cap <= 0)
            o.row_hit_cap = -1;   /* the library's "no cap" (0 there means the default) */
    }
    char canon[16];
    if (map && pesim_dram_map_canonical(map, canon) != 0) {
        cli_error("dram: --map '%s' is not the six fields ro ra bg ba ch co, each once, most significant first "
                  "(e.g. %s, DRAMsim3's %s)", map, PESIM_DRAM_MAP_DEFAULT, PESIM_DRAM_MAP_DRAMSIM3);
        return CLI_USAGE;
    }
    o.address_map = map;
    o.disable_refresh = no_refresh;

    pesim_dram d;
    if (load_dram(preset, &d) != CLI_OK)
        return CLI_USAGE;
    if (channels && parse_int_opt("channels", channels, 1, 1024, &d.channels) != 0)
        return CLI_USAGE;

    pesim_error e;
    pesim_error_clear(&e);
    pesim_dram_sim *h = NULL;
    if (pesim_dram_sim_create(&d, &o, &h, &e) != PESIM_OK) {
        cli_report(&e, preset);
        return CLI_USAGE;
    }
    uint64_t count = 0;
    pesim_status s = pesim_dram_sim_run_trace(h, trace, &count, &e);
    if (s != PESIM_OK) {
        cli_report(&e, trace);
        pesim_dram_sim_destroy(h);
        return s == PESIM_ERR_PARSE || s == PESIM_ERR_IO || s == PESIM_ERR_RANGE ? CLI_USAGE : CLI_FAIL;
    }
    pesim_dram_stats *st = malloc(sizeof *st);   /* ~24 KiB: the latency histogram */
    if (!st) {
        cli_error("dram: out of memory");
        pesim_dram_sim_destroy(h);
        return CLI_FAIL;
    }
    pesim_dram_sim_stats(h, st);
    dram_report *r = malloc(sizeof *r);
    if (!r) {
        cli_error("dram: out of memory");
        free(st);
        pesim_dram_sim_destroy(h);
        return CLI_FAIL;
    }
    summarize(&d, count, st, r);
    const pesim_dram_sim_options *used = pesim_dram_sim_get_options(h);

    rc = CLI_OK;
    FILE *jf = json ? cli_open_out(json) : NULL;
    if (json && !jf) {
        rc = CLI_USAGE;
    } else {
        if (!cli_is_stdout(json))
            print_text(&d, used, trace, r, stdout);
        if (jf)
            write_json(&d, used, trace, r, jf);
    }
    int bad = cli_close_out(jf, json);
    bad |= cli_close_out(stdout, "-");
    if (bad && rc == CLI_OK)
        rc = CLI_FAIL;
    free(r);
    free(st);
    pesim_dram_sim_destroy(h);
    return rc;
}
