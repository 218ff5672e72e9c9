/*
 * Runs the registered tests, each in a forked child with a time limit, and
 * prints "ok"/"FAIL" per test and a closing "N passed, N failed" line that
 * CI reads. Arguments select tests by name prefix; --list lists them.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sched.h>
#include <sys/mount.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test.h"

#define MAX_TESTS 512

static struct {
	const char *name, *file;
	fo_test_fn fn;
	int timeout;
} tests[MAX_TESTS];
static int ntests;

void fo_test_register(const char *name, fo_test_fn fn, int timeout_s, const char *file)
{
	if (ntests < MAX_TESTS) {
		tests[ntests].name = name;
		tests[ntests].fn = fn;
		tests[ntests].timeout = timeout_s;
		tests[ntests].file = file;
		ntests++;
	}
}

const char *fo_test_san(void)
{
	const char *s = getenv("FANOUT_SAN");

	return s ? s : "";
}

void fo_test_skip(const char *why)
{
	fprintf(stderr, "skip: %s\n", why);
	fflush(NULL);
	_exit(77);
}

static int cmp(const void *a, const void *b)
{
	int i = *(const int *)a, j = *(const int *)b;
	int r = strcmp(tests[i].file, tests[j].file);

	return r ? r : strcmp(tests[i].name, tests[j].name);
}

static char *slurp(int fd)
{
	size_t len = 0, cap = 4096;
	char *b = malloc(cap);
	ssize_t r;

	while (b && (r = read(fd, b + len, cap - len - 1)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		len += (size_t)r;
		if (cap - len < 1024) {
			char *n = realloc(b, cap * 2);

			if (!n)
				break;
			b = n;
			cap *= 2;
		}
	}
	if (b)
		b[len] = 0;
	return b;
}

int fo_test_cli(char **out, char **err, const char *arg, ...)
{
	const char *argv[64];
	int n = 0;
	va_list ap;
	const char *a;

	va_start(ap, arg);
	for (a = arg; a && n < 63; a = va_arg(ap, const char *))
		argv[n++] = a;
	va_end(ap);
	argv[n] = NULL;
	return fo_test_cliv(out, err, argv);
}

/* Runs the CLI with stdout to a pipe (out_path NULL: returned in *out) or
 * to the file out_path, stderr returned in *err. */
/* argv for execv: $FANOUT_BIN (build/fanout), then args (at most 254). */
static void cli_argv(const char *argv[256], const char *const *args)
{
	const char *bin = getenv("FANOUT_BIN");
	int n = 0;

	argv[n++] = bin ? bin : "build/fanout";
	for (; *args && n < 255; args++)
		argv[n++] = *args;
	argv[n] = NULL;
}

static int cli_run(const char *out_path, char **out, char **err, const char *const *args)
{
	const char *argv[256];
	int po[2] = { -1, -1 }, pe[2], status;
	pid_t pid;

	cli_argv(argv, args);
	if (out_path)
		po[1] = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	else if (pipe(po) < 0)
		return -1;
	if (po[1] < 0 || pipe(pe) < 0)
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		dup2(po[1], 1);
		dup2(pe[1], 2);
		if (po[0] >= 0)
			close(po[0]);
		close(pe[0]);
		execv(argv[0], (char **)argv);
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	/* stderr is small; read stdout first, then stderr */
	{
		char *o = po[0] >= 0 ? slurp(po[0]) : NULL, *e = slurp(pe[0]);

		if (out)
			*out = o;
		else
			free(o);
		if (err)
			*err = e;
		else
			free(e);
	}
	if (po[0] >= 0)
		close(po[0]);
	close(pe[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int fo_test_cliv(char **out, char **err, const char *const *args)
{
	return cli_run(NULL, out, err, args);
}

int fo_test_cli_stdout(const char *out_path, char **err, const char *const *args)
{
	return cli_run(out_path, NULL, err, args);
}

/* argv (execvp'd) in the background, its stdout to a pipe: pid and the
 * pipe's read end in *out_fd, or -1. */
static pid_t start(const char *const *argv, int *out_fd)
{
	int po[2];
	pid_t pid;

	if (pipe(po) < 0)
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		dup2(po[1], 1);
		close(po[0]);
		execvp(argv[0], (char **)argv);
		_exit(127);
	}
	close(po[1]);
	if (pid < 0) {
		close(po[0]);
		return -1;
	}
	*out_fd = po[0];
	return pid;
}

pid_t fo_test_cli_start(const char *const *args, int *out_fd)
{
	const char *argv[256];

	cli_argv(argv, args);
	return start(argv, out_fd);
}

pid_t fo_test_py_server(const char *script, const char *const *args, char port[16])
{
	const char *argv[64];
	char owner[24], line[256] = "", *p;
	int n = 0, fd;
	pid_t pid;
	FILE *f;

	if (system("command -v python3 >/dev/null 2>&1") != 0)
		fo_test_skip("no python3 for the test servers");
	snprintf(owner, sizeof(owner), "%d", (int)getpid());
	argv[n++] = "python3";
	argv[n++] = script;
	argv[n++] = "--owner"; /* gone with the test, however it ends */
	argv[n++] = owner;
	for (; *args && n < 63; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	pid = start(argv, &fd);
	CHECK(pid > 0);
	f = fdopen(fd, "r");
	CHECK(f != NULL);
	CHECK(fgets(line, sizeof(line), f) != NULL);
	/* f stays open to the test's end: a server that prints again must not
	 * die of SIGPIPE */
	p = strstr(line, " port ");
	CHECK(p != NULL);
	p += 6;
	p[strspn(p, "0123456789")] = 0;
	snprintf(port, 16, "%s", p);
	return pid;
}

int fo_test_cli_end(pid_t pid, int out_fd, int sig, char **out)
{
	char *o;
	int status;

	if (sig)
		kill(pid, sig);
	o = slurp(out_fd);
	close(out_fd);
	if (out)
		*out = o;
	else
		free(o);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

char *fo_test_read(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *b;

	if (fd < 0)
		return NULL;
	b = slurp(fd);
	close(fd);
	return b;
}

const char *fo_test_put(const char *name, const char *text, size_t len)
{
	static char paths[16][256];
	static int k;
	char *p = paths[k++ % 16];

	snprintf(p, sizeof(paths[0]), "%s/%s", fo_test_dir(), name);
	fo_test_write(p, text, len);
	return p;
}

void fo_test_write(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "w");

	CHECK(f != NULL);
	CHECK(fwrite(text, 1, len, f) == len);
	CHECK(fclose(f) == 0);
}

/* The running test's folder: named by the parent before each fork, made
 * by the test on first use, removed by the parent when the test ended
 * however it ended (a timeout's SIGKILL included). */
static char test_dir[64];
static bool test_dir_made;

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	remove(path);
	return 0;
}

const char *fo_test_dir(void)
{
	if (!test_dir_made) {
		CHECK(mkdir(test_dir, 0700) == 0);
		test_dir_made = true;
	}
	return test_dir;
}

const char *fo_test_small_fs(size_t bytes)
{
	static char dir[64];
	char opts[64];

	if (geteuid() != 0)
		fo_test_skip("a small tmpfs needs root");
	snprintf(dir, sizeof(dir), "/tmp/fo-smallfs-XXXXXX");
	if (!mkdtemp(dir))
		fo_test_skip("mkdtemp failed");
	/* a mount namespace of this test's own: the mount vanishes with it */
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		rmdir(dir);
		fo_test_skip("cannot make a mount namespace");
	}
	snprintf(opts, sizeof(opts), "size=%zu", bytes);
	if (mount("tmpfs", dir, "tmpfs", 0, opts) < 0) {
		rmdir(dir);
		fo_test_skip("cannot mount a tmpfs");
	}
	return dir;
}

static volatile sig_atomic_t timed_out;

static void on_alarm(int sig)
{
	(void)sig;
	timed_out = 1;
}

static bool selected(const char *name, int argc, char **argv)
{
	int i;

	if (argc <= 1)
		return true;
	for (i = 1; i < argc; i++)
		if (argv[i][0] != '-' && !strncmp(name, argv[i], strlen(argv[i])))
			return true;
	return false;
}

int main(int argc, char **argv)
{
	int order[MAX_TESTS], i, passed = 0, failed = 0, skipped = 0;
	struct sigaction sa;

	for (i = 0; i < ntests; i++)
		order[i] = i;
	qsort(order, (size_t)ntests, sizeof(int), cmp);
	if (argc > 1 && !strcmp(argv[1], "--list")) {
		for (i = 0; i < ntests; i++)
			printf("%s\n", tests[order[i]].name);
		return 0;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	printf("# fanout tests%s%s\n", *fo_test_san() ? " under " : "", fo_test_san());
	for (i = 0; i < ntests; i++) {
		int k = order[i], status = 0, timeout = tests[k].timeout;
		struct timespec t0, t1;
		pid_t pid;

		if (!selected(tests[k].name, argc, argv))
			continue;
		if (!strcmp(fo_test_san(), "tsan") || !strcmp(fo_test_san(), "asan"))
			timeout *= 4;
		fflush(NULL);
		snprintf(test_dir, sizeof(test_dir), "/tmp/fanout-test-%ld-%d", (long)getpid(), k);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		pid = fork();
		if (pid == 0) {
			setpgid(0, 0);
			alarm(0);
			tests[k].fn();
			fflush(NULL);
			_exit(0);
		}
		timed_out = 0;
		alarm((unsigned)timeout);
		while (waitpid(pid, &status, 0) < 0) {
			if (errno == EINTR && timed_out) {
				kill(-pid, SIGKILL);
				kill(pid, SIGKILL);
			} else if (errno != EINTR) {
				break;
			}
		}
		alarm(0);
		nftw(test_dir, rm_one, 16, FTW_DEPTH | FTW_PHYS); /* fo_test_dir's, if made */
		clock_gettime(CLOCK_MONOTONIC, &t1);
		{
			double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;

			if (timed_out) {
				printf("FAIL %s (timed out after %d s)\n", tests[k].name, timeout);
				failed++;
			} else if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
				printf("ok   %s (%.2fs)\n", tests[k].name, secs);
				passed++;
			} else if (WIFEXITED(status) && WEXITSTATUS(status) == 77) {
				printf("skip %s\n", tests[k].name);
				skipped++;
			} else {
				if (WIFSIGNALED(status))
					printf("FAIL %s (signal %d: %s)\n", tests[k].name, WTERMSIG(status),
					       strsignal(WTERMSIG(status)));
				else
					printf("FAIL %s (exit %d)\n", tests[k].name, WEXITSTATUS(status));
				failed++;
			}
		}
		fflush(stdout);
		/* reap anything a test left behind in its group */
		kill(-pid, SIGKILL);
	}
	printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
	return failed ? 1 : 0;
}
