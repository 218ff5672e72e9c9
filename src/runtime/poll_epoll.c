/*
 * The epoll backend. A registration is EPOLLONESHOT; after it fires, the fd
 * stays in the epoll set, disabled, so the next wait on the same fd is one
 * EPOLL_CTL_MOD instead of ADD+DEL. A small table per poller remembers
 * which fds are in the set; a closed fd leaves the set by itself, so MOD
 * falling back to ADD (and ADD to MOD) keeps the table honest.
 * Waits use epoll_pwait2 for nanosecond deadlines (epoll_wait rounds to ms).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "fanout/runtime.h"
#include "poller.h"

struct ep {
	int fd;
	unsigned char *reg; /* reg[fd]: fd is in the set */
	size_t reg_cap;
	struct epoll_event evs[256];
};

static int ep_init(struct fo__poller *p)
{
	struct ep *e = calloc(1, sizeof(*e));

	if (!e)
		return -ENOMEM;
	e->fd = epoll_create1(EPOLL_CLOEXEC);
	if (e->fd < 0) {
		int err = -errno;

		free(e);
		return err;
	}
	p->impl = e;
	return 0;
}

static void ep_release(struct fo__poller *p)
{
	struct ep *e = p->impl;

	if (!e)
		return;
	close(e->fd);
	free(e->reg);
	free(e);
	p->impl = NULL;
}

static int reg_mark(struct ep *e, int fd, unsigned char v)
{
	if ((size_t)fd >= e->reg_cap) {
		size_t ncap = e->reg_cap ? e->reg_cap : 64;
		unsigned char *n;

		while (ncap <= (size_t)fd)
			ncap *= 2;
		n = realloc(e->reg, ncap);
		if (!n)
			return -ENOMEM;
		memset(n + e->reg_cap, 0, ncap - e->reg_cap);
		e->reg = n;
		e->reg_cap = ncap;
	}
	e->reg[fd] = v;
	return 0;
}

static int ep_arm(struct fo__poller *p, int fd, int events, uint64_t key)
{
	struct ep *e = p->impl;
	struct epoll_event ev;
	int op;

	if (fd < 0)
		return -EBADF;
	ev.events = EPOLLONESHOT | ((events & FO_READ) ? EPOLLIN | EPOLLRDHUP : 0) |
		    ((events & FO_WRITE) ? EPOLLOUT : 0);
	ev.data.u64 = key;
	op = ((size_t)fd < e->reg_cap && e->reg[fd]) ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
	if (epoll_ctl(e->fd, op, fd, &ev) < 0) {
		if (errno == ENOENT && op == EPOLL_CTL_MOD)
			op = EPOLL_CTL_ADD;
		else if (errno == EEXIST && op == EPOLL_CTL_ADD)
			op = EPOLL_CTL_MOD;
		else
			return -errno;
		if (epoll_ctl(e->fd, op, fd, &ev) < 0)
			return -errno;
	}
	return reg_mark(e, fd, 1);
}

static int ep_disarm(struct fo__poller *p, int fd, uint64_t key)
{
	struct ep *e = p->impl;

	(void)key;
	if ((size_t)fd < e->reg_cap)
		e->reg[fd] = 0;
	if (epoll_ctl(e->fd, EPOLL_CTL_DEL, fd, NULL) < 0 && errno != ENOENT && errno != EBADF)
		return -errno;
	return 0;
}

static int ep_wait(struct fo__poller *p, int64_t deadline, struct fo__poll_ev *out, int max)
{
	struct ep *e = p->impl;
	struct timespec ts, *tsp = NULL;
	int n, i;

	if (max > (int)(sizeof(e->evs) / sizeof(e->evs[0])))
		max = (int)(sizeof(e->evs) / sizeof(e->evs[0]));
	if (deadline != INT64_MAX) {
		int64_t d = deadline == 0 ? 0 : deadline - fo_now();

		if (d < 0)
			d = 0;
		ts.tv_sec = d / FO_SEC;
		ts.tv_nsec = d % FO_SEC;
		tsp = &ts;
	}
	n = epoll_pwait2(e->fd, e->evs, max, tsp, NULL);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	for (i = 0; i < n; i++) {
		uint32_t r = e->evs[i].events;
		int rev = 0;

		if (r & (EPOLLERR | EPOLLHUP))
			rev = FO_READ | FO_WRITE;
		if (r & (EPOLLIN | EPOLLRDHUP))
			rev |= FO_READ;
		if (r & EPOLLOUT)
			rev |= FO_WRITE;
		out[i].key = e->evs[i].data.u64;
		out[i].revents = rev;
	}
	return n;
}

const struct fo__poller_ops fo__poll_epoll_ops = {
	.name = "epoll",
	.async_disarm = false,
	.init = ep_init,
	.release = ep_release,
	.arm = ep_arm,
	.disarm = ep_disarm,
	.wait = ep_wait,
};
