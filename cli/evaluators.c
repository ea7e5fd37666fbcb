/* cli/evaluators.c - the --eval table (see evaluators.h). */
#include <string.h>

#include "pesim/model.h"

#include "evaluators.h"

static const cli_evaluator evaluators[] = {
    {"analytical", pesim_model_evaluate},
    {"cycle", NULL},       /* the cycle engine: not built yet */
    {"systemc", NULL},     /* the SystemC reference: not built yet */
};

const cli_evaluator *cli_evaluator_find(const char *name)
{
    for (size_t i = 0; i < sizeof evaluators / sizeof evaluators[0]; i++)
        if (strcmp(evaluators[i].name, name) == 0)
            return &evaluators[i];
    return NULL;
}

const char *cli_evaluator_names(void)
{
    static char names[128];
    if (!names[0]) {
        for (size_t i = 0; i < sizeof evaluators / sizeof evaluators[0]; i++) {
            if (i > 0)
                strncat(names, "|", sizeof names - strlen(names) - 1);
            strncat(names, evaluators[i].name, sizeof names - strlen(names) - 1);
        }
    }
    return names;
}
