/*
 * `fanout bench`: the classic experiments as data. rtt: N simulated hosts,
 * each task waits one round trip, under a model; tasks: n tasks of duration
 * h, with the overhead over the ideal. Each row of a sweep runs in a child
 * process of its own, so its wall, CPU and peak memory are its alone.
 */
#ifndef FO_BENCH_H
#define FO_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../cli/opt.h"
#include "../util/table.h"

#define FO_BENCH_MAX_LIST 32 /* counts or durations in a list flag */
#define FO_BENCH_MAX_CLIENTS 16 /* client counts of bench serve */

/* A list flag's values ("100,1000", "50ms,1s"), in the order given. */
struct fo_bench_list {
	int64_t v[FO_BENCH_MAX_LIST];
	int n;
};

/* `fanout bench rtt` and `fanout bench tasks` (the tables fill it; main sets tasks). */
struct fo_bench_cfg {
	bool tasks;                  /* bench tasks: the words of its table and output */
	struct fo_bench_list hosts;  /* --hosts (rtt) or --tasks */
	struct fo_bench_list rtt;    /* --rtt or --duration (tasks), ns */
	int64_t jitter;
	struct fo_optlist models;    /* every --model as given: lists, checked after the parse */
	long workers, runs;
	int64_t timeout, max_time;   /* per task, per row; 0: none */
	const char *csv, *plot;
	bool demo;
	bool row;                    /* a child of a sweep: one run, its figures on fd 3 */
	bool quiet;
};

/* `fanout bench serve` */
struct fo_bench_serve_cfg {
	struct fo_optlist models;    /* every --model as given: lists, checked after the parse */
	int proto;                   /* 0 line, 1 http */
	struct fo_bench_list clients;
	int64_t duration;            /* per row, ns */
	bool pin;
	const char *csv, *plot;
};

/* The tables (bench_opts.c): "bench rtt", "bench tasks", "bench serve". */
extern const struct fo_opts fo_bench_rtt_opts;
extern const struct fo_opts fo_bench_tasks_opts;
extern const struct fo_opts fo_bench_serve_opts;

int fo_bench_main(int argc, char **argv);
/* Runs rtt or tasks: the exit code. */
int fo_bench_run(const struct fo_bench_cfg *cfg);
/* `fanout bench serve`, in serve_bench.c */
int fo_bench_serve_main(int argc, char **argv);
int fo_bench_serve_run(const struct fo_bench_serve_cfg *cfg);

/*
 * Plots for --plot, drawn by gnuplot (in bench.c, shared by the
 * experiments). A plot is lines of points; the caller owns every string
 * and array, which need only outlive the call.
 */
struct fo_plot_series {
	const char *title;
	const double *x, *y;   /* n points; drawn in order of x */
	int n;
};

struct fo_plot {
	const char *path;      /* the SVG to write */
	const char *title, *xlabel, *ylabel;
	bool logx, logy;       /* a linear y axis starts at 0 */
	const struct fo_plot_series *series;
	int nseries;
};

/*
 * Can --plot path be drawn: is gnuplot on PATH, can path be written? 0, or
 * 2 after one line on stderr saying why not (before a long run, so that
 * it does not end in an error).
 */
int fo_bench_plot_check(const char *path);
/* Draws p (gnuplot's own errors go to stderr); 0, or 1 after one line on stderr. */
int fo_bench_plot(const struct fo_plot *p);

/*
 * One line of a table whose widths are declared (table.h), to stdout and
 * flushed, as each row is known (in bench.c, shared by the experiments):
 * the header when cells is NULL, else cells[0..n) and note. 0, or 1 after
 * one line on stderr (out of memory, a write error).
 */
int fo_bench_table_line(const struct fo_table_col *cols, size_t ncols, const char *const *cells, size_t n,
			const char *note);

#endif
