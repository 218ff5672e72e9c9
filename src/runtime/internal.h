/*
 * What the runtime's files share and nobody else sees: the run control
 * block that every model pulls task indices from and records results into,
 * the job record a task writes its output to, and the thread-local "where am
 * I" that lets fo_sleep_until() and fo_wait_fd() pick the coroutine or the
 * blocking implementation.
 */
#ifndef FO_INTERNAL_H
#define FO_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <sys/types.h>

#include "fanout/runtime.h"

struct fo_job {
	size_t index;
	int64_t start;
	int64_t deadline;
	char *out;
	size_t out_len, out_cap;
	char *err;
};

struct fo__runctl {
	const struct fo_run_opts *o;
	size_t n;
	atomic_size_t *next;     /* the claim counter (maybe in shared memory) */
	atomic_size_t next_local;
	atomic_int *shared_intr; /* processes: the parent's interrupt flag */
	/* Where results go: to this process's result set, or (in a worker
	 * process) to the parent through a pipe. */
	void (*record)(struct fo__runctl *rc, size_t index, enum fo_status st, int err, int64_t start,
		       int64_t end, char *out, size_t out_len, char *errtext);
	int wfd;                 /* worker process: the result pipe */
	pthread_mutex_t lock;    /* on_result calls, pipe writes */
	struct fo_result *results;
	atomic_size_t counts[FO_STATUS_COUNT];
	const char *model_name;  /* for fo_current_model() */
	size_t worker_base;      /* per_worker: this process's first worker number */
	unsigned char *pw_claimed; /* per_worker: which workers took their index */
	fo_diag_fn diag;         /* o->diag, or the process-wide one; NULL: none */
	void *diag_arg;
};

/* Formats a diagnostic and hands it to the run's callback (none: dropped;
 * o->quiet drops FO_DIAG_WARN). Not for signal handlers. */
void fo__diag(const struct fo__runctl *rc, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Claims up to want indices; returns how many (0 when none are left or the
 * run was interrupted) and the first in *first. */
size_t fo__claim(struct fo__runctl *rc, size_t want, size_t *first);
/* Maps a task's return value to its status and records the job's result;
 * frees or hands on the job's strings. */
void fo__job_finish(struct fo__runctl *rc, struct fo_job *job, int ret);
/* Records an index that never ran. */
void fo__record_skip(struct fo__runctl *rc, size_t index, enum fo_status st, int err, const char *why);
void fo__record_local(struct fo__runctl *rc, size_t index, enum fo_status st, int err, int64_t start,
		      int64_t end, char *out, size_t out_len, char *errtext);

/* Models. Each returns 0, or a negative errno when not one worker started. */
int fo__coro_run(struct fo__runctl *rc, int nthreads, struct fo_run_stats *st);
int fo__pool_run(struct fo__runctl *rc, int nthreads, struct fo_run_stats *st);
int fo__proc_run(struct fo__runctl *rc, int procs, int threads, struct fo_run_stats *st);

/* The process-wide interrupt: an eventfd that turns readable, and stays so,
 * when fo_interrupt() is called. Every blocking wait polls it; every
 * scheduler watches it. */
int fo__intr_fd(void);

/* Blocking-mode task context (sequential, threads, processes). */
struct fo__btask {
	int64_t deadline;
	atomic_bool cancelled;
	int cancel_fd;           /* -1, or an eventfd fo_cancel() writes */
};

enum { FO__TASK_CORO = 1, FO__TASK_THREAD = 2 };

/* A task handle starts with its kind: a coroutine or a thread. */
struct fo_task {
	int kind;
};

struct fo__sched;
struct fo__task;

struct fo__cur {
	struct fo__sched *sched; /* this thread's coroutine scheduler */
	struct fo__task *task;   /* the running coroutine */
	struct fo__btask *btask; /* the running blocking-mode task */
	const char *model;
	size_t worker;           /* this worker's number (per_worker runs) */
	bool own_claimed;        /* per_worker: it has taken its index */
};
extern __thread struct fo__cur fo__cur;

/* Marks the calling thread as worker w of a run (per_worker runs). */
static inline void fo__set_worker(size_t w)
{
	fo__cur.worker = w;
	fo__cur.own_claimed = false;
}

/* Coroutine halves of the waits and of spawn/join (sched.c). */
int fo__coro_sleep_until(int64_t deadline);
int fo__coro_wait_fd(int fd, int events, int64_t deadline);
void fo__coro_yield(void);
ssize_t fo__coro_io(bool send, int fd, void *buf, size_t len, int64_t deadline);
/* fo_recv_scratch, in and out of coroutines */
ssize_t fo__coro_recv_scratch(int fd, void *buf, size_t len, int64_t deadline);
/* recv, and a readiness wait while there is nothing (wait.c) */
ssize_t fo__recv_poll(int fd, void *buf, size_t len, int64_t deadline);
/* fo_send_recv in a coroutine: -ENOTSUP where it takes the two calls */
ssize_t fo__coro_send_recv(int fd, const void *sbuf, size_t slen, void *rbuf, size_t rlen, int64_t deadline);
int64_t fo__coro_deadline(void);
bool fo__coro_cancelled(void);
fo_task *fo__coro_spawn(fo_task_fn fn, void *arg, bool detached);
int fo__coro_join(fo_task *t, int *ret);
void fo__coro_cancel(fo_task *t);

/* The environment's overrides: 0, or -EINVAL (and the default in *out)
 * when the value does not parse (fo_env_problem() says which). */
int fo__stack_env(size_t *size);      /* FANOUT_STACK_SIZE (sched.c) */
int fo__recv_bufs_env(unsigned *n);   /* FANOUT_RECV_BUFS (poll_uring.c) */

/* Default sizes. */
#define FO__STACK_DEFAULT (256 * 1024)
#define FO__POOL_STACK_DEFAULT (128 * 1024)

#endif
