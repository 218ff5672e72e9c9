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
#include <sys/types.h>

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
	/* --timeline: one server per model, clients added in steps, sampled each second */
	const char *timeline, *timeline_data;
	struct fo_bench_list ramp;   /* client counts, a step each */
	int64_t ramp_every;          /* a step's length, ns */
	bool model_given;            /* --model was given (main sets it): else the timeline's three */
};

/* The contexts of bench serve's flags: the rows by client count, or --timeline. */
#define FO_BENCH_SERVE_ROWS 1u
#define FO_BENCH_SERVE_TIMELINE 2u

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
/* serve_bench.c's pieces that the timeline shares. argv (this binary's
 * words) started with its stdout on a pipe (*out), on core cpu unless -1:
 * the pid or -1. */
pid_t fo__bench_spawn(char *const argv[], int cpu, int *out);
/* A line from fd (a byte at a time), each wait ending at deadline: its length. */
ssize_t fo__bench_read_line(int fd, char *buf, size_t cap, int64_t deadline);
/* One --model value (a list, or all) added to models[*nm..cap): 0, or 2 after the one line. */
int fo__bench_models(const char *v, char (*models)[48], int *nm, int cap);
/* `fanout serve --model model --proto proto --port 0` (on core 0 when
 * pinned): its pid and port, or -1 after one line on stderr. */
pid_t fo__bench_server_start(const char *model, const char *proto, bool pinned, char *port, size_t plen, int *fd);
/* SIGTERM, and SIGKILL after 10 s. */
void fo__bench_server_stop(pid_t spid, int fd);
/* Ctrl-C or SIGTERM from now on: fo_interrupt(), and SIGINT passed on to
 * the child named by fo__bench_load_child() (0: none; a row's or a load's),
 * since a terminal sends it to the whole group but kill(1) to this process
 * only. A child named after the interrupt gets it at once. */
void fo__bench_catch_int(void);
/* fn for sig, with SA_RESTART */
void fo__bench_on(int sig, void (*fn)(int));
void fo__bench_load_child(pid_t pid);
/* Waits for child pid (sent sig first unless 0) until deadline, then
 * SIGKILLs it: its wait status, or -1 when it had to be killed. */
int fo__bench_reap(pid_t pid, int sig, int64_t deadline);
/* --timeline (or --timeline-data), in timeline.c: the exit code. */
int fo_bench_timeline_run(const struct fo_bench_serve_cfg *cfg);

/*
 * Plots for --plot, drawn by gnuplot (in bench.c, shared by the
 * experiments). A plot is lines of points; the caller owns every string
 * and array, which need only outlive the call.
 */
struct fo_plot_series {
	const char *title;
	const double *x, *y;   /* n points; drawn in order of x */
	int n;
	int lc;                /* on a right axis: 0 a dashed gray line, else dotted in series lc's colour */
};

struct fo_plot {
	const char *path;      /* the SVG to write */
	const char *title, *xlabel, *ylabel;
	bool logx, logy;       /* a linear y axis starts at 0 */
	const struct fo_plot_series *series;
	int nseries;
};

/*
 * Panels one above the other on one x axis (gnuplot's multiplot): each
 * its lines, and maybe one more series on a right-hand axis of its own.
 */
struct fo_plot_panel {
	const char *title, *ylabel;     /* y axes start at 0 */
	const struct fo_plot_series *series; /* drawn in the order given */
	int nseries;
	const struct fo_plot_series *y2; /* ny2 lines on the right axis (see lc), or none */
	int ny2;
	const char *y2label;
};

struct fo_plot_stack {
	const char *flag;      /* the flag that named path, for the errors: "--timeline" */
	const char *path;      /* the SVG to write */
	const char *title, *xlabel;
	double xmax;           /* x runs from 0 to xmax */
	const struct fo_plot_panel *panels;
	int npanels;
};

/*
 * Can --plot path be drawn: is gnuplot on PATH, can path be written? 0, or
 * 2 after one line on stderr saying why not (before a long run, so that
 * it does not end in an error).
 */
int fo_bench_plot_check(const char *path);
/* The same for a path that flag (such as "--timeline") named. */
int fo_bench_plot_check_as(const char *flag, const char *path);
/* Draws p (gnuplot's own errors go to stderr); 0, or 1 after one line on stderr. */
int fo_bench_plot(const struct fo_plot *p);
/* The same for a stack of panels. */
int fo_bench_plot_stack(const struct fo_plot_stack *p);

/*
 * One line of a table whose widths are declared (table.h), to stdout and
 * flushed, as each row is known (in bench.c, shared by the experiments):
 * the header when cells is NULL, else cells[0..n) and note. 0, or 1 after
 * one line on stderr (out of memory, a write error).
 */
int fo_bench_table_line(const struct fo_table_col *cols, size_t ncols, const char *const *cells, size_t n,
			const char *note);

#endif
