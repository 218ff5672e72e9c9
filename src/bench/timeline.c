/*
 * `fanout bench serve --timeline FILE.svg`: the C10K experiment's figure.
 * For each model one `fanout serve` child, and one `fanout load --ramp`
 * child that adds clients in steps (1, 2, 4, ... 64, a step every 2 s) on
 * connections it keeps open, and says each second how many requests were
 * done in it (--json-seconds). On each of those lines the server is
 * sampled from /proc: VmRSS and Threads from status, utime+stime from
 * stat, summed over the server and its worker processes (processes:N
 * forks them). The SVG draws req/s above, memory and CPU below, on one
 * time axis, a line per model; the samples go to a CSV; a table per model
 * (a row per step) goes to stdout as each step ends.
 */
#include <dirent.h>
#include <stdint.h>
#include <errno.h>
#include <poll.h>
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
#define MAXPIDS 512

/* One second of one model's run. */
struct sample {
	int second;          /* 1, 2, ...: the load's count */
	double t;            /* seconds since the load started, at the end of this one (the load's clock) */
	int clients;         /* connections open at its end */
	long long served;    /* of those, the ones that have had a reply (the rest starve) */
	long long requests;  /* done in it */
	double rps;          /* requests over its measured length */
	long rss_kb;         /* VmRSS summed over the server's processes */
	double cpu_pct;      /* the server's CPU over it, % of one core */
	int threads, procs;  /* the server's, summed */
};

struct tl {
	char models[MAXM][48];
	int nm;
	const char *proto;
	bool pinned;
	int64_t ramp[FO_BENCH_MAX_LIST];
	int nramp;
	int64_t every;
	const char *svg, *data;
	char data_buf[4096];
	struct sample *s[MAXM];
	int ns[MAXM], cap;
	bool failed[MAXM];
};

/* What /proc says of a process tree at one moment. */
struct psample {
	double cpu_s;
	long rss_kb;
	int threads, procs;
};

/* The server and its children: the pids of every thread's children file. */
static int tree_pids(pid_t pid, pid_t *out, int cap)
{
	char path[96];
	struct dirent *e;
	DIR *d;
	int n = 0;

	out[n++] = pid;
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	while (d && n < cap && (e = readdir(d))) {
		FILE *f;
		int k;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%.20s/children", (int)pid, e->d_name);
		if (!(f = fopen(path, "r")))
			continue;
		while (n < cap && fscanf(f, "%d", &k) == 1)
			out[n++] = k;
		fclose(f);
	}
	if (d)
		closedir(d);
	return n;
}

static void sample_proc(pid_t pid, struct psample *ps)
{
	static pid_t pids[MAXPIDS];
	long tck = sysconf(_SC_CLK_TCK);
	char path[64], buf[4096];
	int i, n = tree_pids(pid, pids, MAXPIDS);

	memset(ps, 0, sizeof(*ps));
	for (i = 0; i < n; i++) {
		unsigned long ut = 0, st = 0;
		FILE *f;
		char *p;

		snprintf(path, sizeof(path), "/proc/%d/stat", (int)pids[i]);
		if (!(f = fopen(path, "r")))
			continue; /* gone between the two reads */
		if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')) &&
		    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) == 2)
			ps->cpu_s += (double)(ut + st) / (double)(tck > 0 ? tck : 100);
		fclose(f);
		ps->procs++;
		snprintf(path, sizeof(path), "/proc/%d/status", (int)pids[i]);
		if (!(f = fopen(path, "r")))
			continue;
		while (fgets(buf, sizeof(buf), f)) {
			long v;

			if (sscanf(buf, "VmRSS: %ld", &v) == 1)
				ps->rss_kb += v;
			else if (sscanf(buf, "Threads: %ld", &v) == 1)
				ps->threads += (int)v;
		}
		fclose(f);
	}
}

/* ---- the table ------------------------------------------------------------ */

static const struct fo_table_col cols[] = {
	{ "model", FO_TABLE_LEFT, 1, 14, 0 },   { "clients", FO_TABLE_RIGHT, 1, 7, 0 },
	{ "served", FO_TABLE_RIGHT, 1, 7, 0 },
	{ "seconds", FO_TABLE_RIGHT, 1, 9, 0 }, { "req/s", FO_TABLE_RIGHT, 1, 10, 0 },
	{ "srv cpu", FO_TABLE_RIGHT, 1, 8, 0 }, { "cpu/req", FO_TABLE_RIGHT, 1, 9, 0 },
	{ "srv rss", FO_TABLE_RIGHT, 1, 9, 0 }, { "threads", FO_TABLE_RIGHT, 1, 7, 0 },
	{ "procs", FO_TABLE_RIGHT, 1, 5, 0 },
};
#define NCOLS (sizeof(cols) / sizeof(cols[0]))

/* The row of samples s[0..n), one step's: mean req/s and CPU, the
 * server's CPU per request over the step, the last RSS and counts. */
static int put_step(const char *model, const struct sample *s, int n)
{
	char clients[16], served[24], secs[32], rps[32], cpu[32], per[32], rss[32], thr[16], procs[16];
	const char *cells[NCOLS] = { model, clients, served, secs, rps, cpu, per, rss, thr, procs };
	double r = 0, c = 0;
	int i;

	for (i = 0; i < n; i++) {
		r += s[i].rps;
		c += s[i].cpu_pct;
	}
	snprintf(clients, sizeof(clients), "%d", s[0].clients);
	/* by the step's end: the connections the server has answered at all */
	snprintf(served, sizeof(served), "%lld", s[n - 1].served);
	if (n > 1)
		snprintf(secs, sizeof(secs), "%d-%d", s[0].second, s[n - 1].second);
	else
		snprintf(secs, sizeof(secs), "%d", s[0].second);
	snprintf(rps, sizeof(rps), "%.0f", r / n);
	snprintf(cpu, sizeof(cpu), "%.0f%%", c / n);
	/* CPU seconds a second over requests a second */
	if (r > 0)
		snprintf(per, sizeof(per), "%.2fus", c / 100.0 / r * 1e6);
	else
		snprintf(per, sizeof(per), "-");
	snprintf(rss, sizeof(rss), "%.1fMB", (double)s[n - 1].rss_kb / 1024.0);
	snprintf(thr, sizeof(thr), "%d", s[n - 1].threads);
	snprintf(procs, sizeof(procs), "%d", s[n - 1].procs);
	return fo_bench_table_line(cols, NCOLS, cells, NCOLS, NULL);
}

/* ---- one model ------------------------------------------------------------ */

/* "1,2,4" */
static void ramp_text(const struct tl *t, char *buf, size_t len)
{
	size_t n = 0;
	int i;

	buf[0] = 0;
	for (i = 0; i < t->nramp && n + 1 < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%lld", i ? "," : "", (long long)t->ramp[i]);
}

/* Lines read from a pipe as they come, a partial one kept across waits. */
struct lines {
	char buf[1024];
	size_t n;
	bool whole; /* buf holds a whole line (without its newline) */
};

/* 1: a whole line in l->buf; 0: deadline passed first; -1: the end (or a
 * line too long, or a read error). */
static int next_line(struct lines *l, int fd, int64_t deadline)
{
	if (l->whole)
		l->n = 0, l->whole = false;
	for (;;) {
		int64_t left = deadline - fo_now();
		struct pollfd pfd = { fd, POLLIN, 0 };
		ssize_t r;
		int k;

		if (fo_interrupted())
			return -1;
		if (left <= 0)
			return 0;
		k = poll(&pfd, 1, (int)(left / FO_MSEC > 1000 ? 1000 : left / FO_MSEC + 1));
		if (k < 0 && errno != EINTR)
			return -1;
		if (k <= 0)
			continue;
		r = read(fd, l->buf + l->n, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || l->n + 1 >= sizeof(l->buf))
			return -1;
		if (l->buf[l->n] == '\n') {
			l->buf[l->n] = 0;
			l->whole = true;
			return 1;
		}
		l->n++;
	}
}

/*
 * Model mi's run: its server, the load, a sample per second of the load.
 * The load's line at the end of each second gives its requests; the
 * server's CPU is read then too (the CPU between two lines), its memory,
 * threads and processes in the middle of the second (at its end the next
 * step's clients are already connecting). 0, or 1 after one line on
 * stderr (the server did not start, or the load gave no seconds).
 */
static int run_model(struct tl *t, int mi)
{
	const char *model = t->models[mi];
	char port[16], target[64], ramp[512], every[32];
	char *largv[] = { "fanout", "load", "--proto", (char *)t->proto, "--ramp", ramp, "--ramp-every", every,
			  "--threads", "1", "--json-seconds", target, NULL };
	int64_t total = t->nramp * t->every, deadline, prev_now, mid;
	struct psample ps, mid_ps;
	struct lines l = { .n = 0 };
	double prev_cpu, prev_t = 0;
	int sfd, lfd = -1, step0 = 0, n = 0, rc = 0, got;
	pid_t spid, lpid;
	struct sample *s = t->s[mi];
	bool totals = false, have_mid = false;

	spid = fo__bench_server_start(model, t->proto, t->pinned, port, sizeof(port), &sfd);
	if (spid < 0)
		return 1;
	snprintf(target, sizeof(target), "127.0.0.1:%s", port);
	ramp_text(t, ramp, sizeof(ramp));
	snprintf(every, sizeof(every), "%lldns", (long long)t->every);
	if (fo_bench_table_line(cols, NCOLS, NULL, 0, NULL))
		rc = 1;
	sample_proc(spid, &ps);
	prev_cpu = ps.cpu_s;
	prev_now = fo_now();
	lpid = fo__bench_spawn(largv, t->pinned ? 1 : -1, &lfd);
	fo__bench_load_child(lpid); /* SIGINT at once if Ctrl-C came while it was forked */
	deadline = fo_now() + total + 30 * FO_SEC;
	mid = fo_now() + FO_SEC / 2;
	while (lpid > 0 && n < t->cap && (got = next_line(&l, lfd, mid < deadline ? mid : deadline)) >= 0) {
		struct sample *x = &s[n];
		int64_t now = fo_now();

		if (!got) {
			if (now >= deadline)
				break;
			sample_proc(spid, &mid_ps);
			have_mid = true;
			mid = INT64_MAX;
			continue;
		}
		if (sscanf(l.buf, "{\"second\":%d,\"t\":%lf,\"connections\":%d,\"requests\":%lld,\"served\":%lld}",
			   &x->second, &x->t, &x->clients, &x->requests, &x->served) != 5) {
			totals = strstr(l.buf, "\"requests\":") != NULL;
			break;
		}
		sample_proc(spid, &ps);
		if (!have_mid)
			mid_ps = ps;
		x->rps = x->t > prev_t ? (double)x->requests / (x->t - prev_t) : 0;
		x->cpu_pct = now > prev_now ? (ps.cpu_s - prev_cpu) / ((double)(now - prev_now) / 1e9) * 100.0 : 0;
		x->rss_kb = mid_ps.rss_kb;
		x->threads = mid_ps.threads;
		x->procs = mid_ps.procs;
		prev_t = x->t;
		prev_cpu = ps.cpu_s;
		prev_now = now;
		mid = now + FO_SEC / 2;
		have_mid = false;
		n++;
		/* a step's row when the next step begins */
		if (s[step0].clients != x->clients) {
			rc |= put_step(model, s + step0, n - 1 - step0);
			step0 = n - 1;
		}
	}
	if (n > step0)
		rc |= put_step(model, s + step0, n - step0);
	if (lpid > 0) {
		close(lfd);
		fo__bench_reap(lpid, 0, fo_now() + 10 * FO_SEC);
	}
	fo__bench_load_child(0);
	fo__bench_server_stop(spid, sfd);
	t->ns[mi] = n;
	if (!n) {
		fprintf(stderr, "fanout: model '%s': the load gave no second of samples%s\n", model,
			lpid < 0 ? " (it did not start)" : "");
		return 1;
	}
	if (fo_interrupted())
		return rc;
	if (!totals)
		fprintf(stderr, "fanout: model '%s': the load ended without its totals (its error is above)\n", model);
	return rc || !totals;
}

/* ---- outputs -------------------------------------------------------------- */

static int write_data(const struct tl *t, struct fo_wfile *w)
{
	int mi, i, e;

	fprintf(w->f, "model,proto,second,t_s,clients,served,requests,rps,server_rss_kb,server_cpu_pct,server_threads,"
		      "server_procs\n");
	for (mi = 0; mi < t->nm; mi++)
		for (i = 0; i < t->ns[mi]; i++) {
			const struct sample *x = &t->s[mi][i];

			fprintf(w->f, "%s,%s,%d,%.3f,%d,%lld,%lld,%.1f,%ld,%.1f,%d,%d\n", t->models[mi], t->proto,
				x->second, x->t, x->clients, x->served, x->requests, x->rps, x->rss_kb, x->cpu_pct,
				x->threads, x->procs);
		}
	if ((e = fo__wfile_commit(w, true)) != 0) {
		fprintf(stderr, "fanout: cannot write --timeline-data '%s': %s\n", t->data, fo_strerror(e));
		return 1;
	}
	return 0;
}

/* The three panels, a line per model that has samples; on the clients'
 * axis, the clients served by each model that left some waiting. */
static int write_svg(const struct tl *t)
{
	struct fo_plot_series ser[3][MAXM], y2[1 + MAXM];
	char served_title[MAXM][80];
	struct fo_plot_panel pan[3];
	struct fo_plot_stack st;
	double *xy, cx[2 * FO_BENCH_MAX_LIST], cy[2 * FO_BENCH_MAX_LIST];
	char title[256], xlabel[128], every[32];
	int mi, i, k, nser = 0, ny2 = 1, total = 0, off = 0, r;

	for (mi = 0; mi < t->nm; mi++)
		total += t->ns[mi];
	if (!total) {
		fprintf(stderr, "fanout: nothing to draw: no model gave samples\n");
		return 1;
	}
	/* per sample: its time, then req/s, MB, CPU% and clients served */
	xy = malloc(sizeof(double) * 5 * (size_t)total);
	if (!xy) {
		fprintf(stderr, "fanout: cannot draw --timeline '%s': out of memory\n", t->svg);
		return 1;
	}
	for (mi = 0; mi < t->nm; mi++) {
		bool starved = false; /* at the end of some step, clients unanswered */

		if (!t->ns[mi])
			continue;
		for (i = 0; i < t->ns[mi]; i++) {
			const struct sample *x = &t->s[mi][i];

			xy[off + i] = x->second - 0.5; /* the middle of the second it stands for */
			xy[total + off + i] = x->rps;
			xy[2 * total + off + i] = (double)x->rss_kb / 1024.0;
			xy[3 * total + off + i] = x->cpu_pct;
			xy[4 * total + off + i] = (double)x->served;
			if (i == t->ns[mi] - 1 || t->s[mi][i + 1].clients != x->clients)
				starved |= x->served < x->clients;
		}
		for (k = 0; k < 3; k++) {
			ser[k][nser].title = t->models[mi];
			ser[k][nser].x = xy + off;
			ser[k][nser].y = xy + (k + 1) * total + off;
			ser[k][nser].n = t->ns[mi];
			ser[k][nser].lc = 0;
		}
		if (starved) {
			snprintf(served_title[mi], sizeof(served_title[mi]), "%s: clients served", t->models[mi]);
			y2[ny2].title = served_title[mi];
			y2[ny2].x = xy + off;
			y2[ny2].y = xy + 4 * total + off;
			y2[ny2].n = t->ns[mi];
			y2[ny2].lc = nser + 1; /* gnuplot's colour of this model's line */
			ny2++;
		}
		nser++;
		off += t->ns[mi];
	}
	/* the clients, a flat line per step */
	for (i = 0; i < t->nramp; i++) {
		cx[2 * i] = (double)(i * t->every) / 1e9;
		cx[2 * i + 1] = (double)((i + 1) * t->every) / 1e9;
		cy[2 * i] = cy[2 * i + 1] = (double)t->ramp[i];
	}
	y2[0].title = "clients";
	y2[0].x = cx;
	y2[0].y = cy;
	y2[0].n = 2 * t->nramp;
	y2[0].lc = 0;
	memset(pan, 0, sizeof(pan));
	pan[0].title = "throughput";
	pan[0].ylabel = "requests per second";
	pan[0].y2 = y2;
	pan[0].ny2 = ny2;
	pan[0].y2label = "clients";
	pan[1].title = "memory";
	pan[1].ylabel = "server RSS (MB, summed over its processes)";
	pan[2].title = "CPU";
	pan[2].ylabel = "server CPU (% of one core)";
	for (k = 0; k < 3; k++) {
		pan[k].series = ser[k];
		pan[k].nseries = nser;
	}
	fo_duration_format(t->every, every, sizeof(every));
	snprintf(title, sizeof(title), "fanout bench serve --timeline: proto %s, %lld to %lld clients in %d steps of %s, %s",
		 t->proto, (long long)t->ramp[0], (long long)t->ramp[t->nramp - 1], t->nramp, every,
		 t->pinned ? "server on core 0, client on core 1" : "server and client share every core");
	snprintf(xlabel, sizeof(xlabel), "seconds since the first client (a point per second, in its middle)");
	memset(&st, 0, sizeof(st));
	st.flag = "--timeline";
	st.path = t->svg;
	st.title = title;
	st.xlabel = xlabel;
	st.xmax = (double)(t->nramp * t->every) / 1e9;
	st.panels = pan;
	st.npanels = 3;
	r = fo_bench_plot_stack(&st);
	free(xy);
	return r;
}

/* ---- the command ---------------------------------------------------------- */

/* FILE.svg's name with .csv for .svg (or .csv added) into buf: buf, or NULL when it does not fit. */
static const char *beside(const char *svg, char *buf, size_t len)
{
	size_t n = strlen(svg);

	if (n > 4 && !strcmp(svg + n - 4, ".svg"))
		n -= 4;
	if (n + 5 > len)
		return NULL;
	snprintf(buf, len, "%.*s.csv", (int)n, svg);
	return buf;
}

/* The command line's config into t: 0, or exit code 2 after the one line. */
static int tl_init(struct tl *t, const struct fo_bench_serve_cfg *cfg)
{
	size_t i;
	int r;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < cfg->models.n && cfg->model_given; i++)
		if ((r = fo__bench_models(cfg->models.v[i], t->models, &t->nm, MAXM)) != 0)
			return r;
	if (!t->nm) {
		static const char *const dflt[] = { "threads", "processes:2", "coro:1" };

		for (i = 0; i < 3; i++)
			snprintf(t->models[t->nm++], sizeof(t->models[0]), "%s", dflt[i]);
	}
	t->proto = cfg->proto ? "http" : "line";
	t->pinned = cfg->pin;
	if (t->pinned && sysconf(_SC_NPROCESSORS_ONLN) < 2) {
		fprintf(stderr, "fanout: --pin needs two cores; running unpinned\n");
		t->pinned = false;
	}
	for (i = 0; i < (size_t)cfg->ramp.n; i++)
		t->ramp[t->nramp++] = cfg->ramp.v[i];
	t->every = cfg->ramp_every;
	if (!t->nramp || t->every <= 0) { /* the table's defaults fill both; a config made by hand may not */
		fprintf(stderr, "fanout: bench serve --timeline needs --ramp and --ramp-every, such as --ramp 1,2,4 "
				"--ramp-every 2s\n");
		return 2;
	}
	if (t->nramp * t->every < FO_SEC) {
		char every[32];

		fprintf(stderr, "fanout: --ramp of %d step(s) of --ramp-every %s lasts under 1s: a timeline samples "
				"each second; give more steps or a longer --ramp-every\n",
			t->nramp, fo_duration_format(t->every, every, sizeof(every)));
		return 2;
	}
	t->svg = cfg->timeline;
	t->data = cfg->timeline_data;
	if (!t->data && !(t->data = beside(t->svg, t->data_buf, sizeof(t->data_buf)))) {
		fprintf(stderr, "fanout: --timeline '%.64s...' is too long a name to put the CSV beside; give "
				"--timeline-data FILE\n",
			t->svg);
		return 2;
	}
	if (t->svg && !strcmp(t->svg, t->data)) {
		fprintf(stderr, "fanout: --timeline and --timeline-data are both '%s': give the data another name\n",
			t->data);
		return 2;
	}
	/* one sample a second, and room for the load's clock to run late */
	t->cap = (int)((t->nramp * t->every + FO_SEC - 1) / FO_SEC) + 4;
	return 0;
}

int fo_bench_timeline_run(const struct fo_bench_serve_cfg *cfg)
{
	struct tl t;
	struct fo_wfile w;
	char ramp[512], every[32];
	int mi, e, total, ret = 0;

	if ((ret = tl_init(&t, cfg)) != 0)
		return ret;
	if (t.svg && fo_bench_plot_check_as("--timeline", t.svg))
		return 2;
	/* a temporary file beside it, renamed over it when every sample is in (STYLE 19) */
	if ((e = fo__wfile_open(&w, t.data, 0644)) != 0) {
		fprintf(stderr, "fanout: cannot write --timeline-data '%s': %s\n", t.data, fo_strerror(e));
		return 2;
	}
	for (mi = 0; mi < t.nm; mi++)
		if (!(t.s[mi] = calloc((size_t)t.cap, sizeof(struct sample)))) {
			fprintf(stderr, "fanout: out of memory\n");
			fo__wfile_abort(&w);
			ret = 1;
			goto out;
		}
	fo__bench_catch_int(); /* before anything is said */
	ramp_text(&t, ramp, sizeof(ramp));
	printf("# fanout bench serve --timeline: proto %s, clients %s, a step every %s, %s\n", t.proto, ramp,
	       fo_duration_format(t.every, every, sizeof(every)),
	       t.pinned ? "server on core 0, client on core 1" : "server and client share every core");
	signal(SIGPIPE, SIG_IGN);
	for (mi = 0; mi < t.nm && !fo_interrupted(); mi++)
		t.failed[mi] = run_model(&t, mi) != 0;
	for (mi = 0; mi < t.nm; mi++)
		ret |= t.failed[mi];
	for (mi = 0, total = 0; mi < t.nm; mi++)
		total += t.ns[mi];
	if (!total && fo_interrupted()) {
		/* nothing to write: an earlier run's files stay as they were */
		fo__wfile_abort(&w);
		printf("# interrupted before any sample: '%s' left as it was\n", t.data);
		ret = 130;
		goto out;
	}
	if (write_data(&t, &w) == 0)
		printf("# samples: %s\n", t.data);
	else
		ret = 1;
	if (t.svg) {
		if (write_svg(&t) == 0)
			printf("# timeline: %s\n", t.svg);
		else
			ret = 1;
	}
	if (fo_interrupted()) {
		printf("# interrupted: the samples up to then are above\n");
		ret = 130;
	}
out:
	for (mi = 0; mi < t.nm; mi++)
		free(t.s[mi]);
	return ret;
}
