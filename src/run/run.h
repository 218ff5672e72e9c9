/* `fanout run`: a task applied to every host of an inventory (run.c). */
#ifndef FO_RUN_RUN_H
#define FO_RUN_RUN_H

/* Returns the exit code: 0 all ok, 1 some host not ok, 2 usage, 130 interrupted. */
int fo_run_main(int argc, char **argv);

#endif
