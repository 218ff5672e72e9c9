/*
 * A growing byte buffer, NUL-terminated, for the tools (JSON lines,
 * anchors, outputs). Doubling growth; an allocation failure is remembered
 * in oom and later appends do nothing, so a caller checks once at the end.
 * The caller owns p and frees it.
 */
#ifndef FO_UTIL_SBUF_H
#define FO_UTIL_SBUF_H

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct fo_sbuf {
	char *p;
	size_t len, cap;
	bool oom;
};

static inline void fo_sbuf_add(struct fo_sbuf *b, const void *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t nc = b->cap ? b->cap * 2 : 256;
		char *np;

		while (nc < b->len + n + 1)
			nc *= 2;
		np = realloc(b->p, nc);
		if (!np) {
			b->oom = true;
			return;
		}
		b->p = np;
		b->cap = nc;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = 0;
}

#endif
