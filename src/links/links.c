/*
 * `fanout links URL|PATH...`: checks every link of a site, for CI.
 *
 * The command line, the crawl (crawl.c) and the reports: for people,
 * broken links grouped by the page that holds them, then a summary; for
 * machines --format json|junit|markdown|csv. Exit 0 when nothing is
 * broken, 1 when something is, 2 on bad usage or when the crawl could not
 * run.
 */
#include <errno.h>
#include <locale.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../cli/cli.h"
#include "../net/curl.h"
#include "crawl.h"
#include "extract.h"
#include "links.h"
#include "url.h"

enum format { F_TEXT, F_JSON, F_JUNIT, F_MARKDOWN, F_CSV };

static void usage(FILE *f)
{
	fputs("usage: fanout links [options] URL|PATH...\n"
	      "\n"
	      "Crawls the pages under each start (same host, or the start's folder for local\n"
	      "files), checks every distinct link once (internal and external), and reports the\n"
	      "broken ones grouped by page. Exit: 0 nothing broken, 1 something broken, 2 error.\n"
	      "\n"
	      "scope:\n"
	      "  --scope PREFIX         crawl pages under this URL prefix instead\n"
	      "  --include REGEX        check only URLs that match (extended regex)\n"
	      "  --exclude REGEX        do not check URLs that match\n"
	      "  --max-depth N          pages at most N links from a start (default: no limit)\n"
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
	      "  --max-redirects N      (default 10)\n"
	      "  -H, --header 'N: V'    an extra request header (repeatable)\n"
	      "  --cookies FILE|'N=V; ...'  cookies (a Netscape cookie file, or a Cookie header)\n"
	      "  --user-agent UA        (default fanout-links/0.1)\n"
	      "  --insecure             do not verify TLS certificates\n"
	      "  --max-page SIZE        bytes of a page parsed at most (default 10M)\n"
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

static void report(FILE *f, enum format fmt, const struct fo_crawl *c, const struct problem *p, size_t n)
{
	const struct fo_crawl_stats *st = &c->st;
	char link[FO_URL_MAX * 2 + 8];
	size_t i;

	switch (fmt) {
	case F_TEXT:
		for (i = 0; i < n; i++) {
			if (i == 0 || p[i].page != p[i - 1].page)
				fprintf(f, "%s%s\n", i ? "\n" : "", p[i].page->url);
			link_of(&p[i], link, sizeof(link));
			fprintf(f, "  %s  line %u <%s>: %s\n", link, p[i].ref->line,
				p[i].ref->tag ? p[i].ref->tag : "?", p[i].reason);
		}
		fprintf(f, "%s%zu pages, %zu links to %zu targets, %zu broken link%s (%zu targets, %zu "
			   "fragments), %zu skipped (%zu mailto/tel/javascript/data/other, %zu robots.txt, "
			   "%zu excluded); %zu requests in %.2fs",
			n ? "\n" : "", st->pages, st->links, st->targets, n, n == 1 ? "" : "s", st->broken,
			st->broken_fragments, st->skipped_scheme + st->skipped_robots + st->excluded,
			st->skipped_scheme, st->skipped_robots, st->excluded, st->requests, st->secs);
		if (st->cached)
			fprintf(f, "; %zu fine from the cache", st->cached);
		fputc('\n', f);
		break;
	case F_JSON:
		fprintf(f, "{\"pages\":%zu,\"links\":%zu,\"targets\":%zu,\"requests\":%zu,\"seconds\":%.3f,"
			   "\"cached\":%zu,\"skipped\":{\"scheme\":%zu,\"robots\":%zu,\"excluded\":%zu},\"broken\":[",
			st->pages, st->links, st->targets, st->requests, st->secs, st->cached, st->skipped_scheme,
			st->skipped_robots, st->excluded);
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
		fputs("]}\n", f);
		break;
	case F_JUNIT:
		fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			   "<testsuites><testsuite name=\"fanout links\" tests=\"%zu\" failures=\"%zu\" time=\"%.3f\">\n",
			st->links, n, st->secs);
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
		fputs("</testsuite></testsuites>\n", f);
		break;
	case F_MARKDOWN:
		fprintf(f, "## Broken links: %zu\n\n", n);
		if (n)
			fputs("| page | line | link | reason |\n| --- | ---: | --- | --- |\n", f);
		for (i = 0; i < n; i++) {
			link_of(&p[i], link, sizeof(link));
			fprintf(f, "| %s | %u | %s | %s |\n", p[i].page->url, p[i].ref->line, link, p[i].reason);
		}
		fprintf(f, "\n%zu pages, %zu links, %zu requests in %.2fs\n", st->pages, st->links, st->requests,
			st->secs);
		break;
	case F_CSV:
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
		break;
	}
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

static void on_int(int sig)
{
	(void)sig;
	fo_interrupt();
}

/* ---- command line ------------------------------------------------------------------------- */

static int parse_count(const char *flag, const char *v, long lo, long hi, long *out)
{
	char *end;
	long n = strtol(v, &end, 10);

	if (end == v || *end || n < lo || n > hi) {
		char forms[64];

		snprintf(forms, sizeof(forms), "a number from %ld to %ld", lo, hi);
		return fo_cli_bad(flag, v, forms);
	}
	*out = n;
	return 0;
}

int fo_links_main(int argc, char **argv)
{
	struct fo_crawl_opts o = { 0 };
	struct fo_crawl c;
	const char **starts = NULL, **headers = NULL;
	size_t nstarts = 0, nheaders = 0, n, i;
	regex_t inc, exc;
	bool have_inc = false, have_exc = false;
	enum format fmt = F_TEXT;
	const char *outpath = NULL;
	char err[512], *scope_buf = NULL;
	struct problem *p = NULL;
	int ret = 2, e;
	FILE *out = stdout;
	bool crawled = false;

	setlocale(LC_CTYPE, "C.UTF-8"); /* IDN hosts to punycode (url.h) */
	o.max_depth = -1;
	o.robots = true;
	o.check_external = true;
	o.fragments = true;
	o.max_conc = 256;
	o.max_per_host = 256;
	o.retries = 2;
	o.max_redirects = 10;
	o.timeout = 20 * FO_SEC;
	o.connect_timeout = 10 * FO_SEC;
	o.max_page = 10 << 20;
	o.cache_max_age = 24 * 3600 * FO_SEC;
	o.user_agent = "fanout-links/0.1 (+https://github.com/fanout)";
	o.model.kind = FO_MODEL_LOOP;
	o.model.threads = 1;
	o.progress = isatty(2) ? progress : NULL;

	for (i = 0; i < (size_t)argc; i++) {
		const char *a = argv[i], *v = i + 1 < (size_t)argc ? argv[i + 1] : NULL;
		long num;
		int64_t d;

		if (a[0] != '-' || !a[1]) {
			char *u = malloc(2 * FO_URL_MAX + 8);
			const char *frag;

			if (!u)
				goto out;
			/* a URL with a scheme, else a local file or folder */
			if (strstr(a, "://") || !strncmp(a, "file:", 5)) {
				e = fo_url_resolve(NULL, a, u, 2 * FO_URL_MAX + 8, &frag, err, sizeof(err));
				if (e != FO_URL_HTTP && e != FO_URL_FILE) {
					fprintf(stderr, "fanout: bad start '%s': %s\n", a,
						e < 0 ? err : "expected an http(s) URL or a local file or folder");
					free(u);
					goto out;
				}
			} else if (fo_url_from_path(a, u, 2 * FO_URL_MAX + 8, err, sizeof(err)) < 0) {
				fprintf(stderr, "fanout: bad start '%s': %s (give an http(s) URL, or a file or folder)\n",
					a, err);
				free(u);
				goto out;
			}
			starts = realloc(starts, (nstarts + 1) * sizeof(*starts));
			starts[nstarts++] = u;
			continue;
		}
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			ret = 0;
			goto out;
		}
		if (!strcmp(a, "--no-external")) {
			o.check_external = false;
			continue;
		}
		if (!strcmp(a, "--no-robots")) {
			o.robots = false;
			continue;
		}
		if (!strcmp(a, "--no-fragments")) {
			o.fragments = false;
			continue;
		}
		if (!strcmp(a, "--insecure")) {
			o.insecure = true;
			continue;
		}
		if (!strcmp(a, "--progress") || !strcmp(a, "--no-progress")) {
			o.progress = a[2] == 'p' ? progress : NULL;
			continue;
		}
		if (!v) {
			fprintf(stderr, "fanout: '%s' needs a value (see fanout links --help)\n", a);
			goto out;
		}
		i++;
		if (!strcmp(a, "--scope")) {
			const char *frag;

			scope_buf = malloc(2 * FO_URL_MAX + 8);
			if (!scope_buf || fo_url_resolve(NULL, v, scope_buf, 2 * FO_URL_MAX + 8, &frag, err, sizeof(err)) <= 0) {
				ret = fo_cli_bad(a, v, "an absolute URL prefix such as https://example.com/docs/");
				goto out;
			}
			o.scope = scope_buf;
		} else if (!strcmp(a, "--include") || !strcmp(a, "--exclude")) {
			regex_t *re = a[2] == 'i' ? &inc : &exc;

			if ((a[2] == 'i' ? have_inc : have_exc) || regcomp(re, v, REG_EXTENDED | REG_NOSUB) != 0) {
				ret = fo_cli_bad(a, v, "one extended regular expression");
				goto out;
			}
			if (a[2] == 'i')
				have_inc = true, o.include = re;
			else
				have_exc = true, o.exclude = re;
		} else if (!strcmp(a, "--max-depth")) {
			if ((ret = parse_count(a, v, 0, 100000, &num)) != 0)
				goto out;
			o.max_depth = (int)num;
		} else if (!strcmp(a, "--max-concurrency")) {
			if ((ret = parse_count(a, v, 1, 10000, &num)) != 0)
				goto out;
			o.max_conc = (int)num;
		} else if (!strcmp(a, "--max-per-host")) {
			if ((ret = parse_count(a, v, 1, 10000, &num)) != 0)
				goto out;
			o.max_per_host = (int)num;
		} else if (!strcmp(a, "--retries")) {
			if ((ret = parse_count(a, v, 0, 20, &num)) != 0)
				goto out;
			o.retries = (int)num;
		} else if (!strcmp(a, "--max-redirects")) {
			if ((ret = parse_count(a, v, 0, 100, &num)) != 0)
				goto out;
			o.max_redirects = (int)num;
		} else if (!strcmp(a, "--rate")) {
			char *end;

			o.rate_per_host = strtod(v, &end);
			if (end == v || *end || !(o.rate_per_host > 0)) {
				ret = fo_cli_bad(a, v, "requests per second, such as 10 or 0.5");
				goto out;
			}
		} else if (!strcmp(a, "--timeout") || !strcmp(a, "--connect-timeout")) {
			if (fo_duration_parse(v, &d) < 0 || d <= 0) {
				ret = fo_cli_bad(a, v, "a duration such as 5s or 500ms");
				goto out;
			}
			if (a[2] == 't')
				o.timeout = d;
			else
				o.connect_timeout = d;
		} else if (!strcmp(a, "-H") || !strcmp(a, "--header")) {
			if (!strchr(v, ':')) {
				ret = fo_cli_bad(a, v, "'Name: value'");
				goto out;
			}
			headers = realloc(headers, (nheaders + 1) * sizeof(*headers));
			headers[nheaders++] = v;
		} else if (!strcmp(a, "--cookies")) {
			if (!strchr(v, '=') && access(v, R_OK) < 0) {
				fprintf(stderr, "fanout: cannot read cookie file '%s': %s\n", v, strerror(errno));
				goto out;
			}
			o.cookies = v;
		} else if (!strcmp(a, "--cache")) {
			if (!*v) {
				ret = fo_cli_bad(a, v, "a file name");
				goto out;
			}
			o.cache = v;
		} else if (!strcmp(a, "--cache-max-age")) {
			if (fo_duration_parse(v, &d) < 0 || d < FO_SEC) {
				ret = fo_cli_bad(a, v, "a duration of a second or more, such as 24h or 30m");
				goto out;
			}
			o.cache_max_age = d;
		} else if (!strcmp(a, "--user-agent")) {
			o.user_agent = v;
		} else if (!strcmp(a, "--max-page")) {
			char *end;
			unsigned long long sz = strtoull(v, &end, 10);

			if (*end == 'K' || *end == 'k')
				sz <<= 10, end++;
			else if (*end == 'M' || *end == 'm')
				sz <<= 20, end++;
			if (end == v || *end || sz == 0) {
				ret = fo_cli_bad(a, v, "a size such as 512K or 10M");
				goto out;
			}
			o.max_page = (size_t)sz;
		} else if (!strcmp(a, "--model")) {
			if (fo_model_parse(v, &o.model, err, sizeof(err)) < 0) {
				fprintf(stderr, "fanout: bad --model '%s': %s\n", v, err);
				goto out;
			}
			if (o.model.kind == FO_MODEL_PROCESSES || o.model.kind == FO_MODEL_BLENDED) {
				ret = fo_cli_bad(a, v, "loop, coro:N, threads:N or sequential (one process holds the crawl)");
				goto out;
			}
		} else if (!strcmp(a, "--format")) {
			if (!strcmp(v, "text"))
				fmt = F_TEXT;
			else if (!strcmp(v, "json"))
				fmt = F_JSON;
			else if (!strcmp(v, "junit"))
				fmt = F_JUNIT;
			else if (!strcmp(v, "markdown"))
				fmt = F_MARKDOWN;
			else if (!strcmp(v, "csv"))
				fmt = F_CSV;
			else {
				ret = fo_cli_bad(a, v, "text, json, junit, markdown or csv");
				goto out;
			}
		} else if (!strcmp(a, "-o")) {
			outpath = v;
		} else {
			fprintf(stderr, "fanout: unknown option '%s' (see fanout links --help)\n", a);
			goto out;
		}
	}
	if (!nstarts) {
		fprintf(stderr, "fanout: links needs a start: a URL (https://example.com/) or a file or folder\n");
		goto out;
	}
	if (outpath && !(out = fopen(outpath, "w"))) {
		fprintf(stderr, "fanout: cannot write '%s': %s\n", outpath, strerror(errno));
		out = stdout;
		goto out;
	}
	if (o.model.kind == FO_MODEL_SEQUENTIAL)
		o.max_conc = 1;
	o.starts = starts;
	o.nstarts = nstarts;
	o.headers = headers;
	o.nheaders = nheaders;
	fo_extract_global_init();
	if (fo_curl_global_init() < 0) {
		fprintf(stderr, "fanout: cannot start libcurl or libxml2\n");
		goto out;
	}
	fo_raise_nofile();
	signal(SIGINT, on_int);
	signal(SIGTERM, on_int);
	e = fo_crawl_run(&c, &o, err, sizeof(err));
	crawled = true;
	if (o.progress)
		fputs("\r\033[K", stderr);
	if (e < 0 && e != -ECANCELED) {
		fprintf(stderr, "fanout: %s\n", err);
		goto out;
	}
	n = problems(&c, &p);
	report(out, fmt, &c, p, n);
	if (e == -ECANCELED) {
		fprintf(stderr, "fanout: interrupted: the report covers what was checked\n");
		ret = 130;
	} else {
		ret = n ? 1 : 0;
	}
out:
	if (crawled)
		fo_crawl_release(&c);
	if (out != stdout)
		fclose(out);
	free(p);
	for (i = 0; i < nstarts; i++)
		free((char *)starts[i]);
	free(starts);
	free(headers);
	free(scope_buf);
	if (have_inc)
		regfree(&inc);
	if (have_exc)
		regfree(&exc);
	return ret;
}
