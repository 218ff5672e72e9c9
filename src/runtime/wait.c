/*
 * The two waits, spawn and join, as tasks call them: in a coroutine they
 * park the task (sched.c); anywhere else (sequential, threads, processes)
 * they block the calling thread in ppoll(), which also watches the
 * process-wide interrupt eventfd and the task's own cancel eventfd, so that
 * fo_interrupt() and fo_cancel() wake a blocked thread at once.
 */
#include <errno.h>
#include <sys/socket.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <unistd.h>

#include "internal.h"
#include "poller.h"

/* ---- the interrupt ----------------------------------------------------------- */

static atomic_int intr_fd = -1;
static atomic_bool intr_flag;
static pthread_once_t intr_once = PTHREAD_ONCE_INIT;

static void intr_init(void)
{
	atomic_store(&intr_fd, eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
}

int fo__intr_fd(void)
{
	pthread_once(&intr_once, intr_init);
	return atomic_load(&intr_fd);
}

void fo_interrupt(void)
{
	int fd = atomic_load(&intr_fd);
	uint64_t one = 1;

	atomic_store(&intr_flag, true);
	if (fd >= 0 && write(fd, &one, sizeof(one)) < 0) {
		/* the counter is already non-zero: it is readable anyway */
	}
}

void fo_interrupt_reset(void)
{
	int fd = fo__intr_fd();
	uint64_t v;

	atomic_store(&intr_flag, false);
	while (read(fd, &v, sizeof(v)) > 0)
		;
}

bool fo_interrupted(void)
{
	return atomic_load(&intr_flag);
}

/* ---- blocking mode ------------------------------------------------------------- */

static inline bool btask_stopped(struct fo__btask *b)
{
	return atomic_load(&intr_flag) || (b && atomic_load(&b->cancelled));
}

/* One ppoll over fd (or none), the interrupt and the cancel fd. */
static int block(int fd, int events, int64_t deadline, int tmo_res)
{
	struct fo__btask *b = fo__cur.btask;
	struct pollfd p[3];
	int n = 0, r, fdi = -1;

	for (;;) {
		struct timespec ts, *tsp = NULL;
		int64_t now;

		if (btask_stopped(b))
			return -ECANCELED;
		n = 0;
		if (fd >= 0) {
			fdi = n;
			p[n].fd = fd;
			p[n].events = (short)(((events & FO_READ) ? POLLIN | POLLRDHUP : 0) |
					      ((events & FO_WRITE) ? POLLOUT : 0));
			n++;
		}
		p[n].fd = fo__intr_fd();
		p[n++].events = POLLIN;
		if (b && b->cancel_fd >= 0) {
			p[n].fd = b->cancel_fd;
			p[n++].events = POLLIN;
		}
		if (deadline != FO_NEVER) {
			now = fo_now();
			if (deadline <= now)
				return tmo_res;
			ts.tv_sec = (deadline - now) / FO_SEC;
			ts.tv_nsec = (deadline - now) % FO_SEC;
			tsp = &ts;
		}
		r = ppoll(p, (nfds_t)n, tsp, NULL);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			continue; /* the deadline check above returns */
		if (fdi >= 0 && p[fdi].revents) {
			int rev = 0;

			if (p[fdi].revents & (POLLERR | POLLHUP | POLLNVAL))
				rev = FO_READ | FO_WRITE;
			if (p[fdi].revents & (POLLIN | POLLRDHUP))
				rev |= FO_READ;
			if (p[fdi].revents & POLLOUT)
				rev |= FO_WRITE;
			return rev;
		}
		/* The interrupt fd is shared with forked workers, whose
		 * flag the parent's fo_interrupt() cannot set: readable
		 * means interrupted, here too. */
		if (p[fdi + 1].revents & POLLIN) {
			atomic_store(&intr_flag, true);
			return -ECANCELED;
		}
		/* the cancel fd: the loop's check returns */
	}
}

static int64_t btask_deadline(void)
{
	return fo__cur.btask ? fo__cur.btask->deadline : FO_NEVER;
}

int fo_sleep_until(int64_t deadline)
{
	int64_t td;

	if (fo__cur.task)
		return fo__coro_sleep_until(deadline);
	td = btask_deadline();
	if (td < deadline)
		return block(-1, 0, td, -ETIMEDOUT);
	return block(-1, 0, deadline, 0);
}

int fo_sleep(int64_t ns)
{
	int64_t now = fo_now();

	return fo_sleep_until(ns >= FO_NEVER - now ? FO_NEVER : now + ns);
}

int fo_wait_fd(int fd, int events, int64_t deadline)
{
	int64_t td;

	if (fo__cur.task)
		return fo__coro_wait_fd(fd, events, deadline);
	if (fd < 0)
		return -EBADF;
	if (!(events & (FO_READ | FO_WRITE)))
		return -EINVAL;
	td = btask_deadline();
	if (td < deadline)
		return block(fd, events, td, -ETIMEDOUT);
	return block(fd, events, deadline, -ETIMEDOUT);
}

/* recv, and a readiness wait while there is nothing: the way of every
 * read that the kernel does not do on its own. */
ssize_t fo__recv_poll(int fd, void *buf, size_t len, int64_t deadline)
{
	for (;;) {
		ssize_t n = recv(fd, buf, len, MSG_DONTWAIT);
		int r;

		if (n >= 0)
			return n;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return -errno;
		r = fo_wait_fd(fd, FO_READ, deadline);
		if (r < 0)
			return r;
	}
}

ssize_t fo_recv(int fd, void *buf, size_t len, int64_t deadline)
{
	if (fo__cur.task) {
		ssize_t n = fo__coro_io(false, fd, buf, len, deadline);

		if (n != -ENOTSUP)
			return n;
	}
	return fo__recv_poll(fd, buf, len, deadline);
}

/* Outside a coroutine fo__coro_recv_scratch is fo_recv: one read of the
 * thread-local, not two, on the hot path. */
ssize_t fo_recv_scratch(int fd, void *buf, size_t len, int64_t deadline)
{
	return fo__coro_recv_scratch(fd, buf, len, deadline);
}

ssize_t fo_send(int fd, const void *buf, size_t len, int64_t deadline)
{
	if (fo__cur.task) {
		ssize_t n = fo__coro_io(true, fd, (void *)buf, len, deadline);

		if (n != -ENOTSUP)
			return n;
	}
	for (;;) {
		ssize_t n = send(fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
		int r;

		if (n >= 0)
			return n;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return -errno;
		r = fo_wait_fd(fd, FO_WRITE, deadline);
		if (r < 0)
			return r;
	}
}

ssize_t fo_send_recv(int fd, const void *sbuf, size_t slen, void *rbuf, size_t rlen, int64_t deadline)
{
	const char *p = sbuf;

	if (fo__cur.task) {
		ssize_t n = fo__coro_send_recv(fd, sbuf, slen, rbuf, rlen, deadline);

		if (n != -ENOTSUP && n != -EBUSY)
			return n;
	}
	while (slen) {
		ssize_t w = fo_send(fd, p, slen, deadline);

		if (w < 0)
			return w;
		p += w;
		slen -= (size_t)w;
	}
	return fo_recv_scratch(fd, rbuf, rlen, deadline);
}

void fo_yield(void)
{
	if (fo__cur.task)
		fo__coro_yield();
	else
		sched_yield();
}

int64_t fo_deadline(void)
{
	if (fo__cur.task)
		return fo__coro_deadline();
	return btask_deadline();
}

bool fo_cancelled(void)
{
	if (fo__cur.task)
		return fo__coro_cancelled();
	return btask_stopped(fo__cur.btask);
}

const char *fo_current_model(void)
{
	return fo__cur.model ? fo__cur.model : "none";
}

/* ---- spawn and join outside coroutines: a thread per task ------------------------ */

struct ttask {
	struct fo_task h;
	bool detached;
	pthread_t thread;
	fo_task_fn fn;
	void *arg;
	int ret;
	const char *model;
	struct fo__btask b;
};

static void *ttask_main(void *p)
{
	struct ttask *t = p;

	fo__cur.btask = &t->b;
	fo__cur.model = t->model;
	t->ret = t->fn(t->arg);
	if (t->detached)
		free(t); /* it had no cancel_fd: nobody holds its handle */
	return NULL;
}

static struct ttask *thread_spawn(fo_task_fn fn, void *arg, bool detached)
{
	struct ttask *t = calloc(1, sizeof(*t));
	pthread_attr_t attr;
	int err;

	if (!t)
		return NULL;
	t->h.kind = FO__TASK_THREAD;
	t->fn = fn;
	t->arg = arg;
	t->detached = detached;
	t->model = fo__cur.model;
	t->b.deadline = btask_deadline();
	/* A detached thread (fo_go) has no handle to cancel it by, so no
	 * eventfd: a thread per connection would otherwise cost two
	 * descriptors. The run's interrupt still reaches it. */
	t->b.cancel_fd = detached ? -1 : eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (!detached && t->b.cancel_fd < 0) {
		err = errno;
		free(t);
		errno = err;
		return NULL;
	}
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	if (detached)
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	err = pthread_create(&t->thread, &attr, ttask_main, t);
	pthread_attr_destroy(&attr);
	if (err) {
		if (t->b.cancel_fd >= 0)
			close(t->b.cancel_fd);
		free(t);
		errno = err;
		return NULL;
	}
	return t;
}

fo_task *fo_spawn(fo_task_fn fn, void *arg)
{
	struct ttask *t;

	if (fo__cur.task)
		return fo__coro_spawn(fn, arg, false);
	t = thread_spawn(fn, arg, false);
	return t ? &t->h : NULL;
}

int fo_go(fo_task_fn fn, void *arg)
{
	if (fo__cur.task)
		return fo__coro_spawn(fn, arg, true) ? 0 : -ENOMEM;
	return thread_spawn(fn, arg, true) ? 0 : -errno;
}

void fo_cancel(fo_task *h)
{
	struct ttask *t = (struct ttask *)h;
	uint64_t one = 1;

	if (!h)
		return;
	if (h->kind != FO__TASK_THREAD) {
		fo__coro_cancel(h);
		return;
	}
	atomic_store(&t->b.cancelled, true);
	if (write(t->b.cancel_fd, &one, sizeof(one)) < 0) {
		/* already readable */
	}
}

int fo_join(fo_task *h, int *ret)
{
	struct ttask *t = (struct ttask *)h;

	if (!h)
		return -EINVAL;
	if (h->kind != FO__TASK_THREAD)
		return fo__coro_join(h, ret);
	pthread_join(t->thread, NULL);
	if (ret)
		*ret = t->ret;
	close(t->b.cancel_fd);
	free(t);
	return 0;
}

/* ---- process set-up --------------------------------------------------------------- */

long fo_raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return -errno;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			getrlimit(RLIMIT_NOFILE, &rl);
	}
	return (long)rl.rlim_cur;
}

/*
 * The backend is decided once per process. Schedulers ask for it with
 * fo__poller_choose(), which does not probe: the first scheduler tries
 * io_uring for real and reports with fo__poller_failed() when the kernel
 * refuses, so a run pays for no throw-away ring. fo_poller_name() probes
 * when nothing has decided yet.
 */
static _Atomic(const struct fo__poller_ops *) chosen;

const struct fo__poller_ops *fo__poller_choose(void)
{
	const struct fo__poller_ops *c = atomic_load(&chosen);
	const char *env;

	if (c)
		return c;
	env = getenv("FANOUT_POLLER"); /* anything else: io_uring, as fo_env_problem() says */
	if (env && !strcmp(env, "epoll"))
		c = &fo__poll_epoll_ops;
	else
		c = &fo__poll_uring_ops;
	atomic_store(&chosen, c);
	return c;
}

void fo__poller_failed(const struct fo__poller_ops *ops)
{
	if (ops != &fo__poll_epoll_ops)
		atomic_store(&chosen, &fo__poll_epoll_ops);
}

const char *fo_env_problem(char *buf, size_t len)
{
	const char *poller = getenv("FANOUT_POLLER"), *v;
	size_t stack;
	unsigned bufs;

	if (poller && *poller && strcmp(poller, "epoll") && strcmp(poller, "io_uring")) {
		snprintf(buf, len, "FANOUT_POLLER='%.64s' is not a poller: set it to epoll or io_uring, or unset it",
			 poller);
		return buf;
	}
	if (fo__stack_env(&stack) < 0) {
		v = getenv("FANOUT_STACK_SIZE");
		snprintf(buf, len, "FANOUT_STACK_SIZE='%.64s' is not a stack size: give N, Nk or Nm of at least 16k "
			 "(e.g. 512k), or unset it", v);
		return buf;
	}
	if (fo__recv_bufs_env(&bufs) < 0) {
		v = getenv("FANOUT_RECV_BUFS");
		snprintf(buf, len, "FANOUT_RECV_BUFS='%.64s' is not a count: give a whole number (0 for none, "
			 "default 128), or unset it", v);
		return buf;
	}
	return NULL;
}

const char *fo_poller_name(void)
{
	const struct fo__poller_ops *c = fo__poller_choose();

	if (c != &fo__poll_epoll_ops) {
		struct fo__poller p = { 0 };

		if (c->init(&p) == 0)
			c->release(&p);
		else
			fo__poller_failed(c);
	}
	return fo__poller_choose()->name;
}
