// headers_test.cc - every public header compiles as C++ on its own (each has
// its own extern "C" guard) and the two library APIs link from C++.
#include "pesim/arch.h"
#include "pesim/config.h"
#include "pesim/cost.h"
#include "pesim/dram.h"
#include "pesim/engine.h"
#include "pesim/functional.h"
#include "pesim/mapping.h"
#include "pesim/model.h"
#include "pesim/rl.h"
#include "pesim/search.h"
#include "pesim/status.h"
#include "pesim/surrogate.h"
#include "pesim/systemc.h"
#include "pesim/workload.h"

#include <gtest/gtest.h>

TEST(Headers, CompileAsCxxAndLink)
{
    pesim_error e;
    pesim_error_clear(&e);
    EXPECT_EQ(e.code, PESIM_OK);
    EXPECT_STREQ(pesim_dim_name(PESIM_DIM_K), "K");
    EXPECT_STREQ(pesim_stall_name(PESIM_STALL_FILL_DRAIN), "fill_drain");
    pesim_dram d;
    EXPECT_EQ(pesim_dram_preset("ddr4-3200", &d), PESIM_OK);
    EXPECT_EQ(d.CL, 22);
}
