/*
 * libFuzzer harness for the host-list expander of `fanout run`
 * (src/run/hostlist.c), which reads what users type after -w and -x.
 * A list must either fail with a message, or count and expand to the same
 * number of names, each non-empty, at most FO_HOSTLIST_NAME_MAX bytes, and
 * free of separators, brackets, set operators and users, and of a
 * leading '-'. Lists of more than 100,000 names are only counted
 * (expanding ten million names per input would stall the run).
 *   scripts/fuzz.sh [seconds]
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/run/inventory.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int check(void *arg, const char *name, size_t len)
{
	size_t *n = arg;

	if (len == 0 || len > FO_HOSTLIST_NAME_MAX || strlen(name) != len || strpbrk(name, ", \t\r\n[]!&^@") ||
	    name[0] == '-')
		abort();
	(*n)++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), err[512];
	size_t count = 0, n = 0;
	int r;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = 0;
	err[0] = 0;
	r = fo_hostlist_count(s, 0, &count, err, sizeof(err));
	if (r < 0) {
		if (!err[0] || !memchr(err, 0, sizeof(err)))
			abort();
	} else if (r > 0 || count == 0 || count > FO_HOSTLIST_MAX) {
		abort();
	} else if (count <= 100000) {
		if (fo_hostlist_expand(s, 0, check, &n, err, sizeof(err)) != 0 || n != count)
			abort();
	}
	free(s);
	return 0;
}
