/*
 * The CI reports of `fanout links` (report_ci.c): GitHub Actions workflow
 * commands (--format github) and SARIF 2.1.0 for code scanning (--format
 * sarif). links.c gathers the findings and hands them here in this neutral
 * form; the other formats stay in links.c.
 */
#ifndef FO_LINKS_REPORT_H
#define FO_LINKS_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "crawl.h"

/* One finding, borrowed from the crawl and links.c for the call. */
struct fo__finding {
	const char *page;   /* URL of the page (or sitemap) that holds the link */
	const char *url;    /* the link as checked, its fragment included */
	unsigned line, col; /* 1-based; 0: not known */
	const char *tag;    /* "a", "img", "loc"...; NULL: a start */
	const char *kind;   /* "http", "error", "fragment", "redirect" */
	const char *reason; /* for people */
};

/*
 * `::error file=F,line=L,col=C,title=T::MESSAGE` a finding (`::warning`
 * for a redirect), as GitHub's @actions/core writes them: file= only for a
 * page that is a local file (its path relative to the working directory,
 * where a workflow checks the repository out), line= and col= when known;
 * then a `::warning` per page not read whole. The caller adds the limits
 * and the summary.
 */
void fo__report_github(FILE *f, const struct fo_crawl *c, const struct fo__finding *v, size_t n);

/* One SARIF 2.1.0 log: a run of the tool "fanout links" with its rules,
 * a result per finding, the pages not read whole as notifications. */
void fo__report_sarif(FILE *f, const struct fo_crawl *c, const struct fo__finding *v, size_t n);

/* s escaped as @actions/core's escapeData (property false: % CR LF) or
 * escapeProperty (property true: also : and ,). */
void fo__gh_escape(FILE *f, const char *s, bool property);

#endif
