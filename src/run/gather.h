/*
 * `fanout run --gather`: each distinct output of a command printed once,
 * headed by the hosts that gave it folded into host-set notation
 * (`core-[01-40].dc[1-3]`), largest group first — what ClusterShell's
 * `clush -b` and pdsh's `dshbak -c` do for one command, here per command.
 *
 * The parent adds every ok output as its result arrives (on_result, one
 * thread); each distinct (command, output) is kept once, with the indices
 * of its hosts, so memory is the distinct outputs plus a word per host and
 * command. Groups are found by a 64-bit hash and confirmed by comparing
 * the bytes. Printed at the end of the run.
 */
#ifndef FO_RUN_GATHER_H
#define FO_RUN_GATHER_H

#include <stdbool.h>
#include <stddef.h>

#include "../util/sbuf.h"

struct fo_gather_group;

struct fo_gather {
	struct fo_gather_group **slots; /* open addressing, at most half full */
	size_t cap, n;
	const char **commands;          /* in order of first appearance (borrowed) */
	size_t ncommands;
};

/* Host index host said out[0..len) to command (a string that outlives g):
 * 0 or -ENOMEM. */
int fo__gather_add(struct fo_gather *g, const char *command, size_t host, const char *out, size_t len);

/*
 * The groups into b: per command (in order of first appearance), largest
 * group first (ties: the group whose first host came first). Text:
 *     ---------------
 *     HOSTS (N)          (just HOSTS for one host; ": COMMAND" after it
 *     ---------------     when the run has more than one command)
 *     OUTPUT
 * as `clush -b` prints; with json, a line per group:
 *     {"command":..,"hosts":"HOSTS","count":N,"output":..}
 * names[i] is host i's name; term: untrusted text neutralised for a
 * terminal (STYLE 17). The text goes out through emit (0, or a negative
 * errno that ends the printing and is returned) a megabyte or so at a
 * time. 0, -ENOMEM or emit's error.
 */
int fo__gather_print(const struct fo_gather *g, const char *const *names, bool json, bool term,
		     int (*emit)(void *arg, const char *p, size_t n), void *arg);

/* Frees what g holds (g itself is the caller's). */
void fo__gather_release(struct fo_gather *g);

#endif
