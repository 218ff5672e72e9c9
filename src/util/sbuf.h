/*
 * A growing byte buffer, NUL-terminated, for the tools (JSON lines,
 * anchors, outputs, table rows, what a device sends). Doubling growth; an
 * allocation failure is remembered in oom and later appends do nothing,
 * so a caller checks once at the end. The caller owns p and frees it.
 */
#ifndef FO_UTIL_SBUF_H
#define FO_UTIL_SBUF_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct fo_sbuf {
	char *p;
	size_t len, cap;
	bool oom;
};

/*
 * Room for n more bytes and the NUL after them: 0, or -ENOMEM (and oom
 * set, p left as it was). For a caller that reads into p + len itself
 * (up to cap - len - 1 bytes), then adds what it got to len and writes
 * the NUL.
 */
static inline int fo_sbuf_grow(struct fo_sbuf *b, size_t n)
{
	size_t need, nc;
	char *np;

	if (b->oom)
		return -ENOMEM;
	/* no object is larger than PTRDIFF_MAX: a size past it is out of memory */
	if (n >= (size_t)PTRDIFF_MAX || b->len >= (size_t)PTRDIFF_MAX - n)
		goto oom;
	need = b->len + n + 1;
	if (need <= b->cap)
		return 0;
	nc = b->cap ? b->cap : 256;
	while (nc < need)
		nc = nc > (size_t)PTRDIFF_MAX / 2 ? need : nc * 2;
	np = realloc(b->p, nc);
	if (!np)
		goto oom;
	b->p = np;
	b->cap = nc;
	b->p[b->len] = 0;
	return 0;
oom:
	b->oom = true;
	return -ENOMEM;
}

static inline void fo_sbuf_add(struct fo_sbuf *b, const void *s, size_t n)
{
	if (fo_sbuf_grow(b, n) < 0)
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = 0;
}

/* A NUL-terminated s. */
static inline void fo_sbuf_adds(struct fo_sbuf *b, const char *s)
{
	fo_sbuf_add(b, s, strlen(s));
}

/* Empty again, the memory kept for reuse; oom stays as it was, so that
 * one check at the end still sees a failure of any earlier use. */
static inline void fo_sbuf_reset(struct fo_sbuf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = 0;
}

#endif
