/*
 * libFuzzer target: ntc-templates index files (src/textfsm/index.c over
 * PCRE2). The input is the file. A parse must either fail with one line
 * "'t/index'..." and no index, or give an index whose every lookup (fixed
 * platforms and commands, and the input's own lines as commands: its
 * regexes are the input's, PCRE2's match limit must keep each bounded)
 * returns a row of the index with at least one template name.
 *   scripts/fuzz.sh [seconds]
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/textfsm/index.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const plats[] = { "cisco_ios", "cisco_nxos", "juniper_junos", "", NULL };
static const char *const cmds[] = { "show version", "sh ver", "sh ip int br", "", "\xff\xfe", "show", NULL };

static void check(const struct fo_tfsm_index *idx, const char *p, const char *c, const char *h)
{
	const struct fo_tfsm_entry *e = (void *)1;
	char err[256];
	size_t i;
	int rc;

	err[0] = 0;
	rc = fo_tfsm_index_lookup(idx, p, c, h, &e, err, sizeof(err));
	if (rc == 0) {
		if (!e || !e->field || e->ntemplates < 1 || e->line < 1 || e->templates[e->ntemplates])
			abort();
		for (i = 0; i < e->ntemplates; i++)
			if (!e->templates[i] || strchr(e->templates[i], ':'))
				abort();
	} else if ((rc != -ENOENT && rc != -E2BIG) || e || strncmp(err, "'t/index'", 9) || strchr(err, '\n')) {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fo_tfsm_index *idx;
	char err[512], line[256];
	size_t i, j, n;
	const char *s = (const char *)data, *nl;

	err[0] = 0;
	if (fo_tfsm_index_parse(&idx, s, size, "t/index", err, sizeof(err)) < 0) {
		if (idx || strncmp(err, "'t/index'", 9) || strchr(err, '\n'))
			abort();
		return 0;
	}
	for (i = 0; plats[i]; i++)
		for (j = 0; cmds[j]; j++) {
			check(idx, plats[i], cmds[j], NULL);
			check(idx, plats[i], cmds[j], "core-1");
		}
	check(idx, NULL, NULL, NULL);
	for (i = 0; i < size && i < 4096; i = (size_t)(nl - s) + 1) {
		nl = memchr(s + i, '\n', size - i);
		nl = nl ? nl : s + size;
		n = (size_t)(nl - s) - i;
		n = n < sizeof(line) - 1 ? n : sizeof(line) - 1;
		memcpy(line, s + i, n);
		line[n] = 0;
		check(idx, NULL, line, line);
	}
	fo_tfsm_index_free(idx);
	return 0;
}
