/* version.c - the library's version (libpesim). */
#include "pesim/search.h"

const char *pesim_version(void) { return PESIM_VERSION; }
