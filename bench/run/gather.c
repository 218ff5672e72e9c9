/*
 * fanout run --gather at the 28,000-device scale, without the network: the
 * outputs of 28,000 simulated devices (the simulator's own generators,
 * src/devices/out_*.c, the fleet bench's platform mix) × 15 show commands
 * each, fed to the groups one output at a time as on_result feeds them
 * (each output freed after, as a run frees it), then the groups printed
 * (to memory). Measured: CPU of the adds and of the print, and the peak
 * RSS growth against the outputs' total size (the target: ≤ 1 s,
 * growth ≤ 2× the outputs).
 *   bench/run/gather.sh [DEVICES] [RUNS] [COMMANDS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "devices/outputs.h"
#include "run/gather.h"

static double cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long maxrss_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/* what a run writes to stdout, counted and dropped here */
static int to_null(void *arg, const char *p, size_t n)
{
	struct fo_sbuf *b = arg;

	(void)p;
	b->len += n;
	return 0;
}

int main(int argc, char **argv)
{
	/* the fleet bench's mix: ios 60, nxos 10, eos 10, junos 15, iosxr 5 */
	static const enum fo_dev_platform mix[20] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 3, 4 };
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 28000, i, bytes = 0, outs = 0;
	int ncmds = argc > 2 ? atoi(argv[2]) : 15; /* the first ncmds of each platform's show commands */
	struct fo_gather g = { 0 };
	struct fo_sbuf out = { 0 }, b = { 0 };
	char **names = malloc(n * sizeof(*names));
	double add = 0, t0, print;
	long rss0, rss1;

	/* warm the allocator and the generators once, so that their own pages
	 * are not counted as growth */
	for (i = 0; i < n; i++) {
		names[i] = malloc(32);
		snprintf(names[i], 32, "dev-%zu-%zu-%zu", 1 + i / 65536, i / 256 % 256, i % 256);
	}
	rss0 = maxrss_kb();
	for (i = 0; i < n; i++) {
		struct fo__devid d;
		const struct fo__show *t;
		int k = 0;

		fo__devid_init(&d, 0x7f010001u + (uint32_t)i, mix[i % 20], NULL);
		for (t = fo__show_table(d.platform); t->words && k < ncmds; t++, k++) {
			fo_sbuf_reset(&b);
			fo__gen_run(t->gen, &d, 0, &b);
			bytes += b.len;
			outs++;
			t0 = cpu_s();
			if (fo__gather_add(&g, t->words, i, b.p, b.len) < 0) {
				fprintf(stderr, "gather: out of memory\n");
				return 1;
			}
			add += cpu_s() - t0;
		}
	}
	rss1 = maxrss_kb();
	t0 = cpu_s();
	if (fo__gather_print(&g, (const char *const *)names, false, false, to_null, &out) < 0) {
		fprintf(stderr, "gather: out of memory\n");
		return 1;
	}
	print = cpu_s() - t0;
	printf("devices %zu outputs %zu bytes %.1f MB groups %zu printed %.1f MB\n", n, outs, bytes / 1048576.0, g.n,
	       out.len / 1048576.0);
	printf("cpu_add_s %.3f cpu_print_s %.3f cpu_total_s %.3f\n", add, print, add + print);
	printf("rss_growth_mb %.1f growth_per_output_byte %.2f\n", (rss1 - rss0) / 1024.0,
	       (rss1 - rss0) * 1024.0 / (double)bytes);
	return 0;
}
