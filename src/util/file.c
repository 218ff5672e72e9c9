/*
 * Whole files for the tools' parsers: see file.h. (It began as nornir.c's
 * reader of YAML files.)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "file.h"

int fo__slurp(const char *path, char **out, size_t *len)
{
	FILE *f = fopen(path, "re");
	size_t cap = 65536, n = 0, r;
	char *b = NULL, *nb;
	int e = 0;

	if (!f)
		return -errno;
	for (;;) {
		if (!b || cap - n < 2) {
			cap = b ? cap * 2 : cap;
			nb = realloc(b, cap);
			if (!nb) {
				e = -ENOMEM;
				break;
			}
			b = nb;
		}
		r = fread(b + n, 1, cap - n - 1, f);
		n += r;
		if (r == 0) {
			if (ferror(f))
				e = -EIO;
			break;
		}
	}
	fclose(f);
	if (e) {
		free(b);
		return e;
	}
	b[n] = 0;
	*out = b;
	*len = n;
	return 0;
}
