// sim/systemc/run.cpp - pesim_systemc_run: elaborates the reference model for
// one case and simulates it, in a child process.
//
// Why a child process: SystemC 2.3 (Debian's libsystemc 2.3.4) elaborates a
// design once per process: modules cannot be created after the first
// sc_start, sc_stop cannot be undone, and the clocks' periods are fixed at
// construction while every case has its own accelerator and DRAM clocks. A
// fork per case gives each a fresh kernel; the calling process never touches
// SystemC, so calls are independent (and thread-safe). The child writes its
// results into a pipe and leaves with _exit; its stdout and stderr go to
// /dev/null, so nothing is printed. A fork costs about a millisecond.
#include <fcntl.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <systemc>

#include "modules.h"
#include "program.h"

extern "C" {
#include "nest/nest.h"
#include "pesim/estimate.h"
#include "pesim/systemc.h"
}

using namespace sc_core;

// libsystemc's own main() (unused: the program's main comes first) refers to
// sc_main; the library provides it so that any program can link.
int sc_main(int, char **) { return 0; }

namespace pesim_sc {
namespace {

// DRAM period / accelerator period = tck_ns * clock_mhz / 1000 as p / q, so
// that both clocks have exact integer periods and their edges coincide
// at the instants DramSide's clock crossing computes from the same p / q.
bool clock_ratio(double tck_ns, double clock_mhz, int64_t *p, int64_t *q)
{
    long double r = (long double)tck_ns * clock_mhz / 1000.0L;
    if (!(r > 0)) return false;
    // continued fraction of r
    long double x = r;
    int64_t h0 = 0, h1 = 1, k0 = 1, k1 = 0;
    for (int i = 0; i < 64; i++) {
        long double a = floorl(x);
        if (a > 1e12L) break;
        int64_t ai = (int64_t)a;
        int64_t h2 = ai * h1 + h0, k2 = ai * k1 + k0;
        if (k2 > 1000000) break;
        h0 = h1, h1 = h2, k0 = k1, k1 = k2;
        if (fabsl((long double)h1 / (long double)k1 - r) <= 1e-12L * r) {
            *p = h1, *q = k1;
            return true;
        }
        long double f = x - a;
        if (f <= 0) break;
        x = 1.0L / f;
    }
    return false;
}

struct Header {
    int32_t status;
    char error[PESIM_REASON_MAX];
    pesim_cost cost;
    pesim_engine_stats stats;
    uint64_t n_trace;
};

bool write_all(int fd, const void *buf, size_t n)
{
    const char *p = static_cast<const char *>(buf);
    while (n > 0) {
        ssize_t w = ::write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return false;
        p += w, n -= (size_t)w;
    }
    return true;
}

bool read_all(int fd, void *buf, size_t n)
{
    char *p = static_cast<char *>(buf);
    while (n > 0) {
        ssize_t r = ::read(fd, p, n);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return false;
        p += r, n -= (size_t)r;
    }
    return true;
}

// The child: elaborate, simulate, report.
void child(int fd, const pesim_arch *a, const pesim_layer *l, const pesim_mapping *m, const pesim_engine_options &opt,
           bool want_trace, int64_t ratio_p, int64_t ratio_q)
{
    Header h;
    std::memset(&h, 0, sizeof h);
    Results res;
    std::memset(&res.cost, 0, sizeof res.cost);
    std::memset(&res.stats, 0, sizeof res.stats);
    {
        Program prog;
        if (!build_program(prog, a, l, m, opt)) {
            h.status = PESIM_ERR_RANGE;
            std::snprintf(h.error, sizeof h.error, "the layer needs more than %zu transfers and blocks; too large "
                          "for the SystemC reference", kMaxItems);
            write_all(fd, &h, sizeof h);
            ::close(fd);
            _exit(0);
        }
        bool dram = prog.has_dram && !prog.descs.empty();
        sc_report_handler::set_actions(SC_INFO, SC_DO_NOTHING);
        sc_report_handler::set_actions(SC_WARNING, SC_DO_NOTHING);
        sc_set_time_resolution(1, SC_FS);
        // Accelerator period q*u and DRAM period p*u (u even, so that half
        // periods are exact), u chosen to keep the accelerator period near its
        // real value (the scale of sc_time does not matter, only the ratio).
        double acc_fs = 1e9 / a->clock_mhz;
        int64_t q = dram ? ratio_q : 1, pp = dram ? ratio_p : 1;
        int64_t u = 2 * std::max<int64_t>(1, (int64_t)std::llround(acc_fs / (2.0 * (double)q)));
        RunState rs;
        NoticeQueue nq;
        sc_clock clk("clk", sc_time((double)(q * u), SC_FS), 0.5, SC_ZERO_TIME, true);
        std::unique_ptr<sc_clock> dclk;
        if (dram) dclk.reset(new sc_clock("dclk", sc_time((double)(pp * u), SC_FS), 0.5, SC_ZERO_TIME, true));
        std::vector<std::unique_ptr<Server>> owned;
        std::vector<Server *> servers(prog.res.size(), nullptr);
        for (size_t r = 0; r < prog.res.size(); r++) {
            bool used = false;
            for (auto &us : prog.res[r].users) {
                const Use &x = prog.uses(prog.items[(size_t)us.first])[(size_t)us.second];
                used |= x.share > 0 || x.latency > 0;
            }
            if (!used) continue;
            owned.emplace_back(new Server(prog.res[r].name.c_str(), &rs));
            owned.back()->clk(clk);
            servers[r] = owned.back().get();
        }
        MacArray mac("mac", &rs);
        mac.clk(clk);
        std::unique_ptr<DramSide> ds;
        if (dram) {
            ds.reset(new DramSide("dram", prog, opt, &rs, &nq, pp, q));
            ds->dclk(*dclk);
        }
        Controller ctrl("controller", prog, &rs, servers, &mac, ds.get(), &nq, want_trace, &res);
        ctrl.clk(clk);
        try {
            sc_start();
        } catch (const std::exception &ex) {  // a SystemC error report
            rs.error = std::string("SystemC: ") + ex.what();
        }
        if (ds && rs.error.empty() && res.cost.cycles > 0) ds->tally(res.cost.cycles, &res.stats);
        if (!rs.error.empty()) {
            h.status = PESIM_ERR_INTERNAL;
            std::snprintf(h.error, sizeof h.error, "%s", rs.error.c_str());
        } else if (res.cost.cycles == 0) {
            h.status = PESIM_ERR_INTERNAL;
            std::snprintf(h.error, sizeof h.error, "the simulation stopped before the end");
        }
        std::memcpy(res.cost.access, prog.access, sizeof res.cost.access);
        h.cost = res.cost;
        h.stats = res.stats;
        h.n_trace = res.trace.size();
        if (write_all(fd, &h, sizeof h) && !res.trace.empty())
            write_all(fd, res.trace.data(), res.trace.size() * sizeof(pesim_trace_event));
    }
    ::close(fd);
    _exit(0);
}

}  // namespace
}  // namespace pesim_sc

extern "C" void pesim_trace_free(pesim_trace *t)
{
    if (!t) return;
    std::free(t->events);
    t->events = nullptr;
    t->n = 0;
}

extern "C" pesim_status pesim_systemc_run_traced(const pesim_arch *a, const pesim_layer *l, const pesim_mapping *m,
                                                 const pesim_engine_options *opt, pesim_cost *out,
                                                 pesim_engine_stats *stats, pesim_trace *trace)
{
    std::memset(out, 0, sizeof *out);
    if (stats) std::memset(stats, 0, sizeof *stats);
    if (trace) trace->events = nullptr, trace->n = 0;
    if (!pesim_layer_has_macs(l)) {
        std::snprintf(out->reason, sizeof out->reason, "layer %s (%s) has no MACs", l->name, pesim_op_name(l->op));
        return PESIM_ERR_INVALID;
    }
    if (m->n_levels != a->n_levels) {
        std::snprintf(out->reason, sizeof out->reason, "mapping has %d levels, arch %s has %d", m->n_levels, a->name,
                      a->n_levels);
        return PESIM_ERR_INVALID;
    }
    for (int lv = 0; lv + 1 < a->n_levels; lv++)
        if (a->level[lv].is_dram) {
            std::snprintf(out->reason, sizeof out->reason, "level %s: DRAM below the outermost level",
                          a->level[lv].name);
            return PESIM_ERR_INVALID;
        }
    if (a->level[a->n_levels - 1].is_dram && a->level[a->n_levels - 1].dram.reads_in_flight > 1) {
        std::snprintf(out->reason, sizeof out->reason,
                      "SystemC reference: DRAM reads_in_flight = %d is not modelled (one read transfer in flight)",
                      (int)a->level[a->n_levels - 1].dram.reads_in_flight);
        return PESIM_ERR_RANGE;
    }
    out->area_um2 = pesim_arch_area_um2(a);
    static thread_local pesim_nest_counts nc;
    if (!pesim_nest_count(a, l, m, &nc, out->reason, sizeof out->reason)) return PESIM_OK;
    pesim_engine_options o;
    std::memset(&o, 0, sizeof o);
    if (opt) o = *opt;
    o.trace = nullptr;
    o.trace_ctx = nullptr;
    int64_t rp = 1, rq = 1;
    const pesim_level &top = a->level[a->n_levels - 1];
    if (top.is_dram && !o.stall_free && !pesim_sc::clock_ratio(top.dram.tck_ns, a->clock_mhz, &rp, &rq)) {
        std::snprintf(out->reason, sizeof out->reason,
                      "DRAM tCK %g ns at %g MHz: the clock ratio is not a fraction with a denominator up to 1e6",
                      top.dram.tck_ns, a->clock_mhz);
        return PESIM_ERR_RANGE;
    }

    int fds[2];
    if (pipe(fds) != 0) {
        std::snprintf(out->reason, sizeof out->reason, "SystemC reference: pipe: %s", std::strerror(errno));
        return PESIM_ERR_IO;
    }
    pid_t pid = fork();
    if (pid < 0) {
        ::close(fds[0]), ::close(fds[1]);
        std::snprintf(out->reason, sizeof out->reason, "SystemC reference: fork: %s", std::strerror(errno));
        return PESIM_ERR_NOMEM;
    }
    if (pid == 0) {
        ::close(fds[0]);
        int dn = ::open("/dev/null", O_WRONLY);
        if (dn >= 0) ::dup2(dn, 1), ::dup2(dn, 2), ::close(dn);
        setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
        pesim_sc::child(fds[1], a, l, m, o, trace != nullptr, rp, rq);
        _exit(0);
    }
    ::close(fds[1]);
    pesim_sc::Header h;
    bool ok = pesim_sc::read_all(fds[0], &h, sizeof h);
    std::vector<pesim_trace_event> ev;
    if (ok && h.n_trace > 0) {
        ev.resize((size_t)h.n_trace);
        ok = pesim_sc::read_all(fds[0], ev.data(), ev.size() * sizeof(pesim_trace_event));
    }
    ::close(fds[0]);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    if (!ok) {
        if (WIFSIGNALED(st))
            std::snprintf(out->reason, sizeof out->reason, "SystemC reference: the simulation died (signal %d)",
                          WTERMSIG(st));
        else
            std::snprintf(out->reason, sizeof out->reason, "SystemC reference: no result from the simulation");
        return PESIM_ERR_INTERNAL;
    }
    if (h.status != PESIM_OK) {
        std::snprintf(out->reason, sizeof out->reason, "SystemC reference: %.160s", h.error);
        return (pesim_status)h.status;
    }

    // Results: the simulated cycles and stalls, the words moved, energy over them.
    *out = h.cost;
    out->valid = 1;
    out->reason[0] = '\0';
    out->area_um2 = pesim_arch_area_um2(a);
    out->macs = nc.macs;
    out->spatial_used = nc.spatial_used;
    std::memcpy(out->noc_words, nc.noc_words, sizeof out->noc_words);
    pesim_nest_results(a, m, &nc, out);
    // Energy: the one cost-from-counts function over this model's counts and,
    // for DRAM, its controller's commands.
    pesim_dram_activity act, *dact = nullptr;
    if (top.is_dram && !o.stall_free) {
        pesim_estimate_dram_activity_from_run(&top.dram, &h.stats, a->clock_mhz, out->cycles, &act);
        dact = &act;
    }
    pesim_estimate_cost(a, dact, out);
    out->utilization = (double)nc.macs / ((double)out->cycles * (double)pesim_arch_macs(a));
    if (stats) *stats = h.stats;
    if (trace && !ev.empty()) {
        trace->events = static_cast<pesim_trace_event *>(std::malloc(ev.size() * sizeof(pesim_trace_event)));
        if (!trace->events) return PESIM_ERR_NOMEM;
        std::memcpy(trace->events, ev.data(), ev.size() * sizeof(pesim_trace_event));
        trace->n = ev.size();
    }
    return PESIM_OK;
}

extern "C" pesim_status pesim_systemc_run(const pesim_arch *a, const pesim_layer *l, const pesim_mapping *m,
                                          const pesim_engine_options *opt, pesim_cost *out,
                                          pesim_engine_stats *stats)
{
    return pesim_systemc_run_traced(a, l, m, opt, out, stats, nullptr);
}
