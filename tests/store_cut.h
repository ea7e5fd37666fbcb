// tests/store_cut.h - a result store as a kill leaves it, made by hand for
// the resume tests of `pesim search --seeds` (search_cli_test.cc,
// mpi_test.cc): the store's SQLite file edited in place.
#ifndef PESIM_TESTS_STORE_CUT_H
#define PESIM_TESTS_STORE_CUT_H

#include <gtest/gtest.h>

#include <sqlite3.h>

#include <string>

namespace {

// A store of a multi-seed campaign over three layers cut in its second
// seed: runs 1..3 (the first seed's layers) whole, run 4 (the second seed's
// first layer) cut to `keep` samples and running, no later runs (a
// sequential campaign killed there; samples are the low 40 bits of an
// evaluation's id, its run the rest).
inline void CutAfterTheFirstSeed(const std::string &db, int keep)
{
    sqlite3 *h = nullptr;
    ASSERT_EQ(sqlite3_open(db.c_str(), &h), SQLITE_OK);
    std::string sql = "DELETE FROM evals WHERE (id >> 40) > 4 OR ((id >> 40) = 4 AND (id & 1099511627775) >= " +
                      std::to_string(keep) + "); DELETE FROM run_meta WHERE run > 4; DELETE FROM runs WHERE id > 4; "
                      "UPDATE runs SET finished = NULL, status = 'running' WHERE id >= 4;";
    ASSERT_EQ(sqlite3_exec(h, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(h);
    sqlite3_close(h);
}

}  // namespace

#endif
