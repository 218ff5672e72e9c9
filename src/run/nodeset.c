/*
 * Host-set folding as ClusterShell 1.9's `nodeset -f` does it (nodeset.h).
 *
 * ClusterShell's rules, as NodeSet.py and RangeSet.py apply them, and how
 * they are met here:
 *  - A name is cut by the regex (\D*)(\d*): every run of digits is an
 *    index; the text around them, with `%` doubled and `%s` for each run,
 *    is the pattern. Names are grouped by pattern; patterns are written in
 *    the order of those strings (Python's str order, which is UTF-8 byte
 *    order), separated by commas. A name without digits is its own
 *    pattern, written as it is.
 *  - Indexes are kept as the strings written (v1.9 mixed padding): sorted
 *    by (length, string); a range is a run of them in that order each one
 *    more than the one before, all of the first's length when that is
 *    zero-padded ("09" then "10" join; "9" and "09" never do), none padded
 *    when it is not. That is what RangeSet._slices_padding yields with
 *    autostep off (nodeset's default), its step states taken out.
 *  - A pattern with one index is one range set, in brackets when it holds
 *    more than one index: `r[1-3,7]`.
 *  - With several indexes (RangeSetND), names that differ in one index at
 *    most fold into one vector, a range set per index. Otherwise every
 *    point is a vector of its own and ClusterShell's merge runs: sort the
 *    vectors (more names first, then per index: larger set first, lower
 *    first and last index first, comparing indexes as strings), merge
 *    each with the following ones while they differ in one index only
 *    (disjoint there: their union; nested: the larger), cheap passes
 *    until nothing changes, then full passes that try every pair. It is
 *    ported as it is, stable sort included, so that the same vectors come
 *    out in the same order. Its cost: O(n log n) for the points, then the
 *    cheap passes, each O(m log m) for the m vectors left, then the full
 *    passes, O(m^2). For grids, their subsets by rack or by node, and
 *    even a 3-index scatter of 28,000 names in 125,000, m is small by
 *    then and 28,000 names fold in 5 to 50 ms (nodeset: 2 to 20 s).
 *
 * The one corner where we stop short of nodeset, on purpose: when more
 * than FULL_PASS_MAX vectors are left after the cheap passes (a sparse
 * scatter over several indexes: 3,000 random names in a 1000^3 cube),
 * the full passes are skipped and those vectors are written as they are.
 * The result is still exact as a set and as short as the cheap passes
 * made it, but it may hold vectors that nodeset would have merged; nodeset
 * takes 45 s on those 3,000 names and hours on 28,000, where the full
 * passes would take us 5 s.
 *
 * Where we differ from ClusterShell, on purpose: only ASCII digits are
 * indexes (Python's \d takes any Unicode digit), and an index of more than
 * 100 digits folds here where ClusterShell refuses it.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/sbuf.h"
#include "nodeset.h"

#define NAME_MAX_LEN  255
#define FULL_PASS_MAX 2000 /* vectors left for the quadratic passes: 2M pairs, some 30 ms */

struct name {
	const char *s;
	uint32_t len;
	uint32_t pat; /* offset of its pattern in the pattern pool */
	uint32_t nd;  /* digit runs */
	uint32_t run; /* its first run in the run table */
};

struct run {
	uint16_t off, len;
};

/* The indexes of one dimension of one pattern: id i is the i-th distinct
 * string in (length, string) order; lex[i] its rank in string order. */
struct dim {
	const char **s;
	uint16_t *len;
	uint32_t *lex;
	uint32_t n;
};

/* A range set: ids, ascending. cap > 0: v is this set's own, with room
 * for cap ids, and may grow in place. */
struct rs {
	uint32_t *v;
	uint32_t n, cap;
};

/* A vector: a range set per dimension, and how many names it holds.
 * owned: made by a merge, so that the next merge may change it in place
 * (a merged vector's two parents are dropped: nothing else points at it
 * or at its sets). */
struct vec {
	size_t size;
	bool owned;
	struct rs d[];
};

/* A chunk of the arena that holds a pattern's tables and vectors. */
struct chunk {
	struct chunk *prev;
	size_t used, cap;
	max_align_t data[];
};

struct fold {
	struct name *names;
	size_t n;
	struct run *runs;
	struct fo_sbuf pats;
	struct fo_sbuf out;
	struct chunk *arena; /* freed after each pattern */
	bool oom;
};

#define CHUNK_FIRST ((size_t)16 << 10) /* then doubling, up to */
#define CHUNK_MAX   ((size_t)1 << 20)

/* n bytes from the arena (a merge makes a vector and a set at each step:
 * malloc and free for each cost more than the merging). NULL and oom set
 * when memory runs out. */
static void *alloc(struct fold *f, size_t n)
{
	struct chunk *c = f->arena;
	size_t cap;

	n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
	if (!c || c->cap - c->used < n) {
		cap = !c ? CHUNK_FIRST : c->cap >= CHUNK_MAX ? CHUNK_MAX : c->cap * 2;
		cap = n > cap ? n : cap;
		c = malloc(sizeof(*c) + cap);
		if (!c) {
			f->oom = true;
			return NULL;
		}
		c->prev = f->arena;
		c->used = 0;
		c->cap = cap;
		f->arena = c;
	}
	c->used += n;
	return (char *)c->data + c->used - n;
}

static void arena_free(struct fold *f)
{
	struct chunk *c;

	while ((c = f->arena)) {
		f->arena = c->prev;
		free(c);
	}
}

/* ---- names into patterns ----------------------------------------------------------------- */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static const char *bad_name(const char *s, size_t len)
{
	size_t i;

	if (!len)
		return "it is empty";
	if (len > NAME_MAX_LEN)
		return "it is longer than 255 bytes";
	if (s[0] == '^')
		return "it starts with '^'";
	if (s[0] == '-')
		return "it starts with '-'"; /* pdsh's exclusion, refused by hostlist.c */
	for (i = 0; i < len; i++) {
		if (s[i] == ',')
			return "it holds a comma";
		/* the expander reads these as ClusterShell's set operators and
		 * pdsh's USER@: folded, such a name would come back as others */
		if (s[i] == '!' || s[i] == '&' || s[i] == '^')
			return "it holds a set operator (! & ^)";
		if (s[i] == '@')
			return "it holds an '@'";
		if (s[i] == '[' || s[i] == ']')
			return "it holds a bracket";
		if (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r'))
			return "it holds a blank";
	}
	return NULL;
}

/* ---- range sets ----------------------------------------------------------------------------- */

/* Is b's value a's plus one? (Digit strings, leading zeros allowed.) */
static bool is_succ(const char *a, size_t al, const char *b, size_t bl)
{
	char buf[NAME_MAX_LEN + 2];
	size_t i, n;

	while (al && *a == '0')
		a++, al--;
	while (bl && *b == '0')
		b++, bl--;
	if (bl != al && bl != al + 1)
		return false;
	memcpy(buf + 1, a, al);
	for (i = al; i > 0 && buf[i] == '9'; i--)
		buf[i] = '0';
	if (i == 0) {
		buf[0] = '1';
		n = al + 1;
		return n == bl && !memcmp(buf, b, bl);
	}
	buf[i]++;
	return al == bl && !memcmp(buf + 1, b, bl);
}

static bool padded(const struct dim *t, uint32_t id)
{
	return t->len[id] > 1 && t->s[id][0] == '0';
}

/* A range set as RangeSet.__str__ writes it: "1-3,7,09-11". */
static void rs_str(struct fo_sbuf *b, const struct dim *t, const struct rs *r)
{
	uint32_t i = 0, start, a, c;

	while (i < r->n) {
		start = i;
		for (; i + 1 < r->n; i++) {
			a = r->v[i], c = r->v[i + 1];
			if (!is_succ(t->s[a], t->len[a], t->s[c], t->len[c]))
				break;
			if (padded(t, r->v[start]) ? t->len[c] != t->len[r->v[start]] : padded(t, c))
				break;
		}
		if (start)
			fo_sbuf_add(b, ",", 1);
		fo_sbuf_add(b, t->s[r->v[start]], t->len[r->v[start]]);
		if (i > start) {
			fo_sbuf_add(b, "-", 1);
			fo_sbuf_add(b, t->s[r->v[i]], t->len[r->v[i]]);
		}
		i++;
	}
}

static bool rs_eq(const struct rs *a, const struct rs *b)
{
	/* most sets in a full pass are one index: no memcmp for those */
	if (a->n != b->n || a->v[0] != b->v[0] || a->v[a->n - 1] != b->v[b->n - 1])
		return false;
	return a->n <= 2 || a->v == b->v || !memcmp(a->v + 1, b->v + 1, (a->n - 2) * sizeof(*a->v));
}

static bool rs_disjoint(const struct rs *a, const struct rs *b)
{
	uint32_t i = 0, j = 0;

	while (i < a->n && j < b->n) {
		if (a->v[i] == b->v[j])
			return false;
		if (a->v[i] < b->v[j])
			i++;
		else
			j++;
	}
	return true;
}

/* a a subset of b? */
static bool rs_sub(const struct rs *a, const struct rs *b)
{
	uint32_t i = 0, j = 0;

	if (a->n > b->n)
		return false;
	while (i < a->n && j < b->n) {
		if (a->v[i] == b->v[j])
			i++, j++;
		else if (a->v[i] > b->v[j])
			j++;
		else
			return false;
	}
	return i == a->n;
}

/* x = x | y. In place when x has room: merged from the back, so that the
 * ids past y's last are not even touched (a row of a grid grows by one
 * index at each merge). */
static void rs_union(struct fold *f, struct rs *x, const struct rs *y)
{
	uint32_t need = x->n + y->n, *v, i, j, k;

	if (x->cap < need) {
		uint32_t cap = need * 2;

		v = alloc(f, (size_t)cap * sizeof(*v));
		if (!v)
			return;
		memcpy(v, x->v, x->n * sizeof(*v));
		x->v = v;
		x->cap = cap;
	}
	/* the union's length first (common ids count once), then from the back */
	for (i = 0, j = 0, k = 0; i < x->n && j < y->n;)
		if (x->v[i] == y->v[j])
			i++, j++, k++;
		else if (x->v[i] < y->v[j])
			i++;
		else
			j++;
	need -= k;
	i = x->n, j = y->n, k = need;
	while (j > 0) {
		if (i > 0 && x->v[i - 1] > y->v[j - 1])
			x->v[--k] = x->v[--i];
		else if (i > 0 && x->v[i - 1] == y->v[j - 1])
			x->v[--k] = x->v[--i], j--;
		else
			x->v[--k] = y->v[--j];
	}
	x->n = need;
}

/* ---- the multivariate merge (RangeSetND._fold_multivariate_merge) ------------------------------ */

/* RangeSetND._sort's key, a before b? */
static int vec_cmp(const struct vec *a, const struct vec *b, const struct dim *t, uint32_t nd)
{
	uint32_t i;

	if (a->size != b->size)
		return a->size > b->size ? -1 : 1;
	for (i = 0; i < nd; i++) {
		const struct rs *x = &a->d[i], *y = &b->d[i];

		if (x->n != y->n)
			return x->n > y->n ? -1 : 1;
		if (t[i].lex[x->v[0]] != t[i].lex[y->v[0]])
			return t[i].lex[x->v[0]] < t[i].lex[y->v[0]] ? -1 : 1;
		if (t[i].lex[x->v[x->n - 1]] != t[i].lex[y->v[y->n - 1]])
			return t[i].lex[x->v[x->n - 1]] < t[i].lex[y->v[y->n - 1]] ? -1 : 1;
	}
	return 0;
}

/* Python's sort is stable: a merge sort, tmp as long as v. */
static void vec_sort(struct vec **v, struct vec **tmp, size_t n, const struct dim *t, uint32_t nd)
{
	size_t h = n / 2, i = 0, j = h, k = 0;

	if (n < 2)
		return;
	vec_sort(v, tmp, h, t, nd);
	vec_sort(v + h, tmp, n - h, t, nd);
	if (vec_cmp(v[h - 1], v[h], t, nd) <= 0)
		return;
	while (i < h && j < n)
		tmp[k++] = vec_cmp(v[j], v[i], t, nd) < 0 ? v[j++] : v[i++];
	while (i < h)
		tmp[k++] = v[i++];
	while (j < n)
		tmp[k++] = v[j++];
	memcpy(v, tmp, n * sizeof(*v));
}

/* Merges b into a when they differ in one dimension at most: the merged
 * vector (a itself when a is owned), or NULL. */
static struct vec *vec_merge(struct fold *f, struct vec *a, const struct vec *b, uint32_t nd)
{
	uint32_t i, pos = 0, diff = 0;
	bool uni = false;
	struct vec *m;

	for (i = 0; i < nd; i++) {
		const struct rs *x = &a->d[i], *y = &b->d[i];

		if (rs_eq(x, y))
			continue;
		if (++diff > 1)
			return NULL;
		pos = i;
		if (rs_disjoint(x, y))
			uni = true;
		else if (!(x->n > y->n && rs_sub(y, x)) && !(x->n < y->n && rs_sub(x, y)))
			return NULL; /* they overlap: ClusterShell leaves them */
	}
	if (a->owned) {
		m = (struct vec *)a;
	} else {
		m = alloc(f, sizeof(*m) + nd * sizeof(m->d[0]));
		if (!m)
			return NULL;
		memcpy(m->d, a->d, nd * sizeof(m->d[0]));
		m->owned = true;
	}
	if (diff) {
		if (uni)
			rs_union(f, &m->d[pos], &b->d[pos]);
		else if (b->d[pos].n > a->d[pos].n)
			m->d[pos] = b->d[pos];
	}
	m->size = 1;
	for (i = 0; i < nd; i++)
		m->size *= m->d[i].n;
	return m;
}

/*
 * The passes. Python pops merged vectors out of its list (a memmove each,
 * quadratic for a big grid); here they are unlinked from a list of the
 * live ones instead and the array is compacted before the next sort,
 * which visits the vectors in the same order.
 */
static void merge(struct fold *f, struct vec **v, size_t *np, const struct dim *t, uint32_t nd)
{
	struct vec **tmp = alloc(f, *np * sizeof(*tmp)), *item1, *m;
	size_t *next = alloc(f, (*np + 1) * sizeof(*next));
	size_t n = *np, i1, i2, prev, k, i;
	bool full = false, chg = true;

	if (!tmp || !next)
		return;
	while (chg && !f->oom) {
		chg = false;
		vec_sort(v, tmp, n, t, nd);
		for (i = 0; i < n; i++)
			next[i] = i + 1; /* n: the end */
		for (i1 = 0; i1 < n && !f->oom; i1 = next[i1]) {
			item1 = v[i1];
			for (prev = i1, i2 = next[i1]; i2 < n; i2 = next[prev]) {
				m = vec_merge(f, item1, v[i2], nd);
				if (m) {
					chg = true;
					item1 = v[i1] = m;
					v[i2] = NULL;
					next[prev] = next[i2];
				} else if (!full) {
					break;
				} else {
					prev = i2;
				}
			}
		}
		for (i = 0, k = 0; i < n; i++)
			if (v[i])
				v[k++] = v[i];
		n = k;
		if (!chg && !full) {
			if (n > FULL_PASS_MAX)
				break; /* the corner where we stop short of nodeset: see the top */
			chg = full = true;
		}
	}
	*np = n;
}

/* ---- one pattern ------------------------------------------------------------------------------ */

struct ctx {
	const struct fold *f;
	struct name *const *g;
	uint32_t d;
	const uint32_t *pts;
	uint32_t nd;
};

/* Names k of the group by their index in dimension d: (length, string). */
static int by_index(const void *x, const void *y, void *arg)
{
	const struct ctx *c = arg;
	const struct name *a = c->g[*(const uint32_t *)x], *b = c->g[*(const uint32_t *)y];
	const struct run *ra = &c->f->runs[a->run + c->d], *rb = &c->f->runs[b->run + c->d];

	if (ra->len != rb->len)
		return ra->len < rb->len ? -1 : 1;
	return memcmp(a->s + ra->off, b->s + rb->off, ra->len);
}

/* Ids by their string, as Python compares str. */
static int by_lex(const void *x, const void *y, void *arg)
{
	const struct dim *t = arg;
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
	size_t n = t->len[a] < t->len[b] ? t->len[a] : t->len[b];
	int c = memcmp(t->s[a], t->s[b], n);

	return c ? c : (t->len[a] > t->len[b]) - (t->len[a] < t->len[b]);
}

static int by_point(const void *x, const void *y, void *arg)
{
	const struct ctx *c = arg;
	const uint32_t *a = c->pts + (size_t) * (const uint32_t *)x * c->nd;
	const uint32_t *b = c->pts + (size_t) * (const uint32_t *)y * c->nd;
	uint32_t i;

	for (i = 0; i < c->nd; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return 0;
}

/* The pattern with each %s one dimension's range set (bracketed when it
 * holds more than one index) and each %% a %. */
static void put_vec(struct fold *f, const char *pat, const struct vec *v, const struct dim *t)
{
	uint32_t d = 0;

	if (f->out.len)
		fo_sbuf_add(&f->out, ",", 1);
	for (; *pat; pat++) {
		if (*pat != '%') {
			fo_sbuf_add(&f->out, pat, 1);
			continue;
		}
		pat++;
		if (*pat == '%') {
			fo_sbuf_add(&f->out, "%", 1);
			continue;
		}
		if (v->d[d].n > 1)
			fo_sbuf_add(&f->out, "[", 1);
		rs_str(&f->out, &t[d], &v->d[d]);
		if (v->d[d].n > 1)
			fo_sbuf_add(&f->out, "]", 1);
		d++;
	}
}

/* Folds the names g[0..n) of one pattern into f->out. */
static void fold_pattern(struct fold *f, struct name *const *g, size_t n)
{
	const char *pat = f->pats.p + g[0]->pat;
	uint32_t nd = g[0]->nd, d, id, *order, *pts, *uniq, varying = 0;
	struct ctx c = { f, g, 0, NULL, nd };
	struct dim *t;
	struct vec **v, *one;
	size_t i, k, np;
	uint32_t *all;

	if (!nd) {
		put_vec(f, pat, NULL, NULL);
		return;
	}
	t = alloc(f, nd * sizeof(*t));
	pts = alloc(f, n * nd * sizeof(*pts));
	order = alloc(f, n * sizeof(*order));
	if (f->oom)
		return;
	/* each dimension's distinct indexes, ids in (length, string) order */
	for (d = 0; d < nd; d++) {
		c.d = d;
		for (i = 0; i < n; i++)
			order[i] = (uint32_t)i;
		qsort_r(order, n, sizeof(*order), by_index, &c);
		t[d].s = alloc(f, n * sizeof(*t[d].s));
		t[d].len = alloc(f, n * sizeof(*t[d].len));
		t[d].lex = alloc(f, n * sizeof(*t[d].lex));
		if (f->oom)
			return;
		for (i = 0, id = 0; i < n; i++) {
			const struct run *r = &f->runs[g[order[i]]->run + d];

			if (i && by_index(&order[i - 1], &order[i], &c))
				id++;
			t[d].s[id] = g[order[i]]->s + r->off;
			t[d].len[id] = r->len;
			pts[(size_t)order[i] * nd + d] = id;
		}
		t[d].n = id + 1;
		varying += t[d].n > 1;
		for (k = 0; k < t[d].n; k++)
			order[k] = (uint32_t)k;
		qsort_r(order, t[d].n, sizeof(*order), by_lex, &t[d]);
		for (k = 0; k < t[d].n; k++)
			t[d].lex[order[k]] = (uint32_t)k;
	}
	one = alloc(f, sizeof(*one) + nd * sizeof(one->d[0]));
	if (f->oom)
		return;
	if (varying <= 1) {
		/* one index varies at most: one vector, all of each dimension */
		all = alloc(f, n * sizeof(*all));
		if (!all)
			return;
		for (k = 0; k < n; k++)
			all[k] = (uint32_t)k;
		for (d = 0; d < nd; d++)
			one->d[d] = (struct rs){ all, t[d].n, 0 };
		put_vec(f, pat, one, t);
		return;
	}
	/* the distinct points, each a vector */
	c.pts = pts;
	for (i = 0; i < n; i++)
		order[i] = (uint32_t)i;
	qsort_r(order, n, sizeof(*order), by_point, &c);
	uniq = order;
	for (i = 0, np = 0; i < n; i++)
		if (!np || by_point(&uniq[np - 1], &order[i], &c))
			uniq[np++] = order[i];
	v = alloc(f, np * sizeof(*v));
	if (!v)
		return;
	for (i = 0; i < np; i++) {
		v[i] = alloc(f, sizeof(*v[i]) + nd * sizeof(v[i]->d[0]));
		if (!v[i])
			return;
		v[i]->size = 1;
		v[i]->owned = false;
		for (d = 0; d < nd; d++)
			v[i]->d[d] = (struct rs){ pts + (size_t)uniq[i] * nd + d, 1, 0 };
	}
	merge(f, v, &np, t, nd);
	for (i = 0; i < np && !f->oom; i++)
		put_vec(f, pat, v[i], t);
}

/* ---- all of it -------------------------------------------------------------------------------- */

static int by_pattern(const void *x, const void *y, void *arg)
{
	const struct fold *f = arg;
	const struct name *a = *(struct name *const *)x, *b = *(struct name *const *)y;

	return strcmp(f->pats.p + a->pat, f->pats.p + b->pat);
}

/* Cuts name s into its pattern (into the pool) and digit runs. */
static int cut(struct fold *f, struct name *nm, size_t *nruns, size_t *capruns)
{
	const char *s = nm->s;
	size_t i = 0, j;
	struct run *nr;

	nm->pat = (uint32_t)f->pats.len;
	nm->nd = 0;
	nm->run = (uint32_t)*nruns;
	while (i < nm->len) {
		if (!is_digit(s[i])) {
			fo_sbuf_add(&f->pats, s[i] == '%' ? "%%" : s + i, s[i] == '%' ? 2 : 1);
			i++;
			continue;
		}
		for (j = i; j < nm->len && is_digit(s[j]); j++)
			;
		if (*nruns == *capruns) {
			*capruns = *capruns ? *capruns * 2 : 1024;
			nr = realloc(f->runs, *capruns * sizeof(*nr));
			if (!nr)
				return -ENOMEM;
			f->runs = nr;
		}
		f->runs[(*nruns)++] = (struct run){ (uint16_t)i, (uint16_t)(j - i) };
		nm->nd++;
		fo_sbuf_add(&f->pats, "%s", 2);
		i = j;
	}
	fo_sbuf_add(&f->pats, "", 1); /* the NUL */
	return f->pats.oom ? -ENOMEM : 0;
}

int fo_nodeset_fold(const char *const *names, size_t n, char **out, char *err, size_t errlen)
{
	struct fold f = { 0 };
	struct name **g = NULL;
	size_t i, j, nruns = 0, capruns = 0;
	const char *why;
	int rc = 0;

	*out = NULL;
	if (n > UINT32_MAX / 2)
		return -E2BIG;
	f.names = calloc(n ? n : 1, sizeof(*f.names));
	g = malloc((n ? n : 1) * sizeof(*g));
	if (!f.names || !g) {
		rc = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		size_t len = strlen(names[i]);

		why = bad_name(names[i], len);
		if (why) {
			if (err && errlen)
				snprintf(err, errlen, "cannot fold host name '%.80s': %s", names[i], why);
			rc = -EINVAL;
			goto out;
		}
		f.names[i].s = names[i];
		f.names[i].len = (uint32_t)len;
		rc = cut(&f, &f.names[i], &nruns, &capruns);
		if (rc < 0)
			goto out;
		g[i] = &f.names[i];
	}
	f.n = n;
	qsort_r(g, n, sizeof(*g), by_pattern, &f);
	for (i = 0; i < n && !f.oom; i = j) {
		for (j = i + 1; j < n && !by_pattern(&g[i], &g[j], &f); j++)
			;
		fold_pattern(&f, g + i, j - i);
		arena_free(&f);
	}
	fo_sbuf_add(&f.out, "", 0);
	if (f.oom || f.out.oom) {
		rc = -ENOMEM;
		goto out;
	}
	*out = f.out.p ? f.out.p : strdup("");
	f.out.p = NULL;
	rc = *out ? 0 : -ENOMEM;
out:
	if (rc == -ENOMEM && err && errlen)
		snprintf(err, errlen, "out of memory folding %zu host names", n);
	arena_free(&f);
	free(f.out.p);
	free(f.pats.p);
	free(f.runs);
	free(f.names);
	free(g);
	return rc;
}
