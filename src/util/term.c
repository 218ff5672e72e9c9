/*
 * Untrusted text for a terminal: see term.h. (It began in run.c, for host
 * names and device text; inventory and links print such text too.)
 */
#include <stdio.h>
#include <string.h>

#include "term.h"
#include "utf8.h"

/* How many bytes at s[0..n) make one character to keep, or 0: printable
 * ASCII, and well-formed UTF-8 from U+00A0 up (not the C1 controls, which
 * some terminals obey). */
static size_t keep(const char *s, size_t n)
{
	unsigned char c = (unsigned char)*s;
	unsigned cp = 0;
	size_t bad, k;

	if (c < 0x80)
		return c >= 0x20 && c != 0x7f;
	k = fo__utf8_next((const unsigned char *)s, n, &cp, &bad);
	return cp >= 0xa0 ? k : 0;
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
