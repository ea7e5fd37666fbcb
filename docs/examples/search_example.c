/* search_example.c - a program that embeds libpesim and runs a search
 * (docs/search.md "Embedding"). Build it against an installed pesim:
 *
 *   cmake --install build/Release --prefix $HOME/pesim
 *   export PKG_CONFIG_PATH=$HOME/pesim/lib/pkgconfig
 *   cc search_example.c $(pkg-config --cflags --libs pesim) -o search_example
 *   LD_LIBRARY_PATH=$HOME/pesim/lib ./search_example ARCH WORKLOAD LAYER [STORE]
 *
 * It searches the mapping of one layer with the genetic algorithm (budget
 * 500) on the analytical model, recording every evaluation in STORE when
 * given (run it twice: the second run is refused; see the message), and
 * prints the best design: its costs and the value behind each choice. */
#include <stdio.h>
#include <string.h>

#include <pesim/config.h>
#include <pesim/search.h>

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s ARCH WORKLOAD LAYER [STORE]\n", argv[0]);
        return 2;
    }
    pesim_arch arch;
    pesim_network net;
    pesim_error e;
    char msg[1024];
    if (pesim_arch_load(argv[1], &arch, &e) != PESIM_OK || pesim_network_load(argv[2], &net, &e) != PESIM_OK) {
        fprintf(stderr, "%s\n", pesim_error_format(&e, msg, sizeof msg));
        return 2;
    }
    int32_t li = pesim_network_find(&net, argv[3]);
    if (li < 0) {
        fprintf(stderr, "%s: no layer %s\n", argv[2], argv[3]);
        pesim_network_free(&net);
        return 2;
    }
    int rc = 1;
    pesim_space *space = NULL;
    pesim_store *store = NULL;
    pesim_campaign *c = NULL;
    if (pesim_space_mapping(&arch, &net.layers[li], &space, &e) != PESIM_OK) goto fail;
    if (argc > 4 && pesim_store_open(argv[4], &store, &e) != PESIM_OK) goto fail;

    pesim_campaign_options o;
    memset(&o, 0, sizeof o);
    o.algo = "genetic";
    const char *kv[] = {"population=32"};
    o.algo_opt.kv = kv;
    o.algo_opt.n_kv = 1;
    o.seed = 1;
    o.budget = 500;
    o.batch = 31;                      /* a generation of 32 less one elite */
    o.fidelity = PESIM_FIDELITY_ANALYTICAL;
    o.eval.objective = PESIM_OBJ_EDP;
    o.eval.threads = 2;
    o.mode = PESIM_RUN_NEW;
    o.label = argv[3];
    if (pesim_campaign_create(space, store, &o, &c, &e) != PESIM_OK) goto fail;
    if (pesim_campaign_run(c, &e) != PESIM_OK || pesim_campaign_finish(c, &e) != PESIM_OK) goto fail;

    const pesim_campaign_report *r = pesim_campaign_get_report(c);
    printf("pesim %s: %s on %s, %lld evaluations, %lld valid\n", pesim_version(), argv[3], arch.name,
           (long long)r->samples, (long long)r->valid);
    if (!r->found) {
        printf("no valid mapping found\n");
    } else {
        printf("best: objective %.6g, %lld cycles, %.6g pJ (sample %lld)\n", r->best.objective,
               (long long)r->best.cycles, r->best.energy_pj, (long long)r->best_sample);
        const int32_t *x = pesim_campaign_best_choices(c);
        for (int32_t i = 0; i < pesim_space_n_params(space); i++) {
            pesim_choice_value v;
            pesim_space_choice_value(space, i, x[i], x, &v);
            printf("  %-24s %s\n", pesim_space_param(space, i)->name, v.text);
        }
    }
    rc = 0;
    goto done;
fail:
    fprintf(stderr, "%s\n", pesim_error_format(&e, msg, sizeof msg));
    rc = e.code == PESIM_ERR_NOMEM || e.code == PESIM_ERR_IO ? 1 : 2;
done:
    pesim_campaign_destroy(c);
    pesim_store_close(store);
    pesim_space_destroy(space);
    pesim_network_free(&net);
    return rc;
}
