/*
 * The text reports' one table writer (STYLE 17): `fanout inventory`'s
 * host table, the rows of `fanout bench rtt|tasks|serve`. Columns have a
 * header, an alignment and a gap before them; a column is as wide as its
 * header, its declared width and (through fo__table_fit) its widest cell.
 * A cell wider than its column is printed whole and pushes the rest of
 * its row: nothing is ever cut. The last cell of a row gets no padding
 * on its right.
 *
 * Every cell, header and note is shown terminal-safe (term.h), whatever
 * the destination, as the inventory table always was: these are reports
 * for people; the exact values are in each tool's --json or --csv.
 *
 * Rows stream: each is written as it comes, so a caller that knows its
 * widths (the benchmarks, whose rows take seconds each) prints the header
 * first; a caller that computes them passes every row to fo__table_fit
 * first, then prints (the inventory makes its cells twice rather than
 * keep ten million rows).
 *
 * Width is counted in code points, which is the terminal's width for the
 * text the reports hold. NEEDSWORK: East Asian wide characters (two
 * columns) and combining marks (none) are counted as one.
 */
#ifndef FO_UTIL_TABLE_H
#define FO_UTIL_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "sbuf.h"

#define FO_TABLE_MAXCOLS 16

enum fo_table_align { FO_TABLE_LEFT, FO_TABLE_RIGHT };

/* A column, as the caller declares it (usually in a static table). */
struct fo_table_col {
	const char *head; /* the header cell: a literal, measured as it is */
	enum fo_table_align align;
	unsigned gap; /* blanks before the column (none before the first shown) */
	size_t width; /* at least this wide; 0: as its header and cells need */
	size_t max;   /* fo__table_fit widens it to no more than this; 0: no bound */
};

/* A table being written. Set up by fo__table_init; everything it holds is
 * freed by fo__table_release. Once a call has returned -ENOMEM the table
 * is spent: every later fit, header and row returns -ENOMEM too, so that a
 * caller may check once, at the end, and no row goes missing unnoticed. */
struct fo_table {
	const struct fo_table_col *cols; /* the caller's, which must outlive the table */
	size_t ncols;
	size_t w[FO_TABLE_MAXCOLS];  /* each column's width now */
	bool hide[FO_TABLE_MAXCOLS]; /* left out of every line */
	struct fo_sbuf line, cell;   /* a line being made; a cell made safe */
};

/* t for the ncols columns at cols (borrowed): 0, or -EINVAL for more than
 * FO_TABLE_MAXCOLS. Allocates nothing. */
int fo__table_init(struct fo_table *t, const struct fo_table_col *cols, size_t ncols);
/* Leaves column k out of every line from now on (the inventory's OPTIONS
 * column when no host has options). */
void fo__table_hide(struct fo_table *t, size_t k);
/* Widens each column to the row's cell in it (up to the column's max):
 * cells[0..n), a NULL cell as "". 0, or -ENOMEM. */
int fo__table_fit(struct fo_table *t, const char *const *cells, size_t n);
/* The header line to f: 0, -ENOMEM (nothing written) or -EIO. */
int fo__table_head(struct fo_table *t, FILE *f);
/*
 * A row to f: cells[0..n) in the first n columns (n up to ncols; a NULL
 * cell as ""), the columns after them left out; then, when note is
 * neither NULL nor "", two blanks and the note, in no column (a row's
 * remark, or what replaces the rest of a failed row). 0, -ENOMEM (nothing
 * written) or -EIO (a short write; f's error flag says more).
 */
int fo__table_row(struct fo_table *t, FILE *f, const char *const *cells, size_t n, const char *note);
/* Frees what t holds (t may be used again after fo__table_init). */
void fo__table_release(struct fo_table *t);

#endif
