/*
 * libFuzzer target: unified diffs (src/util/udiff.c). The input is two
 * texts split at its first 0xFE byte (the rest of the input when there is
 * none, against an empty one); its first byte picks the context (0-7),
 * --minimal and whether -I "[0-9]" applies. The diff must succeed, be
 * empty exactly when the texts are equal (without -I), and be a
 * well-formed unified diff whose hunks, applied to the first text, give
 * the second (checked by replaying them).
 *   scripts/fuzz.sh [seconds]
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/util/udiff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct fo_udiff_ignore *digits;

/* The next line of s (len bytes) from *at: its start, *n its length
 * with '\n'. */
static const char *next_line(const char *s, size_t len, size_t *at, size_t *n)
{
	const char *p = s + *at, *nl = memchr(p, '\n', len - *at);

	*n = nl ? (size_t)(nl - p) + 1 : len - *at;
	*at += *n;
	return p;
}

/* Replays diff d on a, which must give b: every context and '-' line must
 * be a's next line, and a's lines outside hunks are copied. */
static void replay(const char *a, size_t alen, const char *b, size_t blen, const char *d, size_t dlen)
{
	struct fo_sbuf r = { 0 };
	size_t at = 0, dat = 0, n, apos = 0, aline = 0;
	const char *l;

	l = next_line(d, dlen, &dat, &n);
	if (n < 4 || memcmp(l, "--- ", 4))
		abort();
	l = next_line(d, dlen, &dat, &n);
	if (n < 4 || memcmp(l, "+++ ", 4))
		abort();
	while (dat < dlen) {
		long s0, c0 = 1;
		char *e;

		l = next_line(d, dlen, &dat, &n);
		if (n < 4 || memcmp(l, "@@ -", 4))
			abort();
		s0 = strtol(l + 4, &e, 10);
		if (*e == ',')
			c0 = strtol(e + 1, &e, 10);
		if (c0 == 0)
			s0++; /* an empty range names the line before */
		/* copy a's lines up to the hunk */
		while ((long)aline + 1 < s0) {
			const char *al = next_line(a, alen, &apos, &n);

			fo_sbuf_add(&r, al, n);
			aline++;
		}
		while (dat < dlen && d[dat] != '@') {
			size_t k;

			l = next_line(d, dlen, &dat, &n);
			if (l[0] == '\\')
				continue;
			k = n - 1;
			/* a line followed by "\ No newline" lost its '\n' */
			if (dat < dlen && d[dat] == '\\' && l[n - 1] == '\n')
				k--;
			if (l[0] == ' ' || l[0] == '-') {
				const char *al = next_line(a, alen, &apos, &n);

				if (n != k || memcmp(al, l + 1, k))
					abort();
				aline++;
			}
			if (l[0] == ' ' || l[0] == '+')
				fo_sbuf_add(&r, l + 1, k);
			else if (l[0] != '-')
				abort();
		}
	}
	fo_sbuf_add(&r, a + apos, alen - apos);
	if (r.oom || r.len != blen || (blen && memcmp(r.p, b, blen)))
		abort();
	(void)at;
	fo_sbuf_release(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fo_udiff_opts o = FO_UDIFF_OPTS("a", "b");
	struct fo_sbuf sb = { 0 };
	const char *a, *b, *cut;
	size_t alen, blen;
	int rc;

	if (!digits) {
		const char *re[] = { "[0-9]" };
		char err[256];

		if (fo_udiff_ignore_new(&digits, re, 1, err, sizeof(err)) < 0)
			abort();
	}
	if (size < 1)
		return 0;
	o.context = data[0] & 7;
	o.minimal = data[0] & 8;
	o.ignore = data[0] & 16 ? digits : NULL;
	a = (const char *)data + 1;
	cut = memchr(a, 0xfe, size - 1);
	alen = cut ? (size_t)(cut - a) : size - 1;
	b = cut ? cut + 1 : "";
	blen = cut ? size - 1 - alen - 1 : 0;
	rc = fo_udiff(a, alen, b, blen, &o, &sb);
	if (rc < 0 || (size_t)rc != (sb.len > 0))
		abort();
	if (!o.ignore && rc != !(alen == blen && !memcmp(a, b, alen)))
		abort();
	if (rc && !o.ignore)
		replay(a, alen, b, blen, sb.p, sb.len);
	fo_sbuf_release(&sb);
	return 0;
}
