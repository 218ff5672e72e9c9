/*
 * Resolving a fleet's names, the two ways fanout run has done it
 * (bench/dns/run.sh starts the server and says what is measured):
 *
 *   resolve cares [--dns IP:PORT] [--window N] NAMES_FILE
 *       fo_dns_resolve (src/net/dns.c): c-ares, every name through one
 *       channel on the runtime's waits
 *   resolve pool [--threads N] NAMES_FILE
 *       before: blocking getaddrinfo(AF_UNSPEC) on a pool of N threads
 *       (64, as run.c's resolve_all had), first address kept
 *
 * One line: mode, names, resolved, failed, wall seconds, CPU seconds (user
 * + system, this process), and for cares the tries that went unanswered.
 */
#include <netdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "fanout/runtime.h"
#include "net/dns.h"

static char **names;
static size_t n;
static atomic_size_t next_i, ok_n, bad_n;

static double cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
}

static void *pool_worker(void *arg)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };

	(void)arg;
	for (;;) {
		size_t i = atomic_fetch_add(&next_i, 1);
		struct addrinfo *ai = NULL;

		if (i >= n)
			return NULL;
		if (getaddrinfo(names[i], NULL, &hints, &ai) == 0 && ai) /* banned-ok: the baseline */
			atomic_fetch_add(&ok_n, 1);
		else
			atomic_fetch_add(&bad_n, 1);
		if (ai)
			freeaddrinfo(ai);
	}
}

static void read_names(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[512];
	size_t cap = 0;

	if (!f) {
		perror(path);
		exit(2);
	}
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = 0;
		if (!*line)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 1024;
			names = realloc(names, cap * sizeof(*names));
		}
		names[n++] = strdup(line);
	}
	fclose(f);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "", *dns = NULL, *file = NULL;
	long threads = 64, window = 0;
	double rate = 0;
	double c0, w0;
	int i;

	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--dns") && i + 1 < argc)
			dns = argv[++i];
		else if (!strcmp(argv[i], "--window") && i + 1 < argc)
			window = strtol(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--rate") && i + 1 < argc)
			rate = strtod(argv[++i], NULL);
		else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
			threads = strtol(argv[++i], NULL, 10);
		else
			file = argv[i];
	}
	if (!file || (strcmp(mode, "cares") && strcmp(mode, "pool"))) {
		fprintf(stderr, "usage: resolve cares|pool [--dns IP:PORT] [--window N] [--rate N] [--threads N] NAMES_FILE\n");
		return 2;
	}
	read_names(file);
	w0 = (double)fo_now() / 1e9;
	c0 = cpu_s();
	if (!strcmp(mode, "cares")) {
		struct fo_dns_name *nm = calloc(n, sizeof(*nm));
		struct fo_dns_stats st = { 0 };
		struct fo_dns_cfg cfg = { .servers = dns, .window = (size_t)window, .stats = &st, .timeout = 60 * FO_SEC,
					  .rate = rate };
		char err[256] = "";
		size_t k;

		for (k = 0; k < n; k++)
			nm[k].name = names[k];
		if (fo_dns_global_init() < 0 || fo_dns_resolve(&cfg, nm, n, err, sizeof(err)) < 0) {
			fprintf(stderr, "resolve: %s\n", err);
			return 1;
		}
		printf("cares names %zu resolved %zu failed %zu wall_s %.3f cpu_s %.3f unanswered_tries %zu window %zu rate %.0f\n",
		       n, st.resolved, st.failed, (double)fo_now() / 1e9 - w0, cpu_s() - c0, st.timeouts,
		       window ? (size_t)window : (size_t)FO_DNS_WINDOW, rate > 0 ? rate : FO_DNS_RATE);
	} else {
		pthread_t *t = calloc((size_t)threads, sizeof(*t));
		long k;

		for (k = 0; k < threads; k++)
			pthread_create(&t[k], NULL, pool_worker, NULL);
		for (k = 0; k < threads; k++)
			pthread_join(t[k], NULL);
		printf("pool names %zu resolved %zu failed %zu wall_s %.3f cpu_s %.3f threads %ld\n", n,
		       (size_t)ok_n, (size_t)bad_n, (double)fo_now() / 1e9 - w0, cpu_s() - c0, threads);
	}
	return 0;
}
