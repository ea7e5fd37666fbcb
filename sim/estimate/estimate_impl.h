/* estimate_impl.h - helpers shared by the files of sim/estimate (private). */
#ifndef PESIM_ESTIMATE_IMPL_H
#define PESIM_ESTIMATE_IMPL_H

#include "pesim/estimate.h"

/* Leakage power of area_um2 of logic or memory at node t (components.c). */
double est_leak_uw(const pesim_tech *t, double area_um2);

#endif
