/*
 * `fanout bench`: the classic experiments as data. rtt: N simulated hosts,
 * each task waits one round trip, under a model; tasks: n tasks of duration
 * h, with the overhead over the ideal. Each row of a sweep runs in a child
 * process of its own, so its wall, CPU and peak memory are its alone.
 */
#ifndef FO_BENCH_H
#define FO_BENCH_H

#include <stdbool.h>

int fo_bench_main(int argc, char **argv);
/* `fanout bench serve`, in serve_bench.c */
int fo_bench_serve(int argc, char **argv);

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

#endif
