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
    count_[F_RO] = o.rows_per_bank;
    count_[F_RA] = d.ranks;
    count_[F_BG] = d.bankgroups;
    count_[F_BA] = d.banks_per_group;
    count_[F_CH] = d.channels;
    count_[F_CO] = d.row_bytes / (int64_t)burst_;
    // The map names the fields most significant first; keep them least first.
    // (The caller passes a valid map: the engine's own default.)
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
        for (int r = 0; r < d.ranks; r++)
            c.ranks[(size_t)r].refresh_due =
                o.refresh ? (int64_t)d.tREFI + (int64_t)r * d.tREFI / d.ranks : INT64_MAX;
        c.queue.reserve((size_t)o.queue_depth);
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
    return ch_[(size_t)decode(addr).channel].queue.size() < (size_t)o_.queue_depth;
}

void DramCore::add(uint64_t addr, bool is_write, uint64_t id)
{
    DramCoord c = decode(addr);
    Req r;
    r.id = id;
    r.arrival = now_;
    r.row = c.row;
    r.column = c.column;
    r.rank = c.rank;
    r.bank = (c.rank * d_.bankgroups + c.bankgroup) * d_.banks_per_group + c.bank;
    r.write = is_write;
    ch_[(size_t)c.channel].queue.push_back(r);
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

// ACT: tRRD_S/L to every bank of the rank, tFAW over the rank's last four
// ACTs, tRC/tRCD/tRAS to the bank itself, tRC before the rank's next REF.
void DramCore::act(int ch, int bank, Req *r)
{
    Channel &c = ch_[(size_t)ch];
    Bank &b = c.banks[(size_t)bank];
    int rank = bank / bpr_, bg = (bank % bpr_) / d_.banks_per_group;
    Rank &rk = c.ranks[(size_t)rank];
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
    b.row = -1;
    c.ranks[(size_t)rank].open--;
    raise(b.earliest[ACT], now_ + d_.tRP);
    raise(c.ranks[(size_t)rank].ref_earliest, now_ + d_.tRP);
    cnt_.pre++;
    if (r) r->did_pre = true;
    emit(ch, DRAM_PRE, rank, bank, -1, -1, r ? r->id : UINT64_MAX);
}

// RD/WR: the column-to-column rules of the table on every bank of the
// channel, tRTP / write recovery to the bank itself; the data is done
// CL (CWL) + BL/2 later.
void DramCore::cas(int ch, size_t qi)
{
    Channel &c = ch_[(size_t)ch];
    Req r = c.queue[qi];
    Bank &b = c.banks[(size_t)r.bank];
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
    int64_t finish = now_ + (r.write ? d_.CWL : d_.CL) + bl2;
    c.flight.push_back(Flight{r.id, finish, r.write});
    c.queue.erase(c.queue.begin() + (std::ptrdiff_t)qi);
    emit(ch, r.write ? DRAM_WR : DRAM_RD, r.rank, r.bank, r.row, r.column, r.id);
    if (on_cas) on_cas(r.id, (uint64_t)finish);
}

void DramCore::ref(int ch, int rank)
{
    Channel &c = ch_[(size_t)ch];
    Rank &rk = c.ranks[(size_t)rank];
    for (int i = 0; i < bpr_; i++) raise(c.banks[(size_t)(rank * bpr_ + i)].earliest[ACT], now_ + d_.tRFC);
    raise(rk.ref_earliest, now_ + d_.tRFC);
    rk.refresh_due += d_.tREFI;  // on the tREFI grid, however late this one was
    cnt_.ref++;
    emit(ch, DRAM_REF, rank, -1, -1, -1, UINT64_MAX);
}

bool DramCore::schedule(int chi)
{
    Channel &c = ch_[(size_t)chi];
    // 1. Refresh: a due rank closes its banks (in bank order, as their PRE
    //    becomes legal), then takes REF; it serves no request meanwhile.
    uint64_t refreshing = 0;  // bit r: rank r is due (ranks <= 64, checked by pesim_dram_check)
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
    if (c.queue.empty()) return false;

    // 2. FCFS: the oldest request's next command, when it is legal.
    if (o_.fcfs) {
        Req &r = c.queue.front();
        if (refreshing >> r.rank & 1) return false;
        Bank &b = c.banks[(size_t)r.bank];
        int cmd = b.row == r.row ? (r.write ? WR : RD) : b.row < 0 ? ACT : PRE;
        if (b.earliest[cmd] > now_) return false;
        if (cmd == ACT) act(chi, r.bank, &r);
        else if (cmd == PRE) pre(chi, r.bank, &r);
        else cas(chi, 0);
        return true;
    }

    // 3. FR-FCFS: the oldest ready row hit; else the oldest ready ACT/PRE.
    //    A PRE waits while queued requests hit the open row; once a bank has
    //    served row_hit_cap column accesses, its hits no longer pass an older
    //    request for another row of it, and its PRE is no longer held.
    const int cap = o_.row_hit_cap < 0 ? INT32_MAX : o_.row_hit_cap;
    for (Bank &b : c.banks) b.queued_hits = 0, b.older_conflict = false;
    for (const Req &r : c.queue)
        if (c.banks[(size_t)r.bank].row == r.row) c.banks[(size_t)r.bank].queued_hits++;
    long other = -1;
    int other_cmd = ACT;
    for (size_t i = 0; i < c.queue.size(); i++) {
        Req &r = c.queue[i];
        if (refreshing >> r.rank & 1) continue;
        Bank &b = c.banks[(size_t)r.bank];
        if (b.row == r.row) {
            if (b.cas >= cap && b.older_conflict) continue;
            if (b.earliest[r.write ? WR : RD] <= now_) {
                cas(chi, i);
                return true;
            }
            continue;
        }
        int cmd = ACT;
        if (b.row >= 0) {
            b.older_conflict = true;
            if (b.queued_hits > 0 && b.cas < cap) continue;
            cmd = PRE;
        }
        if (other < 0 && b.earliest[cmd] <= now_) other = (long)i, other_cmd = cmd;
    }
    if (other < 0) return false;
    Req &r = c.queue[(size_t)other];
    if (other_cmd == ACT) act(chi, r.bank, &r);
    else pre(chi, r.bank, &r);
    return true;
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
