/*
 * The tools' printer for the runtime's diagnostics: see diag.h.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"

void fo__cli_diag(void *arg, int level, const char *msg)
{
	static const char pre[] = "fanout: ";
	char line[600];
	size_t n = strlen(msg), at = sizeof(pre) - 1;

	(void)arg;
	(void)level;
	if (n > sizeof(line) - at - 1)
		n = sizeof(line) - at - 1;
	memcpy(line, pre, at);
	memcpy(line + at, msg, n);
	at += n;
	line[at++] = '\n';
	if (write(2, line, at) < 0) {
		/* stderr is gone: nobody to tell */
	}
}

size_t fo__cli_stack_size(const struct fo_model *m, size_t want)
{
	const char *env = getenv("FANOUT_STACK_SIZE");

	if ((m->kind == FO_MODEL_CORO || m->kind == FO_MODEL_LOOP) && env && *env)
		return 0;
	return want;
}
