/* cli/info_workload.c - `pesim info --workload`: per-layer shapes, MACs and
 * tensor sizes, as a table, JSON and CSV. Dims are the model's (pesim/
 * workload.h): K and C per group, G the groups (or the batch of a matmul). */
#include <inttypes.h>
#include <string.h>

#include "pesim/workload.h"

#include "info.h"
#include "json.h"
#include "output.h"

/* Tensor words of any layer: MAC layers have all three tensors; pool, add and
 * concat have only an output (their inputs are their producers' outputs). */
static int64_t words(const pesim_layer *l, pesim_tensor t)
{
    if (pesim_layer_has_macs(l))
        return pesim_layer_tensor_words(l, t);
    return t == PESIM_OUTPUTS ? pesim_layer_output_words(l) : 0;
}

typedef struct totals {
    int32_t mac_layers;
    int64_t macs, words[PESIM_NTENSORS];
} totals;

static totals sum(const pesim_network *net)
{
    totals t;
    memset(&t, 0, sizeof t);
    for (int32_t i = 0; i < net->n_layers; i++) {
        const pesim_layer *l = &net->layers[i];
        t.mac_layers += pesim_layer_has_macs(l) != 0;
        for (int k = 0; k < PESIM_NTENSORS; k++)
            t.words[k] += words(l, (pesim_tensor)k);
    }
    t.macs = pesim_network_macs(net);
    return t;
}

void cli_info_workload_text(const pesim_network *net, const char *path, FILE *f)
{
    if (!f)
        return;
    totals t = sum(net);
    char b[4][32];
    fprintf(f, "workload %s: %s MACs in %" PRId32 " MAC layers (%" PRId32 " layers)\n",
            net->name, cli_fmt_count(t.macs, b[0], sizeof b[0]), t.mac_layers, net->n_layers);
    fprintf(f, "  file    %s\n", path);
    if (net->source[0])
        fprintf(f, "  source  %s\n", net->source);
    fprintf(f, "  input   N=%" PRId64 " C=%" PRId64 " H=%" PRId64 " W=%" PRId64 "\n\n",
            net->input_n, net->input_c, net->input_h, net->input_w);

    int w = 5;
    for (int32_t i = 0; i < net->n_layers; i++) {
        int len = (int)strlen(net->layers[i].name);
        if (len > w) w = len;
    }
    fprintf(f, "%-*s  %-6s %4s %5s %5s %5s %5s %3s %3s %5s %-6s %15s %12s %12s %12s\n", w,
            "layer", "type", "N", "K", "C", "P", "Q", "R", "S", "G", "stride", "MACs",
            "weights", "inputs", "outputs");
    for (int32_t i = 0; i < net->n_layers; i++) {
        const pesim_layer *l = &net->layers[i];
        const int64_t *d = l->dim;
        char stride[24];
        snprintf(stride, sizeof stride, "%" PRId32 "x%" PRId32, l->stride_h, l->stride_w);
        fprintf(f, "%-*s  %-6s %4" PRId64 " %5" PRId64 " %5" PRId64 " %5" PRId64 " %5" PRId64
                   " %3" PRId64 " %3" PRId64 " %5" PRId64 " %-6s %15s",
                w, l->name, pesim_op_name(l->op), d[PESIM_DIM_N], d[PESIM_DIM_K],
                d[PESIM_DIM_C], d[PESIM_DIM_P], d[PESIM_DIM_Q], d[PESIM_DIM_R], d[PESIM_DIM_S],
                d[PESIM_DIM_G], stride, cli_fmt_count(pesim_layer_macs(l), b[0], sizeof b[0]));
        for (int k = 0; k < PESIM_NTENSORS; k++) {
            int64_t v = words(l, (pesim_tensor)k);
            fprintf(f, " %12s", v || k == PESIM_OUTPUTS ? cli_fmt_count(v, b[1], sizeof b[1]) : "-");
        }
        fputc('\n', f);
    }
    fprintf(f, "%-*s  %-6s %4s %5s %5s %5s %5s %3s %3s %5s %-6s %15s %12s %12s %12s\n", w,
            "total", "", "", "", "", "", "", "", "", "", "", cli_fmt_count(t.macs, b[0], 32),
            cli_fmt_count(t.words[0], b[1], 32), cli_fmt_count(t.words[1], b[2], 32),
            cli_fmt_count(t.words[2], b[3], 32));
    fputs("\nK and C are per group; G is the groups (the batch of a matmul); tensor sizes in "
          "words.\n", f);
}

static void shape_json(json_writer *w, const pesim_layer *l)
{
    static const char *const keys[PESIM_NDIMS] = {"groups", "n", "k", "c", "p", "q", "r", "s"};
    for (int d = 0; d < PESIM_NDIMS; d++)
        json_kv_int(w, keys[d], l->dim[d]);
    const int32_t pairs[3][2] = {{l->stride_h, l->stride_w}, {l->pad_h, l->pad_w},
                                 {l->dilation_h, l->dilation_w}};
    static const char *const names[3] = {"stride", "pad", "dilation"};
    for (int k = 0; k < 3; k++) {
        json_key(w, names[k]);
        json_begin_array(w);
        json_int(w, pairs[k][0]);
        json_int(w, pairs[k][1]);
        json_end_array(w);
    }
}

void cli_info_workload_json(const pesim_network *net, const char *path, FILE *f)
{
    json_writer w;
    json_init(&w, f);
    totals t = sum(net);
    json_begin_object(&w);
    json_kv_string(&w, "workload", net->name);
    json_kv_string(&w, "file", path);
    json_kv_string(&w, "source", net->source[0] ? net->source : NULL);
    json_key(&w, "layers");
    json_begin_array(&w);
    for (int32_t i = 0; i < net->n_layers; i++) {
        const pesim_layer *l = &net->layers[i];
        json_begin_object(&w);
        json_kv_string(&w, "name", l->name);
        json_kv_string(&w, "type", pesim_op_name(l->op));
        shape_json(&w, l);
        json_kv_int(&w, "macs", pesim_layer_macs(l));
        json_kv_int(&w, "weight_words", words(l, PESIM_WEIGHTS));
        json_kv_int(&w, "input_words", words(l, PESIM_INPUTS));
        json_kv_int(&w, "output_words", words(l, PESIM_OUTPUTS));
        json_end_object(&w);
    }
    json_end_array(&w);
    json_key(&w, "total");
    json_begin_object(&w);
    json_kv_int(&w, "layers", net->n_layers);
    json_kv_int(&w, "mac_layers", t.mac_layers);
    json_kv_int(&w, "macs", t.macs);
    json_kv_int(&w, "weight_words", t.words[PESIM_WEIGHTS]);
    json_kv_int(&w, "input_words", t.words[PESIM_INPUTS]);
    json_kv_int(&w, "output_words", t.words[PESIM_OUTPUTS]);
    json_end_object(&w);
    json_end_object(&w);
}

void cli_info_workload_csv(const pesim_network *net, FILE *f)
{
    fputs("layer,type,groups,n,k,c,p,q,r,s,stride_h,stride_w,pad_h,pad_w,dilation_h,"
          "dilation_w,macs,weight_words,input_words,output_words\n", f);
    for (int32_t i = 0; i < net->n_layers; i++) {
        const pesim_layer *l = &net->layers[i];
        cli_csv_field(f, l->name);
        fprintf(f, ",%s", pesim_op_name(l->op));
        for (int d = 0; d < PESIM_NDIMS; d++)
            fprintf(f, ",%" PRId64, l->dim[d]);
        fprintf(f, ",%" PRId32 ",%" PRId32 ",%" PRId32 ",%" PRId32 ",%" PRId32 ",%" PRId32,
                l->stride_h, l->stride_w, l->pad_h, l->pad_w, l->dilation_h, l->dilation_w);
        fprintf(f, ",%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64 "\n", pesim_layer_macs(l),
                words(l, PESIM_WEIGHTS), words(l, PESIM_INPUTS), words(l, PESIM_OUTPUTS));
    }
}
