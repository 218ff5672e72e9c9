/*
 * The tools' side of the runtime's diagnostics (runtime.h, fo_set_diag):
 * the library never prints, the tools print what it reports.
 */
#ifndef FO_UTIL_DIAG_H
#define FO_UTIL_DIAG_H

#include <stddef.h>

#include "fanout/runtime.h"

/*
 * A fo_diag_fn that writes "fanout: <msg>\n" to stderr with one write(2):
 * async-signal-safe, as a stack overflow's FO_DIAG_FATAL call needs. Every
 * tool installs it with fo_set_diag() at start; a tool's run with quiet set
 * gets no FO_DIAG_WARN.
 */
void fo__cli_diag(void *arg, int level, const char *msg);

/*
 * A tool's stack size for a run under model m, where the tool wants
 * `want` bytes: 0 (the runtime's default, which takes FANOUT_STACK_SIZE)
 * for coro and loop while FANOUT_STACK_SIZE is set, so that the user's
 * override still beats the tool's own default; want otherwise.
 */
size_t fo__cli_stack_size(const struct fo_model *m, size_t want);

#endif
