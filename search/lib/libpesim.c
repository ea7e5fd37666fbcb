/* libpesim.c - the shared library's own translation unit. Everything in
 * libpesim comes from pesim_search and pesim_sim, linked in whole
 * (search/CMakeLists.txt); a target needs one source of its own. */
typedef int pesim_libpesim_unit; /* a translation unit may not be empty */
