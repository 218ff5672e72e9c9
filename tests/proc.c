/*
 * The tests' process helper (tests/proc.h): process groups recorded and
 * killed at the test's exit or deadline, spawning into them, bounded reads
 * and reaps. Shared by the tests that run servers and clients side by side
 * (test-devices-server.c, test-platforms-e2e.c, test-serve.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <string.h>
#include <unistd.h>

#include "proc.h"

int fo_test_scale(void)
{
	return *fo_test_san() ? 4 : 1;
}

const char *fo_test_bin(void)
{
	const char *b = getenv("FANOUT_BIN");

	return b && *b ? b : "build/fanout";
}

/* ---- the test's process groups ------------------------------------------------ */

#define MAX_KIDS 32
static volatile pid_t kids[MAX_KIDS];
static const char *guard_name = "a test";

static void kill_kids(void)
{
	for (int i = 0; i < MAX_KIDS; i++) {
		pid_t k = kids[i];

		if (k > 0) {
			kill(-k, SIGKILL);
			kill(k, SIGKILL);
		}
	}
}

void fo_test_kid_add(pid_t pid)
{
	for (int i = 0; i < MAX_KIDS; i++)
		if (kids[i] == 0) {
			kids[i] = pid;
			return;
		}
	kill(-pid, SIGKILL);
	CHECK(!"too many child processes");
}

void fo_test_kid_del(pid_t pid)
{
	for (int i = 0; i < MAX_KIDS; i++)
		if (kids[i] == pid)
			kids[i] = 0;
}

/* Only async-signal-safe calls: write, strlen, kill, _exit. */
static void on_alarm(int sig)
{
	static const char msg[] = ": the test's own deadline passed: killing its processes\n";
	ssize_t r;

	(void)sig;
	kill_kids();
	r = write(2, guard_name, strlen(guard_name));
	r = write(2, msg, sizeof(msg) - 1);
	(void)r;
	_exit(1);
}

void fo_test_guard(const char *name, int timeout_s)
{
	static bool hooked;
	struct sigaction sa;
	int t = timeout_s * fo_test_scale() - 3;

	guard_name = name;
	if (!hooked) {
		atexit(kill_kids);
		hooked = true;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	alarm((unsigned)(t > 1 ? t : 1));
	signal(SIGPIPE, SIG_IGN);
}

/* ---- running, reading, reaping ------------------------------------------------ */

pid_t fo_test_spawn(const char *const *argv, int *out_fd, int err_fd, rlim_t nofile)
{
	int po[2];
	pid_t parent = getpid(), pid;

	CHECK(pipe2(po, O_CLOEXEC) == 0);
	fflush(NULL);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		int dn = open("/dev/null", O_RDONLY);
		sigset_t none;

		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(125);
		if (nofile) {
			struct rlimit rl = { nofile, nofile };

			if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
				_exit(126);
		}
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (dn >= 0)
			dup2(dn, 0);
		dup2(po[1], 1);
		if (err_fd == FO_TEST_ERR_OUT)
			dup2(po[1], 2);
		else if (err_fd >= 0)
			dup2(err_fd, 2);
		execvp(argv[0], (char **)argv);
		_exit(127);
	}
	setpgid(pid, pid);
	fo_test_kid_add(pid);
	close(po[1]);
	*out_fd = po[0];
	return pid;
}

bool fo_test_read_until(int fd, char **b, size_t *len, const char *want, long long deadline_ms)
{
	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };
		long long left = deadline_ms - fo_test_now_ms();
		char buf[4096];
		ssize_t n;

		if (want && *b && strstr(*b, want))
			return true;
		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			return false;
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return !want;
		*b = realloc(*b, *len + (size_t)n + 1);
		CHECK(*b != NULL);
		memcpy(*b + *len, buf, (size_t)n);
		*len += (size_t)n;
		(*b)[*len] = 0;
	}
}

int fo_test_reap(pid_t pid, int sig, long long deadline_ms)
{
	int status;

	if (sig)
		kill(pid, sig);
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			break;
		if (fo_test_now_ms() > deadline_ms) {
			kill(-pid, SIGKILL);
			waitpid(pid, &status, 0);
			break;
		}
		fo_test_sleep_ms(10);
	}
	fo_test_kid_del(pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int fo_test_run(char **out, int limit_s, const char *const *argv)
{
	size_t len = 0;
	int fd;
	pid_t pid = fo_test_spawn(argv, &fd, FO_TEST_ERR_OUT, 0);
	long long end = fo_test_now_ms() + 1000LL * limit_s * fo_test_scale();

	*out = calloc(1, 1);
	CHECK(*out != NULL);
	fo_test_read_until(fd, out, &len, NULL, end);
	close(fd);
	return fo_test_reap(pid, SIGKILL * (fo_test_now_ms() > end), end + 2000);
}

/* ---- a fanout devices fleet --------------------------------------------------------- */

/* `fanout devices ARGS... --port 0 --inventory DIR/hosts.yaml --known-hosts
 * DIR/known_hosts`, up once its first line is out. */
void fo_test_fleet_start(struct fo_test_fleet *f, const char *const *args)
{
	const char *argv[48];
	const char *p;
	int n = 0;

	memset(f, 0, sizeof(*f));
	snprintf(f->inv, sizeof(f->inv), "%s/hosts.yaml", fo_test_dir());
	snprintf(f->kh, sizeof(f->kh), "%s/known_hosts", fo_test_dir());
	argv[n++] = fo_test_bin();
	argv[n++] = "devices";
	for (; *args && n < 40; args++)
		argv[n++] = *args;
	argv[n++] = "--port=0";
	argv[n++] = "--inventory";
	argv[n++] = f->inv;
	argv[n++] = "--known-hosts";
	argv[n++] = f->kh;
	argv[n] = NULL;
	f->pid = fo_test_spawn(argv, &f->fd, FO_TEST_ERR_KEEP, 0);
	if (!fo_test_read_until(f->fd, &f->out, &f->len, "\n", fo_test_now_ms() + 20000LL * fo_test_scale()))
		fprintf(stderr, "fanout devices said: %s\n", f->out ? f->out : "(nothing)");
	CHECK_HAS(f->out, "fanout devices: ");
	p = strstr(f->out, " port ");
	CHECK(p != NULL);
	snprintf(f->port, sizeof(f->port), "%.*s", (int)strspn(p + 6, "0123456789"), p + 6);
	CHECK(f->port[0] != 0);
}

/* SIGTERM, and the stats line it ends with: the whole stdout (the caller's). */
char *fo_test_fleet_stop(struct fo_test_fleet *f)
{
	long long end = fo_test_now_ms() + 20000LL * fo_test_scale();
	int rc;

	kill(f->pid, SIGTERM);
	fo_test_read_until(f->fd, &f->out, &f->len, NULL, end);
	close(f->fd);
	rc = fo_test_reap(f->pid, 0, end);
	if (rc != 0 || !fo_test_has(f->out, "fanout devices: stopped: "))
		fprintf(stderr, "fanout devices: exit %d, said: %s\n", rc, f->out);
	CHECK_EQ(rc, 0);
	CHECK_HAS(f->out, "fanout devices: stopped: ");
	return f->out;
}

void fo_test_env_get(const char *envfile, const char *key, char *out, size_t cap)
{
	FILE *f = fopen(envfile, "r");
	char line[512];
	size_t kl = strlen(key);

	out[0] = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, kl) && line[kl] == '=') {
			snprintf(out, cap, "%s", line + kl + 1);
			out[strcspn(out, "\n")] = 0;
		}
	}
	fclose(f);
}

void fo_test_sshd_stop(const char *dir)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "bash tests/fixtures/ssh/sshd-fixture.sh stop %s >/dev/null 2>&1; rm -rf %s %s.log",
		 dir, dir, dir);
	if (system(cmd) != 0)
		fprintf(stderr, "fixture stop failed\n");
}
