/*
 * The one way text reaches a gnuplot script (STYLE 18): as a single-quoted
 * gnuplot string. In one, gnuplot substitutes nothing (no backquoted
 * commands, no @macros, no backslash escapes); a quote is written twice;
 * and a control character, a newline above all, which would end the
 * command and start one of the data's choosing (`!cmd`, `system(...)`),
 * becomes a space. Header-only so that the tests call the very function
 * bench.c does.
 */
#ifndef FO_BENCH_GNUPLOT_H
#define FO_BENCH_GNUPLOT_H

#include <stdio.h>

static inline void fo__gp_quote(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\'')
			fputc('\'', f);
		fputc(c < 0x20 || c == 0x7f ? ' ' : c, f);
	}
	fputc('\'', f);
}

#endif
