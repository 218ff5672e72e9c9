/*
 * src/util/table.c: the text reports' table writer (widths from the
 * header, the declared width and the cells; alignment; gaps; notes; cells
 * made terminal-safe; nothing cut), and the fo_sbuf verbs it and ssh.c
 * build on.
 */
#include <stdint.h>

#include "../src/util/table.h"
#include "test.h"

/* A table's output: an open_memstream and what it holds. */
struct out {
	FILE *f;
	char *p;
	size_t n;
};

static void out_open(struct out *o)
{
	o->p = NULL;
	o->n = 0;
	o->f = open_memstream(&o->p, &o->n);
	CHECK(o->f != NULL);
}

/* What was written, after a flush (still o's). */
static const char *out_text(struct out *o)
{
	CHECK_EQ(fflush(o->f), 0);
	return o->p;
}

static void out_close(struct out *o)
{
	fclose(o->f);
	free(o->p);
}

/* Widths from the header and every row; left and right; two blanks between;
 * no blanks at a line's end. */
TEST(util_table_widths_from_cells)
{
	static const struct fo_table_col cols[] = {
		{ "NAME", FO_TABLE_LEFT, 2, 0, 0 },
		{ "PORT", FO_TABLE_RIGHT, 2, 0, 0 },
		{ "DATA", FO_TABLE_LEFT, 2, 0, 0 },
	};
	const char *r1[] = { "r1", "22", "a=1" }, *r2[] = { "core-router", "8022", "b=22 c=3" };
	struct fo_table t;
	struct out o;

	out_open(&o);
	CHECK_EQ(fo__table_init(&t, cols, 3), 0);
	CHECK_EQ(fo__table_fit(&t, r1, 3), 0);
	CHECK_EQ(fo__table_fit(&t, r2, 3), 0);
	CHECK_EQ(fo__table_head(&t, o.f), 0);
	CHECK_EQ(fo__table_row(&t, o.f, r1, 3, NULL), 0);
	CHECK_EQ(fo__table_row(&t, o.f, r2, 3, NULL), 0);
	CHECK_STR(out_text(&o), "NAME         PORT  DATA\n"
				"r1             22  a=1\n"
				"core-router  8022  b=22 c=3\n");
	fo__table_release(&t);
	out_close(&o);
}

/* Declared widths and gaps, as the benchmarks stream their rows: the
 * same bytes as the printf layout the bench tables had. */
TEST(util_table_declared_widths_as_printf)
{
	static const struct fo_table_col cols[] = {
		{ "model", FO_TABLE_LEFT, 1, 16, 0 }, { "workers", FO_TABLE_RIGHT, 1, 7, 0 },
		{ "hosts", FO_TABLE_RIGHT, 1, 8, 0 }, { "rtt", FO_TABLE_RIGHT, 1, 7, 0 },
		{ "wall", FO_TABLE_RIGHT, 1, 9, 0 },  { "ok/total", FO_TABLE_LEFT, 2, 0, 0 },
	};
	const char *row[] = { "coro:2", "2", "10000", "50ms", "0.055s", "10000/10000" };
	const char *longrow[] = { "blended:1000x1000", "1000000", "123456789", "50ms", "12345.678s", "1/1" };
	char want[512];
	struct fo_table t;
	struct out o;
	int n;

	out_open(&o);
	CHECK_EQ(fo__table_init(&t, cols, 6), 0);
	CHECK_EQ(fo__table_head(&t, o.f), 0);
	CHECK_EQ(fo__table_row(&t, o.f, row, 6, NULL), 0);
	CHECK_EQ(fo__table_row(&t, o.f, row, 6, "(row failed)"), 0);
	CHECK_EQ(fo__table_row(&t, o.f, longrow, 6, NULL), 0);
	CHECK_EQ(fo__table_row(&t, o.f, row, 4, "the row failed (its error is above)"), 0);
	n = snprintf(want, sizeof(want),
		     "%-16s %7s %8s %7s %9s  %s\n"
		     "%-16s %7d %8d %7s %8.3fs  %s\n"
		     "%-16s %7d %8d %7s %8.3fs  %s  (row failed)\n"
		     "%-16s %7d %8d %7s %8.3fs  %s\n"
		     "%-16s %7d %8d %7s  the row failed (its error is above)\n",
		     "model", "workers", "hosts", "rtt", "wall", "ok/total", "coro:2", 2, 10000, "50ms", 0.055,
		     "10000/10000", "coro:2", 2, 10000, "50ms", 0.055, "10000/10000", "blended:1000x1000", 1000000,
		     123456789, "50ms", 12345.678, "1/1", "coro:2", 2, 10000, "50ms");
	CHECK(n > 0 && (size_t)n < sizeof(want));
	CHECK_STR(out_text(&o), want);
	fo__table_release(&t);
	out_close(&o);
}

/* A cell past the column's max widens it to the max only, and is printed
 * whole, pushing the rest of its row; the widths are in code points. */
TEST(util_table_max_and_utf8)
{
	static const struct fo_table_col cols[] = {
		{ "A", FO_TABLE_LEFT, 2, 0, 5 },
		{ "B", FO_TABLE_LEFT, 2, 0, 0 },
		{ "C", FO_TABLE_LEFT, 2, 0, 0 },
	};
	const char *r1[] = { "abcdefghij", "über", "x" }, *r2[] = { "ab", "дом", "y" };
	struct fo_table t;
	struct out o;

	out_open(&o);
	CHECK_EQ(fo__table_init(&t, cols, 3), 0);
	CHECK_EQ(fo__table_fit(&t, r1, 3), 0);
	CHECK_EQ(fo__table_fit(&t, r2, 3), 0);
	CHECK_EQ(fo__table_head(&t, o.f), 0);
	CHECK_EQ(fo__table_row(&t, o.f, r1, 3, NULL), 0);
	CHECK_EQ(fo__table_row(&t, o.f, r2, 3, NULL), 0);
	CHECK_STR(out_text(&o), "A      B     C\n"
				"abcdefghij  über  x\n"
				"ab     дом   y\n");
	fo__table_release(&t);
	out_close(&o);
}

/* Escape sequences, C1 controls and bytes that are not UTF-8 are shown as
 * \xNN, in cells, notes and headers alike, and measured as shown. */
TEST(util_table_cells_terminal_safe)
{
	static const struct fo_table_col cols[] = {
		{ "NAME", FO_TABLE_LEFT, 2, 0, 0 },
		{ "X", FO_TABLE_RIGHT, 2, 0, 0 },
	};
	const char *r1[] = { "a\x1b]0;t\x07", "\xc2\x85" }, *r2[] = { "\xff", "1" };
	struct fo_table t;
	struct out o;

	out_open(&o);
	CHECK_EQ(fo__table_init(&t, cols, 2), 0);
	CHECK_EQ(fo__table_fit(&t, r1, 2), 0);
	CHECK_EQ(fo__table_fit(&t, r2, 2), 0);
	CHECK_EQ(fo__table_head(&t, o.f), 0);
	CHECK_EQ(fo__table_row(&t, o.f, r1, 2, NULL), 0);
	CHECK_EQ(fo__table_row(&t, o.f, r2, 2, "bad\x1b[2J"), 0);
	/* NAME is 13 wide (a\x1b]0;t\x07 as shown), X 8 */
	CHECK_STR(out_text(&o), "NAME                  X\n"
				"a\\x1b]0;t\\x07  \\xc2\\x85\n"
				"\\xff                  1  bad\\x1b[2J\n");
	CHECK(!strchr(o.p, 0x1b));
	fo__table_release(&t);
	out_close(&o);
}

/* NULL cells are empty; a hidden column is left out of every line, its
 * gap too; a row may stop early; the last cell is never padded. */
TEST(util_table_hidden_short_rows_and_notes)
{
	static const struct fo_table_col cols[] = {
		{ "A", FO_TABLE_LEFT, 2, 0, 0 },
		{ "HIDDEN", FO_TABLE_LEFT, 2, 0, 0 },
		{ "B", FO_TABLE_LEFT, 1, 4, 0 },
		{ "C", FO_TABLE_RIGHT, 3, 0, 0 },
	};
	const char *r1[] = { "aaa", "zzzzzzzz", NULL, "1" }, *r2[] = { NULL, NULL, "b", "22" };
	struct fo_table t;
	struct out o;

	out_open(&o);
	CHECK_EQ(fo__table_init(&t, cols, 4), 0);
	fo__table_hide(&t, 1);
	fo__table_hide(&t, 99); /* no such column: nothing happens */
	CHECK_EQ(fo__table_fit(&t, r1, 4), 0);
	CHECK_EQ(fo__table_fit(&t, r2, 4), 0);
	CHECK_EQ(fo__table_head(&t, o.f), 0);
	CHECK_EQ(fo__table_row(&t, o.f, r1, 4, NULL), 0);
	CHECK_EQ(fo__table_row(&t, o.f, r2, 4, ""), 0);
	CHECK_EQ(fo__table_row(&t, o.f, r2, 3, NULL), 0);
	CHECK_EQ(fo__table_row(&t, o.f, r2, 3, "note"), 0);
	CHECK_EQ(fo__table_row(&t, o.f, r1, 1, NULL), 0);
	CHECK_EQ(fo__table_row(&t, o.f, r1, 0, "only a note"), 0);
	CHECK_EQ(fo__table_row(&t, o.f, r1, 0, NULL), 0);
	CHECK_STR(out_text(&o), "A   B       C\n"
				"aaa         1\n"
				"    b      22\n"
				"    b\n"
				"    b  note\n"
				"aaa\n"
				"only a note\n"
				"\n");
	fo__table_release(&t);
	out_close(&o);
}

/* Too many columns; a write that fails. */
TEST(util_table_errors)
{
	static struct fo_table_col many[FO_TABLE_MAXCOLS + 1];
	const char *row[] = { "x" };
	struct fo_table t;
	FILE *ro;

	CHECK_EQ(fo__table_init(&t, many, FO_TABLE_MAXCOLS + 1), -EINVAL);
	fo__table_release(&t);
	CHECK_EQ(fo__table_init(&t, many, FO_TABLE_MAXCOLS), 0);
	ro = fopen("/dev/null", "r"); /* writes to a stream open for reading fail */
	CHECK(ro != NULL);
	CHECK_EQ(fo__table_row(&t, ro, row, 1, NULL), -EIO);
	CHECK_EQ(fo__table_head(&t, ro), -EIO);
	fclose(ro);
	fo__table_release(&t);
}

/* fo_sbuf_grow: room to read into, NUL kept; a size that cannot be is
 * -ENOMEM and sticks, through fo_sbuf_reset, for the one check at the end. */
TEST(util_sbuf_grow_reset)
{
	struct fo_sbuf b = { 0 };

	CHECK_EQ(fo_sbuf_grow(&b, 1000), 0);
	CHECK(b.cap >= 1001);
	CHECK_STR(b.p, "");
	memcpy(b.p + b.len, "abc", 3);
	b.len += 3;
	b.p[b.len] = 0;
	fo_sbuf_adds(&b, "def");
	CHECK_STR(b.p, "abcdef");
	CHECK_EQ(b.len, 6);
	fo_sbuf_reset(&b);
	CHECK_EQ(b.len, 0);
	CHECK_STR(b.p, "");
	CHECK_EQ(fo_sbuf_grow(&b, SIZE_MAX), -ENOMEM);
	CHECK(b.oom);
	fo_sbuf_adds(&b, "x");
	CHECK_EQ(b.len, 0);
	fo_sbuf_reset(&b);
	CHECK(b.oom);
	CHECK_EQ(fo_sbuf_grow(&b, 1), -ENOMEM);
	free(b.p);
}

/* addf appends whole, past any fixed size; detach hands the text over
 * (NULL after a failure); release empties. */
TEST(util_sbuf_addf_detach_release)
{
	struct fo_sbuf b = { 0 };
	char big[1000], *t;

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	fo_sbuf_addf(&b, "%d-%s", 42, "a");
	CHECK_STR(b.p, "42-a");
	fo_sbuf_addf(&b, "[%s]", big);
	CHECK_EQ(b.len, 4 + 2 + 999);
	CHECK(b.p[b.len - 1] == ']');
	t = fo_sbuf_detach(&b);
	CHECK(t && strlen(t) == 1005);
	CHECK(b.p == NULL && b.len == 0 && !b.oom);
	free(t);
	t = fo_sbuf_detach(&b); /* nothing added: "" */
	CHECK_STR(t, "");
	free(t);
	fo_sbuf_adds(&b, "y");
	CHECK_EQ(fo_sbuf_grow(&b, SIZE_MAX), -ENOMEM);
	CHECK(fo_sbuf_detach(&b) == NULL); /* a failure at any point */
	CHECK(!b.oom);
	fo_sbuf_adds(&b, "z");
	fo_sbuf_release(&b);
	CHECK(b.p == NULL && b.len == 0);
}
