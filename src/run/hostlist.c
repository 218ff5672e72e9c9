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
 *
 * ClusterShell's set operators (a!b, a&b, a^b, left to right) make a list
 * an expression: it is then evaluated on sets, each operand expanded into
 * a hash set of its own and folded into the result, which hands its names
 * out in the order they entered it. Before that, the operands' names are
 * counted as a plain list would be, so that the cap bounds the work and the
 * memory an expression takes, not only its result. That costs a second
 * evaluation when a list is counted and then expanded (inventory loads do
 * both); lists without operators stay a stream, never held in memory.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
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
	char user[FO_HOSTLIST_NAME_MAX + 1]; /* user@ before the names, or "" */
	struct part parts[MAX_RANGES + 1];
	size_t nparts;
};

struct nset;

struct ctx {
	unsigned flags;
	bool counting;
	fo_hostlist_fn fn;
	fo_hostlist_user_fn ufn;
	void *arg;
	struct nset *into; /* an expression's operand being expanded: names go here */
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

/*
 * pdsh's USER@HOSTS: the user for every name of the item (pdsh splits at
 * the first '@' and takes the user as written, brackets and all; we refuse
 * brackets there rather than make a user of them). *p is moved past it.
 */
static int parse_user(struct ctx *c, struct item *it, const char **p)
{
	char q[QUOTE_MAX + 8];
	const char *at = memchr(it->s, '@', it->len);
	size_t n;

	if (!at)
		return 0;
	n = (size_t)(at - it->s);
	if (n == 0)
		return fail(c, -EINVAL,
			    "'%s': ClusterShell's @group is not supported; select groups with --group and a "
			    "nornir inventory",
			    quote(q, sizeof(q), it->s, it->len));
	if (!(c->flags & FO_HOSTLIST_USERS))
		return fail(c, -EINVAL, "'%s': a user (%.*s@) has no meaning here; write the host names alone",
			    quote(q, sizeof(q), it->s, it->len), (int)(n > QUOTE_MAX ? QUOTE_MAX : n), it->s);
	if (memchr(it->s, '[', n) || memchr(it->s, ']', n))
		return fail(c, -EINVAL, "'%s': brackets in the user; ranges go after the '@'",
			    quote(q, sizeof(q), it->s, it->len));
	if (n > FO_HOSTLIST_NAME_MAX)
		return fail(c, -EINVAL, "'%s': a user longer than %d bytes", quote(q, sizeof(q), it->s, it->len),
			    FO_HOSTLIST_NAME_MAX);
	if (n + 1 == it->len)
		return fail(c, -EINVAL, "'%s': no host after the '@'", quote(q, sizeof(q), it->s, it->len));
	if (memchr(at + 1, '@', it->len - n - 1))
		return fail(c, -EINVAL, "'%s': '@' in a host name; write USER@HOSTS with one '@'",
			    quote(q, sizeof(q), it->s, it->len));
	memcpy(it->user, it->s, n);
	it->user[n] = 0;
	*p = at + 1;
	return 0;
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
	r = parse_user(c, it, &p);
	if (r < 0)
		return r;
	lit = p;
	if (p < e && *p == '-')
		return fail(c, -EINVAL,
			    "'%s': a leading '-' is pdsh's exclusion, which fanout does not take; drop hosts with "
			    "LIST!NAME or -x NAME",
			    quote(q, sizeof(q), s, len));
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

/* ---- sets, for expressions --------------------------------------------------------------- */

/*
 * A set of names in the order they entered it, each with its user: the
 * names (and users) in one pool, an entry per name, a hash of the live
 * ones. A name dropped and added again gets a new entry at the end, so
 * that order is the order of entry. At most half full; FNV-1a.
 */
struct nent {
	size_t off;   /* name, NUL, user (or ""), NUL in the pool */
	uint32_t len; /* of the name */
	bool alive;
};

struct nset {
	char *pool;
	size_t plen, pcap;
	struct nent *e;
	size_t n, cap, alive;
	size_t *slot; /* entry + 1; 0 empty */
	size_t nslot;
};

static void nset_free(struct nset *s)
{
	free(s->pool);
	free(s->e);
	free(s->slot);
	memset(s, 0, sizeof(*s));
}

static uint64_t hash(const char *p, size_t len)
{
	uint64_t h = 1469598103934665603ULL;

	while (len--)
		h = (h ^ (unsigned char)*p++) * 1099511628211ULL;
	return h;
}

static const char *nent_name(const struct nset *s, const struct nent *e)
{
	return s->pool + e->off;
}

static const char *nent_user(const struct nset *s, const struct nent *e)
{
	const char *u = s->pool + e->off + e->len + 1;

	return *u ? u : NULL;
}

/* The slot of name: holding it, or the empty one where it would go. */
static size_t *nset_slot(const struct nset *s, const char *name, size_t len)
{
	size_t i = (size_t)hash(name, len) & (s->nslot - 1);

	for (;; i = (i + 1) & (s->nslot - 1)) {
		const struct nent *e;

		if (!s->slot[i])
			return &s->slot[i];
		e = &s->e[s->slot[i] - 1];
		if (e->len == len && !memcmp(nent_name(s, e), name, len))
			return &s->slot[i];
	}
}

static bool nset_has(const struct nset *s, const char *name, size_t len)
{
	size_t *sl;

	if (!s->nslot)
		return false;
	sl = nset_slot(s, name, len);
	return *sl && s->e[*sl - 1].alive;
}

static int nset_grow(struct nset *s)
{
	size_t n = s->nslot ? s->nslot * 2 : 64, i;
	size_t *old = s->slot, oldn = s->nslot;

	s->slot = calloc(n, sizeof(*s->slot));
	if (!s->slot) {
		s->slot = old;
		return -ENOMEM;
	}
	s->nslot = n;
	for (i = 0; i < oldn; i++)
		if (old[i]) {
			const struct nent *e = &s->e[old[i] - 1];

			*nset_slot(s, nent_name(s, e), e->len) = old[i];
		}
	free(old);
	return 0;
}

/* Adds name unless the set holds it (the first user stays): 0 or -ENOMEM. */
static int nset_add(struct nset *s, const char *name, size_t len, const char *user)
{
	size_t ulen = user ? strlen(user) : 0, *sl;
	struct nent *e;

	if ((s->n + 1) * 2 > s->nslot && nset_grow(s) < 0)
		return -ENOMEM;
	sl = nset_slot(s, name, len);
	if (*sl && s->e[*sl - 1].alive)
		return 0;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		struct nent *ne = realloc(s->e, cap * sizeof(*ne));

		if (!ne)
			return -ENOMEM;
		s->e = ne;
		s->cap = cap;
	}
	if (s->pcap - s->plen < len + ulen + 2) {
		size_t cap = s->pcap ? s->pcap : 4096;
		char *np;

		while (cap - s->plen < len + ulen + 2)
			cap *= 2;
		np = realloc(s->pool, cap);
		if (!np)
			return -ENOMEM;
		s->pool = np;
		s->pcap = cap;
	}
	e = &s->e[s->n];
	e->off = s->plen;
	e->len = (uint32_t)len;
	e->alive = true;
	memcpy(s->pool + s->plen, name, len);
	s->pool[s->plen + len] = 0;
	memcpy(s->pool + s->plen + len + 1, user ? user : "", ulen + 1);
	s->plen += len + ulen + 2;
	*sl = ++s->n; /* a dead entry of the same name is forgotten */
	s->alive++;
	return 0;
}

static void nset_drop(struct nset *s, const char *name, size_t len)
{
	size_t *sl;

	if (!s->nslot)
		return;
	sl = nset_slot(s, name, len);
	if (*sl && s->e[*sl - 1].alive) {
		s->e[*sl - 1].alive = false;
		s->alive--;
	}
}

/* acc = acc OP r, ClusterShell's update, difference_update,
 * intersection_update and symmetric_difference_update. */
static int nset_apply(struct nset *acc, char op, const struct nset *r)
{
	size_t i;
	int err;

	for (i = 0; i < (op == '&' ? acc->n : r->n); i++) {
		const struct nset *s = op == '&' ? acc : r;
		const struct nent *e = &s->e[i];
		const char *name = nent_name(s, e);

		if (!e->alive)
			continue;
		switch (op) {
		case '&':
			if (!nset_has(r, name, e->len)) {
				acc->e[i].alive = false;
				acc->alive--;
			}
			break;
		case '!':
			nset_drop(acc, name, e->len);
			break;
		case '^':
			if (nset_has(acc, name, e->len)) {
				nset_drop(acc, name, e->len);
				break;
			}
			/* fall through */
		default:
			if ((err = nset_add(acc, name, e->len, nent_user(r, e))) < 0)
				return err;
		}
	}
	return 0;
}

/* ---- expansion ----------------------------------------------------------------------------- */

/* A name made: into the set being built, else to the caller. */
static int emit(struct ctx *c, const char *name, size_t len, const char *user)
{
	if (c->into) {
		int r = nset_add(c->into, name, len, user);

		return r < 0 ? fail(c, r, "out of memory") : 0;
	}
	if (c->ufn)
		return c->ufn(c->arg, name, len, user);
	return c->fn(c->arg, name, len);
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
		return emit(c, buf, len, it->user[0] ? it->user : NULL);
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

/* One operand of a list, an item or a ^FILE, and the operator before it. */
struct tok {
	const char *b;
	size_t len;
	char op; /* ',' (a union, and the first operand), '!', '&', '^' */
};

static bool ends_operand(char ch)
{
	return is_sep(ch) || ch == '!' || ch == '&' || ch == '^';
}

/*
 * The next operand at *pp: 1, 0 at the end, or -EINVAL. first: no operand
 * before it in this list. '!' and '&' may stand between blanks; '^' is
 * the exclusive-or only right after a name (a^b): at the start of an item
 * (the list's, or after a comma, a blank or an operator) it is pdsh's
 * ^FILE. ClusterShell refuses a '^' there, so no list of its means
 * something else here.
 */
static int next_tok(struct ctx *c, const char **pp, const char *s, const char *e, bool first, struct tok *t)
{
	char q[QUOTE_MAX + 8];
	const char *p = *pp;
	bool comma = false, blank = false;
	char op = 0;
	int depth = 0;

	for (;;) {
		for (; p < e && is_sep(*p); p++) {
			if (*p == ',')
				comma = true;
			else
				blank = true;
		}
		if (p < e && (*p == '!' || *p == '&' || (*p == '^' && !comma && !blank && !op && !first))) {
			if (op)
				return fail(c, -EINVAL, "'%c' right after '%c' in '%s'", *p, op,
					    quote(q, sizeof(q), s, (size_t)(e - s)));
			if (first || comma)
				return fail(c, -EINVAL, "'%c' with no hosts on its left in '%s'", *p,
					    quote(q, sizeof(q), s, (size_t)(e - s)));
			op = *p++;
			blank = false;
			continue;
		}
		if (op && (p == e || comma))
			return fail(c, -EINVAL, "'%c' with no hosts on its right in '%s'", op,
				    quote(q, sizeof(q), s, (size_t)(e - s)));
		break;
	}
	*pp = p;
	if (p == e)
		return 0;
	t->b = p;
	t->op = op ? op : ',';
	if (*p == '^')
		p++;
	while (p < e && (depth || !ends_operand(*p))) {
		if (*p == '[')
			depth = 1;
		else if (*p == ']')
			depth = 0;
		p++;
	}
	t->len = (size_t)(p - t->b);
	*pp = p;
	return 1;
}

/* An operand's names: a ^FILE's, or an item's. */
static int do_operand(struct ctx *c, const struct tok *t, bool in_file)
{
	char q[QUOTE_MAX + 8];
	const char *b = t->b;
	size_t n = t->len;
	struct item it;
	int r;

	if (*b == '^') {
		char *path;

		if (!(c->flags & FO_HOSTLIST_FILES))
			return fail(c, -EINVAL, "'%s': ^FILE is not allowed here", quote(q, sizeof(q), b, n));
		if (n == 1)
			return fail(c, -EINVAL,
				    "'^' without a file name; write ^FILE (or a^b, without blanks, for the "
				    "exclusive-or)");
		if (in_file)
			return fail(c, -EINVAL, "'%s' inside a host file; list the hosts there instead",
				    quote(q, sizeof(q), b, n));
		path = strndup(b + 1, n - 1);
		if (!path)
			return fail(c, -ENOMEM, "out of memory");
		r = do_file(c, path);
		free(path);
		return r;
	}
	r = parse_item(c, &it, b, n);
	if (r == 0 && c->counting) {
		unsigned long long k = item_count(&it);

		if (k > FO_HOSTLIST_MAX - c->used - c->total)
			r = too_many(c, b, n);
		else
			c->total += (size_t)k;
	} else if (r == 0) {
		char buf[FO_HOSTLIST_NAME_MAX + 1];

		c->total += (size_t)item_count(&it);
		if (c->total > FO_HOSTLIST_MAX - c->used)
			r = fail(c, -E2BIG, "more than %d names (a host file grew?)", FO_HOSTLIST_MAX);
		else
			r = gen(c, &it, 0, buf, 0);
	}
	item_free(&it);
	return r;
}

/*
 * A list with set operators, left to right as ClusterShell's parser takes
 * them (no precedence: a,b!c is (a,b)!c). Counting, the operands' names
 * go against the cap first, as a plain list's would.
 */
static int do_expr(struct ctx *c, const char *s, size_t len, bool in_file)
{
	struct nset acc = { 0 }, opd = { 0 };
	struct ctx sub = *c;
	const char *p = s, *e = s + len;
	size_t before = c->total, i;
	struct tok t;
	int r;

	if (c->counting) {
		for (r = 0; !r && next_tok(c, &p, s, e, p == s, &t) > 0;)
			r = do_operand(c, &t, in_file);
		if (r)
			return r;
		c->total = before;
	}
	sub.counting = false;
	sub.into = &opd;
	for (p = s, r = 0; !r && next_tok(&sub, &p, s, e, p == s, &t) > 0;) {
		r = do_operand(&sub, &t, in_file);
		if (!r && nset_apply(&acc, t.op, &opd) < 0)
			r = fail(c, -ENOMEM, "out of memory");
		nset_free(&opd);
	}
	if (r)
		goto out;
	if (c->counting) {
		if (acc.alive > FO_HOSTLIST_MAX - c->used - c->total)
			r = too_many(c, s, len);
		else
			c->total += acc.alive;
		goto out;
	}
	c->total += acc.alive;
	if (c->total > FO_HOSTLIST_MAX - c->used) {
		r = fail(c, -E2BIG, "more than %d names (a host file grew?)", FO_HOSTLIST_MAX);
		goto out;
	}
	for (i = 0; i < acc.n && !r; i++)
		if (acc.e[i].alive)
			r = emit(c, nent_name(&acc, &acc.e[i]), acc.e[i].len, nent_user(&acc, &acc.e[i]));
out:
	nset_free(&acc);
	nset_free(&opd);
	return r;
}

static int do_list(struct ctx *c, const char *s, size_t len, bool in_file)
{
	const char *p = s, *e = s + len;
	struct tok t;
	int r;

	/* the whole list is read first: a syntax error hands out nothing */
	while ((r = next_tok(c, &p, s, e, p == s, &t)) > 0)
		if (t.op != ',')
			return do_expr(c, s, len, in_file);
	for (p = s; !r && (r = next_tok(c, &p, s, e, p == s, &t)) > 0;)
		r = do_operand(c, &t, in_file);
	return r;
}

static int expand(const char *list, unsigned flags, size_t used, fo_hostlist_fn fn, fo_hostlist_user_fn ufn,
		  void *arg, size_t *count, char *err, size_t errlen)
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
	if (!fn && !ufn)
		return 0;
	c.counting = false;
	c.total = 0;
	c.fn = fn;
	c.ufn = ufn;
	c.arg = arg;
	return do_list(&c, list, strlen(list), false);
}

int fo_hostlist_expand_after(const char *list, unsigned flags, size_t used, fo_hostlist_fn fn, void *arg,
			     size_t *count, char *err, size_t errlen)
{
	return expand(list, flags, used, fn, NULL, arg, count, err, errlen);
}

int fo_hostlist_expand_users(const char *list, unsigned flags, size_t used, fo_hostlist_user_fn fn, void *arg,
			     size_t *count, char *err, size_t errlen)
{
	return expand(list, flags | FO_HOSTLIST_USERS, used, NULL, fn, arg, count, err, errlen);
}

int fo_hostlist_expand(const char *list, unsigned flags, fo_hostlist_fn fn, void *arg, char *err,
		       size_t errlen)
{
	return expand(list, flags, 0, fn, NULL, arg, NULL, err, errlen);
}

int fo_hostlist_count(const char *list, unsigned flags, size_t *count, char *err, size_t errlen)
{
	return expand(list, flags, 0, NULL, NULL, NULL, count, err, errlen);
}
