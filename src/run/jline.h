/*
 * A bounded reader of `fanout run --json` lines (run.c's host_json), for
 * `fanout merge` (merge.c): the line is checked as JSON (RFC 8259, nesting
 * at most FO_JLINE_DEPTH deep) and the members merge needs are found as
 * spans of the line's own text, so that the line itself can be written on
 * unchanged. Keys are matched as fanout writes them (plain ASCII, no
 * escapes); other members are skipped, duplicates: the last wins.
 *
 * Nothing is allocated; every span points into the caller's line, which
 * must be NUL-terminated at n (merge puts the NUL where the '\n' was) so
 * that fo__json_unstr can decode a string span.
 */
#ifndef FO_RUN_JLINE_H
#define FO_RUN_JLINE_H

#include <stdbool.h>
#include <stddef.h>

#include "../util/sbuf.h"

#define FO_JLINE_DEPTH 64

/* A value's text in the line: a string's with its quotes; n 0: absent. */
struct fo_jspan {
	const char *p;
	size_t n;
};

/* A host's line: {"status":..,"host":..,...,"results":[...]}. */
struct fo_jline {
	struct fo_jspan status, host, hostname, out_error, results;
	long long ms, attempts, port;  /* -1: absent or not a whole number */
	struct fo_jspan error;         /* the first result's "error" that has one */
	size_t nparsed, nparse_error;  /* results with "parsed", with "parse_error" */
};

/* One of "results": a command's. */
struct fo_jres {
	struct fo_jspan command, status, output, parsed, diff;
};

/* Reads line[0..n): 0, or -EINVAL (not JSON, not an object, too deep, a
 * member of the wrong type, "results" not an array of objects). */
int fo__jline_parse(const char *line, size_t n, struct fo_jline *l);

/* The results of l one by one: *at starts at NULL; 1 with *r filled, 0
 * after the last. The line was checked by fo__jline_parse. */
int fo__jline_next_result(const struct fo_jline *l, const char **at, struct fo_jres *r);

/* A string span decoded onto b (at most max bytes): 0, or -EINVAL when the
 * span is not a string. */
int fo__jspan_str(const struct fo_jspan *s, struct fo_sbuf *b, size_t max);

/* Is the span the string "lit" (as written, no escapes)? */
bool fo__jspan_is(const struct fo_jspan *s, const char *lit);

#endif
