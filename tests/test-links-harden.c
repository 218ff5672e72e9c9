/*
 * `fanout links` against hostile input: servers that record the headers
 * they are sent (secrets must stay in scope), ask for year-long waits,
 * trap a crawl in an endless calendar or put a dead link after the
 * 100,000th; pages in other charsets; reports that cannot be written; a
 * cache file that is not one; numbers that are not numbers. The servers
 * are tests/fixtures/site/hostile.py, started here on loopback.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test.h"

/* fo_test_cli's exit code is want; else what it printed, then fail. */
#define CHECK_RC(call, want)                                                           \
	do {                                                                           \
		int rc_ = (call);                                                      \
		if (rc_ != (want))                                                     \
			fprintf(stderr, "stdout:\n%s\nstderr:\n%s\n", out ? out : "", err ? err : ""); \
		CHECK_EQ(rc_, want);                                                   \
	} while (0)

struct srv {
	pid_t pid;
	char port[16];
	char base[64]; /* http://127.0.0.1:PORT */
};

/* Starts hostile.py (root may be NULL) and reads the port it printed. */
static void srv_start(struct srv *s, const char *root, const char *hang)
{
	const char *argv[] = { "--hang", hang ? hang : "30", root ? "--root" : NULL, root, NULL };

	s->pid = fo_test_py_server("tests/fixtures/site/hostile.py", argv, s->port);
	snprintf(s->base, sizeof(s->base), "http://127.0.0.1:%s", s->port);
}

static void srv_stop(struct srv *s)
{
	kill(s->pid, SIGTERM);
	waitpid(s->pid, NULL, 0);
}

/* What the server was sent: one JSON object a line (malloc'd). */
static char *srv_log(struct srv *s)
{
	char cmd[256], *o = malloc(1 << 20);
	size_t len;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "curl -s '%s/__log'", s->base);
	p = popen(cmd, "r");
	CHECK(p != NULL);
	len = fread(o, 1, (1 << 20) - 1, p);
	o[len] = 0;
	pclose(p);
	return o;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	CHECK(f != NULL);
	fputs(text, f);
	CHECK_EQ(fclose(f), 0);
}

static char *read_file(const char *path)
{
	static char buf[1 << 16];
	FILE *f = fopen(path, "r");
	size_t n;

	CHECK(f != NULL);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	return buf;
}

/* A fresh directory of this test's own. */
static void tmpdir(char *dir, size_t len, const char *what)
{
	char cmd[256];

	snprintf(dir, len, "/tmp/fanout-test-%s.%d", what, (int)getpid());
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK_EQ(system(cmd), 0);
	CHECK_EQ(mkdir(dir, 0755), 0);
}

static void rmdir_all(const char *dir)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK_EQ(system(cmd), 0);
}

/* ---- 1. secrets go only to the hosts in scope ------------------------------------------------ */

/* Does a log line of a request for path (a prefix) hold needle? */
static bool log_has(const char *log, const char *path, const char *needle)
{
	char key[256];
	const char *l = log;

	snprintf(key, sizeof(key), "\"path\": \"%s", path);
	while ((l = strstr(l, key))) {
		const char *end = strchr(l, '\n');
		const char *hit = strstr(l, needle);

		if (hit && (!end || hit < end))
			return true;
		l += strlen(key);
	}
	return false;
}

TEST_T(links_harden_secrets_stay_in_scope, 60)
{
	char dir[128], path[256], html[1024], cookies[256], *out = NULL, *err = NULL, *la, *lb;
	struct srv a, b;
	int k;

	tmpdir(dir, sizeof(dir), "secrets");
	srv_start(&b, NULL, NULL);
	srv_start(&a, dir, NULL);
	snprintf(path, sizeof(path), "%s/index.html", dir);
	/* a link to the other origin (a port apart), one that redirects
	 * there from here, and one that stays */
	snprintf(html, sizeof(html),
		 "<html><body><a href=\"%s/ok/direct\">out</a>\n"
		 "<a href=\"/redirect?to=%s/ok/redirected\">via a redirect</a>\n"
		 "<a href=\"/ok/inside\">in</a></body></html>\n", b.base, b.base);
	write_file(path, html);
	snprintf(cookies, sizeof(cookies), "%s/cookies.txt", dir);
	write_file(cookies, "# Netscape HTTP Cookie File\n127.0.0.1\tFALSE\t/\tFALSE\t0\tfilecookie\tfv\n");
	snprintf(path, sizeof(path), "%s/index.html", a.base);
	for (k = 0; k < 2; k++) {
		CHECK_RC(fo_test_cli(&out, &err, "links", path, "-H", "Authorization: Bearer T0KEN", "-H",
				     "X-Token: s3cret", "--cookies", k ? cookies : "a=b", NULL), 0);
		free(out), free(err);
	}
	la = srv_log(&a);
	lb = srv_log(&b);
	/* the outside host was asked, directly and at the end of the redirect */
	CHECK_HAS(lb, "/ok/direct");
	CHECK_HAS(lb, "/ok/redirected");
	/* without a secret */
	CHECK_LACKS(lb, "T0KEN");
	CHECK_LACKS(lb, "s3cret");
	CHECK_LACKS(lb, "a=b");
	CHECK_LACKS(lb, "filecookie");
	/* which the host in scope got, on every request, the redirect's too */
	CHECK(log_has(la, "/index.html", "Bearer T0KEN"));
	CHECK(log_has(la, "/ok/inside", "s3cret"));
	CHECK(log_has(la, "/ok/inside", "a=b"));
	CHECK(log_has(la, "/ok/inside", "filecookie=fv"));
	CHECK(log_has(la, "/redirect?to=", "Bearer T0KEN"));
	free(la), free(lb);
	/* --header-all-hosts: everywhere, said on stderr */
	CHECK_RC(fo_test_cli(&out, &err, "links", path, "-H", "X-Token: s3cret", "--cookies", "a=b",
			     "--header-all-hosts", NULL), 0);
	CHECK_HAS(err, "--header-all-hosts");
	free(out), free(err);
	lb = srv_log(&b);
	CHECK(log_has(lb, "/ok/direct", "s3cret"));
	CHECK(log_has(lb, "/ok/redirected", "a=b"));
	free(lb);
	srv_stop(&a);
	srv_stop(&b);
	rmdir_all(dir);
}

/* ---- 2. the report is written whole, or the exit code says it was not ---------------------- */

TEST(links_harden_report_to_dev_full)
{
	char dir[128], path[256], *err = NULL;
	const char *args[] = { "links", dir, NULL };

	tmpdir(dir, sizeof(dir), "devfull");
	snprintf(path, sizeof(path), "%s/index.html", dir);
	write_file(path, "<html><body><a href=\"index.html\">me</a></body></html>\n");
	CHECK_EQ(fo_test_cli_stdout("/dev/full", &err, args), 4);
	CHECK_HAS(err, "cannot write the report to stdout");
	CHECK_HAS(err, "No space left on device");
	free(err);
	rmdir_all(dir);
}

TEST(links_harden_report_over_its_own_input)
{
	char dir[128], path[256], *out = NULL, *err = NULL;

	tmpdir(dir, sizeof(dir), "selfout");
	snprintf(path, sizeof(path), "%s/page.html", dir);
	write_file(path, "<html><body><img src=\"missing.png\"></body></html>\n");
	/* the page is read before the report replaces it */
	CHECK_RC(fo_test_cli(&out, &err, "links", path, "-o", path, NULL), 1);
	CHECK_HAS(read_file(path), "missing.png");
	free(out), free(err);
	rmdir_all(dir);
}

TEST(links_harden_report_on_a_full_disk)
{
	const char *fs = fo_test_small_fs(64 * 1024);
	char dir[128], path[256], report[256], filler[256], html[40000], *out = NULL, *err = NULL;
	size_t i, n = 0;
	int fd;

	tmpdir(dir, sizeof(dir), "fulldisk");
	snprintf(path, sizeof(path), "%s/index.html", dir);
	n += (size_t)snprintf(html, sizeof(html), "<html><body>\n");
	for (i = 0; i < 300; i++)
		n += (size_t)snprintf(html + n, sizeof(html) - n, "<img src=\"missing-image-number-%03zu.png\">\n", i);
	snprintf(html + n, sizeof(html) - n, "</body></html>\n");
	write_file(path, html);
	snprintf(report, sizeof(report), "%s/report.txt", fs);
	write_file(report, "the old report\n");
	/* the rest of the disk filled */
	snprintf(filler, sizeof(filler), "%s/filler", fs);
	fd = open(filler, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0);
	memset(html, 'x', 4096);
	while (write(fd, html, 4096) == 4096)
		;
	close(fd);
	CHECK_RC(fo_test_cli(&out, &err, "links", dir, "-o", report, NULL), 4);
	CHECK_HAS(err, "cannot write the report");
	CHECK_HAS(err, report);
	CHECK_HAS(err, "No space left on device");
	CHECK_STR(read_file(report), "the old report\n"); /* left as it was */
	free(out), free(err);
	rmdir_all(dir);
}

/* ---- 3. a server's Retry-After is honoured up to a bound --------------------------------------- */

TEST_T(links_harden_retry_after_bounded, 60)
{
	char dir[128], path[256], *out = NULL, *err = NULL;
	struct srv a;

	tmpdir(dir, sizeof(dir), "retry");
	srv_start(&a, dir, NULL);
	snprintf(path, sizeof(path), "%s/index.html", dir);
	write_file(path, "<html><body><a href=\"/retry-after/999999999\">years</a>\n"
			 "<a href=\"/retry-after/99999999999999999999\">more than int64</a>\n"
			 "<a href=\"/retry-date\">2099</a></body></html>\n");
	snprintf(path, sizeof(path), "%s/index.html", a.base);
	/* ends (the test's timeout says if not), each link with its status */
	CHECK_RC(fo_test_cli(&out, &err, "links", path, NULL), 1);
	CHECK_HAS(out, "HTTP 429");
	CHECK_HAS(out, "the server asked for a wait of 999999999 s");
	CHECK_HAS(out, "HTTP 503");
	CHECK_HAS(out, "/retry-date  line 3 <a href>: HTTP 503 (the server asked for a wait of ");
	CHECK_HAS(out, "/retry-after/99999999999999999999  line 2 <a href>: HTTP 429");
	CHECK_HAS(out, "3 broken links");
	free(out), free(err);
	CHECK_RC(fo_test_cli(&out, &err, "links", path, "--max-retry-wait", "forever", NULL), 2);
	CHECK_HAS(err, "bad --max-retry-wait 'forever'");
	free(out), free(err);
	srv_stop(&a);
	rmdir_all(dir);
}

/* ---- 4. wrong results --------------------------------------------------------------------------- */

/* A dead link after the 100,000th of a page: a note and exit 3, not
 * "0 broken"; --max-links lifts the cap. */
TEST_T(links_harden_links_past_the_cap_noted, 120)
{
	struct srv a;
	char url[128], *out = NULL, *err = NULL;

	srv_start(&a, NULL, NULL);
	snprintf(url, sizeof(url), "%s/many/100000", a.base);
	CHECK_RC(fo_test_cli(&out, &err, "links", url, NULL), 3);
	CHECK_HAS(out, "not all checked: too many links (--max-links 100000)");
	free(out), free(err);
	CHECK_RC(fo_test_cli(&out, &err, "links", url, "--format", "json", NULL), 3);
	CHECK_HAS(out, "\"notes\":[{\"page\":");
	free(out), free(err);
	CHECK_RC(fo_test_cli(&out, &err, "links", url, "--max-links", "200000", NULL), 1);
	CHECK_HAS(out, "/missing-after-100000");
	free(out), free(err);
	srv_stop(&a);
}

/* The charset of the Content-Type header, for a page that names none. */
TEST(links_harden_charset_from_the_header)
{
	char dir[128], path[256], *out = NULL, *err = NULL;
	struct srv a;

	tmpdir(dir, sizeof(dir), "charset");
	srv_start(&a, dir, NULL);
	snprintf(path, sizeof(path), "%s/index.html", dir);
	write_file(path, "<html><body><a href=\"menu.l1.html\">l1</a><a href=\"prices.w1252.html\">w</a></body></html>\n");
	/* latin-1: "café", and "É°C", whose two bytes are valid UTF-8 as well */
	snprintf(path, sizeof(path), "%s/menu.l1.html", dir);
	write_file(path, "<html><body><a href=\"/caf\xe9\">caf\xe9</a> <a href=\"/\xc9\xb0" "C\">x</a></body></html>\n");
	snprintf(path, sizeof(path), "%s/prices.w1252.html", dir);
	write_file(path, "<html><body><a href=\"/\x80\">euro</a></body></html>\n");
	snprintf(path, sizeof(path), "%s/index.html", a.base);
	CHECK_RC(fo_test_cli(&out, &err, "links", path, NULL), 0);
	CHECK_HAS(out, "0 broken links");
	free(out), free(err);
	srv_stop(&a);
	rmdir_all(dir);
}

/* Ctrl-C: a request in flight is not checked, not broken. */
TEST_T(links_harden_interrupt_is_not_broken, 60)
{
	char dir[128], path[256], *buf = NULL, *log = NULL;
	struct srv a;
	int fd, i;
	pid_t pid;

	tmpdir(dir, sizeof(dir), "interrupt");
	srv_start(&a, dir, "50");
	snprintf(path, sizeof(path), "%s/index.html", dir);
	write_file(path, "<html><body><a href=\"/hang\">slow</a><a href=\"/ok/1\">fine</a></body></html>\n");
	snprintf(path, sizeof(path), "%s/index.html", a.base);
	pid = fo_test_cli_start((const char *const[]){ "links", path, "--format", "json", NULL }, &fd);
	CHECK(pid > 0);
	for (i = 0; i < 400; i++) { /* until /hang is asked (bounded) */
		free(log);
		log = srv_log(&a);
		if (fo_test_has(log, "/hang"))
			break;
		fo_test_sleep_ms(50);
	}
	CHECK_HAS(log, "/hang");
	free(log);
	CHECK_EQ(fo_test_cli_end(pid, fd, SIGINT, &buf), 130);
	CHECK_HAS(buf, "\"broken\":[]");
	/* /hang in flight for sure; /ok/1 too when the interrupt came before
	 * its answer (a loaded machine): checked or interrupted, never broken */
	if (!fo_test_has(buf, "\"interrupted\":1"))
		CHECK_HAS(buf, "\"interrupted\":2");
	free(buf);
	srv_stop(&a);
	rmdir_all(dir);
}

/* An in-scope link that redirects off-site: the landing page is checked,
 * not crawled. */
TEST(links_harden_offsite_landing_not_crawled)
{
	char dir[128], bdir[128], path[256], html[512], *out = NULL, *err = NULL, *lb;
	struct srv a, b;

	tmpdir(dir, sizeof(dir), "landing-a");
	tmpdir(bdir, sizeof(bdir), "landing-b");
	srv_start(&a, dir, NULL);
	srv_start(&b, bdir, NULL);
	snprintf(path, sizeof(path), "%s/landing.html", bdir);
	write_file(path, "<html><body><a href=\"/not-ours-to-crawl\">x</a></body></html>\n");
	snprintf(path, sizeof(path), "%s/index.html", dir);
	snprintf(html, sizeof(html), "<html><body><a href=\"/redirect?to=%s/landing.html\">moved</a></body></html>\n",
		 b.base);
	write_file(path, html);
	snprintf(path, sizeof(path), "%s/index.html", a.base);
	CHECK_RC(fo_test_cli(&out, &err, "links", path, NULL), 0);
	CHECK_HAS(out, "1 pages");
	free(out), free(err);
	lb = srv_log(&b);
	CHECK_HAS(lb, "/landing.html");
	CHECK_LACKS(lb, "/not-ours-to-crawl");
	free(lb);
	srv_stop(&a);
	srv_stop(&b);
	rmdir_all(dir);
	rmdir_all(bdir);
}

/* A calendar that never ends: the default depth ends it; a page cap too,
 * each said in the report. */
TEST_T(links_harden_crawl_trap_ends, 120)
{
	struct srv a;
	char url[128], *out = NULL, *err = NULL;

	srv_start(&a, NULL, NULL);
	snprintf(url, sizeof(url), "%s/day/2024-01-01", a.base);
	CHECK_RC(fo_test_cli(&out, &err, "links", url, NULL), 0);
	CHECK_HAS(out, "101 pages");
	CHECK_HAS(out, "not crawled: pages deeper than --max-depth 100");
	free(out), free(err);
	CHECK_RC(fo_test_cli(&out, &err, "links", url, "--max-depth", "100000", "--max-pages", "30", NULL), 0);
	CHECK_HAS(out, "30 pages");
	CHECK_HAS(out, "not crawled: pages past --max-pages 30");
	free(out), free(err);
	CHECK_RC(fo_test_cli(&out, &err, "links", url, "--max-pages", "30", "--format", "json", NULL), 0);
	CHECK_HAS(out, "\"limits\":{\"max_pages\":30,\"max_depth\":100,\"pages_hit\":true,\"depth_hit\":false}");
	free(out), free(err);
	CHECK_RC(fo_test_cli(&out, &err, "links", url, "--max-pages", "30", "--format", "junit", NULL), 0);
	CHECK_HAS(out, "<system-out>not crawled: pages past --max-pages 30");
	free(out), free(err);
	srv_stop(&a);
}

/* ---- 5. --cache does not overwrite a file that is not a cache ------------------------------- */

TEST(links_harden_cache_refuses_other_files)
{
	char dir[128], path[256], cache[256], *out = NULL, *err = NULL;

	tmpdir(dir, sizeof(dir), "notcache");
	snprintf(path, sizeof(path), "%s/index.html", dir);
	write_file(path, "<html><body>nothing</body></html>\n");
	snprintf(cache, sizeof(cache), "%s/notes.txt", dir);
	write_file(cache, "my notes, not a cache\n");
	CHECK_RC(fo_test_cli(&out, &err, "links", path, "--cache", cache, NULL), 2);
	CHECK_HAS(err, "not a fanout links cache");
	CHECK_HAS(err, cache);
	CHECK_STR(read_file(cache), "my notes, not a cache\n");
	free(out), free(err);
	/* empty or absent: fine, and made a cache */
	write_file(cache, "");
	CHECK_RC(fo_test_cli(&out, &err, "links", path, "--cache", cache, NULL), 0);
	CHECK_HAS(read_file(cache), "# fanout links cache 1\n");
	free(out), free(err);
	unlink(cache);
	CHECK_RC(fo_test_cli(&out, &err, "links", path, "--cache", cache, NULL), 0);
	CHECK_HAS(read_file(cache), "# fanout links cache 1\n");
	free(out), free(err);
	rmdir_all(dir);
}

/* ---- 6. numbers are numbers ----------------------------------------------------------------- */

TEST(links_harden_numbers_strict)
{
	static const char *const bad[][2] = {
		{ "--max-page", "-1" },
		{ "--max-page", "18446744073709551616" },
		{ "--max-page", "16E" },
		{ "--rate", "inf" },
		{ "--rate", "1e3" },
		{ "--rate", "0" },
		{ "--retries", " 2" },
		{ "--retries", "-1" },
		{ "--max-concurrency", "0x10" },
		{ "--max-depth", "-1" },
		{ "--max-per-host", "+4" },
		{ "--max-redirects", "" },
		{ "--max-pages", "0" },
		{ "--max-links", "1.5" },
		{ "--timeout", "99999999999h" },
	};
	char *out = NULL, *err = NULL, want[128];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_RC(fo_test_cli(&out, &err, "links", "http://127.0.0.1:1/", bad[i][0], bad[i][1], NULL), 2);
		snprintf(want, sizeof(want), "fanout: bad %s '%s': expected ", bad[i][0], bad[i][1]);
		CHECK_HAS(err, want);
		free(out), free(err);
	}
	/* good ones still are */
	CHECK_RC(fo_test_cli(&out, &err, "links", "http://127.0.0.1:1/", "--max-page", "512K", "--rate", "0.5",
			     "--retries", "0", "--max-depth", "0", NULL), 1);
	free(out), free(err);
}

/* What a page puts in a link reaches the text and Markdown reports
 * neutralised (an ESC in a file name must not recolour a CI log); the JSON
 * report keeps it, escaped as JSON. */
TEST(links_harden_terminal_text)
{
	char dir[] = "/tmp/fo-lesc-XXXXXX", path[64], *out = NULL, *err = NULL;
	FILE *f;

	CHECK(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/index.html", dir);
	f = fopen(path, "w");
	CHECK(f);
	fputs("<html><body><a href=\"x\x1b[31mred.html\">a</a></body></html>", f);
	CHECK_EQ(fclose(f), 0);
	CHECK_EQ(fo_test_cli(&out, &err, "links", dir, NULL), 1);
	CHECK_LACKS(out, "\x1b");
	CHECK_HAS(out, "x\\x1b[31mred.html");
	free(out);
	free(err);
	CHECK_EQ(fo_test_cli(&out, &err, "links", "--format", "markdown", dir, NULL), 1);
	CHECK_LACKS(out, "\x1b");
	free(out);
	free(err);
	CHECK_EQ(fo_test_cli(&out, &err, "links", "--format", "json", dir, NULL), 1);
	CHECK_HAS(out, "x\\u001b[31mred.html");
	free(out);
	free(err);
	unlink(path);
	rmdir(dir);
}
