// sim/systemc/modules.cpp - see modules.h. The timing rules are docs/engine.md's.
#include "modules.h"

#include "loopnest.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <sstream>

using namespace sc_core;

namespace pesim_sc {

std::ostream &operator<<(std::ostream &os, const Job &j)
{
    return os << "job(item " << j.item << " use " << j.use << " words " << j.words << " share " << j.share << ")";
}

std::ostream &operator<<(std::ostream &os, const Report &r)
{
    return os << "report(item " << r.item << " use " << r.use << " kind " << r.kind << " cycle " << r.cycle << ")";
}

void RunState::fail(const std::string &msg)
{
    if (error.empty()) error = msg;
    sc_stop();
}

namespace {
constexpr int kFifo = 1 << 14;

template <typename... T>
std::string msg(const T &...parts)
{
    std::ostringstream os;
    (os << ... << parts);
    return os.str();
}
}  // namespace

// ---- Server ---------------------------------------------------------------

Server::Server(sc_module_name n, RunState *rs) : sc_module(n), jobs(kFifo), reports(kFifo), rs_(rs)
{
    SC_METHOD(edge);
    sensitive << clk.pos();
    dont_initialize();
    SC_METHOD(resolve);
    sensitive << resolve_ev_;
    dont_initialize();
}

// The banks of the two offers for `cycle`, listed and compared.
bool BankArbiter::meet(int64_t cycle) const
{
    if (offer[0].cycle != cycle || offer[1].cycle != cycle) return false;
    for (int64_t i = 0; i < width[0]; i++) {
        int64_t b0 = (offer[0].group * width[0] + i) % banks;
        for (int64_t j = 0; j < width[1]; j++)
            if ((offer[1].group * width[1] + j) % banks == b0) return true;
    }
    return false;
}

int BankArbiter::winner(int64_t cycle)
{
    if (decided_ == cycle) return won_;
    const Offer &r = offer[0], &w = offer[1];
    if (r.item != w.item || !r.operand || !w.operand) {  // by age: item, then use
        won_ = (r.item != w.item ? r.item < w.item : r.use < w.use) ? 0 : 1;
    } else if (policy == PESIM_ARB_ROUND_ROBIN) {
        if (turn_item_ != r.item) turn_item_ = r.item, turn_ = 0;  // a new block: the reads go first
        won_ = turn_, turn_ = 1 - turn_;
    } else {
        won_ = policy == PESIM_ARB_UPDATES_FIRST ? 1 : 0;
    }
    decided_ = cycle;
    return won_;
}

// At the edge that starts cycle k: account cycle k - 1.
void Server::edge()
{
    const int64_t k = cycle_++;
    if (k == 0) return;
    Job j;
    while (jobs.nb_read(j)) {  // posted during cycle k - 1: they start in it
        if (j.share > 0) {
            if (active_) return rs_->fail(std::string(name()) + ": a second transfer while busy");
            active_ = true;
            cur_ = j;
            done_ = lost_ = moved_ = 0;
        } else {  // nothing to hold: only the access latency
            Report r{j.item, j.use, R_DONE, k - 1 + j.latency};
            pipe_.insert(std::upper_bound(pipe_.begin(), pipe_.end(), r,
                                          [](const Report &x, const Report &y) { return x.cycle < y.cycle; }),
                         r);
        }
    }
    if (!bank_) return account(k, true);
    // banked: offer the pending access; the other side offers its own in this delta
    BankArbiter::Offer &o = bank_->offer[side_];
    o.cycle = active_ ? k - 1 : -1;
    o.item = cur_.item, o.use = cur_.use, o.operand = cur_.operand, o.group = done_;
    pending_k_ = k;
    resolve_ev_.notify(SC_ZERO_TIME);
}

void Server::resolve()
{
    const int64_t k = pending_k_;
    bool go = true;
    if (active_ && bank_->meet(k - 1)) go = bank_->winner(k - 1) == side_;
    account(k, go);
}

void Server::account(int64_t k, bool go)
{
    int64_t w = 0;
    if (active_ && !go) {
        lost_++;
    } else if (active_) {
        const int64_t i = done_++;  // accesses of the share already made, before this one
        const double rate = cur_.rate > 0 ? cur_.rate : (double)cur_.words / (double)cur_.share;
        int64_t target = i + 1 >= cur_.share
                             ? cur_.words
                             : std::min(cur_.words - 1, (int64_t)std::floor((double)(i + 1) * rate));
        w = target - moved_;
        moved_ = target;
        if (i + 1 == cur_.share) {
            active_ = false;
            reports.nb_write(Report{cur_.item, cur_.use, R_FREE, k, lost_});
            Report r{cur_.item, cur_.use, R_DONE, k + cur_.latency};
            if (cur_.latency == 0)
                reports.nb_write(r);
            else
                pipe_.insert(std::upper_bound(pipe_.begin(), pipe_.end(), r,
                                              [](const Report &x, const Report &y) { return x.cycle < y.cycle; }),
                             r);
        }
    }
    while (!pipe_.empty() && pipe_.front().cycle <= k) {
        if (pipe_.front().cycle < k) return rs_->fail(std::string(name()) + ": latency pipe missed a cycle");
        if (!reports.nb_write(pipe_.front())) return rs_->fail(std::string(name()) + ": report fifo full");
        pipe_.pop_front();
    }
    if (words.read() != w) words.write(w);
}

// ---- MacArray -------------------------------------------------------------

MacArray::MacArray(sc_module_name n, RunState *rs) : sc_module(n), jobs(kFifo), reports(kFifo), rs_(rs)
{
    SC_METHOD(edge);
    sensitive << clk.pos();
    dont_initialize();
}

void MacArray::edge()
{
    const int64_t k = cycle_++;
    if (k == 0) return;
    Job j;
    while (jobs.nb_read(j)) {
        if (active_) return rs_->fail("mac: a second job while busy");
        active_ = true;
        cur_ = j;
        left_ = j.words;
    }
    int64_t s = 0;
    if (active_) {
        s = 1;
        if (--left_ == 0) {
            active_ = false;
            reports.nb_write(Report{cur_.item, cur_.use, R_DONE, k});
        }
    }
    if (steps.read() != s) steps.write(s);
}

// ---- DramSide -------------------------------------------------------------

DramSide::DramSide(sc_module_name n, const Program &p, const pesim_engine_options &opt, RunState *rs,
                   NoticeQueue *nq, int64_t ratio_p, int64_t ratio_q)
    : sc_module(n), p_(p), timing_(p.arch->level[p.M - 1].dram), rs_(rs), nq_(nq),
      ratio_p_(ratio_p), ratio_q_(ratio_q)
{
    DramCore::Options o;
    o.fcfs = opt.dram_fcfs != 0;
    o.refresh = !opt.no_refresh;
    core_.reset(new DramCore(timing_, o));
    core_->on_cas = [this](uint64_t id, uint64_t f) { on_cas(id, f); };
    core_->on_command = [this](const DramIssued &c) { log_.push_back(c); };
    ds_.resize(p.descs.size());
    cursor_.assign(p.regions.size(), 0);
    const pesim_level &top = p.arch->level[p.M - 1];
    const double wb = (double)pesim_arch_word_bytes(p.arch);
    port_bytes_[0] = top.read_words_per_cycle * wb;
    port_bytes_[1] = top.write_words_per_cycle * wb;
    SC_THREAD(run);
}

// The clock crossing, from the two clocks' exact ratio: DRAM cycle c starts at
// accelerator time c * p / q. An accelerator cycle's requests reach the first
// DRAM cycle at or after it; a DRAM cycle's result the first accelerator cycle
// at or after it.
uint64_t DramSide::from_accel(uint64_t a) const
{
    unsigned __int128 n = (unsigned __int128)a * (uint64_t)ratio_q_;
    return (uint64_t)((n + (uint64_t)ratio_p_ - 1) / (uint64_t)ratio_p_);
}

uint64_t DramSide::to_accel(uint64_t c) const
{
    unsigned __int128 n = (unsigned __int128)c * (uint64_t)ratio_p_;
    return (uint64_t)((n + (uint64_t)ratio_q_ - 1) / (uint64_t)ratio_q_);
}

// The DRAM's counters over the run: the device runs on to the DRAM cycle of
// the accelerator's last cycle (refresh goes on while the array computes);
// the commands of the log before that cycle, and the background state
// replayed from them (a rank is active while one of its banks is open).
void DramSide::tally(int64_t accel_end, pesim_engine_stats *s)
{
    uint64_t end = std::max(floor_, from_accel((uint64_t)accel_end));
    while (core_->now() < end) core_->tick();
    const int R = timing_.ranks, C = timing_.channels;
    std::vector<int> open((size_t)(R * C), 0);
    std::vector<uint64_t> since((size_t)(R * C), 0);
    int64_t n[5] = {0, 0, 0, 0, 0}, active = 0, precharged = 0;
    for (const DramIssued &c : log_) {
        if (c.cycle >= end) break;
        n[c.cmd]++;
        if (c.cmd != DRAM_ACT && c.cmd != DRAM_PRE) continue;
        size_t k = (size_t)(c.channel * R + c.rank);
        int was = open[k];
        open[k] += c.cmd == DRAM_ACT ? 1 : -1;
        if ((was > 0) != (open[k] > 0)) {
            (was > 0 ? active : precharged) += (int64_t)(c.cycle - since[k]);
            since[k] = c.cycle;
        }
    }
    for (size_t k = 0; k < open.size(); k++) (open[k] > 0 ? active : precharged) += (int64_t)(end - since[k]);
    const DramCounters cnt = core_->counters();
    s->dram_reads = bursts_read;
    s->dram_writes = bursts_written;
    s->dram_row_hits = (int64_t)cnt.row_hits;
    s->dram_row_misses = (int64_t)cnt.row_misses;
    s->dram_row_conflicts = (int64_t)cnt.row_conflicts;
    s->dram_cycles = (int64_t)end;
    s->dram_act = n[DRAM_ACT], s->dram_pre = n[DRAM_PRE], s->dram_rd = n[DRAM_RD], s->dram_wr = n[DRAM_WR];
    s->dram_refreshes = n[DRAM_REF];
    s->dram_active_cycles = active, s->dram_precharged_cycles = precharged;
}

void DramSide::post(int desc, int64_t cycle)
{
    ds_[(size_t)desc].posted = true;
    ds_[(size_t)desc].t0 = cycle;
    try_adds();
}

// The DMA stream, in program order. A transfer's requests arrive at the first
// DRAM cycle at or after its start (and after the previous transfer's last
// request arrived) at which the channel queue takes them; a read transfer, and
// a blocking write, must be complete before the next transfer issues, so the
// next arrives one cycle after the last data; a posted write lets the next go
// at once; a fence waits for an earlier posted write to land. With a port (the
// DRAM level's read/write_words_per_cycle), the bursts cross it one after the
// other from p0, the accelerator cycle of the DRAM cycle its first could enter:
// a burst arrives in a DRAM cycle seen at p0 + (its bytes before it / the
// port's bytes per cycle, rounded up) or later, and the stream goes on at
// p0 + (all its bytes / the port's bytes per cycle) at the earliest (row-major:
// the bytes of the bursts it issues).
void DramSide::try_adds()
{
    while (head_ < p_.descs.size()) {
        const Desc &d = p_.descs[head_];
        DescState &s = ds_[head_];
        if (d.kind == D_FENCE) {
            const DescState &t = ds_[(size_t)d.fence_of];
            if (!t.data_known) return;
            floor_ = std::max(floor_, t.finish + 1);
            head_++;
            continue;
        }
        if (!s.posted) return;
        if (!s.added_all) {
            if (!await_inflight(d)) return;
            uint64_t t0 = (uint64_t)std::max(s.t0, issue_free_);
            uint64_t elig = std::max(from_accel(t0), floor_);
            if (open_ < elig) return;
            const bool wr = d.kind != D_READ;
            const uint64_t burst = core_->burst_bytes();
            const double port = port_bytes_[wr ? 1 : 0];
            if (s.port0 < 0) s.port0 = (int64_t)to_accel(elig);
            // row-major (listed bursts): the port carries the bursts' bytes, over-fetch included
            const int64_t bytes = d.addr_off >= 0 ? d.bursts * (int64_t)burst
                                                  : d.words * pesim_arch_word_bytes(p_.arch);
            while (s.added < d.bursts) {
                if (port > 0 && (int64_t)to_accel(open_) < s.port0 + share_cycles(s.added * (int64_t)burst, port))
                    return;
                uint64_t addr;
                if (d.addr_off >= 0) {  // row-major: the tile's own bursts
                    addr = p_.addrs[(size_t)(d.addr_off + s.added)];
                    if (!core_->will_accept(addr)) return;
                } else {  // tile-major: the next bursts of its region
                    const Region &rg = p_.regions[(size_t)d.region];
                    addr = rg.base + (uint64_t)cursor_[(size_t)d.region];
                    if (!core_->will_accept(addr)) return;
                    cursor_[(size_t)d.region] = (int64_t)(((uint64_t)cursor_[(size_t)d.region] + burst) % rg.span);
                }
                core_->add(addr, wr, burst_desc_.size());
                burst_desc_.push_back((int)head_);
                s.added++;
            }
            s.added_all = true;
            floor_ = std::max(floor_, open_);
            issue_free_ = std::max((int64_t)to_accel(open_), s.t0);
            if (port > 0) issue_free_ = std::max(issue_free_, s.port0 + share_cycles(bytes, port));
            nq_->push(Notice{issue_free_, (int)head_, N_ISSUED});
            (wr ? bursts_written : bursts_read) += d.bursts;
        }
        if (d.kind == D_WRITE_POSTED || d.in_flight) {
            if (d.in_flight) inflight_.push_back((int)head_);
            head_++;
            continue;
        }
        if (!s.data_known) return;
        floor_ = std::max(floor_, s.finish + 1);
        head_++;
    }
}

// Reads in flight (docs/engine.md, DRAM): a read of a block's fill goes out
// without waiting for the data of the reads before it, except those of earlier
// blocks (the block computed) and the first wait_n of its own block (a fill
// that needed its parent's data, or the window of reads_in_flight full); any
// other request waits for every read in flight. Returns whether their data is
// known, and the stream resumes after the latest of it.
bool DramSide::await_inflight(const Desc &d)
{
    size_t n = 0;
    for (int q : inflight_) {
        const Desc &o = p_.descs[(size_t)q];
        if (d.in_flight && o.block == d.block && o.seq >= d.wait_n) break;
        if (!ds_[(size_t)q].data_known) return false;
        n++;
    }
    for (size_t i = 0; i < n; i++) floor_ = std::max(floor_, ds_[(size_t)inflight_[i]].finish + 1);
    inflight_.erase(inflight_.begin(), inflight_.begin() + (long)n);
    return true;
}

void DramSide::on_cas(uint64_t id, uint64_t finish)
{
    int desc = burst_desc_[(size_t)id];
    DescState &s = ds_[(size_t)desc];
    s.cas++;
    s.finish = std::max(s.finish, finish);
    if (s.cas == p_.descs[(size_t)desc].bursts) {
        s.data_known = true;
        nq_->push(Notice{(int64_t)to_accel(s.finish), desc, N_DATA});
    }
}

// One DRAM cycle per edge of the DRAM clock. When the edge coincides with an
// accelerator edge, that accelerator cycle's requests arrive first (the
// conversions round up: an accelerator cycle's requests reach the DRAM cycle
// at or after it, a DRAM cycle's results the accelerator cycle at or after it).
void DramSide::run()
{
    for (uint64_t c = 0;; c++) {
        wait(dclk.posedge_event());
        if ((c * (uint64_t)ratio_p_) % (uint64_t)ratio_q_ == 0) {
            int64_t a = (int64_t)(c * (uint64_t)ratio_p_ / (uint64_t)ratio_q_);
            while (rs_->accel_done < a) wait(rs_->accel_done_ev);
        }
        if (core_->now() != c) return rs_->fail("dram: clock out of step");
        core_->tick();
        open_ = c + 1;
        try_adds();
    }
}

// ---- Controller -----------------------------------------------------------

Controller::Controller(sc_module_name n, const Program &p, RunState *rs, std::vector<Server *> servers,
                       MacArray *mac, DramSide *dram, NoticeQueue *nq, bool want_trace, Results *res)
    : sc_module(n), p_(p), rs_(rs), servers_(std::move(servers)), mac_(mac), dram_(dram), nq_(nq),
      want_trace_(want_trace), res_(res)
{
    const pesim_level &top = p.arch->level[p.M - 1];
    for (int w = 0; w < 2 && top.is_dram; w++) { // the timing's peak, or the level's port if lower
        double peak = pesim_dram_words_per_cycle(&top.dram, p.arch->word_bits, p.arch->clock_mhz);
        double port = w ? top.write_words_per_cycle : top.read_words_per_cycle;
        dram_wpc_[w] = port > 0 && (peak <= 0 || port < peak) ? port : peak;
    }
    rt_.resize(p.items.size());
    size_t off = 0;
    for (size_t i = 0; i < p.items.size(); i++) {
        rt_[i].free_off = off;
        rt_[i].wait = p.items[i].n_deps;
        rt_[i].blocked = p.items[i].n_uses;
        off += p.items[i].n_uses;
    }
    free_seen_.assign(off, 0);
    lost_.assign(off, 0);
    // A watchdog: something reports within the longest share, steps or DRAM
    // transfer; far longer without any event means the model is stuck.
    int64_t longest = 0, bursts = 0;
    for (const Item &it : p.items) {
        longest = std::max(longest, it.steps + it.extra);
        for (const Use &u : p.uses(it)) longest = std::max(longest, u.share + u.latency);
    }
    for (const Desc &d : p.descs) bursts = std::max(bursts, d.bursts);
    quiet_limit_ = 2 * longest + 256 * bursts + (int64_t)1000000 + p.arch->mac_latency_cycles;
    chain_next_.assign(p.res.size(), 0);
    step_stall_.assign(p.steps.size() > 0 ? p.steps.size() : 1, {});
    if (p.network) {
        res_->steps.assign(p.steps.size(), StepResult{});
        for (StepResult &sr : res_->steps) {
            std::memset(&sr, 0, sizeof sr);
            sr.times.start = INT64_MAX;
        }
        res_->item_end.assign(p.items.size(), -1);
    }
    for (size_t r = 0; r < p.res.size(); r++) unblock_chain((int)r, 0);
    for (size_t i = 0; i < p.items.size(); i++)
        if (rt_[i].wait == 0) deps_complete((int)i, 0);
    SC_THREAD(run);
}

void Controller::trace(int64_t cycle, const Item &it, const char *what)
{
    if (!want_trace_) return;
    pesim_trace_event e;
    std::memset(&e, 0, sizeof e);
    e.cycle = cycle;
    std::snprintf(e.module, sizeof e.module, "%s", p_.modules[(size_t)it.module].c_str());
    static const char *const kind[] = {"drain", "fill", "compute", "flush", "finish", "dma", "end"};
    if (it.kind == IT_FLUSH || it.kind == IT_FINISH || it.kind == IT_DMA)
        std::snprintf(e.event, sizeof e.event, "%s%s%s", kind[it.kind], what[0] ? " " : "", what);
    else
        std::snprintf(e.event, sizeof e.event, "%s b%lld %s", kind[it.kind], (long long)it.block, what);
    res_->trace.push_back(e);
}

void Controller::run()
{
    for (int64_t k = 0;; k++) {
        wait(clk.posedge_event());
        wait(SC_ZERO_TIME);  // after the servers' and the MAC array's reports of this edge
        wait(SC_ZERO_TIME);  // (a banked level's servers report a delta later)
        phase(k);
        rs_->accel_done = k;
        rs_->accel_done_ev.notify(SC_ZERO_TIME);
        if (!rs_->error.empty()) return;
    }
}

// One accelerator cycle of control: what ended at this edge, then what starts.
void Controller::phase(int64_t k)
{
    if (k - last_event_ > quiet_limit_) return rs_->fail(msg("controller: no progress since cycle ", last_event_));
    Report r;
    for (Server *s : servers_) {
        if (!s) continue;
        while (s->reports.nb_read(r)) {
            if (r.cycle != k) return rs_->fail(msg("controller: report for cycle ", r.cycle, " at ", k));
            if (r.kind == R_FREE) {
                lost_[rt_[(size_t)r.item].free_off + (size_t)r.use] = r.lost;
                int res = p_.uses(p_.items[(size_t)r.item])[(size_t)r.use].res;
                size_t n = chain_next_[(size_t)res];
                const auto &u = p_.res[(size_t)res].users;
                if (n == 0 || u[n - 1].first != r.item || u[n - 1].second != r.use)
                    return rs_->fail(std::string("controller: ") + p_.res[(size_t)res].name + " freed out of order");
                unblock_chain(res, k);
                const Item &fi = p_.items[(size_t)r.item];
                if (fi.kind == IT_DRAIN && r.use == fi.use_net) left_part(r.item, k);  // the network took them
            } else {
                component(r.item, k, r.use);
            }
        }
    }
    while (mac_->reports.nb_read(r)) {
        if (r.cycle != k) return rs_->fail(msg("controller: mac report for cycle ", r.cycle, " at ", k));
        component(r.item, k);
    }
    while (!timers_.empty() && timers_.top().first <= k) {
        cand_.push(timers_.top().second);
        timers_.pop();
    }
    for (;;) {
        if (!rs_->error.empty()) return;
        if (!nq_->empty() && nq_->top().cycle <= k) {
            Notice n = nq_->top();
            nq_->pop();
            if (n.cycle != k) return rs_->fail(msg("controller: DRAM notice for cycle ", n.cycle, " seen at ", k));
            on_notice(n, k);
            continue;
        }
        if (cand_.empty()) break;
        int i = cand_.top();
        cand_.pop();
        try_start(i, k);
    }
}

// A resource lets its users through in program order: everyone up to and
// including the next one that holds it (a user with a zero share only waits).
void Controller::unblock_chain(int res, int64_t k)
{
    const auto &users = p_.res[(size_t)res].users;
    size_t &n = chain_next_[(size_t)res];
    while (n < users.size()) {
        int it = users[n].first, u = users[n].second;
        n++;
        free_seen_[rt_[(size_t)it].free_off + (size_t)u] = k;
        if (--rt_[(size_t)it].blocked == 0 && rt_[(size_t)it].deps_done) cand_.push(it);
        if (p_.uses(p_.items[(size_t)it])[(size_t)u].share > 0) break;
    }
}

// Everything item i waits for has happened: `ready` is now. For a fill, the
// cause that made it late follows docs/engine.md ("Stalls").
void Controller::deps_complete(int i, int64_t k)
{
    RT &r = rt_[(size_t)i];
    const Item &it = p_.items[(size_t)i];
    r.deps_done = true;
    r.ready = k;
    if (it.kind == IT_FILL) {
        int64_t rdy = it.room != kNone ? rt_[(size_t)it.room].end : 0;
        int c = kNoCause;
        if (it.drain != kNone) {
            const RT &d = rt_[(size_t)it.drain];
            if (d.left > rdy) rdy = d.left, c = d.xcause;  // room: its words left the child
        }
        if (it.readback_of != kNone) {  // the tile's partial sums landed in the parent
            const RT &d = rt_[(size_t)it.readback_of];
            if (d.landed > rdy) rdy = d.landed;  // (a read-back moves words: its transfer sets the cause)
        }
        if (it.parent_fill != kNone && rt_[(size_t)it.parent_fill].end > rdy)
            rdy = rt_[(size_t)it.parent_fill].end, c = kNoCause;
        if (it.complete != kNone && rt_[(size_t)it.complete].end > rdy) { /* the operand completed last */
            rdy = rt_[(size_t)it.complete].end, c = kNoCause;
            r.gate = rdy, r.gate_cause = it.complete_is_load ? PESIM_STALL_DRAM_BW : PESIM_STALL_FILL_DRAIN;
        }
        if (rdy != k) return rs_->fail(msg("controller: fill ", i, " ready at ", rdy, ", seen at ", k));
        r.pre_cause = c;
    }
    if (r.blocked == 0) cand_.push(i);
}

void Controller::try_start(int i, int64_t k)
{
    RT &r = rt_[(size_t)i];
    const Item &it = p_.items[(size_t)i];
    if (r.started || !r.deps_done || r.blocked > 0) return;
    if (it.kind == IT_END) {  // a layer's end: once its pipeline has drained and its activation is done
        const Program::Step &ps = p_.steps[(size_t)it.step];
        int64_t e = 0;
        for (const Dep &d : p_.deps(it)) {
            const RT &dr = rt_[(size_t)d.item];
            e = std::max(e, d.stage == ST_END ? dr.end : d.stage == ST_LEFT ? dr.left : dr.landed);
        }
        if (ps.last_compute != kNone) {
            const pesim_arch *a = ps.arch;
            e += ps.vector ? std::max<int64_t>(0, a->vector.latency_cycles - 1) : a->mac_latency_cycles - 1 + ps.reduce0;
            if (ps.act_steps > 0) e = std::max(e, rt_[(size_t)ps.first_compute].start + ps.act_steps);
        }
        if (k < e) {
            if (!r.timer) r.timer = true, timers_.push({e, i});
            return;
        }
        if (k != e) return rs_->fail(msg("controller: layer end ", it.step, " at ", k, ", expected ", e));
    }
    if (it.first_latency > 0 && k < r.ready + it.first_latency) {
        if (!r.timer) r.timer = true, timers_.push({r.ready + it.first_latency, i});
        return;
    }
    start(i, k);
}

void Controller::start(int i, int64_t k)
{
    last_event_ = k;
    RT &r = rt_[(size_t)i];
    const Item &it = p_.items[(size_t)i];
    r.started = true;
    r.start = k;
    if (p_.network && (it.kind == IT_COMPUTE || it.has_xfer)) {  // a step starts with its first transfer
        StepResult &sr = res_->steps[(size_t)it.step];
        if (k < sr.times.start) sr.times.start = k;
    }
    switch (it.kind) {
    case IT_END:
        end_step(i, k);
        return;
    case IT_FILL:
    case IT_DRAIN:
    case IT_DMA:
    case IT_FLUSH: {
        if (!it.has_xfer) {  // a fill that moves nothing: its tile is there when it is ready
            r.cause = r.pre_cause == kNoCause ? PESIM_STALL_SPACE : r.pre_cause;
            complete(i, ST_END, k);
            return;
        }
        trace(k, it, "start");
        if (p_.opt.stall_free) {
            r.xcause = r.cause = PESIM_STALL_FILL_DRAIN;
            complete(i, ST_END, k);
            return;
        }
        r.pend = 0;
        const Slice<Use> uses = p_.uses(it);
        for (size_t u = 0; u < uses.size(); u++) {
            const Use &us = uses[u];
            if (us.share == 0 && us.latency == 0) continue;
            Server *s = servers_[(size_t)us.res];
            if (!s->jobs.nb_write(Job{i, (int)u, us.words, us.share, us.latency, us.rate}))
                return rs_->fail("controller: job fifo full");
            r.pend++;
            // a drain's words have left its child when every part is done, the
            // network's by its hold (its free report), not its delivery
            if (it.kind == IT_DRAIN && ((int)u != it.use_net || us.share > 0)) r.pend_left++;
        }
        if (it.desc != kNone) {
            r.pend++;  // the requests issued
            if (it.kind == IT_DRAIN)
                r.pend_data = 1, r.pend_left++;
            else
                r.pend++;  // the data done
        }
        if (it.kind == IT_DRAIN && r.pend_left == 0) complete(i, ST_LEFT, k);
        if (it.desc2 != kNone) r.pend += 2;  // DRAM to DRAM: the write's issue and data too
        if (r.pend == 0) {
            transfer_end(i, k);
            return;
        }
        if (it.desc != kNone) dram_->post(it.desc, k);
        return;
    }
    case IT_COMPUTE: {
        trace(k, it, "start");
        r.pend = 0;
        if (it.steps > 0) {
            mac_->jobs.nb_write(Job{i, -1, it.steps, it.steps, 0, 1.0});
            r.pend++;
        }
        const Slice<Use> uses = p_.uses(it);
        for (size_t u = 0; u < uses.size(); u++) {
            const Use &us = uses[u];
            if (us.share == 0) continue;
            if (!servers_[(size_t)us.res]->jobs.nb_write(Job{i, (int)u, us.words, us.share, 0, us.rate, true}))
                return rs_->fail("controller: job fifo full");
            r.pend++;
        }
        r.pend += it.dram_rd_n + (it.dram_wr != kNone);
        if (r.pend == 0) {
            r.pend = 1;
            component(i, k);
            return;
        }
        for (int d = 0; d < it.dram_rd_n; d++) dram_->post(it.dram_rd + d, k);
        if (it.dram_wr != kNone) dram_->post(it.dram_wr, k);
        return;
    }
    case IT_FINISH: {
        if (p_.network) return finish_network(k);
        int64_t lat = p_.arch->mac_latency_cycles - 1 + reduce_cycles(p_.arch, p_.map, 0);
        if (lat > 0)
            mac_->jobs.nb_write(Job{i, -1, lat, lat, 0, 1.0});
        else
            finish(k);
        return;
    }
    }
}

// A part of drain i before LEFT is done; the last one: its words have left the child.
void Controller::left_part(int i, int64_t k)
{
    RT &r = rt_[(size_t)i];
    if (--r.pend_left == 0) complete(i, ST_LEFT, k);
}

// A component of item i reported at k (`use`: the use it belongs to, -1 none).
void Controller::component(int i, int64_t k, int use)
{
    RT &r = rt_[(size_t)i];
    const Item &it = p_.items[(size_t)i];
    switch (it.kind) {
    case IT_COMPUTE:
        if (r.comps_done) {  // the fold's skew and preload are over
            compute_end(i, k);
        } else if (--r.pend == 0) {
            r.comps_done = true;
            r.len = k - r.start;
            if (it.extra > 0)
                mac_->jobs.nb_write(Job{i, -1, it.extra, it.extra, 0, 1.0});
            else
                compute_end(i, k);
        }
        return;
    case IT_FINISH:
        finish(k);
        return;
    case IT_END:
        complete(i, ST_END, k);
        return;
    default:
        if (it.kind == IT_DRAIN && (use < 0 || use != it.use_net)) left_part(i, k);  // the network's delivery: after LEFT
        if (--r.pend == 0) transfer_end(i, k);
        return;
    }
}

void Controller::on_notice(const Notice &n, int64_t k)
{
    const Desc &d = p_.descs[(size_t)n.desc];
    int i = d.item;
    RT &r = rt_[(size_t)i];
    const Item &it = p_.items[(size_t)i];
    if (n.kind == N_ISSUED) {
        if (it.kind == IT_COMPUTE) return;
        r.issued = k;
        component(i, k);
        return;
    }
    if (it.desc2 != kNone && n.desc == it.desc) {  // DRAM to DRAM: the read is in; the write follows now
        r.read_done = k;
        dram_->post(it.desc2, k);
        component(i, k);
        return;
    }
    r.dram_done = std::max(r.dram_done, k);
    if (it.kind == IT_DRAIN) {
        r.pend_data = 0;
        if (r.end_done) complete(i, ST_LANDED, k);
        return;
    }
    component(i, k);
}

int64_t Controller::share(int i, size_t u) const
{
    return p_.uses(p_.items[(size_t)i])[u].share + lost_[rt_[(size_t)i].free_off + u];
}

int Controller::dram_cause(int i, int64_t done) const
{
    const Item &it = p_.items[(size_t)i];
    double ideal = (double)share_cycles(it.dram_words, dram_wpc_[it.dram_write ? 1 : 0]);
    return ideal * 2 >= (double)(done - rt_[(size_t)i].start) ? PESIM_STALL_DRAM_BW : PESIM_STALL_DRAM_LATENCY;
}

// Transfer i's on-chip length r.len and the cause of its wait or length
// r.xcause, from its shares, the cycles its resources became free and its
// DRAM issue; false (the run failed) when it did not start when they say.
// A drain's words have left its child when every share is over but the
// network's latency: r.left must be its start plus the longest of them.
bool Controller::xfer_timing(int i)
{
    RT &r = rt_[(size_t)i];
    const Item &it = p_.items[(size_t)i];
    const pesim_arch *a = p_.arch;
    const bool sd = a->level[it.src].is_dram, dd_ = a->level[it.dst].is_dram;
    const Slice<Use> uses = p_.uses(it);
    const Use *us = it.use_src != kNone ? &uses[(size_t)it.use_src] : nullptr;
    const Use *ud = it.use_dst != kNone ? &uses[(size_t)it.use_dst] : nullptr;
    const Use *un = it.use_net != kNone ? &uses[(size_t)it.use_net] : nullptr;
    // the ports' shares with the cycles they lost to bank conflicts
    int64_t rs = us ? share(i, (size_t)it.use_src) : 0, lat = us ? us->latency : 0;
    int64_t rd = ud ? share(i, (size_t)it.use_dst) : 0;
    int64_t lost = (us ? lost_[r.free_off + (size_t)it.use_src] : 0) + (ud ? lost_[r.free_off + (size_t)it.use_dst] : 0);
    int64_t rn = un ? un->share + un->latency : 0;  // the network's share and its reduction latency
    int64_t issued = it.desc != kNone ? r.issued : r.start;
    int64_t ds = sd ? issued - r.start : rs + lat, dd = dd_ ? issued - r.start : rd;
    if (it.desc2 != kNone) ds = r.read_done - r.start;  // the write's issue is r.issued
    r.len = std::max(std::max(ds, dd), rn);
    const int64_t left = r.start + std::max(std::max(ds, dd), un ? un->share : 0);
    if (it.kind == IT_DRAIN && r.left != left) {
        rs_->fail(msg("controller: drain ", i, " left its child at ", r.left, ", expected ", left));
        return false;
    }
    // The cause: the resource it waited for last, or when it waited for none,
    // its longest share (docs/engine.md, "Stalls").
    int64_t st = r.ready;
    int c = PESIM_STALL_SPACE;
    if (us && free_seen_[r.free_off + (size_t)it.use_src] > st)
        st = free_seen_[r.free_off + (size_t)it.use_src],
        c = p_.shared[it.src] ? PESIM_STALL_BANK_CONFLICT : PESIM_STALL_BUFFER_BW;
    if (ud && free_seen_[r.free_off + (size_t)it.use_dst] > st)
        st = free_seen_[r.free_off + (size_t)it.use_dst],
        c = p_.shared[it.dst] ? PESIM_STALL_BANK_CONFLICT : PESIM_STALL_BUFFER_BW;
    if (un && free_seen_[r.free_off + (size_t)it.use_net] > st)
        st = free_seen_[r.free_off + (size_t)it.use_net], c = PESIM_STALL_NOC_BW;
    if (st != r.start) {
        rs_->fail(msg("controller: item ", i, " started at ", r.start, ", expected ", st));
        return false;
    }
    if (r.start == r.ready)
        c = r.len == rn && rn > 0 ? PESIM_STALL_NOC_BW
            : (sd || dd_)         ? PESIM_STALL_DRAM_BW
            : lost > 0            ? PESIM_STALL_BANK_CONFLICT
            : rs + rd > 0         ? PESIM_STALL_BUFFER_BW
                                  : PESIM_STALL_DRAM_LATENCY;
    r.xcause = c;
    return true;
}

// A transfer's on-chip part (and its DRAM part, for fills and flushes) is over.
void Controller::transfer_end(int i, int64_t k)
{
    RT &r = rt_[(size_t)i];
    const Item &it = p_.items[(size_t)i];
    if (!xfer_timing(i)) return;
    int c = r.xcause;
    const int64_t onchip = r.start + r.len;
    if (it.kind == IT_DRAIN) {
        if (k != onchip) return rs_->fail(msg("controller: drain ", i, " ended at ", k, ", expected ", onchip));
        complete(i, ST_END, k);
        return;
    }
    int64_t expect = std::max(onchip, it.desc != kNone || it.desc2 != kNone ? r.dram_done : onchip);
    if (k != expect) return rs_->fail(msg("controller: transfer ", i, " done at ", k, ", expected ", expect));
    if (k > onchip) c = dram_cause(i, k);
    r.cause = c == kNoCause ? PESIM_STALL_SPACE : c;
    complete(i, ST_END, k);
}

void Controller::compute_end(int i, int64_t k)
{
    RT &r = rt_[(size_t)i];
    const Item &it = p_.items[(size_t)i];
    int64_t ce_prev = it.prev_compute != kNone ? rt_[(size_t)it.prev_compute].end : 0;
    int64_t rc = ce_prev;
    int why = kNoCause;
    int64_t gate = 0;
    int gate_cause = PESIM_STALL_FILL_DRAIN;
    for (int f : p_.list(it)) {
        if (rt_[(size_t)f].end > rc) rc = rt_[(size_t)f].end, why = rt_[(size_t)f].cause;
        if (rt_[(size_t)f].gate > gate) gate = rt_[(size_t)f].gate, gate_cause = rt_[(size_t)f].gate_cause;
    }
    if (p_.network)  // operands streamed from their home, once complete
        for (const Dep &g : p_.stream_gates[(size_t)i]) {
            int64_t t = rt_[(size_t)g.item].end;
            if (t <= rc) continue;
            rc = t, why = g.stage ? PESIM_STALL_DRAM_BW : PESIM_STALL_FILL_DRAIN;
            if (rc > gate) gate = rc, gate_cause = why;
        }
    int64_t st = rc + it.first_latency;
    int wait_cause = why == kNoCause ? PESIM_STALL_SPACE : why;
    int slow = kNoCause;
    int64_t limit = it.steps;
    if (!p_.opt.stall_free) {
        const Slice<Use> uses = p_.uses(it);
        for (size_t u = 0; u < uses.size(); u++) {
            const Resource &rs = p_.res[(size_t)uses[u].res];
            int64_t f = free_seen_[r.free_off + u];
            if (f > st)
                st = f, wait_cause = rs.kind == 2 ? PESIM_STALL_NOC_BW
                                     : rs.shared  ? PESIM_STALL_BANK_CONFLICT
                                                  : PESIM_STALL_BUFFER_BW;
        }
        // the limit: ports by level, DRAM (the top level), then the networks
        for (size_t u = 0; u < uses.size(); u++) {
            const Resource &rs = p_.res[(size_t)uses[u].res];
            if (rs.kind != 2 && share(i, u) > limit)
                limit = share(i, u), slow = rs.shared || lost_[r.free_off + u] > 0 ? PESIM_STALL_BANK_CONFLICT
                                                                                  : PESIM_STALL_BUFFER_BW;
        }
        if (it.dram_rd != kNone || it.dram_wr != kNone) {
            int64_t dd = std::max(r.start, r.dram_done) - r.start;
            if (dd > limit) limit = dd, slow = PESIM_STALL_DRAM_BW;
        }
        for (size_t u = 0; u < uses.size(); u++)
            if (p_.res[(size_t)uses[u].res].kind == 2 && uses[u].share > limit)
                limit = uses[u].share, slow = PESIM_STALL_NOC_BW;
    }
    if (st != r.start) return rs_->fail(msg("controller: compute ", i, " started at ", r.start, ", expected ", st));
    int64_t dur = std::max(it.steps, limit);
    if (r.len != dur) return rs_->fail(msg("controller: compute ", i, " took ", r.len, ", expected ", dur));
    if (k != r.start + dur + it.extra)
        return rs_->fail(msg("controller: compute ", i, " ended at ", k, ", expected ", r.start + dur + it.extra));
    if (limit > it.steps) add_stall(it, slow, limit - it.steps);
    add_stall(it, PESIM_STALL_FILL_DRAIN, it.extra);
    if (r.start > ce_prev) {
        int64_t w = r.start - ce_prev;
        if (it.first_latency > 0) {
            int64_t l0 = std::min(it.first_latency, w);
            add_stall(it, PESIM_STALL_FILL_DRAIN, l0), w -= l0;
        }
        if (gate > ce_prev) {  // waiting for an operand to be complete
            int64_t g = std::min(gate - ce_prev, w);
            add_stall(it, gate_cause, g), w -= g;
        }
        add_stall(it, wait_cause, w);
    }
    if (p_.network) {
        StepResult &sr = res_->steps[(size_t)it.step];
        const Program::Step &ps = p_.steps[(size_t)it.step];
        if (i == ps.first_compute) sr.times.compute_start = r.start;
        if (i == ps.last_compute) {
            int pc = p_.items[(size_t)ps.first_compute].prev_compute;
            sr.times.compute_end = k;
            sr.times.timeline = k - (pc != kNone ? rt_[(size_t)pc].end : 0);
        }
    }
    complete(i, ST_END, k);
}

void Controller::add_stall(const Item &it, int cause, int64_t n)
{
    stall_[cause] += n;
    if (p_.network) step_stall_[(size_t)it.step][(size_t)cause] += n;
}

// A layer of a network program ended at k.
void Controller::end_step(int i, int64_t k)
{
    const Item &it = p_.items[(size_t)i];
    StepResult &sr = res_->steps[(size_t)it.step];
    const Program::Step &ps = p_.steps[(size_t)it.step];
    sr.times.end = k;
    if (sr.times.start == INT64_MAX) sr.times.start = k;
    if (ps.first_compute == kNone) sr.times.compute_start = sr.times.compute_end = sr.times.start;
    sr.busy = ps.busy;
    for (int c = 0; c < PESIM_STALL_COUNT; c++) sr.stall[c] = step_stall_[(size_t)it.step][(size_t)c];
    complete(i, ST_END, k);
}

// The network program's end: every layer ended.
void Controller::finish_network(int64_t k)
{
    last_event_ = k;
    for (size_t i = 0; i < p_.items.size(); i++) res_->item_end[i] = rt_[i].end;
    end_run(k);
}

// The run's totals at its last cycle k; then the simulation stops.
void Controller::end_run(int64_t k)
{
    pesim_cost &c = res_->cost;
    c.cycles = k;
    c.compute_cycles = p_.busy;
    std::memcpy(c.stall_cycles, stall_, sizeof stall_);
    pesim_engine_stats &s = res_->stats;
    s.blocks = p_.blocks;
    s.transfers = p_.transfers;
    s.folds = p_.folds;
    s.busy_cycles = p_.busy;
    sc_stop();  // the DRAM's counters: DramSide::tally, once the simulation has stopped
}

void Controller::complete(int i, int stage, int64_t k)
{
    last_event_ = k;
    RT &r = rt_[(size_t)i];
    const Item &it = p_.items[(size_t)i];
    if (stage == ST_END && !r.left_done) complete(i, ST_LEFT, k);  // LEFT comes first (== END but for drains)
    if (stage == ST_LEFT) {
        r.left = k;
        r.left_done = true;
        if (it.kind == IT_DRAIN) trace(k, it, "left");
        if (it.kind == IT_DRAIN && !p_.opt.stall_free && !xfer_timing(i)) return;  // the cause its dependents take
    } else if (stage == ST_END) {
        r.end = k;
        r.end_done = true;
        if (it.kind == IT_COMPUTE) trace(k, it, "end");
        else if (it.kind == IT_DRAIN) trace(k, it, "end");
        else if (it.has_xfer) trace(k, it, "done");
    } else {
        r.landed = k;
    }
    for (int d : p_.dependents(stage, i))
        if (--rt_[(size_t)d].wait == 0) deps_complete(d, k);
    if (stage == ST_END && (it.kind != IT_DRAIN || r.pend_data == 0)) complete(i, ST_LANDED, k);
}

void Controller::finish(int64_t k)
{
    const Item &it = p_.items.back();
    RT &r = rt_.back();
    int64_t lat = p_.arch->mac_latency_cycles - 1 + reduce_cycles(p_.arch, p_.map, 0);
    int64_t ce = it.prev_compute != kNone ? rt_[(size_t)it.prev_compute].end : 0;
    int64_t end = ce + lat;
    add_stall(it, PESIM_STALL_FILL_DRAIN, lat);
    if (r.start + lat > end) {
        add_stall(it, PESIM_STALL_FILL_DRAIN, r.start + lat - end);
        end = r.start + lat;
    }
    if (k != end) return rs_->fail(msg("controller: finished at ", k, ", expected ", end));
    r.end = k;
    trace(k, it, "");
    end_run(k);
}

}  // namespace pesim_sc
