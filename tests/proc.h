/*
 * The tests' process helper: what a test needs to run other programs (a
 * server it talks to, a client it checks) so that none outlives it and no
 * wait is unbounded. Every process started here runs in a process group of
 * its own, dies with the test's process (PR_SET_PDEATHSIG) and is recorded
 * until reaped; the groups still recorded are killed when the test exits
 * (CHECK included) and when its own deadline passes: an alarm set by
 * TEST_PROC a little before the runner's limit, which would SIGKILL the
 * test alone and leave its groups running. No timed assertions: deadlines
 * only bound the waiting.
 *
 * tests/runner.c's fo_test_cli_start and fo_test_cli_end are the simple
 * case (the CLI in the test's own group, read to its end).
 */
#ifndef FO_TEST_PROC_H
#define FO_TEST_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "test.h"

/* Under a sanitizer everything is slower: 4 there (as the runner scales
 * its limits), else 1. */
int fo_test_scale(void);

/* The fanout CLI to run: $FANOUT_BIN, or build/fanout. */
const char *fo_test_bin(void);

/*
 * At the start of a test: the test's groups are killed at its exit, and at
 * timeout_s (times fo_test_scale()) less 3 s an alarm kills them and ends
 * the test with a line naming it. Also ignores SIGPIPE.
 */
void fo_test_guard(const char *name, int timeout_s);

/* A test (TEST_T) with fo_test_guard at its start. */
#define TEST_PROC(name, timeout_s)                     \
	static void body_##name(void);                 \
	TEST_T(name, timeout_s)                        \
	{                                              \
		fo_test_guard(#name, timeout_s);       \
		body_##name();                         \
	}                                              \
	static void body_##name(void)

/* Records (fo_test_kid_add) or forgets (fo_test_kid_del) the process group
 * pid as the test's, for the guard to kill. At most 32 at once: adding one
 * more kills it and fails the test. */
void fo_test_kid_add(pid_t pid);
void fo_test_kid_del(pid_t pid);

/* Where fo_test_spawn sends stderr: left as the test's, or with stdout. */
#define FO_TEST_ERR_KEEP (-1)
#define FO_TEST_ERR_OUT (-2)

/*
 * argv (execvp'd) in a process group of its own, recorded, dying with the
 * test; stdin /dev/null, stdout on a pipe whose read end (the caller's to
 * close) is returned in *out_fd, stderr to err_fd (or FO_TEST_ERR_KEEP,
 * FO_TEST_ERR_OUT); RLIMIT_NOFILE nofile when not 0. Its pid (CHECKed).
 */
pid_t fo_test_spawn(const char *const *argv, int *out_fd, int err_fd, rlim_t nofile);

/* Reads fd onto *b (malloc'd, NUL-terminated; *len long) until EOF, until
 * want appears (when not NULL), or the deadline (fo_test_now_ms()). True
 * when what was waited for came. */
bool fo_test_read_until(int fd, char **b, size_t *len, const char *want, long long deadline_ms);

/* Ends pid (sig first, when not 0) and reaps it, its group killed past
 * deadline_ms; forgets it: its exit status (128+sig when killed). */
int fo_test_reap(pid_t pid, int sig, long long deadline_ms);

/* Runs argv to its end (killed after limit_s, times fo_test_scale()): its
 * exit status; stdout and stderr together in *out (malloc'd). */
int fo_test_run(char **out, int limit_s, const char *const *argv);

/* The value of KEY=VALUE in the SSH fixture's env file (tests/fixtures/ssh/),
 * into out (cap bytes); "" when the file or the key is not there. */
void fo_test_env_get(const char *envfile, const char *key, char *out, size_t cap);
/* Stops the SSH fixture in dir and removes dir and its log. */
void fo_test_sshd_stop(const char *dir);

/* A `fanout devices` fleet (src/devices/) a test starts and stops. */
struct fo_test_fleet {
	pid_t pid;
	int fd;
	char *out;  /* what it printed so far (malloc'd) */
	size_t len;
	char port[8];
	char inv[256], kh[256]; /* its --inventory and --known-hosts, in fo_test_dir() */
};

/* `fanout devices ARGS... --port 0 --inventory DIR/hosts.yaml --known-hosts
 * DIR/known_hosts`, up once its first line is out (CHECKed). */
void fo_test_fleet_start(struct fo_test_fleet *f, const char *const *args);
/* SIGTERM: it must end with exit 0 and its stats line (CHECKed). Its
 * whole stdout, the caller's to free. */
char *fo_test_fleet_stop(struct fo_test_fleet *f);

#endif
