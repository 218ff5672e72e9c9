/*
 * libFuzzer target: host-set folding (src/run/nodeset.c). The input is
 * host names, one a line. The fold must either refuse a name (one line,
 * -EINVAL) or give a list that the host-list expander (hostlist.c) turns
 * back into exactly the input's names, duplicates aside (unless the names
 * pass the expander's own limits: see expandable).
 *   scripts/fuzz.sh [seconds]
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/run/inventory.h"
#include "../../src/run/nodeset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXN 512

struct got {
	char *names[MAXN * 4];
	size_t n;
};

static int collect(void *arg, const char *name, size_t len)
{
	struct got *g = arg;

	if (g->n == MAXN * 4)
		abort(); /* more names than went in */
	g->names[g->n] = strndup(name, len);
	if (!g->names[g->n])
		abort();
	g->n++;
	return 0;
}

/* Can the expander read what a fold of these makes? Its limits: 32
 * brackets in an item, 18 digits in a range's bound (hostlist.c). */
static int expandable(char *const *v, size_t n)
{
	size_t i, j, runs, len;

	for (i = 0; i < n; i++)
		for (j = 0, runs = 0; v[i][j]; j += len ? len : 1) {
			for (len = 0; v[i][j + len] >= '0' && v[i][j + len] <= '9'; len++)
				;
			if (len > 18 || (len && ++runs > 32))
				return 0;
		}
	return 1;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static size_t uniq(char **v, size_t n)
{
	size_t i, k = 0;

	qsort(v, n, sizeof(*v), cmp);
	for (i = 0; i < n; i++)
		if (!k || strcmp(v[k - 1], v[i]))
			v[k++] = v[i];
	return k;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *p, *nl, *out = NULL, err[256];
	char *names[MAXN], *sorted[MAXN];
	static struct got g;
	size_t n = 0, i, k;
	int rc;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = 0;
	for (p = buf; n < MAXN; p = nl + 1) {
		nl = strchr(p, '\n');
		if (nl)
			*nl = 0;
		if (strlen(p) || nl) /* NUL bytes cut a name short: fine */
			names[n++] = p;
		if (!nl)
			break;
	}
	rc = fo_nodeset_fold((const char *const *)names, n, &out, err, sizeof(err));
	if (rc) {
		if (rc != -EINVAL || out || strncmp(err, "cannot fold host name '", 23))
			abort();
		free(buf);
		return 0;
	}
	if (!out || (n && !*out) || (!n && *out))
		abort();
	g.n = 0;
	if (n && fo_hostlist_expand(out, 0, collect, &g, err, sizeof(err)) != 0) {
		if (expandable(names, n))
			abort();
		for (i = 0; i < g.n; i++)
			free(g.names[i]);
		free(out);
		free(buf);
		return 0;
	}
	memcpy(sorted, names, n * sizeof(*names));
	k = uniq(sorted, n);
	if (uniq(g.names, g.n) != k || g.n != k) /* the fold holds no name twice */
		abort();
	for (i = 0; i < k; i++)
		if (strcmp(sorted[i], g.names[i]))
			abort();
	for (i = 0; i < g.n; i++)
		free(g.names[i]);
	free(out);
	free(buf);
	return 0;
}
