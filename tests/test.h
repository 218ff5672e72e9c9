/*
 * The test harness: each TEST() registers itself; tests/runner.c runs every
 * test in a child process of its own with a time limit, prints a line per
 * test and closes with "N passed, N failed". No timed assertions: tests
 * check behaviour; speed belongs to bench/.
 */
#ifndef FO_TEST_H
#define FO_TEST_H

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>

typedef void (*fo_test_fn)(void);

void fo_test_register(const char *name, fo_test_fn fn, int timeout_s, const char *file);

#define TEST_T(name, timeout_s)                                                        \
	static void test_##name(void);                                                 \
	__attribute__((constructor)) static void register_##name(void)                 \
	{                                                                              \
		fo_test_register(#name, test_##name, timeout_s, __FILE__);             \
	}                                                                              \
	static void test_##name(void)
#define TEST(name) TEST_T(name, 60)

#define CHECK(cond)                                                                    \
	do {                                                                           \
		if (!(cond)) {                                                         \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
			exit(1);                                                       \
		}                                                                      \
	} while (0)

#define CHECK_EQ(a, b)                                                                 \
	do {                                                                           \
		long long a_ = (long long)(a), b_ = (long long)(b);                    \
		if (a_ != b_) {                                                        \
			fprintf(stderr, "%s:%d: check failed: %s == %s (%lld != %lld)\n", __FILE__, \
				__LINE__, #a, #b, a_, b_);                             \
			exit(1);                                                       \
		}                                                                      \
	} while (0)

#define CHECK_STR(a, b)                                                                \
	do {                                                                           \
		const char *a_ = (a), *b_ = (b);                                       \
		if (!a_ || !b_ || strcmp(a_, b_)) {                                    \
			fprintf(stderr, "%s:%d: check failed: %s == \"%s\" (got \"%s\")\n", __FILE__, \
				__LINE__, #a, b_ ? b_ : "(null)", a_ ? a_ : "(null)");  \
			exit(1);                                                       \
		}                                                                      \
	} while (0)

/* Monotonic milliseconds, and a sleep that survives signals: for deadlines
 * in tests (which never assert on speed). */
static inline long long fo_test_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline void fo_test_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Does s (NULL allowed) contain needle? */
static inline bool fo_test_has(const char *s, const char *needle)
{
	return s && strstr(s, needle) != NULL;
}

#define CHECK_HAS(s, needle)                                                           \
	do {                                                                           \
		const char *s_ = (s), *n_ = (needle);                                  \
		if (!fo_test_has(s_, n_)) {                                            \
			fprintf(stderr, "%s:%d: check failed: %s contains \"%s\"; it is:\n%s\n", \
				__FILE__, __LINE__, #s, n_, s_ ? s_ : "(null)");       \
			exit(1);                                                       \
		}                                                                      \
	} while (0)

#define CHECK_LACKS(s, needle)                                                         \
	do {                                                                           \
		const char *s_ = (s), *n_ = (needle);                                  \
		if (fo_test_has(s_, n_)) {                                             \
			fprintf(stderr, "%s:%d: check failed: %s lacks \"%s\"; it is:\n%s\n", \
				__FILE__, __LINE__, #s, n_, s_);                       \
			exit(1);                                                       \
		}                                                                      \
	} while (0)

/* Which sanitizer the suite runs under: "", "asan" or "tsan" (FANOUT_SAN). */
const char *fo_test_san(void);
/* Skips the calling test (prints why; counts as passed-skipped). */
void fo_test_skip(const char *why) __attribute__((noreturn));

/*
 * Runs the fanout CLI ($FANOUT_BIN, default build/fanout) with args (NULL
 * terminated, without argv[0]); returns its exit status (128+sig when
 * killed) and, when out/err are not NULL, what it printed (malloc'd).
 */
int fo_test_cli(char **out, char **err, const char *arg, ...) __attribute__((sentinel));
/* The same with the arguments in a NULL-terminated array. */
int fo_test_cliv(char **out, char **err, const char *const *args);

/* The same with the CLI's stdout sent to the file out_path (e.g.
 * "/dev/full"), its stderr returned in *err. */
int fo_test_cli_stdout(const char *out_path, char **err, const char *const *args);
/* The CLI with args in the background, its stdout to a pipe whose read
 * end is *out_fd (stderr as the test's): its pid, or -1. */
pid_t fo_test_cli_start(const char *const *args, int *out_fd);
/* Starts `python3 script --owner PID args...` (a fixture server that ends
 * with its owner, this test) and reads the first line it prints, which
 * says " port N": its pid, N in port. Skips the test without python3. */
pid_t fo_test_py_server(const char *script, const char *const *args, char port[16]);
/* Sends sig to it first (0: none), reads its stdout to the end into *out
 * (malloc'd; NULL: dropped), waits: its exit status (128+sig if killed). */
int fo_test_cli_end(pid_t pid, int out_fd, int sig, char **out);
/* The whole file at path, NUL-terminated and malloc'd, or NULL. */
char *fo_test_read(const char *path);
/* Writes text[0..len) as the file at path (CHECKed). */
void fo_test_write(const char *path, const char *text, size_t len);
/* name in fo_test_dir(), holding text[0..len): its path (one of 16
 * static buffers, used in turn). */
const char *fo_test_put(const char *name, const char *text, size_t len);
/* A folder of the calling test's own, removed with all it holds when the
 * test's process exits: its path. */
const char *fo_test_dir(void);

/* A fresh tmpfs of the given size in bytes, mounted in a mount namespace of
 * the calling test's own (so it vanishes with the test, and fanout run by
 * fo_test_cli sees it): its path. Skips the test where that needs root. */
const char *fo_test_small_fs(size_t bytes);

#endif
