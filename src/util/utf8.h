/*
 * One UTF-8 decoder for the output layer (STYLE 17): the JSON writer
 * (json.c) and the terminal filter (term.c) must agree on what is
 * well-formed, so both step through text with fo__utf8_next. Well-formed
 * is Unicode's definition (Table 3-7): no overlong forms, no surrogates
 * (so no CESU-8), nothing above U+10FFFF.
 */
#ifndef FO_UTIL_UTF8_H
#define FO_UTIL_UTF8_H

#include <stddef.h>

/* At s[0..n), n >= 1: the length of the well-formed sequence that starts
 * there, its code point in *cp. Or 0 when it is ill-formed, with in *bad
 * the length of its maximal subpart (Unicode 15, 3.9 "U+FFFD Substitution
 * of Maximal Subparts"; at least 1): the bytes that one U+FFFD stands for
 * in the decoders of WHATWG and of Python's errors="replace". */
static inline size_t fo__utf8_next(const unsigned char *s, size_t n, unsigned *cp, size_t *bad)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	unsigned v;
	size_t k, j;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf)
		k = 1, v = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		k = 2, v = c & 0x0f, lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
	else if (c >= 0xf0 && c <= 0xf4)
		k = 3, v = c & 0x07, lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
	else
		k = 0, v = 0;
	for (j = 1; j <= k; j++) {
		if (j >= n || s[j] < lo || s[j] > hi)
			break;
		v = v << 6 | (s[j] & 0x3f);
		lo = 0x80, hi = 0xbf;
	}
	if (j <= k || !k) {
		*bad = j;
		return 0;
	}
	*cp = v;
	return k + 1;
}

#endif
