/*
 * The bounded reader of --json lines (jline.h): a recursive-descent
 * check of RFC 8259's grammar with a depth limit, which records where the
 * members merge reads stand. O(n) in the line, no allocation: merge reads
 * a line of 28,000 hosts' runs once to account for its host, and again
 * only to write it or its files.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "../util/json.h"
#include "jline.h"

struct rd {
	const char *p, *end;
};

static void ws(struct rd *r)
{
	while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
		r->p++;
}

static bool hex4(const char *p, const char *end)
{
	int i;

	if (end - p < 4)
		return false;
	for (i = 0; i < 4; i++)
		if (!strchr("0123456789abcdefABCDEF", p[i]) || !p[i])
			return false;
	return true;
}

/* Bytes a string's scan stops at: '"', '\\' and the controls; and the
 * letters a '\\' may escape ('u' is checked apart). */
static const bool stop[256] = { [0 ... 0x1f] = true, ['"'] = true, ['\\'] = true };
static const bool esc[256] = { ['"'] = true, ['\\'] = true, ['/'] = true, ['b'] = true,
			       ['f'] = true, ['n'] = true, ['r'] = true, ['t'] = true };

#define ONES  UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)

/* The bytes of w (little-endian) that stop a string's scan, as their
 * high bits: the classic "has a zero byte" and "has a byte below n" tests,
 * 8 bytes at once. A borrow can mark a byte above a true one, never the
 * lowest: so the lowest bit set is the first stop. */
static inline uint64_t word_stops(uint64_t w)
{
	uint64_t q = w ^ (ONES * '"'), b = w ^ (ONES * '\\');

	return (((q - ONES) & ~q) | ((b - ONES) & ~b) | ((w - ONES * 0x20) & ~w)) & HIGHS;
}

/* A string at r->p ('"'): true, r->p after it. Most of a run's output
 * is plain text: it goes by 8 bytes at a time. */
static bool str(struct rd *r)
{
	const char *p = r->p + 1;

	while (p < r->end) {
		unsigned char c;

		while (r->end - p >= 8) {
			uint64_t w, m;

			memcpy(&w, p, 8);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
			if ((m = word_stops(w))) {
				p += __builtin_ctzll(m) >> 3;
				goto found;
			}
#else
			if ((m = word_stops(w)))
				break;
#endif
			p += 8;
		}
		while (p < r->end && !stop[(unsigned char)*p])
			p++;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
found:
#endif
		if (p >= r->end)
			break;
		c = (unsigned char)*p;
		if (c == '"') {
			r->p = p + 1;
			return true;
		}
		if (c != '\\')
			return false; /* a control character */
		if (p + 1 >= r->end)
			return false;
		if (p[1] == 'u') {
			if (!hex4(p + 2, r->end))
				return false;
			p += 6;
		} else if (esc[(unsigned char)p[1]]) {
			p += 2;
		} else {
			return false;
		}
	}
	return false;
}

static bool digits(struct rd *r)
{
	const char *s = r->p;

	while (r->p < r->end && *r->p >= '0' && *r->p <= '9')
		r->p++;
	return r->p > s;
}

static bool num(struct rd *r)
{
	if (r->p < r->end && *r->p == '-')
		r->p++;
	if (r->p < r->end && *r->p == '0')
		r->p++;
	else if (!digits(r))
		return false;
	if (r->p < r->end && *r->p == '.') {
		r->p++;
		if (!digits(r))
			return false;
	}
	if (r->p < r->end && (*r->p == 'e' || *r->p == 'E')) {
		r->p++;
		if (r->p < r->end && (*r->p == '+' || *r->p == '-'))
			r->p++;
		if (!digits(r))
			return false;
	}
	return true;
}

static bool lit(struct rd *r, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(r->end - r->p) < n || memcmp(r->p, w, n))
		return false;
	r->p += n;
	return true;
}

/* A member's value being read, and who wants to know about it. */
typedef bool (*member_fn)(void *arg, const char *key, size_t klen, const struct fo_jspan *v);

static bool value(struct rd *r, int depth, member_fn fn, void *arg);

/* An object at r->p ('{'): each member's value reported to fn. */
static bool object(struct rd *r, int depth, member_fn fn, void *arg)
{
	r->p++;
	ws(r);
	if (r->p < r->end && *r->p == '}') {
		r->p++;
		return true;
	}
	for (;;) {
		const char *k;
		struct fo_jspan v;

		if (r->p >= r->end || *r->p != '"')
			return false;
		k = r->p + 1;
		if (!str(r))
			return false;
		size_t klen = (size_t)(r->p - 1 - k);

		ws(r);
		if (r->p >= r->end || *r->p != ':')
			return false;
		r->p++;
		ws(r);
		v.p = r->p;
		if (!value(r, depth + 1, NULL, NULL))
			return false;
		v.n = (size_t)(r->p - v.p);
		if (fn && !fn(arg, k, klen, &v))
			return false;
		ws(r);
		if (r->p < r->end && *r->p == ',') {
			r->p++;
			ws(r);
			continue;
		}
		if (r->p < r->end && *r->p == '}') {
			r->p++;
			return true;
		}
		return false;
	}
}

static bool array(struct rd *r, int depth)
{
	r->p++;
	ws(r);
	if (r->p < r->end && *r->p == ']') {
		r->p++;
		return true;
	}
	for (;;) {
		if (!value(r, depth + 1, NULL, NULL))
			return false;
		ws(r);
		if (r->p < r->end && *r->p == ',') {
			r->p++;
			ws(r);
			continue;
		}
		if (r->p < r->end && *r->p == ']') {
			r->p++;
			return true;
		}
		return false;
	}
}

static bool value(struct rd *r, int depth, member_fn fn, void *arg)
{
	if (depth > FO_JLINE_DEPTH || r->p >= r->end)
		return false;
	switch (*r->p) {
	case '{': return object(r, depth, fn, arg);
	case '[': return array(r, depth);
	case '"': return str(r);
	case 't': return lit(r, "true");
	case 'f': return lit(r, "false");
	case 'n': return lit(r, "null");
	default: return num(r);
	}
}

static bool key_is(const char *k, size_t klen, const char *want)
{
	return strlen(want) == klen && !memcmp(k, want, klen);
}

static bool is_str(const struct fo_jspan *v)
{
	return v->n >= 2 && v->p[0] == '"';
}

/* A whole number in [0, 2^62), or -1. */
static long long whole(const struct fo_jspan *v)
{
	long long x = 0;
	size_t i;

	if (!v->n || v->n > 18)
		return -1;
	for (i = 0; i < v->n; i++) {
		if (v->p[i] < '0' || v->p[i] > '9')
			return -1;
		x = x * 10 + (v->p[i] - '0');
	}
	return x;
}

/* A result's members, onto the host's line (first error, counts). */
static bool res_member(void *arg, const char *k, size_t klen, const struct fo_jspan *v)
{
	struct fo_jres *res = arg;

	if (key_is(k, klen, "command"))
		res->command = *v;
	else if (key_is(k, klen, "status"))
		res->status = *v;
	else if (key_is(k, klen, "output"))
		res->output = *v;
	else if (key_is(k, klen, "parsed"))
		res->parsed = *v;
	else if (key_is(k, klen, "diff"))
		res->diff = *v;
	return true;
}

struct res_scan {
	struct fo_jline *l;
	struct fo_jspan error;
};

static bool res_error(void *arg, const char *k, size_t klen, const struct fo_jspan *v)
{
	struct res_scan *s = arg;

	if (key_is(k, klen, "error") && is_str(v))
		s->error = *v;
	else if (key_is(k, klen, "parsed"))
		s->l->nparsed++;
	else if (key_is(k, klen, "parse_error"))
		s->l->nparse_error++;
	return true;
}

/* "results": an array of objects; each one's error and parse keys noted. */
static bool results(struct fo_jline *l, const struct fo_jspan *v)
{
	struct rd r = { v->p, v->p + v->n };

	if (*r.p != '[')
		return false;
	r.p++;
	ws(&r);
	if (r.p < r.end && *r.p == ']')
		return true;
	for (;;) {
		struct res_scan s = { l, { NULL, 0 } };

		if (r.p >= r.end || *r.p != '{' || !object(&r, 2, res_error, &s))
			return false;
		if (!l->error.p && s.error.p)
			l->error = s.error;
		ws(&r);
		if (r.p < r.end && *r.p == ',') {
			r.p++;
			ws(&r);
			continue;
		}
		return r.p < r.end && *r.p == ']';
	}
}

static bool line_member(void *arg, const char *k, size_t klen, const struct fo_jspan *v)
{
	struct fo_jline *l = arg;

	if (key_is(k, klen, "status"))
		l->status = *v;
	else if (key_is(k, klen, "host"))
		l->host = *v;
	else if (key_is(k, klen, "hostname"))
		l->hostname = *v;
	else if (key_is(k, klen, "out_error"))
		l->out_error = *v;
	else if (key_is(k, klen, "results"))
		l->results = *v;
	else if (key_is(k, klen, "ms"))
		l->ms = whole(v);
	else if (key_is(k, klen, "attempts"))
		l->attempts = whole(v);
	else if (key_is(k, klen, "port"))
		l->port = whole(v);
	else
		return true;
	/* the members merge decodes must be strings, "results" an array */
	if (key_is(k, klen, "results"))
		return v->p[0] == '[';
	return key_is(k, klen, "ms") || key_is(k, klen, "attempts") || key_is(k, klen, "port") || is_str(v);
}

int fo__jline_parse(const char *line, size_t n, struct fo_jline *l)
{
	struct rd r = { line, line + n };

	memset(l, 0, sizeof(*l));
	l->ms = l->attempts = l->port = -1;
	ws(&r);
	if (r.p >= r.end || *r.p != '{' || !object(&r, 1, line_member, l))
		return -EINVAL;
	ws(&r);
	if (r.p != r.end)
		return -EINVAL;
	l->nparsed = l->nparse_error = 0;
	if (l->results.p && !results(l, &l->results))
		return -EINVAL;
	return 0;
}

int fo__jline_next_result(const struct fo_jline *l, const char **at, struct fo_jres *res)
{
	struct rd r;

	memset(res, 0, sizeof(*res));
	if (!l->results.p)
		return 0;
	r.p = *at ? *at : l->results.p + 1;
	r.end = l->results.p + l->results.n;
	ws(&r);
	if (r.p < r.end && *r.p == ',') {
		r.p++;
		ws(&r);
	}
	if (r.p >= r.end || *r.p != '{' || !object(&r, 2, res_member, res))
		return 0;
	*at = r.p;
	return 1;
}

int fo__jspan_str(const struct fo_jspan *s, struct fo_sbuf *b, size_t max)
{
	if (!is_str(s))
		return -EINVAL;
	fo__json_unstr(b, s->p + 1, max);
	return b->oom ? -ENOMEM : 0;
}

bool fo__jspan_is(const struct fo_jspan *s, const char *lit_)
{
	size_t n = strlen(lit_);

	return s->n == n + 2 && s->p[0] == '"' && !memcmp(s->p + 1, lit_, n);
}
