/*
 * The flags of `fanout links`, declared once (STYLE 16): the option layer
 * (src/cli/opt.h) parses them into struct fo_links_cfg and makes --help,
 * the man page and the completions from this table. In a file of its own
 * so that the tests link the table without the crawler.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fanout/runtime.h"
#include "links.h"
#include "url.h"

#define SCOPE_BUF (2 * FO_URL_MAX + 8)

/* -H 'Name: value', appended (repeatable). */
static int opt_header(void *cfg, const struct fo_opt *o, const char *v)
{
	struct fo_optlist *l = (struct fo_optlist *)(void *)((char *)cfg + o->off);
	const char **a;

	if (!strchr(v, ':'))
		return -EINVAL;
	if (!(a = realloc(l->v, (l->n + 1) * sizeof(*a))))
		return -ENOMEM;
	a[l->n++] = v;
	l->v = a;
	return 0;
}

/* --include, --exclude: one extended regex each time, compiled now so
 * that a bad one is the one usage error. */
static int opt_pattern(void *cfg, const struct fo_opt *o, const char *v)
{
	struct fo_links_patterns *p = (struct fo_links_patterns *)(void *)((char *)cfg + o->off);
	regex_t *re = malloc(sizeof(*re)), **a;

	if (!re)
		return -ENOMEM;
	if (regcomp(re, v, REG_EXTENDED | REG_NOSUB) != 0) {
		free(re);
		return -EINVAL;
	}
	if (!(a = realloc(p->v, (p->n + 1) * sizeof(*a)))) {
		regfree(re);
		free(re);
		return -ENOMEM;
	}
	a[p->n++] = re;
	p->v = a;
	return 0;
}

static int opt_scope(void *cfg, const struct fo_opt *o, const char *v)
{
	struct fo_links_cfg *c = cfg;
	const char *frag;
	char err[256];

	(void)o;
	if (!c->scope_buf && !(c->scope_buf = malloc(SCOPE_BUF)))
		return -ENOMEM;
	if (fo_url_resolve(NULL, v, c->scope_buf, SCOPE_BUF, &frag, err, sizeof(err)) <= 0)
		return -EINVAL;
	c->o.scope = c->scope_buf;
	return 0;
}

/* --root-dir DIR: an existing folder, as a canonical file URL ending in "/". */
static int opt_root_dir(void *cfg, const struct fo_opt *o, const char *v)
{
	struct fo_links_cfg *c = cfg;
	char err[256];
	size_t n;

	(void)o;
	if (!c->root_buf && !(c->root_buf = malloc(SCOPE_BUF)))
		return -ENOMEM;
	if (fo_url_from_path(v, c->root_buf, SCOPE_BUF, err, sizeof(err)) < 0)
		return -EINVAL;
	n = strlen(c->root_buf);
	if (!n || c->root_buf[n - 1] != '/')
		return -EINVAL; /* a file, not a folder */
	c->o.root_dir = c->root_buf;
	return 0;
}

/* --base URL: an http(s) URL, its path made to end in "/" (a folder). */
static int opt_base(void *cfg, const struct fo_opt *o, const char *v)
{
	struct fo_links_cfg *c = cfg;
	const char *frag;
	char err[256];
	size_t n;

	(void)o;
	if (!c->base_buf && !(c->base_buf = malloc(SCOPE_BUF)))
		return -ENOMEM;
	if (fo_url_resolve(NULL, v, c->base_buf, SCOPE_BUF - 1, &frag, err, sizeof(err)) != FO_URL_HTTP ||
	    strchr(c->base_buf, '?'))
		return -EINVAL;
	n = strlen(c->base_buf);
	if (c->base_buf[n - 1] != '/')
		memcpy(c->base_buf + n, "/", 2);
	c->o.site_base = c->base_buf;
	return 0;
}

/* --accept 200-299,429,999: statuses (100-999) and ranges of them, replacing
 * the default (100-399: below 400). */
static int opt_accept(void *cfg, const struct fo_opt *o, const char *v)
{
	struct fo_links_cfg *c = cfg;
	size_t n = 0, max = sizeof(c->accept) / sizeof(c->accept[0]);
	const char *p = v;

	(void)o;
	for (;;) {
		int lo = 0, hi, i;

		for (i = 0; i < 3 && *p >= '0' && *p <= '9'; i++)
			lo = lo * 10 + (*p++ - '0');
		if (i != 3 || lo < 100)
			return -EINVAL;
		hi = lo;
		if (*p == '-') {
			p++;
			for (hi = 0, i = 0; i < 3 && *p >= '0' && *p <= '9'; i++)
				hi = hi * 10 + (*p++ - '0');
			if (i != 3 || hi < lo)
				return -EINVAL;
		}
		if (n == max)
			return -EINVAL;
		c->accept[n].lo = lo;
		c->accept[n++].hi = hi;
		if (!*p)
			break;
		if (*p++ != ',')
			return -EINVAL;
	}
	c->o.accept = c->accept;
	c->o.naccept = n;
	return 0;
}

/* One process holds the crawl: no processes:N or blended. */
static int opt_model(void *cfg, const struct fo_opt *o, const char *v)
{
	struct fo_links_cfg *c = cfg;
	char err[256];

	(void)o;
	if (fo_model_parse(v, &c->o.model, err, sizeof(err)) < 0)
		return -EINVAL;
	if (c->o.model.kind == FO_MODEL_PROCESSES || c->o.model.kind == FO_MODEL_BLENDED)
		return -EINVAL;
	return 0;
}

#define CFG(f) offsetof(struct fo_links_cfg, f)
#define CRAWL(f) offsetof(struct fo_links_cfg, o.f)
#define DAY (24 * 3600e9)

static const struct fo_opt links_opts[] = {
	{ .name = "scope", .kind = FO_OPT_FN, .fn = opt_scope, .arg = "PREFIX", .group = "Crawl",
	  .help = "crawl pages under this URL prefix instead",
	  .forms = "an absolute URL prefix such as https://example.com/docs/" },
	{ .name = "include", .kind = FO_OPT_FN, .fn = opt_pattern, .off = CFG(include), .arg = "REGEX",
	  .group = "Crawl", .flags = FO_OPT_REPEAT, .forms = "an extended regular expression",
	  .help = "check only URLs that match one (repeatable)" },
	{ .name = "exclude", .kind = FO_OPT_FN, .fn = opt_pattern, .off = CFG(exclude), .arg = "REGEX",
	  .group = "Crawl", .flags = FO_OPT_REPEAT, .forms = "an extended regular expression",
	  .help = "do not check URLs that match one (repeatable)" },
	{ .name = "max-depth", .kind = FO_OPT_COUNT, .off = CFG(max_depth), .arg = "N", .group = "Crawl",
	  .def = "100", .min = 0, .max = 1000000, .help = "crawl pages at most N links from a start" },
	/* bench/links's 133,258 pages fit */
	{ .name = "max-pages", .kind = FO_OPT_COUNT, .off = CFG(max_pages), .arg = "N", .group = "Crawl",
	  .def = "200000", .min = 1, .max = 1e9, .help = "crawl N pages at most" },
	{ .name = "external", .kind = FO_OPT_BOOL, .off = CRAWL(check_external), .group = "Crawl",
	  .def = "on", .help = "check links out of scope" },
	{ .name = "robots", .kind = FO_OPT_BOOL, .off = CRAWL(robots), .group = "Crawl", .def = "on",
	  .help = "respect robots.txt for the pages crawled" },
	{ .name = "fragments", .kind = FO_OPT_BOOL, .off = CRAWL(fragments), .group = "Crawl", .def = "on",
	  .help = "check #fragments" },
	{ .name = "github-anchors", .kind = FO_OPT_BOOL, .off = CRAWL(github_anchors), .group = "Crawl",
	  .help = "#x also finds id=user-content-x (always on github.com)" },
	{ .name = "root-dir", .kind = FO_OPT_FN, .fn = opt_root_dir, .arg = "DIR", .group = "Crawl",
	  .help = "a local site's root: /x links are DIR/x (default: the folder given)",
	  .forms = "an existing folder" },
	{ .name = "base", .kind = FO_OPT_FN, .fn = opt_base, .arg = "URL", .group = "Crawl",
	  .help = "a local folder is the site at URL: its links there are read from the folder",
	  .forms = "an http(s) URL without a query, such as https://example.com/docs/" },
	{ .name = "max-page", .kind = FO_OPT_SIZE, .off = CRAWL(max_page), .arg = "SIZE", .group = "Crawl",
	  .def = "10M", .min = 1024, .max = 1 << 30, .help = "bytes of a page parsed at most",
	  .forms = "a size from 1K to 1G, such as 512K or 10M" },
	{ .name = "max-links", .kind = FO_OPT_COUNT, .off = CFG(max_links), .arg = "N", .group = "Crawl",
	  .def = "100000", .min = 1, .max = 1e8, .help = "links (and ids) read of a page at most" },

	{ .name = "max-concurrency", .kind = FO_OPT_COUNT, .off = CFG(max_conc), .arg = "N",
	  .group = "Requests", .def = "256", .min = 1, .max = 10000, .help = "requests in flight" },
	{ .name = "max-per-host", .kind = FO_OPT_COUNT, .off = CFG(max_per_host), .arg = "N",
	  .group = "Requests", .def = "256", .min = 1, .max = 10000,
	  .help = "requests in flight per host" },
	{ .name = "rate", .kind = FO_OPT_RATE, .off = CRAWL(rate_per_host), .arg = "R", .group = "Requests",
	  .min = 0.001, .max = 1000000, .help = "requests a second per host (default: no limit)",
	  .forms = "requests per second from 0.001 to 1000000, such as 10 or 0.5" },
	{ .name = "timeout", .kind = FO_OPT_DURATION, .off = CRAWL(timeout), .arg = "DUR",
	  .group = "Requests", .def = "20s", .min = 1e6, .max = DAY, .help = "per request, all of it",
	  .forms = "a duration from 1ms to 24h, such as 5s or 500ms" },
	{ .name = "connect-timeout", .kind = FO_OPT_DURATION, .off = CRAWL(connect_timeout), .arg = "DUR",
	  .group = "Requests", .def = "10s", .min = 1e6, .max = DAY, .help = "to connect, per request",
	  .forms = "a duration from 1ms to 24h, such as 5s or 500ms" },
	{ .name = "retries", .kind = FO_OPT_COUNT, .off = CFG(retries), .arg = "N", .group = "Requests",
	  .def = "2", .min = 0, .max = 20, .help = "for 429/503 (Retry-After honoured) and resets" },
	{ .name = "max-retry-wait", .kind = FO_OPT_DURATION, .off = CRAWL(max_retry_wait), .arg = "DUR",
	  .group = "Requests", .def = "30s", .min = 0, .max = DAY,
	  .help = "the longest Retry-After waited (0: never)",
	  .forms = "a duration up to 24h, such as 30s or 2m (0: never wait)" },
	{ .name = "accept", .kind = FO_OPT_FN, .fn = opt_accept, .arg = "CODES", .group = "Requests",
	  .def = "100-399", .help = "HTTP statuses that are fine, such as 200-299,429,999",
	  .forms = "statuses from 100 to 999 and ranges of them, by commas, such as 200-299,429,999" },
	{ .name = "max-redirects", .kind = FO_OPT_COUNT, .off = CFG(max_redirects), .arg = "N",
	  .group = "Requests", .def = "10", .min = 0, .max = 100, .help = "redirects followed at most" },
	{ .name = "user-agent", .kind = FO_OPT_STRING, .off = CRAWL(user_agent), .arg = "UA",
	  .group = "Requests", .def = "fanout-links/0.1 (+https://github.com/fanout)",
	  .flags = FO_OPT_EMPTY_OK, .help = "the User-Agent header" },
	{ .name = "insecure", .kind = FO_OPT_BOOL, .off = CRAWL(insecure), .group = "Requests",
	  .help = "do not verify TLS certificates" },
	{ .name = "model", .kind = FO_OPT_FN, .fn = opt_model, .arg = "MODEL", .group = "Requests",
	  .def = "loop", .help = "model: coro:N, threads:N or sequential",
	  .forms = "loop, coro:N, threads:N or sequential (one process holds the crawl)" },

	{ .name = "header", .shrt = 'H', .kind = FO_OPT_FN, .fn = opt_header, .off = CFG(headers),
	  .arg = "'NAME: VALUE'", .group = "Credentials", .flags = FO_OPT_REPEAT, .forms = "'Name: value'",
	  .help = "an extra request header (repeatable)" },
	{ .name = "cookies", .kind = FO_OPT_FILE, .off = CRAWL(cookies), .arg = "FILE|'N=V; ...'",
	  .group = "Credentials", .help = "a Netscape cookie file, or a Cookie header" },
	{ .name = "header-all-hosts", .kind = FO_OPT_BOOL, .off = CRAWL(creds_all_hosts),
	  .group = "Credentials", .help = "send -H and cookies to every host (a warning)" },

	{ .name = "format", .kind = FO_OPT_ENUM, .off = CFG(format), .arg = "FORMAT", .group = "Report",
	  .def = "text", .choices = "text|json|junit|markdown|csv|github|sarif",
	  .help = "report format (github: workflow commands; sarif: code scanning)" },
	{ .name = "output", .shrt = 'o', .kind = FO_OPT_FILE, .off = CFG(output), .arg = "FILE",
	  .group = "Report", .help = "write the report there instead of stdout" },
	{ .name = "progress", .kind = FO_OPT_BOOL, .off = CFG(progress), .group = "Report",
	  .help = "a progress line on stderr (default: on a terminal)" },

	{ .name = "sitemap", .kind = FO_OPT_LIST, .off = CFG(sitemaps), .arg = "URL|FILE", .group = "Sitemap",
	  .flags = FO_OPT_REPEAT,
	  .help = "check every URL a sitemap lists (repeatable)",
	  .forms = "an http(s) URL or a file: a sitemap or sitemap index, gzip'd or not" },
	{ .name = "sitemap-max-size", .kind = FO_OPT_SIZE, .off = CFG(sitemap_max_size), .arg = "SIZE",
	  .group = "Sitemap", .def = "50M", .min = 1024, .max = 1 << 30,
	  .help = "bytes of one sitemap at most (after gunzip)", .forms = "a size from 1K to 1G, such as 50M" },
	{ .name = "sitemap-max-urls", .kind = FO_OPT_COUNT, .off = CFG(sitemap_max_urls), .arg = "N",
	  .group = "Sitemap", .def = "1000000", .min = 1, .max = 1e8, .help = "entries of all sitemaps at most" },
	{ .name = "sitemap-max-files", .kind = FO_OPT_COUNT, .off = CFG(sitemap_max_files), .arg = "N",
	  .group = "Sitemap", .def = "1000", .min = 1, .max = 1000000, .help = "sitemaps read at most" },
	{ .name = "sitemap-max-depth", .kind = FO_OPT_COUNT, .off = CFG(sitemap_max_depth), .arg = "N",
	  .group = "Sitemap", .def = "2", .min = 0, .max = 100, .help = "levels of sitemap indexes followed" },

	{ .name = "cache", .kind = FO_OPT_FILE, .off = CRAWL(cache), .arg = "FILE", .group = "Cache",
	  .help = "skip outside links found fine by an earlier run" },
	{ .name = "cache-max-age", .kind = FO_OPT_DURATION, .off = CRAWL(cache_max_age), .arg = "DUR",
	  .group = "Cache", .def = "24h", .min = 1e9, .max = 3650 * DAY, .help = "how long a cached result holds",
	  .forms = "a duration of a second or more, such as 24h or 30m" },
	{ .name = NULL },
};

const struct fo_opts fo_links_opts = {
	.cmd = "links",
	.synopsis = "[options] URL|PATH... | --sitemap URL|FILE",
	.about = "check every link of a site once, for CI",
	.more = "Crawls the pages under each start (same host, or the start's folder for local\n"
		"files), checks every distinct link once (internal and external), and reports the\n"
		"broken ones grouped by page. Pages past --max-depth or --max-pages are checked,\n"
		"not crawled, and the report says so.\n"
		"\n"
		"Markdown files (README.md, docs/) are read as GitHub shows them: links,\n"
		"images, reference links, autolinks and raw HTML; #fragments against the\n"
		"headings' ids; links to files and folders. A folder without index.html means\n"
		"every *.md under it (.git skipped). Broken links come with their line:column.\n"
		"\n"
		"--include and --exclude take extended regular expressions, on absolute URLs: a\n"
		"URL is checked when it matches no --exclude and, if any --include is given, one\n"
		"--include. --max-per-host's default is for your own site in CI; say 8 for other\n"
		"people's. A Retry-After longer than --max-retry-wait ends the link with its\n"
		"status and a note. The -H headers and cookies go only to the starts' and\n"
		"--scope's origins (redirects included) unless --header-all-hosts. --cache FILE\n"
		"is made when missing. --sitemap checks every URL a sitemap lists (indexes\n"
		"followed), crawled as links of the sitemap; an entry that redirects is a\n"
		"finding too. Every flag takes `--flag value` and `--flag=value`.\n"
		"\n"
		"Exit: 0 nothing broken, 1 something broken, 2 error, 3 nothing broken but a page\n"
		"not read whole (a limit), 4 the report not written, 130 interrupted.\n",
	.opts = links_opts,
	.cfg_size = sizeof(struct fo_links_cfg),
};

void fo_links_cfg_init(struct fo_links_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->o.model.kind = FO_MODEL_LOOP; /* --model's default, an FN's */
	cfg->o.model.threads = 1;
	cfg->progress = isatty(2);
}

static void patterns_release(struct fo_links_patterns *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		regfree(p->v[i]);
		free(p->v[i]);
	}
	free(p->v);
	memset(p, 0, sizeof(*p));
}

void fo_links_cfg_release(struct fo_links_cfg *cfg)
{
	size_t i;

	for (i = 0; i < cfg->nstarts; i++)
		free((char *)cfg->starts[i]);
	free(cfg->starts);
	for (i = 0; i < cfg->nsitemaps; i++)
		free((char *)cfg->sitemap_urls[i]);
	free(cfg->sitemap_urls);
	free(cfg->headers.v);
	free(cfg->scope_buf);
	free(cfg->root_buf);
	free(cfg->base_buf);
	patterns_release(&cfg->include);
	patterns_release(&cfg->exclude);
	memset(cfg, 0, sizeof(*cfg));
}
