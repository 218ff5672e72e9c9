/*
 * A growing byte buffer, NUL-terminated, for the tools (JSON lines,
 * anchors, outputs, table rows, what a device sends). Doubling growth; an
 * allocation failure is remembered in oom and later appends do nothing,
 * so a caller checks once at the end. The caller owns p and frees it.
 */
#ifndef FO_UTIL_SBUF_H
#define FO_UTIL_SBUF_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
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

/* printf's text appended, whole (no cut at any length). */
static inline void fo_sbuf_addf(struct fo_sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline void fo_sbuf_addf(struct fo_sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || fo_sbuf_grow(b, (size_t)n) < 0) {
		b->oom = true;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* The text, now the caller's (a heap string, "" when nothing was added),
 * or NULL when memory ran out at any point; b is empty afterwards. */
static inline char *fo_sbuf_detach(struct fo_sbuf *b)
{
	char *p = b->oom ? NULL : b->p ? b->p : strdup("");

	if (b->oom)
		free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
	b->oom = false;
	return p;
}

/* Frees the memory; b is empty and usable again. */
static inline void fo_sbuf_release(struct fo_sbuf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
	b->oom = false;
}

#endif
