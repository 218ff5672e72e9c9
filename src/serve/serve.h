/*
 * `fanout serve`: the request/response server (line or HTTP/1.1) in every
 * execution model. See docs/serve.md.
 */
#ifndef FO_SERVE_H
#define FO_SERVE_H

#include <stddef.h>
#include <stdint.h>

#include "../cli/opt.h"
#include "fanout/runtime.h"

/* What the command line asks for (the table fo_serve_opts fills it). */
struct fo_serve_cfg {
	struct fo_model model;
	const char *model_text; /* as given: "threads" alone is a thread per connection */
	int proto;              /* 0 line, 1 http */
	const char *bind;       /* a literal address (checked by the table) */
	long port;              /* 0: any free port */
	const char *reply;
	int64_t idle;           /* --idle-timeout, ns */
	size_t max_head;        /* --max-header, bytes */
};

/* serve's flags (in serve_opts.c), for parsing, --help, man page and completions. */
extern const struct fo_opts fo_serve_opts;

int fo_serve_main(int argc, char **argv);
/* Serves until SIGINT or SIGTERM; the exit code. */
int fo_serve_run(const struct fo_serve_cfg *cfg);

#endif
