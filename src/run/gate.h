/*
 * A gate: at most cap holders at once, the others wait in FIFO order.
 * `fanout run` puts SSH logins through one, so that thousands of hosts in
 * flight do not all shake hands at once: a handshake costs the client
 * about 1.4 ms of CPU and the server ten times that, and a thousand at
 * once overflowed a listener's queue and tripped connect timeouts, while
 * the commands after the login (mostly waiting on devices) need no cap.
 *
 * Works under every model: a waiter parks on an eventfd of its own
 * (fo_wait_fd), and a leaving holder hands its place to the first waiter
 * by writing to that eventfd, from any thread. So a release wakes one
 * waiter, never all of them. A waiter costs one descriptor while it waits.
 */
#ifndef FO_RUN_GATE_H
#define FO_RUN_GATE_H

#include <pthread.h>
#include <stdint.h>

struct fo_gate_waiter;

struct fo_gate {
	pthread_mutex_t mu;
	int cap, active;
	struct fo_gate_waiter *head, *tail;
};

/* cap <= 0: no limit. */
void fo_gate_init(struct fo_gate *g, int cap);
void fo_gate_release(struct fo_gate *g);

/* Waits for a place until deadline: 0, or -ETIMEDOUT / -ECANCELED / -errno
 * (then the caller holds no place). */
int fo_gate_enter(struct fo_gate *g, int64_t deadline);
/* Gives the place back (to the first waiter, if any). */
void fo_gate_leave(struct fo_gate *g);

#endif
