/*
 * `fanout bench serve`: the server experiment in one command. For each
 * model a `fanout serve` child is started (on core 0 with --pin), and for
 * each client count a `fanout load --json` child drives it (on core 1 with
 * --pin) with the same client every time. Per row: req/s, the server's CPU
 * (its own and its worker processes', from /proc) as a share of the row's
 * wall time and per request, its peak RSS (summed over its processes), and
 * how many connections got any reply at all. --csv keeps every row, --plot
 * draws req/s against clients, a line per model (gnuplot, as bench rtt).
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "fanout/runtime.h"

#define MAXM 16
#define MAXC 16

struct srow {
	char model[48];
	int clients;
	double rps, cpu_pct, us_per_req, rss_mb, p99_us;
	long long served, starved;
	bool failed;
};

static int ncores(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (int)n : 1;
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/* Starts argv with stdout on a pipe; returns the pid and the read end. */
static pid_t start(char *const argv[], int cpu, int *out)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		if (cpu >= 0)
			pin(cpu);
		dup2(p[1], 1);
		execv("/proc/self/exe", argv);
		_exit(127);
	}
	close(p[1]);
	*out = p[0];
	return pid;
}

static ssize_t read_line(int fd, char *buf, size_t cap, int64_t deadline)
{
	size_t n = 0;

	while (n + 1 < cap && fo_now() < deadline) {
		ssize_t r = read(fd, buf + n, 1);

		if (r <= 0)
			break;
		if (buf[n] == '\n')
			break;
		n++;
	}
	buf[n] = 0;
	return (ssize_t)n;
}

/* CPU seconds of pid and its children (one level: the worker processes). */
static double tree_cpu(pid_t pid, long *rss_kb)
{
	char path[64], buf[4096];
	double sum = 0;
	long tck = sysconf(_SC_CLK_TCK);
	FILE *f;
	pid_t kids[256];
	int nk = 0, i;

	kids[nk++] = pid;
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid, (int)pid);
	f = fopen(path, "r");
	if (f) {
		int k;

		while (nk < 256 && fscanf(f, "%d", &k) == 1)
			kids[nk++] = k;
		fclose(f);
	}
	*rss_kb = 0;
	for (i = 0; i < nk; i++) {
		unsigned long ut = 0, st = 0;
		char *p;

		snprintf(path, sizeof(path), "/proc/%d/stat", (int)kids[i]);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')) &&
		    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) == 2)
			sum += (double)(ut + st) / (double)tck;
		fclose(f);
		snprintf(path, sizeof(path), "/proc/%d/status", (int)kids[i]);
		f = fopen(path, "r");
		if (f) {
			while (fgets(buf, sizeof(buf), f)) {
				long v;

				if (sscanf(buf, "VmHWM: %ld", &v) == 1)
					*rss_kb += v;
			}
			fclose(f);
		}
	}
	return sum;
}

static double json_num(const char *js, const char *key)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(js, pat);
	return p ? strtod(p + strlen(pat), NULL) : -1;
}

/* The series of the plot that row r belongs to (its model's), or -1. */
static int series_of(const struct fo_plot_series *ser, int nser, const struct srow *r)
{
	int j;

	for (j = 0; j < nser; j++)
		if (!strcmp(ser[j].title, r->model))
			return j;
	return -1;
}

/* req/s against clients, a line per model; rows whose load failed are left out. */
static int write_plot(const char *path, const char *proto, const char *dur, bool pinned, const struct srow *rows,
		      int n)
{
	struct fo_plot_series ser[MAXM];
	struct fo_plot plot;
	double x[MAXM * MAXC], y[MAXM * MAXC];
	char title[160];
	int i, j, nser = 0, off = 0, at[MAXM];

	/* the series and their sizes, then their points: x[at[j]..], y[at[j]..] */
	for (i = 0; i < n; i++) {
		if (rows[i].failed)
			continue;
		j = series_of(ser, nser, &rows[i]);
		if (j < 0 && nser < MAXM) {
			j = nser++;
			ser[j].title = rows[i].model;
			ser[j].n = 0;
		}
		if (j >= 0)
			ser[j].n++;
	}
	if (!nser) {
		fprintf(stderr, "fanout: nothing to plot: every row failed\n");
		return 1;
	}
	for (j = 0; j < nser; j++) {
		at[j] = off;
		ser[j].x = x + off;
		ser[j].y = y + off;
		off += ser[j].n;
	}
	for (i = 0; i < n; i++) {
		if (rows[i].failed || (j = series_of(ser, nser, &rows[i])) < 0)
			continue;
		x[at[j]] = rows[i].clients;
		y[at[j]++] = rows[i].rps;
	}
	snprintf(title, sizeof(title), "fanout bench serve: proto %s, %s per row, %s", proto, dur,
		 pinned ? "server on core 0, client on core 1" : "server and client share every core");
	memset(&plot, 0, sizeof(plot));
	plot.path = path;
	plot.title = title;
	plot.xlabel = "clients (connections, closed loop)";
	plot.ylabel = "requests per second";
	plot.logx = true;
	plot.series = ser;
	plot.nseries = nser;
	return fo_bench_plot(&plot);
}

static void usage(FILE *f)
{
	fputs("usage: fanout bench serve [--model M[,M...]|all] [--proto line|http]\n"
	      "                          [--clients N[,N...]] [-d DURATION] [--pin] [--csv FILE]\n"
	      "                          [--plot FILE.svg]\n"
	      "\n"
	      "Starts `fanout serve` under each model and drives it with `fanout load` at each\n"
	      "client count: req/s, server CPU% and CPU per request, server peak RSS, connections\n"
	      "served. --pin puts the server on core 0 and the client on core 1. --plot draws\n"
	      "req/s against clients (log scale), a line per model, with gnuplot.\n"
	      "defaults: --model coro:1 --proto line --clients 1,2,4,8,16,64,256,1024 -d 2s\n",
	      f);
}

int fo_bench_serve(int argc, char **argv)
{
	char models[MAXM][48], dur[32] = "2s", line[1024], csv_path[512] = "", plot_path[512] = "";
	const char *proto = "line";
	int clients[MAXC] = { 1, 2, 4, 8, 16, 64, 256, 1024 }, nc = 8, nm = 0, i, j;
	bool pinned = false;
	struct srow rows[MAXM * MAXC];
	int nrows = 0, ret = 0;
	FILE *csv = NULL;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		}
		if (!strcmp(a, "--pin")) {
			pinned = true;
			continue;
		}
		if (!v) {
			fprintf(stderr, "fanout: unknown option '%s' for 'bench serve' (see --help)\n", a);
			return 2;
		}
		i++;
		if (!strcmp(a, "--model")) {
			char *dup = strdup(v), *save = NULL, *tok;

			for (tok = strtok_r(dup, ",", &save); tok && nm < MAXM; tok = strtok_r(NULL, ",", &save)) {
				struct fo_model m;
				char err[256];

				if (!strcmp(tok, "all")) {
					const char *all[] = { "threads", "threads:4", "processes:2", "loop", "coro:1", "coro" };

					for (j = 0; j < 6 && nm < MAXM; j++)
						snprintf(models[nm++], sizeof(models[0]), "%s", all[j]);
					continue;
				}
				if (fo_model_parse(tok, &m, err, sizeof(err)) < 0) {
					fprintf(stderr, "fanout: bad --model '%s': expected %s\n", tok, FO_MODEL_FORMS);
					free(dup);
					return 2;
				}
				snprintf(models[nm++], sizeof(models[0]), "%s", tok);
			}
			free(dup);
		} else if (!strcmp(a, "--proto")) {
			if (strcmp(v, "line") && strcmp(v, "http")) {
				fprintf(stderr, "fanout: bad --proto '%s': expected line or http\n", v);
				return 2;
			}
			proto = v;
		} else if (!strcmp(a, "--clients")) {
			char *dup = strdup(v), *save = NULL, *tok, *end;

			nc = 0;
			for (tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
				long n = strtol(tok, &end, 10);

				if (end == tok || *end || n < 1 || n > 100000 || nc == MAXC) {
					fprintf(stderr, "fanout: bad --clients '%s': expected counts such as 1,16,64\n", v);
					free(dup);
					return 2;
				}
				clients[nc++] = (int)n;
			}
			free(dup);
			if (!nc) {
				fprintf(stderr, "fanout: bad --clients '%s': expected counts such as 1,16,64\n", v);
				return 2;
			}
		} else if (!strcmp(a, "-d") || !strcmp(a, "--duration")) {
			int64_t d;

			if (fo_duration_parse(v, &d) < 0 || d <= 0) {
				fprintf(stderr, "fanout: bad %s '%s': expected a duration such as 2s\n", a, v);
				return 2;
			}
			snprintf(dur, sizeof(dur), "%s", v);
		} else if (!strcmp(a, "--csv")) {
			snprintf(csv_path, sizeof(csv_path), "%s", v);
		} else if (!strcmp(a, "--plot")) {
			snprintf(plot_path, sizeof(plot_path), "%s", v);
		} else {
			fprintf(stderr, "fanout: unknown option '%s' for 'bench serve' (see --help)\n", a);
			return 2;
		}
	}
	if (!nm)
		snprintf(models[nm++], sizeof(models[0]), "coro:1");
	if (pinned && ncores() < 2) {
		fprintf(stderr, "fanout: --pin needs two cores; running unpinned\n");
		pinned = false;
	}
	if (plot_path[0] && fo_bench_plot_check(plot_path))
		return 2;
	if (csv_path[0] && !(csv = fopen(csv_path, "w"))) {
		fprintf(stderr, "fanout: cannot write --csv '%s': %s\n", csv_path, strerror(errno));
		return 2;
	}
	if (csv)
		fprintf(csv, "model,proto,clients,rps,server_cpu_pct,server_us_per_req,server_rss_mb,p99_us,served,"
			     "starved,placement\n");
	printf("# fanout bench serve: proto %s, %s per row, %s\n", proto, dur,
	       pinned ? "server on core 0, client on core 1" : "server and client share every core");
	printf("%-14s %7s %11s %8s %10s %9s %9s %9s\n", "model", "clients", "req/s", "srv cpu", "cpu/req",
	       "srv rss", "p99", "served");
	signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < nm && !fo_interrupted(); i++) {
		char *sargv[] = { "fanout", "serve", "--model", models[i], "--proto", (char *)proto, "--port", "0",
				  NULL };
		int sfd, status;
		pid_t spid = start(sargv, pinned ? 0 : -1, &sfd);
		char port[16] = "";
		const char *pp;

		if (spid < 0 || read_line(sfd, line, sizeof(line), fo_now() + 10 * FO_SEC) <= 0 ||
		    !(pp = strstr(line, " port "))) {
			fprintf(stderr, "fanout: the server for model '%s' did not start\n", models[i]);
			if (spid > 0)
				kill(spid, SIGKILL), waitpid(spid, &status, 0);
			ret = 1;
			continue;
		}
		snprintf(port, sizeof(port), "%d", atoi(pp + 6)); /* banned-ok: our own server's line */
		for (j = 0; j < nc; j++) {
			char target[64], cs[16], js[2048] = "";
			char *largv[] = { "fanout", "load", "--proto", (char *)proto, "-c", cs, "-d", dur,
					  "--threads", "1", "--json", target, NULL };
			struct srow *r = &rows[nrows++];
			long rss_kb;
			double cpu0 = tree_cpu(spid, &rss_kb), cpu1;
			int64_t t0 = fo_now(), t1;
			int lfd;
			pid_t lpid;

			snprintf(cs, sizeof(cs), "%d", clients[j]);
			snprintf(target, sizeof(target), "127.0.0.1:%s", port);
			memset(r, 0, sizeof(*r));
			snprintf(r->model, sizeof(r->model), "%.47s", models[i]);
			r->clients = clients[j];
			lpid = start(largv, pinned ? 1 : -1, &lfd);
			if (lpid < 0 || read_line(lfd, js, sizeof(js), fo_now() + 600 * FO_SEC) <= 0)
				r->failed = true;
			if (lpid > 0)
				waitpid(lpid, &status, 0);
			close(lfd);
			t1 = fo_now();
			cpu1 = tree_cpu(spid, &rss_kb);
			if (!r->failed) {
				double reqs = json_num(js, "requests");

				r->rps = json_num(js, "rps");
				r->starved = (long long)json_num(js, "starved");
				r->served = clients[j] - r->starved;
				r->p99_us = json_num(js, "p99");
				r->cpu_pct = (cpu1 - cpu0) / ((double)(t1 - t0) / 1e9) * 100.0;
				r->us_per_req = reqs > 0 ? (cpu1 - cpu0) / reqs * 1e6 : 0;
				r->rss_mb = (double)rss_kb / 1024.0;
				printf("%-14s %7d %11.0f %7.0f%% %8.2fus %7.1fMB %7.0fus %5lld/%d\n", r->model, r->clients,
				       r->rps, r->cpu_pct, r->us_per_req, r->rss_mb, r->p99_us, r->served, r->clients);
				if (csv)
					fprintf(csv, "%s,%s,%d,%.1f,%.1f,%.3f,%.2f,%.1f,%lld,%lld,%s\n", r->model, proto,
						r->clients, r->rps, r->cpu_pct, r->us_per_req, r->rss_mb, r->p99_us,
						r->served, r->starved, pinned ? "server-cpu0-client-cpu1" : "shared");
			} else {
				printf("%-14s %7d  the load failed\n", r->model, r->clients);
				ret = 1;
			}
			fflush(stdout);
		}
		kill(spid, SIGTERM);
		{
			int64_t end = fo_now() + 10 * FO_SEC;

			while (waitpid(spid, &status, WNOHANG) == 0 && fo_now() < end)
				usleep(20000);
			if (fo_now() >= end)
				kill(spid, SIGKILL), waitpid(spid, &status, 0);
		}
		close(sfd);
	}
	if (csv) {
		fclose(csv);
		printf("# every row: %s\n", csv_path);
	}
	if (plot_path[0]) {
		if (write_plot(plot_path, proto, dur, pinned, rows, nrows) == 0)
			printf("# plot: %s\n", plot_path);
		else
			ret = 1;
	}
	return ret;
}
