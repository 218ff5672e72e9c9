/*
 * `fanout links URL|PATH...`: checks every link of a site, for CI.
 *
 * The command line (its flags are declared in links_opts.c), the crawl
 * (crawl.c) and the reports: for people, broken links grouped by the page
 * that holds them, then a summary; for machines --format
 * json|junit|markdown|csv, and for CI github|sarif (report_ci.c). --sitemap
 * (sitemap.c) adds the entries of sitemaps as links to check. Exit 0 when nothing is broken, 1 when something
 * is, 2 on bad usage or when the crawl could not run, 3 when nothing is
 * but a page was not read whole (a limit: the report's notes say which),
 * 4 when the report could not be written.
 */
#include <errno.h>
#include <stddef.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../net/curl.h"
#include "../util/file.h"
#include "../util/json.h"
#include "../util/stopsig.h"
#include "../util/term.h"
#include "crawl.h"
#include "extract.h"
#include "links.h"
#include "markdown.h"
#include "report.h"
#include "sitemap.h"
#include "url.h"

/* The order of --format's choices (links_opts.c). */
enum format { F_TEXT, F_JSON, F_JUNIT, F_MARKDOWN, F_CSV, F_GITHUB, F_SARIF };

/* Exit codes besides 0, 1, 2 and 130 (docs/links.md). */
#define EXIT_INCOMPLETE 3 /* nothing broken, but a page was not read whole */
#define EXIT_WRITE 4      /* the report could not be written */

/* ---- reports ----------------------------------------------------------------------- */

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
	const char *status;           /* "http", "error", "fragment", "redirect" */
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

	static const struct fo_ref start_ref = { .tag = "start" };

	for (i = 0; i < c->nt; i++) {
		const struct fo_target *t = c->t[i];
		const struct fo_ref *r = t->refs;

		/* a start that no page links to is still reported when broken */
		if (!r && t->depth == 0 && t->result == FO_TR_BROKEN)
			r = &start_ref;
		for (; r; r = r->next) {
			bool broken = t->result == FO_TR_BROKEN;
			bool frag = !broken && c->o->fragments && fo_crawl_frag_missing(c, r, t);
			/* a sitemap should list final URLs */
			bool redir = !broken && !frag && t->result == FO_TR_OK && t->redirects > 0 &&
				     fo_sitemap_tag(r->tag);

			if (!broken && !frag && !redir)
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
			if (redir) {
				p[n].status = "redirect";
				snprintf(p[n].reason, sizeof(p[n].reason), "redirects to %s: a sitemap should list the final URL",
					 t->final_url ? t->final_url : "another URL");
			} else if (frag) {
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
	if (st->malformed)
		fprintf(f, "; %zu link%s not checkable (malformed or out of the root)", st->malformed,
			st->malformed == 1 ? "" : "s");
	if (st->skipped_hints || st->skipped_text)
		fprintf(f, "; not links: %zu connection hints, %zu text fragments", st->skipped_hints,
			st->skipped_text);
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
		if (p[i].ref->col) /* Markdown: line:col, as editors take it */
			fprintf(f, "  %s  line %u:%u <%s>: %s\n", link, p[i].ref->line, p[i].ref->col,
				p[i].ref->tag ? p[i].ref->tag : "?", p[i].reason);
		else
			fprintf(f, "  %s  line %u <%s>: %s\n", link, p[i].ref->line,
				p[i].ref->tag ? p[i].ref->tag : "?", p[i].reason);
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
		fo__json_fputs(f, c->t[i]->url);
		fputs(",\"note\":", f);
		fo__json_fputs(f, c->t[i]->note);
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
		   "\"cached\":%zu,\"malformed\":%zu,\"skipped\":{\"scheme\":%zu,\"robots\":%zu,\"excluded\":%zu,"
		   "\"interrupted\":%zu,\"hints\":%zu,\"text_fragments\":%zu},\"broken\":[",
		st->pages, st->links, st->targets, st->requests, st->secs, st->cached, st->malformed, st->skipped_scheme,
		st->skipped_robots, st->excluded, st->interrupted, st->skipped_hints, st->skipped_text);
	for (i = 0; i < n; i++) {
		link_of(&p[i], link, sizeof(link));
		fputs(i ? ",{\"page\":" : "{\"page\":", f);
		fo__json_fputs(f, p[i].page->url);
		fputs(",\"url\":", f);
		fo__json_fputs(f, link);
		fprintf(f, ",\"line\":%u,\"col\":%u,\"tag\":", p[i].ref->line, p[i].ref->col);
		fo__json_fputs(f, p[i].ref->tag);
		fprintf(f, ",\"status\":%d,\"kind\":", p[i].t->status);
		fo__json_fputs(f, p[i].status);
		fputs(",\"reason\":", f);
		fo__json_fputs(f, p[i].reason);
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
		if (p[i].ref->col)
			fprintf(f, "\">line %u:%u</failure></testcase>\n", p[i].ref->line, p[i].ref->col);
		else
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
		if (p[i].ref->col)
			fprintf(f, "| %s | %u:%u | %s | %s |\n", p[i].page->url, p[i].ref->line, p[i].ref->col, link,
				p[i].reason);
		else
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
	fputs("page,line,col,tag,url,status,reason\n", f); /* col: 0 when not known (HTML) */
	for (i = 0; i < n; i++) {
		link_of(&p[i], link, sizeof(link));
		csv_str(f, p[i].page->url);
		fprintf(f, ",%u,%u,", p[i].ref->line, p[i].ref->col);
		csv_str(f, p[i].ref->tag);
		fputc(',', f);
		csv_str(f, link);
		fprintf(f, ",%d,", p[i].t->status);
		csv_str(f, p[i].reason);
		fputc('\n', f);
	}
}

/* The CI formats (report_ci.c) take the findings in a neutral form. 0 or
 * -ENOMEM (the report is then not written). */
static int report_ci(FILE *f, enum format fmt, const struct fo_crawl *c, const struct problem *p, size_t n)
{
	struct fo__finding *v = calloc(n ? n : 1, sizeof(*v));
	char link[FO_URL_MAX * 2 + 8], lim[2][192];
	size_t i, nl = limit_lines(c, lim);
	int e = 0;

	for (i = 0; v && i < n; i++) {
		link_of(&p[i], link, sizeof(link));
		v[i] = (struct fo__finding){ p[i].page->url, strdup(link), p[i].ref->line, p[i].ref->col, p[i].ref->tag,
					     p[i].status, p[i].reason };
		if (!v[i].url)
			break;
	}
	if (!v || i < n) {
		n = i;
		e = -ENOMEM;
		goto out;
	}
	if (fmt == F_SARIF) {
		fo__report_sarif(f, c, v, n);
	} else {
		fo__report_github(f, c, v, n);
		for (i = 0; i < nl; i++) {
			fputs("::notice title=not crawled::", f);
			fo__gh_escape(f, lim[i], false);
			fputc('\n', f);
		}
		text_summary(f, c, n);
	}
out:
	for (i = 0; v && i < n; i++)
		free((char *)v[i].url);
	free(v);
	return e;
}

static int report(FILE *f, enum format fmt, const struct fo_crawl *c, const struct problem *p, size_t n)
{
	static void (*const fns[])(FILE *, const struct fo_crawl *, const struct problem *, size_t) = {
		[F_TEXT] = report_text,	    [F_JSON] = report_json, [F_JUNIT] = report_junit,
		[F_MARKDOWN] = report_markdown, [F_CSV] = report_csv,
	};

	if (fmt == F_GITHUB || fmt == F_SARIF)
		return report_ci(f, fmt, c, p, n);
	fns[fmt](f, c, p, n);
	return 0;
}

/* A report for people (text, Markdown, GitHub's commands in a CI log) with what pages and servers put in
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
 * The report, whole, to stdout or to -o PATH (STYLE 19): to a temporary
 * file beside PATH renamed over it only when complete, so a failed write
 * leaves the old file and -o may name an input (read by then); to stdout
 * built in memory, then written with every error checked. JSON, JUnit and
 * CSV go to -o's temporary file as they are made, not through memory: on
 * a 100,000-page site the report is some 30 MB, which a copy in memory
 * added to the crawl's peak RSS. The formats for people are neutralised
 * whole (for_people), so they are built in memory. 0, or EXIT_WRITE with
 * one line on stderr.
 */
static int emit(const char *outpath, enum format fmt, const struct fo_crawl *c, const struct problem *p,
		size_t n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m;
	int e;

	if (outpath && fmt != F_TEXT && fmt != F_MARKDOWN && fmt != F_GITHUB) {
		struct fo_wfile w;

		if ((e = fo__wfile_open(&w, outpath, 0644)) == 0) {
			if ((e = report(w.f, fmt, c, p, n)) == 0)
				e = fo__wfile_commit(&w, false);
			else
				fo__wfile_abort(&w);
		}
		if (e == 0)
			return 0;
		fprintf(stderr, "fanout: cannot write the report '%s': %s\n", outpath, strerror(-e));
		return EXIT_WRITE;
	}
	if (!(m = open_memstream(&buf, &len))) {
		fprintf(stderr, "fanout: cannot write the report: %s\n", strerror(errno));
		return EXIT_WRITE;
	}
	e = report(m, fmt, c, p, n);
	if (fclose(m) != 0 && e == 0)
		e = -ENOMEM;
	if (e == 0 && (fmt == F_TEXT || fmt == F_MARKDOWN || fmt == F_GITHUB))
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

static int add_start(const char ***v, size_t *nv, const char *s, const char *what);

static int add_md_start(void *cfg, const char *path)
{
	struct fo_links_cfg *c = cfg;

	return add_start(&c->starts, &c->nstarts, path, "start");
}

/*
 * A folder of Markdown: one with no index.html (a built site has one).
 * Each Markdown file under it (markdown.h's walk) becomes a start. 1 when
 * s is such a folder (its starts added), 0 when it is not, 2 on error.
 */
static int add_md_folder(struct fo_links_cfg *cfg, const char *s)
{
	char idx[4096], err[512];
	struct stat st;
	size_t before = cfg->nstarts;
	int r;

	if (strstr(s, "://") || !strncmp(s, "file:", 5) || stat(s, &st) < 0 || !S_ISDIR(st.st_mode))
		return 0;
	snprintf(idx, sizeof(idx), "%s/index.html", s);
	if (access(idx, F_OK) == 0)
		return 0;
	if ((r = fo_md_walk(s, add_md_start, cfg, err, sizeof(err))) < 0) {
		fprintf(stderr, "fanout: bad start '%s': %s\n", s, err);
		return 2;
	}
	if (r)
		return 2;
	if (cfg->nstarts == before) {
		fprintf(stderr, "fanout: bad start '%s': a folder with no index.html and no Markdown file "
				"(*.md) under it\n", s);
		return 2;
	}
	return 1;
}

/* A start (what "start", or "sitemap"): a URL with a scheme, else a
 * local file or folder, appended to v[0..*n) as an absolute URL. 0 or 2. */
static int add_start(const char ***v, size_t *nv, const char *s, const char *what)
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
			fprintf(stderr, "fanout: bad %s '%s': %s\n", what, s,
				e < 0 ? err : "expected an http(s) URL or a local file or folder");
			free(u);
			return 2;
		}
	} else if (fo_url_from_path(s, u, 2 * FO_URL_MAX + 8, err, sizeof(err)) < 0) {
		fprintf(stderr, "fanout: bad %s '%s': %s (give an http(s) URL, or a file or folder)\n", what, s, err);
		free(u);
		return 2;
	}
	n = realloc(*v, (*nv + 1) * sizeof(*n));
	if (!n) {
		free(u);
		return 2;
	}
	*v = n;
	n[(*nv)++] = u;
	return 0;
}

/* --root-dir and --base are about local sites: a local start is needed,
 * and each lies under --root-dir. 0 or 2. */
static int site_config(const struct fo_links_cfg *cfg)
{
	const struct fo_crawl_opts *o = &cfg->o;
	bool local = false;
	size_t i;

	for (i = 0; i < cfg->nstarts; i++) {
		if (strncmp(cfg->starts[i], "file:", 5))
			continue;
		local = true;
		if (o->root_dir && !fo_url_in_scope(cfg->starts[i], o->root_dir)) {
			fprintf(stderr, "fanout: start '%s' is not inside --root-dir '%s'\n", cfg->starts[i], o->root_dir);
			return 2;
		}
	}
	if (!local && (o->root_dir || o->site_base)) {
		fprintf(stderr, "fanout: %s is for a local folder: give one as a start (fanout links ./public/ %s)\n",
			o->root_dir ? "--root-dir" : "--base", o->root_dir ? "--root-dir ./public" : "--base URL");
		return 2;
	}
	return 0;
}

/* What the table cannot say: the starts (the operands), a cookie file
 * that must be readable, the numbers into the crawl's types. 0 or 2. */
static int links_config(struct fo_links_cfg *cfg, const struct fo_optlist *operands)
{
	struct fo_crawl_opts *o = &cfg->o;
	size_t i;
	int r;

	for (i = 0; i < operands->n; i++)
		if ((r = add_md_folder(cfg, operands->v[i])) == 1)
			r = 0;
		else if (r || (r = add_start(&cfg->starts, &cfg->nstarts, operands->v[i], "start")) != 0)
			return r;
	for (i = 0; i < cfg->sitemaps.n; i++)
		if ((r = add_start(&cfg->sitemap_urls, &cfg->nsitemaps, cfg->sitemaps.v[i], "sitemap")) != 0)
			return r;
	if (!cfg->nstarts && !cfg->nsitemaps) {
		fprintf(stderr, "fanout: links needs a start: a URL (https://example.com/) or a file or folder, "
				"or --sitemap\n");
		return 2;
	}
	if ((r = site_config(cfg)) != 0)
		return r;
	if (o->cookies && !strchr(o->cookies, '=') && access(o->cookies, R_OK) < 0) {
		fprintf(stderr, "fanout: cannot read cookie file '%s': %s\n", o->cookies, strerror(errno));
		return 2;
	}
	/* the table's bounds keep every one within an int */
	o->max_depth = (int)cfg->max_depth;
	o->max_pages = (size_t)cfg->max_pages;
	o->max_links = (size_t)cfg->max_links;
	o->max_conc = o->model.kind == FO_MODEL_SEQUENTIAL ? 1 : (int)cfg->max_conc;
	o->max_per_host = (int)cfg->max_per_host;
	o->retries = (int)cfg->retries;
	o->max_redirects = (int)cfg->max_redirects;
	o->include = cfg->include.v;
	o->ninclude = cfg->include.n;
	o->exclude = cfg->exclude.v;
	o->nexclude = cfg->exclude.n;
	o->headers = cfg->headers.v;
	o->nheaders = cfg->headers.n;
	o->starts = cfg->starts;
	o->nstarts = cfg->nstarts;
	o->progress = cfg->progress ? progress : NULL;
	return 0;
}

/* The exit code of a finished crawl (e: fo_crawl_run's), after the report. */
static int finish(const struct fo_links_cfg *cfg, struct fo_crawl *c, int e)
{
	struct problem *p = NULL;
	size_t n = problems(c, &p);
	int ret = emit(cfg->output, (enum format)cfg->format, c, p, n);

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

/* The origins of the starts, --scope and the sitemaps named: where the
 * sitemaps' fetches may take the -H headers and cookies (crawl.c's rule). */
static size_t sitemap_origins(const struct fo_links_cfg *cfg, char **v)
{
	char key[FO_URL_MAX + 2];
	size_t i, n = 0, all = cfg->nstarts + cfg->nsitemaps + 1;

	for (i = 0; i < all; i++) {
		const char *u = i < cfg->nstarts ? cfg->starts[i]
				: i < cfg->nstarts + cfg->nsitemaps ? cfg->sitemap_urls[i - cfg->nstarts]
								      : cfg->o.scope;

		if (u && !strncmp(u, "http", 4) && fo_url_host_key(u, key, sizeof(key)) >= 0 && (v[n] = strdup(key)))
			n++;
	}
	return n;
}

/* --sitemap: the sitemaps read into s, their entries the crawl's seeds in
 * o. 0, or 2 with one line on stderr. */
static int read_sitemaps(const struct fo_links_cfg *cfg, struct fo_crawl_opts *o, struct fo_sitemap *s)
{
	struct fo_sitemap_opts so = {
		.max_bytes = cfg->sitemap_max_size,
		.max_urls = (size_t)cfg->sitemap_max_urls,
		.max_files = (size_t)cfg->sitemap_max_files,
		.max_depth = (int)cfg->sitemap_max_depth,
		.crawl = o,
	};
	char **orig = calloc(cfg->nstarts + cfg->nsitemaps + 1, sizeof(char *)), err[1024];
	size_t i;
	int e;

	memset(s, 0, sizeof(*s));
	if (!cfg->nsitemaps) {
		free(orig);
		return 0;
	}
	if (!orig) {
		fprintf(stderr, "fanout: no memory for the sitemaps\n");
		return 2;
	}
	so.origins = (const char *const *)orig;
	so.norigins = sitemap_origins(cfg, orig);
	e = fo_sitemap_read(s, cfg->sitemap_urls, cfg->nsitemaps, &so, err, sizeof(err));
	for (i = 0; i < so.norigins; i++)
		free(orig[i]);
	free(orig);
	if (e < 0) {
		fprintf(stderr, "fanout: %s\n", err);
		return 2;
	}
	if (s->skipped)
		fprintf(stderr, "fanout: warning: %zu sitemap entr%s not an http(s) URL, skipped\n", s->skipped,
			s->skipped == 1 ? "y is" : "ies are");
	o->seeds = s->v;
	o->nseeds = s->n;
	return 0;
}

int fo_links_run(const struct fo_links_cfg *cfg)
{
	struct fo_crawl_opts o = cfg->o; /* and the sitemaps' entries */
	struct fo_sitemap sm;
	struct fo_crawl c;
	struct fo_stopsig stop = { 0 };
	char err[512];
	int ret = 2, e;

	if (cfg->o.creds_all_hosts && (cfg->o.nheaders || cfg->o.cookies))
		fprintf(stderr, "fanout: warning: --header-all-hosts: the -H headers and cookies go to every host "
				"linked, not only to the starts' and --scope's\n");
	fo_extract_global_init();
	if (fo_curl_global_init() < 0) {
		fprintf(stderr, "fanout: cannot start libcurl or libxml2\n");
		return 2;
	}
	fo_raise_nofile();
	if (read_sitemaps(cfg, &o, &sm) != 0) {
		fo_sitemap_release(&sm);
		return 2;
	}
	/* Ctrl-C: a thread of its own (stopsig.h says why not a handler) */
	if ((e = fo__stopsig_start(&stop)) < 0) {
		fprintf(stderr, "fanout: cannot start the crawl: %s\n", strerror(-e));
		fo_sitemap_release(&sm);
		return 2;
	}
	e = fo_crawl_run(&c, &o, err, sizeof(err));
	fo__stopsig_stop(&stop);
	if (cfg->o.progress)
		fputs("\r\033[K", stderr);
	if (e < 0 && e != -ECANCELED)
		fprintf(stderr, "fanout: %s\n", err);
	else
		ret = finish(cfg, &c, e);
	fo_crawl_release(&c);
	fo_sitemap_release(&sm);
	return ret;
}

/* parse (the table, then links_config) → run. */
int fo_links_main(int argc, char **argv)
{
	struct fo_links_cfg cfg;
	struct fo_optres res;
	int ret;

	setlocale(LC_CTYPE, "C.UTF-8"); /* IDN hosts to punycode (url.h) */
	fo_links_cfg_init(&cfg);
	ret = fo_opts_parse(&fo_links_opts, &cfg, argc, argv, &res);
	if (ret == 0)
		ret = links_config(&cfg, &res.operands);
	if (ret == 0)
		ret = fo_links_run(&cfg);
	else if (ret == FO_OPTS_HELP)
		ret = 0;
	else
		ret = 2;
	fo_opts_release(&fo_links_opts, &cfg, &res);
	fo_links_cfg_release(&cfg);
	return ret;
}
