/*
 * Unified diffs as GNU diff makes them (udiff.h): a re-implementation of
 * diffutils 3.8's steps for `diff -u`, so that a diff kept beside a
 * device's output reads exactly as the one an operator would make by hand.
 *
 * The steps, in order, each as GNU does it (its io.c, analyze.c, context.c
 * and gnulib's diffseq.h; the differential tests in tests/test-udiff.c
 * hold the two together):
 *   1. the identical prefix and suffix are found byte-wise, each then
 *      given back `horizon` lines (the context), so that the comparison
 *      proper sees only the middle (GNU's "buffered" lines);
 *   2. each middle line gets an equivalence class (a hash table), lines
 *      compared with their '\n' (so a last line without one equals only
 *      the other text's last line without one);
 *   3. unless minimal, lines that match nothing in the other text, and
 *      runs of lines that match too much, are set aside as changed;
 *   4. Myers' O(ND) middle-snake search in linear space over the rest,
 *      giving up on a subproblem after too_expensive steps;
 *   5. runs of changes are shifted to join each other and to line up
 *      with changes in the other text;
 *   6. the changes are grouped into hunks (less than 2 * context + 1
 *      unchanged lines between two, or context before an ignorable one),
 *      and a hunk all of whose changed lines match -I is not printed.
 * What differs from GNU diff is the regular expression dialect of -I
 * (PCRE2 here, GNU's basic regular expressions there) and that no text
 * is ever "binary" here (GNU diff needs -a for that).
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <errno.h>
#include <pcre2.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "udiff.h"

typedef ptrdiff_t lin;

/* ---- -I: the ignore set --------------------------------------------------------------- */

struct fo_udiff_ignore {
	pcre2_code **re;
	size_t n;
	pcre2_match_context *mctx;
};

/* Bounds on one match, so that a pattern with catastrophic backtracking
 * costs a bounded time per line (and then counts as no match). */
#define MATCH_LIMIT 1000000
#define DEPTH_LIMIT 10000

int fo_udiff_ignore_new(struct fo_udiff_ignore **out, const char *const *res, size_t n, char *err,
			size_t errlen)
{
	struct fo_udiff_ignore *ig = calloc(1, sizeof(*ig));
	int rc = -ENOMEM, ec;
	PCRE2_SIZE at;
	size_t i;

	*out = NULL;
	if (!ig || (n && !(ig->re = calloc(n, sizeof(*ig->re)))))
		goto out;
	ig->mctx = pcre2_match_context_create(NULL);
	if (!ig->mctx)
		goto out;
	pcre2_set_match_limit(ig->mctx, MATCH_LIMIT);
	pcre2_set_depth_limit(ig->mctx, DEPTH_LIMIT);
	for (i = 0; i < n; i++) {
		ig->re[i] = pcre2_compile((PCRE2_SPTR)res[i], PCRE2_ZERO_TERMINATED, 0, &ec, &at, NULL);
		if (!ig->re[i]) {
			PCRE2_UCHAR msg[256];

			pcre2_get_error_message(ec, msg, sizeof(msg));
			if (errlen)
				snprintf(err, errlen, "bad regular expression '%s': %s at offset %zu", res[i],
					 (const char *)msg, (size_t)at);
			rc = -EINVAL;
			goto out;
		}
		ig->n = i + 1;
	}
	*out = ig;
	ig = NULL;
	rc = 0;
out:
	fo_udiff_ignore_free(ig);
	return rc;
}

void fo_udiff_ignore_free(struct fo_udiff_ignore *ig)
{
	size_t i;

	if (!ig)
		return;
	for (i = 0; i < ig->n; i++)
		pcre2_code_free(ig->re[i]);
	free(ig->re);
	pcre2_match_context_free(ig->mctx);
	free(ig);
}

/* md: match data for one thread at a time (the caller's). */
static bool ignore_match(const struct fo_udiff_ignore *ig, pcre2_match_data *md, const char *line, size_t len)
{
	size_t i;

	for (i = 0; i < ig->n; i++)
		if (pcre2_match(ig->re[i], (PCRE2_SPTR)line, len, 0, 0, md, ig->mctx) >= 0)
			return true;
	return false;
}

bool fo_udiff_ignore_match(const struct fo_udiff_ignore *ig, const char *line, size_t len)
{
	pcre2_match_data *md = pcre2_match_data_create(1, NULL);
	bool r = md && ignore_match(ig, md, line, len);

	pcre2_match_data_free(md);
	return r;
}

/* ---- the two texts ------------------------------------------------------------------- */

/*
 * A text as GNU diff holds it: a last line without '\n' gets one
 * ("virtual" bytes, n = len + miss), marked missing. start[i] is where
 * line i begins in the virtual bytes, start[nlines] = n.
 */
struct text {
	const char *p;
	size_t len, n, nlines;
	bool miss;
	size_t *start;
};

static inline unsigned char vat(const struct text *t, size_t k)
{
	return k < t->len ? (unsigned char)t->p[k] : '\n';
}

static int text_init(struct text *t, const char *p, size_t len)
{
	const char *q = p, *e = p + len, *nl;
	size_t i = 0;

	t->p = p;
	t->len = len;
	t->miss = len && p[len - 1] != '\n';
	t->n = len + t->miss;
	t->nlines = t->miss;
	while (q < e && (nl = memchr(q, '\n', (size_t)(e - q)))) {
		t->nlines++;
		q = nl + 1;
	}
	t->start = malloc((t->nlines + 1) * sizeof(*t->start));
	if (!t->start)
		return -ENOMEM;
	for (q = p; i < t->nlines; i++) {
		t->start[i] = (size_t)(q - p);
		nl = q < e ? memchr(q, '\n', (size_t)(e - q)) : NULL;
		q = nl ? nl + 1 : e;
	}
	t->start[t->nlines] = t->n;
	return 0;
}

/* Line i's real bytes, its '\n' included when it has one. */
static inline const char *line_at(const struct text *t, lin i, size_t *len)
{
	size_t s = t->start[i], e = t->start[i + 1];

	*len = (e > t->len ? t->len : e) - s;
	return t->p + s;
}

/* The line that begins at virtual offset off (or nlines at n). */
static lin line_of(const struct text *t, size_t off)
{
	size_t lo = 0, hi = t->nlines;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->start[mid] < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (lin)lo;
}

/* ---- step 1: the identical ends ------------------------------------------------------ */

/* GNU's find_identical_ends, on the virtual bytes: *pe, where both
 * prefixes end (the same in both); *s0, *s1, where the suffixes begin. */
static void identical_ends(const struct text *a, const struct text *b, lin horizon, size_t *pe, size_t *s0,
			   size_t *s1)
{
	size_t m = a->n < b->n ? a->n : b->n, p = 0, q0, q1, beg, b0;
	lin h = horizon, i;

	while (p < m && vat(a, p) == vat(b, p))
		p++;
	/* a missing '\n' is not part of the prefix */
	if ((a->n - a->miss < p) != (b->n - b->miss < p))
		p--;
	while (p && (vat(a, p - 1) != '\n' || h-- > 0))
		p--;
	*pe = p;
	*s0 = a->n;
	*s1 = b->n;
	if (a->miss != b->miss)
		return;
	beg = p + (a->n < b->n ? 0 : a->n - b->n);
	q0 = a->n;
	q1 = b->n;
	while (q0 != beg) {
		q0--, q1--;
		if (vat(a, q0) != vat(b, q1)) {
			q0++, q1++;
			break;
		}
	}
	b0 = q0;
	i = horizon + !((q0 == 0 || vat(a, q0 - 1) == '\n') && (q1 == 0 || vat(b, q1 - 1) == '\n'));
	while (i-- > 0 && q0 != a->n)
		while (vat(a, q0++) != '\n')
			;
	*s0 = q0;
	*s1 = q1 + (q0 - b0);
}

/* ---- step 2: equivalence classes ----------------------------------------------------- */

/* Open addressing, 8 bytes a slot (the class in the low 32 bits, 32 bits
 * of the hash above them) so that the table stays small in the cache;
 * the classes' first lines are kept beside it, for the comparison. */
struct eqtab {
	uint64_t *slot;
	size_t mask;
	const char **s; /* by class */
	size_t *len;
	lin next;       /* the next class; classes start at 1 */
};

static uint64_t hash_bytes(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	/* FNV's low bits are weak for lines that differ only at their end:
	 * mix (the finaliser of MurmurHash3) before they pick a slot */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

static lin eq_class(struct eqtab *t, const char *s, size_t len)
{
	uint64_t h = hash_bytes(s, len), tag = h >> 32 << 32;
	size_t k = (size_t)h & t->mask;

	for (;; k = (k + 1) & t->mask) {
		uint64_t v = t->slot[k];
		lin c = (lin)(v & 0xffffffffu);

		if (!c) {
			c = t->next++;
			t->slot[k] = tag | (uint64_t)c;
			t->s[c] = s;
			t->len[c] = len;
			return c;
		}
		if ((v & ~(uint64_t)0xffffffffu) == tag && t->len[c] == len && !memcmp(t->s[c], s, len))
			return c;
	}
}

/* ---- steps 3-5: the comparison ------------------------------------------------------- */

struct cmp {
	lin nb[2];          /* the middle lines of each text */
	lin *eq[2];         /* their classes */
	char *changed[2];   /* [-1] and [nb] exist and stay 0 */
	lin nd[2];          /* the lines not discarded */
	lin *und[2], *real[2]; /* their classes, and their index among the middle lines */
	lin *fd, *bd;       /* the diagonals, indexed from -(nd[1] + 1) */
	lin too_expensive;
};

/* GNU's discard_confusing_lines: a line with no match in the other text
 * is set aside as changed; one with too many matches is, when it lies
 * inside a run of such lines. Otherwise (minimal) nothing is. */
static int discard(struct cmp *c, bool minimal, lin nclasses)
{
	lin *count = calloc((size_t)nclasses * 2, sizeof(*count));
	char *disc = calloc((size_t)(c->nb[0] + c->nb[1]) + 1, 1), *d[2];
	lin i, j, f;

	if (!count || !disc) {
		free(count);
		free(disc);
		return -ENOMEM;
	}
	d[0] = disc;
	d[1] = disc + c->nb[0];
	for (f = 0; f < 2; f++)
		for (i = 0; i < c->nb[f]; i++)
			count[f * nclasses + c->eq[f][i]]++;
	for (f = 0; f < 2 && !minimal; f++) {
		const lin *other = count + (1 - f) * nclasses;
		size_t many = 5, tem = (size_t)c->nb[f] / 64;

		while ((tem >>= 2) > 0)
			many *= 2;
		for (i = 0; i < c->nb[f]; i++) {
			lin m = other[c->eq[f][i]];

			if (m == 0)
				d[f][i] = 1;
			else if ((size_t)m > many)
				d[f][i] = 2;
		}
	}
	for (f = 0; f < 2 && !minimal; f++) {
		char *ds = d[f];
		lin end = c->nb[f];

		for (i = 0; i < end; i++) {
			lin length, provisional = 0, consec, minimum = 1, tem;

			if (ds[i] == 2) {
				ds[i] = 0;
				continue;
			}
			if (ds[i] == 0)
				continue;
			for (j = i; j < end && ds[j]; j++)
				provisional += ds[j] == 2;
			while (j > i && ds[j - 1] == 2)
				ds[--j] = 0, provisional--;
			length = j - i;
			if (provisional * 4 > length) {
				while (j > i)
					if (ds[--j] == 2)
						ds[j] = 0;
				continue;
			}
			tem = length >> 2;
			while ((tem >>= 2) > 0)
				minimum <<= 1;
			minimum++;
			for (j = 0, consec = 0; j < length; j++)
				if (ds[i + j] != 2)
					consec = 0;
				else if (minimum == ++consec)
					j -= consec;
				else if (minimum < consec)
					ds[i + j] = 0;
			for (j = 0, consec = 0; j < length; j++) {
				if (j >= 8 && ds[i + j] == 1)
					break;
				if (ds[i + j] == 2)
					consec = 0, ds[i + j] = 0;
				else if (ds[i + j] == 0)
					consec = 0;
				else
					consec++;
				if (consec == 3)
					break;
			}
			i += length - 1;
			for (j = 0, consec = 0; j < length; j++) {
				if (j >= 8 && ds[i - j] == 1)
					break;
				if (ds[i - j] == 2)
					consec = 0, ds[i - j] = 0;
				else if (ds[i - j] == 0)
					consec = 0;
				else
					consec++;
				if (consec == 3)
					break;
			}
		}
	}
	for (f = 0; f < 2; f++) {
		for (i = j = 0; i < c->nb[f]; i++)
			if (!d[f][i]) {
				c->und[f][j] = c->eq[f][i];
				c->real[f][j++] = i;
			} else {
				c->changed[f][i] = 1;
			}
		c->nd[f] = j;
	}
	free(count);
	free(disc);
	return 0;
}

struct part {
	lin xmid, ymid;
	bool lo_minimal, hi_minimal;
};

/* The middle snake of [xoff, xlim) x [yoff, ylim), whose first and last
 * elements differ: gnulib's diag, without the --speed-large-files
 * heuristic (off in GNU diff unless asked for). */
static void diag(const struct cmp *c, lin xoff, lin xlim, lin yoff, lin ylim, bool find_minimal, struct part *pt)
{
	lin *const fd = c->fd, *const bd = c->bd;
	const lin *xv = c->und[0], *yv = c->und[1];
	const lin dmin = xoff - ylim, dmax = xlim - yoff, fmid = xoff - yoff, bmid = xlim - ylim;
	lin fmin = fmid, fmax = fmid, bmin = bmid, bmax = bmid, cost, d;
	bool odd = (fmid - bmid) & 1;

	fd[fmid] = xoff;
	bd[bmid] = xlim;
	for (cost = 1;; cost++) {
		if (fmin > dmin)
			fd[--fmin - 1] = -1;
		else
			++fmin;
		if (fmax < dmax)
			fd[++fmax + 1] = -1;
		else
			--fmax;
		for (d = fmax; d >= fmin; d -= 2) {
			lin tlo = fd[d - 1], thi = fd[d + 1], x0 = tlo < thi ? thi : tlo + 1, x, y;

			for (x = x0, y = x0 - d; x < xlim && y < ylim && xv[x] == yv[y]; x++, y++)
				;
			fd[d] = x;
			if (odd && bmin <= d && d <= bmax && bd[d] <= x) {
				*pt = (struct part){ x, y, true, true };
				return;
			}
		}
		if (bmin > dmin)
			bd[--bmin - 1] = PTRDIFF_MAX;
		else
			++bmin;
		if (bmax < dmax)
			bd[++bmax + 1] = PTRDIFF_MAX;
		else
			--bmax;
		for (d = bmax; d >= bmin; d -= 2) {
			lin tlo = bd[d - 1], thi = bd[d + 1], x0 = tlo < thi ? tlo : thi - 1, x, y;

			for (x = x0, y = x0 - d; xoff < x && yoff < y && xv[x - 1] == yv[y - 1]; x--, y--)
				;
			bd[d] = x;
			if (!odd && fmin <= d && d <= fmax && x <= fd[d]) {
				*pt = (struct part){ x, y, true, true };
				return;
			}
		}
		if (find_minimal || cost < c->too_expensive)
			continue;
		/* Too far: take the diagonal that got furthest, forwards or
		 * backwards, as if it had met the other search. */
		{
			lin fxybest = -1, fxbest = 0, bxybest = PTRDIFF_MAX, bxbest = 0;

			for (d = fmax; d >= fmin; d -= 2) {
				lin x = fd[d] < xlim ? fd[d] : xlim, y = x - d;

				if (ylim < y)
					x = ylim + d, y = ylim;
				if (fxybest < x + y)
					fxybest = x + y, fxbest = x;
			}
			for (d = bmax; d >= bmin; d -= 2) {
				lin x = bd[d] > xoff ? bd[d] : xoff, y = x - d;

				if (y < yoff)
					x = yoff + d, y = yoff;
				if (x + y < bxybest)
					bxybest = x + y, bxbest = x;
			}
			if ((xlim + ylim) - bxybest < fxybest - (xoff + yoff))
				*pt = (struct part){ fxbest, fxybest - fxbest, true, false };
			else
				*pt = (struct part){ bxbest, bxybest - bxbest, false, true };
			return;
		}
	}
}

/* gnulib's compareseq: marks changed lines of [xoff, xlim) x [yoff,
 * ylim). It recurses on the smaller half and loops on the other, so
 * the depth stays logarithmic. */
static void compareseq(struct cmp *c, lin xoff, lin xlim, lin yoff, lin ylim, bool find_minimal)
{
	const lin *xv = c->und[0], *yv = c->und[1];
	struct part pt;

	for (;;) {
		while (xoff < xlim && yoff < ylim && xv[xoff] == yv[yoff])
			xoff++, yoff++;
		while (xoff < xlim && yoff < ylim && xv[xlim - 1] == yv[ylim - 1])
			xlim--, ylim--;
		if (xoff == xlim) {
			while (yoff < ylim)
				c->changed[1][c->real[1][yoff++]] = 1;
			return;
		}
		if (yoff == ylim) {
			while (xoff < xlim)
				c->changed[0][c->real[0][xoff++]] = 1;
			return;
		}
		diag(c, xoff, xlim, yoff, ylim, find_minimal, &pt);
		if ((xlim + ylim) - (pt.xmid + pt.ymid) < (pt.xmid + pt.ymid) - (xoff + yoff)) {
			compareseq(c, pt.xmid, xlim, pt.ymid, ylim, pt.hi_minimal);
			xlim = pt.xmid;
			ylim = pt.ymid;
			find_minimal = pt.lo_minimal;
		} else {
			compareseq(c, xoff, pt.xmid, yoff, pt.ymid, pt.lo_minimal);
			xoff = pt.xmid;
			yoff = pt.ymid;
			find_minimal = pt.hi_minimal;
		}
	}
}

/* GNU's shift_boundaries: a run of changes slides back while the line
 * before it equals its last, then forward while its first equals the
 * line after it (merging with runs it meets), and ends lined up with a
 * run of the other text's when it can. */
static void shift_boundaries(struct cmp *c)
{
	int f;

	for (f = 0; f < 2; f++) {
		char *changed = c->changed[f], *other = c->changed[1 - f];
		const lin *eq = c->eq[f];
		lin i = 0, j = 0, i_end = c->nb[f];

		for (;;) {
			lin runlength, start, corresponding;

			while (i < i_end && !changed[i]) {
				while (other[j++])
					;
				i++;
			}
			if (i == i_end)
				break;
			start = i;
			while (changed[++i])
				;
			while (other[j])
				j++;
			do {
				runlength = i - start;
				while (start && eq[start - 1] == eq[i - 1]) {
					changed[--start] = 1;
					changed[--i] = 0;
					while (changed[start - 1])
						start--;
					while (other[--j])
						;
				}
				corresponding = other[j - 1] ? i : i_end;
				while (i != i_end && eq[start] == eq[i]) {
					changed[start++] = 0;
					changed[i++] = 1;
					while (changed[i])
						i++;
					while (other[++j])
						corresponding = i;
				}
			} while (runlength != i - start);
			while (corresponding < i) {
				changed[--start] = 1;
				changed[--i] = 0;
				while (other[--j])
					;
			}
		}
	}
}

/* ---- step 6: the hunks --------------------------------------------------------------- */

struct change {
	lin line0, line1, del, ins; /* whole-text line numbers, from 0 */
	bool ignore;
};

struct out {
	const struct text *t[2];
	const struct fo_udiff_opts *o;
	struct fo_sbuf *sb;
	bool begun;
};

static void put_line(struct out *w, char mark, int f, lin i)
{
	const struct text *t = w->t[f];
	size_t len;
	const char *s = line_at(t, i, &len);

	fo_sbuf_add(w->sb, &mark, 1);
	fo_sbuf_add(w->sb, s, len);
	if ((size_t)i == t->nlines - 1 && t->miss)
		fo_sbuf_adds(w->sb, "\n\\ No newline at end of file\n");
}

/* Lines a..b (from 0) as GNU's "@@ -l,s" part: a count of 1 is left out,
 * an empty range names the line before it. */
static void put_range(struct fo_sbuf *sb, lin a, lin b)
{
	if (b < a)
		fo_sbuf_addf(sb, "%td,0", b + 1);
	else if (b == a)
		fo_sbuf_addf(sb, "%td", a + 1);
	else
		fo_sbuf_addf(sb, "%td,%td", a + 1, b - a + 1);
}

/* Are all of one change's lines matched by -I? */
static bool ignorable(const struct out *w, pcre2_match_data *md, const struct change *ch)
{
	lin i;
	int f;

	for (f = 0; f < 2; f++) {
		lin first = f ? ch->line1 : ch->line0, n = f ? ch->ins : ch->del;

		for (i = first; i < first + n; i++) {
			size_t len;
			const char *s = line_at(w->t[f], i, &len);

			if (len && s[len - 1] == '\n')
				len--;
			if (!ignore_match(w->o->ignore, md, s, len))
				return false;
		}
	}
	return true;
}

/* One hunk: changes [from, to). */
static void put_hunk(struct out *w, const struct change *ch, size_t from, size_t to)
{
	const struct change *last = &ch[to - 1], *next = &ch[from];
	lin ctx = w->o->context, n0 = (lin)w->t[0]->nlines, n1 = (lin)w->t[1]->nlines;
	lin first0 = ch[from].line0 - ctx, first1 = ch[from].line1 - ctx;
	lin last0 = last->line0 + last->del - 1 + ctx, last1 = last->line1 + last->ins - 1 + ctx;
	lin i, j, k;

	first0 = first0 < 0 ? 0 : first0;
	first1 = first1 < 0 ? 0 : first1;
	last0 = last0 > n0 - 1 ? n0 - 1 : last0;
	last1 = last1 > n1 - 1 ? n1 - 1 : last1;
	if (!w->begun) {
		fo_sbuf_addf(w->sb, "--- %s\n+++ %s\n", w->o->label_a, w->o->label_b);
		w->begun = true;
	}
	fo_sbuf_adds(w->sb, "@@ -");
	put_range(w->sb, first0, last0);
	fo_sbuf_adds(w->sb, " +");
	put_range(w->sb, first1, last1);
	fo_sbuf_adds(w->sb, " @@\n");
	for (i = first0, j = first1; i <= last0 || j <= last1;) {
		if (next == ch + to || i < next->line0) {
			put_line(w, ' ', 0, i++);
			j++;
			continue;
		}
		for (k = 0; k < next->del; k++)
			put_line(w, '-', 0, i++);
		for (k = 0; k < next->ins; k++)
			put_line(w, '+', 1, j++);
		next++;
	}
}

static int put_hunks(struct out *w, struct change *ch, size_t nch)
{
	lin thresh_ign = w->o->context, thresh = 2 * (lin)w->o->context + 1;
	pcre2_match_data *md = NULL;
	size_t from, to, i;

	if (w->o->ignore) {
		md = pcre2_match_data_create(1, NULL);
		if (!md)
			return -ENOMEM;
		for (i = 0; i < nch; i++)
			ch[i].ignore = ignorable(w, md, &ch[i]);
	}
	for (from = 0; from < nch; from = to) {
		bool all_ignored = true;

		for (to = from + 1; to < nch; to++) {
			lin top0 = ch[to - 1].line0 + ch[to - 1].del;

			if (ch[to].line0 - top0 >= (ch[to].ignore ? thresh_ign : thresh))
				break;
		}
		for (i = from; i < to; i++)
			all_ignored = all_ignored && ch[i].ignore;
		if (!all_ignored || !w->o->ignore)
			put_hunk(w, ch, from, to);
	}
	pcre2_match_data_free(md);
	return 0;
}

/* ---- the whole ------------------------------------------------------------------------ */

int fo_udiff(const char *a, size_t alen, const char *b, size_t blen, const struct fo_udiff_opts *o,
	     struct fo_sbuf *out)
{
	struct text t[2] = { { 0 }, { 0 } };
	struct cmp c = { 0 };
	struct eqtab tab = { 0 };
	struct change *ch = NULL;
	struct out w = { { &t[0], &t[1] }, o, out, false };
	size_t pe, s[2], nch = 0, cap;
	lin P, i0, i1, diags, te;
	int f, rc = -ENOMEM;

	if (o->context < 0)
		return -EINVAL;
	if (alen == blen && !memcmp(a, b, alen))
		return 0;
	if (text_init(&t[0], a, alen) < 0 || text_init(&t[1], b, blen) < 0)
		goto out;
	identical_ends(&t[0], &t[1], o->context, &pe, &s[0], &s[1]);
	P = line_of(&t[0], pe);
	c.nb[0] = line_of(&t[0], s[0]) - P;
	c.nb[1] = line_of(&t[1], s[1]) - P;

	for (cap = 16; cap < 2 * (size_t)(c.nb[0] + c.nb[1]) + 2; cap *= 2)
		;
	if ((uint64_t)(c.nb[0] + c.nb[1]) >= 0xffffffffu)
		goto out; /* more classes than a slot holds: as if out of memory */
	tab.slot = calloc(cap, sizeof(*tab.slot));
	tab.mask = cap - 1;
	tab.next = 1;
	tab.s = malloc(((size_t)(c.nb[0] + c.nb[1]) + 1) * sizeof(*tab.s));
	tab.len = malloc(((size_t)(c.nb[0] + c.nb[1]) + 1) * sizeof(*tab.len));
	c.fd = malloc(2 * (size_t)(c.nb[0] + c.nb[1] + 3) * sizeof(*c.fd));
	if (!tab.slot || !tab.s || !tab.len || !c.fd)
		goto out;
	for (f = 0; f < 2; f++) {
		char *chg;
		lin i;

		c.eq[f] = malloc(((size_t)c.nb[f] + 1) * sizeof(lin));
		c.und[f] = malloc(((size_t)c.nb[f] + 1) * sizeof(lin));
		c.real[f] = malloc(((size_t)c.nb[f] + 1) * sizeof(lin));
		chg = calloc((size_t)c.nb[f] + 2, 1);
		c.changed[f] = chg ? chg + 1 : NULL;
		if (!c.eq[f] || !c.und[f] || !c.real[f] || !c.changed[f])
			goto out;
		for (i = 0; i < c.nb[f]; i++) {
			size_t len;
			const char *l = line_at(&t[f], P + i, &len);

			c.eq[f][i] = eq_class(&tab, l, len);
		}
	}
	if (discard(&c, o->minimal, tab.next) < 0)
		goto out;

	/* GNU's bound: about twice the square root of the lines, at least 4096 */
	diags = c.nd[0] + c.nd[1] + 3;
	for (te = 1; diags != 0; diags >>= 2)
		te <<= 1;
	c.too_expensive = te < 4096 ? 4096 : te;
	diags = c.nd[0] + c.nd[1] + 3;
	c.bd = c.fd + diags + c.nd[1] + 1;
	c.fd += c.nd[1] + 1;
	compareseq(&c, 0, c.nd[0], 0, c.nd[1], o->minimal);
	c.fd -= c.nd[1] + 1;
	shift_boundaries(&c);

	/* the changes, in order: runs where either text has changed lines */
	ch = malloc(((size_t)(c.nb[0] + c.nb[1]) + 1) * sizeof(*ch));
	if (!ch)
		goto out;
	for (i0 = i1 = 0; i0 < c.nb[0] || i1 < c.nb[1]; i0++, i1++) {
		lin l0 = i0, l1 = i1;

		if (!(c.changed[0][i0] | c.changed[1][i1]))
			continue;
		while (c.changed[0][i0])
			i0++;
		while (c.changed[1][i1])
			i1++;
		ch[nch++] = (struct change){ P + l0, P + l1, i0 - l0, i1 - l1, false };
	}
	rc = put_hunks(&w, ch, nch);
	if (!rc)
		rc = out->oom ? -ENOMEM : w.begun;
out:
	free(ch);
	for (f = 0; f < 2; f++) {
		free(c.eq[f]);
		free(c.und[f]);
		free(c.real[f]);
		free(c.changed[f] ? c.changed[f] - 1 : NULL);
		free(t[f].start);
	}
	free(c.fd);
	free(tab.slot);
	free(tab.s);
	free(tab.len);
	return rc;
}
