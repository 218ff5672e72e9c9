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
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "../cli/cli.h"
#include "../util/file.h"
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

/* The table: one blank between columns, widths declared (rows print as
 * each load ends); each cell holds its unit. */
static const struct fo_table_col cols[] = {
	{ "model", FO_TABLE_LEFT, 1, 14, 0 },    { "clients", FO_TABLE_RIGHT, 1, 7, 0 },
	{ "req/s", FO_TABLE_RIGHT, 1, 11, 0 },   { "srv cpu", FO_TABLE_RIGHT, 1, 8, 0 },
	{ "cpu/req", FO_TABLE_RIGHT, 1, 10, 0 }, { "srv rss", FO_TABLE_RIGHT, 1, 9, 0 },
	{ "p99", FO_TABLE_RIGHT, 1, 9, 0 },      { "served", FO_TABLE_RIGHT, 1, 9, 0 },
};
#define NCOLS (sizeof(cols) / sizeof(cols[0]))

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
pid_t fo__bench_spawn(char *const argv[], int cpu, int *out)
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

/* A line from fd into buf (without its newline), a byte at a time so that
 * nothing after it is taken; each wait for a byte ends at deadline. */
ssize_t fo__bench_read_line(int fd, char *buf, size_t cap, int64_t deadline)
{
	size_t n = 0;

	while (n + 1 < cap) {
		int64_t left = deadline - fo_now();
		struct pollfd pfd = { fd, POLLIN, 0 };
		ssize_t r;
		int k;

		if (left <= 0)
			break;
		k = poll(&pfd, 1, (int)(left / FO_MSEC > 1000 ? 1000 : left / FO_MSEC + 1));
		if (k < 0 && errno != EINTR)
			break;
		if (k <= 0)
			continue;
		r = read(fd, buf + n, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || buf[n] == '\n')
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

struct bcfg {
	char models[MAXM][48], dur[32];
	int64_t dur_ns; /* each row's load: -d */
	int nm, clients[MAXC], nc;
	const char *proto, *csv_path, *plot_path;
	bool pinned;
};

/* One --model: a list of models, or all, added to models[*nm..cap). 0,
 * or exit code 2 for a bad one. */
int fo__bench_models(const char *v, char (*models)[48], int *nm, int cap)
{
	char *dup = strdup(v), *save = NULL, *tok;
	int j;

	if (!dup) {
		fprintf(stderr, "fanout: out of memory\n");
		return 2;
	}
	for (tok = strtok_r(dup, ",", &save); tok && *nm < cap; tok = strtok_r(NULL, ",", &save)) {
		struct fo_model m;
		char err[256];

		if (!strcmp(tok, "all")) {
			const char *all[] = { "threads", "threads:4", "processes:2", "loop", "coro:1", "coro" };

			for (j = 0; j < 6 && *nm < cap; j++)
				snprintf(models[(*nm)++], 48, "%s", all[j]);
			continue;
		}
		if (fo_model_parse(tok, &m, err, sizeof(err)) < 0) {
			fo_cli_bad("--model", tok, FO_MODEL_FORMS ", or all");
			free(dup);
			return 2;
		}
		snprintf(models[(*nm)++], 48, "%s", tok);
	}
	free(dup);
	return 0;
}

/* The command line's config into the experiment's: 0, or exit code 2. */
static int bcfg_init(struct bcfg *b, const struct fo_bench_serve_cfg *cfg)
{
	size_t i;
	int r;

	memset(b, 0, sizeof(*b));
	for (i = 0; i < cfg->models.n; i++)
		if ((r = fo__bench_models(cfg->models.v[i], b->models, &b->nm, MAXM)) != 0)
			return r;
	if (!b->nm)
		snprintf(b->models[b->nm++], sizeof(b->models[0]), "coro:1");
	for (i = 0; i < (size_t)cfg->clients.n && b->nc < MAXC; i++)
		b->clients[b->nc++] = (int)cfg->clients.v[i];
	if (!b->nc) {
		static const int dflt[] = { 1, 2, 4, 8, 16, 64, 256, 1024 };

		for (i = 0; i < sizeof(dflt) / sizeof(dflt[0]); i++)
			b->clients[b->nc++] = dflt[i];
	}
	b->dur_ns = cfg->duration > 0 ? cfg->duration : 2 * FO_SEC;
	fo_duration_format(b->dur_ns, b->dur, sizeof(b->dur));
	b->proto = cfg->proto ? "http" : "line";
	b->csv_path = cfg->csv;
	b->plot_path = cfg->plot;
	b->pinned = cfg->pin;
	if (b->pinned && ncores() < 2) {
		fprintf(stderr, "fanout: --pin needs two cores; running unpinned\n");
		b->pinned = false;
	}
	return 0;
}

/* The row r to stdout: its figures, or with note (a failed row) its model
 * and clients only. 0, or 1 when it could not be printed. */
static int put_row(const struct srow *r, const char *note)
{
	char clients[16], rps[32], cpu[32], per[32], rss[32], p99[32], served[48];
	const char *cells[NCOLS] = { r->model, clients, rps, cpu, per, rss, p99, served };

	snprintf(clients, sizeof(clients), "%d", r->clients);
	if (note)
		return fo_bench_table_line(cols, NCOLS, cells, 2, note);
	snprintf(rps, sizeof(rps), "%.0f", r->rps);
	snprintf(cpu, sizeof(cpu), "%.0f%%", r->cpu_pct);
	snprintf(per, sizeof(per), "%.2fus", r->us_per_req);
	snprintf(rss, sizeof(rss), "%.1fMB", r->rss_mb);
	snprintf(p99, sizeof(p99), "%.0fus", r->p99_us);
	snprintf(served, sizeof(served), "%lld/%d", r->served, r->clients);
	return fo_bench_table_line(cols, NCOLS, cells, NCOLS, NULL);
}

/* One row: `fanout load` at clients against the server on port. Returns 1 when it failed. */
static int run_row(const struct bcfg *b, const char *model, const char *port, pid_t spid, int clients,
		   struct srow *r, FILE *csv)
{
	char target[64], cs[16], js[2048] = "";
	char *largv[] = { "fanout", "load", "--proto", (char *)b->proto, "-c", cs, "-d", (char *)b->dur,
			  "--threads", "1", "--json", target, NULL };
	long rss_kb;
	double cpu0 = tree_cpu(spid, &rss_kb), cpu1, reqs;
	int64_t t0 = fo_now(), t1;
	int lfd = -1, ret;
	pid_t lpid;

	snprintf(cs, sizeof(cs), "%d", clients);
	snprintf(target, sizeof(target), "127.0.0.1:%s", port);
	memset(r, 0, sizeof(*r));
	snprintf(r->model, sizeof(r->model), "%.47s", model);
	r->clients = clients;
	/* the load ends by its own -d: its JSON line is due then, and it has
	 * exited soon after; a load that hangs is killed, and its row failed */
	lpid = fo__bench_spawn(largv, b->pinned ? 1 : -1, &lfd);
	fo__bench_load_child(lpid);
	if (lpid < 0 || fo__bench_read_line(lfd, js, sizeof(js), t0 + b->dur_ns + 30 * FO_SEC) <= 0)
		r->failed = true;
	if (lpid > 0) {
		if (fo__bench_reap(lpid, 0, fo_now() + 10 * FO_SEC) < 0)
			r->failed = true;
		close(lfd);
	}
	fo__bench_load_child(0);
	t1 = fo_now();
	cpu1 = tree_cpu(spid, &rss_kb);
	if (fo_interrupted()) { /* a row cut short: shown, in no file */
		r->failed = true;
		put_row(r, "(interrupted)");
		return 0;
	}
	if (r->failed) {
		put_row(r, "the load failed");
		return 1;
	}
	reqs = json_num(js, "requests");
	r->rps = json_num(js, "rps");
	r->starved = (long long)json_num(js, "starved");
	r->served = clients - r->starved;
	r->p99_us = json_num(js, "p99");
	r->cpu_pct = (cpu1 - cpu0) / ((double)(t1 - t0) / 1e9) * 100.0;
	r->us_per_req = reqs > 0 ? (cpu1 - cpu0) / reqs * 1e6 : 0;
	r->rss_mb = (double)rss_kb / 1024.0;
	ret = put_row(r, NULL);
	if (csv)
		fprintf(csv, "%s,%s,%d,%.1f,%.1f,%.3f,%.2f,%.1f,%lld,%lld,%s\n", r->model, b->proto, r->clients, r->rps,
			r->cpu_pct, r->us_per_req, r->rss_mb, r->p99_us, r->served, r->starved,
			b->pinned ? "server-cpu0-client-cpu1" : "shared");
	return ret;
}

/*
 * One model's rows: its server, then a load per client count; each row
 * printed and, with csv, written. Returns 1 when a row failed.
 */
static int run_model(const struct bcfg *b, const char *model, struct srow *rows, int *nrows, FILE *csv)
{
	char port[16];
	int sfd, j, ret = 0;
	pid_t spid = fo__bench_server_start(model, b->proto, b->pinned, port, sizeof(port), &sfd);

	if (spid < 0)
		return 1;
	for (j = 0; j < b->nc && !fo_interrupted(); j++)
		ret |= run_row(b, model, port, spid, b->clients[j], &rows[(*nrows)++], csv);
	fo__bench_server_stop(spid, sfd);
	return ret;
}

pid_t fo__bench_server_start(const char *model, const char *proto, bool pinned, char *port, size_t plen, int *fd)
{
	char line[1024];
	char *sargv[] = { "fanout", "serve", "--model", (char *)model, "--proto", (char *)proto, "--port", "0",
			  NULL };
	int status;
	pid_t spid = fo__bench_spawn(sargv, pinned ? 0 : -1, fd);
	const char *pp;

	if (spid < 0 || fo__bench_read_line(*fd, line, sizeof(line), fo_now() + 10 * FO_SEC) <= 0 ||
	    !(pp = strstr(line, " port "))) {
		fprintf(stderr, "fanout: the server for model '%s' did not start\n", model);
		if (spid > 0) {
			kill(spid, SIGKILL);
			waitpid(spid, &status, 0);
			close(*fd);
		}
		return -1;
	}
	snprintf(port, plen, "%d", atoi(pp + 6)); /* banned-ok: our own server's line */
	return spid;
}

static volatile pid_t load_child;

static void on_int(int sig)
{
	pid_t c = load_child;
	int saved = errno; /* the code it interrupted may be about to read it */

	fo_interrupt();
	if (c > 0)
		kill(c, SIGINT);
	errno = saved;
	(void)sig;
}

void fo__bench_on(int sig, void (*fn)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

void fo__bench_catch_int(void)
{
	fo__bench_on(SIGINT, on_int);
	fo__bench_on(SIGTERM, on_int);
}

void fo__bench_load_child(pid_t pid)
{
	load_child = pid;
	if (pid > 0 && fo_interrupted())
		kill(pid, SIGINT); /* interrupted while it was being forked */
}

int fo__bench_reap(pid_t pid, int sig, int64_t deadline)
{
	int status = -1;
	pid_t r;

	if (sig)
		kill(pid, sig);
	while ((r = waitpid(pid, &status, WNOHANG)) == 0 || (r < 0 && errno == EINTR)) {
		if (fo_now() >= deadline) {
			kill(pid, SIGKILL);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			return -1;
		}
		usleep(20000);
	}
	return status;
}

void fo__bench_server_stop(pid_t spid, int fd)
{
	fo__bench_reap(spid, SIGTERM, fo_now() + 10 * FO_SEC);
	close(fd);
}

/* Runs every model's rows into rows[]: the exit code so far. */
static int run_models(const struct bcfg *b, struct srow *rows, int *nrows, FILE *csv)
{
	int i, ret = 0;

	fo__bench_catch_int(); /* before anything is said: Ctrl-C from then on ends with what was done */
	if (csv)
		fprintf(csv, "model,proto,clients,rps,server_cpu_pct,server_us_per_req,server_rss_mb,p99_us,served,"
			     "starved,placement\n");
	printf("# fanout bench serve: proto %s, %s per row, %s\n", b->proto, b->dur,
	       b->pinned ? "server on core 0, client on core 1" : "server and client share every core");
	ret = fo_bench_table_line(cols, NCOLS, NULL, 0, NULL);
	signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < b->nm && !fo_interrupted(); i++)
		ret |= run_model(b, b->models[i], rows, nrows, csv);
	return ret;
}

int fo_bench_serve_run(const struct fo_bench_serve_cfg *cfg)
{
	struct bcfg b;
	struct srow rows[MAXM * MAXC];
	struct fo_wfile csv;
	int nrows = 0, done, ret, e;

	if ((ret = bcfg_init(&b, cfg)) != 0)
		return ret;
	if (b.plot_path && fo_bench_plot_check(b.plot_path))
		return 2;
	/* a temporary file beside it, renamed over it when every row is in (STYLE 19) */
	if (b.csv_path && (e = fo__wfile_open(&csv, b.csv_path, 0644)) != 0) {
		fprintf(stderr, "fanout: cannot write --csv '%s': %s\n", b.csv_path, fo_strerror(e));
		return 2;
	}
	ret = run_models(&b, rows, &nrows, b.csv_path ? csv.f : NULL);
	for (e = 0, done = 0; e < nrows; e++)
		done += !rows[e].failed;
	if (b.csv_path && !done && fo_interrupted()) {
		/* no row to write: an earlier run's file stays as it was */
		fo__wfile_abort(&csv);
		printf("# interrupted before any row: --csv '%s' left as it was\n", b.csv_path);
	} else if (b.csv_path) {
		if ((e = fo__wfile_commit(&csv, true)) == 0) {
			printf("# every row: %s\n", b.csv_path);
		} else {
			fprintf(stderr, "fanout: cannot write --csv '%s': %s\n", b.csv_path, fo_strerror(e));
			ret = 1;
		}
	}
	if (b.plot_path && (done || !fo_interrupted())) {
		if (write_plot(b.plot_path, b.proto, b.dur, b.pinned, rows, nrows) == 0)
			printf("# plot: %s\n", b.plot_path);
		else
			ret = 1;
	}
	if (fo_interrupted()) {
		printf("# interrupted: the rows up to then are above\n");
		ret = 130;
	}
	return ret;
}

int fo_bench_serve_main(int argc, char **argv)
{
	const struct fo_opts *t = &fo_bench_serve_opts;
	struct fo_bench_serve_cfg cfg;
	struct fo_optres res;
	int r;

	memset(&cfg, 0, sizeof(cfg));
	r = fo_opts_parse(t, &cfg, argc, argv, &res);
	if (!r) {
		bool tl = cfg.timeline || cfg.timeline_data;

		cfg.model_given = fo_opts_given(t, &res, "model");
		r = fo_opts_check_ctx(t, &res, tl ? FO_BENCH_SERVE_TIMELINE : FO_BENCH_SERVE_ROWS,
				      tl ? "bench serve --timeline" : "bench serve without --timeline");
		if (!r)
			r = tl ? fo_bench_timeline_run(&cfg) : fo_bench_serve_run(&cfg);
		else
			r = 2;
	}
	else
		r = r == FO_OPTS_HELP ? 0 : 2;
	fo_opts_release(t, &cfg, &res);
	return r;
}
