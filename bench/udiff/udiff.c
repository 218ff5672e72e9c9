/*
 * fo_udiff (src/util/udiff.c) on device configurations: a made-up 1 MB
 * configuration against itself with 1% of its lines changed (and a 4 MB
 * output with 0.1%), each diff run R times in this process, the median
 * printed; the baseline is GNU diff -u on the same two files, run R times
 * as a process (so it includes exec and reading the files, which fo_udiff
 * does not: the ratio flatters fo_udiff by that much). Built and run by
 * bench/udiff/run.sh, which prints the command.
 */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>

#include "util/file.h"
#include "util/udiff.h"

extern char **environ;

static uint64_t rng = 0x5eed;

static size_t rndn(size_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (size_t)(rng % n);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int dcmp(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return a < b ? -1 : a > b;
}

static void config(struct fo_sbuf *a, struct fo_sbuf *b, size_t bytes, size_t per_mille)
{
	size_t i;

	for (i = 0; a->len < bytes; i++) {
		fo_sbuf_addf(a, "interface GigabitEthernet0/%zu\n description uplink %zu\n", i, rndn(1000));
		fo_sbuf_addf(a, " ip address 10.%zu.%zu.1 255.255.255.0\n no shutdown\n!\n", i / 256 % 256, i % 256);
	}
	for (i = 0; i < a->len;) {
		const char *nl = memchr(a->p + i, '\n', a->len - i);
		size_t e = (size_t)(nl - a->p) + 1;

		if (rndn(1000) < per_mille)
			fo_sbuf_addf(b, " description changed %zu\n", rndn(1000));
		else
			fo_sbuf_add(b, a->p + i, e - i);
		i = e;
	}
}

static double median(double *t, int n)
{
	qsort(t, (size_t)n, sizeof(*t), dcmp);
	return t[n / 2];
}

static void one(const char *name, size_t bytes, size_t per_mille, int runs)
{
	struct fo_sbuf a = { 0 }, b = { 0 }, d = { 0 };
	struct fo_udiff_opts o = FO_UDIFF_OPTS("a/r1/show+run.txt", "b/r1/show+run.txt");
	char *argv[] = { "diff", "-u", "/tmp/fo-bench-udiff-a", "/tmp/fo-bench-udiff-b", NULL };
	posix_spawn_file_actions_t fa;
	double *t = calloc((size_t)runs, sizeof(double)), ours, gnu, t0;
	int i, st;
	pid_t pid;

	config(&a, &b, bytes, per_mille);
	fo__write_file(argv[2], a.p, a.len, 0600, false);
	fo__write_file(argv[3], b.p, b.len, 0600, false);
	for (i = 0; i < runs; i++) {
		fo_sbuf_reset(&d);
		t0 = now();
		if (fo_udiff(a.p, a.len, b.p, b.len, &o, &d) != 1)
			exit(1);
		t[i] = now() - t0;
	}
	ours = median(t, runs);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	for (i = 0; i < runs; i++) {
		t0 = now();
		if (posix_spawnp(&pid, "diff", &fa, NULL, argv, environ) != 0 || waitpid(pid, &st, 0) != pid)
			exit(1);
		t[i] = now() - t0;
	}
	gnu = median(t, runs);
	printf("%-28s %8.2f MB %6zu-line diff  fo_udiff %7.2f ms  diff -u %7.2f ms  ratio %.2f\n", name,
	       a.len / 1e6, (size_t)0 + (size_t)d.len / 40, ours * 1e3, gnu * 1e3, ours / gnu);
	unlink(argv[2]);
	unlink(argv[3]);
	fo_sbuf_release(&a);
	fo_sbuf_release(&b);
	fo_sbuf_release(&d);
	free(t);
}

int main(int argc, char **argv)
{
	int runs = argc > 1 ? (int)strtol(argv[1], NULL, 10) : 21;

	if (runs < 1)
		runs = 1;

	one("1 MB config, 1% changed", 1 << 20, 10, runs);
	one("4 MB output, 0.1% changed", 4 << 20, 1, runs);
	return 0;
}
