/* cli/cmd_scalesim.c - `pesim scalesim --dataflow os|ws|is [--arch FILE]
 * [--workload FILE] [--layer NAME] [--json FILE]`: SCALE-Sim's compute cycles
 * of each layer on a systolic array, from the cycle engine with stall-free
 * memory on SCALE-Sim's own mapping (the layer's im2col GEMM), printed in
 * pesim's convention and in SCALE-Sim v2's (one cycle less per layer), so the
 * two tools line up (docs/engine.md, "SCALE-Sim compatibility"). */
#include <stdio.h>
#include <string.h>

#include "pesim/engine.h"
#include "pesim/model.h"

#include "cli.h"
#include "inputs.h"
#include "json.h"
#include "opts.h"
#include "output.h"

static const cli_usage usage = {
    "scalesim",
    "--dataflow os|ws|is [--arch FILE] [--workload FILE] [--layer NAME] [--json FILE]",
    "SCALE-Sim compatibility: maps each MAC layer as SCALE-Sim does (its im2col\n"
    "GEMM: M = output pixels, N = filters, K = filter height x width x channels;\n"
    "os puts M on the array's rows and N on its columns, ws K and N, is K and M)\n"
    "and runs the cycle engine with stall-free memory. The cycles follow SCALE-Sim's\n"
    "formulas: folds x (T + R + C - 2) for os, folds x (2R + C + T - 2) for ws and\n"
    "is. SCALE-Sim v2 reports one cycle less per layer; both are printed.",
    "--arch must have a systolic array level (default: configs/arch/tpu_32x32.cfg)\n"
    "whose PE level keeps the dataflow's stationary tensor. Exit status: 0 success,\n"
    "1 a layer cannot be mapped so, 2 bad usage or bad input.",
};

int cli_cmd_scalesim(int argc, char **argv)
{
    const char *dataflow = NULL, *json = NULL;
    cli_input_args in_args = {NULL, NULL, NULL, NULL};
    const cli_opt opts[] = {
        {"dataflow", "os|ws|is", "SCALE-Sim dataflow (required)", &dataflow, NULL},
        {"arch", "FILE", "architecture with a systolic array (default: tpu_32x32)", &in_args.arch, NULL},
        {"workload", "FILE", "network (default: workloads/resnet50.cfg)", &in_args.workload, NULL},
        {"layer", "NAME", "one layer only", &in_args.layer, NULL},
        {"json", "FILE", "machine-readable results ('-' = stdout)", &json, NULL},
        {NULL, NULL, NULL, NULL, NULL},
    };
    int pr = cli_parse(&usage, opts, argc, argv);
    if (pr == CLI_PARSE_HELP) return CLI_OK;
    if (pr != CLI_PARSE_OK) return CLI_USAGE;
    if (!dataflow || (strcmp(dataflow, "os") && strcmp(dataflow, "ws") && strcmp(dataflow, "is"))) {
        cli_error("scalesim: --dataflow must be os, ws or is");
        return CLI_USAGE;
    }
    if (!in_args.arch) in_args.arch = "configs/arch/tpu_32x32.cfg";
    cli_inputs in;
    int st = cli_inputs_load("scalesim", &in_args, &in);
    if (st != CLI_OK) {
        cli_inputs_free(&in);
        return st;
    }
    FILE *jf = NULL;
    json_writer jw;
    if (json) {
        jf = cli_open_out(json);
        if (!jf) {
            cli_inputs_free(&in);
            return CLI_USAGE;
        }
        json_init(&jw, jf);
        json_begin_object(&jw);
        json_kv_string(&jw, "dataflow", dataflow);
        json_key(&jw, "layers");
        json_begin_array(&jw);
    }
    int quiet = json && cli_is_stdout(json);
    int rows = 0, cols = 0, sys = -1; /* the systolic level's array */
    for (int lv = 1; lv < in.arch->n_levels && sys < 0; lv++)
        for (int t = 0; t < PESIM_NTENSORS; t++)
            if (in.arch->level[lv].noc[t].kind == PESIM_NOC_SYSTOLIC)
                rows = in.arch->level[lv].fanout_y, cols = in.arch->level[lv].fanout_x, sys = lv;
    /* SCALE-Sim's array holds the dataflow's stationary operand in its PE
     * registers: configure the PE level so (one word in each of the level's
     * tile slots, as the arch says) whatever the arch file chose for its own dataflow. */
    if (sys > 0) {
        /* and, like SCALE-Sim's, the array unrolls whichever GEMM dims the dataflow puts on it */
        in.arch->level[sys].spatial_x_dims = in.arch->level[sys].spatial_y_dims = (1u << PESIM_NDIMS) - 1;
        pesim_level *pe = &in.arch->level[sys - 1];
        int stat = !strcmp(dataflow, "os") ? PESIM_OUTPUTS : !strcmp(dataflow, "ws") ? PESIM_WEIGHTS : PESIM_INPUTS;
        for (int t = 0; t < PESIM_NTENSORS; t++) {
            pe->keeps[t] = t == stat;
            pe->tensor_capacity_words[t] = t == stat ? pesim_level_tile_slots(pe) : 0;
        }
    }
    if (!quiet)
        printf("SCALE-Sim %s on %s (%dx%d array), stall-free memory\n%-20s %8s %8s %8s %15s %15s\n", dataflow,
               in.arch->name, rows, cols, "layer", "M", "N", "K", "cycles", "scalesim_v2");
    int status = CLI_OK;
    int64_t total = 0, total_ss = 0;
    for (int32_t i = 0; i < in.net.n_layers; i++) {
        if (in.only >= 0 && i != in.only) continue;
        const pesim_layer *l = &in.net.layers[i];
        if (!pesim_layer_has_macs(l)) continue;
        pesim_layer g;
        pesim_mapping m;
        pesim_error e;
        pesim_error_clear(&e);
        if (pesim_mapper_scalesim(in.arch, l, dataflow, &g, &m, &e) != PESIM_OK) {
            cli_error("scalesim: layer %s: %s", l->name, e.msg);
            status = CLI_FAIL;
            break;
        }
        pesim_engine_options o;
        memset(&o, 0, sizeof o);
        o.stall_free = 1;
        pesim_cost c;
        if (pesim_engine_run(in.arch, &g, &m, &o, &c, NULL) != PESIM_OK || !c.valid) {
            cli_error("scalesim: layer %s: %s", l->name, c.reason);
            status = CLI_FAIL;
            break;
        }
        total += c.cycles, total_ss += c.cycles - 1;
        if (!quiet)
            printf("%-20s %8lld %8lld %8lld %15lld %15lld\n", l->name, (long long)g.dim[PESIM_DIM_P],
                   (long long)g.dim[PESIM_DIM_K], (long long)g.dim[PESIM_DIM_C], (long long)c.cycles,
                   (long long)(c.cycles - 1));
        if (json) {
            json_begin_object(&jw);
            json_kv_string(&jw, "name", l->name);
            json_kv_int(&jw, "M", g.dim[PESIM_DIM_P]);
            json_kv_int(&jw, "N", g.dim[PESIM_DIM_K]);
            json_kv_int(&jw, "K", g.dim[PESIM_DIM_C]);
            json_kv_int(&jw, "cycles", c.cycles);
            json_kv_int(&jw, "scalesim_v2_cycles", c.cycles - 1);
            json_end_object(&jw);
        }
    }
    if (!quiet && status == CLI_OK)
        printf("%-20s %8s %8s %8s %15lld %15lld\n", "total", "", "", "", (long long)total, (long long)total_ss);
    if (json) {
        json_end_array(&jw);
        json_key(&jw, "total");
        json_begin_object(&jw);
        json_kv_int(&jw, "cycles", total);
        json_kv_int(&jw, "scalesim_v2_cycles", total_ss);
        json_end_object(&jw);
        json_end_object(&jw);
        fputc('\n', jf);
        if (cli_close_out(jf, json) != 0 && status == CLI_OK) status = CLI_USAGE;
    }
    cli_inputs_free(&in);
    return status;
}
