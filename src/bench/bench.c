/*
 * `fanout bench rtt` and `fanout bench tasks`: the round-trip experiment.
 *
 * One row = one run of N simulated hosts whose task sleeps one RTT (plus a
 * jitter that depends only on the host's index, so every model sees the
 * same delays). With one model and no sweep the run happens in this
 * process, so that `time fanout bench rtt` measures fanout as a whole
 * against another program. A sweep runs every row in a child process
 * (this same binary with --row), and takes wall, user and sys time from
 * wait4, so no row pays for another's memory or threads; the child reports
 * its result counts and peak RSS (summed over its worker processes) back on
 * a pipe.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "gnuplot.h"
#include "../cli/cli.h"
#include "../util/file.h"
#include "../util/table.h"
#include "fanout/runtime.h"

#define MAX_MODELS 32
#define MAX_LIST 32

struct cfg {
	const char *what;      /* "rtt" or "tasks" */
	size_t hosts[MAX_LIST];
	int nhosts;
	int64_t rtt[MAX_LIST];
	int nrtt;
	int64_t jitter;
	struct fo_model models[MAX_MODELS];
	char model_text[MAX_MODELS][48];
	int nmodels;
	bool model_given;
	int workers;           /* --workers: pool size / coroutines in flight */
	int runs;
	int64_t timeout;       /* per task */
	int64_t max_time;      /* per row */
	const char *csv;
	const char *plot;
	bool row;              /* child mode: one run, report on fd 3 */
	bool quiet;
};

struct row {
	char model[48];
	int workers;
	size_t hosts;
	int64_t rtt;
	int run;
	double wall, user, sys;
	long maxrss_kb;
	size_t ok, total;
	size_t count[FO_STATUS_COUNT];
	int threads_started, threads_wanted, procs_started;
	bool interrupted, failed;
	char poller[16];
};

static int ncores(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (int)n : 1;
}

static int add_model(struct cfg *c, const char *text)
{
	char err[256];

	if (c->nmodels == MAX_MODELS) {
		fprintf(stderr, "fanout: too many models in --model (at most %d)\n", MAX_MODELS);
		return 2;
	}
	if (fo_model_parse(text, &c->models[c->nmodels], err, sizeof(err)) < 0)
		return fo_cli_bad("--model", text, FO_MODEL_FORMS " (N >= 1), or all");
	fo_model_format(&c->models[c->nmodels], c->model_text[c->nmodels], sizeof(c->model_text[0]));
	c->nmodels++;
	return 0;
}

static int parse_models(struct cfg *c, const char *s)
{
	char *dup = strdup(s), *save = NULL, *tok;
	int r = 0;

	for (tok = strtok_r(dup, ",", &save); tok && !r; tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "all")) {
			char buf[48];
			const char *all[] = { "sequential", "threads:100", "threads:1000", NULL, NULL, "loop", "coro" };

			snprintf(buf, sizeof(buf), "processes:%d", ncores());
			all[3] = buf;
			{
				static char b2[48];

				snprintf(b2, sizeof(b2), "blended:%dx100", ncores());
				all[4] = b2;
			}
			for (size_t k = 0; k < sizeof(all) / sizeof(all[0]) && !r; k++)
				r = add_model(c, all[k]);
		} else {
			r = add_model(c, tok);
		}
	}
	free(dup);
	if (!r && c->nmodels == 0)
		r = fo_cli_bad("--model", s, FO_MODEL_FORMS ", or all");
	return r;
}

/* ---- the task ------------------------------------------------------------ */

struct task_cfg {
	int64_t rtt, jitter;
};

static int64_t jitter_of(size_t i, int64_t jitter)
{
	uint64_t x = (uint64_t)i * 0x9E3779B97F4A7C15ull;

	x ^= x >> 31;
	x *= 0xBF58476D1CE4E5B9ull;
	x ^= x >> 29;
	return jitter > 0 ? (int64_t)(x % (uint64_t)jitter) : 0;
}

static int rtt_task(struct fo_job *job, void *arg)
{
	const struct task_cfg *tc = arg;

	return fo_sleep(tc->rtt + jitter_of(fo_job_index(job), tc->jitter));
}

/* ---- one run in this process ------------------------------------------------ */

/* --max-time ran out (not Ctrl-C): the row is cut, not interrupted */
static volatile sig_atomic_t max_time_hit;

static void on_alarm(int sig)
{
	(void)sig;
	max_time_hit = 1;
	fo_interrupt();
}

static int run_here(const struct cfg *c, const struct fo_model *m, size_t hosts, int64_t rtt,
		    struct row *out)
{
	struct task_cfg tc = { rtt, c->jitter };
	struct fo_run_opts o;
	struct fo_run *run;
	const struct fo_run_stats *st;
	struct rusage self, kids;
	int err = 0;

	memset(&o, 0, sizeof(o));
	o.model = *m;
	o.ntasks = hosts;
	o.fn = rtt_task;
	o.arg = &tc;
	o.task_timeout = c->timeout;
	o.quiet = c->quiet;
	if (c->workers && (m->kind == FO_MODEL_CORO || m->kind == FO_MODEL_LOOP))
		o.max_inflight = (size_t)c->workers;
	if (c->max_time > 0) {
		struct itimerval it = { { 0, 0 }, { (time_t)(c->max_time / FO_SEC),
						    (suseconds_t)(c->max_time % FO_SEC / 1000) } };

		fo__bench_on(SIGALRM, on_alarm);
		setitimer(ITIMER_REAL, &it, NULL);
	}
	run = fo_run(&o, &err);
	if (c->max_time > 0) {
		struct itimerval off = { { 0, 0 }, { 0, 0 } };

		setitimer(ITIMER_REAL, &off, NULL);
	}
	if (!run) {
		fprintf(stderr, "fanout: cannot start model '%s': %s\n", out->model, fo_strerror(err));
		return 1;
	}
	st = fo_run_stats(run);
	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &kids);
	out->wall = (double)st->wall_ns / 1e9;
	out->user = (double)(self.ru_utime.tv_sec + kids.ru_utime.tv_sec) +
		    (double)(self.ru_utime.tv_usec + kids.ru_utime.tv_usec) / 1e6;
	out->sys = (double)(self.ru_stime.tv_sec + kids.ru_stime.tv_sec) +
		   (double)(self.ru_stime.tv_usec + kids.ru_stime.tv_usec) / 1e6;
	out->maxrss_kb = st->maxrss_kb_sum;
	out->ok = st->count[FO_OK];
	memcpy(out->count, st->count, sizeof(out->count));
	out->total = st->count[FO_OK] + st->count[FO_FAILED] + st->count[FO_TIMEOUT] + st->count[FO_ERROR] +
		     st->count[FO_SKIPPED];
	out->threads_started = st->threads_started;
	out->threads_wanted = st->threads_wanted;
	out->procs_started = st->procs_started;
	out->interrupted = st->interrupted;
	snprintf(out->poller, sizeof(out->poller), "%s", st->poller ? st->poller : "-");
	fo_run_free(run);
	return 0;
}

/* ---- a row in a child ------------------------------------------------------- */

/* Room for the numbers of a row child's command line. */
struct child_args {
	const char *argv[32];
	char hosts[32], rtt[32], jitter[32], workers[32], max_time[32], timeout[32];
};

/* `fanout bench rtt --row ...` for model mi, hosts and rtt. */
static void child_argv(const struct cfg *c, int mi, size_t hosts, int64_t rtt, struct child_args *a)
{
	int n = 0;

	snprintf(a->hosts, sizeof(a->hosts), "%zu", hosts);
	snprintf(a->rtt, sizeof(a->rtt), "%lldns", (long long)rtt);
	a->argv[n++] = "fanout";
	a->argv[n++] = "bench";
	a->argv[n++] = "rtt";
	a->argv[n++] = "--row";
	a->argv[n++] = "--hosts";
	a->argv[n++] = a->hosts;
	a->argv[n++] = "--rtt";
	a->argv[n++] = a->rtt;
	a->argv[n++] = "--model";
	a->argv[n++] = c->model_text[mi];
	if (c->jitter) {
		snprintf(a->jitter, sizeof(a->jitter), "%lldns", (long long)c->jitter);
		a->argv[n++] = "--jitter";
		a->argv[n++] = a->jitter;
	}
	if (c->workers) {
		snprintf(a->workers, sizeof(a->workers), "%d", c->workers);
		a->argv[n++] = "--workers";
		a->argv[n++] = a->workers;
	}
	if (c->max_time) {
		snprintf(a->max_time, sizeof(a->max_time), "%lldns", (long long)c->max_time);
		a->argv[n++] = "--max-time";
		a->argv[n++] = a->max_time;
	}
	if (c->timeout) {
		snprintf(a->timeout, sizeof(a->timeout), "%lldns", (long long)c->timeout);
		a->argv[n++] = "--timeout";
		a->argv[n++] = a->timeout;
	}
	a->argv[n] = NULL;
}

/* The child's "ROW ..." line into out; a row without one failed. */
static void read_row(const char *line, size_t hosts, struct row *out)
{
	unsigned long long ok = 0, total = 0;
	long rss = 0;
	int ts = 0, tw = 0, ps = 0, intr = 0;
	char poller[16] = "-";

	if (sscanf(line, "ROW %llu %llu %d %d %d %ld %d %15s", &ok, &total, &ts, &tw, &ps, &rss, &intr, poller) !=
	    8) {
		out->failed = true;
		out->total = hosts;
		return;
	}
	out->ok = ok;
	out->total = total;
	out->threads_started = ts;
	out->threads_wanted = tw;
	out->procs_started = ps;
	out->interrupted = intr;
	if (rss > out->maxrss_kb)
		out->maxrss_kb = rss;
	snprintf(out->poller, sizeof(out->poller), "%s", poller);
}

/*
 * How long a row's run may take before it counts as hung: twice the
 * sequential model's time (every host one after another, each its RTT
 * and jitter) or twice --max-time, and a minute.
 */
static int64_t row_limit(const struct cfg *c, size_t hosts, int64_t rtt)
{
	int64_t one = c->max_time > 0 ? c->max_time : (int64_t)hosts * (rtt + c->jitter);

	return 2 * one + 60 * FO_SEC;
}

/*
 * Waits for child pid until deadline, then SIGKILLs it; its status and
 * rusage. Returns 0, or -1 when it had to be killed. The wait ends the
 * moment the child does (a pidfd), so the row's wall time is not padded.
 */
static int reap_rusage(pid_t pid, int64_t deadline, int *status, struct rusage *ru)
{
	int pfd = (int)syscall(SYS_pidfd_open, pid, 0), ret = 0;

	while (pfd >= 0) {
		int64_t left = deadline - fo_now();
		struct pollfd p = { pfd, POLLIN, 0 };
		int k;

		if (left <= 0) {
			kill(pid, SIGKILL);
			ret = -1;
			break;
		}
		k = poll(&p, 1, (int)(left / FO_MSEC > 1000 ? 1000 : left / FO_MSEC + 1));
		if (k > 0 || (k < 0 && errno != EINTR))
			break;
	}
	if (pfd >= 0)
		close(pfd);
	/* exited (or killed, or no pidfd on this kernel: a plain wait) */
	while (wait4(pid, status, 0, ru) < 0 && errno == EINTR)
		;
	return ret;
}

static int run_child(const struct cfg *c, int mi, size_t hosts, int64_t rtt, struct row *out)
{
	struct child_args a;
	int p[2], status;
	pid_t pid;
	struct rusage ru;
	int64_t t0, t1, deadline;
	char line[512];
	bool killed;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	child_argv(c, mi, hosts, rtt, &a);
	fflush(NULL);
	t0 = fo_now();
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -errno;
	}
	if (pid == 0) {
		dup2(p[1], 3);
		execv("/proc/self/exe", (char **)a.argv);
		fprintf(stderr, "fanout: cannot run '/proc/self/exe': %s\n", strerror(errno));
		_exit(127);
	}
	fo__bench_load_child(pid); /* Ctrl-C passed on to it */
	close(p[1]);
	/* the row is due when the run is done (a signal may interrupt the
	 * read: read on, it is coming); a child that hangs is killed */
	deadline = t0 + row_limit(c, hosts, rtt);
	if (fo__bench_read_line(p[0], line, sizeof(line), deadline) <= 0)
		line[0] = 0;
	close(p[0]);
	killed = reap_rusage(pid, deadline, &status, &ru) < 0;
	fo__bench_load_child(0);
	t1 = fo_now();
	out->wall = (double)(t1 - t0) / 1e9;
	out->user = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6;
	out->sys = (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	out->maxrss_kb = ru.ru_maxrss;
	read_row(line, hosts, out);
	if (killed || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		out->failed = true;
	if (killed)
		fprintf(stderr, "fanout: a row's run (%s, %zu hosts) was still going after %.0f s: killed, the row failed\n",
			c->model_text[mi], hosts, (double)(deadline - t0) / 1e9);
	return 0;
}

/* ---- output ------------------------------------------------------------------- */

static void fmt_rss(long kb, char *buf, size_t len)
{
	if (kb >= 1024 * 1024)
		snprintf(buf, len, "%.2fGB", (double)kb / (1024.0 * 1024.0));
	else
		snprintf(buf, len, "%.1fMB", (double)kb / 1024.0);
}

/* The two tables, one blank between columns and two before ok/total. The
 * widths are declared, as rows print when each run ends; each cell holds
 * its unit ("0.055s", "16%"). */
static const struct fo_table_col rtt_cols[] = {
	{ "model", FO_TABLE_LEFT, 1, 16, 0 },  { "workers", FO_TABLE_RIGHT, 1, 7, 0 },
	{ "hosts", FO_TABLE_RIGHT, 1, 8, 0 },  { "rtt", FO_TABLE_RIGHT, 1, 7, 0 },
	{ "wall", FO_TABLE_RIGHT, 1, 9, 0 },   { "user", FO_TABLE_RIGHT, 1, 8, 0 },
	{ "sys", FO_TABLE_RIGHT, 1, 8, 0 },    { "cpu%", FO_TABLE_RIGHT, 1, 5, 0 },
	{ "maxrss", FO_TABLE_RIGHT, 1, 9, 0 }, { "ok/total", FO_TABLE_LEFT, 2, 0, 0 },
};
static const struct fo_table_col tasks_cols[] = {
	{ "model", FO_TABLE_LEFT, 1, 16, 0 },     { "workers", FO_TABLE_RIGHT, 1, 7, 0 },
	{ "tasks", FO_TABLE_RIGHT, 1, 8, 0 },     { "duration", FO_TABLE_RIGHT, 1, 8, 0 },
	{ "wall", FO_TABLE_RIGHT, 1, 9, 0 },      { "ideal", FO_TABLE_RIGHT, 1, 9, 0 },
	{ "overhead", FO_TABLE_RIGHT, 1, 10, 0 }, { "cpu", FO_TABLE_RIGHT, 1, 9, 0 },
	{ "maxrss", FO_TABLE_RIGHT, 1, 8, 0 },    { "over%", FO_TABLE_RIGHT, 1, 6, 0 },
	{ "ok/total", FO_TABLE_LEFT, 2, 0, 0 },
};
#define NCOLS 11 /* the most columns of the two */

int fo_bench_table_line(const struct fo_table_col *cols, size_t ncols, const char *const *cells, size_t n,
			const char *note)
{
	struct fo_table t;
	int e;

	e = fo__table_init(&t, cols, ncols);
	if (!e)
		e = cells ? fo__table_row(&t, stdout, cells, n, note) : fo__table_head(&t, stdout);
	fo__table_release(&t);
	if (!e && fflush(stdout) != 0)
		e = -EIO;
	if (e)
		fprintf(stderr, "fanout: cannot print the table: %s\n",
			e == -ENOMEM ? "out of memory" : strerror(errno));
	return e ? 1 : 0;
}

/* A line of c's table (see fo_bench_table_line). */
static int put_line(const struct cfg *c, const char *const *cells, size_t n, const char *note)
{
	if (!strcmp(c->what, "tasks"))
		return fo_bench_table_line(tasks_cols, sizeof(tasks_cols) / sizeof(tasks_cols[0]), cells, n, note);
	return fo_bench_table_line(rtt_cols, sizeof(rtt_cols) / sizeof(rtt_cols[0]), cells, n, note);
}

static int print_header(const struct cfg *c)
{
	return put_line(c, NULL, 0, NULL);
}

static double ideal_of(const struct cfg *c, const struct row *r, const struct fo_model *m)
{
	size_t conc = (size_t)fo_model_workers(m);
	double h = (double)r->rtt / 1e9;

	if (m->kind == FO_MODEL_CORO || m->kind == FO_MODEL_LOOP)
		conc = c->workers ? (size_t)c->workers : r->hosts;
	if (conc < 1)
		conc = 1;
	return (double)((r->hosts + conc - 1) / conc) * h;
}

/* The note of a row that did not fail: why it is cut short, how many
 * threads started; "" for none. */
static void row_note(const struct cfg *c, const struct row *r, const struct fo_model *m, char *note, size_t len)
{
	size_t n;

	*note = 0;
	if (r->interrupted && c->max_time && (max_time_hit || !fo_interrupted())) {
		char mt[32];

		snprintf(note, len, "(cut at --max-time %s)", fo_duration_format(c->max_time, mt, sizeof(mt)));
	} else if (r->interrupted) {
		snprintf(note, len, "(interrupted)");
	}
	n = strlen(note);
	if (r->threads_wanted > r->threads_started && m->kind != FO_MODEL_CORO)
		snprintf(note + n, len - n, "%s(%d of %d threads started)", n ? "  " : "", r->threads_started,
			 r->threads_wanted);
}

/* A row of the table: 0, or 1 when it could not be printed. */
static int print_row(const struct cfg *c, const struct row *r, const struct fo_model *m)
{
	char workers[16], hosts[24], rtt[32], wall[32], f[4][32], rss[32], ok[48], note[96];
	const char *cells[NCOLS] = { r->model, workers, hosts, rtt, wall };
	double cpu = r->user + r->sys;

	snprintf(workers, sizeof(workers), "%d", r->workers);
	snprintf(hosts, sizeof(hosts), "%zu", r->hosts);
	fo_duration_format(r->rtt, rtt, sizeof(rtt));
	if (r->failed)
		return put_line(c, cells, 4, "the row failed (its error is above)");
	snprintf(wall, sizeof(wall), "%.3fs", r->wall);
	fmt_rss(r->maxrss_kb, rss, sizeof(rss));
	snprintf(ok, sizeof(ok), "%zu/%zu", r->ok, r->total);
	row_note(c, r, m, note, sizeof(note));
	if (strcmp(c->what, "tasks")) {
		snprintf(f[0], sizeof(f[0]), "%.3fs", r->user);
		snprintf(f[1], sizeof(f[1]), "%.3fs", r->sys);
		snprintf(f[2], sizeof(f[2]), "%.0f%%", r->wall > 0 ? cpu / r->wall * 100.0 : 0.0);
		cells[5] = f[0];
		cells[6] = f[1];
		cells[7] = f[2];
		cells[8] = rss;
		cells[9] = ok;
		return put_line(c, cells, 10, note);
	}
	{
		double ideal = ideal_of(c, r, m);
		bool cut = r->interrupted; /* no ideal to be over */

		snprintf(f[0], sizeof(f[0]), "%.3fs", ideal);
		snprintf(f[1], sizeof(f[1]), "%.1fms", (r->wall - ideal) * 1e3);
		snprintf(f[2], sizeof(f[2]), "%.3fs", cpu);
		snprintf(f[3], sizeof(f[3]), "%.1f%%", ideal > 0 ? (r->wall - ideal) / ideal * 100.0 : 0.0);
		cells[5] = cut ? "-" : f[0];
		cells[6] = cut ? "-" : f[1];
		cells[7] = f[2];
		cells[8] = rss;
		cells[9] = cut ? "-" : f[3];
		cells[10] = ok;
		return put_line(c, cells, 11, note);
	}
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(double), cmp_dbl);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

/*
 * --csv is opened before the first row (a temporary file beside it: a path
 * that cannot be written is found before a long run, exit 2) and renamed
 * over FILE only when every row was written (STYLE 19).
 */
static int csv_begin(const struct cfg *c, struct fo_wfile *w)
{
	int e = fo__wfile_open(w, c->csv, 0644);

	if (e) {
		fprintf(stderr, "fanout: cannot write --csv '%s': %s\n", c->csv, fo_strerror(e));
		return 2;
	}
	return 0;
}

/* Writes every row and commits: 0, or 1 after one line on stderr. */
static int write_csv(const struct cfg *c, struct fo_wfile *w, const struct row *rows, int n)
{
	FILE *f = w->f;
	int i, e;

	fprintf(f, "model,workers,hosts,rtt_ms,jitter_ms,run,wall_s,user_s,sys_s,cpu_pct,maxrss_kb,ok,total,"
		   "threads_started,procs_started,interrupted,failed\n");
	for (i = 0; i < n; i++) {
		const struct row *r = &rows[i];

		fprintf(f, "%s,%d,%zu,%.3f,%.3f,%d,%.6f,%.6f,%.6f,%.1f,%ld,%zu,%zu,%d,%d,%d,%d\n", r->model,
			r->workers, r->hosts, (double)r->rtt / 1e6, (double)c->jitter / 1e6, r->run, r->wall,
			r->user, r->sys, r->wall > 0 ? (r->user + r->sys) / r->wall * 100 : 0, r->maxrss_kb,
			r->ok, r->total, r->threads_started, r->procs_started, r->interrupted, r->failed);
	}
	e = fo__wfile_commit(w, true);
	if (e) {
		fprintf(stderr, "fanout: cannot write --csv '%s': %s\n", c->csv, fo_strerror(e));
		return 1;
	}
	return 0;
}

/* ---- plots (gnuplot), shared with serve_bench.c --------------------------------- */

/* Is there an executable gnuplot on PATH (where execlp will find it)? */
static bool have_gnuplot(void)
{
	const char *path = getenv("PATH"), *p, *colon;
	char def[256], file[4096];

	if (!path) {
		if (!confstr(_CS_PATH, def, sizeof(def)))
			return false;
		path = def;
	}
	for (p = path;; p = colon + 1) {
		size_t len;

		colon = strchr(p, ':');
		len = colon ? (size_t)(colon - p) : strlen(p);
		if (len < sizeof(file) - 16) {
			/* an empty entry is the current directory */
			snprintf(file, sizeof(file), "%.*s/gnuplot", len ? (int)len : 1, len ? p : ".");
			if (access(file, X_OK) == 0)
				return true;
		}
		if (!colon)
			return false;
	}
}

static void say_no_gnuplot(const char *flag, const char *path)
{
	fprintf(stderr, "fanout: cannot draw %s '%s': gnuplot is not installed (apt-get install gnuplot-nox)\n",
		flag, path);
}

int fo_bench_plot_check(const char *path)
{
	return fo_bench_plot_check_as("--plot", path);
}

int fo_bench_plot_check_as(const char *flag, const char *path)
{
	const char *slash = strrchr(path, '/');
	char dir[4096];
	int r;

	if (!have_gnuplot()) {
		say_no_gnuplot(flag, path);
		return 2;
	}
	/* the file if it exists, else the directory it would be made in */
	if (access(path, F_OK) == 0) {
		r = access(path, W_OK);
	} else {
		snprintf(dir, sizeof(dir), "%.*s", slash ? (slash == path ? 1 : (int)(slash - path)) : 1,
			 slash ? path : ".");
		r = access(dir, W_OK);
	}
	if (r < 0) {
		fprintf(stderr, "fanout: cannot write %s '%s': %s\n", flag, path, strerror(errno));
		return 2;
	}
	return 0;
}

static int cmp_x(const void *a, const void *b)
{
	double x = ((const double *)a)[0], y = ((const double *)b)[0];

	return (x > y) - (x < y);
}

/*
 * The script for p: every string in it through fo__gp_quote, and no
 * output file (gnuplot writes the SVG to its stdout), so that no file name
 * ever becomes part of a gnuplot command.
 */
static void gp_script(FILE *gp, const struct fo_plot *p, double *pts)
{
	int i, j;

	fprintf(gp, "set terminal svg size 900,560 dynamic noenhanced font 'sans,12'\nset title ");
	fo__gp_quote(gp, p->title);
	fprintf(gp, "\nset xlabel ");
	fo__gp_quote(gp, p->xlabel);
	fprintf(gp, "\nset ylabel ");
	fo__gp_quote(gp, p->ylabel);
	fprintf(gp, "\nset grid\nset key outside right\n");
	if (p->logx)
		fprintf(gp, "set logscale x\n");
	if (p->logy)
		fprintf(gp, "set logscale y\n");
	else
		fprintf(gp, "set yrange [0:*]\n");
	fprintf(gp, "set offsets graph 0.05, graph 0.05, graph 0.05, graph 0.05\nplot ");
	for (j = 0; j < p->nseries; j++) {
		fprintf(gp, "%s'-' using 1:2 with linespoints pt 7 ps 1 lw 2 title ", j ? ", " : "");
		fo__gp_quote(gp, p->series[j].title);
	}
	fprintf(gp, "\n");
	for (j = 0; j < p->nseries; j++) {
		const struct fo_plot_series *se = &p->series[j];

		for (i = 0; i < se->n; i++) {
			pts[2 * i] = se->x[i];
			pts[2 * i + 1] = se->y[i];
		}
		qsort(pts, (size_t)se->n, 2 * sizeof(double), cmp_x);
		for (i = 0; i < se->n; i++)
			fprintf(gp, "%.10g %.10g\n", pts[2 * i], pts[2 * i + 1]);
		fprintf(gp, "e\n");
	}
}

/* Writes a gnuplot script to f. */
typedef void (*gp_script_fn)(FILE *f, const void *arg);

/* gnuplot with script(arg) on its stdin and its stdout on out_fd: its wait status, or -1. */
static int gp_run(gp_script_fn script, const void *arg, int out_fd)
{
	struct sigaction ign, old;
	int in[2], status = -1;
	pid_t pid;
	FILE *gp;

	if (pipe2(in, O_CLOEXEC) < 0)
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(out_fd, 1);
		execlp("gnuplot", "gnuplot", (char *)NULL);
		fprintf(stderr, "fanout: cannot run gnuplot: %s\n", strerror(errno));
		_exit(127);
	}
	close(in[0]);
	if (pid < 0) {
		close(in[1]);
		return -1;
	}
	/* a gnuplot that dies early must not take us with it */
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &ign, &old);
	gp = fdopen(in[1], "w");
	if (gp) {
		script(gp, arg);
		fclose(gp);
	} else {
		close(in[1]);
	}
	sigaction(SIGPIPE, &old, NULL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return status;
}

/* Does the file at path end an SVG ("</svg>" in its last bytes)? A cut one does not. */
static bool svg_whole(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat sb;
	char tail[65];
	ssize_t n = -1;

	if (fd < 0)
		return false;
	if (fstat(fd, &sb) == 0 && sb.st_size >= 6)
		n = pread(fd, tail, sizeof(tail) - 1, sb.st_size > 64 ? sb.st_size - 64 : 0);
	close(fd);
	if (n <= 0)
		return false;
	tail[n] = 0;
	return strstr(tail, "</svg>") != NULL;
}

/*
 * script(arg)'s SVG into path, whole or not at all (STYLE 19): 0, or 1
 * after one line on stderr.
 */
static int gp_draw(const char *flag, const char *path, gp_script_fn script, const void *arg)
{
	struct fo_wfile w;
	int status, e;

	if (!have_gnuplot()) {
		say_no_gnuplot(flag, path);
		return 1;
	}
	e = fo__wfile_open(&w, path, 0644);
	if (e) {
		fprintf(stderr, "fanout: cannot write %s '%s': %s\n", flag, path, fo_strerror(e));
		return 1;
	}
	status = gp_run(script, arg, w.fd);
	if (status != 0) {
		/* gnuplot said what went wrong just above */
		fprintf(stderr, "fanout: cannot draw %s '%s': gnuplot failed (exit status %d)\n", flag, path,
			status < 0 ? -1 : WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
		fo__wfile_abort(&w);
		return 1;
	}
	/* a path that is a device or FIFO is written in place (w.tmp NULL): it cannot be read back */
	if (w.tmp && !svg_whole(w.tmp)) {
		fprintf(stderr, "fanout: cannot write %s '%s': gnuplot's SVG is cut short (is the disk full?)\n",
			flag, path);
		fo__wfile_abort(&w);
		return 1;
	}
	e = fo__wfile_commit(&w, true);
	if (e) {
		fprintf(stderr, "fanout: cannot write %s '%s': %s\n", flag, path, fo_strerror(e));
		return 1;
	}
	return 0;
}

/* A plot and the room its script sorts points in. */
struct plot_arg {
	const struct fo_plot *p;
	double *pts;
};

static void plot_script(FILE *gp, const void *arg)
{
	const struct plot_arg *a = arg;

	gp_script(gp, a->p, a->pts);
}

int fo_bench_plot(const struct fo_plot *p)
{
	struct plot_arg a = { p, NULL };
	int j, most = 0, r;

	for (j = 0; j < p->nseries; j++)
		if (p->series[j].n > most)
			most = p->series[j].n;
	a.pts = malloc(sizeof(double) * 2 * (size_t)(most ? most : 1));
	if (!a.pts) {
		fprintf(stderr, "fanout: cannot draw --plot '%s': out of memory\n", p->path);
		return 1;
	}
	r = gp_draw("--plot", p->path, plot_script, &a);
	free(a.pts);
	return r;
}

/* A series' points as gnuplot inline data, in the order given. */
static void gp_points(FILE *gp, const struct fo_plot_series *se)
{
	int i;

	for (i = 0; i < se->n; i++)
		fprintf(gp, "%.10g %.10g\n", se->x[i], se->y[i]);
	fprintf(gp, "e\n");
}

/*
 * The panels one above the other on one x axis: the same margins in each
 * (so that their time axes line up), the key outside on the right, the x
 * label under the last panel only. Every string through fo__gp_quote.
 */
static void stack_script(FILE *gp, const void *arg)
{
	const struct fo_plot_stack *p = arg;
	int k, j;

	fprintf(gp, "set terminal svg size 900,%d dynamic noenhanced font 'sans,12'\n", 120 + 260 * p->npanels);
	fprintf(gp, "set multiplot layout %d,1 title ", p->npanels);
	fo__gp_quote(gp, p->title);
	fprintf(gp, "\nset grid\nset key outside right top\nset lmargin 12\nset rmargin at screen 0.74\n");
	fprintf(gp, "set xrange [0:%.10g]\n", p->xmax > 0 ? p->xmax : 1);
	for (k = 0; k < p->npanels; k++) {
		const struct fo_plot_panel *pa = &p->panels[k];

		fprintf(gp, "set title ");
		fo__gp_quote(gp, pa->title);
		fprintf(gp, "\nset ylabel ");
		fo__gp_quote(gp, pa->ylabel);
		fprintf(gp, "\nset xlabel ");
		fo__gp_quote(gp, k == p->npanels - 1 ? p->xlabel : "");
		fprintf(gp, "\nset yrange [0:*]\n");
		if (pa->ny2) {
			fprintf(gp, "set y2label ");
			fo__gp_quote(gp, pa->y2label);
			fprintf(gp, "\nset y2tics\nset y2range [0:*]\n");
		} else {
			fprintf(gp, "unset y2label\nunset y2tics\n");
		}
		fprintf(gp, "plot ");
		for (j = 0; j < pa->nseries; j++) {
			fprintf(gp, "%s'-' using 1:2 with linespoints pt 7 ps 0.6 lw 2 title ", j ? ", " : "");
			fo__gp_quote(gp, pa->series[j].title);
		}
		for (j = 0; j < pa->ny2; j++) {
			fprintf(gp, "%s'-' using 1:2 axes x1y2 with lines ", pa->nseries + j ? ", " : "");
			if (pa->y2[j].lc)
				fprintf(gp, "dt 3 lw 2 lc %d title ", pa->y2[j].lc);
			else
				fprintf(gp, "dt 2 lw 1.5 lc rgb 'gray40' title ");
			fo__gp_quote(gp, pa->y2[j].title);
		}
		fprintf(gp, "\n");
		for (j = 0; j < pa->nseries; j++)
			gp_points(gp, &pa->series[j]);
		for (j = 0; j < pa->ny2; j++)
			gp_points(gp, &pa->y2[j]);
	}
	fprintf(gp, "unset multiplot\n");
}

int fo_bench_plot_stack(const struct fo_plot_stack *p)
{
	return gp_draw(p->flag, p->path, stack_script, p);
}

/*
 * One line per model family and RTT: wall time against workers. Rows cut
 * short by --max-time are left out (their wall time is the cap, not a
 * measurement of the model); rows that failed too.
 */
static void family(const struct row *r, char *buf, size_t len)
{
	const char *colon = strchr(r->model, ':');
	char rtt[32];

	snprintf(buf, len, "%.*s, rtt %s", colon ? (int)(colon - r->model) : (int)strlen(r->model), r->model,
		 fo_duration_format(r->rtt, rtt, sizeof(rtt)));
}

static int write_plot(const struct cfg *c, const struct row *med, int n)
{
	char names[64][64], title[160];
	struct fo_plot_series ser[64];
	struct fo_plot plot;
	double *xy;
	int i, j, nser = 0, off = 0, at[64], r;

	/* the series (a family each), and how many points each has */
	memset(ser, 0, sizeof(ser));
	for (i = 0; i < n; i++) {
		char fam[64];

		if (med[i].failed || med[i].interrupted)
			continue;
		family(&med[i], fam, sizeof(fam));
		for (j = 0; j < nser; j++)
			if (!strcmp(names[j], fam))
				break;
		if (j == nser) {
			if (nser == 64)
				continue;
			snprintf(names[nser], sizeof(names[0]), "%s", fam);
			ser[nser].title = names[nser];
			nser++;
		}
		ser[j].n++;
	}
	if (!nser) {
		fprintf(stderr, "fanout: nothing to plot: every row was cut short or failed\n");
		return 1;
	}
	xy = malloc(sizeof(double) * 2 * (size_t)n);
	if (!xy) {
		fprintf(stderr, "fanout: cannot draw --plot '%s': out of memory\n", c->plot);
		return 1;
	}
	/* series j's points: xy[at..] (workers), xy[n + at..] (wall time) */
	for (j = 0; j < nser; j++) {
		at[j] = off;
		ser[j].x = xy + off;
		ser[j].y = xy + n + off;
		off += ser[j].n;
	}
	for (i = 0; i < n; i++) {
		char fam[64];

		if (med[i].failed || med[i].interrupted)
			continue;
		family(&med[i], fam, sizeof(fam));
		for (j = 0; j < nser; j++)
			if (!strcmp(names[j], fam)) {
				xy[at[j]] = med[i].workers;
				xy[n + at[j]++] = med[i].wall;
				break;
			}
	}
	snprintf(title, sizeof(title), "fanout bench %s: %zu %s, wall time against workers", c->what, med[0].hosts,
		 !strcmp(c->what, "tasks") ? "tasks" : "hosts");
	memset(&plot, 0, sizeof(plot));
	plot.path = c->plot;
	plot.title = title;
	plot.xlabel = "workers (threads, processes, or scheduler threads)";
	plot.ylabel = "wall time (s)";
	plot.logx = plot.logy = true;
	plot.series = ser;
	plot.nseries = nser;
	r = fo_bench_plot(&plot);
	free(xy);
	return r;
}

/* ---- the config ------------------------------------------------------------------ */

/* --demo: 10,000 hosts x 50 ms under every model, cut at 8 s, table and plot. */
static int demo(struct cfg *c)
{
	int r;

	c->hosts[0] = 10000;
	c->nhosts = 1;
	c->rtt[0] = 50 * FO_MSEC;
	c->nrtt = 1;
	c->nmodels = 0;
	c->model_given = true;
	if ((r = parse_models(c, "sequential,threads:100,threads:1000,threads:10000,processes:2")) != 0)
		return r;
	if ((r = parse_models(c, "processes:200,blended:2x5000,loop,coro")) != 0)
		return r;
	if (!c->max_time)
		c->max_time = 8 * FO_SEC;
	if (!c->plot)
		c->plot = "build/bench-rtt.svg";
	if (!c->csv)
		c->csv = "build/bench-rtt.csv";
	return 0;
}

/* What the config leaves out: the defaults, and --workers for models given without a count. */
static void fill_in(struct cfg *c)
{
	int mi;

	if (!c->nhosts)
		c->hosts[c->nhosts++] = !strcmp(c->what, "tasks") ? 1000 : 10000;
	if (!c->nrtt)
		c->rtt[c->nrtt++] = !strcmp(c->what, "tasks") ? FO_SEC : 50 * FO_MSEC;
	if (c->runs < 1)
		c->runs = 1;
	if (!c->nmodels) {
		c->models[0] = fo_model_default();
		fo_model_format(&c->models[0], c->model_text[0], sizeof(c->model_text[0]));
		c->nmodels = 1;
	}
	for (mi = 0; mi < c->nmodels && c->workers; mi++) {
		struct fo_model *m = &c->models[mi];

		if (!strchr(c->model_text[mi], ':') && m->kind == FO_MODEL_THREADS)
			m->threads = c->workers;
		if (!strchr(c->model_text[mi], ':') && m->kind == FO_MODEL_PROCESSES)
			m->procs = c->workers;
		fo_model_format(m, c->model_text[mi], sizeof(c->model_text[0]));
	}
}

/* The command line's config into the experiment's: 0, or exit code 2 (a bad --model). */
static int bench_init(struct cfg *c, const struct fo_bench_cfg *cfg)
{
	int i, r;

	memset(c, 0, sizeof(*c));
	c->what = cfg->tasks ? "tasks" : "rtt";
	for (i = 0; i < cfg->hosts.n && i < MAX_LIST; i++)
		c->hosts[c->nhosts++] = (size_t)cfg->hosts.v[i];
	for (i = 0; i < cfg->rtt.n && i < MAX_LIST; i++)
		c->rtt[c->nrtt++] = cfg->rtt.v[i];
	c->jitter = cfg->jitter;
	c->workers = (int)cfg->workers;
	c->runs = (int)cfg->runs;
	c->timeout = cfg->timeout;
	c->max_time = cfg->max_time;
	c->csv = cfg->csv;
	c->plot = cfg->plot;
	c->row = cfg->row;
	c->quiet = cfg->quiet;
	for (i = 0; i < (int)cfg->models.n; i++) {
		c->model_given = true;
		if ((r = parse_models(c, cfg->models.v[i])) != 0)
			return r;
	}
	if (cfg->demo && (r = demo(c)) != 0)
		return r;
	fill_in(c);
	return 0;
}

/* ---- running ---------------------------------------------------------------------- */

/* A child of a sweep: one run, the figures on fd 3. */
static int run_row_child(const struct cfg *c)
{
	struct row one;
	FILE *f;
	int r;

	memset(&one, 0, sizeof(one));
	snprintf(one.model, sizeof(one.model), "%s", c->model_text[0]);
	r = run_here(c, &c->models[0], c->hosts[0], c->rtt[0], &one);
	if (r)
		return r;
	f = fdopen(3, "w");
	if (f) {
		fprintf(f, "ROW %zu %zu %d %d %d %ld %d %s\n", one.ok, one.total, one.threads_started,
			one.threads_wanted, one.procs_started, one.maxrss_kb, one.interrupted, one.poller);
		fclose(f);
	}
	return 0;
}

/* The default model once, here, so that the whole process can be timed. */
static int run_in_process(const struct cfg *c)
{
	struct row one;
	int r;

	memset(&one, 0, sizeof(one));
	snprintf(one.model, sizeof(one.model), "%s", c->model_text[0]);
	one.workers = fo_model_workers(&c->models[0]);
	one.hosts = c->hosts[0];
	one.rtt = c->rtt[0];
	r = run_here(c, &c->models[0], c->hosts[0], c->rtt[0], &one);
	if (r)
		return r;
	if ((!c->quiet && print_header(c)) || print_row(c, &one, &c->models[0]))
		return 1;
	printf("ok=%zu/%zu", one.ok, one.total);
	for (int st = 1; st < FO_STATUS_COUNT; st++)
		if (one.count[st])
			printf(" %s=%zu", fo_status_name((enum fo_status)st), one.count[st]);
	printf(" poller=%s\n", one.poller);
	if (one.interrupted && !max_time_hit)
		return 130;
	return one.ok == one.total || max_time_hit ? 0 : 1;
}

/* What a sweep keeps: every run, and a row of medians per model, hosts and rtt. */
struct sweep {
	struct row *rows, *med;
	int nrows, nmed;
};

/* The runs of model mi at hosts hi and rtt ri, each in a child; their
 * medians printed. Returns 1 when the row failed or lost results. */
static int sweep_row(const struct cfg *c, struct sweep *sw, int mi, int hi, int ri)
{
	double walls[1000], users[1000], syss[1000];
	struct row *m = &sw->med[sw->nmed];
	int k, first = sw->nrows, n, unprinted;

	for (k = 0; k < c->runs && !fo_interrupted(); k++) {
		struct row *x = &sw->rows[sw->nrows++];

		snprintf(x->model, sizeof(x->model), "%s", c->model_text[mi]);
		x->workers = fo_model_workers(&c->models[mi]);
		x->hosts = c->hosts[hi];
		x->rtt = c->rtt[ri];
		x->run = k + 1;
		if (run_child(c, mi, c->hosts[hi], c->rtt[ri], x) < 0)
			x->failed = true;
		walls[k] = x->wall;
		users[k] = x->user;
		syss[k] = x->sys;
	}
	if ((n = sw->nrows - first) == 0)
		return 0;
	*m = sw->rows[first];
	m->wall = median(walls, n);
	m->user = median(users, n);
	m->sys = median(syss, n);
	for (k = first; k < sw->nrows; k++) {
		if (sw->rows[k].maxrss_kb > m->maxrss_kb)
			m->maxrss_kb = sw->rows[k].maxrss_kb;
		m->failed |= sw->rows[k].failed;
		if (sw->rows[k].ok < m->ok)
			m->ok = sw->rows[k].ok;
	}
	unprinted = print_row(c, m, &c->models[mi]);
	sw->nmed++;
	/* rows cut short by --max-time are the point of a demo, not failures; rows that broke are */
	return unprinted || m->failed || (m->ok != m->total && !m->interrupted);
}

/* After the rows: the CSV, the plot, and whether it was interrupted. */
static int sweep_end(const struct cfg *c, struct sweep *sw, struct fo_wfile *csv, int ret)
{
	if (c->csv && !sw->nrows && fo_interrupted()) {
		/* no run to write: an earlier sweep's file stays as it was */
		fo__wfile_abort(csv);
		printf("# interrupted before any run: --csv '%s' left as it was\n", c->csv);
	} else if (c->csv && write_csv(c, csv, sw->rows, sw->nrows) == 0)
		printf("# every run: %s\n", c->csv);
	else if (c->csv)
		ret = 1;
	if (c->plot && sw->nmed) {
		if (write_plot(c, sw->med, sw->nmed) == 0)
			printf("# plot: %s\n", c->plot);
		else
			ret = 1;
	}
	if (fo_interrupted()) {
		printf("# interrupted: %d of %d rows done\n", sw->nmed, c->nrtt * c->nmodels * c->nhosts);
		ret = 130;
	}
	return ret;
}

/* Every row in a child of its own: the exit code. */
static int run_sweep(const struct cfg *c)
{
	struct sweep sw = { NULL, NULL, 0, 0 };
	struct fo_wfile csv;
	int ri, hi, mi, ret = 0;

	sw.rows = calloc((size_t)(c->nrtt * c->nmodels * c->nhosts * c->runs), sizeof(*sw.rows));
	sw.med = calloc((size_t)(c->nrtt * c->nmodels * c->nhosts), sizeof(*sw.med));
	if (!sw.rows || !sw.med || (c->csv && csv_begin(c, &csv) != 0)) {
		if (!sw.rows || !sw.med)
			fprintf(stderr, "fanout: out of memory\n");
		ret = !sw.rows || !sw.med ? 1 : 2;
		goto out;
	}
	printf("# fanout bench %s: %d core(s), poller %s%s\n", c->what, ncores(), fo_poller_name(),
	       c->runs > 1 ? ", medians of the runs" : "");
	ret = print_header(c);
	for (ri = 0; ri < c->nrtt && !fo_interrupted(); ri++)
		for (hi = 0; hi < c->nhosts && !fo_interrupted(); hi++)
			for (mi = 0; mi < c->nmodels && !fo_interrupted(); mi++)
				ret |= sweep_row(c, &sw, mi, hi, ri);
	ret = sweep_end(c, &sw, &csv, ret);
out:
	free(sw.rows);
	free(sw.med);
	return ret;
}

int fo_bench_run(const struct fo_bench_cfg *cfg)
{
	struct cfg c;
	int r;

	if ((r = bench_init(&c, cfg)) != 0)
		return r;
	fo_raise_nofile();
	fo__bench_catch_int();
	if (c.row)
		return run_row_child(&c);
	if (!c.model_given && c.nrtt == 1 && c.nhosts == 1 && c.runs == 1 && !c.csv && !c.plot)
		return run_in_process(&c);
	return run_sweep(&c);
}

/* ---- the command ------------------------------------------------------------------- */

static const struct fo_opts *const experiments[] = { &fo_bench_rtt_opts, &fo_bench_tasks_opts,
						     &fo_bench_serve_opts };

/* `fanout bench` alone or with --help: the experiments; each has its own --help. */
static void usage(FILE *f)
{
	size_t i;

	for (i = 0; i < 3; i++)
		fprintf(f, "%s fanout %s %s\n", i ? "      " : "usage:", experiments[i]->cmd,
			experiments[i]->synopsis);
	fputc('\n', f);
	for (i = 0; i < 3; i++)
		fprintf(f, "%-6s %s\n", experiments[i]->cmd + strlen("bench "), experiments[i]->about);
	fputs("\nThe flags of each: fanout bench rtt --help, and so on.\n", f);
}

/* `fanout bench rtt|tasks [options]` */
static int rtt_main(bool tasks, int argc, char **argv)
{
	const struct fo_opts *t = tasks ? &fo_bench_tasks_opts : &fo_bench_rtt_opts;
	struct fo_bench_cfg cfg;
	struct fo_optres res;
	int r;

	memset(&cfg, 0, sizeof(cfg));
	r = fo_opts_parse(t, &cfg, argc, argv, &res);
	cfg.tasks = tasks;
	if (!r)
		r = fo_bench_run(&cfg);
	else
		r = r == FO_OPTS_HELP ? 0 : 2;
	fo_opts_release(t, &cfg, &res);
	return r;
}

int fo_bench_main(int argc, char **argv)
{
	if (argc >= 1 && !strcmp(argv[0], "serve"))
		return fo_bench_serve_main(argc - 1, argv + 1);
	if (argc >= 1 && (!strcmp(argv[0], "rtt") || !strcmp(argv[0], "tasks")))
		return rtt_main(!strcmp(argv[0], "tasks"), argc - 1, argv + 1);
	if (argc >= 1 && (!strcmp(argv[0], "-h") || !strcmp(argv[0], "--help"))) {
		usage(stdout);
		return 0;
	}
	if (argc >= 1)
		fprintf(stderr, "fanout: unknown experiment '%s': expected rtt, tasks or serve\n", argv[0]);
	else
		usage(stderr);
	return 2;
}
