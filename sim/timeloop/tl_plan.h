/* tl_plan.h - how a pesim arch's levels become Timeloop storage levels
 * (private to sim/timeloop/). A level whose tensors have their own capacity
 * partitions becomes a chain of Timeloop buffers, one per partition (plus
 * one for the tensors sharing the level's capacity), as Timeloop models
 * Eyeriss's per-tensor scratchpads: the innermost buffer of the chain takes
 * the level's loops and fan-out, the others no loops, so that each holds the
 * level's tile of its tensors. Other levels map one to one. */
#ifndef PESIM_TL_PLAN_H
#define PESIM_TL_PLAN_H

#include <stdint.h>

#include "pesim/arch.h"

typedef struct tl_level {
    int level;                      /* the pesim level */
    unsigned tensors;               /* bit t: the tensors this buffer may hold */
    int innermost;                  /* 1: it takes the level's loops and fan-out */
    int64_t depth_words;            /* 0: unbounded */
    char name[PESIM_NAME_MAX];
} tl_level;

#define TL_PLAN_MAX (PESIM_MAX_LEVELS * PESIM_NTENSORS)

/* The Timeloop levels of arch a, outermost first; returns their count. */
int tl_plan(const pesim_arch *a, tl_level out[TL_PLAN_MAX]);

#endif
