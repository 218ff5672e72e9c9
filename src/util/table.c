/*
 * The table writer: see table.h. A line is made whole in t->line and
 * written with one fwrite, so that a failed allocation writes nothing
 * rather than half a row.
 */
#include <errno.h>
#include <string.h>

#include "table.h"
#include "term.h"

#define NOTE_GAP 2

/* Display width of s[0..n): code points (see table.h). */
static size_t width(const char *s, size_t n)
{
	size_t w = 0, i;

	for (i = 0; i < n; i++)
		w += ((unsigned char)s[i] & 0xc0) != 0x80;
	return w;
}

int fo__table_init(struct fo_table *t, const struct fo_table_col *cols, size_t ncols)
{
	size_t k;

	memset(t, 0, sizeof(*t));
	if (ncols > FO_TABLE_MAXCOLS)
		return -EINVAL;
	t->cols = cols;
	t->ncols = ncols;
	for (k = 0; k < ncols; k++) {
		size_t hw = cols[k].head ? width(cols[k].head, strlen(cols[k].head)) : 0;

		t->w[k] = cols[k].width > hw ? cols[k].width : hw;
	}
	return 0;
}

void fo__table_hide(struct fo_table *t, size_t k)
{
	if (k < t->ncols)
		t->hide[k] = true;
}

/* s (NULL as "") as it is shown: s itself when it is terminal-safe, else
 * neutralised in t->cell. Its length in *n; NULL when out of memory. */
static const char *shown(struct fo_table *t, const char *s, size_t *n)
{
	size_t len = s ? strlen(s) : 0;

	if (!s || fo__term_safe(s, len)) {
		*n = len;
		return s ? s : "";
	}
	fo_sbuf_reset(&t->cell);
	fo__term_add(&t->cell, s, len);
	if (t->cell.oom) {
		t->line.oom = true; /* the table is spent: see table.h */
		return NULL;
	}
	*n = t->cell.len;
	return t->cell.p;
}

int fo__table_fit(struct fo_table *t, const char *const *cells, size_t n)
{
	size_t k;

	if (t->line.oom)
		return -ENOMEM;
	for (k = 0; k < n && k < t->ncols; k++) {
		const struct fo_table_col *c = &t->cols[k];
		size_t len, cw;
		const char *s;

		if (t->hide[k])
			continue;
		if (!(s = shown(t, cells[k], &len)))
			return -ENOMEM;
		cw = width(s, len);
		if (c->max && cw > c->max)
			cw = c->max;
		if (cw > t->w[k])
			t->w[k] = cw;
	}
	return 0;
}

static void blanks(struct fo_sbuf *b, size_t n)
{
	static const char sp[] = "                                ";

	while (n) {
		size_t k = n < sizeof(sp) - 1 ? n : sizeof(sp) - 1;

		fo_sbuf_add(b, sp, k);
		n -= k;
	}
}

/* One line into t->line: cells[0..n) (head: the headers instead), then
 * the note. 0 or -ENOMEM. */
static int make_line(struct fo_table *t, const char *const *cells, size_t n, bool head, const char *note)
{
	bool has_note = note && *note, first = true;
	size_t k, last = 0;

	if (t->line.oom)
		return -ENOMEM;
	if (n > t->ncols)
		n = t->ncols;
	for (k = 0; k < n; k++)
		if (!t->hide[k])
			last = k;
	fo_sbuf_reset(&t->line);
	for (k = 0; k < n; k++) {
		const struct fo_table_col *c = &t->cols[k];
		size_t len, sw, pad;
		const char *s;

		if (t->hide[k])
			continue;
		if (!(s = shown(t, head ? c->head : cells[k], &len)))
			return -ENOMEM;
		sw = width(s, len);
		pad = sw < t->w[k] ? t->w[k] - sw : 0;
		if (!first)
			blanks(&t->line, c->gap);
		first = false;
		if (c->align == FO_TABLE_RIGHT)
			blanks(&t->line, pad);
		fo_sbuf_add(&t->line, s, len);
		if (c->align == FO_TABLE_LEFT && k != last)
			blanks(&t->line, pad);
	}
	if (has_note) {
		size_t len;
		const char *s = shown(t, note, &len);

		if (!s)
			return -ENOMEM;
		if (!first)
			blanks(&t->line, NOTE_GAP);
		fo_sbuf_add(&t->line, s, len);
	}
	fo_sbuf_add(&t->line, "\n", 1);
	return t->line.oom ? -ENOMEM : 0;
}

static int put(struct fo_table *t, FILE *f)
{
	return fwrite(t->line.p, 1, t->line.len, f) == t->line.len ? 0 : -EIO;
}

int fo__table_head(struct fo_table *t, FILE *f)
{
	int e = make_line(t, NULL, t->ncols, true, NULL);

	return e ? e : put(t, f);
}

int fo__table_row(struct fo_table *t, FILE *f, const char *const *cells, size_t n, const char *note)
{
	int e = make_line(t, cells, n, false, note);

	return e ? e : put(t, f);
}

void fo__table_release(struct fo_table *t)
{
	free(t->line.p);
	free(t->cell.p);
	memset(t, 0, sizeof(*t));
}
