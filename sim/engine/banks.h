/* banks.h - bank conflicts between a level's read stream and write stream
 * (docs/engine.md, "Banks").
 *
 * A level of B >= 2 banks interleaves its address space by lines (a line is
 * the level's block of `block_words` words, one word by default): line k is
 * in bank k mod B. A stream (the words one transfer moves through one side of
 * the level) makes one access a cycle; an access of width n lines covers an
 * aligned group of n consecutive lines, group g being lines g*n .. g*n + n - 1,
 * i.e. banks (g*n + i) mod B for i < n, and consecutive accesses take
 * consecutive groups. Two accesses in one cycle conflict when they share a
 * bank. The arbitration is a fixed priority: the older stream (the one the
 * level granted first) wins every conflict and never waits; the younger one
 * loses the cycle and retries the same access the next cycle.
 *
 * Alignment is what keeps the younger stream from being locked out. Word
 * interleaving without it (an access of n lines at any line offset) can
 * collide on every cycle: with B = 4, an older stream of width 2 on banks
 * {0,1}, {2,3}, {0,1}, ... meets a younger one stalled on {1,2} every cycle.
 * With aligned groups, widths that divide B and one of which divides the
 * other (powers of two below B), the narrower stream's group lies inside one
 * of the wider one's, and the older stream moves to another group every
 * cycle: a stalled younger stream loses at most max(1, n_y / n_o) cycles in
 * a row (n_y, n_o its and the older one's widths) while n_o + n_y <= B. When
 * the widths cover more than B banks together every cycle conflicts, and the
 * younger stream waits for the older one to end, as a fixed priority does.
 *
 * The one exception to the priority by age is the MAC array's reads and
 * updates of one block, granted together: a level's `arbitration` picks
 * between those two (pesim_banks_pair).
 *
 * The functions are pure: no state, no allocation. */
#ifndef PESIM_ENGINE_BANKS_H
#define PESIM_ENGINE_BANKS_H

#include <stdint.h>

#include "pesim/arch.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One stream: `accesses` accesses (cycles when it never loses) of
 * `width_lines` lines each (1 .. banks), the first on group `first_group`
 * (any integer >= 0: the aligned group holding the stream's first line,
 * floor(line / width_lines)). */
typedef struct pesim_bank_stream {
    int64_t accesses;
    int64_t first_group;
    int32_t width_lines;
} pesim_bank_stream;

/* Lines an access of a side moving `words_per_cycle` words a cycle (0 =
 * unlimited: no stream) covers, in lines of `line_words` words (0 or 1: one
 * word): ceil(words_per_cycle / line_words), at least 1, at most `banks`. */
int32_t pesim_banks_width_lines(double words_per_cycle, int32_t line_words, int32_t banks);

/* Banks of an access: 1 if the access of stream `s` with index `k` (its k-th
 * access, from 0) and the access of stream `o` with index `j` share a bank of
 * the `banks` banks. */
int pesim_banks_conflict(int32_t banks, const pesim_bank_stream *s, int64_t k, const pesim_bank_stream *o,
                         int64_t j);

/* The cycle the younger stream `y` ends (the cycle after its last access),
 * when it may access from cycle `y_start` on and the older stream `o` makes
 * its accesses on the cycles end_o - o->accesses .. end_o - 1 (one a cycle,
 * never losing: the older one's conflicts, if any, were with streams that
 * ended before y_start). The younger stream loses every cycle on which its
 * pending access conflicts with the older one's access of that cycle.
 * Computed by iterating the joint state (the two streams' groups modulo their
 * periods in the bank ring) until it repeats and jumping over whole periods:
 * the cost is at most a few times B^2 cycles of simulation, whatever the
 * streams' lengths. *lost_cycles (may be NULL) gets the cycles the younger
 * stream lost. banks < 2 or an empty stream: no conflict. */
int64_t pesim_banks_younger_end(int32_t banks, const pesim_bank_stream *o, int64_t end_o, const pesim_bank_stream *y,
                                int64_t y_start, int64_t *lost_cycles);

/* The MAC array's reads and updates of one block (docs/engine.md "Banks",
 * "Arbitration"): both streams may access from cycle `start`, and no other
 * stream of the level is active from then on (the block waited for both of
 * its sides). On a cycle where their pending accesses share a bank, `policy`
 * picks the one that goes: the reads (PESIM_ARB_READS_FIRST), the updates
 * (PESIM_ARB_UPDATES_FIRST), or, PESIM_ARB_ROUND_ROBIN, the one that lost the
 * previous such conflict of the pair (the reads go on the first); the other
 * loses the cycle and retries the same access. end[0] / end[1] get the cycle
 * after the reads' / the updates' last access (start for an empty stream),
 * lost[0] / lost[1] the cycles each lost. A fixed priority is
 * pesim_banks_younger_end of the loser against the winner; round robin
 * iterates the joint state (both groups modulo their periods and the turn)
 * until it repeats and jumps over whole periods: at most a few times 2 B^2
 * cycles of simulation, whatever the lengths. */
void pesim_banks_pair(int32_t banks, pesim_arbitration policy, const pesim_bank_stream *reads,
                      const pesim_bank_stream *updates, int64_t start, int64_t end[2], int64_t lost[2]);

#ifdef __cplusplus
}
#endif

#endif
