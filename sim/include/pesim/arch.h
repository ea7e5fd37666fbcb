/* pesim/arch.h - an accelerator: storage levels from the PE register files up to
 * DRAM, the spatial fan-out between them, the on-chip networks and DRAM timing.
 *
 * Levels are ordered innermost first: level[0] is the storage next to the MACs
 * (a PE register file), level[n_levels-1] is the outermost (usually DRAM).
 * Each level has fanout_x * fanout_y children: the children of level 0 are MAC
 * units (vector lanes of one PE), the children of level L > 0 are instances of
 * level L-1. So level L has prod_{l > L} fanout(l) instances, and the machine
 * has prod_l fanout(l) MAC units. A 12x14 PE array under a global buffer is
 * `fanout_x = 14; fanout_y = 12;` on the global buffer level. */
#ifndef PESIM_ARCH_H
#define PESIM_ARCH_H

#include <stdint.h>
#include "pesim/status.h"
#include "pesim/workload.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Storage levels an arch may have. 12 holds a Timeloop design that gives each
 * fan-out its own dummy level (simba_like has 9 storage levels). */
#define PESIM_MAX_LEVELS 12

/* The network that carries one tensor between a level and its children. */
typedef enum pesim_noc_kind {
    PESIM_NOC_BUS = 0,    /* multicast/broadcast bus: one read feeds all children that need it */
    PESIM_NOC_SYSTOLIC,   /* neighbour forwarding along X (inputs/weights) or Y (outputs), one hop a cycle */
    PESIM_NOC_UNICAST,    /* point to point: one word per child per transfer */
    PESIM_NOC_MESH,       /* 2-D mesh of the children entered at a corner: one copy per child, routed X
                           * then Y, words_per_cycle per link, one hop a cycle (docs/engine.md) */
    PESIM_NOC_KIND_COUNT
} pesim_noc_kind;

typedef enum pesim_reduce_kind {
    PESIM_REDUCE_TREE = 0,   /* adder tree: log2(children) cycles of latency */
    PESIM_REDUCE_SYSTOLIC,   /* partial sums accumulate hop by hop */
    PESIM_REDUCE_NONE,       /* no in-network reduction: spatial reduction is invalid */
    PESIM_REDUCE_KIND_COUNT
} pesim_reduce_kind;

typedef struct pesim_noc {
    pesim_noc_kind kind;
    pesim_reduce_kind reduce;   /* used for outputs */
    double words_per_cycle;     /* words the network injects per cycle (0 = unlimited) */
    double hop_energy_pj;       /* per word per hop (pesim_cost.noc_word_hops counts the hops) */
} pesim_noc;

/* How the cycle evaluators lay tensors out in DRAM (docs/engine.md, "DRAM
 * address layout"): tile after tile in each tensor's region (tile-major, the
 * default), or each tensor dense and row-major in a declared dimension order,
 * a transfer reading the bursts its tile's box covers. */
typedef enum pesim_dram_layout_kind {
    PESIM_DRAM_TILE_MAJOR = 0,
    PESIM_DRAM_ROW_MAJOR,
    PESIM_DRAM_LAYOUT_COUNT
} pesim_dram_layout_kind;

/* The row-major dimension order, outermost first: activations NHWC with
 * weights KRSC (the default), or activations NCHW with weights KCRS. */
typedef enum pesim_dram_order {
    PESIM_DRAM_NHWC = 0,
    PESIM_DRAM_NCHW,
    PESIM_DRAM_ORDER_COUNT
} pesim_dram_order;

/* Arbitration of a banked level (banks >= 2) between the MAC array's reads
 * and its updates of one block when their accesses of a cycle share a bank
 * (docs/engine.md "Banks"): the reads go (the default), the updates go, or
 * they take turns, the reads first (the side that lost the block's previous
 * such conflict goes). Streams of different program points keep the fixed
 * priority by age whatever the policy. */
typedef enum pesim_arbitration {
    PESIM_ARB_READS_FIRST = 0,
    PESIM_ARB_UPDATES_FIRST,
    PESIM_ARB_ROUND_ROBIN,
    PESIM_ARB_COUNT
} pesim_arbitration;

/* DRAM organisation and JEDEC timing, in DRAM clock cycles (tCK), and the
 * device currents of the IDD power model (sim/estimate, docs/estimate.md). */
typedef struct pesim_dram {
    char preset[32];            /* "ddr4-3200", "ddr3-1600", "lpddr4-2400", "hbm2" or "" (custom) */
    double tck_ns;
    int32_t CL, CWL, tRCD, tRP, tRAS, tRC;
    int32_t BL;                 /* burst length in beats (bus cycles = BL/2) */
    int32_t tCCD_S, tCCD_L, tRRD_S, tRRD_L, tFAW;
    int32_t tWTR_S, tWTR_L, tWR, tRTP, tRTRS;
    int32_t tRFC, tREFI;
    int32_t channels, ranks, bankgroups, banks_per_group;
    int32_t bus_bits;           /* data bus width of one channel */
    int64_t row_bytes;          /* row (page) size */
    /* Power, per device as DRAMsim3's [power] section (0 = unset): a rank is
     * bus_bits / device_bits devices. Currents in mA, supply in V. */
    int32_t device_bits;        /* data width of one device (x8, x16, ...) */
    double vdd_v;
    double idd0_ma, idd2n_ma, idd3n_ma, idd4r_ma, idd4w_ma, idd5ab_ma;
    /* The DMA engine in front of the controller: read transfers it keeps in
     * flight (0 or 1: one, the next is issued once the previous one's data is
     * in; the cycle engine, docs/engine.md "DRAM"). */
    int32_t reads_in_flight;
    int32_t layout;             /* pesim_dram_layout_kind (0: tile-major) */
    int32_t order;              /* pesim_dram_order of a row-major layout (0: NHWC / KRSC) */
    /* I/O and termination energy per data bit transferred (0 = none): the
     * DRAM's drivers and on-die termination, outside the IDD model
     * (docs/estimate.md "I/O and termination"; presets cite their source). */
    double io_read_pj_per_bit, io_write_pj_per_bit;
} pesim_dram;

typedef struct pesim_level {
    char name[PESIM_NAME_MAX];
    int32_t is_dram;                    /* 1: timing from .dram */
    uint8_t keeps[PESIM_NTENSORS];      /* 1 if the level may hold the tensor */
    int64_t capacity_words;             /* per instance, shared by the tensors it keeps; 0 = unbounded */
    int64_t tensor_capacity_words[PESIM_NTENSORS]; /* per-tensor partition; 0 = use the shared capacity */
    int32_t fanout_x, fanout_y;         /* children per instance */
    uint32_t spatial_x_dims, spatial_y_dims; /* bit (1<<dim) set: dim may be unrolled on X / Y */
    int32_t banks;                      /* >= 1 */
    int32_t ports;                      /* per instance: `ports` read and `ports` write ports
                                         * (one shared port when banks * ports < 2), >= 1 */
    double read_words_per_cycle;        /* per read port (0 = unlimited) */
    double write_words_per_cycle;       /* per write port (0 = unlimited) */
    int32_t latency_cycles;             /* access latency */
    double read_energy_pj;              /* per word */
    double write_energy_pj;             /* per word (fills and updates) */
    double leak_pj_per_cycle;           /* per instance */
    double area_um2;                    /* per instance */
    int32_t tile_slots;                 /* tiles of each kept tensor held at once (0 or 1: one;
                                         * 2: double buffering; N: N virtual threads, LOAD up to
                                         * N - 1 tiles ahead of COMPUTE; at most PESIM_TILE_SLOTS_MAX).
                                         * Read it through pesim_level_tile_slots. */
    int32_t sliding_reuse;              /* 1: keeps the overlap of consecutive input tiles */
    pesim_noc noc[PESIM_NTENSORS];      /* network to the children, per tensor */
    pesim_dram dram;                    /* when is_dram */
    int32_t line;                       /* config line (0 = none) */
    uint32_t estimated;                 /* PESIM_EST_* bits: fields the estimator filled (0 = all given) */
    int32_t block_words;                /* words per access vector (0 or 1: one word); "timeloop"
                                         * conventions charge a partial vector as a whole one */
    int32_t arbitration;                /* pesim_arbitration of a banked level (0: reads first);
                                         * beside block_words, in what was padding */
    int32_t word_bits;                  /* bits of this level's words, [1, 64]; 0 = the arch's word_bits.
                                         * Capacities, rates and per-access energies are in these words;
                                         * a DRAM level and the outermost level have the arch's. Read it
                                         * through pesim_level_word_bits */
    double reduce_energy_pj;            /* per addition of the outputs' spatial reduction in this level's
                                         * network (pesim_cost.noc_spatial_reductions): its adder tree */
    double reduce_area_um2;             /* per instance: the outputs network's adder tree (reduce "tree":
                                         * pesim_arch_fanin(outputs) - 1 adders; 0 otherwise) */
    int32_t cluster_size;               /* instances that form one cluster, one wide memory accessed as
                                         * a whole (Timeloop's cluster-size; 0 or 1: none). Only with
                                         * "timeloop" conventions, which charge a level's accesses once
                                         * per utilized cluster (pesim_cost_access_energy_pj); divides
                                         * the level's instances; not on a DRAM level */
} pesim_level;

/* Bits of pesim_level.estimated and pesim_arch.estimated: the field was left
 * unset in the config and holds the estimator's value (sim/estimate). */
#define PESIM_EST_READ_ENERGY 0x01u     /* read_energy_pj */
#define PESIM_EST_WRITE_ENERGY 0x02u    /* write_energy_pj */
#define PESIM_EST_LEAK 0x04u            /* leak_pj_per_cycle */
#define PESIM_EST_AREA 0x08u            /* area_um2 */
#define PESIM_EST_HOP(t) (0x10u << (t)) /* noc[t].hop_energy_pj */
#define PESIM_EST_REDUCE 0x80u          /* reduce_energy_pj */
#define PESIM_EST_REDUCE_AREA 0x100u    /* reduce_area_um2 */
#define PESIM_EST_MAC_ENERGY 0x01u      /* pesim_arch: mac_energy_pj */
#define PESIM_EST_MAC_LEAK 0x04u        /* pesim_arch: mac_leak_pj_per_cycle */
#define PESIM_EST_MAC_AREA 0x08u        /* pesim_arch: mac_area_um2 */
#define PESIM_EST_VECTOR_ENERGY 0x10u   /* pesim_arch: vector.energy_pj_per_op */
#define PESIM_EST_VECTOR_AREA 0x20u     /* pesim_arch: vector.area_um2 */
#define PESIM_EST_VECTOR_LEAK 0x40u     /* pesim_arch: vector.leak_pj_per_cycle */

/* Operand type of the MAC units (their cost, docs/estimate.md). */
typedef enum pesim_operand {
    PESIM_OPERAND_DEFAULT = 0,  /* from word_bits: int8 up to 8 bits, int16 up to 16, else fp32 */
    PESIM_OPERAND_INT8,
    PESIM_OPERAND_INT16,
    PESIM_OPERAND_FP16,
    PESIM_OPERAND_BF16,
    PESIM_OPERAND_FP32,
    PESIM_OPERAND_COUNT
} pesim_operand;

/* Counting conventions (docs/model.md): "pesim" follows what the hardware
 * does; "timeloop" reproduces Timeloop's counts (v3's, or with
 * pesim_arch.first_read_elision a current Timeloop's). */
typedef enum pesim_conventions {
    PESIM_CONV_PESIM = 0,
    PESIM_CONV_TIMELOOP,
    PESIM_CONV_COUNT
} pesim_conventions;

/* The vector unit that runs the layers without MACs (pool, add, concat, act,
 * softmax, layernorm) and fused activations (docs/network.md). One unit per
 * instance of `level`: it reads its operands from that level and writes its
 * results there, lanes x ops_per_cycle element operations a cycle. An arch
 * without one has lanes == 0. energy_pj_per_op and area_um2 left out of a
 * config are estimated (pesim_arch.estimated, PESIM_EST_VECTOR_*). */
typedef struct pesim_vector {
    int32_t level;               /* arch level index */
    int32_t lanes;               /* >= 1; 0 = no vector unit */
    double ops_per_cycle;        /* per lane, > 0 */
    int32_t latency_cycles;      /* pipeline depth, >= 0 */
    double energy_pj_per_op;     /* per element operation */
    double area_um2;             /* per unit (per instance of level) */
    double leak_pj_per_cycle;    /* per unit, charged over every cycle */
} pesim_vector;

typedef struct pesim_arch {
    char name[PESIM_NAME_MAX];
    char source[PESIM_SOURCE_MAX];      /* citation of the parameters */
    char dataflow[16];                  /* default-mapper hint: "ws","os","is","rs","nvdla","any" ("" = "any") */
    int32_t conventions;                /* pesim_conventions */
    int32_t first_read_elision;         /* 1: with "timeloop", a child's first visit of an output
                                         * word is not a fill (Timeloop's first-read elision, the
                                         * default of a current Timeloop); 0 with "pesim" */
    int32_t word_bits;                  /* the operands' width (MACs, DRAM, the evaluators' bytes per
                                         * word); a level may hold wider words (pesim_level.word_bits) */
    double clock_mhz;
    int32_t mac_latency_cycles;         /* MAC pipeline depth */
    double mac_energy_pj;               /* per MAC */
    double mac_area_um2;                /* per MAC unit */
    int32_t tech_nm;                    /* technology node of the estimates (0 = 45) */
    int32_t mac_operand;                /* pesim_operand of the MAC units */
    double mac_leak_pj_per_cycle;       /* per MAC unit */
    uint32_t estimated;                 /* PESIM_EST_MAC_* and PESIM_EST_VECTOR_* bits */
    int32_t n_levels;
    pesim_level level[PESIM_MAX_LEVELS];
    pesim_vector vector;                /* lanes == 0: none */
} pesim_arch;

const char *pesim_noc_kind_name(pesim_noc_kind k);
int pesim_noc_kind_parse(const char *s);          /* -1 if unknown */
const char *pesim_reduce_kind_name(pesim_reduce_kind k);
int pesim_reduce_kind_parse(const char *s);       /* -1 if unknown */
const char *pesim_dram_layout_name(pesim_dram_layout_kind k); /* "tile_major", "row_major" */
int pesim_dram_layout_parse(const char *s);       /* -1 if unknown */
const char *pesim_dram_order_name(pesim_dram_order o);       /* "nhwc", "nchw" */
int pesim_dram_order_parse(const char *s);        /* -1 if unknown */
const char *pesim_arbitration_name(pesim_arbitration p); /* "reads_first", "updates_first", "round_robin" */
int pesim_arbitration_parse(const char *s);       /* -1 if unknown */
const char *pesim_conventions_name(pesim_conventions c);  /* "pesim", "timeloop" */
int pesim_conventions_parse(const char *s);       /* -1 if unknown */
const char *pesim_operand_name(pesim_operand o);  /* "int8", ...; "default" for PESIM_OPERAND_DEFAULT */
int pesim_operand_parse(const char *s);           /* -1 if unknown ("default" is not accepted) */
/* The operand type the MAC units have: mac_operand, or the default from word_bits. */
pesim_operand pesim_arch_operand(const pesim_arch *a);

/* Instances of level L (product of the fan-outs above it). */
int64_t pesim_arch_instances(const pesim_arch *a, int level);

/* MAC units of the machine (product of all fan-outs). */
int64_t pesim_arch_macs(const pesim_arch *a);

/* Bytes a word of the arch (an operand, a DRAM word; not a level's own width:
 * the evaluators move words) occupies in memory and on every port (DRAM addresses
 * and bursts, port bytes per cycle): word_bits rounded up to whole bytes, 1 to 8,
 * word_bits in [1, 64] in every checked arch (the config loader's key range and
 * pesim_arch_check). Words are not packed: a 12-bit word takes 2 bytes; the
 * DRAM's peak (pesim_dram_words_per_cycle) and the analytical DRAM activity
 * (pesim_estimate_dram_activity) count the same bytes. Only the Timeloop
 * conventions (conventions = "timeloop") count word_bits / 8 bytes, as Timeloop does. */
int64_t pesim_arch_word_bytes(const pesim_arch *a);

/* Bits of one word of level `level` (0 <= level < n_levels): the level's
 * word_bits, or the arch's when the level states none (0). A level's words
 * are what it counts: its capacity_words, its rates and its energies per
 * access are in them (Timeloop's word-bits of a storage level), so a 24-bit
 * accumulation buffer of 128 words holds 3072 bits. The evaluators count
 * words and never read this width (a partial sum is one word wherever it
 * is); the estimator sizes the level's SRAM, ports and network wires by it
 * (docs/estimate.md). DRAM levels and the outermost level always have the
 * arch's width (pesim_arch_check). */
int32_t pesim_level_word_bits(const pesim_arch *a, int level);
/* 1 if level `level`'s words are always the arch's (a DRAM level or the
 * outermost level: it may not state its own word_bits), else 0. */
int pesim_level_width_is_arch(const pesim_arch *a, int level);

/* The children one instance of level L exchanges tensor t with through its
 * network: the product of the fan-outs of L and of the levels below it down
 * to (not including) the next level that keeps t, or down to the MACs. 1 when
 * the network does not fan out. */
int64_t pesim_arch_fanin(const pesim_arch *a, int level, pesim_tensor t);

/* Index of the level called name, or -1. */
int pesim_arch_find_level(const pesim_arch *a, const char *name);

/* Fills d with a named preset ("ddr4-3200", "ddr3-1600", "lpddr4-2400", "hbm2"): timing,
 * organisation and power; PESIM_ERR_INVALID if unknown. */
pesim_status pesim_dram_preset(const char *name, pesim_dram *d);

/* Peak bandwidth of the DRAM in words per accelerator cycle, a word taking
 * whole bytes (pesim_arch_word_bytes: 12 bits move as 2 bytes). */
double pesim_dram_words_per_cycle(const pesim_dram *d, int word_bits, double clock_mhz);

/* Checks internal consistency (1 to PESIM_MAX_LEVELS levels, outermost keeps every tensor,
 * fan-outs >= 1, ...). Errors name the level and the config line. */
pesim_status pesim_arch_check(const pesim_arch *a, const char *file, pesim_error *e);

/* Access latency of a level in accelerator cycles: latency_cycles on chip;
 * for DRAM, a read to a closed bank, 1 + tRCD + CL + BL/2 DRAM cycles (the
 * DRAM model's row-miss latency, docs/dram.md), rounded down. */
int64_t pesim_level_latency_cycles(const pesim_arch *a, int level);

/* Total area: MACs + every level's instances with their adder trees + the
 * vector units. */
double pesim_arch_area_um2(const pesim_arch *a);

/* Words one instance of a level holds: the shared capacity plus the per-tensor
 * partitions (0 for an unbounded level; INT64_MAX when the sum would pass it). */
int64_t pesim_level_words(const pesim_level *v);

/* Most tile slots a level may have (pesim_level.tile_slots). */
#define PESIM_TILE_SLOTS_MAX 8

/* The tiles of each kept tensor the level holds at once: tile_slots, 1 when it is 0
 * (config "multiple_buffering"; "double_buffered = true" is 2). */
int pesim_level_tile_slots(const pesim_level *v);

/* Words one instance of a level reads (writes) a cycle over all its ports:
 * ports x read_words_per_cycle (write_words_per_cycle); 0 = unlimited. */
double pesim_level_read_words_per_cycle(const pesim_level *v);
double pesim_level_write_words_per_cycle(const pesim_level *v);

/* Words one instance of level `level` of a moves a cycle in one direction
 * (is_write: writes, else reads), as the cycle engine paces a transfer: on
 * chip every port (pesim_level_read/write_words_per_cycle), for DRAM the
 * lower of the timing's peak and the level's port
 * (pesim_dram_port_words_per_cycle). 0 = unlimited. */
double pesim_arch_instance_words_per_cycle(const pesim_arch *a, int level, int is_write);

#ifdef __cplusplus
}
#endif
#endif
