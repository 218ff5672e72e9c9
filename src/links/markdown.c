/*
 * Markdown for `fanout links` (markdown.h): md4c's callbacks turned into
 * the HTML extractor's links and anchors, GitHub's heading ids, and the
 * walk of a repository's folders for its *.md files.
 *
 * Positions. md4c reports no positions, but the strings it passes point
 * into the document when they are written there as is: a link's text, an
 * inline link's or an autolink's URL, a reference definition's URL. So a
 * link is placed at its URL when the URL follows its text ("[t](u)") or is
 * its text (autolinks), else at its "[" (a reference link: its URL is in
 * the definition, shared by every use), else at the last text seen. A
 * URL that md4c had to rebuild (backslash escapes, a "www." autolink's
 * "http://") is not in the document; the link's text still is. Offsets
 * become lines and columns through a table of line starts made once per
 * document (one pass); columns count characters (UTF-8 lead bytes), tabs
 * as one, as editors' "go to line:col" does.
 *
 * Heading ids (fo_md_slug). github-slugger, which GitHub's renderer and
 * most Markdown tools follow, lowercases the text (JavaScript's
 * toLowerCase), deletes what its regular expression matches (everything
 * but the Unicode letters, marks, decimal and letter numbers, connector
 * punctuation, "-" and " "), turns each " " into "-", and counts repeats:
 * the second "foo" is "foo-1", and a later heading "foo-1" is then
 * "foo-1-1". Here the lowercasing is glibc's towlower_l under C.UTF-8 (one
 * character to one: "İ" gives "i", where JavaScript gives "i̇", and a
 * final "Σ" gives "σ", not "ς"), and the deletion PCRE2's Unicode
 * properties (the Unicode version of the PCRE2 installed, where
 * github-slugger's table is Unicode 13's).
 * NEEDSWORK: named entities in heading text are decoded from a short table
 * (the common ones); others are dropped.
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wctype.h>

#include <md4c.h>
#include <pcre2.h>

#include "../util/sbuf.h"
#include "markdown.h"

/* ---- UTF-8 ------------------------------------------------------------------------------- */

/* The code point at s[0..n), its length in *len; -1 (length 1) when the
 * bytes are not UTF-8 (overlong forms and surrogates included). */
static long utf8_get(const unsigned char *s, size_t n, size_t *len)
{
	long c;
	size_t k, i;

	*len = 1;
	if (s[0] < 0x80)
		return s[0];
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		k = 2, c = s[0] & 0x1F;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		k = 3, c = s[0] & 0x0F;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		k = 4, c = s[0] & 0x07;
	else
		return -1;
	if (k > n)
		return -1;
	for (i = 1; i < k; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return -1;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if ((k == 3 && (c < 0x800 || (c >= 0xD800 && c <= 0xDFFF))) || (k == 4 && (c < 0x10000 || c > 0x10FFFF)))
		return -1;
	*len = k;
	return c;
}

static void utf8_put(struct fo_sbuf *b, long c)
{
	char u[4];
	size_t n;

	if (c < 0 || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF) || c == 0)
		c = 0xFFFD;
	if (c < 0x80)
		u[0] = (char)c, n = 1;
	else if (c < 0x800)
		u[0] = (char)(0xC0 | c >> 6), u[1] = (char)(0x80 | (c & 0x3F)), n = 2;
	else if (c < 0x10000)
		u[0] = (char)(0xE0 | c >> 12), u[1] = (char)(0x80 | ((c >> 6) & 0x3F)),
		u[2] = (char)(0x80 | (c & 0x3F)), n = 3;
	else
		u[0] = (char)(0xF0 | c >> 18), u[1] = (char)(0x80 | ((c >> 12) & 0x3F)),
		u[2] = (char)(0x80 | ((c >> 6) & 0x3F)), u[3] = (char)(0x80 | (c & 0x3F)), n = 4;
	fo_sbuf_add(b, u, n);
}

/* ---- heading ids ----------------------------------------------------------------------- */

static pthread_once_t slug_once = PTHREAD_ONCE_INIT;
static pcre2_code *slug_drop; /* what github-slugger deletes */
static locale_t slug_loc;     /* C.UTF-8, for towlower_l; 0: ASCII only */

static void slug_init(void)
{
	int e;
	PCRE2_SIZE at;

	slug_drop = pcre2_compile((PCRE2_SPTR) "[^\\p{L}\\p{M}\\p{Nd}\\p{Nl}\\p{Pc} -]+", PCRE2_ZERO_TERMINATED,
				  PCRE2_UTF | PCRE2_UCP, &e, &at, NULL);
	slug_loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
}

/* One id of the document: its key, and how often it came as a heading's
 * own text (github-slugger's occurrences). */
struct slug_ent {
	size_t count;
	char key[];
};

void fo_md_slugger_init(struct fo_md_slugger *s)
{
	memset(s, 0, sizeof(*s));
}

void fo_md_slugger_release(struct fo_md_slugger *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->own[i]);
	free(s->own);
	fo__map_free(&s->seen);
	memset(s, 0, sizeof(*s));
}

/* Records key as given (count 0): its entry, or NULL without memory. */
static struct slug_ent *slug_add(struct fo_md_slugger *s, const char *key, size_t len)
{
	struct slug_ent *e;

	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 16;
		char **n = realloc(s->own, nc * sizeof(*n));

		if (!n)
			return NULL;
		s->own = n;
		s->cap = nc;
	}
	e = malloc(sizeof(*e) + len + 1);
	if (!e)
		return NULL;
	e->count = 0;
	memcpy(e->key, key, len);
	e->key[len] = 0;
	if (fo__map_put(&s->seen, e->key, e) < 0) {
		free(e);
		return NULL;
	}
	s->own[s->n++] = (char *)e;
	return e;
}

/* text lowercased (invalid bytes dropped) into b. */
static void slug_lower(struct fo_sbuf *b, const char *text, size_t len)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t i = 0, k;

	while (i < len) {
		long c = utf8_get(p + i, len - i, &k);

		i += k;
		if (c <= 0)
			continue;
		if (c < 0x80)
			c = c >= 'A' && c <= 'Z' ? c + 32 : c;
		else if (slug_loc)
			c = (long)towlower_l((wint_t)c, slug_loc);
		utf8_put(b, c);
	}
}

int fo_md_slug(struct fo_md_slugger *s, const char *text, size_t len, const char **out)
{
	struct fo_sbuf low = { 0 }, id = { 0 };
	pcre2_match_data *md = NULL;
	struct slug_ent *e, *orig;
	PCRE2_SIZE n;
	size_t i;
	int ret = -ENOMEM, rc;

	pthread_once(&slug_once, slug_init);
	slug_lower(&low, text, len);
	if (fo_sbuf_grow(&low, 0) < 0 || fo_sbuf_grow(&id, low.len + 24) < 0)
		goto out;
	n = id.cap;
	if (slug_drop && (md = pcre2_match_data_create_from_pattern(slug_drop, NULL)) &&
	    (rc = pcre2_substitute(slug_drop, (PCRE2_SPTR)low.p, low.len, 0,
				   PCRE2_SUBSTITUTE_GLOBAL | PCRE2_NO_UTF_CHECK, md, NULL, (PCRE2_SPTR) "", 0,
				   (PCRE2_UCHAR *)id.p, &n)) >= 0) {
		id.len = n;
	} else {
		/* no PCRE2 pattern (out of memory): ASCII's rule alone */
		for (i = 0, id.len = 0; i < low.len; i++) {
			unsigned char c = (unsigned char)low.p[i];

			if (c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
			    c == ' ')
				id.p[id.len++] = (char)c;
		}
	}
	id.p[id.len] = 0;
	for (i = 0; i < id.len; i++)
		if (id.p[i] == ' ')
			id.p[i] = '-';
	/* github-slugger's occurrences: "foo", "foo-1", "foo-2"... */
	orig = (struct slug_ent *)fo__map_get(&s->seen, id.p);
	if (!orig) {
		if (!(e = slug_add(s, id.p, id.len)))
			goto out;
	} else {
		size_t base = id.len;

		e = orig;
		while (e) {
			orig->count++;
			id.len = base;
			fo_sbuf_addf(&id, "-%zu", orig->count);
			if (id.oom)
				goto out;
			e = (struct slug_ent *)fo__map_get(&s->seen, id.p);
		}
		if (!(e = slug_add(s, id.p, id.len)))
			goto out;
	}
	*out = e->key;
	ret = 0;
out:
	pcre2_match_data_free(md);
	free(low.p);
	free(id.p);
	return ret;
}

/* ---- entities ---------------------------------------------------------------------------- */

/* The character an entity ("&amp;", "&#233;", "&#xE9;") stands for; -1
 * when not known. */
static long entity(const char *s, size_t n)
{
	static const struct { const char *name; long c; } names[] = {
		{ "amp", '&' },	      { "lt", '<' },	      { "gt", '>' },	    { "quot", '"' },
		{ "apos", '\'' },     { "nbsp", 0xA0 },	      { "copy", 0xA9 },	    { "reg", 0xAE },
		{ "trade", 0x2122 },  { "hellip", 0x2026 },   { "mdash", 0x2014 },  { "ndash", 0x2013 },
		{ "laquo", 0xAB },    { "raquo", 0xBB },      { "middot", 0xB7 },   { "times", 0xD7 },
		{ "eacute", 0xE9 },   { "egrave", 0xE8 },     { "agrave", 0xE0 },   { "aacute", 0xE1 },
		{ "auml", 0xE4 },     { "ouml", 0xF6 },	      { "uuml", 0xFC },	    { "szlig", 0xDF },
		{ "ccedil", 0xE7 },   { "ntilde", 0xF1 },     { "oacute", 0xF3 },   { "iacute", 0xED },
		{ "uacute", 0xFA },   { "rarr", 0x2192 },     { "larr", 0x2190 },   { "check", 0x2713 },
	};
	char name[16];
	size_t i;
	long c = 0;

	if (n < 3 || s[0] != '&' || s[n - 1] != ';')
		return -1;
	s++, n -= 2;
	if (s[0] == '#') {
		bool hex = n > 1 && (s[1] == 'x' || s[1] == 'X');

		for (i = hex ? 2 : 1; i < n && c <= 0x10FFFF; i++) {
			int d = s[i] >= '0' && s[i] <= '9' ? s[i] - '0'
				: hex && s[i] >= 'a' && s[i] <= 'f' ? s[i] - 'a' + 10
				: hex && s[i] >= 'A' && s[i] <= 'F' ? s[i] - 'A' + 10 : -1;

			if (d < 0)
				return -1;
			c = c * (hex ? 16 : 10) + d;
		}
		return c > 0x10FFFF || c == 0 ? 0xFFFD : c;
	}
	if (n >= sizeof(name))
		return -1;
	memcpy(name, s, n);
	name[n] = 0;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(names[i].name, name))
			return names[i].c;
	return -1;
}

/* A piece of text of md4c's type into b, as a browser would show it. */
static void add_text(struct fo_sbuf *b, MD_TEXTTYPE type, const char *t, size_t n)
{
	long c;

	switch (type) {
	case MD_TEXT_ENTITY:
		if ((c = entity(t, n)) >= 0)
			utf8_put(b, c);
		break;
	case MD_TEXT_NULLCHAR:
		utf8_put(b, 0xFFFD);
		break;
	case MD_TEXT_SOFTBR:
		fo_sbuf_add(b, "\n", 1);
		break;
	case MD_TEXT_BR:
	case MD_TEXT_HTML:
		break;
	default:
		fo_sbuf_add(b, t, n);
	}
}

/* ---- links --------------------------------------------------------------------------------- */

bool fo_md_is_markdown(const char *path)
{
	size_t n = strlen(path);

	return (n > 3 && !strcasecmp(path + n - 3, ".md")) || (n > 9 && !strcasecmp(path + n - 9, ".markdown"));
}

#define NEST 16 /* links and images open at once that we follow */

/* A link or image being read: its URL, where it is written, its text. */
struct span {
	int kind;          /* FO_LINK_A_HREF, FO_LINK_IMG_SRC */
	char *url;         /* built from md4c's attribute (entities decoded) */
	size_t ulen;
	long uoff;         /* offset of the URL in the document; -1 when not there */
	long toff, tend;   /* the first text inside, the end of the last; -1 */
};

struct st {
	struct fo_md *x;
	const struct fo_md_opts *o;
	const char *doc;
	size_t len;
	size_t *lines;     /* offsets of line starts */
	size_t nlines;
	struct span sp[NEST];
	int nsp, deep;     /* spans on the stack; those past NEST */
	int imgs;          /* images open (their alt text is no heading text) */
	bool heading, html_block;
	long hoff, html_off, last;
	struct fo_sbuf htext, html, scratch;
	struct fo_md_slugger slugs;
	int err;           /* -ENOMEM seen */
	bool stop;         /* a limit or the callback said stop */
};

static long in_doc(const struct st *s, const char *p)
{
	return p && p >= s->doc && p < s->doc + s->len ? (long)(p - s->doc) : -1;
}

static int lines_init(struct st *s)
{
	size_t i, cap = 64;

	s->lines = malloc(cap * sizeof(*s->lines));
	if (!s->lines)
		return -ENOMEM;
	s->lines[s->nlines++] = 0;
	for (i = 0; i < s->len; i++) {
		if (s->doc[i] != '\n' && s->doc[i] != '\r')
			continue;
		if (s->doc[i] == '\r' && i + 1 < s->len && s->doc[i + 1] == '\n')
			i++;
		if (s->nlines == cap) {
			size_t *n = realloc(s->lines, (cap *= 2) * sizeof(*n));

			if (!n)
				return -ENOMEM;
			s->lines = n;
		}
		s->lines[s->nlines++] = i + 1;
	}
	return 0;
}

/* The 0-based line holding offset off. */
static size_t line_at(const struct st *s, size_t off)
{
	size_t lo = 0, hi = s->nlines;

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->lines[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* Characters from the line's start to off, plus one. */
static long col_at(const struct st *s, size_t line, size_t off)
{
	size_t i;
	long col = 1;

	for (i = s->lines[line]; i < off && i < s->len; i++)
		col += ((unsigned char)s->doc[i] & 0xC0) != 0x80;
	return col;
}

/* Reports one link or anchor at (line, col). Non-zero stops md4c: it
 * takes only a negative return as one (0.4.8 goes on after a positive
 * one from a span's callbacks). */
static int report(struct st *s, int kind, const char *v, size_t n, long line, long col)
{
	struct fo_link l;
	bool anchor = fo_link_is_anchor(kind);

	if (anchor ? s->x->nanchors >= s->o->max_anchors : s->x->nlinks >= s->o->max_links) {
		s->x->too_many = true;
		s->x->why = anchor ? "too many ids" : "too many links";
		s->stop = true;
		return -1;
	}
	s->scratch.len = 0;
	fo_sbuf_add(&s->scratch, v, n);
	if (fo_sbuf_grow(&s->scratch, 0) < 0) {
		s->err = -ENOMEM;
		return -1;
	}
	*(anchor ? &s->x->nanchors : &s->x->nlinks) += 1;
	l = (struct fo_link){ kind, s->scratch.p, n, NULL, line, col };
	if (s->o->fn(s->o->arg, &l)) {
		s->x->why = "stopped by the caller";
		s->stop = true;
		return -1;
	}
	return 0;
}

static int report_at(struct st *s, int kind, const char *v, size_t n, long off)
{
	size_t ln = off >= 0 ? line_at(s, (size_t)off) : 0;

	return report(s, kind, v, n, (long)ln + 1, off >= 0 ? col_at(s, ln, (size_t)off) : 1);
}

/* md4c's attribute (a URL) as text: entities decoded. */
static char *attr_text(const MD_ATTRIBUTE *a, size_t *len)
{
	struct fo_sbuf b = { 0 };
	unsigned i;

	for (i = 0; a->substr_offsets[i] < a->size; i++)
		add_text(&b, a->substr_types[i], a->text + a->substr_offsets[i],
			 a->substr_offsets[i + 1] - a->substr_offsets[i]);
	if (fo_sbuf_grow(&b, 0) < 0) {
		free(b.p);
		return NULL;
	}
	*len = b.len;
	return b.p;
}

/* ---- raw HTML, through the HTML extractor ---- */

struct html_ctx {
	struct st *s;
	long line0; /* the 0-based document line of the HTML's first line */
	int ret;
};

static int html_found(void *arg, const struct fo_link *l)
{
	struct html_ctx *h = arg;
	struct st *s = h->s;
	size_t ln = (size_t)h->line0 + (size_t)(l->line > 0 ? l->line - 1 : 0), end;
	const char *at;
	long col = 1;

	if (l->kind == FO_LINK_BASE_HREF)
		return 0;
	if (ln >= s->nlines)
		ln = s->nlines - 1;
	end = ln + 1 < s->nlines ? s->lines[ln + 1] : s->len;
	/* where the value is written on its line, if it is as is */
	if (l->len && (at = memmem(s->doc + s->lines[ln], end - s->lines[ln], l->value, l->len)))
		col = col_at(s, ln, (size_t)(at - s->doc));
	h->ret = report(s, l->kind, l->value, l->len, (long)ln + 1, col);
	return h->ret != 0; /* stops the HTML too */
}

static int run_html(struct st *s, const char *html, size_t n, long off)
{
	struct html_ctx h = { s, off >= 0 ? (long)line_at(s, (size_t)off) : 0, 0 };
	struct fo_extract_opts xo = { .fn = html_found, .arg = &h, .max_bytes = n + 1 };
	struct fo_extract x;

	if (!n)
		return 0;
	if (fo_extract_init(&x, &xo) < 0) {
		s->err = -ENOMEM;
		return -1;
	}
	if (fo_extract_feed(&x, html, n) == 0)
		fo_extract_end(&x);
	fo_extract_release(&x);
	return h.ret;
}

/* ---- md4c's callbacks ---- */

static int enter_block(MD_BLOCKTYPE type, void *detail, void *arg)
{
	struct st *s = arg;

	(void)detail;
	if (type == MD_BLOCK_H) {
		s->heading = true;
		s->htext.len = 0;
		s->hoff = -1;
	} else if (type == MD_BLOCK_HTML) {
		s->html_block = true;
		s->html.len = 0;
		s->html_off = -1;
	}
	return 0;
}

static int leave_block(MD_BLOCKTYPE type, void *detail, void *arg)
{
	struct st *s = arg;
	const char *id;
	int r = 0;

	(void)detail;
	if (type == MD_BLOCK_H && s->heading) {
		s->heading = false;
		if (s->htext.oom || fo_md_slug(&s->slugs, s->htext.p ? s->htext.p : "", s->htext.len, &id) < 0) {
			s->err = -ENOMEM;
			return -1;
		}
		if (*id)
			r = report_at(s, FO_ANCHOR_ID, id, strlen(id), s->hoff >= 0 ? s->hoff : s->last);
	} else if (type == MD_BLOCK_HTML && s->html_block) {
		s->html_block = false;
		if (s->html.oom) {
			s->err = -ENOMEM;
			return -1;
		}
		r = run_html(s, s->html.p, s->html.len, s->html_off);
	}
	return r;
}

static int enter_span(MD_SPANTYPE type, void *detail, void *arg)
{
	struct st *s = arg;
	const MD_ATTRIBUTE *a;
	struct span *p;

	if (type != MD_SPAN_A && type != MD_SPAN_IMG)
		return 0;
	if (type == MD_SPAN_IMG)
		s->imgs++;
	if (s->nsp == NEST) {
		s->deep++;
		return 0;
	}
	a = type == MD_SPAN_A ? &((MD_SPAN_A_DETAIL *)detail)->href : &((MD_SPAN_IMG_DETAIL *)detail)->src;
	p = &s->sp[s->nsp];
	p->kind = type == MD_SPAN_A ? FO_LINK_A_HREF : FO_LINK_IMG_SRC;
	if (!(p->url = attr_text(a, &p->ulen))) {
		s->err = -ENOMEM;
		return -1;
	}
	p->uoff = in_doc(s, a->text);
	p->toff = p->tend = -1;
	s->nsp++;
	return 0;
}

/* Only what may lie between a link's text and its URL: "](", "<",
 * blanks and one line end ("[t](\n  <u>)"). */
static bool url_follows(const struct st *s, long from, long to)
{
	long i;

	if (to < from || to - from > 64)
		return false;
	for (i = from; i < to; i++)
		if (!strchr("]( \t\r\n<", s->doc[i]))
			return false;
	return true;
}

/* Where a link whose text starts at toff opens: its "[" (or "![") before
 * any emphasis markers, else toff. */
static long opening(const struct st *s, long toff, int kind)
{
	long i;

	for (i = toff - 1; i >= 0 && toff - i <= 8 && strchr("*_~`", s->doc[i]); i--)
		;
	if (i < 0 || s->doc[i] != '[')
		return toff;
	return kind == FO_LINK_IMG_SRC && i > 0 && s->doc[i - 1] == '!' ? i - 1 : i;
}

static int leave_span(MD_SPANTYPE type, void *detail, void *arg)
{
	struct st *s = arg;
	struct span *p;
	long at;
	int r;

	(void)detail;
	if (type != MD_SPAN_A && type != MD_SPAN_IMG)
		return 0;
	if (type == MD_SPAN_IMG && s->imgs > 0)
		s->imgs--;
	if (s->deep) {
		s->deep--;
		return 0;
	}
	/* md4c 0.4.8 can leave a link it never entered (a "[" in code and
	 * NULs around it: tests/fuzz/corpus-markdown/unbalanced-span) */
	if (!s->nsp)
		return 0;
	p = &s->sp[--s->nsp];
	if (p->uoff >= 0 && (p->toff < 0 || p->uoff == p->toff || url_follows(s, p->tend, p->uoff)))
		at = p->uoff; /* the URL, written here */
	else if (p->toff >= 0)
		at = opening(s, p->toff, p->kind); /* a reference link: its "[" */
	else
		at = p->uoff >= 0 ? p->uoff : s->last;
	r = report_at(s, p->kind, p->url, p->ulen, at);
	free(p->url);
	p->url = NULL;
	return r;
}

static int text(MD_TEXTTYPE type, const MD_CHAR *t, MD_SIZE size, void *arg)
{
	struct st *s = arg;
	long off = in_doc(s, t);
	int i;

	if (off >= 0) {
		s->last = off;
		for (i = 0; i < s->nsp; i++) {
			if (s->sp[i].toff < 0)
				s->sp[i].toff = off;
			s->sp[i].tend = off + (long)size;
		}
	}
	if (s->heading) {
		if (s->hoff < 0 && off >= 0)
			s->hoff = off;
		if (!s->imgs)
			add_text(&s->htext, type, t, size);
	}
	if (type != MD_TEXT_HTML)
		return 0;
	if (s->html_block) {
		if (s->html_off < 0)
			s->html_off = off;
		fo_sbuf_add(&s->html, t, size);
		return 0;
	}
	return run_html(s, t, size, off >= 0 ? off : s->last);
}

#define PAD 64 /* bytes after the copy md4c parses (fo_md_extract) */

int fo_md_extract(struct fo_md *x, const struct fo_md_opts *opts, const char *doc, size_t len)
{
	struct fo_md_opts o = *opts;
	char *copy = NULL;
	MD_PARSER p = { 0, MD_DIALECT_GITHUB, enter_block, leave_block, enter_span, leave_span, text, NULL, NULL };
	struct st s;
	int r, i;

	memset(x, 0, sizeof(*x));
	if (!o.fn)
		return -EINVAL;
	if (!o.max_bytes)
		o.max_bytes = FO_EXTRACT_MAX_BYTES;
	if (!o.max_links)
		o.max_links = FO_EXTRACT_MAX_LINKS;
	if (!o.max_anchors)
		o.max_anchors = FO_EXTRACT_MAX_ANCHORS;
	if (len > o.max_bytes) {
		x->too_big = true;
		x->why = "the document is over the size limit";
		len = o.max_bytes;
	}
	/* md4c's sizes are 32 bits */
	if (len > UINT32_MAX / 2)
		len = UINT32_MAX / 2;
	memset(&s, 0, sizeof(s));
	s.x = x;
	s.o = &o;
	s.doc = doc;
	s.len = len;
	s.last = 0;
	fo_md_slugger_init(&s.slugs);
	/* md4c 0.4.8 (Debian 12) reads past the end of a document that ends
	 * inside a link ("[](x" then, in memory, ")": a link whose URL runs on
	 * into whatever follows, with a length of gigabytes): it parses a copy
	 * that ends with a line end and NULs. */
	if (lines_init(&s) < 0 || !(copy = malloc(len + PAD))) {
		r = -ENOMEM;
		goto out;
	}
	memcpy(copy, doc, len);
	memset(copy + len, 0, PAD);
	copy[len] = '\n';
	s.doc = copy;
	r = md_parse(copy, (MD_SIZE)len + 1, &p, &s);
	if (s.err)
		r = s.err;
	else if (s.stop)
		r = FO_EXTRACT_STOP;
	else if (r)
		r = -ENOMEM; /* md4c's own -1: out of memory */
	x->bytes = len;
out:
	for (i = 0; i < s.nsp; i++)
		free(s.sp[i].url);
	free(copy);
	free(s.lines);
	free(s.htext.p);
	free(s.html.p);
	free(s.scratch.p);
	fo_md_slugger_release(&s.slugs);
	x->stopped = r != 0 || x->too_big;
	if (r == 0 && x->too_big)
		r = FO_EXTRACT_STOP;
	return r;
}

int fo_md_extract_fd(struct fo_md *x, const struct fo_md_opts *o, int fd)
{
	struct fo_sbuf b = { 0 };
	size_t max = o->max_bytes ? o->max_bytes : FO_EXTRACT_MAX_BYTES;
	ssize_t n;
	int r;

	memset(x, 0, sizeof(*x));
	do {
		if (fo_sbuf_grow(&b, 65536) < 0) {
			free(b.p);
			return -ENOMEM;
		}
		n = read(fd, b.p + b.len, b.cap - b.len - 1);
		if (n > 0)
			b.len += (size_t)n;
	} while ((n > 0 || (n < 0 && errno == EINTR)) && b.len <= max);
	if (n < 0) {
		r = -errno;
		free(b.p);
		return r;
	}
	r = fo_md_extract(x, o, b.p, b.len);
	free(b.p);
	return r;
}

/* ---- folders ----------------------------------------------------------------------------- */

struct walk {
	char root[PATH_MAX]; /* dir, symlinks resolved */
	size_t rootlen;
	int (*fn)(void *arg, const char *path);
	void *arg;
	int stop;            /* fn's non-zero return */
};

/* Is the symbolic link at path a Markdown file inside the root? */
static bool link_inside(const struct walk *w, const char *path)
{
	char real[PATH_MAX];
	struct stat st;

	return realpath(path, real) && !strncmp(real, w->root, w->rootlen) && real[w->rootlen] == '/' &&
	       stat(real, &st) == 0 && S_ISREG(st.st_mode);
}

/* 0, or -errno when dir cannot be read; fn's stop is in w->stop. */
static int walk_dir(struct walk *w, const char *dir)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort), i;

	if (n < 0)
		return -errno;
	for (i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		char path[PATH_MAX];
		unsigned char type = names[i]->d_type;
		struct stat st;
		size_t dl = strlen(dir);

		if (w->stop || !strcmp(name, ".") || !strcmp(name, "..") || !strcmp(name, ".git"))
			continue;
		if (snprintf(path, sizeof(path), "%s%s%s", dir, dl && dir[dl - 1] == '/' ? "" : "/", name) >=
		    (int)sizeof(path))
			continue;
		if (type == DT_UNKNOWN && lstat(path, &st) == 0)
			type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : S_ISLNK(st.st_mode) ? DT_LNK : 0;
		if (type == DT_DIR)
			walk_dir(w, path); /* one that cannot be read is skipped */
		else if (fo_md_is_markdown(name) && (type == DT_REG || (type == DT_LNK && link_inside(w, path))))
			w->stop = w->fn(w->arg, path);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return 0;
}

int fo_md_walk(const char *dir, int (*fn)(void *arg, const char *path), void *arg, char *err, size_t errlen)
{
	struct walk w = { .fn = fn, .arg = arg };
	int r;

	if (!realpath(dir, w.root)) {
		r = -errno;
		snprintf(err, errlen, "cannot read the folder '%s': %s", dir, strerror(errno));
		return r;
	}
	w.rootlen = strlen(w.root);
	if (w.rootlen == 1)
		w.rootlen = 0; /* "/": every path is inside */
	if ((r = walk_dir(&w, dir)) < 0) {
		snprintf(err, errlen, "cannot read the folder '%s': %s", dir, strerror(-r));
		return r;
	}
	return w.stop;
}
