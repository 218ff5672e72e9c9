/*
 * Timers: an in-order FIFO ring plus a 4-ary heap (see timer.h for why).
 * Measured at 10^6 timers in tests/test-timer.c and bench/: with deadlines
 * of now + constant every add and pop is O(1); out-of-order ones cost
 * O(log4 n).
 */
#include <errno.h>
#include <stdlib.h>

#include "timer.h"

void fo__timers_init(struct fo__timers *t)
{
	t->ring = NULL;
	t->ring_cap = t->ring_head = t->ring_len = 0;
	t->heap = NULL;
	t->heap_len = t->heap_cap = 0;
}

void fo__timers_release(struct fo__timers *t)
{
	free(t->ring);
	free(t->heap);
	fo__timers_init(t);
}

size_t fo__timers_len(const struct fo__timers *t)
{
	return t->ring_len + t->heap_len;
}

static int ring_grow(struct fo__timers *t)
{
	size_t ncap = t->ring_cap ? t->ring_cap * 2 : 256, i;
	struct fo__timer_ent *n = malloc(ncap * sizeof(*n));

	if (!n)
		return -ENOMEM;
	for (i = 0; i < t->ring_len; i++)
		n[i] = t->ring[(t->ring_head + i) & (t->ring_cap - 1)];
	free(t->ring);
	t->ring = n;
	t->ring_cap = ncap;
	t->ring_head = 0;
	return 0;
}

static void heap_up(struct fo__timer_ent *h, size_t i)
{
	struct fo__timer_ent e = h[i];

	while (i > 0) {
		size_t p = (i - 1) / 4;

		if (h[p].deadline <= e.deadline)
			break;
		h[i] = h[p];
		i = p;
	}
	h[i] = e;
}

static void heap_down(struct fo__timer_ent *h, size_t n, size_t i)
{
	struct fo__timer_ent e = h[i];

	for (;;) {
		size_t c = 4 * i + 1, best, k, end;

		if (c >= n)
			break;
		best = c;
		end = c + 4 < n ? c + 4 : n;
		for (k = c + 1; k < end; k++)
			if (h[k].deadline < h[best].deadline)
				best = k;
		if (h[best].deadline >= e.deadline)
			break;
		h[i] = h[best];
		i = best;
	}
	h[i] = e;
}

int fo__timers_add(struct fo__timers *t, int64_t deadline, void *owner, uint64_t seq)
{
	struct fo__timer_ent e = { deadline, owner, seq };

	if (t->ring_len == 0 ||
	    t->ring[(t->ring_head + t->ring_len - 1) & (t->ring_cap - 1)].deadline <= deadline) {
		if (t->ring_len == t->ring_cap && ring_grow(t) < 0)
			return -ENOMEM;
		t->ring[(t->ring_head + t->ring_len) & (t->ring_cap - 1)] = e;
		t->ring_len++;
		return 0;
	}
	if (t->heap_len == t->heap_cap) {
		size_t ncap = t->heap_cap ? t->heap_cap * 2 : 256;
		struct fo__timer_ent *n = realloc(t->heap, ncap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		t->heap = n;
		t->heap_cap = ncap;
	}
	t->heap[t->heap_len] = e;
	heap_up(t->heap, t->heap_len++);
	return 0;
}

int64_t fo__timers_next(const struct fo__timers *t)
{
	int64_t a = t->ring_len ? t->ring[t->ring_head].deadline : INT64_MAX;
	int64_t b = t->heap_len ? t->heap[0].deadline : INT64_MAX;

	return a < b ? a : b;
}

int fo__timers_pop(struct fo__timers *t, int64_t now, struct fo__timer_ent *out)
{
	int64_t a = t->ring_len ? t->ring[t->ring_head].deadline : INT64_MAX;
	int64_t b = t->heap_len ? t->heap[0].deadline : INT64_MAX;

	if (a <= b) {
		if (a > now || !t->ring_len)
			return 0;
		*out = t->ring[t->ring_head];
		t->ring_head = (t->ring_head + 1) & (t->ring_cap - 1);
		t->ring_len--;
		return 1;
	}
	if (b > now)
		return 0;
	*out = t->heap[0];
	t->heap[0] = t->heap[--t->heap_len];
	if (t->heap_len)
		heap_down(t->heap, t->heap_len, 0);
	return 1;
}
