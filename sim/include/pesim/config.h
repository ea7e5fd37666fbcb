/* pesim/config.h - loading and writing libconfig files (docs/config.md).
 *
 * The only module of pesim that includes libconfig.h is sim/config/. Every
 * loader rejects unknown keys, wrong types and out-of-range values with an
 * error naming the file, the line and the key, and says what was expected.
 * Every writer's output loads back to an equal struct (round trip).
 *
 * The *_string variants parse text held in memory; `name` is used as the file
 * name in error messages. On failure the output struct is left zeroed/freed. */
#ifndef PESIM_CONFIG_H
#define PESIM_CONFIG_H

#include "pesim/arch.h"
#include "pesim/mapping.h"
#include "pesim/status.h"
#include "pesim/workload.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Limits of the arch format that producers of archs (the Timeloop importer)
 * check too, so that what they write loads back. */
#define PESIM_CFG_MAX_ENERGY_PJ 1e9   /* per access, per MAC, per op, per cycle */
#define PESIM_CFG_MAX_CLOCK_MHZ 1e6   /* 1 THz */

pesim_status pesim_network_load(const char *path, pesim_network *out, pesim_error *e);
pesim_status pesim_network_load_string(const char *text, const char *name,
                                       pesim_network *out, pesim_error *e);
pesim_status pesim_network_write(const char *path, const pesim_network *net, pesim_error *e);

pesim_status pesim_arch_load(const char *path, pesim_arch *out, pesim_error *e);
pesim_status pesim_arch_load_string(const char *text, const char *name,
                                    pesim_arch *out, pesim_error *e);
pesim_status pesim_arch_write(const char *path, const pesim_arch *a, pesim_error *e);

/* Mappings name levels by the arch's level names. The file's `arch` and
 * `layer` keys are informational; checking a mapping against a layer is
 * pesim_mapping_check's job (or the model's, which reports it as invalid). */
pesim_status pesim_mapping_load(const char *path, const pesim_arch *a,
                                pesim_mapping *out, pesim_error *e);
pesim_status pesim_mapping_load_string(const char *text, const char *name,
                                       const pesim_arch *a, pesim_mapping *out,
                                       pesim_error *e);
pesim_status pesim_mapping_write(const char *path, const pesim_mapping *m,
                                 const pesim_arch *a, const char *layer_name,
                                 pesim_error *e);
/* Same text as pesim_mapping_write, into a malloc'ed string the caller frees. */
char *pesim_mapping_to_string(const pesim_mapping *m, const pesim_arch *a,
                              const char *layer_name);

pesim_status pesim_placement_load(const char *path, const pesim_arch *a,
                                  const pesim_network *net, pesim_placement *out,
                                  pesim_error *e);
pesim_status pesim_placement_load_string(const char *text, const char *name,
                                         const pesim_arch *a, const pesim_network *net,
                                         pesim_placement *out, pesim_error *e);
pesim_status pesim_placement_write(const char *path, const pesim_placement *p,
                                   const pesim_arch *a, const pesim_network *net,
                                   pesim_error *e);

#ifdef __cplusplus
}
#endif
#endif
