/*
 * The crawl of `fanout links`: a frontier of targets (every distinct URL,
 * checked once), per-host limits, and workers that fetch, parse and check
 * on the runtime. links.c is the command around it.
 *
 * Ownership: struct fo_crawl owns every target, reference and string; they
 * live until fo_crawl_release(). The options' strings are borrowed for the
 * crawl's life.
 */
#ifndef FO_LINKS_CRAWL_H
#define FO_LINKS_CRAWL_H

#include <pthread.h>
#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fanout/runtime.h"

/* A link read before the crawl (a sitemap's entry, sitemap.h): page holds
 * it at line. A page that is no target yet when the crawl starts is one
 * read already (a --sitemap): it is not fetched again, and its host (or
 * folder) is in scope and gets the -H headers, as a start's. */
struct fo_crawl_seed {
	const char *page, *url; /* absolute, normalised, no fragment */
	uint32_t line;
	const char *tag;        /* static: "loc", "sitemap" */
};

/* HTTP statuses from lo to hi: --accept's ranges. */
struct fo_status_range {
	int lo, hi;
};

struct fo_crawl_opts {
	const char *const *starts;  /* start URLs (absolute; file:// for local paths) */
	size_t nstarts;
	const struct fo_crawl_seed *seeds; /* checked as links of their pages */
	size_t nseeds;
	const char *scope;          /* crawl pages under this prefix; NULL: each start's host */
	regex_t *const *include;    /* on absolute URLs: checked only when one matches */
	size_t ninclude;            /* 0: every URL */
	regex_t *const *exclude;    /* not checked when one matches */
	size_t nexclude;
	int max_depth;              /* pages crawled at most this many links from a start */
	size_t max_pages;           /* pages crawled at most (their links added) */
	size_t max_links;           /* links (and anchors) read of one page at most */
	bool robots;                /* respect robots.txt (default) */
	bool check_external;        /* check links out of scope (default) */
	bool fragments;             /* check #fragments (default) */
	bool github_anchors;        /* "#x" also finds id="user-content-x" (always on github.com) */
	const char *root_dir;       /* a local site's root folder, a canonical file URL ending
				     * in "/": "/x" links map there; NULL: each local start's folder */
	const char *site_base;      /* the http(s) URL (ending in "/") a local site is served at:
				     * links under it are checked in the root folder; NULL: none */
	const struct fo_status_range *accept; /* statuses that are fine; none: 100-399 */
	size_t naccept;
	int max_conc;               /* requests in flight at most */
	int max_per_host;           /* and per host */
	double rate_per_host;       /* requests per second per host; 0: no limit */
	int retries;                /* for 429/503 and resets */
	int64_t max_retry_wait;     /* ns: a longer Retry-After ends the link instead */
	int max_redirects;
	int64_t timeout;            /* per request, ns */
	int64_t connect_timeout;
	size_t max_page;            /* bytes of a page parsed at most */
	const char *user_agent;
	const char *const *headers; /* "Name: value" */
	size_t nheaders;
	const char *cookies;        /* a cookie file (Netscape format) or "NAME=V; ..." */
	bool creds_all_hosts;       /* headers and cookies to every host, not only the
				     * start URLs' and --scope's origins */
	bool insecure;              /* no TLS verification */
	const char *cache;          /* results cache file (cache.h); NULL: none */
	int64_t cache_max_age;      /* ns: entries older are asked again */
	struct fo_model model;
	bool quiet;
	void (*progress)(size_t done, size_t queued, size_t broken, void *arg);
	void *progress_arg;
};

/* A place a link appears: a page and a line, maybe a fragment. */
struct fo_ref {
	uint32_t page;   /* target id of the page */
	uint32_t line;
	uint32_t col;      /* 1-based column (Markdown pages); 0: not known */
	const char *frag;  /* NULL when none */
	const char *tag;   /* "a", "img", ... */
	struct fo_ref *next;
};

enum fo_tstate { FO_T_NEW, FO_T_QUEUED, FO_T_RUNNING, FO_T_DONE };
enum fo_tresult {
	FO_TR_OK,
	FO_TR_BROKEN,     /* a status not accepted (>= 400), no answer, or a link that
			   * does not parse (then url is the link as written): reason says */
	FO_TR_SKIPPED,    /* robots.txt, excluded, a scheme we do not check, interrupted */
	FO_TR_UNCHECKED,  /* out of scope and --no-external */
};

struct fo_target {
	char *url;            /* absolute, normalised, no fragment */
	uint32_t id;
	uint8_t state, result;
	bool page;            /* in scope: fetched with GET and crawled */
	bool html;            /* its body was HTML or Markdown (anchors known) */
	bool markdown;        /* a local Markdown file (markdown.h) */
	bool folder_ok;       /* a Markdown page links to it: a folder is fine as
			       * itself (as GitHub shows one), not as its index.html */
	bool want_anchors;    /* a link names one of its fragments */
	bool headed;          /* checked with a HEAD (no body, so no anchors) */
	bool cached;          /* its result came from the cache (checked at cached_at) */
	int64_t cached_at;    /* unix seconds */
	bool interrupted;     /* not checked: the run was interrupted (Ctrl-C) */
	uint32_t depth;
	int status;           /* HTTP status; 0 when none */
	int redirects;
	char *final_url;      /* after redirects, when it differs */
	char *reason;         /* for people: "404 Not Found", "timed out after 5s" */
	char *note;           /* a page not read whole: why ("too many links ..."); else NULL */
	char *anchors;        /* "\0"-separated ids and names, when html */
	size_t anchors_len;
	struct fo_ref *refs;
	struct fo__host *host;
	struct fo_target *hnext; /* the host's queue */
	int attempts;
	int64_t ms;
};

struct fo_crawl_stats {
	size_t pages, links, targets, broken, skipped_scheme, skipped_robots, excluded,
		requests, bytes, broken_fragments, cached,
		interrupted,  /* targets not checked for Ctrl-C: in flight or still queued */
		notes,        /* pages not read whole (a limit): each has its note */
		depth_capped, /* pages in scope not crawled for --max-depth */
		pages_capped, /* and for --max-pages */
		malformed,    /* links that do not parse or leave the root: broken targets */
		skipped_hints, /* <link rel=preconnect|dns-prefetch>: not links */
		skipped_text;  /* "#:~:text=" fragments (text directives): no anchor to check */
	double secs;
};

struct fo__host;

struct fo_crawl {
	const struct fo_crawl_opts *o;
	pthread_mutex_t lock;
	struct fo_target **t;       /* by id */
	size_t nt, tcap;
	struct fo_target **map;     /* open addressing on url */
	size_t mapcap;
	struct fo__host **hosts;
	size_t nhosts, hcap;
	struct fo__host *ring_head, *ring_tail; /* hosts with something queued,
						  * served round robin */
	size_t queued, running, done;
	int *wake_fds;              /* per worker: an eventfd its idle wait watches */
	bool *idle;
	int nworkers;
	struct fo_crawl_stats st;
	int64_t t0;
	char **scopes;              /* per start: its scope prefix (scope NULL) */
	size_t nscopes;
	char **origins;             /* scheme://host:port of each start and of --scope:
				     * where the -H headers and cookies may go */
	size_t norigins;
	void *share;                /* the libcurl share: connections, DNS, cookies */
	struct fo_lcache *cache;    /* --cache: results of earlier runs */
	pthread_mutex_t share_locks[8];
	int err;
};

/* 0, or a negative errno with errbuf saying why. With o->cache, the cache
 * is read first (an unreadable one is an error) and written at the end (a
 * failure to write it is a warning on stderr). */
int fo_crawl_run(struct fo_crawl *c, const struct fo_crawl_opts *o, char *errbuf, size_t errlen);
void fo_crawl_release(struct fo_crawl *c);

/* Is a broken fragment: the ref names a fragment its target lacks. */
bool fo_crawl_frag_missing(const struct fo_crawl *c, const struct fo_ref *r, const struct fo_target *t);

#endif
