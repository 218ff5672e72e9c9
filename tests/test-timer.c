/* User-space timers: order, the in-order fast path and the heap, 10^6 of
 * them, and lazy cancel by sequence number. */
#include <stdint.h>

#include "../src/runtime/timer.h"
#include "test.h"

static uint64_t rng = 88172645463325252ull;

static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void drain_check_sorted(struct fo__timers *t, size_t expect)
{
	struct fo__timer_ent e;
	int64_t last = INT64_MIN;
	size_t n = 0;

	while (fo__timers_pop(t, INT64_MAX - 1, &e)) {
		CHECK(e.deadline >= last);
		last = e.deadline;
		n++;
	}
	CHECK_EQ(n, expect);
	CHECK_EQ(fo__timers_len(t), 0);
}

TEST(timer_million_in_order)
{
	struct fo__timers t;
	size_t i, n = 1000000;

	fo__timers_init(&t);
	for (i = 0; i < n; i++)
		CHECK_EQ(fo__timers_add(&t, (int64_t)i * 10, (void *)(uintptr_t)(i + 1), i), 0);
	CHECK_EQ(t.heap_len, 0); /* all on the FIFO fast path */
	drain_check_sorted(&t, n);
	fo__timers_release(&t);
}

TEST(timer_million_random)
{
	struct fo__timers t;
	size_t i, n = 1000000;

	fo__timers_init(&t);
	for (i = 0; i < n; i++)
		CHECK_EQ(fo__timers_add(&t, (int64_t)(next_rand() % 1000000000), NULL, i), 0);
	CHECK(t.heap_len > 0);
	drain_check_sorted(&t, n);
	fo__timers_release(&t);
}

TEST(timer_pop_respects_now)
{
	struct fo__timers t;
	struct fo__timer_ent e;

	fo__timers_init(&t);
	fo__timers_add(&t, 100, NULL, 1);
	fo__timers_add(&t, 50, NULL, 2); /* out of order: heap */
	fo__timers_add(&t, 200, NULL, 3);
	CHECK_EQ(fo__timers_next(&t), 50);
	CHECK_EQ(fo__timers_pop(&t, 49, &e), 0);
	CHECK_EQ(fo__timers_pop(&t, 100, &e), 1);
	CHECK_EQ(e.seq, 2);
	CHECK_EQ(fo__timers_pop(&t, 100, &e), 1);
	CHECK_EQ(e.seq, 1);
	CHECK_EQ(fo__timers_pop(&t, 199, &e), 0);
	CHECK_EQ(fo__timers_next(&t), 200);
	fo__timers_release(&t);
}

/* Cancel is lazy: the owner keeps the sequence number of its live wait;
 * entries that carry another are skipped when they come due. */
TEST(timer_lazy_cancel)
{
	struct fo__timers t;
	struct fo__timer_ent e;
	uint64_t live_seq[1000];
	size_t i, fired = 0, stale = 0;

	fo__timers_init(&t);
	for (i = 0; i < 1000; i++) {
		live_seq[i] = 1;
		fo__timers_add(&t, (int64_t)(next_rand() % 100000), &live_seq[i], 1);
	}
	/* "cancel" every third: its wait ended some other way */
	for (i = 0; i < 1000; i += 3)
		live_seq[i]++;
	while (fo__timers_pop(&t, INT64_MAX - 1, &e)) {
		if (*(uint64_t *)e.owner == e.seq)
			fired++;
		else
			stale++;
	}
	CHECK_EQ(stale, 334);
	CHECK_EQ(fired, 666);
	fo__timers_release(&t);
}
