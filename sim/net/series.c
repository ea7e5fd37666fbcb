/* series.c - the DRAM traffic of a network run binned over time
 * (pesim_net_dram_series, pesim/net.h). */
#include <string.h>

#include "pesim/net.h"

int32_t pesim_net_dram_series(const pesim_net *n, const pesim_net_result *r, int32_t n_bins,
                              pesim_net_dram_bin *out)
{
    if (!n || !r || !out || n_bins < 1 || !r->valid || r->cycles <= 0) return 0;
    const pesim_arch *a = pesim_net_arch(n);
    int top = a->n_levels - 1;
    int64_t width = (r->cycles + n_bins - 1) / n_bins;
    int32_t nb = (int32_t)((r->cycles + width - 1) / width);
    for (int32_t b = 0; b < nb; b++) {
        memset(&out[b], 0, sizeof out[b]);
        out[b].start_cycle = (int64_t)b * width;
        out[b].end_cycle = b + 1 < nb ? (int64_t)(b + 1) * width : r->cycles;
    }
    for (int32_t i = 0; i < r->n_layers; i++) {
        const pesim_net_layer *ly = &r->layer[i];
        double rd = 0, wr = 0;
        for (int t = 0; t < PESIM_NTENSORS; t++) {
            rd += (double)ly->cost.access[top][t].reads;
            wr += (double)ly->cost.access[top][t].fills + (double)ly->cost.access[top][t].updates;
        }
        if (rd == 0 && wr == 0) continue;
        int64_t s = ly->start_cycle < 0 ? 0 : ly->start_cycle, e = ly->end_cycle;
        if (s >= r->cycles) s = r->cycles - 1;
        if (e > r->cycles) e = r->cycles;
        if (e <= s) { /* no span: all of it where it starts */
            int32_t b = (int32_t)(s / width);
            out[b].read_words += rd, out[b].write_words += wr;
            continue;
        }
        double span = (double)(e - s);
        for (int32_t b = (int32_t)(s / width); b < nb && out[b].start_cycle < e; b++) {
            int64_t lo = s > out[b].start_cycle ? s : out[b].start_cycle;
            int64_t hi = e < out[b].end_cycle ? e : out[b].end_cycle;
            double share = (double)(hi - lo) / span;
            out[b].read_words += rd * share, out[b].write_words += wr * share;
        }
    }
    return nb;
}
