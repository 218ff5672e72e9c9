/*
 * Several templates on one ntc-templates index row (textfsm.h,
 * fo_textfsm_join): their tables joined into one, as python3-textfsm's
 * clitable.CliTable.ParseCmd joins them (clitable.py _ParseCmdItem,
 * texttable.py TextTable.extend). The join copies no text: its cells are
 * copies of the parts' cell structs, so what they point at stays in the
 * parts.
 *
 * Matching rows on keys is CliTable's nested loop, O(rows x rows x keys):
 * for each row of the table so far, the first row of the next table whose
 * keys are equal. A few thousand rows (a big routing table) cost a few
 * million comparisons of short strings.
 * NEEDSWORK: a hash of the next table's keys would make it linear, with
 * the same first-match rule.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "textfsm.h"

/* What AddColumn puts in a row for a column it adds: '' */
static const struct fo_textfsm_cell empty_cell = { .kind = FO_TEXTFSM_STR, .s = "", .len = 0 };

static long col_of(const char *const *hdr, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(hdr[i], name))
			return (long)i;
	return -1;
}

static bool str_is(const struct fo_textfsm_cell *c, const char *s, size_t n)
{
	return c->kind == FO_TEXTFSM_STR && c->len == n && !memcmp(c->s, s, n);
}

/* Two items of List values, as CliTable sees them: Row._SetValues makes
 * each item str(item), so None equals the string "None", and a dict is
 * its repr (equal when the same keys, in the same order, have the same
 * values). A dict never equals a string here: only a string spelling the
 * dict's Python repr would, in Python. */
static bool item_eq(const struct fo_textfsm_cell *a, const struct fo_textfsm_cell *b)
{
	if (a->kind == FO_TEXTFSM_NONE && b->kind == FO_TEXTFSM_NONE)
		return true;
	if (a->kind == FO_TEXTFSM_NONE)
		return str_is(b, "None", 4);
	if (b->kind == FO_TEXTFSM_NONE)
		return str_is(a, "None", 4);
	if (a->kind != b->kind)
		return false;
	if (a->kind == FO_TEXTFSM_STR)
		return str_is(b, a->s, a->len);
	if (a->len != b->len)
		return false;
	for (size_t i = 0; i < a->len; i++) {
		const struct fo_textfsm_cell *x = &a->sub[i], *y = &b->sub[i];

		if (strcmp(a->keys[i], b->keys[i]) || x->kind != y->kind ||
		    (x->kind == FO_TEXTFSM_STR && !str_is(y, x->s, x->len)))
			return false;
	}
	return true;
}

/* Two cells of a row as `row1[k] != row2[k]` compares them: a string
 * with a string, a list with a list, never a string with a list. */
static bool cell_eq(const struct fo_textfsm_cell *a, const struct fo_textfsm_cell *b)
{
	if (a->kind != b->kind)
		return false;
	if (a->kind == FO_TEXTFSM_STR)
		return str_is(b, a->s, a->len);
	if (a->len != b->len)
		return false;
	for (size_t i = 0; i < a->len; i++)
		if (!item_eq(&a->sub[i], &b->sub[i]))
			return false;
	return true;
}

/* Row r of p's cells in the columns that header[0..have) lacks, in p's
 * order, into dst[0..): what extend() copies, `row1[column] = row2[column]`. */
static void copy_new(struct fo_textfsm_cell *dst, const char *const *header, size_t have,
		     const struct fo_textfsm_result *p, size_t r)
{
	for (size_t c = 0; c < p->ncols; c++)
		if (col_of(header, have, p->header[c]) < 0)
			*dst++ = p->cells[r * p->ncols + c];
}

/* The join stopped as Python's IndexError stops ParseCmd: no records,
 * the reason in out->error. 0, or -ENOMEM. */
static int fail(struct fo_textfsm_result *out, const char *const *names, size_t i, const char *fmt, const char *key)
{
	char who[300], msg[700];

	if (names)
		snprintf(who, sizeof(who), "'%s'", names[i]);
	else
		snprintf(who, sizeof(who), "template %zu", i + 1);
	snprintf(msg, sizeof(msg), fmt, who, key);
	out->error = strdup(msg);
	out->nrows = 0;
	return out->error ? 0 : -ENOMEM;
}

int fo_textfsm_join(const struct fo_textfsm *const *t, const struct fo_textfsm_result *parts, size_t n,
		    const char *const *names, struct fo_textfsm_result *out)
{
	const char **hdr = NULL, **key = NULL;
	struct fo_textfsm_cell *cells = NULL;
	long *k1 = NULL, *k2 = NULL;
	size_t total = 1, ncols, nrows, cur, nkeys = 0;
	int rc = -ENOMEM;

	memset(out, 0, sizeof(*out));
	if (!n)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		total += parts[i].ncols;
	nrows = parts[0].nrows;
	hdr = malloc(total * sizeof(*hdr));
	key = malloc(total * sizeof(*key));
	k1 = malloc(total * sizeof(*k1));
	k2 = malloc(total * sizeof(*k2));
	if (!hdr || !key || !k1 || !k2)
		goto out;
	/* the columns: the first table's, then each further one's new ones
	 * in its order, as AddColumn appends them */
	ncols = parts[0].ncols;
	memcpy(hdr, parts[0].header, ncols * sizeof(*hdr));
	for (size_t i = 1; i < n; i++)
		for (size_t c = 0; c < parts[i].ncols; c++)
			if (col_of(hdr, ncols, parts[i].header[c]) < 0)
				hdr[ncols++] = parts[i].header[c];
	if (!(cells = malloc((nrows * ncols + 1) * sizeof(*cells))))
		goto out;
	for (size_t r = 0; r < nrows; r++)
		for (size_t c = 0; c < ncols; c++)
			cells[r * ncols + c] = c < parts[0].ncols ? parts[0].cells[r * parts[0].ncols + c] : empty_cell;
	*out = (struct fo_textfsm_result){ .ncols = ncols, .nrows = nrows, .header = hdr, .cells = cells };
	out->mem_[0] = cells;
	out->mem_[1] = (void *)hdr;
	hdr = NULL;
	rc = 0;
	/* ParseCmd: the first template's table, then for each further one
	 * its table (a TextFSMError of any stops it all) and extend() */
	cur = parts[0].ncols;
	for (size_t i = 0; i < n; i++) {
		const struct fo_textfsm_result *p = &parts[i];
		size_t add_from = cur, add = 0;

		if (p->error) {
			out->nrows = 0;
			rc = (out->error = strdup(p->error)) ? 0 : -ENOMEM;
			goto out;
		}
		/* `if not self._keys: self._keys = set(GetValuesByAttrib('Key'))`
		 * runs in _ParseCmdItem, before extend() is given the keys */
		for (size_t v = 0, had = nkeys; !had && v < fo_textfsm_nvalues(t[i]); v++)
			if (fo_textfsm_value_opts(t[i], v) & FO_TEXTFSM_OPT_KEY)
				key[nkeys++] = fo_textfsm_value_name(t[i], v);
		if (i == 0)
			continue;
		/* extend(): every key a column of the table so far ("Unknown key") */
		for (size_t j = 0; j < nkeys; j++) {
			if ((k1[j] = col_of(out->header, cur, key[j])) < 0) {
				rc = fail(out, names, i,
					  "cannot join the table of %s to those before it: its key '%s' is not a "
					  "column of theirs",
					  key[j]);
				goto out;
			}
			k2[j] = col_of(p->header, p->ncols, key[j]);
		}
		for (size_t c = 0; c < p->ncols; c++)
			add += col_of(out->header, add_from, p->header[c]) < 0;
		if (!add) /* no new column: nothing is merged */
			continue;
		cur += add;
		if (!nkeys) {
			/* no keys: row by row, as zip() pairs them, to the shorter */
			for (size_t r = 0; r < nrows && r < p->nrows; r++)
				copy_new(&cells[r * ncols + add_from], out->header, add_from, p, r);
			continue;
		}
		/* a key this table has not: Python's row2[k] raises IndexError
		 * once a pair of rows is compared on it (with several keys, the
		 * set's order decides whether another key differs first; here
		 * it always fails, as with one key) */
		for (size_t j = 0; j < nkeys && nrows && p->nrows; j++)
			if (k2[j] < 0) {
				rc = fail(out, names, i,
					  "cannot join the table of %s to those before it: it has no column '%s', "
					  "a key",
					  key[j]);
				goto out;
			}
		for (size_t r1 = 0; r1 < nrows; r1++)
			for (size_t r2 = 0; r2 < p->nrows; r2++) {
				size_t j = 0;

				while (j < nkeys &&
				       cell_eq(&cells[r1 * ncols + k1[j]], &p->cells[r2 * p->ncols + k2[j]]))
					j++;
				if (j == nkeys) {
					copy_new(&cells[r1 * ncols + add_from], out->header, add_from, p, r2);
					break;
				}
			}
	}
out:
	if (rc < 0 && out->mem_[0])
		fo_textfsm_result_release(out);
	else if (rc < 0)
		free(cells);
	free(hdr);
	free(key);
	free(k1);
	free(k2);
	return rc;
}
