/* `fanout bench serve` end to end: servers and load generators it starts
 * itself on loopback, rows per model and client count. */
#include "test.h"

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
