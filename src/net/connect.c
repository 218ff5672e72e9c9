/*
 * Happy eyeballs on the runtime's waits (connect.h). Attempts are started
 * in order; each is a non-blocking connect whose socket, while it is in
 * flight, sits in the call's epoll set, and the task waits on that set
 * until an attempt finishes or the next is due (FO_CONNECT_STAGGER after
 * the last start). A failure starts the next address at once. What each
 * address came to is kept in err, so that a host whose every address
 * failed says why for each.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fanout/runtime.h"
#include "connect.h"

/* More addresses than any sane name has are not tried. */
#define MAX_ADDRS 64

struct attempt {
	struct sockaddr_storage ss;
	socklen_t sl;
	char addr[INET6_ADDRSTRLEN];
	int fd; /* -1: not started or over */
};

struct hev {
	struct attempt a[MAX_ADDRS];
	size_t n, next, live;
	int port, epfd;
	char *err;
	size_t errlen, errused;
};

/* One address's outcome, appended to err. */
static void note(struct hev *h, const struct attempt *a, const char *why)
{
	int k;

	if (h->errused >= h->errlen)
		return;
	if (h->errused == 0)
		k = snprintf(h->err, h->errlen, "connect to %s port %d: %s", a->addr, h->port, why);
	else
		k = snprintf(h->err + h->errused, h->errlen - h->errused, "; %s: %s", a->addr, why);
	if (k > 0)
		h->errused += (size_t)k;
	if (h->errused >= h->errlen)
		h->errused = h->errlen;
}

/* addrs into h->a; 0 or -EINVAL (none, or one not numeric: err says). */
static int parse(struct hev *h, const char *addrs)
{
	const char *p = addrs;

	while (*p && h->n < MAX_ADDRS) {
		size_t l = strcspn(p, ",");
		struct attempt *a = &h->a[h->n];

		if (l >= sizeof(a->addr)) {
			snprintf(h->err, h->errlen, "not an address: '%.*s'", (int)l, p);
			return -EINVAL;
		}
		memcpy(a->addr, p, l);
		a->addr[l] = 0;
		memset(&a->ss, 0, sizeof(a->ss));
		a->fd = -1;
		if (inet_pton(AF_INET, a->addr, &((struct sockaddr_in *)&a->ss)->sin_addr) == 1) {
			((struct sockaddr_in *)&a->ss)->sin_family = AF_INET;
			((struct sockaddr_in *)&a->ss)->sin_port = htons((uint16_t)h->port);
			a->sl = sizeof(struct sockaddr_in);
		} else if (inet_pton(AF_INET6, a->addr, &((struct sockaddr_in6 *)&a->ss)->sin6_addr) == 1) {
			((struct sockaddr_in6 *)&a->ss)->sin6_family = AF_INET6;
			((struct sockaddr_in6 *)&a->ss)->sin6_port = htons((uint16_t)h->port);
			a->sl = sizeof(struct sockaddr_in6);
		} else {
			snprintf(h->err, h->errlen, "not an address: '%s'", a->addr);
			return -EINVAL;
		}
		h->n++;
		p += l + (p[l] == ',');
	}
	if (!h->n) {
		snprintf(h->err, h->errlen, "no address to connect to");
		return -EINVAL;
	}
	return 0;
}

/* Starts the next attempt: 1 connected at once (its fd is the answer), 0
 * in flight, -errno failed at once (noted). */
static int start(struct hev *h, int *fd)
{
	struct attempt *a = &h->a[h->next++];
	struct epoll_event ev = { .events = EPOLLOUT };
	int s = socket(a->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), e;

	if (s < 0) {
		e = -errno;
		note(h, a, strerror(-e));
		return e;
	}
	if (connect(s, (struct sockaddr *)&a->ss, a->sl) == 0) {
		*fd = s;
		return 1;
	}
	if (errno != EINPROGRESS) {
		e = -errno;
		note(h, a, strerror(-e));
		close(s);
		return e;
	}
	if (h->epfd >= 0) {
		ev.data.u64 = (uint64_t)(a - h->a);
		if (epoll_ctl(h->epfd, EPOLL_CTL_ADD, s, &ev) < 0) {
			e = -errno;
			note(h, a, strerror(-e));
			close(s);
			return e;
		}
	}
	a->fd = s;
	h->live++;
	return 0;
}

/* Attempt a has finished: 1 connected, else -errno (noted, closed). */
static int finish(struct hev *h, struct attempt *a)
{
	int soerr = 0;
	socklen_t el = sizeof(soerr);

	if (getsockopt(a->fd, SOL_SOCKET, SO_ERROR, &soerr, &el) < 0)
		soerr = errno;
	if (!soerr)
		return 1;
	note(h, a, strerror(soerr));
	if (h->epfd >= 0)
		epoll_ctl(h->epfd, EPOLL_CTL_DEL, a->fd, NULL);
	close(a->fd);
	a->fd = -1;
	h->live--;
	return -soerr;
}

/* Waits for the attempts in flight until due: the attempt that finished
 * (NULL when none did by due), or NULL with *e set on -ECANCELED or the
 * task's own deadline. */
static struct attempt *wait_any(struct hev *h, int64_t due, int *e)
{
	struct epoll_event ev;
	int w, n;

	if (h->epfd < 0) {
		struct attempt *a = &h->a[0];

		w = fo_wait_fd(a->fd, FO_WRITE, due);
		if (w < 0) {
			*e = w;
			return NULL;
		}
		return a;
	}
	w = fo_wait_fd(h->epfd, FO_READ, due);
	if (w < 0) {
		*e = w;
		return NULL;
	}
	n = epoll_wait(h->epfd, &ev, 1, 0);
	return n == 1 ? &h->a[ev.data.u64] : NULL;
}

int fo_connect(const char *addrs, int port, int64_t deadline, char *used, size_t usedlen, char *err,
	       size_t errlen)
{
	struct hev *h = calloc(1, sizeof(*h));
	struct attempt *a = NULL;
	int64_t next_at = 0;
	int fd = -1, e = 0, last = -ECONNREFUSED;
	size_t i;

	if (!h) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	h->port = port;
	h->epfd = -1;
	h->err = err;
	h->errlen = errlen;
	err[0] = 0;
	if ((e = parse(h, addrs)) < 0)
		goto out;
	if (h->n > 1 && (h->epfd = epoll_create1(EPOLL_CLOEXEC)) < 0) {
		e = -errno;
		snprintf(err, errlen, "epoll_create1: %s", strerror(-e));
		goto out;
	}
	for (;;) {
		int64_t now = fo_now(), due;
		int r, w = 0;

		/* the next address: at once when nothing is in flight, else
		 * once the last has had its 250 ms */
		if (h->next < h->n && (h->live == 0 || now >= next_at)) {
			r = start(h, &fd);
			if (r == 1) {
				a = &h->a[h->next - 1];
				break;
			}
			if (r < 0)
				last = r;
			next_at = now + FO_CONNECT_STAGGER;
			continue;
		}
		if (h->live == 0) {
			e = last; /* every address failed */
			goto out;
		}
		if (now >= deadline) {
			e = -ETIMEDOUT;
			goto out;
		}
		due = h->next < h->n && next_at < deadline ? next_at : deadline;
		a = wait_any(h, due, &w);
		if (w == -ETIMEDOUT && h->next < h->n && fo_now() >= next_at && fo_now() < deadline)
			continue; /* the next address is due */
		if (w < 0) {
			e = w;
			goto out;
		}
		if (!a || a->fd < 0)
			continue;
		r = finish(h, a);
		if (r == 1) {
			fd = a->fd;
			a->fd = -1;
			break;
		}
		last = r;
		next_at = 0; /* a failure starts the next at once */
	}
	/* connected: a is the winner */
	snprintf(used, usedlen, "%s", a->addr);
	err[0] = 0;
out:
	for (i = 0; i < h->next; i++)
		if (h->a[i].fd >= 0) {
			if (e == -ETIMEDOUT)
				note(h, &h->a[i], "timed out");
			close(h->a[i].fd);
		}
	if (e == -ECANCELED)
		snprintf(err, errlen, "connect to %s port %d: interrupted", h->a[0].addr, port);
	if (h->epfd >= 0)
		close(h->epfd);
	free(h);
	return e < 0 ? e : fd;
}
