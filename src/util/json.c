/*
 * The JSON string writer (json.h has the rule) and its reader for the
 * strings it wrote. One loop serves the buffer and the FILE forms: a
 * run of bytes kept as they are is copied in one piece, so device output
 * that is plain text costs a scan and a memcpy.
 */
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "utf8.h"

/* Where the text goes: b, or f when b is NULL. */
struct sink {
	struct fo_sbuf *b;
	FILE *f;
};

static void put(struct sink *o, const char *s, size_t n)
{
	if (o->b)
		fo_sbuf_add(o->b, s, n);
	else if (n)
		fwrite(s, 1, n, o->f);
}

/* The escape of a character below U+00A0 that is not kept as it is. */
static void put_esc(struct sink *o, unsigned cp)
{
	static const char shortform[] = "btn\0fr"; /* \b to \r, no \v */
	char e[8];

	if (cp == '"' || cp == '\\') {
		e[0] = '\\';
		e[1] = (char)cp;
		put(o, e, 2);
	} else if (cp >= '\b' && cp <= '\r' && shortform[cp - '\b']) {
		e[0] = '\\';
		e[1] = shortform[cp - '\b'];
		put(o, e, 2);
	} else {
		snprintf(e, sizeof(e), "\\u%04x", cp);
		put(o, e, 6);
	}
}

static void json_str(struct sink *o, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, run = 0;

	put(o, "\"", 1);
	while (i < n) {
		unsigned cp = 0;
		size_t bad = 0, k;

		if (u[i] >= 0x20 && u[i] < 0x7f && u[i] != '"' && u[i] != '\\') {
			i++;
			run++;
			continue;
		}
		k = fo__utf8_next(u + i, n - i, &cp, &bad);
		if (k > 1 && cp >= 0xa0) {
			i += k;
			run += k;
			continue;
		}
		put(o, s + i - run, run);
		run = 0;
		if (k) {
			put_esc(o, cp);
			i += k;
		} else {
			put(o, "\\ufffd", 6);
			i += bad;
		}
	}
	put(o, s + i - run, run);
	put(o, "\"", 1);
}

void fo__json_str(struct fo_sbuf *b, const char *s, size_t n)
{
	struct sink o = { b, NULL };

	json_str(&o, s, n);
}

void fo__json_strz(struct fo_sbuf *b, const char *s)
{
	if (s)
		fo__json_str(b, s, strlen(s));
	else
		fo_sbuf_add(b, "null", 4);
}

void fo__json_fputs(FILE *f, const char *s)
{
	struct sink o = { NULL, f };

	if (s)
		json_str(&o, s, strlen(s));
	else
		fputs("null", f);
}

/* ---- back ------------------------------------------------------------------------ */

/* The value of the 4 hex digits at p, or -1. */
static long hex4(const char *p)
{
	long v = 0;
	int j;

	for (j = 0; j < 4; j++) {
		char c = p[j];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

static void add_utf8(struct fo_sbuf *b, unsigned long cp)
{
	unsigned char u[4];
	size_t n, j;

	if (cp < 0x80) {
		u[0] = (unsigned char)cp, n = 1;
	} else if (cp < 0x800) {
		u[0] = (unsigned char)(0xc0 | cp >> 6), n = 2;
	} else if (cp < 0x10000) {
		u[0] = (unsigned char)(0xe0 | cp >> 12), n = 3;
	} else {
		u[0] = (unsigned char)(0xf0 | cp >> 18), n = 4;
	}
	for (j = 1; j < n; j++)
		u[j] = (unsigned char)(0x80 | ((cp >> (6 * (n - 1 - j))) & 0x3f));
	fo_sbuf_add(b, u, n);
}

/* The \u escape at p (just after the u), surrogate pairs joined, into b:
 * where it ends, or NULL when it is not four hex digits. */
static const char *unescape_u(struct fo_sbuf *b, const char *p)
{
	long cp = hex4(p), lo;

	if (cp < 0)
		return NULL;
	p += 4;
	if (cp >= 0xd800 && cp <= 0xdbff && p[0] == '\\' && p[1] == 'u' &&
	    (lo = hex4(p + 2)) >= 0xdc00 && lo <= 0xdfff) {
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		p += 6;
	} else if (cp >= 0xd800 && cp <= 0xdfff) {
		cp = 0xfffd;
	}
	add_utf8(b, (unsigned long)cp);
	return p;
}

const char *fo__json_unstr(struct fo_sbuf *b, const char *p, size_t max)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";

	while (*p && *p != '"' && b->len < max) {
		const char *e;

		if (*p != '\\') {
			fo_sbuf_add(b, p++, 1);
		} else if (p[1] == 'u') {
			if (!(e = unescape_u(b, p + 2)))
				return p;
			p = e;
		} else if (p[1] && (e = strchr(from, p[1]))) {
			fo_sbuf_add(b, &to[e - from], 1);
			p += 2;
		} else {
			return p;
		}
	}
	return *p == '"' ? p + 1 : p;
}
