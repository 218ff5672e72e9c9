/*
 * The `fanout` command end to end: every test runs the real binary
 * ($FANOUT_BIN, default build/fanout) and checks its exit code, what it
 * printed and the files it wrote. Bad input (one line on stderr, exit 2),
 * the in-process run and sweeps under every model, --max-time, --csv,
 * --plot, Ctrl-C (in process and to a sweep's process group), SIGTERM to a
 * sweep's parent alone, thread limits under RLIMIT_AS, `bench tasks` and
 * the help texts. The invariant checked throughout: every host has a
 * result, so a row's total always equals its host count.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../src/cli/cli.h"
#include "proc.h"
#include "test.h"

/* ---- helpers ---------------------------------------------------------------- */

static const char *bin(void)
{
	const char *b = getenv("FANOUT_BIN");

	return b && *b ? b : "build/fanout";
}






static int count_char(const char *s, char c)
{
	int n = 0;

	for (; s && *s; s++)
		n += *s == c;
	return n;
}

/* Temporary files go when the test ends, passed or failed (CHECK exits). */
static char tmp_paths[4][64];
static int ntmp;

static void tmp_cleanup(void)
{
	while (ntmp > 0)
		unlink(tmp_paths[--ntmp]);
}

/* A temporary file name under /tmp ending in suffix; the file exists (empty). */
static char *tmp_path(const char *suffix)
{
	char *p = malloc(64);
	int fd;

	CHECK(p != NULL && ntmp < 4);
	snprintf(p, 64, "/tmp/fanout-cli-XXXXXX%s", suffix);
	fd = mkstemps(p, (int)strlen(suffix));
	CHECK(fd >= 0);
	close(fd);
	if (!ntmp)
		atexit(tmp_cleanup);
	snprintf(tmp_paths[ntmp++], sizeof(tmp_paths[0]), "%s", p);
	return p;
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	size_t len = 0, cap = 4096, r;
	char *b;

	if (!f)
		return NULL;
	b = malloc(cap);
	CHECK(b != NULL);
	while ((r = fread(b + len, 1, cap - len - 1, f)) > 0) {
		len += r;
		if (cap - len < 1024) {
			cap *= 2;
			b = realloc(b, cap);
			CHECK(b != NULL);
		}
	}
	b[len] = 0;
	fclose(f);
	return b;
}

/*
 * The line of out that starts with prefix followed by a blank, '=' or ':'
 * (a table row starts with its model; "coro" finds "coro:2"), copied into
 * buf; NULL when there is none.
 */
static char *find_line(const char *out, const char *prefix, char *buf, size_t len)
{
	const char *p = out;
	size_t pl = strlen(prefix);

	while (p && *p) {
		const char *e = strchr(p, '\n');
		size_t ll = e ? (size_t)(e - p) : strlen(p);

		if (ll > pl && !strncmp(p, prefix, pl) && (p[pl] == ' ' || p[pl] == '=' || p[pl] == ':')) {
			snprintf(buf, len, "%.*s", (int)ll, p);
			return buf;
		}
		if (ll == pl && !strncmp(p, prefix, pl)) {
			snprintf(buf, len, "%.*s", (int)ll, p);
			return buf;
		}
		p = e ? e + 1 : NULL;
	}
	return NULL;
}

/* The first "N/M" token (digits, slash, digits) of a line. */
static bool ok_total(const char *line, size_t *ok, size_t *total)
{
	const char *p;

	for (p = line; p && *p; p++) {
		int n = 0;

		if (!isdigit((unsigned char)*p) || (p > line && p[-1] != ' ' && p[-1] != '='))
			continue;
		if (sscanf(p, "%zu/%zu%n", ok, total, &n) == 2 && n > 0 &&
		    (p[n] == 0 || p[n] == ' ' || p[n] == '\n') && strchr(p, '/') < p + n)
			return true;
	}
	return false;
}

/* The row of model in out, which must be there, with its ok and total. */
static void row_of(const char *out, const char *model, char *buf, size_t len, size_t *ok, size_t *total)
{
	if (!find_line(out, model, buf, len)) {
		fprintf(stderr, "no row for model '%s' in:\n%s\n", model, out ? out : "(null)");
		exit(1);
	}
	if (!ok_total(buf, ok, total)) {
		fprintf(stderr, "no ok/total in row '%s'\n", buf);
		exit(1);
	}
}

/* Sum of "name=N" counts on a line (0 when name is absent). */
static size_t count_of(const char *line, const char *name)
{
	char key[32];
	const char *p;
	size_t v = 0;

	snprintf(key, sizeof(key), " %s=", name);
	p = strstr(line, key);
	if (p && sscanf(p + strlen(key), "%zu", &v) != 1)
		v = 0;
	return v;
}

/*
 * A fanout process of our own: in a process group of its own (so that a
 * Ctrl-C can be sent to the whole group as a terminal would), with its
 * stdout and stderr on pipes, and optionally an address-space limit.
 */
struct proc {
	pid_t pid;
	int out_fd, err_fd;
	char *out, *err;
	size_t out_len, err_len;
	int status;       /* exit code, 128+sig when killed, -1 when timed out */
	bool exited;      /* ended by exit(), not by a signal */
};

static void spawn(struct proc *p, rlim_t as_limit, const char *const *args)
{
	const char *argv[64];
	int po[2], pe[2], n = 0;

	memset(p, 0, sizeof(*p));
	argv[n++] = bin();
	while (*args && n < 63)
		argv[n++] = *args++;
	argv[n] = NULL;
	CHECK(pipe2(po, O_CLOEXEC) == 0);
	CHECK(pipe2(pe, O_CLOEXEC) == 0);
	fflush(NULL);
	p->pid = fork();
	CHECK(p->pid >= 0);
	if (p->pid == 0) {
		setpgid(0, 0);
		if (as_limit) {
			struct rlimit rl = { as_limit, as_limit };

			if (setrlimit(RLIMIT_AS, &rl) < 0)
				_exit(126);
		}
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		dup2(po[1], 1);
		dup2(pe[1], 2);
		execv(argv[0], (char **)argv);
		_exit(127);
	}
	setpgid(p->pid, p->pid); /* no race with the signal we send later */
	close(po[1]);
	close(pe[1]);
	p->out_fd = po[0];
	p->err_fd = pe[0];
	p->out = calloc(1, 1);
	p->err = calloc(1, 1);
	CHECK(p->out && p->err);
}

static void append(char **buf, size_t *len, const char *data, size_t n)
{
	char *b = realloc(*buf, *len + n + 1);

	CHECK(b != NULL);
	memcpy(b + *len, data, n);
	*len += n;
	b[*len] = 0;
	*buf = b;
}

/*
 * Reads the process's output until it closes both pipes and reaps it, for
 * at most limit_ms; past that kills the whole group and returns false.
 */
static bool finish(struct proc *p, long long limit_ms)
{
	long long end = fo_test_now_ms() + limit_ms;
	bool timed_out = false;
	int st = 0;

	while (p->out_fd >= 0 || p->err_fd >= 0) {
		struct pollfd pf[2];
		int n = 0, r, k;
		long long left = end - fo_test_now_ms();

		if (left <= 0) {
			timed_out = true;
			break;
		}
		if (p->out_fd >= 0) {
			pf[n].fd = p->out_fd;
			pf[n++].events = POLLIN;
		}
		if (p->err_fd >= 0) {
			pf[n].fd = p->err_fd;
			pf[n++].events = POLLIN;
		}
		r = poll(pf, (nfds_t)n, (int)(left > 1000 ? 1000 : left));
		if (r < 0 && errno != EINTR)
			break;
		for (k = 0; r > 0 && k < n; k++) {
			char buf[4096];
			ssize_t got;

			if (!pf[k].revents)
				continue;
			got = read(pf[k].fd, buf, sizeof(buf));
			if (got > 0) {
				if (pf[k].fd == p->out_fd)
					append(&p->out, &p->out_len, buf, (size_t)got);
				else
					append(&p->err, &p->err_len, buf, (size_t)got);
			} else if (got == 0 || errno != EINTR) {
				close(pf[k].fd);
				if (pf[k].fd == p->out_fd)
					p->out_fd = -1;
				else
					p->err_fd = -1;
			}
		}
	}
	/* the pipes may close before the process ends: give it the rest */
	while (!timed_out) {
		pid_t w = waitpid(p->pid, &st, WNOHANG);

		if (w == p->pid)
			break;
		if (w < 0 && errno != EINTR) {
			timed_out = true;
			break;
		}
		if (fo_test_now_ms() >= end) {
			timed_out = true;
			break;
		}
		fo_test_sleep_ms(10);
	}
	if (timed_out) {
		kill(-p->pid, SIGKILL);
		kill(p->pid, SIGKILL);
		waitpid(p->pid, &st, 0);
		p->status = -1;
		if (p->out_fd >= 0)
			close(p->out_fd);
		if (p->err_fd >= 0)
			close(p->err_fd);
		p->out_fd = p->err_fd = -1;
		fprintf(stderr, "fanout did not end within %lld ms; output so far:\n%s\n%s\n", limit_ms, p->out,
			p->err);
		return false;
	}
	p->exited = WIFEXITED(st);
	p->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	return true;
}

static void proc_free(struct proc *p)
{
	free(p->out);
	free(p->err);
}

/* ---- 1. bad input: exit 2, one line on stderr naming the flag, no stdout -------- */

/*
 * Runs fanout with args (at most 6) and checks the usage error: exit 2,
 * nothing on stdout, exactly one line on stderr that contains every needle.
 */
static void bad_input(const char *const args[7], const char *const needles[4])
{
	char *out = NULL, *err = NULL;
	int rc, i;

	rc = fo_test_cli(&out, &err, args[0], args[1], args[2], args[3], args[4], args[5], args[6], NULL);
	if (rc != 2 || !out || *out || !err || count_char(err, '\n') != 1 || err[strlen(err) - 1] != '\n') {
		fprintf(stderr, "fanout");
		for (i = 0; i < 7 && args[i]; i++)
			fprintf(stderr, " %s", args[i]);
		fprintf(stderr, ": exit %d (want 2)\nstdout (want empty): [%s]\nstderr (want one line): [%s]\n",
			rc, out ? out : "(null)", err ? err : "(null)");
		exit(1);
	}
	CHECK(!strncmp(err, "fanout: ", 8));
	for (i = 0; i < 4 && needles[i]; i++)
		CHECK_HAS(err, needles[i]);
	free(out);
	free(err);
}

#define ARGS(...) ((const char *const[7]){ __VA_ARGS__ })
#define NEEDLES(...) ((const char *const[4]){ __VA_ARGS__ })

TEST_T(cli_bad_hosts, 30)
{
	bad_input(ARGS("bench", "rtt", "--hosts", "-1"), NEEDLES("--hosts", "'-1'", "positive integer"));
	bad_input(ARGS("bench", "rtt", "--hosts", "0"), NEEDLES("--hosts", "'0'", "positive integer"));
	bad_input(ARGS("bench", "rtt", "--hosts", "abc"), NEEDLES("--hosts", "'abc'", "positive integer"));
	bad_input(ARGS("bench", "rtt", "--hosts", "10x"), NEEDLES("--hosts", "'10x'", "positive integer"));
	bad_input(ARGS("bench", "rtt", "--hosts", "100,abc"), NEEDLES("--hosts", "'100,abc'", "100,1000"));
	bad_input(ARGS("bench", "rtt", "--hosts", "99999999999999999999999"),
		  NEEDLES("--hosts", "'99999999999999999999999'", "positive integer"));
	bad_input(ARGS("bench", "rtt", "--hosts", ""), NEEDLES("--hosts", "''", "positive integer"));
	bad_input(ARGS("bench", "tasks", "--tasks", "-5"), NEEDLES("--tasks", "'-5'", "positive integer"));
}

TEST_T(cli_bad_durations, 30)
{
	bad_input(ARGS("bench", "rtt", "--rtt", "5parsecs"), NEEDLES("--rtt", "'5parsecs'", "50ms", "2.5s"));
	bad_input(ARGS("bench", "rtt", "--rtt", "-5ms"), NEEDLES("--rtt", "'-5ms'", "50ms"));
	bad_input(ARGS("bench", "rtt", "--rtt", "ms"), NEEDLES("--rtt", "'ms'", "50ms"));
	bad_input(ARGS("bench", "rtt", "--rtt", "1.s"), NEEDLES("--rtt", "'1.s'", "50ms"));
	bad_input(ARGS("bench", "rtt", "--max-time", "0"), NEEDLES("--max-time", "'0'", "50ms"));
	bad_input(ARGS("bench", "rtt", "--timeout", "soon"), NEEDLES("--timeout", "'soon'", "50ms"));
	bad_input(ARGS("bench", "tasks", "--duration", "1y"), NEEDLES("--duration", "'1y'", "50ms"));
}

/*
 * Flags that take one duration, given a list: a usage error, and nothing
 * written past the one value (ASan sees it when something is).
 */
TEST_T(cli_bad_list_for_single_duration, 30)
{
	static const char *const flags[] = { "--max-time", "--timeout", "--jitter" };
	char long_list[32 * 4 + 1] = "";
	size_t i;

	for (i = 0; i < 32; i++)
		strcat(long_list, i ? ",1s" : "1s");
	for (i = 0; i < 3; i++) {
		char quoted[160];

		bad_input(ARGS("bench", "rtt", flags[i], "1s,2s"), NEEDLES(flags[i], "'1s,2s'", "one duration"));
		snprintf(quoted, sizeof(quoted), "'%s'", long_list);
		bad_input(ARGS("bench", "rtt", flags[i], long_list), NEEDLES(flags[i], quoted, "one duration"));
	}
}

TEST_T(cli_bad_model, 30)
{
	bad_input(ARGS("bench", "rtt", "--model", "bogus"),
		  NEEDLES("--model", "'bogus'", "threads:N", "coro"));
	bad_input(ARGS("bench", "rtt", "--model", "threads:0"), NEEDLES("--model", "'threads:0'", "threads:N"));
	bad_input(ARGS("bench", "rtt", "--model", "threads:-3"), NEEDLES("--model", "'threads:-3'", "threads:N"));
	bad_input(ARGS("bench", "rtt", "--model", "coro:x"), NEEDLES("--model", "'coro:x'", "coro:N"));
	bad_input(ARGS("bench", "rtt", "--model", "blended:4"), NEEDLES("--model", "'blended:4'", "blended:PxT"));
	bad_input(ARGS("bench", "rtt", "--model", "loop:3"), NEEDLES("--model", "'loop:3'", "loop"));
	bad_input(ARGS("bench", "rtt", "--model", "loop,bogus"), NEEDLES("--model", "'bogus'", "sequential"));
	bad_input(ARGS("bench", "rtt", "--model", ""), NEEDLES("--model", "''", "sequential"));
}

TEST_T(cli_bad_workers_and_runs, 30)
{
	bad_input(ARGS("bench", "rtt", "--workers", "0"), NEEDLES("--workers", "'0'", "positive integer"));
	bad_input(ARGS("bench", "rtt", "--workers", "-1"), NEEDLES("--workers", "'-1'", "positive integer"));
	bad_input(ARGS("bench", "rtt", "--workers", "lots"), NEEDLES("--workers", "'lots'", "positive integer"));
	bad_input(ARGS("bench", "rtt", "--runs", "0"), NEEDLES("--runs", "'0'", "positive integer"));
	bad_input(ARGS("bench", "rtt", "--runs", "2x"), NEEDLES("--runs", "'2x'", "positive integer"));
}

TEST_T(cli_unknown_option_and_missing_value, 30)
{
	bad_input(ARGS("bench", "rtt", "--frobnicate"), NEEDLES("'--frobnicate'", "bench rtt", "--help"));
	bad_input(ARGS("bench", "tasks", "--hosts", "10", "-x"), NEEDLES("'-x'", "bench tasks", "--help"));
	bad_input(ARGS("bench", "rtt", "--hosts"), NEEDLES("--hosts", "needs a value"));
	bad_input(ARGS("bench", "rtt", "--hosts", "10", "--model"), NEEDLES("--model", "needs a value"));
}

TEST_T(cli_unknown_command_and_experiment, 30)
{
	bad_input(ARGS("bench", "nosuch"), NEEDLES("'nosuch'", "rtt", "tasks"));
	bad_input(ARGS("nosuch"), NEEDLES("'nosuch'", "--help"));
	bad_input(ARGS("--nosuch"), NEEDLES("'--nosuch'", "--help"));
}

/* The environment's overrides are input too: a value that does not parse
 * stops every command with one line naming it, for fanout and for the
 * tools' binary, before any work. */
TEST_T(cli_bad_environment, 30)
{
	static const char *const vars[][4] = {
		{ "FANOUT_POLLER", "uring", "'uring'", "epoll or io_uring" },
		{ "FANOUT_STACK_SIZE", "12", "'12'", "at least 16k" },
		{ "FANOUT_STACK_SIZE", "1q", "'1q'", "N, Nk or Nm" },
		{ "FANOUT_RECV_BUFS", "-3", "'-3'", "whole number" },
		{ "FANOUT_RECV_BUFS", "many", "'many'", "whole number" },
		{ "FANOUT_STACK_SIZE", " 512k", "' 512k'", "N, Nk or Nm" },
	};
	size_t i;

	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		CHECK_EQ(setenv(vars[i][0], vars[i][1], 1), 0);
		bad_input(ARGS("version"), NEEDLES(vars[i][0], vars[i][2], vars[i][3]));
		bad_input(ARGS("bench", "rtt", "--hosts", "1"), NEEDLES(vars[i][0], vars[i][2]));
		bad_input(ARGS("run", "--help"), NEEDLES(vars[i][0], vars[i][2]));
		{
			/* the tools' binary on its own, as `fanout run` execs it */
			char tools[4096], *out = NULL;
			const char *argv[] = { tools, "run", "--help", NULL };

			snprintf(tools, sizeof(tools), "%s-tools", fo_test_bin());
			CHECK_EQ(fo_test_run(&out, 30, argv), 2);
			CHECK_HAS(out, vars[i][0]);
			CHECK_LACKS(out, "Usage");
			free(out);
		}
		CHECK_EQ(unsetenv(vars[i][0]), 0);
	}
	/* help asks for no run: it is given whatever the environment */
	CHECK_EQ(setenv("FANOUT_POLLER", "uring", 1), 0);
	{
		char *out = NULL, *err = NULL;

		CHECK_EQ(fo_test_cli(&out, &err, "--help", NULL), 0);
		free(out);
		free(err);
	}
	CHECK_EQ(unsetenv("FANOUT_POLLER"), 0);
	/* the empty string is unset */
	CHECK_EQ(setenv("FANOUT_POLLER", "", 1), 0);
	CHECK_EQ(setenv("FANOUT_STACK_SIZE", "", 1), 0);
	CHECK_EQ(setenv("FANOUT_RECV_BUFS", "", 1), 0);
	{
		char *out = NULL, *err = NULL;

		CHECK_EQ(fo_test_cli(&out, &err, "version", NULL), 0);
		free(out);
		free(err);
	}
	/* valid values pass */
	CHECK_EQ(setenv("FANOUT_POLLER", "epoll", 1), 0);
	CHECK_EQ(setenv("FANOUT_STACK_SIZE", "512k", 1), 0);
	CHECK_EQ(setenv("FANOUT_RECV_BUFS", "0", 1), 0);
	{
		char *out = NULL, *err = NULL;

		CHECK_EQ(fo_test_cli(&out, &err, "version", NULL), 0);
		CHECK_HAS(out, "poller epoll");
		free(out);
		free(err);
	}
	CHECK_EQ(unsetenv("FANOUT_POLLER"), 0);
	CHECK_EQ(unsetenv("FANOUT_STACK_SIZE"), 0);
	CHECK_EQ(unsetenv("FANOUT_RECV_BUFS"), 0);
}

/* ---- 9. help and usage ------------------------------------------------------------- */

TEST_T(cli_help_and_usage, 30)
{
	char *out = NULL, *err = NULL;

	CHECK_EQ(fo_test_cli(&out, &err, "--help", NULL), 0);
	CHECK_HAS(out, "usage: fanout");
	CHECK_HAS(out, "bench rtt");
	CHECK_HAS(out, "bench tasks");
	CHECK_STR(err, "");
	free(out);
	free(err);

	/* no command: the usage on stderr, exit 2, stdout clean */
	CHECK_EQ(fo_test_cli(&out, &err, (const char *)NULL, NULL), 2);
	CHECK_STR(out, "");
	CHECK_HAS(err, "usage: fanout");
	free(out);
	free(err);

	CHECK_EQ(fo_test_cli(&out, &err, "bench", "rtt", "--help", NULL), 0);
	CHECK_HAS(out, "--model");
	CHECK_HAS(out, "--hosts");
	CHECK_HAS(out, "--max-time");
	CHECK_STR(err, "");
	free(out);
	free(err);

	/* --help wins even after other flags, and runs nothing */
	CHECK_EQ(fo_test_cli(&out, &err, "bench", "tasks", "--tasks", "5", "-h", NULL), 0);
	CHECK_HAS(out, "--model");
	CHECK_LACKS(out, "ok/total ");
	free(out);
	free(err);

	CHECK_EQ(fo_test_cli(&out, &err, "bench", "--help", NULL), 0);
	CHECK_HAS(out, "usage: fanout bench");
	free(out);
	free(err);

	/* `fanout bench` alone: usage on stderr, exit 2 */
	CHECK_EQ(fo_test_cli(&out, &err, "bench", NULL), 2);
	CHECK_STR(out, "");
	CHECK_HAS(err, "usage: fanout bench");
	free(out);
	free(err);

	CHECK_EQ(fo_test_cli(&out, &err, "version", NULL), 0);
	CHECK(!strncmp(out, "fanout ", 7));
	CHECK_HAS(out, "poller");
	CHECK_EQ(count_char(out, '\n'), 1);
	free(out);
	free(err);
}

/* ---- 2. the default model, in process ---------------------------------------------- */

TEST_T(cli_rtt_in_process, 30)
{
	char *out = NULL, *err = NULL, line[512];
	size_t ok, total;

	CHECK_EQ(fo_test_cli(&out, &err, "bench", "rtt", "--hosts", "200", "--rtt", "20ms", NULL), 0);
	CHECK_STR(err, "");
	/* header, one row, the ok= line */
	CHECK_EQ(count_char(out, '\n'), 3);
	CHECK(find_line(out, "model", line, sizeof(line)));
	CHECK_HAS(line, "workers");
	CHECK_HAS(line, "hosts");
	CHECK_HAS(line, "wall");
	CHECK_HAS(line, "maxrss");
	CHECK_HAS(line, "ok/total");
	row_of(out, "coro", line, sizeof(line), &ok, &total); /* coro:N, N = cores */
	CHECK_HAS(line, "200/200");
	CHECK_HAS(line, " 20ms ");
	CHECK_LACKS(line, "stopped");
	CHECK_LACKS(line, "failed");
	CHECK(find_line(out, "ok", line, sizeof(line)));
	CHECK(!strncmp(line, "ok=200/200 poller=", 18));
	CHECK(fo_test_has(line, "poller=io_uring") || fo_test_has(line, "poller=epoll"));
	free(out);
	free(err);
}

/*
 * Regression: with several scheduler threads and hosts that end at
 * different times (jitter), every host still has a result, in every run.
 * (A scheduler thread the caller did not wait for lost its results.)
 */
TEST_T(cli_rtt_every_host_accounted_coro_threads, 30)
{
	/* sanitizers make 20,000 coroutines slow, not the race more likely */
	const char *hosts = *fo_test_san() ? "2000" : "20000";
	size_t want = (size_t)atol(hosts);
	char *out = NULL, *err = NULL, *csv = tmp_path(".csv"), *text, *p;
	int rc, rows = 0;

	rc = fo_test_cli(&out, &err, "bench", "rtt", "--hosts", hosts, "--rtt", "50ms", "--jitter", "100ms",
			 "--model", "coro:4,coro:2", "--runs", "3", "--csv", csv, NULL);
	if (rc != 0)
		fprintf(stderr, "stdout:\n%s\nstderr:\n%s\n", out, err);
	CHECK_EQ(rc, 0);
	text = read_file(csv);
	CHECK(text != NULL);
	p = strchr(text, '\n');
	CHECK(p != NULL);
	for (p = p + 1; *p; p = strchr(p, '\n') + 1) {
		char model[48];
		size_t ok = 0, total = 0;

		/* model,workers,hosts,rtt_ms,jitter_ms,run,wall_s,user_s,sys_s,cpu_pct,maxrss_kb,ok,total,... */
		CHECK_EQ(sscanf(p, "%47[^,],%*d,%*u,%*f,%*f,%*d,%*f,%*f,%*f,%*f,%*d,%zu,%zu", model, &ok, &total), 3);
		if (ok != want || total != want)
			fprintf(stderr, "run of %s: %zu/%zu\n", model, ok, total);
		CHECK_EQ(total, want);
		CHECK_EQ(ok, want);
		rows++;
		if (!strchr(p, '\n'))
			break;
	}
	CHECK_EQ(rows, 6);
	unlink(csv);
	free(csv);
	free(text);
	free(out);
	free(err);
}

/* ---- 3. a sweep under every model, with --csv ------------------------------------------ */

static const char *const sweep_models[] = { "sequential", "threads:10", "processes:2", "blended:2x5", "loop",
					    "coro:2" };

/* Index of column name in a CSV header line, or -1. */
static int csv_col(const char *header, const char *name)
{
	const char *p = header;
	size_t nl = strlen(name);
	int i = 0;

	while (*p && *p != '\n') {
		if (!strncmp(p, name, nl) && (p[nl] == ',' || p[nl] == '\n' || !p[nl]))
			return i;
		while (*p && *p != ',' && *p != '\n')
			p++;
		if (*p == ',')
			p++;
		i++;
	}
	return -1;
}

/* Field i of a CSV line, into buf. */
static const char *csv_field(const char *line, int i, char *buf, size_t len)
{
	const char *p = line, *e;

	while (i-- > 0) {
		p = strchr(p, ',');
		CHECK(p != NULL);
		p++;
	}
	e = p + strcspn(p, ",\n");
	snprintf(buf, len, "%.*s", (int)(e - p), p);
	return buf;
}

TEST_T(cli_sweep_every_model_csv, 40)
{
	char *out = NULL, *err = NULL, *csv = tmp_path(".csv"), *text, line[512], f[64];
	const char *p;
	int rc, c_model, c_ok, c_total, c_hosts, c_failed, c_intr, rows = 0;
	bool seen[6] = { false };
	size_t m, ok, total;

	rc = fo_test_cli(&out, &err, "bench", "rtt", "--hosts", "100", "--rtt", "10ms", "--model",
			 "sequential,threads:10,processes:2,blended:2x5,loop,coro:2", "--max-time", "20s", "--csv",
			 csv, NULL);
	if (rc != 0)
		fprintf(stderr, "stdout:\n%s\nstderr:\n%s\n", out, err);
	CHECK_EQ(rc, 0);
	CHECK_STR(err, "");
	CHECK(!strncmp(out, "# fanout bench rtt: ", 20));
	CHECK(find_line(out, "model", line, sizeof(line)));
	CHECK_HAS(line, "ok/total");
	for (m = 0; m < 6; m++) {
		row_of(out, sweep_models[m], line, sizeof(line), &ok, &total);
		/* the row ends with its ok/total: no note, nothing cut short */
		CHECK(strlen(line) >= 8 && !strcmp(line + strlen(line) - 8, " 100/100"));
		CHECK_EQ(ok, 100);
		CHECK_EQ(total, 100);
	}
	CHECK_HAS(out, "# every run: ");
	CHECK_HAS(out, csv);

	text = read_file(csv);
	CHECK(text != NULL);
	CHECK(!strncmp(text, "model,workers,hosts,", 20));
	c_model = csv_col(text, "model");
	c_ok = csv_col(text, "ok");
	c_total = csv_col(text, "total");
	c_hosts = csv_col(text, "hosts");
	c_failed = csv_col(text, "failed");
	c_intr = csv_col(text, "interrupted");
	CHECK(c_model >= 0 && c_ok >= 0 && c_total >= 0 && c_hosts >= 0 && c_failed >= 0 && c_intr >= 0);
	CHECK_EQ(count_char(text, '\n'), 7); /* header + 6 rows */
	for (p = strchr(text, '\n') + 1; *p; p = strchr(p, '\n') + 1) {
		csv_field(p, c_model, f, sizeof(f));
		for (m = 0; m < 6; m++)
			if (!strcmp(f, sweep_models[m]))
				seen[m] = true;
		CHECK_STR(csv_field(p, c_ok, f, sizeof(f)), "100");
		CHECK_STR(csv_field(p, c_total, f, sizeof(f)), "100");
		CHECK_STR(csv_field(p, c_hosts, f, sizeof(f)), "100");
		CHECK_STR(csv_field(p, c_failed, f, sizeof(f)), "0");
		CHECK_STR(csv_field(p, c_intr, f, sizeof(f)), "0");
		rows++;
	}
	CHECK_EQ(rows, 6);
	for (m = 0; m < 6; m++)
		CHECK(seen[m]);
	unlink(csv);
	free(csv);
	free(text);
	free(out);
	free(err);
}

/* A sweep hands its durations to each row's child: long ones too. */
TEST_T(cli_sweep_long_durations_reach_rows, 30)
{
	char *out = NULL, *err = NULL, line[512];
	size_t ok, total;
	int rc;

	rc = fo_test_cli(&out, &err, "bench", "rtt", "--hosts", "5", "--rtt", "10ms", "--model", "loop,threads:5",
			 "--timeout", "1h", "--max-time", "10000s", "--jitter", "1ms", NULL);
	if (rc != 0)
		fprintf(stderr, "stdout:\n%s\nstderr:\n%s\n", out, err);
	CHECK_EQ(rc, 0);
	CHECK_STR(err, "");
	row_of(out, "loop", line, sizeof(line), &ok, &total);
	CHECK_EQ(ok, 5);
	CHECK_EQ(total, 5);
	row_of(out, "threads:5", line, sizeof(line), &ok, &total);
	CHECK_EQ(ok, 5);
	CHECK_EQ(total, 5);
	free(out);
	free(err);
}

/* ---- 4. --max-time ------------------------------------------------------------------ */

TEST_T(cli_max_time_cuts_sweep_row, 30)
{
	char *out = NULL, *err = NULL, line[512];
	size_t ok, total;
	int rc;

	rc = fo_test_cli(&out, &err, "bench", "rtt", "--hosts", "1000", "--rtt", "50ms", "--model", "sequential",
			 "--max-time", "300ms", NULL);
	if (rc != 0)
		fprintf(stderr, "stdout:\n%s\nstderr:\n%s\n", out, err);
	/* a row cut by --max-time counts as completed */
	CHECK_EQ(rc, 0);
	row_of(out, "sequential", line, sizeof(line), &ok, &total);
	CHECK(ok < 1000);
	CHECK_EQ(total, 1000); /* every host has a result */
	CHECK_HAS(line, "cut at --max-time");
	CHECK_LACKS(line, "failed");
	free(out);
	free(err);
}

/* The same cut in process (no --model): still exit 0, as docs/bench.md says. */
TEST_T(cli_max_time_cuts_in_process_run, 30)
{
	char *out = NULL, *err = NULL, line[512];
	size_t ok, total;
	int rc;

	rc = fo_test_cli(&out, &err, "bench", "rtt", "--hosts", "1000", "--rtt", "5s", "--max-time", "200ms", NULL);
	row_of(out, "coro", line, sizeof(line), &ok, &total);
	CHECK_EQ(total, 1000);
	CHECK(ok < 1000);
	CHECK_HAS(line, "cut at --max-time");
	CHECK(find_line(out, "ok", line, sizeof(line)));
	CHECK(ok_total(line, &ok, &total));
	CHECK_EQ(total, 1000);
	CHECK_EQ(ok + count_of(line, "failed") + count_of(line, "timeout") + count_of(line, "error") +
			 count_of(line, "skipped"),
		 1000);
	if (rc != 0)
		fprintf(stderr, "exit %d; stdout:\n%s\nstderr:\n%s\n", rc, out, err);
	CHECK_EQ(rc, 0);
	free(out);
	free(err);
}

/* A row that fails for its own reasons is a failure, --max-time or not. */
TEST_T(cli_failed_rows_exit_1, 30)
{
	char *out = NULL, *err = NULL, line[512];
	size_t ok, total;

	/* every task times out: in a sweep with --max-time */
	CHECK_EQ(fo_test_cli(&out, &err, "bench", "rtt", "--hosts", "10", "--rtt", "200ms", "--timeout", "10ms",
			     "--model", "loop", "--max-time", "5s", NULL),
		 1);
	row_of(out, "loop", line, sizeof(line), &ok, &total);
	CHECK_EQ(ok, 0);
	CHECK_EQ(total, 10);
	free(out);
	free(err);

	/* in process */
	CHECK_EQ(fo_test_cli(&out, &err, "bench", "rtt", "--hosts", "10", "--rtt", "200ms", "--timeout", "10ms",
			     NULL),
		 1);
	CHECK(find_line(out, "ok", line, sizeof(line)));
	CHECK(!strncmp(line, "ok=0/10 ", 8));
	CHECK_EQ(count_of(line, "timeout"), 10);
	free(out);
	free(err);
}

/* ---- 5. Ctrl-C ---------------------------------------------------------------------- */

/*
 * Starts fanout with args, waits ~300 ms, sends sig (to the whole process
 * group when group is set, as a terminal's Ctrl-C does; else to fanout
 * alone) and waits for it to end, at most limit_ms.
 */
static void interrupt_run(struct proc *p, const char *const *args, int sig, bool group, long long limit_ms)
{
	spawn(p, 0, args);
	fo_test_sleep_ms(300);
	CHECK(kill(group ? -p->pid : p->pid, sig) == 0);
	if (!finish(p, limit_ms)) {
		fprintf(stderr, "fanout did not stop within %lld ms of signal %d\n", limit_ms, sig);
		exit(1);
	}
	if (!p->exited || p->status != 130)
		fprintf(stderr, "exit %d (exited %d); stdout:\n%s\nstderr:\n%s\n", p->status, p->exited, p->out,
			p->err);
	CHECK(p->exited);
	CHECK_EQ(p->status, 130);
}

TEST_T(cli_ctrl_c_in_process, 30)
{
	const char *const args[] = { "bench", "rtt", "--hosts", "100000", "--rtt", "5s", NULL };
	struct proc p;
	char line[512];
	size_t ok, total;

	interrupt_run(&p, args, SIGINT, true, 20000);
	row_of(p.out, "coro", line, sizeof(line), &ok, &total);
	CHECK_EQ(total, 100000); /* none lost */
	CHECK(ok < 100000);
	CHECK_HAS(line, "interrupted");
	CHECK(find_line(p.out, "ok", line, sizeof(line)));
	CHECK(ok_total(line, &ok, &total));
	CHECK_EQ(total, 100000);
	CHECK_EQ(ok + count_of(line, "failed") + count_of(line, "timeout") + count_of(line, "error") +
			 count_of(line, "skipped"),
		 100000);
	proc_free(&p);
}

/* The same, several times: losing a host is a race, and rare ones count. */
TEST_T(cli_ctrl_c_in_process_repeated, 40)
{
	const char *const args[] = { "bench", "rtt", "--hosts", "100000", "--rtt", "5s", NULL };
	int i;

	for (i = 0; i < 5; i++) {
		struct proc p;
		char line[512];
		size_t ok, total;

		interrupt_run(&p, args, SIGINT, false, 20000);
		CHECK(find_line(p.out, "ok", line, sizeof(line)));
		CHECK(ok_total(line, &ok, &total));
		if (total != 100000)
			fprintf(stderr, "attempt %d: %s\n", i + 1, line);
		CHECK_EQ(total, 100000);
		proc_free(&p);
	}
}

TEST_T(cli_ctrl_c_sweep_group, 30)
{
	const char *const args[] = { "bench", "rtt", "--model", "threads:50", "--hosts", "2000", "--rtt", "5s",
				     NULL };
	struct proc p;
	char line[512];
	size_t ok, total;

	interrupt_run(&p, args, SIGINT, true, 20000);
	row_of(p.out, "threads:50", line, sizeof(line), &ok, &total);
	CHECK_EQ(total, 2000);
	CHECK(ok < 2000);
	CHECK_HAS(line, "interrupted");
	CHECK_HAS(p.out, "# interrupted: 1 of 1 rows done");
	proc_free(&p);
}

/* Ctrl-C during the first row of a sweep: the rest do not run. */
TEST_T(cli_ctrl_c_sweep_stops_later_rows, 30)
{
	const char *const args[] = { "bench",  "rtt", "--model", "processes:3,loop", "--hosts", "2000",
				     "--rtt", "5s",  NULL };
	struct proc p;
	char line[512];
	size_t ok, total;

	interrupt_run(&p, args, SIGINT, true, 20000);
	row_of(p.out, "processes:3", line, sizeof(line), &ok, &total);
	CHECK_EQ(total, 2000);
	CHECK(!find_line(p.out, "loop", line, sizeof(line)));
	CHECK_HAS(p.out, "# interrupted: 1 of 2 rows done");
	proc_free(&p);
}

/*
 * SIGTERM to fanout alone (kill PID, a service manager, a CI runner's
 * cancel): fanout handles it like Ctrl-C, so the sweep must stop too, not
 * finish the running row first (200 s here).
 */
TEST_T(cli_sigterm_to_sweep_parent_alone, 30)
{
	const char *const args[] = { "bench", "rtt", "--model", "threads:50", "--hosts", "2000", "--rtt", "5s",
				     NULL };
	struct proc p;
	char line[512];
	size_t ok, total;

	interrupt_run(&p, args, SIGTERM, false, 15000);
	row_of(p.out, "threads:50", line, sizeof(line), &ok, &total);
	CHECK_EQ(total, 2000);
	CHECK(ok < 2000);
	CHECK_HAS(p.out, "# interrupted");
	proc_free(&p);
}

/* ---- 6. thread limits ----------------------------------------------------------------- */

/*
 * threads:20000 with the address space capped at 600 MB: the pool's one
 * stack mapping (20000 x 132 KB) cannot be made, the runtime falls back to
 * per-thread stacks and gets fewer threads than asked; the run must go on
 * with those, say how many it started, and give every host its result.
 */
static void thread_limit(bool one_arena)
{
	const char *const args[] = { "bench", "rtt", "--model", "threads:20000", "--hosts", "20000",
				     "--rtt", "100ms", "--max-time", "20s", NULL };
	struct proc p;
	char line[512];
	const char *s;
	size_t ok, total;
	int started = -1, wanted = -1;

	if (!strcmp(fo_test_san(), "asan") || !strcmp(fo_test_san(), "tsan"))
		fo_test_skip("sanitizers reserve terabytes of shadow memory: RLIMIT_AS cannot apply");
	if (one_arena)
		setenv("MALLOC_ARENA_MAX", "1", 1);
	else
		unsetenv("MALLOC_ARENA_MAX");
	spawn(&p, (rlim_t)600 << 20, args);
	CHECK(finish(&p, 40000));
	if (p.status != 0 || !fo_test_has(p.err, "fanout: started "))
		fprintf(stderr, "exit %d; stdout:\n%s\nstderr:\n%s\n", p.status, p.out, p.err);
	CHECK_EQ(p.status, 0);
	/* the limit binds here: fewer threads than asked, and it says so */
	CHECK_HAS(p.err, "fanout: started ");
	s = strstr(p.err, "fanout: started ");
	CHECK_EQ(sscanf(s, "fanout: started %d of %d threads", &started, &wanted), 2);
	CHECK_EQ(wanted, 20000);
	CHECK(started > 0 && started < 20000);
	row_of(p.out, "threads:20000", line, sizeof(line), &ok, &total);
	CHECK_HAS(line, "of 20000 threads started");
	CHECK_EQ(total, 20000);
	if (ok != 20000)
		fprintf(stderr, "only %d threads started: the row was cut at --max-time:\n%s\n%s", started, p.out,
			p.err);
	CHECK_EQ(ok, 20000);
	CHECK_LACKS(line, "stopped");
	/*
	 * How many: 600 MB holds some 4,500 stacks of 132 KB (one thread
	 * making them one after another gets 4,517). A pool that starts
	 * a small fraction of that has spent the address space on
	 * something else (each thread that makes threads gets a malloc
	 * arena, 64 MB of address space apiece).
	 */
	if (started < 1000) {
		fprintf(stderr, "started %d of 20000 threads under a 600 MB address space: want >= 1000\n%s%s",
			started, p.out, p.err);
		CHECK(started >= 1000);
	}
	proc_free(&p);
}

/* As a user meets it: glibc's defaults, whatever they cost in address space. */
TEST_T(cli_thread_limit_address_space, 60)
{
	thread_limit(false);
}

/* The runtime's own fallback, with malloc's per-thread arenas out of the way. */
TEST_T(cli_thread_limit_address_space_one_arena, 60)
{
	thread_limit(true);
}

/* ---- 7. bench tasks ------------------------------------------------------------------- */

TEST_T(cli_tasks, 30)
{
	char *out = NULL, *err = NULL, line[512];
	const char *p;
	size_t ok, total;
	int rc, rows = 0;

	rc = fo_test_cli(&out, &err, "bench", "tasks", "--tasks", "50,100", "--duration", "20ms", NULL);
	if (rc != 0)
		fprintf(stderr, "stdout:\n%s\nstderr:\n%s\n", out, err);
	CHECK_EQ(rc, 0);
	CHECK_STR(err, "");
	CHECK(!strncmp(out, "# fanout bench tasks: ", 22));
	CHECK(find_line(out, "model", line, sizeof(line)));
	CHECK_HAS(line, " tasks ");
	CHECK_HAS(line, "duration");
	CHECK_HAS(line, " wall ");
	CHECK_HAS(line, " ideal ");
	CHECK_HAS(line, " overhead ");
	CHECK_HAS(line, "ok/total");
	/* one row per task count, under the default model coro:N */
	for (p = out; (p = strstr(p, "\ncoro:")); p++) {
		const char *e = strchr(p + 1, '\n');

		snprintf(line, sizeof(line), "%.*s", e ? (int)(e - p - 1) : (int)strlen(p + 1), p + 1);
		CHECK(ok_total(line, &ok, &total));
		CHECK(total == 50 || total == 100);
		CHECK_EQ(ok, total);
		CHECK_HAS(line, " 20ms ");
		CHECK_HAS(line, "ms ");
		CHECK_HAS(line, "%");
		CHECK_LACKS(line, "failed");
		rows++;
	}
	CHECK_EQ(rows, 2);
	CHECK_HAS(out, " 50/50");
	CHECK_HAS(out, " 100/100");
	free(out);
	free(err);
}

/* ---- 8. --plot ------------------------------------------------------------------------ */

TEST_T(cli_plot_svg, 30)
{
	char *out = NULL, *err = NULL, *svg, *text, line[512];
	size_t ok, total;
	struct stat sb;
	int rc;

	if (access("/usr/bin/gnuplot", X_OK) != 0)
		fo_test_skip("gnuplot is not installed");
	svg = tmp_path(".svg");
	rc = fo_test_cli(&out, &err, "bench", "rtt", "--hosts", "50", "--rtt", "10ms", "--model", "loop,coro",
			 "--plot", svg, NULL);
	if (rc != 0)
		fprintf(stderr, "stdout:\n%s\nstderr:\n%s\n", out, err);
	CHECK_EQ(rc, 0);
	row_of(out, "loop", line, sizeof(line), &ok, &total);
	CHECK_EQ(ok, 50);
	CHECK_EQ(total, 50);
	row_of(out, "coro", line, sizeof(line), &ok, &total);
	CHECK_EQ(ok, 50);
	CHECK_EQ(total, 50);
	CHECK_HAS(out, "# plot: ");
	CHECK_HAS(out, svg);
	CHECK(stat(svg, &sb) == 0 && sb.st_size > 0);
	text = read_file(svg);
	CHECK(text != NULL);
	CHECK(!strncmp(text, "<?xml", 5) || fo_test_has(text, "<svg"));
	CHECK_HAS(text, "</svg>");
	unlink(svg);
	free(svg);
	free(text);
	free(out);
	free(err);
}

/* The strict parsers every flag goes through (src/cli/cli.h): what strtol
 * and strtod let in quietly is refused. */
TEST(cli_strict_numbers)
{
	uint64_t v;
	double d;

	CHECK_EQ(fo_cli_uint("", 0, 10, &v), -EINVAL);
	CHECK_EQ(fo_cli_uint(" 1", 0, 10, &v), -EINVAL);
	CHECK_EQ(fo_cli_uint("-1", 0, 10, &v), -EINVAL);
	CHECK_EQ(fo_cli_uint("0x1", 0, 10, &v), -EINVAL);
	CHECK_EQ(fo_cli_uint("11", 0, 10, &v), -ERANGE);
	CHECK_EQ(fo_cli_uint("18446744073709551616", 0, UINT64_MAX, &v), -ERANGE);
	CHECK_EQ(fo_cli_uint("18446744073709551615", 0, UINT64_MAX, &v), 0);
	CHECK(v == UINT64_MAX);
	CHECK_EQ(fo_cli_size("64K", 1, UINT64_MAX, &v), 0);
	CHECK_EQ(v, 65536);
	CHECK_EQ(fo_cli_size("-1", 1, UINT64_MAX, &v), -EINVAL);
	CHECK_EQ(fo_cli_size("K", 1, UINT64_MAX, &v), -EINVAL);
	CHECK_EQ(fo_cli_size("0", 1, UINT64_MAX, &v), -ERANGE);
	CHECK_EQ(fo_cli_size("17179869184G", 1, UINT64_MAX, &v), -ERANGE);
	CHECK_EQ(fo_cli_real("inf", 0, 1e9, &d), -EINVAL);
	CHECK_EQ(fo_cli_real("nan", 0, 1e9, &d), -EINVAL);
	CHECK_EQ(fo_cli_real("1e999", 0, 1e9, &d), -EINVAL);
	CHECK_EQ(fo_cli_real("0x10", 0, 1e9, &d), -EINVAL);
	CHECK_EQ(fo_cli_real("5.", 0, 1e9, &d), -EINVAL);
	CHECK_EQ(fo_cli_real("99999999999999999999", 0, 1e9, &d), -ERANGE);
	CHECK_EQ(fo_cli_real("2.5", 0, 1e9, &d), 0);
	CHECK(d == 2.5);
}
