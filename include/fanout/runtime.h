/*
 * fanout runtime: one task API under six execution models.
 *
 * A task is a plain C function written in blocking style. It blocks in
 * exactly two ways, the "two waits": fo_wait_fd() (a descriptor becomes
 * readable or writable, or a deadline passes) and fo_sleep_until() (a
 * deadline passes). Every execution model implements those two and nothing
 * else differs, so the same task runs unchanged under sequential, threads:N,
 * processes:N, blended:PxT, loop and coro:N (the default).
 *
 * Coroutines run on a stack shared by all tasks of a scheduler thread; when a
 * task parks, the used part of its stack is copied out to the task's own
 * record and copied back when it resumes. The rule that follows: nothing may
 * point into a parked task's stack. Keep data that other tasks or threads
 * reach (buffers handed to another task, records in shared lists) in the
 * heap or in the task's argument, never in a local variable that outlives a
 * wait. A task's own pointers into its own stack stay valid, since the stack
 * comes back at the same address.
 *
 * Errors are negative errno values; fo_strerror() turns them into text.
 * The library never prints: see fo_set_diag() for its diagnostics.
 *
 * Environment overrides, each only where the caller did not ask for a
 * value: FANOUT_STACK_SIZE=N[k|m] (coroutine stacks, where
 * fo_run_opts.stack_size is 0; at least 16k, else ignored with an
 * FO_DIAG_WARN), FANOUT_POLLER=epoll (see fo_poller_name()),
 * FANOUT_DEBUG=1 (threads:N past 1024 threads keeps guard pages instead of
 * stack canaries; no API sets that), FANOUT_RECV_BUFS=N (the io_uring
 * ring of receive buffers of each scheduler thread, fo_recv_scratch:
 * 128, rounded up to a power of two; 0 for none; no API sets that).
 * Times are CLOCK_MONOTONIC nanoseconds (fo_now()); a deadline of
 * FO_NEVER means none.
 */
#ifndef FANOUT_RUNTIME_H
#define FANOUT_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h> /* ssize_t */

#ifdef __cplusplus
extern "C" {
#endif

/* ---- time ---------------------------------------------------------------- */

#define FO_NSEC  INT64_C(1)
#define FO_USEC  INT64_C(1000)
#define FO_MSEC  INT64_C(1000000)
#define FO_SEC   INT64_C(1000000000)
#define FO_NEVER INT64_MAX

/* Monotonic clock in nanoseconds. */
int64_t fo_now(void);

/*
 * Parses a duration such as "50ms", "1s", "250us", "2.5s", "100ns", "1m".
 * A bare number is taken as milliseconds. Returns 0 and stores nanoseconds,
 * or -EINVAL.
 */
int fo_duration_parse(const char *s, int64_t *ns);
/* Formats ns in the largest unit that is exact ("50ms", "1s", "1500ms"), so
 * that it parses back to ns; returns buf. */
char *fo_duration_format(int64_t ns, char *buf, size_t len);

/* Text for a negative errno value (or a positive one). Never NULL. */
const char *fo_strerror(int err);

/* ---- the two waits (callable from a task under any model) ---------------- */

#define FO_READ  1
#define FO_WRITE 4

/*
 * Sleeps until the monotonic time deadline. Returns 0 when it passed,
 * -ECANCELED when the task (or the run) was cancelled, -ETIMEDOUT when the
 * task's own deadline (fo_deadline()) came first.
 */
int fo_sleep_until(int64_t deadline);
int fo_sleep(int64_t ns);

/*
 * Waits until fd is ready for events (FO_READ, FO_WRITE or both) or the
 * deadline passes. Returns the ready events (> 0; errors and hang-ups are
 * reported as both FO_READ|FO_WRITE so the next read or write returns the
 * error), -ETIMEDOUT, or -ECANCELED. The fd must be non-blocking for the
 * caller's IO to be correct under every model. One task waits on an fd at a
 * time.
 */
int fo_wait_fd(int fd, int events, int64_t deadline);

/*
 * recv(2) and send(2) on a socket, waiting as fo_wait_fd() would while
 * nothing can move: fo_recv returns the bytes read (0 at end of stream),
 * fo_send the bytes sent (at least one; maybe fewer than len), or a
 * negative errno: -ETIMEDOUT past the deadline, -ECANCELED, or the
 * socket's error. send never raises SIGPIPE (-EPIPE instead).
 * Under coroutines on io_uring the kernel does the IO when the socket is
 * ready (no try that fails with EAGAIN, no readiness wait of its own): buf
 * must then be memory that stays put while the task waits, which a
 * coroutine's stack is not, so a buf on the stack takes the other way
 * (try, wait for readiness, retry). Everywhere else: that other way.
 */
ssize_t fo_recv(int fd, void *buf, size_t len, int64_t deadline);
ssize_t fo_send(int fd, const void *buf, size_t len, int64_t deadline);
/*
 * fo_recv for a buffer that is lent only for the call (a per-thread one
 * that other tasks use while this one waits): nothing is read into buf
 * while the task waits, only when fo_recv_scratch returns. Under
 * coroutines on io_uring the kernel reads into a buffer of the thread's
 * ring of provided buffers, taken only when data comes, and the bytes are
 * copied to buf: a connection that waits holds no buffer. At most a ring
 * buffer's worth (2 KB) is read at a time. When every ring buffer is taken,
 * or the kernel has no rings (before 5.19), or FANOUT_RECV_BUFS=0: recv
 * into buf, and a readiness wait while there is nothing; elsewhere, as
 * fo_recv.
 */
ssize_t fo_recv_scratch(int fd, void *buf, size_t len, int64_t deadline);

/*
 * Sends all of sbuf, then receives as fo_recv_scratch does (rbuf is lent
 * only for the call): a request/response turn in one call. Returns what
 * the receive returns; a failed send returns -EPIPE (the connection is
 * gone or going; io_uring does not say more), and nothing was received.
 * Under coroutines on io_uring with a ring of receive buffers, the send
 * and the ring's recv go to the kernel linked, in one submission, and the
 * task waits once: sbuf must then stay unchanged for as long as the
 * connection may still be sending (memory that lives as long as the
 * program's use of fd and longer, e.g. a prebuilt reply). Elsewhere (and
 * on kernels before 5.18): a send loop, then fo_recv_scratch.
 */
ssize_t fo_send_recv(int fd, const void *sbuf, size_t slen, void *rbuf, size_t rlen, int64_t deadline);

/* Lets other ready tasks run (a no-op outside coroutines). */
void fo_yield(void);

/* The current task's deadline (FO_NEVER when it has none). */
int64_t fo_deadline(void);
/* True once the current task or its run was cancelled. */
bool fo_cancelled(void);
/* "coro", "loop", "threads", ... of the calling task; "none" outside one. */
const char *fo_current_model(void);

/* ---- spawn and join -------------------------------------------------------- */

typedef struct fo_task fo_task;
typedef int (*fo_task_fn)(void *arg);

/*
 * Starts fn(arg) as a new task. Inside a coroutine it becomes a coroutine on
 * the same scheduler thread; elsewhere (sequential, threads, processes) it
 * becomes a new thread. Returns NULL with errno set when no task could be
 * made. The handle must be given to fo_join() exactly once, which frees it.
 */
fo_task *fo_spawn(fo_task_fn fn, void *arg);
/*
 * Waits for t to end and frees it; stores fn's return value in *ret when ret
 * is not NULL. Returns 0, or -ECANCELED when the caller was cancelled while
 * waiting (t is then cancelled too and still reaped).
 */
int fo_join(fo_task *t, int *ret);
/* Asks t to stop: its current and later waits return -ECANCELED. */
void fo_cancel(fo_task *t);
/*
 * Starts fn(arg) as a detached task: nobody joins it, its resources go when
 * it returns (a server's task per connection). Returns 0 or a negative
 * errno. Outside coroutines the thread gets a 256 KB stack.
 */
int fo_go(fo_task_fn fn, void *arg);

/* ---- execution models ----------------------------------------------------- */

enum fo_model_kind {
	FO_MODEL_SEQUENTIAL,
	FO_MODEL_THREADS,
	FO_MODEL_PROCESSES,
	FO_MODEL_BLENDED,
	FO_MODEL_LOOP,
	FO_MODEL_CORO,
};

struct fo_model {
	enum fo_model_kind kind;
	int procs;   /* processes:N and blended:PxT */
	int threads; /* threads:N, blended's T, coro:N */
};

/* "sequential", "threads:N", "processes:N", "blended:PxT", "loop", "coro[:N]" */
#define FO_MODEL_FORMS \
	"sequential, threads:N, processes:N, blended:PxT, loop, coro or coro:N"

/*
 * Parses a model. Returns 0, or -EINVAL with a one-line reason in err.
 * "threads" alone means threads:100, "processes" alone processes:N = cores,
 * "coro" alone coro:N = cores.
 */
int fo_model_parse(const char *s, struct fo_model *m, char *err, size_t errlen);
/* Canonical text ("coro:2"); returns buf. */
char *fo_model_format(const struct fo_model *m, char *buf, size_t len);
/* The default model: coro:N with N = online cores. */
struct fo_model fo_model_default(void);
/* Total worker count: threads, procs, procs*threads, 1 for loop/sequential. */
int fo_model_workers(const struct fo_model *m);

/* ---- diagnostics ------------------------------------------------------------ */

/*
 * The library never prints. What a run cannot return (it goes on with
 * fewer workers than asked, it had to stop, the process is about to die)
 * goes to a diagnostics callback, when the caller set one: per run
 * (fo_run_opts.diag) or for the whole process (fo_set_diag()). With
 * neither, diagnostics are dropped. Every failure a call can report is
 * also in its return value, the run's stats or a task's result.
 */
enum fo_diag_level {
	FO_DIAG_FATAL = 0, /* the process dies right after the call */
	FO_DIAG_ERROR = 1, /* the run had to stop early (it ends interrupted) */
	FO_DIAG_WARN = 2,  /* the run goes on with less than asked, or an
	                      environment override was ignored */
};

/*
 * msg is one line of text without a newline or a "fanout:" prefix, valid
 * during the call only; level is an enum fo_diag_level. The callback may
 * be called from any thread the run uses (a scheduler or pool thread, not
 * only the caller's), from several threads at once, and, in the processes
 * and blended models, in a worker process (a fork of the caller). An
 * FO_DIAG_FATAL call for a coroutine stack overflow comes from a SIGSEGV
 * handler on an alternate stack: the callback must then do only
 * async-signal-safe work (write(2) is; stdio and malloc are not) and must
 * return; the process dies with SIGSEGV afterwards. fo_run_opts.quiet
 * drops FO_DIAG_WARN calls only.
 */
typedef void (*fo_diag_fn)(void *arg, int level, const char *msg);

/*
 * Sets the process-wide diagnostics callback (NULL: none, the default)
 * for runs whose fo_run_opts.diag is NULL. A run takes the callback when
 * it starts; set it before starting runs, not while one starts. arg is
 * the caller's and passed through untouched.
 */
void fo_set_diag(fo_diag_fn fn, void *arg);

/*
 * The environment's overrides (FANOUT_POLLER, FANOUT_STACK_SIZE,
 * FANOUT_RECV_BUFS): NULL when each is unset or valid, else buf, holding
 * one line that names the variable, its value and the fix. A run ignores
 * a value that does not parse (and uses the default); a program that
 * wants to refuse it instead asks here first, as the fanout command does.
 */
const char *fo_env_problem(char *buf, size_t len);

/* ---- runs: apply one task to every index 0..n-1 ---------------------------- */

enum fo_status {
	FO_OK,
	FO_FAILED,  /* the task said so */
	FO_TIMEOUT, /* the task's deadline passed */
	FO_ERROR,   /* the runtime could not run it (worker died, interrupted) */
	FO_SKIPPED, /* never started (run interrupted) */
};
#define FO_STATUS_COUNT 5
const char *fo_status_name(enum fo_status s);

/* One per task, always. Strings are owned by the run's result set. */
struct fo_result {
	size_t index;
	enum fo_status status;
	int err;         /* negative errno, 0 when ok */
	int64_t start;   /* fo_now() at start, 0 when skipped */
	int64_t end;     /* fo_now() at end */
	char *output;    /* NULL or output_len bytes plus a NUL */
	size_t output_len;
	char *error;     /* NULL or a one-line reason */
};

/* What a task gets: its index and a place for its output and error text. */
struct fo_job;
size_t fo_job_index(const struct fo_job *job);
/* Appends to the job's output (copied). Returns 0 or -ENOMEM. */
int fo_job_output(struct fo_job *job, const void *data, size_t len);
/* Sets the job's one-line error text (printf-style). */
void fo_job_errorf(struct fo_job *job, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * The task of a run. Returns 0 for ok, or a negative errno: -ETIMEDOUT makes
 * the result a timeout, -ECANCELED an error ("interrupted"), anything else
 * failed.
 */
typedef int (*fo_job_fn)(struct fo_job *job, void *arg);

struct fo_run_opts {
	struct fo_model model;
	size_t ntasks;
	fo_job_fn fn;
	void *arg;             /* shared by all tasks; in processes it is the
	                          parent's memory as of fork */
	int64_t task_timeout;  /* per task, ns; 0 = none */
	size_t max_inflight;   /* coro/loop: tasks in flight at once; 0 = all */
	/*
	 * Coroutine shared stack / pool thread stack in bytes. 0: the
	 * default (coro/loop: 256 KB, or FANOUT_STACK_SIZE when set; pool
	 * threads: 128 KB). A value set here wins over FANOUT_STACK_SIZE.
	 */
	size_t stack_size;
	/*
	 * Called once per result as it arrives, in the calling process, never
	 * twice at once. r and its strings are valid during the call only
	 * unless keep_results is set.
	 */
	void (*on_result)(const struct fo_result *r, void *arg);
	void *on_result_arg;
	bool keep_results;     /* keep every record for fo_run_result() */
	/*
	 * Run the task once on each worker instead of over ntasks indices
	 * (ntasks is ignored): index = the worker's number, 0..workers-1
	 * (scheduler threads for coro/loop, pool threads, processes, or
	 * processes x threads). For long-lived tasks such as a server's
	 * acceptors.
	 */
	bool per_worker;
	bool quiet;            /* no FO_DIAG_WARN diagnostics for this run */
	/*
	 * This run's diagnostics (see fo_diag_fn); NULL: the process-wide
	 * callback of fo_set_diag(), if any.
	 */
	fo_diag_fn diag;
	void *diag_arg;
};

struct fo_run_stats {
	size_t ntasks;
	size_t count[FO_STATUS_COUNT];
	int threads_wanted, threads_started;
	int procs_wanted, procs_started;
	int workers_died;       /* threads or processes that died mid-run */
	long maxrss_kb_sum;     /* sum of every process's peak RSS (KB) */
	bool interrupted;
	const char *poller;     /* "io_uring" or "epoll" for coro/loop */
	size_t timers_peak;     /* coro/loop: most timer entries held at once */
	int64_t wall_ns;
	size_t stack_size;      /* coro/loop: the shared stack's size in bytes */
	unsigned recv_bufs;     /* coro/loop: buffers in each thread's receive ring
				 * (fo_recv_scratch; 0: none, epoll or no kernel support) */
	size_t recv_nobufs;     /* coro/loop: fo_recv_scratch calls that found every
				 * ring buffer taken and read the other way */
};

struct fo_run;

/*
 * Runs o->fn for every index under o->model. Blocks until every task has a
 * result; returns the run (free it with fo_run_free) or NULL with *err set
 * for a run that could not start at all (no worker could be made).
 * Per-worker failures do not fail the run: they show in the stats and in
 * the results.
 */
struct fo_run *fo_run(const struct fo_run_opts *o, int *err);
const struct fo_run_stats *fo_run_stats(const struct fo_run *r);
/* The result of index i (keep_results only; NULL otherwise). */
const struct fo_result *fo_run_result(const struct fo_run *r, size_t i);
void fo_run_free(struct fo_run *r);

/*
 * Stops every run of this process: no new tasks start (they end skipped),
 * running tasks are cancelled (their waits return -ECANCELED). Safe to call
 * from a signal handler.
 */
void fo_interrupt(void);
/* Clears the interrupted state so that a later run may start. */
void fo_interrupt_reset(void);
bool fo_interrupted(void);

/* ---- process set-up --------------------------------------------------------- */

/*
 * Raises RLIMIT_NOFILE's soft limit to the hard limit. Returns the new soft
 * limit.
 */
long fo_raise_nofile(void);
/* The poller backend coroutines use here: "io_uring" or "epoll".
 * FANOUT_POLLER=epoll makes it epoll (there is no call to choose one, so
 * the environment is the only way); otherwise io_uring where the kernel
 * has it. Decided once per process, at the first run or call here. */
const char *fo_poller_name(void);

#ifdef __cplusplus
}
#endif
#endif
