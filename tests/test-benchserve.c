/* `fanout bench serve` end to end: servers and load generators it starts
 * itself on loopback, rows per model and client count, and --plot. */
#include <sys/stat.h>
#include <unistd.h>

#include "test.h"

/* Is there an executable gnuplot on PATH (where fanout looks for it)? */
static bool have_gnuplot(void)
{
	const char *path = getenv("PATH");
	char *dup, *dir, *save = NULL, file[4096];
	bool found = false;

	if (!path)
		return false;
	dup = strdup(path);
	CHECK(dup != NULL);
	for (dir = strtok_r(dup, ":", &save); dir && !found; dir = strtok_r(NULL, ":", &save)) {
		snprintf(file, sizeof(file), "%s/gnuplot", dir);
		found = access(file, X_OK) == 0;
	}
	free(dup);
	return found;
}


/* A fresh directory of our own under /tmp, for the files a run writes. */
static void tmp_dir(char *buf, size_t len)
{
	snprintf(buf, len, "/tmp/fanout-benchserve-XXXXXX");
	CHECK(mkdtemp(buf) != NULL);
}

TEST_T(bench_serve_rows, 120)
{
	char *out = NULL, *err = NULL;
	int rc = fo_test_cli(&out, &err, "bench", "serve", "--model", "coro:1,threads:2", "--clients", "1,4", "-d",
			     "300ms", NULL);

	if (rc != 0)
		fprintf(stderr, "rc %d\nstdout:\n%s\nstderr:\n%s\n", rc, out, err);
	CHECK_EQ(rc, 0);
	CHECK(strstr(out, "req/s") && strstr(out, "served"));
	/* every connection served by coroutines; a pool of 2 serves 2 of 4 */
	CHECK(strstr(out, "1/1"));
	CHECK(strstr(out, "4/4"));
	CHECK(strstr(out, "2/4"));
	free(out);
	free(err);
}

TEST(bench_serve_bad_input)
{
	char *out = NULL, *err = NULL;

	CHECK_EQ(fo_test_cli(&out, &err, "bench", "serve", "--clients", "0", NULL), 2);
	CHECK(strstr(err, "--clients") && strchr(err, '\n') == strrchr(err, '\n'));
	free(out);
	free(err);
	CHECK_EQ(fo_test_cli(&out, &err, "bench", "serve", "--model", "bogus", NULL), 2);
	CHECK(strstr(err, "--model"));
	free(out);
	free(err);
	CHECK_EQ(fo_test_cli(&out, &err, "bench", "serve", "--proto", "ftp", NULL), 2);
	CHECK(strstr(err, "--proto"));
	free(out);
	free(err);
}

/* --plot: an SVG with a line per model, and the table as without it. */
TEST_T(bench_serve_plot, 120)
{
	char *out = NULL, *err = NULL, *svg_text, dir[64], svg[128], said[160];
	struct stat sb;
	int rc;

	if (!have_gnuplot())
		fo_test_skip("gnuplot is not installed");
	tmp_dir(dir, sizeof(dir));
	snprintf(svg, sizeof(svg), "%s/serve.svg", dir);
	rc = fo_test_cli(&out, &err, "bench", "serve", "--model", "coro:1,threads", "--clients", "1,4", "-d", "200ms",
			 "--plot", svg, NULL);
	if (rc != 0)
		fprintf(stderr, "rc %d\nstdout:\n%s\nstderr:\n%s\n", rc, out, err);
	CHECK_EQ(rc, 0);
	CHECK_HAS(out, "4/4");
	snprintf(said, sizeof(said), "# plot: %s\n", svg);
	CHECK_HAS(out, said);
	CHECK(stat(svg, &sb) == 0 && sb.st_size > 0);
	svg_text = fo_test_read(svg);
	CHECK(svg_text != NULL);
	CHECK_HAS(svg_text, "<svg");
	CHECK_HAS(svg_text, "</svg>");
	CHECK_HAS(svg_text, "coro:1");  /* the key names each model */
	CHECK_HAS(svg_text, "threads");
	CHECK_HAS(svg_text, "requests per second");
	free(svg_text);
	unlink(svg);
	rmdir(dir);
	free(out);
	free(err);
}

/*
 * --plot that cannot be drawn is found before anything runs: one line on
 * stderr, exit 2, no table, no file. Without gnuplot (PATH without it, in
 * this test's own process) and with a directory that does not exist.
 */
TEST_T(bench_serve_plot_errors, 60)
{
	char *out = NULL, *err = NULL, *path = getenv("PATH"), dir[64], svg[160];

	path = path ? strdup(path) : NULL;
	tmp_dir(dir, sizeof(dir));
	snprintf(svg, sizeof(svg), "%s/serve.svg", dir);
	CHECK(setenv("PATH", dir, 1) == 0); /* an empty directory: no gnuplot */
	CHECK_EQ(fo_test_cli(&out, &err, "bench", "serve", "--clients", "1", "-d", "100ms", "--plot", svg, NULL), 2);
	CHECK_STR(out, "");
	CHECK_HAS(err, "gnuplot");
	CHECK_HAS(err, svg);
	CHECK(strchr(err, '\n') == err + strlen(err) - 1);
	CHECK(access(svg, F_OK) != 0);
	free(out);
	free(err);

	/* gnuplot or not, a directory that is not there is an error */
	if (path)
		CHECK(setenv("PATH", path, 1) == 0);
	else
		CHECK(unsetenv("PATH") == 0);
	snprintf(svg, sizeof(svg), "%s/no/such/dir/serve.svg", dir);
	CHECK_EQ(fo_test_cli(&out, &err, "bench", "serve", "--clients", "1", "-d", "100ms", "--plot", svg, NULL), 2);
	CHECK_STR(out, "");
	CHECK_HAS(err, "--plot");
	CHECK_HAS(err, svg);
	CHECK(strchr(err, '\n') == err + strlen(err) - 1);
	free(out);
	free(err);
	free(path);
	rmdir(dir);
}
