/*
 * The gate of gate.h: a mutex-guarded count and FIFO of waiters, each
 * waiter parked on its own eventfd. A place passes from a leaving holder
 * straight to the first waiter (granted), so the count never drops and
 * rises again between them, and a late arrival cannot jump the queue.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "fanout/runtime.h"
#include "gate.h"

struct fo_gate_waiter {
	int fd;
	bool granted;
	struct fo_gate_waiter *next;
};

void fo_gate_init(struct fo_gate *g, int cap)
{
	pthread_mutex_init(&g->mu, NULL);
	g->cap = cap;
	g->active = 0;
	g->head = g->tail = NULL;
}

void fo_gate_release(struct fo_gate *g)
{
	pthread_mutex_destroy(&g->mu);
}

/* Takes w out of the queue (caller holds the lock). */
static void unlink_waiter(struct fo_gate *g, struct fo_gate_waiter *w)
{
	struct fo_gate_waiter **p = &g->head, *prev = NULL;

	for (; *p; prev = *p, p = &(*p)->next) {
		if (*p != w)
			continue;
		*p = w->next;
		if (g->tail == w)
			g->tail = prev;
		return;
	}
}

int fo_gate_enter(struct fo_gate *g, int64_t deadline)
{
	struct fo_gate_waiter *w;
	bool granted;
	int r;

	if (g->cap <= 0)
		return 0;
	pthread_mutex_lock(&g->mu);
	if (g->active < g->cap && !g->head) {
		g->active++;
		pthread_mutex_unlock(&g->mu);
		return 0;
	}
	/* on the heap: the holder that grants us a place writes through it */
	w = calloc(1, sizeof(*w));
	if (!w || (w->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0) {
		pthread_mutex_unlock(&g->mu);
		free(w);
		return -errno;
	}
	if (g->tail)
		g->tail->next = w;
	else
		g->head = w;
	g->tail = w;
	pthread_mutex_unlock(&g->mu);
	do
		r = fo_wait_fd(w->fd, FO_READ, deadline);
	while (r > 0 && !__atomic_load_n(&w->granted, __ATOMIC_ACQUIRE));
	pthread_mutex_lock(&g->mu);
	granted = w->granted;
	if (!granted)
		unlink_waiter(g, w);
	pthread_mutex_unlock(&g->mu);
	close(w->fd);
	free(w);
	if (granted && r < 0) {
		fo_gate_leave(g); /* granted as we gave up: pass it on */
		return r;
	}
	return granted ? 0 : (r < 0 ? r : -EAGAIN);
}

void fo_gate_leave(struct fo_gate *g)
{
	struct fo_gate_waiter *w;
	uint64_t one = 1;

	if (g->cap <= 0)
		return;
	pthread_mutex_lock(&g->mu);
	w = g->head;
	if (w) {
		g->head = w->next;
		if (!g->head)
			g->tail = NULL;
		__atomic_store_n(&w->granted, true, __ATOMIC_RELEASE);
		if (write(w->fd, &one, sizeof(one)) < 0) {
			/* cannot fail on an eventfd below its maximum */
		}
	} else {
		g->active--;
	}
	pthread_mutex_unlock(&g->mu);
}
