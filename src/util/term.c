/*
 * Untrusted text for a terminal: see term.h. (It began in run.c, for host
 * names and device text; inventory and links print such text too.)
 */
#include <stdio.h>
#include <string.h>

#include "term.h"

/* The length of the well-formed UTF-8 sequence of a character from U+00A0
 * up at s[0..n), or 0: C1 controls (U+0080-U+009F, which some terminals
 * obey), overlong forms, surrogates and stray bytes are not one. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t k, j;

	if (c >= 0xc2 && c <= 0xdf)
		k = 1, lo = c == 0xc2 ? 0xa0 : 0x80;
	else if (c >= 0xe0 && c <= 0xef)
		k = 2, lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
	else if (c >= 0xf0 && c <= 0xf4)
		k = 3, lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
	else
		return 0;
	if (k >= n || s[1] < lo || s[1] > hi)
		return 0;
	for (j = 2; j <= k; j++)
		if ((s[j] & 0xc0) != 0x80)
			return 0;
	return k + 1;
}

/* How many bytes at s[0..n) make one character to keep, or 0. */
static size_t keep(const char *s, size_t n)
{
	unsigned char c = (unsigned char)*s;

	return c < 0x80 ? (c >= 0x20 && c != 0x7f) : utf8_seq((const unsigned char *)s, n);
}

void fo__term_add(struct fo_sbuf *b, const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t k = keep(s + i, n - i);

		if (k) {
			fo_sbuf_add(b, s + i, k);
			i += k;
		} else {
			char x[5];

			snprintf(x, sizeof(x), "\\x%02x", (unsigned char)s[i]);
			fo_sbuf_add(b, x, 4);
			i++;
		}
	}
}

void fo__term_adds(struct fo_sbuf *b, const char *s)
{
	if (s)
		fo__term_add(b, s, strlen(s));
}

int fo__term_safe(const char *s, size_t n)
{
	size_t i = 0, k;

	while (i < n && (k = keep(s + i, n - i)))
		i += k;
	return i == n;
}
