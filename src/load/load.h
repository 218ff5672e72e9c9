/*
 * `fanout load`: a closed-loop or fixed-rate load generator on the runtime.
 * See docs/serve.md.
 */
#ifndef FO_LOAD_H
#define FO_LOAD_H

#include <stdbool.h>
#include <stdint.h>

#include "../cli/opt.h"

#define FO_LOAD_MAX_RAMP 32 /* steps of --ramp */

/* What the command line asks for (the table fo_load_opts fills it). */
struct fo_load_cfg {
	int proto;          /* 0 line, 1 http */
	long conns;         /* -c */
	long threads;       /* --threads: scheduler threads */
	int64_t duration;   /* -d, ns */
	double rate;        /* --rate: requests per second over all connections; 0: closed loop */
	bool json;
	bool json_seconds;  /* --json-seconds: a JSON line each second, then the totals */
	int64_t ramp[FO_LOAD_MAX_RAMP];   /* --ramp: connection counts, a step each, rising */
	int nramp;
	int64_t ramp_every; /* --ramp-every: a step's length, ns */
	const char *path;   /* http: the path requested */
	const char *line;   /* line: the request's text, or NULL for "1" */
	const char *target; /* HOST:PORT, the operand */
};

/* load's flags (in load_opts.c), for parsing, --help, man page and completions. */
extern const struct fo_opts fo_load_opts;

int fo_load_main(int argc, char **argv);
/* Runs the load and prints its numbers: the exit code. */
int fo_load_run(const struct fo_load_cfg *cfg);

#endif
