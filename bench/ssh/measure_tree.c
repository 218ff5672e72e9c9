/*
 * measure_tree: wall, CPU and memory of a command and everything it starts.
 *
 *   measure_tree [--sample-ms N] [--grace-ms N] [--out FILE] -- COMMAND ARG...
 *
 * Runs COMMAND (stdin, stdout and stderr are passed on) and writes one line
 * to FILE (default stderr), prefixed "measure_tree:", with key=value figures:
 *
 *   wall_s     fork to the exit of COMMAND itself
 *   user_s, sys_s   getrusage(RUSAGE_CHILDREN): COMMAND and every
 *              descendant, including those that left their parent
 *   maxrss_kb  the largest peak RSS of any one process of the tree (what
 *              RUSAGE_CHILDREN's ru_maxrss is: a max, not a sum)
 *   sumrss_kb  the largest sum of VmRSS over every live process of the
 *              tree, sampled every --sample-ms (default 50; 0: off). RSS
 *              counts shared pages once per process, so for a forking
 *              client (ansible) it is above what the tree really holds.
 *   nproc      the most processes of the tree alive at one sample;
 *   leftover   how many were still running when COMMAND exited (they
 *              are killed, and their CPU is in user_s and sys_s)
 *   status     COMMAND's exit status (128+N for signal N)
 *
 * Why a helper: this process sets PR_SET_CHILD_SUBREAPER, so a descendant
 * that daemonizes (ansible's ssh ControlPersist masters, for one) is
 * reparented here, not to init, and its CPU is reaped into RUSAGE_CHILDREN
 * instead of escaping the count. When COMMAND exits, whatever of its tree
 * is left gets SIGTERM, then SIGKILL after --grace-ms (default 2000), and
 * is reaped. And it is small C: a child's peak RSS includes the address
 * space it was forked from until it execs (see bench/README.md), so the
 * floor here is this program's few hundred KB, not a Python runner's.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long page_kb;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Calls fn for every descendant of pid, depth first, through the
 * /proc/PID/task/TID/children lists. */
static void walk(pid_t pid, void (*fn)(pid_t, void *), void *arg)
{
	char path[64], buf[65536];
	DIR *d;
	struct dirent *e;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (!d)
		return;
	while ((e = readdir(d))) {
		FILE *f;
		size_t n;
		char *p, *end;

		if (e->d_name[0] == '.')
			continue;
		snprintf(buf, sizeof(buf), "/proc/%d/task/%s/children", (int)pid, e->d_name);
		f = fopen(buf, "re");
		if (!f)
			continue;
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[n] = 0;
		for (p = buf;; p = end) {
			long c = strtol(p, &end, 10);

			if (end == p)
				break;
			fn((pid_t)c, arg);
			walk((pid_t)c, fn, arg);
		}
	}
	closedir(d);
}

struct sample {
	long rss_kb;
	long n;
};

static void add_rss(pid_t pid, void *arg)
{
	struct sample *s = arg;
	char path[64];
	long size, res;
	FILE *f;

	s->n++;
	snprintf(path, sizeof(path), "/proc/%d/statm", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return;
	if (fscanf(f, "%ld %ld", &size, &res) == 2)
		s->rss_kb += res * page_kb;
	fclose(f);
}

static void send_sig(pid_t pid, void *arg)
{
	kill(pid, *(int *)arg);
}

/* Reaps every child that has ended; notes the command's status. */
static void reap(pid_t cmd, int *cmd_status, int *cmd_done, double *t_end)
{
	int st;
	pid_t p;

	while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
		if (p == cmd) {
			*cmd_done = 1;
			*t_end = now_s();
			*cmd_status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		}
	}
}

int main(int argc, char **argv)
{
	long sample_ms = 50, grace_ms = 2000, peak_sum = 0, leftover = 0, nproc_max = 0;
	int i, cmd_status = -1, cmd_done = 0;
	const char *out_path = NULL;
	FILE *out = stderr;
	double t0, t_end = 0;
	pid_t cmd;
	struct rusage ru;
	sigset_t chld, old;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--sample-ms") && i + 1 < argc)
			sample_ms = strtol(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--grace-ms") && i + 1 < argc)
			grace_ms = strtol(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--out") && i + 1 < argc)
			out_path = argv[++i];
		else if (!strcmp(argv[i], "--")) {
			i++;
			break;
		} else
			break;
	}
	if (i >= argc) {
		fprintf(stderr, "usage: measure_tree [--sample-ms N] [--grace-ms N] [--out FILE] -- COMMAND ARG...\n");
		return 2;
	}
	page_kb = sysconf(_SC_PAGESIZE) / 1024;
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) {
		perror("measure_tree: PR_SET_CHILD_SUBREAPER");
		return 1;
	}
	/* SIGCHLD blocked and taken with sigtimedwait: the command's exit ends
	 * the wait at once, whatever the sampling interval */
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &old);
	t0 = now_s();
	cmd = fork();
	if (cmd < 0) {
		perror("measure_tree: fork");
		return 1;
	}
	if (cmd == 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		execvp(argv[i], argv + i);
		fprintf(stderr, "measure_tree: cannot run '%s': %s\n", argv[i], strerror(errno));
		_exit(127);
	}
	while (!cmd_done) {
		struct timespec ts = { .tv_sec = 0, .tv_nsec = (sample_ms > 0 ? sample_ms : 20) * 1000000L };

		if (sample_ms > 0) {
			struct sample s = { 0, 0 };

			walk(getpid(), add_rss, &s);
			if (s.rss_kb > peak_sum)
				peak_sum = s.rss_kb;
			if (s.n > nproc_max)
				nproc_max = s.n;
		}
		reap(cmd, &cmd_status, &cmd_done, &t_end);
		if (!cmd_done)
			sigtimedwait(&chld, NULL, &ts);
	}
	/* What the command left behind: count, TERM, then KILL after the grace. */
	{
		struct sample s = { 0, 0 };
		int sig = SIGTERM;
		double give_up = now_s() + (double)grace_ms / 1e3;

		walk(getpid(), add_rss, &s);
		leftover = s.n;
		if (leftover)
			walk(getpid(), send_sig, &sig);
		for (;;) {
			int st;
			pid_t p = waitpid(-1, &st, WNOHANG);

			if (p < 0 && errno == ECHILD)
				break;
			if (p > 0)
				continue;
			if (sig == SIGTERM && now_s() > give_up) {
				sig = SIGKILL;
				walk(getpid(), send_sig, &sig);
			}
			usleep(10000);
		}
	}
	getrusage(RUSAGE_CHILDREN, &ru);
	if (out_path && !(out = fopen(out_path, "we"))) {
		fprintf(stderr, "measure_tree: cannot write '%s': %s\n", out_path, strerror(errno));
		out = stderr;
	}
	fprintf(out,
		"measure_tree: wall_s=%.3f user_s=%.3f sys_s=%.3f maxrss_kb=%ld sumrss_kb=%ld nproc=%ld "
		"leftover=%ld status=%d\n",
		t_end - t0, (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6,
		(double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6, ru.ru_maxrss, peak_sum,
		nproc_max, leftover, cmd_status);
	if (out != stderr)
		fclose(out);
	return 0;
}
