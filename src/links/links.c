/*
 * `fanout links URL|PATH...`: checks every link of a site, for CI.
 *
 * The command line, the crawl (crawl.c) and the reports: for people,
 * broken links grouped by the page that holds them, then a summary; for
 * machines --format json|junit|markdown|csv. Exit 0 when nothing is
 * broken, 1 when something is, 2 on bad usage or when the crawl could not
 * run, 3 when nothing is but a page was not read whole (a limit: the
 * report's notes say which), 4 when the report could not be written.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <locale.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../cli/cli.h"
#include "../net/curl.h"
#include "../util/file.h"
#include "../util/stopsig.h"
#include "../util/term.h"
#include "crawl.h"
#include "extract.h"
#include "links.h"
#include "url.h"

enum format { F_TEXT, F_JSON, F_JUNIT, F_MARKDOWN, F_CSV };

/* Exit codes besides 0, 1, 2 and 130 (docs/links.md). */
#define EXIT_INCOMPLETE 3 /* nothing broken, but a page was not read whole */
#define EXIT_WRITE 4      /* the report could not be written */
#define EXIT_HELP (-2)    /* parse_args: --help printed, exit 0 */

#define DEFAULT_MAX_DEPTH 100
#define DEFAULT_MAX_PAGES 200000            /* bench/links: 133,258 pages fit */
#define DEFAULT_MAX_RETRY_WAIT (30 * FO_SEC)

static void usage(FILE *f)
{
	fputs("usage: fanout links [options] URL|PATH...\n"
	      "\n"
	      "Crawls the pages under each start (same host, or the start's folder for local\n"
	      "files), checks every distinct link once (internal and external), and reports the\n"
	      "broken ones grouped by page. Exit: 0 nothing broken, 1 something broken, 2 error,\n"
	      "3 nothing broken but a page not read whole (a limit), 4 the report not written.\n"
	      "\n"
	      "scope:\n"
	      "  --scope PREFIX         crawl pages under this URL prefix instead\n"
	      "  --include REGEX        check only URLs that match (extended regex)\n"
	      "  --exclude REGEX        do not check URLs that match\n"
	      "  --max-depth N          crawl pages at most N links from a start (default 100)\n"
	      "  --max-pages N          crawl N pages at most (default 200000); pages past\n"
	      "                         either limit are checked, not crawled, and the report\n"
	      "                         says so\n"
	      "  --no-external          do not check links out of scope\n"
	      "  --no-robots            ignore robots.txt (default: respected for pages we crawl)\n"
	      "  --no-fragments         do not check #fragments\n"
	      "requests:\n"
	      "  --max-concurrency N    requests in flight (default 256)\n"
	      "  --max-per-host N       requests in flight per host (default 256: your own site;\n"
	      "                         say 8 for other people's)\n"
	      "  --rate R               requests per second per host (default: no limit)\n"
	      "  --timeout D            per request, all of it (default 20s)\n"
	      "  --connect-timeout D    (default 10s)\n"
	      "  --retries N            for 429/503 (Retry-After honoured) and resets (default 2)\n"
	      "  --max-retry-wait D     the longest Retry-After waited for (default 30s); a\n"
	      "                         longer one ends the link with its status and a note\n"
	      "  --max-redirects N      (default 10)\n"
	      "  -H, --header 'N: V'    an extra request header (repeatable); sent only to the\n"
	      "                         starts' and --scope's origins, redirects included\n"
	      "  --cookies FILE|'N=V; ...'  cookies (a Netscape cookie file, or a Cookie header),\n"
	      "                         to the same origins only\n"
	      "  --header-all-hosts     send -H headers and cookies to every host (a warning)\n"
	      "  --user-agent UA        (default fanout-links/0.1)\n"
	      "  --insecure             do not verify TLS certificates\n"
	      "  --max-page SIZE        bytes of a page parsed at most (default 10M, up to 1G)\n"
	      "  --max-links N          links (and ids) read of a page at most (default 100000)\n"
	      "  --cache FILE           remember links out of scope that were fine, and do not\n"
	      "                         ask them again in the next run (made when missing)\n"
	      "  --cache-max-age D      how long a cached result holds (default 24h)\n"
	      "  --model M              the runtime's model (default loop; threads:N, coro:N)\n"
	      "output:\n"
	      "  --format text|json|junit|markdown|csv   (default text)\n"
	      "  -o FILE                write the report there instead of stdout\n"
	      "  --progress|--no-progress   a progress line on stderr (default: on a terminal)\n",
	      f);
}

/* ---- reports ----------------------------------------------------------------------- */

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static void xml_str(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default:
			if ((unsigned char)*s >= 0x20 || *s == '\t' || *s == '\n')
				fputc(*s, f);
		}
	}
}

static void csv_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

/* One broken link as the reports see it. */
struct problem {
	const struct fo_target *page; /* where it is */
	const struct fo_target *t;    /* what it points at */
	const struct fo_ref *ref;
	const char *status;           /* "404", "timeout", "fragment" ... */
	char reason[512];
};

static int by_page(const void *a, const void *b)
{
	const struct problem *x = a, *y = b;

	if (x->page->id != y->page->id)
		return x->page->id < y->page->id ? -1 : 1;
	return x->ref->line < y->ref->line ? -1 : x->ref->line > y->ref->line;
}

static size_t problems(const struct fo_crawl *c, struct problem **out)
{
	size_t i, n = 0, cap = 0;
	struct problem *p = NULL;

	static const struct fo_ref start_ref = { 0, 0, NULL, "start", NULL };

	for (i = 0; i < c->nt; i++) {
		const struct fo_target *t = c->t[i];
		const struct fo_ref *r = t->refs;

		/* a start that no page links to is still reported when broken */
		if (!r && t->depth == 0 && t->result == FO_TR_BROKEN)
			r = &start_ref;
		for (; r; r = r->next) {
			bool broken = t->result == FO_TR_BROKEN;
			bool frag = !broken && c->o->fragments && fo_crawl_frag_missing(c, r, t);

			if (!broken && !frag)
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 64;
				p = realloc(p, cap * sizeof(*p));
				if (!p)
					return 0;
			}
			p[n].page = r == &start_ref ? t : c->t[r->page];
			p[n].t = t;
			p[n].ref = r;
			if (frag) {
				p[n].status = "fragment";
				snprintf(p[n].reason, sizeof(p[n].reason), "no id or name '%s' in the page", r->frag);
			} else {
				p[n].status = t->status ? "http" : "error";
				snprintf(p[n].reason, sizeof(p[n].reason), "%s", t->reason ? t->reason : "broken");
			}
			n++;
		}
	}
	if (n)
		qsort(p, n, sizeof(*p), by_page);
	*out = p;
	return n;
}

static void link_of(const struct problem *p, char *buf, size_t len)
{
	if (p->ref->frag)
		snprintf(buf, len, "%s#%s", p->t->url, p->ref->frag);
	else
		snprintf(buf, len, "%s", p->t->url);
}

/* The limits a crawl ran into, one line each for people ("not crawled:
 * ..."); returns how many (at most 2). */
static size_t limit_lines(const struct fo_crawl *c, char lines[2][192])
{
	const struct fo_crawl_stats *st = &c->st;
	size_t n = 0;

	if (st->depth_capped)
		snprintf(lines[n++], sizeof(lines[0]),
			 "not crawled: pages deeper than --max-depth %d (%zu checked, their links not)",
			 c->o->max_depth, st->depth_capped);
	if (st->pages_capped)
		snprintf(lines[n++], sizeof(lines[0]),
			 "not crawled: pages past --max-pages %zu (%zu checked, their links not)", c->o->max_pages,
			 st->pages_capped);
	return n;
}

static void text_summary(FILE *f, const struct fo_crawl *c, size_t n)
{
	const struct fo_crawl_stats *st = &c->st;

	fprintf(f, "%zu pages, %zu links to %zu targets, %zu broken link%s (%zu targets, %zu "
		   "fragments), %zu skipped (%zu mailto/tel/javascript/data/other, %zu robots.txt, "
		   "%zu excluded); %zu requests in %.2fs",
		st->pages, st->links, st->targets, n, n == 1 ? "" : "s", st->broken, st->broken_fragments,
		st->skipped_scheme + st->skipped_robots + st->excluded, st->skipped_scheme, st->skipped_robots,
		st->excluded, st->requests, st->secs);
	if (st->cached)
		fprintf(f, "; %zu fine from the cache", st->cached);
	if (st->interrupted)
		fprintf(f, "; %zu not checked (interrupted)", st->interrupted);
	fputc('\n', f);
}

static void report_text(FILE *f, const struct fo_crawl *c, const struct problem *p, size_t n)
{
	char link[FO_URL_MAX * 2 + 8], lim[2][192];
	size_t i, nl = limit_lines(c, lim);
	bool gap = false;

	for (i = 0; i < n; i++) {
		if (i == 0 || p[i].page != p[i - 1].page)
			fprintf(f, "%s%s\n", i ? "\n" : "", p[i].page->url);
		link_of(&p[i], link, sizeof(link));
		fprintf(f, "  %s  line %u <%s>: %s\n", link, p[i].ref->line, p[i].ref->tag ? p[i].ref->tag : "?",
			p[i].reason);
		gap = true;
	}
	for (i = 0; i < c->nt; i++) {
		if (!c->t[i]->note)
			continue;
		fprintf(f, "%s%s\n  %s\n", gap ? "\n" : "", c->t[i]->url, c->t[i]->note);
		gap = true;
	}
	for (i = 0; i < nl; i++)
		fprintf(f, "%s%s\n", gap && i == 0 ? "\n" : "", lim[i]);
	if (gap || nl)
		fputc('\n', f);
	text_summary(f, c, n);
}

static void json_tail(FILE *f, const struct fo_crawl *c)
{
	size_t i;
	bool first = true;

	fputs(",\"notes\":[", f);
	for (i = 0; i < c->nt; i++) {
		if (!c->t[i]->note)
			continue;
		fputs(first ? "{\"page\":" : ",{\"page\":", f);
		json_str(f, c->t[i]->url);
		fputs(",\"note\":", f);
		json_str(f, c->t[i]->note);
		fputc('}', f);
		first = false;
	}
	fprintf(f, "],\"limits\":{\"max_pages\":%zu,\"max_depth\":%d,\"pages_hit\":%s,\"depth_hit\":%s}}\n",
		c->o->max_pages, c->o->max_depth, c->st.pages_capped ? "true" : "false",
		c->st.depth_capped ? "true" : "false");
}

static void report_json(FILE *f, const struct fo_crawl *c, const struct problem *p, size_t n)
{
	const struct fo_crawl_stats *st = &c->st;
	char link[FO_URL_MAX * 2 + 8];
	size_t i;

	fprintf(f, "{\"pages\":%zu,\"links\":%zu,\"targets\":%zu,\"requests\":%zu,\"seconds\":%.3f,"
		   "\"cached\":%zu,\"skipped\":{\"scheme\":%zu,\"robots\":%zu,\"excluded\":%zu,\"interrupted\":%zu},"
		   "\"broken\":[",
		st->pages, st->links, st->targets, st->requests, st->secs, st->cached, st->skipped_scheme,
		st->skipped_robots, st->excluded, st->interrupted);
	for (i = 0; i < n; i++) {
		link_of(&p[i], link, sizeof(link));
		fputs(i ? ",{\"page\":" : "{\"page\":", f);
		json_str(f, p[i].page->url);
		fputs(",\"url\":", f);
		json_str(f, link);
		fprintf(f, ",\"line\":%u,\"tag\":", p[i].ref->line);
		json_str(f, p[i].ref->tag);
		fprintf(f, ",\"status\":%d,\"kind\":", p[i].t->status);
		json_str(f, p[i].status);
		fputs(",\"reason\":", f);
		json_str(f, p[i].reason);
		fputc('}', f);
	}
	fputc(']', f);
	json_tail(f, c);
}

static void report_junit(FILE *f, const struct fo_crawl *c, const struct problem *p, size_t n)
{
	char link[FO_URL_MAX * 2 + 8], lim[2][192];
	size_t i, nl = limit_lines(c, lim);

	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		   "<testsuites><testsuite name=\"fanout links\" tests=\"%zu\" failures=\"%zu\" time=\"%.3f\">\n",
		c->st.links, n, c->st.secs);
	for (i = 0; i < n; i++) {
		link_of(&p[i], link, sizeof(link));
		fputs("  <testcase classname=\"", f);
		xml_str(f, p[i].page->url);
		fputs("\" name=\"", f);
		xml_str(f, link);
		fputs("\"><failure message=\"", f);
		xml_str(f, p[i].reason);
		fprintf(f, "\">line %u</failure></testcase>\n", p[i].ref->line);
	}
	if (nl || c->st.notes) {
		/* the limits met and the pages not read whole, for people */
		fputs("  <system-out>", f);
		for (i = 0; i < nl; i++)
			fprintf(f, "%s\n", lim[i]);
		for (i = 0; i < c->nt; i++) {
			if (!c->t[i]->note)
				continue;
			xml_str(f, c->t[i]->url);
			fputs(": ", f);
			xml_str(f, c->t[i]->note);
			fputc('\n', f);
		}
		fputs("</system-out>\n", f);
	}
	fputs("</testsuite></testsuites>\n", f);
}

static void report_markdown(FILE *f, const struct fo_crawl *c, const struct problem *p, size_t n)
{
	char link[FO_URL_MAX * 2 + 8], lim[2][192];
	size_t i, nl = limit_lines(c, lim);

	fprintf(f, "## Broken links: %zu\n\n", n);
	if (n)
		fputs("| page | line | link | reason |\n| --- | ---: | --- | --- |\n", f);
	for (i = 0; i < n; i++) {
		link_of(&p[i], link, sizeof(link));
		fprintf(f, "| %s | %u | %s | %s |\n", p[i].page->url, p[i].ref->line, link, p[i].reason);
	}
	if (nl || c->st.notes)
		fputc('\n', f);
	for (i = 0; i < nl; i++)
		fprintf(f, "- %s\n", lim[i]);
	for (i = 0; i < c->nt; i++)
		if (c->t[i]->note)
			fprintf(f, "- %s: %s\n", c->t[i]->url, c->t[i]->note);
	fprintf(f, "\n%zu pages, %zu links, %zu requests in %.2fs\n", c->st.pages, c->st.links, c->st.requests,
		c->st.secs);
}

static void report_csv(FILE *f, const struct fo_crawl *c, const struct problem *p, size_t n)
{
	char link[FO_URL_MAX * 2 + 8];
	size_t i;

	(void)c;
	fputs("page,line,tag,url,status,reason\n", f);
	for (i = 0; i < n; i++) {
		link_of(&p[i], link, sizeof(link));
		csv_str(f, p[i].page->url);
		fprintf(f, ",%u,", p[i].ref->line);
		csv_str(f, p[i].ref->tag);
		fputc(',', f);
		csv_str(f, link);
		fprintf(f, ",%d,", p[i].t->status);
		csv_str(f, p[i].reason);
		fputc('\n', f);
	}
}

static void report(FILE *f, enum format fmt, const struct fo_crawl *c, const struct problem *p, size_t n)
{
	static void (*const fns[])(FILE *, const struct fo_crawl *, const struct problem *, size_t) = {
		[F_TEXT] = report_text,	    [F_JSON] = report_json, [F_JUNIT] = report_junit,
		[F_MARKDOWN] = report_markdown, [F_CSV] = report_csv,
	};

	fns[fmt](f, c, p, n);
}

/* A report for people (text, Markdown) with what pages and servers put in
 * URLs and error text neutralised line by line (STYLE 17: an ESC in a
 * file name must not recolour a CI log); JSON, JUnit and CSV keep it exact
 * in their own escapes. 0 or -ENOMEM. */
static int for_people(char **buf, size_t *len)
{
	struct fo_sbuf b = { 0 };
	const char *p = *buf, *end = *buf + *len;

	if (fo__term_safe(*buf, *len))
		return 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t k = nl ? (size_t)(nl - p) : (size_t)(end - p);

		fo__term_add(&b, p, k);
		if (nl)
			fo_sbuf_add(&b, "\n", 1);
		p += k + (nl != NULL);
	}
	if (b.oom) {
		free(b.p);
		return -ENOMEM;
	}
	free(*buf);
	*buf = b.p;
	*len = b.len;
	return 0;
}

/*
 * The report, whole, to stdout or to -o PATH (STYLE 19): built in memory,
 * then written to stdout with every error checked, or to a temporary file
 * beside PATH renamed over it only when complete, so a failed write leaves
 * the old file and -o may name an input (read by then). 0, or
 * EXIT_WRITE with one line on stderr.
 */
static int emit(const char *outpath, enum format fmt, const struct fo_crawl *c, const struct problem *p,
		size_t n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	int e;

	if (!m) {
		fprintf(stderr, "fanout: cannot write the report: %s\n", strerror(errno));
		return EXIT_WRITE;
	}
	report(m, fmt, c, p, n);
	e = fclose(m) == 0 ? 0 : -ENOMEM;
	if (e == 0 && (fmt == F_TEXT || fmt == F_MARKDOWN))
		e = for_people(&buf, &len);
	if (e == 0)
		e = outpath ? fo__write_file(outpath, buf, len, 0644, false) : fo__write_all(1, buf, len);
	free(buf);
	if (e == 0)
		return 0;
	if (outpath)
		fprintf(stderr, "fanout: cannot write the report '%s': %s\n", outpath, strerror(-e));
	else
		fprintf(stderr, "fanout: cannot write the report to stdout: %s\n", strerror(-e));
	return EXIT_WRITE;
}

/* ---- progress and Ctrl-C ----------------------------------------------------------------- */

static int64_t last_progress;

static void progress(size_t done, size_t left, size_t broken, void *arg)
{
	int64_t now = fo_now();

	(void)arg;
	if (now - last_progress < 100 * FO_MSEC)
		return;
	last_progress = now;
	fprintf(stderr, "\r\033[K%zu checked, %zu to go, %zu broken", done, left, broken);
}

/* ---- command line ------------------------------------------------------------------------- */

/* What the command line gives: the crawl's options and the report's. */
struct args {
	struct fo_crawl_opts o;
	const char **starts, **headers;
	size_t nstarts, nheaders;
	regex_t inc, exc;
	bool have_inc, have_exc;
	enum format fmt;
	const char *outpath;
	char *scope_buf;
};

/* Flags of a whole number (or a size), into an int or size_t field of
 * the options: strict (cli.h), within bounds. */
static const struct num_flag {
	const char *name;
	uint64_t min, max;
	size_t off, size; /* the field in struct fo_crawl_opts */
	bool is_size;     /* K, M, G suffixes */
} num_flags[] = {
	{ "--max-depth", 0, 1000000, offsetof(struct fo_crawl_opts, max_depth), sizeof(int), false },
	{ "--max-pages", 1, 1000000000, offsetof(struct fo_crawl_opts, max_pages), sizeof(size_t), false },
	{ "--max-links", 1, 100000000, offsetof(struct fo_crawl_opts, max_links), sizeof(size_t), false },
	{ "--max-concurrency", 1, 10000, offsetof(struct fo_crawl_opts, max_conc), sizeof(int), false },
	{ "--max-per-host", 1, 10000, offsetof(struct fo_crawl_opts, max_per_host), sizeof(int), false },
	{ "--retries", 0, 20, offsetof(struct fo_crawl_opts, retries), sizeof(int), false },
	{ "--max-redirects", 0, 100, offsetof(struct fo_crawl_opts, max_redirects), sizeof(int), false },
	{ "--max-page", 1024, (uint64_t)1 << 30, offsetof(struct fo_crawl_opts, max_page), sizeof(size_t), true },
};

/* Flags of a duration, into an int64_t field, in [min, max] ns. */
static const struct dur_flag {
	const char *name;
	int64_t min, max;
	size_t off;
	const char *forms;
} dur_flags[] = {
	{ "--timeout", FO_MSEC, 24 * 3600 * FO_SEC, offsetof(struct fo_crawl_opts, timeout),
	  "a duration from 1ms to 24h, such as 5s or 500ms" },
	{ "--connect-timeout", FO_MSEC, 24 * 3600 * FO_SEC, offsetof(struct fo_crawl_opts, connect_timeout),
	  "a duration from 1ms to 24h, such as 5s or 500ms" },
	{ "--max-retry-wait", 0, 24 * 3600 * FO_SEC, offsetof(struct fo_crawl_opts, max_retry_wait),
	  "a duration up to 24h, such as 30s or 2m (0: never wait)" },
	{ "--cache-max-age", FO_SEC, INT64_C(3650) * 24 * 3600 * FO_SEC, offsetof(struct fo_crawl_opts, cache_max_age),
	  "a duration of a second or more, such as 24h or 30m" },
};

/* -1: not a flag of these tables; else 0 or the exit code, 2. */
static int number_flag(struct fo_crawl_opts *o, const char *a, const char *v)
{
	char forms[96];
	size_t i;

	for (i = 0; i < sizeof(num_flags) / sizeof(num_flags[0]); i++) {
		const struct num_flag *f = &num_flags[i];
		uint64_t n;

		if (strcmp(a, f->name))
			continue;
		if ((f->is_size ? fo_cli_size(v, f->min, f->max, &n) : fo_cli_uint(v, f->min, f->max, &n)) < 0) {
			if (f->is_size)
				snprintf(forms, sizeof(forms), "a size from 1K to 1G, such as 512K or 10M");
			else
				snprintf(forms, sizeof(forms), "a whole number from %llu to %llu",
					 (unsigned long long)f->min, (unsigned long long)f->max);
			return fo_cli_bad(a, v, forms);
		}
		if (f->size == sizeof(int))
			*(int *)((char *)o + f->off) = (int)n;
		else
			*(size_t *)((char *)o + f->off) = (size_t)n;
		return 0;
	}
	for (i = 0; i < sizeof(dur_flags) / sizeof(dur_flags[0]); i++) {
		const struct dur_flag *f = &dur_flags[i];
		int64_t d;

		if (strcmp(a, f->name))
			continue;
		if (fo_duration_parse(v, &d) < 0 || d < f->min || d > f->max)
			return fo_cli_bad(a, v, f->forms);
		*(int64_t *)((char *)o + f->off) = d;
		return 0;
	}
	if (!strcmp(a, "--rate")) {
		if (fo_cli_real(v, 0.001, 1000000, &o->rate_per_host) < 0)
			return fo_cli_bad(a, v, "requests per second from 0.001 to 1000000, such as 10 or 0.5");
		return 0;
	}
	return -1;
}

/* -1: not a switch; 0: set. */
static int switch_flag(struct args *a, const char *f)
{
	struct fo_crawl_opts *o = &a->o;

	if (!strcmp(f, "--no-external"))
		o->check_external = false;
	else if (!strcmp(f, "--no-robots"))
		o->robots = false;
	else if (!strcmp(f, "--no-fragments"))
		o->fragments = false;
	else if (!strcmp(f, "--insecure"))
		o->insecure = true;
	else if (!strcmp(f, "--header-all-hosts"))
		o->creds_all_hosts = true;
	else if (!strcmp(f, "--progress"))
		o->progress = progress;
	else if (!strcmp(f, "--no-progress"))
		o->progress = NULL;
	else
		return -1;
	return 0;
}

/* A start: a URL with a scheme, else a local file or folder. 0 or 2. */
static int add_start(struct args *a, const char *s)
{
	char err[512], *u = malloc(2 * FO_URL_MAX + 8);
	const char **n;
	const char *frag;
	int e;

	if (!u)
		return 2;
	if (strstr(s, "://") || !strncmp(s, "file:", 5)) {
		e = fo_url_resolve(NULL, s, u, 2 * FO_URL_MAX + 8, &frag, err, sizeof(err));
		if (e != FO_URL_HTTP && e != FO_URL_FILE) {
			fprintf(stderr, "fanout: bad start '%s': %s\n", s,
				e < 0 ? err : "expected an http(s) URL or a local file or folder");
			free(u);
			return 2;
		}
	} else if (fo_url_from_path(s, u, 2 * FO_URL_MAX + 8, err, sizeof(err)) < 0) {
		fprintf(stderr, "fanout: bad start '%s': %s (give an http(s) URL, or a file or folder)\n", s, err);
		free(u);
		return 2;
	}
	n = realloc(a->starts, (a->nstarts + 1) * sizeof(*n));
	if (!n) {
		free(u);
		return 2;
	}
	a->starts = n;
	a->starts[a->nstarts++] = u;
	return 0;
}

static int format_flag(struct args *a, const char *f, const char *v)
{
	static const char *const names[] = { [F_TEXT] = "text", [F_JSON] = "json", [F_JUNIT] = "junit",
					     [F_MARKDOWN] = "markdown", [F_CSV] = "csv" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(v, names[i])) {
			a->fmt = (enum format)i;
			return 0;
		}
	}
	return fo_cli_bad(f, v, "text, json, junit, markdown or csv");
}

/* The flags with a value that are not numbers. 0, 2, or -1: unknown. */
static int value_flag(struct args *a, const char *f, const char *v)
{
	char err[512];
	const char *frag;

	if (!strcmp(f, "--scope")) {
		a->scope_buf = a->scope_buf ? a->scope_buf : malloc(2 * FO_URL_MAX + 8);
		if (!a->scope_buf ||
		    fo_url_resolve(NULL, v, a->scope_buf, 2 * FO_URL_MAX + 8, &frag, err, sizeof(err)) <= 0)
			return fo_cli_bad(f, v, "an absolute URL prefix such as https://example.com/docs/");
		a->o.scope = a->scope_buf;
	} else if (!strcmp(f, "--include") || !strcmp(f, "--exclude")) {
		bool inc = f[2] == 'i', *have = inc ? &a->have_inc : &a->have_exc;
		regex_t *re = inc ? &a->inc : &a->exc;

		if (*have || regcomp(re, v, REG_EXTENDED | REG_NOSUB) != 0)
			return fo_cli_bad(f, v, "one extended regular expression");
		*have = true;
		*(inc ? &a->o.include : &a->o.exclude) = re;
	} else if (!strcmp(f, "-H") || !strcmp(f, "--header")) {
		const char **n;

		if (!strchr(v, ':'))
			return fo_cli_bad(f, v, "'Name: value'");
		if (!(n = realloc(a->headers, (a->nheaders + 1) * sizeof(*n))))
			return 2;
		a->headers = n;
		a->headers[a->nheaders++] = v;
	} else if (!strcmp(f, "--cookies")) {
		if (!strchr(v, '=') && access(v, R_OK) < 0) {
			fprintf(stderr, "fanout: cannot read cookie file '%s': %s\n", v, strerror(errno));
			return 2;
		}
		a->o.cookies = v;
	} else if (!strcmp(f, "--cache")) {
		if (!*v)
			return fo_cli_bad(f, v, "a file name");
		a->o.cache = v;
	} else if (!strcmp(f, "--user-agent")) {
		a->o.user_agent = v;
	} else if (!strcmp(f, "--model")) {
		if (fo_model_parse(v, &a->o.model, err, sizeof(err)) < 0) {
			fprintf(stderr, "fanout: bad --model '%s': %s\n", v, err);
			return 2;
		}
		if (a->o.model.kind == FO_MODEL_PROCESSES || a->o.model.kind == FO_MODEL_BLENDED)
			return fo_cli_bad(f, v, "loop, coro:N, threads:N or sequential (one process holds the crawl)");
	} else if (!strcmp(f, "--format")) {
		return format_flag(a, f, v);
	} else if (!strcmp(f, "-o")) {
		a->outpath = v;
	} else {
		return -1;
	}
	return 0;
}

static void args_init(struct args *a)
{
	struct fo_crawl_opts *o = &a->o;

	memset(a, 0, sizeof(*a));
	o->max_depth = DEFAULT_MAX_DEPTH;
	o->max_pages = DEFAULT_MAX_PAGES;
	o->max_links = FO_EXTRACT_MAX_LINKS;
	o->robots = true;
	o->check_external = true;
	o->fragments = true;
	o->max_conc = 256;
	o->max_per_host = 256;
	o->retries = 2;
	o->max_retry_wait = DEFAULT_MAX_RETRY_WAIT;
	o->max_redirects = 10;
	o->timeout = 20 * FO_SEC;
	o->connect_timeout = 10 * FO_SEC;
	o->max_page = 10 << 20;
	o->cache_max_age = 24 * 3600 * FO_SEC;
	o->user_agent = "fanout-links/0.1 (+https://github.com/fanout)";
	o->model.kind = FO_MODEL_LOOP;
	o->model.threads = 1;
	o->progress = isatty(2) ? progress : NULL;
}

static void args_release(struct args *a)
{
	size_t i;

	for (i = 0; i < a->nstarts; i++)
		free((char *)a->starts[i]);
	free(a->starts);
	free(a->headers);
	free(a->scope_buf);
	if (a->have_inc)
		regfree(&a->inc);
	if (a->have_exc)
		regfree(&a->exc);
}

/* One flag and its value (NULL when none follows); *used says whether
 * the value was taken. 0, or the exit code. */
static int one_flag(struct args *a, const char *f, const char *v, bool *used)
{
	int r;

	*used = false;
	if (!strcmp(f, "-h") || !strcmp(f, "--help")) {
		usage(stdout);
		return EXIT_HELP;
	}
	if (switch_flag(a, f) == 0)
		return 0;
	if (!v) {
		fprintf(stderr, "fanout: '%s' needs a value (see fanout links --help)\n", f);
		return 2;
	}
	*used = true;
	if ((r = number_flag(&a->o, f, v)) >= 0 || (r = value_flag(a, f, v)) >= 0)
		return r;
	fprintf(stderr, "fanout: unknown option '%s' (see fanout links --help)\n", f);
	return 2;
}

/* The command line into a: 0 to run, else the exit code (EXIT_HELP: 0). */
static int parse_args(struct args *a, int argc, char **argv)
{
	char flag[64];
	int i, r;

	for (i = 0; i < argc; i++) {
		const char *s = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL, *eq = strchr(s, '=');
		bool used;

		if (s[0] != '-' || !s[1]) {
			if ((r = add_start(a, s)) != 0)
				return r;
			continue;
		}
		/* --flag=value as well as --flag value */
		if (s[1] == '-' && eq && (size_t)(eq - s) < sizeof(flag)) {
			memcpy(flag, s, (size_t)(eq - s));
			flag[eq - s] = 0;
			if ((r = one_flag(a, flag, eq + 1, &used)) != 0)
				return r;
			if (!used) {
				fprintf(stderr, "fanout: '%s' takes no value (see fanout links --help)\n", flag);
				return 2;
			}
			continue;
		}
		if ((r = one_flag(a, s, v, &used)) != 0)
			return r;
		i += used;
	}
	if (!a->nstarts) {
		fprintf(stderr, "fanout: links needs a start: a URL (https://example.com/) or a file or folder\n");
		return 2;
	}
	if (a->o.model.kind == FO_MODEL_SEQUENTIAL)
		a->o.max_conc = 1;
	a->o.starts = a->starts;
	a->o.nstarts = a->nstarts;
	a->o.headers = a->headers;
	a->o.nheaders = a->nheaders;
	return 0;
}

/* The exit code of a finished crawl (e: fo_crawl_run's), after the report. */
static int finish(struct args *a, struct fo_crawl *c, int e)
{
	struct problem *p = NULL;
	size_t n = problems(c, &p);
	int ret = emit(a->outpath, a->fmt, c, p, n);

	free(p);
	if (c->st.notes)
		fprintf(stderr, "fanout: warning: %zu page%s not read whole (a limit): the report's notes say which\n",
			c->st.notes, c->st.notes == 1 ? "" : "s");
	if (ret)
		return ret;
	if (e == -ECANCELED) {
		fprintf(stderr, "fanout: interrupted: the report covers what was checked\n");
		return 130;
	}
	return n ? 1 : c->st.notes ? EXIT_INCOMPLETE : 0;
}

int fo_links_main(int argc, char **argv)
{
	struct args a;
	struct fo_crawl c;
	struct fo_stopsig stop = { 0 };
	char err[512];
	int ret, e;

	setlocale(LC_CTYPE, "C.UTF-8"); /* IDN hosts to punycode (url.h) */
	args_init(&a);
	ret = parse_args(&a, argc, argv);
	if (ret != 0) {
		ret = ret == EXIT_HELP ? 0 : ret;
		goto out;
	}
	ret = 2;
	if (a.o.creds_all_hosts && (a.nheaders || a.o.cookies))
		fprintf(stderr, "fanout: warning: --header-all-hosts: the -H headers and cookies go to every host "
				"linked, not only to the starts' and --scope's\n");
	fo_extract_global_init();
	if (fo_curl_global_init() < 0) {
		fprintf(stderr, "fanout: cannot start libcurl or libxml2\n");
		goto out;
	}
	fo_raise_nofile();
	/* Ctrl-C: a thread of its own (stopsig.h says why not a handler) */
	if ((e = fo__stopsig_start(&stop)) < 0) {
		fprintf(stderr, "fanout: cannot start the crawl: %s\n", strerror(-e));
		goto out;
	}
	e = fo_crawl_run(&c, &a.o, err, sizeof(err));
	fo__stopsig_stop(&stop);
	if (a.o.progress)
		fputs("\r\033[K", stderr);
	if (e < 0 && e != -ECANCELED)
		fprintf(stderr, "fanout: %s\n", err);
	else
		ret = finish(&a, &c, e);
	fo_crawl_release(&c);
out:
	args_release(&a);
	return ret;
}
