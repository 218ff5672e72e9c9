/*
 * A host's result of `fanout run` as a record: what a task makes and the
 * parent reads (counts, the not-ok line, --json), carried as the task's
 * output bytes by the runtime, from a thread or through a worker's pipe.
 * The JSON is written from it once, in the parent (run.c's host_json).
 *
 * The bytes (little-endian; only ever read by the same build):
 *   u32 magic "FOR2", u8 status, i64 ms, i32 attempts,
 *   str address, str out_error, u32 ncmds, then per command:
 *   str command, u8 status, str phase, i32 exit (-1: none; http: its
 *   status), i64 ms, str error, str output, str parsed, str parse_error,
 *   u8 change, str diff.
 * str: u32 length (0xffffffff: NULL), the bytes, then a NUL. Parsed
 * strings point into the bytes; all but output hold no NUL of their own.
 */
#ifndef FO_RUN_REC_H
#define FO_RUN_REC_H

#include <stddef.h>
#include <stdint.h>

#include "../util/sbuf.h"
#include "ssh.h"

/* What --compare found for a command against the previous --out tree. */
enum fo_rec_change {
	FO_CHANGE_NONE,      /* not compared (no --compare, or not ok) */
	FO_CHANGE_UNCHANGED,
	FO_CHANGE_CHANGED,
	FO_CHANGE_NEW,       /* the previous tree has no output for it */
	FO_CHANGE_N
};

struct fo_rec_cmd {
	const char *command;
	enum fo_ssh_status status;
	const char *phase;        /* NULL when ok */
	int exit_code;            /* exec; for http the HTTP status; -1: none */
	const char *out;          /* out_len bytes (NULL: none) */
	size_t out_len;
	const char *error;        /* NULL or why */
	int64_t ms;
	const char *parsed;       /* --parse: the records as a JSON array, or NULL */
	const char *parse_error;  /* --parse: why there are none (no template, ...) */
	enum fo_rec_change change;
	const char *diff;         /* --compare: the unified diff when changed */
	size_t diff_len;
};

struct fo_rec {
	enum fo_ssh_status status; /* the worst of the commands' */
	int64_t ms;
	int attempts;
	const char *address;      /* NULL, or the address reached */
	const char *out_error;    /* NULL, or the first --out file not written */
	struct fo_rec_cmd *cmds;
	size_t ncmds;
};

/* r's bytes appended to b (b->oom on failure). */
void fo__rec_write(struct fo_sbuf *b, const struct fo_rec *r);
/* The bytes p[0..n) into r, strings pointing into p; r->cmds is heap
 * (fo__rec_release). 0, or -EINVAL (truncated, corrupt, trailing bytes:
 * r is then empty) or -ENOMEM. Never reads outside p[0..n). */
int fo__rec_parse(const void *p, size_t n, struct fo_rec *r);
void fo__rec_release(struct fo_rec *r);

#endif
