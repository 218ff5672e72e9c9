/*
 * `fanout links` end to end against the generated test site
 * (tests/fixtures/site/): a main host on 127.0.0.1 and an "external" one on
 * 127.0.0.2, both real HTTP servers started here; the findings scored
 * against the site's own list of broken links (score.py: every one found,
 * no false alarm), politeness counted by the server, the report formats,
 * local folders, bad input and Ctrl-C.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test.h"

static const char *py(void)
{
	return access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3";
}

struct site {
	char dir[128];
	pid_t main_pid, ext_pid;
	char main_port[16], ext_port[16];
	char base[64];
};

/* Starts serve.py with args (for at most 300 s); returns its pid and the
 * port it printed. */
static pid_t serve(const char *const *args, char *port, size_t portlen)
{
	const char *argv[32];
	char p[16];
	int n = 0;
	pid_t pid;

	for (; *args && n < 29; args++)
		argv[n++] = *args;
	argv[n++] = "--max-life";
	argv[n++] = "300";
	argv[n] = NULL;
	pid = fo_test_py_server("tests/fixtures/site/serve.py", argv, p);
	snprintf(port, portlen, "%s", p);
	return pid;
}

static void site_start(struct site *s, int pages, const char *latency)
{
	char cmd[512], ext[64], pg[16];
	/* /slow answers after 40 s: past the scoring runs' 20 s timeout, which
	 * leaves room for a loaded machine under ASan (3 s was too tight, and
	 * 10 s once, at a load average of 17 on 2 cores) */
	const char *eargs[] = { "--external", "--bind", "127.0.0.2", "--port", "0", "--slow", "40", NULL };
	const char *margs[] = { "--root", s->dir, "--port", "0", "--latency", latency, "--slow", "40", NULL };

	if (system("command -v python3 >/dev/null 2>&1") != 0)
		fo_test_skip("no python3 for the test site");
	snprintf(s->dir, sizeof(s->dir), "/tmp/fanout-test-site.%d", (int)getpid());
	s->ext_pid = serve(eargs, s->ext_port, sizeof(s->ext_port));
	snprintf(ext, sizeof(ext), "http://127.0.0.2:%s", s->ext_port);
	snprintf(pg, sizeof(pg), "%d", pages);
	snprintf(cmd, sizeof(cmd), "%s tests/fixtures/site/gensite.py %s --pages %s --external-base %s --force >/dev/null",
		 py(), s->dir, pg, ext);
	CHECK_EQ(system(cmd), 0);
	s->main_pid = serve(margs, s->main_port, sizeof(s->main_port));
	snprintf(s->base, sizeof(s->base), "http://127.0.0.1:%s/", s->main_port);
}

static void site_stop(struct site *s)
{
	char cmd[256];

	kill(s->main_pid, SIGTERM);
	kill(s->ext_pid, SIGTERM);
	waitpid(s->main_pid, NULL, 0);
	waitpid(s->ext_pid, NULL, 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", s->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", s->dir);
}

/* score.py on a JSON report: 0 when exact. */
static int score(struct site *s, const char *report, bool robots, char **out)
{
	char cmd[768], *o = NULL;
	int st;
	FILE *p;
	size_t len = 0;

	snprintf(cmd, sizeof(cmd), "%s tests/fixtures/site/score.py --expected %s/expected.json --base http://127.0.0.1:%s "
		 "--fanout %s %s 2>&1", py(), s->dir, s->main_port, report, robots ? "--robots" : "");
	p = popen(cmd, "r");
	CHECK(p != NULL);
	o = malloc(65536);
	len = fread(o, 1, 65535, p);
	o[len] = 0;
	st = pclose(p);
	*out = o;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

static char *stats_of(const char *host, const char *port, bool reset)
{
	char cmd[256], *o = malloc(1 << 20);
	FILE *p;
	size_t len;

	snprintf(cmd, sizeof(cmd), "curl -s 'http://%s:%s/__stats%s'", host, port, reset ? "?reset=1" : "");
	p = popen(cmd, "r");
	len = fread(o, 1, (1 << 20) - 1, p);
	o[len] = 0;
	pclose(p);
	return o;
}

/* What the main host's server counted (its /__stats). */
static char *stats(struct site *s, bool reset)
{
	return stats_of("127.0.0.1", s->main_port, reset);
}

static long json_num(const char *s, const char *key)
{
	char k[64];
	const char *p;

	snprintf(k, sizeof(k), "\"%s\":", key);
	p = strstr(s, k);
	return p ? strtol(p + strlen(k), NULL, 10) : -1;
}

/* ---- the site, exactly ------------------------------------------------------------------- */

TEST_T(links_site_every_broken_link_no_false_alarm, 120)
{
	struct site s;
	char report[200], *out = NULL, *err = NULL, *sc = NULL;
	int rc;

	site_start(&s, 150, "0");
	snprintf(report, sizeof(report), "%s.json", s.dir);
	rc = fo_test_cli(&out, &err, "links", s.base, "--timeout", "20s", "--format", "json", "-o", report, NULL);
	CHECK_EQ(rc, 1); /* the site has broken links */
	rc = score(&s, report, true, &sc);
	if (rc)
		fprintf(stderr, "%s", sc);
	CHECK_EQ(rc, 0);
	free(sc);
	free(out);
	free(err);
	/* the same without robots.txt: the disallowed part is crawled too */
	rc = fo_test_cli(&out, &err, "links", s.base, "--no-robots", "--timeout", "20s", "--format", "json", "-o",
			 report, NULL);
	CHECK_EQ(rc, 1);
	rc = score(&s, report, false, &sc);
	if (rc)
		fprintf(stderr, "%s", sc);
	CHECK_EQ(rc, 0);
	free(sc);
	free(out);
	free(err);
	unlink(report);
	site_stop(&s);
}

/* The crawl under other models: the frontier, the host slots and curl's
 * shared caches (connections, DNS, TLS sessions) are used from several
 * threads at once (TSan runs this). Exact under each. */
TEST_T(links_models_exact, 120)
{
	struct site s;
	char report[200], *out = NULL, *err = NULL, *sc = NULL;
	const char *models[] = { "threads:8", "coro:2" };
	size_t m;
	int rc;

	site_start(&s, 60, "0");
	snprintf(report, sizeof(report), "%s.json", s.dir);
	for (m = 0; m < 2; m++) {
		rc = fo_test_cli(&out, &err, "links", s.base, "--model", models[m], "--max-concurrency", "16",
				 "--timeout", "3s", "--format", "json", "-o", report, NULL);
		CHECK_EQ(rc, 1);
		rc = score(&s, report, true, &sc);
		if (rc)
			fprintf(stderr, "%s: %s", models[m], sc);
		CHECK_EQ(rc, 0);
		free(sc);
		free(out);
		free(err);
	}
	unlink(report);
	site_stop(&s);
}

static void write_file(const char *path, const char *text);

/* A link to an outside page is checked with a HEAD; a link that names one
 * of its fragments, found after that HEAD (or while it runs), must still
 * get the page's anchors checked: a GET follows. */
TEST_T(links_late_fragment_to_outside_page, 60)
{
	char dir[128], ext[160], path[300], html[1024], port[16], eport[16], base[64], *out = NULL, *err = NULL;
	/* the outside host answers at once (its HEAD is over ~150 ms before
	 * deep.html arrives) or 600 ms late (the HEAD still runs then) */
	const char *lat[] = { "0", "600ms" };
	const char *eargs[] = { "--root", ext, "--bind", "127.0.0.2", "--port", "0", "--latency", NULL, NULL };
	const char *margs[] = { "--root", dir, "--port", "0", "--latency", "150ms", NULL };
	pid_t mp, ep;
	int k;

	if (system("command -v python3 >/dev/null 2>&1") != 0)
		fo_test_skip("no python3 for the test site");
	snprintf(dir, sizeof(dir), "/tmp/fanout-test-late.%d", (int)getpid());
	snprintf(ext, sizeof(ext), "%s/ext", dir);
	CHECK_EQ(mkdir(dir, 0755), 0);
	CHECK_EQ(mkdir(ext, 0755), 0);
	snprintf(path, sizeof(path), "%s/page.html", ext);
	write_file(path, "<html><body><h1 id=\"here\">outside</h1></body></html>\n");
	mp = serve(margs, port, sizeof(port));
	snprintf(base, sizeof(base), "http://127.0.0.1:%s/", port);
	for (k = 0; k < 2; k++) {
		eargs[7] = lat[k];
		ep = serve(eargs, eport, sizeof(eport));
		snprintf(path, sizeof(path), "%s/index.html", dir);
		snprintf(html, sizeof(html),
			 "<html><body><a href=\"http://127.0.0.2:%s/page.html\">out</a>\n"
			 "<a href=\"deep.html\">on</a></body></html>\n", eport);
		write_file(path, html);
		snprintf(path, sizeof(path), "%s/deep.html", dir);
		snprintf(html, sizeof(html),
			 "<html><body><a href=\"http://127.0.0.2:%s/page.html#here\">fine</a>\n"
			 "<a href=\"http://127.0.0.2:%s/page.html#gone\">broken</a></body></html>\n", eport, eport);
		write_file(path, html);
		CHECK_EQ(fo_test_cli(&out, &err, "links", base, "--format", "json", NULL), 1);
		CHECK_HAS(out, "page.html#gone");
		CHECK_LACKS(out, "page.html#here");
		free(out), free(err);
		kill(ep, SIGTERM);
		waitpid(ep, NULL, 0);
	}
	kill(mp, SIGTERM);
	waitpid(mp, NULL, 0);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	CHECK_EQ(system(path), 0);
}

/* --cache: the second run does not ask the outside host again for what
 * was fine, finds exactly the same, and old entries are asked again. */
TEST_T(links_cache_between_runs, 120)
{
	struct site s;
	char report[200], cache[200], cmd[1200], *out = NULL, *err = NULL, *sc = NULL, *st;
	long first, second;
	int rc;

	site_start(&s, 60, "0");
	snprintf(report, sizeof(report), "%s.json", s.dir);
	snprintf(cache, sizeof(cache), "%s.cache", s.dir);
	free(stats_of("127.0.0.2", s.ext_port, true));
	rc = fo_test_cli(&out, &err, "links", s.base, "--timeout", "3s", "--cache", cache, "--format", "json", "-o",
			 report, NULL);
	CHECK_EQ(rc, 1);
	CHECK_EQ(score(&s, report, true, &sc), 0);
	free(sc), free(out), free(err);
	st = stats_of("127.0.0.2", s.ext_port, true);
	first = json_num(st, "requests");
	free(st);
	CHECK(access(cache, R_OK) == 0);
	snprintf(cmd, sizeof(cmd), "head -1 %s | grep -qx '# fanout links cache 1' && grep -q ' 200 http://127.0.0.2:' %s "
		 "&& ! grep -q '127.0.0.1:%s' %s && ! grep -q '/status/404' %s", cache, cache, s.main_port, cache, cache);
	CHECK_EQ(system(cmd), 0); /* outside links only, fine ones only */
	rc = fo_test_cli(&out, &err, "links", s.base, "--timeout", "3s", "--cache", cache, "--format", "json", "-o",
			 report, NULL);
	CHECK_EQ(rc, 1);
	rc = score(&s, report, true, &sc);
	if (rc)
		fprintf(stderr, "%s", sc);
	CHECK_EQ(rc, 0);
	free(sc), free(out), free(err);
	st = stats_of("127.0.0.2", s.ext_port, true);
	second = json_num(st, "requests");
	free(st);
	CHECK(second < first); /* the broken ones are asked again; the fine ones not */
	CHECK(second > 0);
	out = NULL;
	{
		FILE *f = fopen(report, "r");
		char buf[4096] = "";

		CHECK(f != NULL);
		CHECK(fread(buf, 1, sizeof(buf) - 1, f) > 0);
		fclose(f);
		CHECK(json_num(buf, "cached") > 0);
	}
	/* entries older than --cache-max-age are asked again */
	snprintf(cmd, sizeof(cmd), "sed -i 's/^[0-9]* /1000 /' %s", cache);
	CHECK_EQ(system(cmd), 0);
	rc = fo_test_cli(&out, &err, "links", s.base, "--timeout", "3s", "--cache", cache, NULL);
	CHECK_EQ(rc, 1);
	CHECK_LACKS(out, "from the cache");
	free(out), free(err);
	st = stats_of("127.0.0.2", s.ext_port, true);
	/* all asked again (not an exact count: how many HEADs fall back to a
	 * GET before the host is known to lie, and how many 429s come back,
	 * depend on the order requests finish in) */
	CHECK(json_num(st, "requests") > second);
	free(st);
	/* a cache that cannot be read is an error, not an empty cache */
	rc = fo_test_cli(&out, &err, "links", s.base, "--cache", "/proc/self/mem/x", NULL);
	CHECK_EQ(rc, 2);
	CHECK_HAS(err, "cannot read --cache '/proc/self/mem/x'");
	free(out), free(err);
	unlink(report);
	unlink(cache);
	site_stop(&s);
}

TEST_T(links_politeness_per_host, 120)
{
	struct site s;
	char *out = NULL, *err = NULL, *st;
	int rc;

	site_start(&s, 60, "20ms");
	free(stats(&s, true));
	rc = fo_test_cli(&out, &err, "links", s.base, "--max-per-host", "3", "--timeout", "3s", "--format", "json",
			 NULL);
	CHECK_EQ(rc, 1);
	st = stats(&s, false);
	/* the server counts connections open at once */
	CHECK(json_num(st, "peak_connections") >= 1);
	CHECK(json_num(st, "peak_connections") <= 3);
	/* 429 with Retry-After was waited out, not reported */
	CHECK_LACKS(out, "ratelimited");
	free(st);
	free(out);
	free(err);
	site_stop(&s);
}

TEST_T(links_formats, 120)
{
	struct site s;
	char *out = NULL, *err = NULL;

	/* /slow left out, and a timeout no loaded machine reaches: this test
	 * is about the formats (a 2 s timeout failed the start page once) */
	site_start(&s, 40, "0");
	CHECK_EQ(fo_test_cli(&out, &err, "links", s.base, "--exclude", "/slow", "--timeout", "60s", NULL), 1);
	CHECK_HAS(out, "\n  http://127.0.0.1:"); /* broken links under their page */
	CHECK_HAS(out, "HTTP 404");
	CHECK_HAS(out, "pages,");
	free(out), free(err);
	CHECK_EQ(fo_test_cli(&out, &err, "links", s.base, "--exclude", "/slow", "--timeout", "60s", "--format", "junit", NULL), 1);
	CHECK_HAS(out, "<testsuite name=\"fanout links\"");
	CHECK_HAS(out, "<failure message=\"HTTP 404\"");
	free(out), free(err);
	CHECK_EQ(fo_test_cli(&out, &err, "links", s.base, "--exclude", "/slow", "--timeout", "60s", "--format", "csv", NULL), 1);
	CHECK(!strncmp(out, "page,line,col,tag,url,status,reason\n", 36));
	free(out), free(err);
	CHECK_EQ(fo_test_cli(&out, &err, "links", s.base, "--exclude", "/slow", "--timeout", "60s", "--format", "markdown", NULL), 1);
	CHECK_HAS(out, "| page | line | link | reason |");
	free(out), free(err);
	site_stop(&s);
}

/* ---- local files ------------------------------------------------------------------------ */

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	CHECK(f != NULL);
	fputs(text, f);
	fclose(f);
}

TEST(links_local_folder)
{
	char dir[128], path[256], *out = NULL, *err = NULL;

	snprintf(dir, sizeof(dir), "/tmp/fanout-test-local.%d", (int)getpid());
	snprintf(path, sizeof(path), "%s/sub", dir);
	CHECK_EQ(system("true"), 0);
	mkdir(dir, 0755);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/index.html", dir);
	write_file(path, "<html><body><a href=\"sub/p%C3%A4ge.html#sec\">ok</a>\n"
			 "<a href=\"sub/p%C3%A4ge.html#nope\">bad fragment</a>\n<img src=\"missing.png\">\n"
			 "<a href=\"mailto:x@example.invalid\">skipped</a><a href=\"#top\">top</a></body></html>\n");
	snprintf(path, sizeof(path), "%s/sub/p\xc3\xa4ge.html", dir);
	write_file(path, "<html><body><h2 id=\"sec\">s</h2><a href=\"../\">up</a></body></html>\n");
	CHECK_EQ(fo_test_cli(&out, &err, "links", dir, NULL), 1);
	CHECK_HAS(out, "missing.png");
	CHECK_HAS(out, "no id or name 'nope'");
	CHECK_LACKS(out, "#sec");
	CHECK_LACKS(out, "#top");
	CHECK_HAS(out, "2 pages");
	free(out), free(err);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	CHECK_EQ(system(path), 0);
}

TEST(links_bad_input)
{
	char *out = NULL, *err = NULL;

	CHECK_EQ(fo_test_cli(&out, &err, "links", NULL), 2);
	CHECK_HAS(err, "links needs a start");
	free(out), free(err);
	CHECK_EQ(fo_test_cli(&out, &err, "links", "/nonexistent/site", NULL), 2);
	CHECK_HAS(err, "bad start '/nonexistent/site'");
	free(out), free(err);
	CHECK_EQ(fo_test_cli(&out, &err, "links", "ftp://example.invalid/", NULL), 2);
	CHECK_HAS(err, "bad start 'ftp://example.invalid/'");
	free(out), free(err);
	CHECK_EQ(fo_test_cli(&out, &err, "links", "http://127.0.0.1:1/", "--format", "xml", NULL), 2);
	CHECK_HAS(err, "bad --format 'xml'");
	free(out), free(err);
	CHECK_EQ(fo_test_cli(&out, &err, "links", "http://127.0.0.1:1/", "--exclude", "(", NULL), 2);
	CHECK_HAS(err, "bad --exclude '('");
	free(out), free(err);
	CHECK_EQ(fo_test_cli(&out, &err, "links", "http://127.0.0.1:1/", "--cache-max-age", "0s", NULL), 2);
	CHECK_HAS(err, "bad --cache-max-age '0s'");
	free(out), free(err);
	CHECK_EQ(fo_test_cli(&out, &err, "links", "http://127.0.0.1:1/", "--model", "processes:2", NULL), 2);
	CHECK_HAS(err, "fanout: bad --model 'processes:2': expected ");
	free(out), free(err);
	/* a start nobody answers: broken, exit 1, reported */
	CHECK_EQ(fo_test_cli(&out, &err, "links", "http://127.0.0.1:1/", NULL), 1);
	CHECK_HAS(out, "Couldn't connect");
	free(out), free(err);
}

/* Ctrl-C: what was checked is reported, exit 130, no hang on the slow link. */
TEST_T(links_interrupt_reports_what_was_done, 120)
{
	struct site s;
	char *buf = NULL;
	int fd;
	pid_t pid;

	site_start(&s, 40, "0");
	pid = fo_test_cli_start((const char *const[]){ "links", s.base, "--timeout", "60s", "--format", "json",
						       NULL },
				&fd);
	CHECK(pid > 0);
	/* until the crawl is done but for /slow (60 s timeout): the main
	 * server has answered a 404, has only /slow in flight, and its count
	 * of requests stood still for a while (a fixed 1.5 s was too short on
	 * a loaded machine); bounded at 60 s */
	{
		long last = -1, now;
		int still = 0, i;

		for (i = 0; i < 300 && still < 3; i++) {
			char *st = stats(&s, false);

			now = json_num(st, "requests");
			still = fo_test_has(st, "\"404\":") && json_num(st, "inflight") <= 1 && now == last ?
					still + 1 : 0;
			last = now;
			free(st);
			fo_test_sleep_ms(200);
		}
		CHECK(still >= 3);
	}
	CHECK_EQ(fo_test_cli_end(pid, fd, SIGINT, &buf), 130);
	CHECK_HAS(buf, "\"broken\":[");
	CHECK_HAS(buf, "HTTP 404");
	free(buf);
	site_stop(&s);
}
