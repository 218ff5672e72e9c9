/*
 * Host lists as pdsh and ClusterShell write them (`-w 'core-[01-40].dc[1-3]'`):
 * a pure expander over a string, plus ^FILE items when the caller allows
 * them. Every list is read twice: once to count the names it makes (ranges
 * counted arithmetically, so `dev[0-99999999]` fails at once instead of
 * after minutes of allocation), once to hand each name to the caller.
 * A ^FILE is therefore read twice too (each time whole, at most
 * FO_HOSTLIST_FILE_MAX bytes: a file that never ends, /dev/zero, stops
 * there); the second pass checks the cap again.
 *
 * The cap of FO_HOSTLIST_MAX names is on a whole run, not on one list:
 * fo_hostlist_expand_after counts on from the names earlier lists made, so
 * that three -w of nine million each are refused as one of 27 million is.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/file.h"
#include "inventory.h"

#define MAX_RANGES 32 /* brackets in one item */
#define MAX_DIGITS 18 /* so that lo + step never overflows */
#define QUOTE_MAX 80  /* bytes of an item quoted in a message */

struct term {
	unsigned long long lo, hi, step;
	int width; /* zero padding: digits of lo when it starts with 0 */
};

/* A literal, then (except in the last part) one bracket of terms. */
struct part {
	const char *lit;
	size_t litlen;
	struct term *terms;
	size_t nterms;
	unsigned long long count; /* names the bracket makes; 1 without one */
};

struct item {
	const char *s; /* the item as written, for messages */
	size_t len;
	struct part parts[MAX_RANGES + 1];
	size_t nparts;
};

struct ctx {
	unsigned flags;
	bool counting;
	fo_hostlist_fn fn;
	void *arg;
	size_t total;
	size_t used; /* names of the run's earlier lists */
	char *err;
	size_t errlen;
	const char *file; /* the ^FILE being read, for messages */
	long line;
};

static int fail(struct ctx *c, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(struct ctx *c, int code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->err && c->errlen) {
		if (c->file)
			snprintf(c->err, c->errlen, "'%s' line %ld: %s", c->file, c->line, msg);
		else
			snprintf(c->err, c->errlen, "%s", msg);
	}
	return code;
}

/* At most QUOTE_MAX bytes of s, with "..." when cut. */
static const char *quote(char *buf, size_t size, const char *s, size_t len)
{
	if (len > QUOTE_MAX)
		snprintf(buf, size, "%.*s...", QUOTE_MAX, s);
	else
		snprintf(buf, size, "%.*s", (int)len, s);
	return buf;
}

static int ndigits(unsigned long long v)
{
	int n = 1;

	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

/* A number of at most MAX_DIGITS digits at *p (advanced); -1 when none. */
static int number(const char **p, const char *e, unsigned long long *v, int *digits)
{
	const char *s = *p;

	*v = 0;
	while (*p < e && **p >= '0' && **p <= '9') {
		if (*p - s >= MAX_DIGITS)
			return -2;
		*v = *v * 10 + (unsigned long long)(**p - '0');
		(*p)++;
	}
	*digits = (int)(*p - s);
	return *p > s ? 0 : -1;
}

/* The terms of a bracket's inside [b, e): 1-3,5,7-10/2. */
static int parse_bracket(struct ctx *c, struct item *it, struct part *pt, const char *b, const char *e)
{
	char q[QUOTE_MAX + 8], q2[QUOTE_MAX + 8];
	const char *p = b;
	size_t cap = 0;

	pt->count = 0;
	if (b == e)
		return fail(c, -EINVAL, "'[]' in '%s' is empty; expected numbers such as [01-40] or [1,3,5-7]",
			    quote(q, sizeof(q), it->s, it->len));
	while (p <= e) {
		const char *ts = p;
		struct term t = { 0, 0, 1, 0 };
		unsigned long long n;
		int d, r;

		r = number(&p, e, &t.lo, &d);
		if (r == -2)
			goto too_big;
		if (r < 0)
			goto bad;
		if (d > 1 && *ts == '0')
			t.width = d;
		t.hi = t.lo;
		if (p < e && *p == '-') {
			p++;
			r = number(&p, e, &t.hi, &d);
			if (r == -2)
				goto too_big;
			if (r < 0)
				goto bad;
			if (p < e && *p == '/') {
				p++;
				r = number(&p, e, &t.step, &d);
				if (r == -2)
					goto too_big;
				if (r < 0 || t.step == 0)
					goto bad;
			}
			if (t.hi < t.lo)
				return fail(c, -EINVAL, "range '%.*s' in '%s' goes down; write it low-high",
					    (int)(p - ts), ts, quote(q, sizeof(q), it->s, it->len));
		}
		if (p < e && *p != ',')
			goto bad;
		if (pt->nterms == cap) {
			struct term *nt;

			cap = cap ? cap * 2 : 4;
			nt = realloc(pt->terms, cap * sizeof(*nt));
			if (!nt)
				return fail(c, -ENOMEM, "out of memory");
			pt->terms = nt;
		}
		pt->terms[pt->nterms++] = t;
		n = (t.hi - t.lo) / t.step + 1;
		pt->count = pt->count + n < pt->count ? ~0ULL : pt->count + n;
		p++; /* past ',' or e */
	}
	return 0;
bad:
	return fail(c, -EINVAL, "'[%s]' in '%s': expected numbers such as [01-40], [1,3,5-7] or [0-100/10]",
		    quote(q2, sizeof(q2), b, (size_t)(e - b)), quote(q, sizeof(q), it->s, it->len));
too_big:
	return fail(c, -EINVAL, "a number in '%s' has more than %d digits",
		    quote(q, sizeof(q), it->s, it->len), MAX_DIGITS);
}

static void item_free(struct item *it)
{
	size_t i;

	for (i = 0; i < it->nparts; i++)
		free(it->parts[i].terms);
	it->nparts = 0;
}

/* Splits an item into literals and brackets; checks name length. */
static int parse_item(struct ctx *c, struct item *it, const char *s, size_t len)
{
	char q[QUOTE_MAX + 8];
	const char *p = s, *e = s + len, *lit = s;
	size_t maxlen = 0, i;
	int r;

	memset(it, 0, sizeof(*it));
	it->s = s;
	it->len = len;
	while (p < e) {
		struct part *pt;
		const char *close;

		if (*p == ']')
			return fail(c, -EINVAL, "']' without '[' in '%s'", quote(q, sizeof(q), s, len));
		if (*p != '[') {
			p++;
			continue;
		}
		close = memchr(p, ']', (size_t)(e - p));
		if (!close)
			return fail(c, -EINVAL, "'[' without ']' in '%s'", quote(q, sizeof(q), s, len));
		if (memchr(p + 1, '[', (size_t)(close - p - 1)))
			return fail(c, -EINVAL, "brackets inside brackets in '%s'", quote(q, sizeof(q), s, len));
		if (it->nparts == MAX_RANGES)
			return fail(c, -EINVAL, "more than %d ranges in '%s'", MAX_RANGES,
				    quote(q, sizeof(q), s, len));
		pt = &it->parts[it->nparts++];
		pt->lit = lit;
		pt->litlen = (size_t)(p - lit);
		r = parse_bracket(c, it, pt, p + 1, close);
		if (r < 0)
			return r;
		p = lit = close + 1;
	}
	it->parts[it->nparts].lit = lit;
	it->parts[it->nparts].litlen = (size_t)(e - lit);
	it->parts[it->nparts].count = 1;
	it->nparts++;
	for (i = 0; i < it->nparts; i++) {
		const struct part *pt = &it->parts[i];
		size_t k;
		int w = 0;

		for (k = 0; k < pt->nterms; k++) {
			int d = ndigits(pt->terms[k].hi);

			if (pt->terms[k].width > d)
				d = pt->terms[k].width;
			if (d > w)
				w = d;
		}
		maxlen += pt->litlen + (size_t)w;
	}
	if (maxlen > FO_HOSTLIST_NAME_MAX)
		return fail(c, -E2BIG, "names made by '%s' would be longer than %d bytes",
			    quote(q, sizeof(q), s, len), FO_HOSTLIST_NAME_MAX);
	return 0;
}

/* Names of the item, saturating above FO_HOSTLIST_MAX. */
static unsigned long long item_count(const struct item *it)
{
	unsigned long long n = 1;
	size_t i;

	for (i = 0; i < it->nparts; i++) {
		unsigned long long k = it->parts[i].count;

		if (k == 0)
			return 0;
		if (n > (unsigned long long)FO_HOSTLIST_MAX / k + 1)
			return (unsigned long long)FO_HOSTLIST_MAX + 1;
		n *= k;
		if (n > FO_HOSTLIST_MAX)
			return (unsigned long long)FO_HOSTLIST_MAX + 1;
	}
	return n;
}

/* Every combination, leftmost bracket outermost (as ClusterShell). */
static int gen(struct ctx *c, const struct item *it, size_t k, char *buf, size_t len)
{
	const struct part *pt = &it->parts[k];
	size_t t;

	memcpy(buf + len, pt->lit, pt->litlen);
	len += pt->litlen;
	if (k == it->nparts - 1) {
		buf[len] = 0;
		return c->fn(c->arg, buf, len);
	}
	for (t = 0; t < pt->nterms; t++) {
		const struct term *tm = &pt->terms[t];
		unsigned long long v;

		for (v = tm->lo; v <= tm->hi; v += tm->step) {
			int n = snprintf(buf + len, FO_HOSTLIST_NAME_MAX + 1 - len, "%0*llu", tm->width, v);
			int r;

			if (n < 0 || len + (size_t)n > FO_HOSTLIST_NAME_MAX)
				return fail(c, -E2BIG, "a name longer than %d bytes", FO_HOSTLIST_NAME_MAX);
			r = gen(c, it, k + 1, buf, len + (size_t)n);
			if (r)
				return r;
		}
	}
	return 0;
}

static int do_list(struct ctx *c, const char *s, size_t len, bool in_file);

/* Why a host file could not be read, for people. */
static const char *read_error(int code, char *buf, size_t size)
{
	switch (code) {
	case -EFBIG:
		snprintf(buf, size, "larger than %zu MiB; split it, or write ranges such as core-[01-40]",
			 (size_t)(FO_HOSTLIST_FILE_MAX >> 20));
		return buf;
	case -ENOMEM:
		return "out of memory";
	case -EISDIR:
		return "it is a directory; expected a file of hosts, one per line";
	default:
		return strerror(-code);
	}
}

static int do_file(struct ctx *c, const char *path)
{
	char *buf = NULL, *p, *e, why[128];
	size_t len = 0;
	int r;

	if (c->file)
		return fail(c, -EINVAL, "'^%s' inside a host file; list the hosts there instead", path);
	r = fo__slurp_max(path, FO_HOSTLIST_FILE_MAX, &buf, &len);
	if (r < 0)
		return fail(c, r, "cannot read host file '%s': %s", path, read_error(r, why, sizeof(why)));
	c->file = path;
	c->line = 0;
	for (p = buf, e = buf + len; p < e && !r;) {
		char *nl = memchr(p, '\n', (size_t)(e - p)), *end = nl ? nl : e, *hash;

		c->line++;
		if ((hash = memchr(p, '#', (size_t)(end - p))))
			end = hash;
		if (memchr(p, 0, (size_t)(end - p)))
			r = fail(c, -EINVAL, "a NUL byte; expected text, one host per line");
		else
			r = do_list(c, p, (size_t)(end - p), true);
		p = nl ? nl + 1 : e;
	}
	c->file = NULL;
	free(buf);
	return r;
}

static bool is_sep(char ch)
{
	return ch == ',' || ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

/* The item at s makes the names pass the cap: of this list, or of the run. */
static int too_many(struct ctx *c, const char *s, size_t len)
{
	char q[QUOTE_MAX + 8];

	if (!c->used)
		return fail(c, -E2BIG, "'%s' makes more than %d names; narrow the ranges or split the run",
			    quote(q, sizeof(q), s, len), FO_HOSTLIST_MAX);
	return fail(c, -E2BIG,
		    "'%s' takes the host lists of this run past %d names in all (%zu before it; every -w, -x, "
		    "--limit and host file counts); split the hosts over several runs",
		    quote(q, sizeof(q), s, len), FO_HOSTLIST_MAX, c->used);
}

static int do_list(struct ctx *c, const char *s, size_t len, bool in_file)
{
	char q[QUOTE_MAX + 8];
	const char *p = s, *e = s + len;

	while (p < e) {
		const char *b;
		int depth = 0, r;

		while (p < e && is_sep(*p))
			p++;
		b = p;
		while (p < e && (depth || !is_sep(*p))) {
			if (*p == '[')
				depth = 1;
			else if (*p == ']')
				depth = 0;
			p++;
		}
		if (p == b)
			continue;
		if (*b == '^') {
			char *path;

			if (!(c->flags & FO_HOSTLIST_FILES))
				return fail(c, -EINVAL, "'%s': ^FILE is not allowed here",
					    quote(q, sizeof(q), b, (size_t)(p - b)));
			if (p - b == 1)
				return fail(c, -EINVAL, "'^' without a file name; write ^FILE");
			if (in_file)
				return fail(c, -EINVAL, "'%s' inside a host file; list the hosts there instead",
					    quote(q, sizeof(q), b, (size_t)(p - b)));
			path = strndup(b + 1, (size_t)(p - b - 1));
			if (!path)
				return fail(c, -ENOMEM, "out of memory");
			r = do_file(c, path);
			free(path);
		} else {
			struct item it;

			r = parse_item(c, &it, b, (size_t)(p - b));
			if (r == 0 && c->counting) {
				unsigned long long n = item_count(&it);

				if (n > FO_HOSTLIST_MAX - c->used - c->total)
					r = too_many(c, b, (size_t)(p - b));
				else
					c->total += (size_t)n;
			} else if (r == 0) {
				char buf[FO_HOSTLIST_NAME_MAX + 1];

				c->total += (size_t)item_count(&it);
				if (c->total > FO_HOSTLIST_MAX - c->used)
					r = fail(c, -E2BIG, "more than %d names (a host file grew?)",
						 FO_HOSTLIST_MAX);
				else
					r = gen(c, &it, 0, buf, 0);
			}
			item_free(&it);
		}
		if (r)
			return r;
	}
	return 0;
}

int fo_hostlist_expand_after(const char *list, unsigned flags, size_t used, fo_hostlist_fn fn, void *arg,
			     size_t *count, char *err, size_t errlen)
{
	char q[QUOTE_MAX + 8];
	struct ctx c = { .flags = flags, .counting = true, .err = err, .errlen = errlen };
	int r;

	if (err && errlen)
		err[0] = 0;
	c.used = used < FO_HOSTLIST_MAX ? used : FO_HOSTLIST_MAX;
	r = do_list(&c, list, strlen(list), false);
	if (r)
		return r;
	if (c.total == 0)
		return fail(&c, -EINVAL, "'%s' names no hosts", quote(q, sizeof(q), list, strlen(list)));
	if (count)
		*count = c.total;
	if (!fn)
		return 0;
	c.counting = false;
	c.total = 0;
	c.fn = fn;
	c.arg = arg;
	return do_list(&c, list, strlen(list), false);
}

int fo_hostlist_expand(const char *list, unsigned flags, fo_hostlist_fn fn, void *arg, char *err,
		       size_t errlen)
{
	return fo_hostlist_expand_after(list, flags, 0, fn, arg, NULL, err, errlen);
}

int fo_hostlist_count(const char *list, unsigned flags, size_t *count, char *err, size_t errlen)
{
	return fo_hostlist_expand_after(list, flags, 0, NULL, NULL, count, err, errlen);
}
