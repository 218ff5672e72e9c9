/* The context switch alone: ping-pong between two contexts, registers that
 * must survive a switch, and a context's first entry. */
#include <stdint.h>
#include <sys/mman.h>

#include "../src/runtime/ctx.h"
#include "test.h"

static struct fo__ctx main_ctx, co_ctx;
static volatile int counter;

static void co_fn(void *arg)
{
	int *p = arg;

	for (;;) {
		(*p)++;
		counter++;
		fo__ctx_switch(&co_ctx, &main_ctx);
	}
}

TEST(ctx_ping_pong)
{
	size_t sz = 64 * 1024;
	void *stack = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int n = 0, i;

	CHECK(stack != MAP_FAILED);
	fo__ctx_make(&co_ctx, stack, sz, co_fn, &n);
	for (i = 0; i < 100000; i++)
		fo__ctx_switch(&main_ctx, &co_ctx);
	CHECK_EQ(n, 100000);
	CHECK_EQ(counter, 100000);
	munmap(stack, sz);
}

/* Callee-saved registers and the FPU state the ABI keeps must survive. */
static double fsum;

static void co_float(void *arg)
{
	double x = *(double *)arg;

	for (;;) {
		x = x * 1.5 + 1.0;
		fsum += x;
		fo__ctx_switch(&co_ctx, &main_ctx);
	}
}

TEST(ctx_keeps_locals_across_switches)
{
	size_t sz = 64 * 1024;
	void *stack = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	double start = 2.0, local = 3.25, expect = 0, x = 2.0;
	volatile long a = 11, b = 22, c = 33;
	int i;

	fo__ctx_make(&co_ctx, stack, sz, co_float, &start);
	for (i = 0; i < 10; i++) {
		fo__ctx_switch(&main_ctx, &co_ctx);
		x = x * 1.5 + 1.0;
		expect += x;
		local += 1.0;
	}
	CHECK(fsum == expect);
	CHECK(local == 13.25);
	CHECK_EQ(a + b + c, 66);
	munmap(stack, sz);
}

/* The stack a new context starts on is 16-byte aligned as the ABI wants
 * (SSE code faults otherwise). */
static uintptr_t seen_sp;

static void co_align(void *arg)
{
	char probe __attribute__((aligned(16)));

	(void)arg;
	seen_sp = (uintptr_t)&probe;
	fo__ctx_switch(&co_ctx, &main_ctx);
}

TEST(ctx_stack_alignment)
{
	size_t sz = 64 * 1024;
	char *stack = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	fo__ctx_make(&co_ctx, stack + 8, sz - 64, co_align, NULL);
	fo__ctx_switch(&main_ctx, &co_ctx);
	CHECK(seen_sp > (uintptr_t)stack && seen_sp < (uintptr_t)stack + sz);
	CHECK_EQ(seen_sp % 16, 0);
	munmap(stack, sz);
}
