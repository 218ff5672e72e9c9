/*
 * The one way a value reaches a shell (STYLE 18): as one single-quoted sh
 * word, a ' in it becoming '\'' (as GNU parallel quotes its replacement
 * strings), so that no byte of it is ever read as syntax. The exec task's
 * {host}/{hostname}/... and the copy task's remote paths (sha256sum, mv,
 * rm on the host) go through it. Static inline so that the tests, which
 * link no run.o, check it directly.
 */
#ifndef FO_UTIL_SHQUOTE_H
#define FO_UTIL_SHQUOTE_H

#include "sbuf.h"

/* s as one single-quoted sh word appended to b (b->oom on failure). */
static inline void fo__sh_quote(struct fo_sbuf *b, const char *s)
{
	fo_sbuf_add(b, "'", 1);
	for (; *s; s++) {
		if (*s == '\'')
			fo_sbuf_adds(b, "'\\''");
		else
			fo_sbuf_add(b, s, 1);
	}
	fo_sbuf_add(b, "'", 1);
}

#endif
