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
// When the caller asks for progress (pesim_engine_options.progress, or a
// network's layer_progress), the child also writes progress frames into the
// pipe while it simulates, and the parent calls the hooks as it reads them:
// every message is a tag, then a progress frame or the result.
#include <fcntl.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
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
#include "net/net_impl.h"
#include "pesim/estimate.h"
#include "pesim/model.h"
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

// What the child writes into its pipe: a tag, then a ProgressFrame (any
// number, while it simulates) or its result (once, last).
enum : uint32_t { kTagProgress = 0x50524f47u, kTagResult = 0x52534c54u };

// Compute steps done of a layer (a network's step `step`; -1: a single
// layer), as the engine's progress hook counts them.
struct ProgressFrame {
    int32_t step;
    int64_t done, total;
};

// Cycles between progress frames (pesim_engine_options.progress_every_blocks
// gives another: the reference counts cycles, not blocks).
constexpr int64_t kProgressCycles = 4096;

bool write_tag(int fd, uint32_t tag) { return write_all(fd, &tag, sizeof tag); }

// In the child: sums the MAC array's steps cycle by cycle and writes a
// progress frame every `every` cycles (the MAC array's cycle of
// skew, preload or drain counts as a step: `done` is clamped to the step's
// compute total).
class ProgressMonitor : public sc_module {
public:
    sc_in<bool> clk;
    sc_in<int64_t> steps;

    ProgressMonitor(sc_module_name n, int fd, const Program &p, int64_t every)
        : sc_module(n), fd_(fd), p_(p), every_(every > 0 ? every : kProgressCycles)
    {
        SC_METHOD(edge);
        sensitive << clk.pos();
        dont_initialize();
    }
    SC_HAS_PROCESS(ProgressMonitor);

    // A frame for `done` compute steps of the whole program: a network's
    // step they fall in (or its last step with compute, once all are done).
    void send(int64_t done)
    {
        ProgressFrame f{-1, done, p_.busy};
        if (p_.network) {
            int64_t before = 0;
            f.step = -1;
            for (size_t i = 0; i < p_.steps.size(); i++) {
                if (p_.steps[i].busy <= 0) continue;
                f.step = (int32_t)i, f.done = done - before, f.total = p_.steps[i].busy;
                if (done < before + p_.steps[i].busy) break;
                before += p_.steps[i].busy;
            }
            if (f.step < 0) return;
        }
        f.done = std::max<int64_t>(0, std::min(f.done, f.total));
        if (write_tag(fd_, kTagProgress)) write_all(fd_, &f, sizeof f);
    }

private:
    void edge()
    {
        done_ += steps.read();
        if (++cycle_ % every_ == 0) send(done_);
    }
    int fd_;
    const Program &p_;
    int64_t every_, done_ = 0, cycle_ = 0;
};

// In the parent: reads the child's messages up to its result (n bytes into
// hdr), handing each progress frame to on_frame. False when the pipe ends
// first.
template <typename F>
bool read_result(int fd, void *hdr, size_t n, F on_frame)
{
    uint32_t tag = 0;
    while (read_all(fd, &tag, sizeof tag)) {
        if (tag == kTagResult) return read_all(fd, hdr, n);
        ProgressFrame f;
        if (tag != kTagProgress || !read_all(fd, &f, sizeof f)) return false;
        on_frame(f);
    }
    return false;
}

// Elaborates the program's machine and simulates it: the results (or an
// error) in res and rs. progress_fd >= 0: progress frames into it (the last
// when the simulation ends well: every compute step done).
void simulate(const Program &prog, const pesim_arch *a, const pesim_engine_options &opt, bool want_trace,
              int64_t ratio_p, int64_t ratio_q, RunState &rs, Results &res, int progress_fd = -1)
{
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
    NoticeQueue nq;
    sc_clock clk("clk", sc_time((double)(q * u), SC_FS), 0.5, SC_ZERO_TIME, true);
    std::unique_ptr<sc_clock> dclk;
    if (dram) dclk.reset(new sc_clock("dclk", sc_time((double)(pp * u), SC_FS), 0.5, SC_ZERO_TIME, true));
    std::vector<std::unique_ptr<Server>> owned;
    std::vector<Server *> servers(prog.res.size(), nullptr);
    // a banked level's read and write servers meet in its banks: an access
    // covers ceil(side's words a cycle / line words) lines, 1 to banks
    std::vector<BankArbiter> banks((size_t)prog.M);
    for (int lv = 0; lv < prog.M; lv++) {
        const pesim_level &v = a->level[lv];
        if (v.banks < 2 || v.is_dram) continue;
        banks[(size_t)lv].banks = v.banks;
        banks[(size_t)lv].policy = v.arbitration;
        double rate[2] = {std::max(v.ports, 1) * v.read_words_per_cycle, std::max(v.ports, 1) * v.write_words_per_cycle};
        for (int sd = 0; sd < 2; sd++) {
            double n = std::ceil(rate[sd] / std::max(v.block_words, 1) - 1e-9);
            banks[(size_t)lv].width[sd] = n < 1 ? 1 : n > v.banks ? v.banks : (int)n;
        }
    }
    for (size_t r = 0; r < prog.res.size(); r++) {
        bool used = false;
        for (auto &us : prog.res[r].users) {
            const Use &x = prog.uses(prog.items[(size_t)us.first])[(size_t)us.second];
            used |= x.share > 0 || x.latency > 0;
        }
        if (!used) continue;
        owned.emplace_back(new Server(prog.res[r].name.c_str(), &rs));
        owned.back()->clk(clk);
        const Resource &res_r = prog.res[r];
        if (res_r.kind != 2 && banks[(size_t)res_r.level].banks) owned.back()->bank(&banks[(size_t)res_r.level], res_r.kind);
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
    std::unique_ptr<ProgressMonitor> mon;
    if (progress_fd >= 0) {
        mon.reset(new ProgressMonitor("progress", progress_fd, prog, opt.progress_every_blocks));
        mon->clk(clk);
        mon->steps(mac.steps);
    }
    try {
        sc_start();
    } catch (const std::exception &ex) {  // a SystemC error report
        rs.error = std::string("SystemC: ") + ex.what();
    }
    if (mon && rs.error.empty()) mon->send(prog.busy);
    if (ds && rs.error.empty() && res.cost.cycles > 0) ds->tally(res.cost.cycles, &res.stats);
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
            if (write_tag(fd, kTagResult)) write_all(fd, &h, sizeof h);
            ::close(fd);
            _exit(0);
        }
        RunState rs;
        simulate(prog, a, opt, want_trace, ratio_p, ratio_q, rs, res, opt.progress ? fd : -1);
        if (!rs.error.empty()) {
            h.status = PESIM_ERR_INTERNAL;
            std::snprintf(h.error, sizeof h.error, "%s", rs.error.c_str());
        } else if (res.cost.cycles == 0) {
            h.status = PESIM_ERR_INTERNAL;
            std::snprintf(h.error, sizeof h.error, "the simulation stopped before the end");
        }
        std::memcpy(res.cost.access, prog.access, sizeof res.cost.access);
        res.cost.macs = prog.macs;
        if (prog.has_nets) { /* the networks, from its own loop nest (docs/model.md section 7) */
            const NetReport &nr = prog.nets;
            for (int lv = 0; lv < a->n_levels; lv++)
                for (int t = 0; t < PESIM_NTENSORS; t++) {
                    int64_t in = nr.ingress[lv][t], dl = nr.delivered[lv][t];
                    res.cost.noc_words[lv][t] = nr.words[lv][t];
                    res.cost.noc_ingress_words[lv][t] = in;
                    res.cost.noc_multicast[lv][t] = in > 0 ? (double)dl / (double)in : 0;
                    res.cost.noc_spatial_reductions[lv][t] = t == PESIM_OUTPUTS && dl > in ? dl - in : 0;
                    res.cost.noc_fanout[lv][t] = nr.fanout[lv][t];
                    res.cost.noc_word_hops[lv][t] = nr.hops[lv][t];
                }
        }
        h.cost = res.cost;
        h.stats = res.stats;
        h.n_trace = res.trace.size();
        if (write_tag(fd, kTagResult) && write_all(fd, &h, sizeof h) && !res.trace.empty())
            write_all(fd, res.trace.data(), res.trace.size() * sizeof(pesim_trace_event));
    }
    ::close(fd);
    _exit(0);
}

// What a network child sends back: a header, then per layer its result and
// its loads' end.
struct NetHeader {
    int32_t status;
    char error[PESIM_REASON_MAX];
    int64_t cycles;
    pesim_engine_stats stats;
    uint64_t n_trace;
};

// A network's program: every layer a step, as sim/net plans it (net_make_step).
bool build_network(Program &prog, pesim_net *n, std::vector<int64_t> &load_item_of, std::vector<int> &own_load_step,
                   char *why, size_t nwhy)
{
    const int32_t L = n->L;
    begin_network(prog, &n->arch, n->opt.engine);
    Carry carry;
    std::vector<int> end_item((size_t)L, kNone);
    std::vector<int> load_item((size_t)n->T, kNone);  // a tensor's load DMA item
    std::vector<net_plan_step> plans((size_t)L);
    for (int32_t i = 0; i < L; i++) {
        net_plan_step &pl = plans[(size_t)i];
        net_make_step(n, i, &pl);
        StepInput in;
        in.st = pl.step;
        for (int t = 0; t < PESIM_NTENSORS; t++) {
            in.complete[t] = kNone;
            if (pl.op_layer[t] >= 0) in.complete[t] = end_item[(size_t)pl.op_layer[t]];
            if (pl.op_load[t] >= 0 && !pl.step.ready_dma[t]) in.complete[t] = load_item[(size_t)pl.op_load[t]];
        }
        for (int k = 0; k < pl.step.n_dma; k++) {
            DmaInput d;
            d.d = pl.dma[k];
            if (pl.dma_after_all[k])
                for (int32_t j = 0; j < i; j++) d.deps.push_back(end_item[(size_t)j]);
            if (pl.copy_layer[k] >= 0) d.deps.push_back(end_item[(size_t)pl.copy_layer[k]]);
            if (pl.copy_load[k] >= 0 && load_item[(size_t)pl.copy_load[k]] != kNone)
                d.deps.push_back(load_item[(size_t)pl.copy_load[k]]);
            in.dma.push_back(d);
        }
        if (n->step[i].kind == NET_COPY) { /* it ends after its inputs */
            const int32_t *r = &n->reads[(size_t)i * PESIM_MAX_INPUTS];
            for (int k = 0; k < n->net.layers[i].n_inputs; k++) {
                const pesim_net_tensor *x = &n->tensor[r[k]];
                int dep = x->kind == PESIM_NET_ACTIVATION ? end_item[(size_t)x->layer] : load_item[(size_t)r[k]];
                if (dep != kNone) in.end_deps.push_back(dep);
            }
        }
        int e = add_network_step(prog, in, carry);
        if (e == kNone) {
            std::snprintf(why, nwhy, "the network needs more than %zu transfers and blocks; too large for the "
                          "SystemC reference", kMaxItems);
            return false;
        }
        end_item[(size_t)i] = e;
        for (int t = 0; t < PESIM_NTENSORS; t++) /* its own loads */
            if (pl.step.ready_dma[t] > 0) {
                int item = in.dma[(size_t)pl.step.ready_dma[t] - 1].item;
                load_item[(size_t)pl.op_load[t]] = item;
                load_item_of.push_back(((int64_t)i << 32) | item);
            }
        if (pl.prefetch_id >= 0) {
            int item = in.dma[(size_t)pl.prefetch].item;
            load_item[(size_t)pl.prefetch_id] = item;
            load_item_of.push_back(((int64_t)(i + 1) << 32) | item);
        }
        own_load_step.push_back(i);
    }
    end_network(prog);
    return true;
}

void net_child(int fd, pesim_net *n, int64_t ratio_p, int64_t ratio_q, bool want_trace)
{
    NetHeader h;
    std::memset(&h, 0, sizeof h);
    Results res;
    std::memset(&res.cost, 0, sizeof res.cost);
    std::memset(&res.stats, 0, sizeof res.stats);
    std::vector<StepResult> steps((size_t)n->L);
    std::vector<int64_t> load_end((size_t)n->L, 0);
    {
        Program prog;
        std::vector<int64_t> loads;
        std::vector<int> unused;
        if (!build_network(prog, n, loads, unused, h.error, sizeof h.error)) {
            h.status = PESIM_ERR_RANGE;
        } else {
            RunState rs;
            bool progress = n->opt.layer_progress || n->opt.engine.progress;
            simulate(prog, &n->arch, n->opt.engine, want_trace, ratio_p, ratio_q, rs, res, progress ? fd : -1);
            if (!rs.error.empty()) {
                h.status = PESIM_ERR_INTERNAL;
                std::snprintf(h.error, sizeof h.error, "%s", rs.error.c_str());
            } else if (res.steps.size() != (size_t)n->L) {
                h.status = PESIM_ERR_INTERNAL;
                std::snprintf(h.error, sizeof h.error, "the simulation stopped before the end");
            } else {
                h.cycles = res.cost.cycles;
                h.stats = res.stats;
                for (size_t i = 0; i < steps.size(); i++) steps[i] = res.steps[i];
                for (int64_t x : loads) { /* each layer's loads: the latest end */
                    int32_t li = (int32_t)(x >> 32), item = (int32_t)(x & 0xffffffff);
                    if (li < n->L && res.item_end[(size_t)item] > load_end[(size_t)li])
                        load_end[(size_t)li] = res.item_end[(size_t)item];
                }
                for (int32_t i = 0; i < n->L && !h.status; i++) { /* the words it moved are the counts */
                    pesim_cost c;
                    std::memset(&c, 0, sizeof c);
                    std::memcpy(c.access, prog.steps[(size_t)i].access, sizeof c.access);
                    if (!net_same_counts(n, i, &c)) {
                        h.status = PESIM_ERR_INTERNAL;
                        std::snprintf(h.error, sizeof h.error, "layer %s: the SystemC reference moved other words "
                                      "than the analytical counts", n->net.layers[i].name);
                    }
                }
            }
        }
        h.n_trace = res.trace.size();
        if (write_tag(fd, kTagResult) && write_all(fd, &h, sizeof h)) {
            if (!res.trace.empty()) write_all(fd, res.trace.data(), res.trace.size() * sizeof(pesim_trace_event));
            if (h.status == PESIM_OK) {
                write_all(fd, steps.data(), steps.size() * sizeof(StepResult));
                write_all(fd, load_end.data(), load_end.size() * sizeof(int64_t));
            }
        }
    }
    ::close(fd);
    _exit(0);
}

}  // namespace
}  // namespace pesim_sc

// The SystemC reference over a whole network (a net_sim_fn): fork, simulate
// in the child, overwrite the timing; its trace into *net_trace when set.
static thread_local pesim_trace *net_trace = nullptr;

static pesim_status net_simulate_systemc(pesim_net *n, pesim_net_result *res, pesim_error *e)
{
    int64_t rp = 1, rq = 1;
    const pesim_level &top = n->arch.level[n->arch.n_levels - 1];
    if (top.is_dram && !n->opt.engine.stall_free && !pesim_sc::clock_ratio(top.dram.tck_ns, n->arch.clock_mhz, &rp, &rq))
        return pesim_error_set(e, PESIM_ERR_RANGE, NULL, 0, "dram",
                               "DRAM tCK %g ns at %g MHz: the clock ratio is not a fraction with a denominator up to 1e6",
                               top.dram.tck_ns, n->arch.clock_mhz);
    int fds[2];
    if (pipe(fds) != 0)
        return pesim_error_set(e, PESIM_ERR_IO, NULL, 0, "systemc", "pipe: %s", std::strerror(errno));
    pid_t pid = fork();
    if (pid < 0) {
        ::close(fds[0]), ::close(fds[1]);
        return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, "systemc", "fork: %s", std::strerror(errno));
    }
    if (pid == 0) {
        ::close(fds[0]);
        int dn = ::open("/dev/null", O_WRONLY);
        if (dn >= 0) ::dup2(dn, 1), ::dup2(dn, 2), ::close(dn);
        setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
        pesim_sc::net_child(fds[1], n, rp, rq, net_trace != nullptr);
        _exit(0);
    }
    ::close(fds[1]);
    pesim_sc::NetHeader h;
    std::vector<pesim_sc::StepResult> steps((size_t)n->L);
    std::vector<int64_t> load_end((size_t)n->L);
    int32_t shown = -1; /* the layer the hooks were last told of */
    bool ok = pesim_sc::read_result(fds[0], &h, sizeof h, [&](const pesim_sc::ProgressFrame &f) {
        if (f.step < 0 || f.step >= n->L) return;
        if (f.step != shown && n->opt.layer_progress) n->opt.layer_progress(n->opt.layer_progress_ctx, f.step, n->L);
        shown = f.step;
        if (n->opt.engine.progress) n->opt.engine.progress(n->opt.engine.progress_ctx, f.done, f.total);
    });
    std::vector<pesim_trace_event> ev;
    if (ok && h.n_trace > 0) {
        ev.resize((size_t)h.n_trace);
        ok = pesim_sc::read_all(fds[0], ev.data(), ev.size() * sizeof(pesim_trace_event));
    }
    if (ok && net_trace && !ev.empty()) {
        net_trace->events = static_cast<pesim_trace_event *>(std::malloc(ev.size() * sizeof(pesim_trace_event)));
        if (net_trace->events) {
            std::memcpy(net_trace->events, ev.data(), ev.size() * sizeof(pesim_trace_event));
            net_trace->n = ev.size();
        }
    }
    if (ok && h.status == PESIM_OK)
        ok = pesim_sc::read_all(fds[0], steps.data(), steps.size() * sizeof(pesim_sc::StepResult)) &&
             pesim_sc::read_all(fds[0], load_end.data(), load_end.size() * sizeof(int64_t));
    ::close(fds[0]);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    if (!ok) {
        if (WIFSIGNALED(st))
            return pesim_error_set(e, PESIM_ERR_INTERNAL, NULL, 0, "systemc", "the simulation died (signal %d)",
                                   WTERMSIG(st));
        return pesim_error_set(e, PESIM_ERR_INTERNAL, NULL, 0, "systemc", "no result from the simulation");
    }
    if (h.status != PESIM_OK)
        return pesim_error_set(e, (pesim_status)h.status, NULL, 0, "systemc", "SystemC reference: %.160s", h.error);
    for (int32_t i = 0; i < n->L; i++) {
        n->times[i] = steps[(size_t)i].times;
        std::memset(&n->costs[i], 0, sizeof n->costs[i]);
        n->costs[i].compute_cycles = steps[(size_t)i].busy;
        std::memcpy(n->costs[i].stall_cycles, steps[(size_t)i].stall, sizeof n->costs[i].stall_cycles);
        n->layer[i].load_end_cycle = load_end[(size_t)i];
    }
    res->stats = h.stats;
    net_set_timing(n, res, n->times, n->costs, h.cycles);
    return PESIM_OK;
}

extern "C" pesim_status pesim_systemc_net_run(pesim_net *n, const pesim_placement *p, const pesim_net_result **out,
                                              pesim_error *e)
{
    return pesim_systemc_net_run_traced(n, p, out, nullptr, e);
}

extern "C" pesim_status pesim_systemc_net_run_traced(pesim_net *n, const pesim_placement *p,
                                                     const pesim_net_result **out, pesim_trace *trace, pesim_error *e)
{
    if (trace) trace->events = nullptr, trace->n = 0;
    net_trace = trace;
    pesim_status st = net_run_with(n, p, PESIM_NET_SYSTEMC, net_simulate_systemc, out, e);
    net_trace = nullptr;
    return st;
}

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
    out->area_um2 = pesim_arch_area_um2(a);
    // Validity, the MAC lanes used and the largest tiles come from the public
    // analytical model (docs/engine.md "SystemC reference"); the cross-check
    // does not count them as evidence.
    static thread_local pesim_cost model;
    pesim_status ms = pesim_model_evaluate(a, l, m, &model);
    if (ms != PESIM_OK) {
        std::snprintf(out->reason, sizeof out->reason, "%.*s", (int)sizeof out->reason - 1, model.reason);
        return ms;
    }
    if (!model.valid) {
        std::snprintf(out->reason, sizeof out->reason, "%.*s", (int)sizeof out->reason - 1, model.reason);
        out->violation = model.violation;
        return PESIM_OK;
    }
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
    bool ok = pesim_sc::read_result(fds[0], &h, sizeof h, [&](const pesim_sc::ProgressFrame &f) {
        if (o.progress) o.progress(o.progress_ctx, f.done, f.total);
    });
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
    out->spatial_used = model.spatial_used;
    std::memcpy(out->utilized_capacity_words, model.utilized_capacity_words, sizeof out->utilized_capacity_words);
    for (int lv = 0; lv < a->n_levels; lv++) { /* per instance: this run's words over the instances used */
        int64_t inst = pesim_mapping_instances(m, lv);
        for (int t = 0; t < PESIM_NTENSORS; t++) {
            if (!pesim_mapping_keeps(a, m, lv, (pesim_tensor)t)) continue;
            const pesim_access &x = out->access[lv][t];
            pesim_access &y = out->access_per_instance[lv][t];
            y.reads = (x.reads + inst - 1) / inst;
            y.fills = (x.fills + inst - 1) / inst;
            y.updates = (x.updates + inst - 1) / inst;
            out->utilized_instances[lv][t] = inst;
        }
    }
    // Energy: the one cost-from-counts function over this model's counts and,
    // for DRAM, its controller's commands.
    pesim_dram_activity act, *dact = nullptr;
    if (top.is_dram && !o.stall_free) {
        pesim_estimate_dram_activity_from_run(&top.dram, &h.stats, a->clock_mhz, out->cycles, &act);
        dact = &act;
    }
    pesim_estimate_cost(a, dact, out);
    out->utilization = (double)out->macs / ((double)out->cycles * (double)pesim_arch_macs(a));
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
