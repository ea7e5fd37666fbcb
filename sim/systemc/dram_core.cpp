// sim/systemc/dram_core.cpp - see dram_core.h. Written from docs/dram.md.
#include "dram_core.h"

#include <algorithm>
#include <cstdlib>

namespace pesim_sc {

namespace {
enum { F_RO = 0, F_RA, F_BG, F_BA, F_CH, F_CO };
const char *const kFieldName[6] = {"ro", "ra", "bg", "ba", "ch", "co"};
}  // namespace

DramCore::DramCore(const pesim_dram &d, const Options &o) : d_(d), o_(o)
{
    burst_ = (uint64_t)(d.bus_bits / 8) * (uint64_t)d.BL;
    bpr_ = d.bankgroups * d.banks_per_group;
    refresh_step_ = d.tREFI / d.ranks;
    count_[F_RO] = o.rows_per_bank;
    count_[F_RA] = d.ranks;
    count_[F_BG] = d.bankgroups;
    count_[F_BA] = d.banks_per_group;
    count_[F_CH] = d.channels;
    count_[F_CO] = d.row_bytes / (int64_t)burst_;
    // The map names the fields most significant first; keep them least first.
    for (int i = 0; i < 6; i++) {
        int f = F_CO;
        for (int k = 0; k < 6; k++)
            if (o.address_map.compare(2 * (size_t)i, 2, kFieldName[k]) == 0) f = k;
        fields_[5 - i] = f;
    }
    ch_.resize((size_t)d.channels);
    for (Channel &c : ch_) {
        c.banks.resize((size_t)(d.ranks * bpr_));
        c.ranks.resize((size_t)d.ranks);
        // Staggered: one rank every tREFI / ranks, rank 0 first at tREFI / ranks.
        for (int r = 0; r < d.ranks; r++)
            c.ranks[(size_t)r].refresh_due = o.refresh ? (int64_t)(r + 1) * refresh_step_ : INT64_MAX;
    }
}

DramCoord DramCore::decode(uint64_t addr) const
{
    int64_t val[6] = {0, 0, 0, 0, 0, 0};
    uint64_t v = addr / burst_;
    for (int i = 0; i < 6; i++) {
        int f = fields_[i];
        if (i == 5 && f == F_RO) {
            val[f] = (int64_t)v;  // the row on top is unbounded
        } else {
            val[f] = (int64_t)(v % (uint64_t)count_[f]);
            v /= (uint64_t)count_[f];
        }
    }
    return DramCoord{(int)val[F_CH], (int)val[F_RA], (int)val[F_BG], (int)val[F_BA], val[F_RO], val[F_CO]};
}

bool DramCore::will_accept(uint64_t addr) const
{
    return ch_[(size_t)decode(addr).channel].held < (size_t)o_.queue_depth;
}

void DramCore::add(uint64_t addr, bool is_write, uint64_t id)
{
    DramCoord c = decode(addr);
    Channel &ch = ch_[(size_t)c.channel];
    Req r;
    r.id = id;
    r.seq = ch.seq++;
    r.arrival = now_;
    r.eligible = now_ + 1;
    r.row = c.row;
    r.column = c.column;
    r.rank = c.rank;
    r.bank = (c.rank * d_.bankgroups + c.bankgroup) * d_.banks_per_group + c.bank;
    r.write = is_write;
    Bank &b = ch.banks[(size_t)r.bank];
    if (b.q.size() < (size_t)o_.bank_queue_depth)
        b.q.push_back(r);
    else
        ch.waiting.push_back(r);
    ch.held++;
    outstanding_++;
}

void DramCore::emit(int ch, int cmd, int rank, int bank, int64_t row, int64_t col, uint64_t id)
{
    if (!on_command) return;
    DramIssued x;
    x.cycle = (uint64_t)now_;
    x.cmd = cmd;
    x.channel = ch;
    x.rank = rank;
    if (bank >= 0) {
        x.bankgroup = (bank % bpr_) / d_.banks_per_group;
        x.bank = bank % d_.banks_per_group;
    } else {
        x.bankgroup = x.bank = -1;
    }
    x.row = row;
    x.column = col;
    x.id = id;
    on_command(x);
}

// The rank's background state (some bank open or none) changes now.
void DramCore::background(Rank &rk)
{
    uint64_t n = (uint64_t)(now_ - rk.state_since);
    (rk.open > 0 ? rk.active : rk.precharged) += n;
    rk.state_since = now_;
}

DramCounters DramCore::counters() const
{
    DramCounters c = cnt_;
    for (const Channel &ch : ch_)
        for (const Rank &rk : ch.ranks) {
            uint64_t n = (uint64_t)(now_ - rk.state_since);
            c.active_cycles += rk.active + (rk.open > 0 ? n : 0);
            c.precharged_cycles += rk.precharged + (rk.open > 0 ? 0 : n);
        }
    return c;
}

// ACT: tRRD_S/L to every bank of the rank, tFAW over the rank's last four
// ACTs, tRC/tRCD/tRAS to the bank itself, tRC before the rank's next REF.
void DramCore::act(int ch, int bank, Req *r)
{
    Channel &c = ch_[(size_t)ch];
    Bank &b = c.banks[(size_t)bank];
    int rank = bank / bpr_, bg = (bank % bpr_) / d_.banks_per_group;
    Rank &rk = c.ranks[(size_t)rank];
    if (rk.open == 0) background(rk);
    b.row = r->row;
    b.cas = 0;
    rk.open++;
    r->did_act = true;
    rk.acts.push_back(now_);
    if (rk.acts.size() > 4) rk.acts.erase(rk.acts.begin());
    int64_t faw = rk.acts.size() == 4 ? rk.acts.front() + d_.tFAW : 0;
    for (int i = 0; i < bpr_; i++) {
        Bank &x = c.banks[(size_t)(rank * bpr_ + i)];
        raise(x.earliest[ACT], now_ + (i / d_.banks_per_group == bg ? d_.tRRD_L : d_.tRRD_S));
        raise(x.earliest[ACT], faw);
    }
    raise(b.earliest[ACT], now_ + d_.tRC);
    raise(b.earliest[RD], now_ + d_.tRCD);
    raise(b.earliest[WR], now_ + d_.tRCD);
    raise(b.earliest[PRE], now_ + d_.tRAS);
    raise(rk.ref_earliest, now_ + d_.tRC);
    cnt_.act++;
    emit(ch, DRAM_ACT, rank, bank, r->row, -1, r->id);
}

void DramCore::pre(int ch, int bank, Req *r)
{
    Channel &c = ch_[(size_t)ch];
    Bank &b = c.banks[(size_t)bank];
    int rank = bank / bpr_;
    Rank &rk = c.ranks[(size_t)rank];
    b.row = -1;
    if (rk.open == 1) background(rk);
    rk.open--;
    raise(b.earliest[ACT], now_ + d_.tRP);
    raise(rk.ref_earliest, now_ + d_.tRP);
    cnt_.pre++;
    if (r) r->did_pre = true;
    emit(ch, DRAM_PRE, rank, bank, -1, -1, r ? r->id : UINT64_MAX);
}

// RD/WR: the column-to-column rules of the table on every bank of the
// channel, tRTP / write recovery to the bank itself; the data is done
// CL (CWL) + BL/2 later. The request leaves its bank queue, and the oldest
// request of the bank on the waiting list takes its place (eligible from the
// next cycle).
void DramCore::cas(int ch, int bank, size_t pos)
{
    Channel &c = ch_[(size_t)ch];
    Bank &b = c.banks[(size_t)bank];
    Req r = b.q[pos];
    int bg = (r.bank % bpr_) / d_.banks_per_group;
    const int64_t bl2 = d_.BL / 2;
    const int64_t ccd_l = std::max<int64_t>(d_.tCCD_L, bl2), ccd_s = std::max<int64_t>(d_.tCCD_S, bl2);
    const int64_t other_rank = bl2 + d_.tRTRS;
    const int64_t rd_wr = (int64_t)d_.CL + bl2 + d_.tRTRS - d_.CWL;
    for (int rr = 0; rr < d_.ranks; rr++)
        for (int i = 0; i < bpr_; i++) {
            Bank &x = c.banks[(size_t)(rr * bpr_ + i)];
            int64_t to_rd, to_wr;
            if (rr != r.rank) {
                to_rd = r.write ? (int64_t)d_.CWL + bl2 + d_.tRTRS - d_.CL : other_rank;
                to_wr = r.write ? other_rank : rd_wr;
            } else {
                bool same = i / d_.banks_per_group == bg;
                to_rd = r.write ? (int64_t)d_.CWL + bl2 + (same ? d_.tWTR_L : d_.tWTR_S) : (same ? ccd_l : ccd_s);
                to_wr = r.write ? (same ? ccd_l : ccd_s) : rd_wr;
            }
            raise(x.earliest[RD], now_ + to_rd);
            raise(x.earliest[WR], now_ + to_wr);
        }
    raise(b.earliest[PRE], now_ + (r.write ? (int64_t)d_.CWL + bl2 + d_.tWR : (int64_t)d_.tRTP));
    b.cas++;
    if (r.did_pre)
        cnt_.row_conflicts++;
    else if (r.did_act)
        cnt_.row_misses++;
    else
        cnt_.row_hits++;
    (r.write ? cnt_.wr : cnt_.rd)++;
    int64_t finish = now_ + (r.write ? d_.CWL : d_.CL) + bl2;
    c.flight.push_back(Flight{r.id, finish, r.write});
    b.q.erase(b.q.begin() + (std::ptrdiff_t)pos);
    c.held--;
    for (auto it = c.waiting.begin(); it != c.waiting.end(); ++it)
        if (it->bank == bank) {
            Req w = *it;
            w.eligible = now_ + 1;
            b.q.push_back(w);
            c.waiting.erase(it);
            break;
        }
    emit(ch, r.write ? DRAM_WR : DRAM_RD, r.rank, r.bank, r.row, r.column, r.id);
    if (on_cas) on_cas(r.id, (uint64_t)finish);
}

void DramCore::ref(int ch, int rank)
{
    Channel &c = ch_[(size_t)ch];
    Rank &rk = c.ranks[(size_t)rank];
    for (int i = 0; i < bpr_; i++) raise(c.banks[(size_t)(rank * bpr_ + i)].earliest[ACT], now_ + d_.tRFC);
    raise(rk.ref_earliest, now_ + d_.tRFC);
    rk.refresh_due += refresh_step_ * d_.ranks;  // on the grid, however late this one was
    cnt_.ref++;
    emit(ch, DRAM_REF, rank, -1, -1, -1, UINT64_MAX);
}

// What FR-FCFS could do on one bank now: the oldest ready row hit the rules
// allow (when `hits`), and the ACT (bank closed: for its oldest request) or
// PRE (for its oldest request to another row, once no allowed hit is left).
// A hit is allowed when it is older than every request of the bank for
// another row, or the bank has served fewer than row_hit_cap CAS since its ACT.
void DramCore::consider(const Channel &c, int bank, bool hits, Choice *hit, Choice *other) const
{
    const Bank &b = c.banks[(size_t)bank];
    if (b.q.empty()) return;
    const bool capped = o_.row_hit_cap >= 0 && b.cas >= o_.row_hit_cap;
    bool conflict_seen = false, hit_taken = false;
    size_t conflict_pos = 0;
    int allowed = 0;
    for (size_t i = 0; i < b.q.size(); i++) {
        const Req &r = b.q[i];
        if (b.row < 0 || r.row != b.row) {
            if (!conflict_seen) conflict_seen = true, conflict_pos = i;
            continue;
        }
        if (conflict_seen && capped) continue;
        allowed++;
        if (!hits || hit_taken) continue;
        int cmd = r.write ? WR : RD;
        if (std::max(r.eligible, b.earliest[cmd]) > now_) continue;
        hit_taken = true;
        if (r.seq < hit->seq) *hit = Choice{bank, i, cmd, r.seq};
    }
    size_t pos;
    int cmd;
    if (b.row < 0)
        pos = 0, cmd = ACT;
    else if (conflict_seen && allowed == 0)
        pos = conflict_pos, cmd = PRE;
    else
        return;
    const Req &r = b.q[pos];
    if (std::max(r.eligible, b.earliest[cmd]) <= now_ && r.seq < other->seq) *other = Choice{bank, pos, cmd, r.seq};
}

bool DramCore::schedule(int chi)
{
    Channel &c = ch_[(size_t)chi];
    // 1. Refresh: a due rank closes its banks (in bank order, as their PRE
    //    becomes legal), then takes REF; it serves no request meanwhile.
    uint64_t refreshing = 0;  // bit r: rank r is due (ranks <= 64, pesim_dram_check's bound)
    for (int r = 0; r < d_.ranks; r++) {
        Rank &rk = c.ranks[(size_t)r];
        if (now_ < rk.refresh_due) continue;
        refreshing |= (uint64_t)1 << r;
        if (rk.open == 0) {
            if (rk.ref_earliest <= now_) {
                ref(chi, r);
                return true;
            }
            continue;
        }
        for (int i = r * bpr_; i < (r + 1) * bpr_; i++) {
            Bank &b = c.banks[(size_t)i];
            if (b.row >= 0 && b.earliest[PRE] <= now_) {
                pre(chi, i, nullptr);
                return true;
            }
        }
    }

    if (c.held == 0) return false;
    auto due = [refreshing](int rank) { return (refreshing >> rank & 1) != 0; };

    // The channel's oldest request heads its bank's queue.
    int ob = -1;
    for (size_t i = 0; i < c.banks.size(); i++)
        if (!c.banks[i].q.empty() && (ob < 0 || c.banks[i].q.front().seq < c.banks[(size_t)ob].q.front().seq))
            ob = (int)i;
    if (ob < 0) return false;

    auto run = [&](const Choice &x) {
        Bank &b = c.banks[(size_t)x.bank];
        if (x.cmd == ACT) act(chi, x.bank, &b.q[x.pos]);
        else if (x.cmd == PRE) pre(chi, x.bank, &b.q[x.pos]);
        else cas(chi, x.bank, x.pos);
        return true;
    };

    // 2. FCFS, or a request that has waited age_cap cycles: the oldest
    //    request's next command when it is legal. With the age cap, other
    //    commands may go meanwhile if they cannot delay that command: an ACT
    //    (which a refreshing rank's request needs next) is delayed by ACTs of
    //    its rank, a PRE by CAS to its bank, a CAS by any CAS.
    Req &o = c.banks[(size_t)ob].q.front();
    const bool aged = !o_.fcfs && o_.age_cap >= 0 && now_ - o.arrival >= o_.age_cap;
    if (o_.fcfs || aged) {
        int ocmd = ACT;
        if (!due(o.rank)) {
            const Bank &b = c.banks[(size_t)ob];
            ocmd = b.row == o.row ? (o.write ? WR : RD) : b.row < 0 ? ACT : PRE;
            if (std::max(o.eligible, b.earliest[ocmd]) <= now_) return run(Choice{ob, 0, ocmd, o.seq});
        }
        if (!aged) return false;
        Choice hit, other;
        for (int i = 0; i < (int)c.banks.size(); i++) {
            int rank = i / bpr_;
            if (due(rank)) continue;
            bool cas_ok = (ocmd == ACT || ocmd == PRE) && !(ocmd == PRE && i == ob);
            Choice h, x;
            consider(c, i, cas_ok, &h, &x);
            if (h.bank >= 0 && h.seq < hit.seq) hit = h;
            if (x.bank >= 0 && !(ocmd == ACT && x.cmd == ACT && rank == o.rank) && x.seq < other.seq) other = x;
        }
        if (hit.bank >= 0) return run(hit);
        return other.bank >= 0 && run(other);
    }

    // 3. FR-FCFS: the oldest ready row hit; else the oldest ready ACT/PRE.
    Choice hit, other;
    for (int i = 0; i < (int)c.banks.size(); i++)
        if (!due(i / bpr_)) consider(c, i, true, &hit, &other);
    if (hit.bank >= 0) return run(hit);
    if (other.bank >= 0) return run(other);
    return false;
}

void DramCore::tick()
{
    for (Channel &c : ch_) {
        size_t n = 0;
        while (n < c.flight.size() && c.flight[n].finish <= now_) n++;
        for (size_t i = 0; i < n; i++) {
            const Flight &f = c.flight[i];
            outstanding_--;
            if (f.write) cnt_.writes++;
            else cnt_.reads++;
            if (on_done) on_done(f.id, (uint64_t)f.finish);
        }
        c.flight.erase(c.flight.begin(), c.flight.begin() + (std::ptrdiff_t)n);
    }
    for (int ch = 0; ch < d_.channels; ch++) schedule(ch);
    now_++;
}

}  // namespace pesim_sc
