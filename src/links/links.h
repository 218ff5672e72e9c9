/* `fanout links`: a link checker for CI (links.c, links_opts.c, crawl.c). */
#ifndef FO_LINKS_LINKS_H
#define FO_LINKS_LINKS_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

#include "../cli/opt.h"
#include "crawl.h"

/* A repeatable pattern flag (--include, --exclude): compiled, in order. */
struct fo_links_patterns {
	regex_t **v;
	size_t n;
};

/* What the command line gives `fanout links`: fo_opts_parse fills it from
 * fo_links_opts, then fo_links_main completes o from the rest. */
struct fo_links_cfg {
	struct fo_crawl_opts o; /* the crawl's options; most flags land here */
	long max_depth, max_pages, max_links, max_conc, max_per_host, retries, max_redirects;
	struct fo_links_patterns include, exclude;
	struct fo_optlist headers; /* -H, as given */
	char *scope_buf;           /* --scope, resolved: o.scope points here */
	bool progress;             /* default: stderr is a terminal */
	int format;                /* index in "text|json|junit|markdown|csv" */
	const char *output;        /* -o; NULL: stdout */
	const char **starts;       /* the operands as absolute URLs (owned) */
	size_t nstarts;
};

/* The flags of `fanout links`: parsing, --help, man page, completions. */
extern const struct fo_opts fo_links_opts;

/* The config before parsing (what the table's defaults do not set), and
 * what parsing and fo_links_main allocated in it. */
void fo_links_cfg_init(struct fo_links_cfg *cfg);
void fo_links_cfg_release(struct fo_links_cfg *cfg);

/* Crawls and reports as cfg says; the exit code (below). */
int fo_links_run(const struct fo_links_cfg *cfg);

/* Returns the exit code: 0 nothing broken, 1 something broken, 2 error, 3
 * nothing broken but a page not read whole, 4 the report not written, 130
 * interrupted. */
int fo_links_main(int argc, char **argv);

#endif
