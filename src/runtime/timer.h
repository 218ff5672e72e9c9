/*
 * User-space timers of one scheduler thread: no kernel timer per task, one
 * kernel wait per loop turn until the earliest deadline.
 *
 * Most timers of a run are "now + the same duration", so deadlines mostly
 * arrive in order: those go to a FIFO ring (O(1) in and out, read in
 * sequence). The rest go to a 4-ary min-heap (a node's four children share
 * one or two cache lines). Cancel is lazy: entries are never removed
 * early; their owner tells a stale one from a live one (the scheduler keeps
 * the deadline of each task's one live entry; seq is there for owners that
 * prefer a sequence number). So the heap never needs a back index in the
 * task, and cancel costs nothing.
 */
#ifndef FO_TIMER_H
#define FO_TIMER_H

#include <stddef.h>
#include <stdint.h>

struct fo__timer_ent {
	int64_t deadline;
	void *owner;
	uint64_t seq;
};

struct fo__timers {
	/* FIFO ring of in-order deadlines */
	struct fo__timer_ent *ring;
	size_t ring_cap, ring_head, ring_len; /* cap is a power of two */
	/* the 4-ary heap for the rest */
	struct fo__timer_ent *heap;
	size_t heap_len, heap_cap;
};

void fo__timers_init(struct fo__timers *t);
void fo__timers_release(struct fo__timers *t);
/* Returns 0 or -ENOMEM. */
int fo__timers_add(struct fo__timers *t, int64_t deadline, void *owner, uint64_t seq);
/* The earliest deadline (maybe of a stale entry), or INT64_MAX. */
int64_t fo__timers_next(const struct fo__timers *t);
/* Removes and returns the earliest entry if its deadline <= now. */
int fo__timers_pop(struct fo__timers *t, int64_t now, struct fo__timer_ent *out);
size_t fo__timers_len(const struct fo__timers *t);

#endif
