/*
 * `fanout links` serves its hosts round robin (issue 14): a link to another
 * host is asked at the next free worker, not after every page of the site
 * found before it. Checked by order, never by time: two servers on
 * loopback append each request to one log as it arrives (serve.py --log),
 * and with --max-concurrency 1 fanout asks one thing at a time, so the
 * log's order is the order fanout chose.
 */
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../src/util/sbuf.h"
#include "test.h"

enum { RR_PAGES = 200 };

/* Starts serve.py on root at addr, logging to log: its pid and port. */
static pid_t serve_logged(const char *root, const char *addr, const char *log, char port[16])
{
	const char *argv[] = { "--root", root, "--bind", addr, "--port", "0", "--log", log, "--max-life", "300", NULL };

	return fo_test_py_server("tests/fixtures/site/serve.py", argv, port);
}

/* The start page on A links to RR_PAGES pages of A, then, last, to one page
 * of B: before round robin, B's HEAD waited for all of A's pages. */
TEST_T(links_rr_other_host_not_behind_site_queue, 120)
{
	const char *dir = fo_test_dir();
	char a[256], b[256], log[256], path[300], pa[16], pb[16], base[64], *out = NULL, *err = NULL, *text, *line;
	struct fo_sbuf idx = { 0 };
	size_t pages_before_b = 0, pages = 0, robots = 0, nline = 0, b_at = 0;
	pid_t sa, sb;
	int i, rc;

	snprintf(a, sizeof(a), "%s/a", dir);
	snprintf(b, sizeof(b), "%s/b", dir);
	snprintf(log, sizeof(log), "%s/requests.log", dir);
	CHECK_EQ(mkdir(a, 0755), 0);
	CHECK_EQ(mkdir(b, 0755), 0);
	snprintf(path, sizeof(path), "%s/b.html", b);
	fo_test_write(path, "<html><body>b</body></html>\n", 28);
	for (i = 0; i < RR_PAGES; i++) {
		char body[64];
		int n = snprintf(body, sizeof(body), "<html><body>page %d</body></html>\n", i);

		snprintf(path, sizeof(path), "%s/p%d.html", a, i);
		fo_test_write(path, body, (size_t)n);
	}
	sb = serve_logged(b, "127.0.0.2", log, pb);
	sa = serve_logged(a, "127.0.0.1", log, pa);
	fo_sbuf_adds(&idx, "<html><body>\n");
	for (i = 0; i < RR_PAGES; i++)
		fo_sbuf_addf(&idx, "<a href=\"p%d.html\">%d</a>\n", i, i);
	fo_sbuf_addf(&idx, "<a href=\"http://127.0.0.2:%s/b.html\">b</a>\n</body></html>\n", pb);
	snprintf(path, sizeof(path), "%s/index.html", a);
	fo_test_write(path, idx.p, idx.len);
	fo_sbuf_release(&idx);
	snprintf(base, sizeof(base), "http://127.0.0.1:%s/", pa);

	rc = fo_test_cli(&out, &err, "links", base, "--max-concurrency", "1", "--format", "json", NULL);
	if (rc != 0)
		fprintf(stderr, "stdout:\n%s\nstderr:\n%s\n", out ? out : "", err ? err : "");
	CHECK_EQ(rc, 0);
	free(out), free(err);

	text = fo_test_read(log);
	CHECK(text != NULL);
	for (line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		/* "SECONDS ADDR:PORT METHOD PATH": the time is not looked at */
		line = strchr(line, ' ');
		CHECK(line != NULL);
		line++;
		nline++;
		if (!strncmp(line, "127.0.0.2:", 10)) {
			CHECK_EQ(b_at, 0); /* B is asked once, a HEAD */
			CHECK(strstr(line, " HEAD /b.html") != NULL);
			b_at = nline;
			pages_before_b = pages;
		} else if (strstr(line, " GET /p")) {
			pages++;
		} else if (strstr(line, " GET /robots.txt")) {
			CHECK_EQ(nline, 1); /* A's robots.txt before its first page */
			robots++;
		}
	}
	free(text);
	CHECK_EQ(robots, 1);
	CHECK_EQ(pages, RR_PAGES);
	CHECK(b_at > 0);
	/* one of A's pages at most before B's turn (A joined the ring first),
	 * where one queue in discovery order put all RR_PAGES of them first */
	if (pages_before_b > 1)
		fprintf(stderr, "B was asked after %zu of A's %d pages\n", pages_before_b, RR_PAGES);
	CHECK(pages_before_b <= 1);

	kill(sa, SIGTERM);
	kill(sb, SIGTERM);
	waitpid(sa, NULL, 0);
	waitpid(sb, NULL, 0);
}
