/*
 * A standalone check of the aarch64 context switch (src/runtime/ctx.c and
 * ctx_aarch64.S), cross-compiled and run under qemu-aarch64 by
 * scripts/test-aarch64.sh. Not part of the x86 test binary: the Makefile
 * only compiles the .c files directly in tests/, not tests/aarch64/.
 *
 * Checks what tests/test-ctx.c checks, and more directly: a ping-pong of
 * 100000 switches; that x19-x29 and d8-d15 (AAPCS64's callee-saved
 * registers) survive a switch, both as the registers themselves (inline
 * assembly loads known values, switches, reads them back) and as C locals
 * the compiler keeps in them; that a new context starts with sp 16-byte
 * aligned inside its stack and that fo__ctx_make writes nothing outside the
 * stack; that fo__ctx_start calls fn with its argument; and a round robin of
 * several contexts. Each test runs in a forked child, so a crash is a
 * failure, not the end of the run. Closes with
 * "aarch64 ctx: N passed, N failed" and exits non-zero on any failure.
 */
#if !defined(__aarch64__)
#error "tests/aarch64/ctx-check.c is for aarch64 only (scripts/test-aarch64.sh)"
#endif

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ctx.h"

#ifndef FO_CTX_ASM
#error "the aarch64 assembly switch is not selected (FO_CTX_PORTABLE defined?)"
#endif

static int checks_failed;

#define CHECK(cond)                                                                    \
	do {                                                                           \
		if (!(cond)) {                                                         \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
			checks_failed++;                                               \
		}                                                                      \
	} while (0)

#define CHECK_EQ(a, b)                                                                 \
	do {                                                                           \
		unsigned long long a_ = (unsigned long long)(a), b_ = (unsigned long long)(b); \
		if (a_ != b_) {                                                        \
			fprintf(stderr, "%s:%d: check failed: %s == %s (%#llx != %#llx)\n", \
				__FILE__, __LINE__, #a, #b, a_, b_);                   \
			checks_failed++;                                               \
		}                                                                      \
	} while (0)

#define STACK_SIZE (64 * 1024)

static struct fo__ctx main_ctx, co_ctx;

static void *stack_new(size_t sz)
{
	void *s = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (s == MAP_FAILED) {
		perror("mmap");
		exit(2);
	}
	return s;
}

/* ---- 1. ping-pong ------------------------------------------------------- */

static volatile int counter;

static void co_ping(void *arg)
{
	int *p = arg;

	for (;;) {
		(*p)++;
		counter++;
		fo__ctx_switch(&co_ctx, &main_ctx);
	}
}

static void test_ping_pong(void)
{
	void *stack = stack_new(STACK_SIZE);
	int n = 0, i;

	fo__ctx_make(&co_ctx, stack, STACK_SIZE, co_ping, &n);
	for (i = 0; i < 100000; i++) {
		fo__ctx_switch(&main_ctx, &co_ctx);
		if (n != i + 1)
			break;
	}
	CHECK_EQ(n, 100000);
	CHECK_EQ(counter, 100000);
	munmap(stack, STACK_SIZE);
}

/* ---- 2. the callee-saved registers themselves --------------------------- */

/* x19..x28, x29, a pad, d8..d15 as bit patterns. */
struct regs {
	uint64_t x[10];
	uint64_t fp;
	uint64_t pad;
	uint64_t d[8];
};

struct sw {
	struct regs in;  /* loaded before the switch */
	struct regs out; /* read back after it */
	struct fo__ctx *from, *to;
	uint64_t sp_before, sp_after;
};

_Static_assert(offsetof(struct regs, fp) == 80, "regs.fp");
_Static_assert(offsetof(struct regs, d) == 96, "regs.d");
_Static_assert(sizeof(struct regs) == 160, "regs");
_Static_assert(offsetof(struct sw, out) == 160, "sw.out");
_Static_assert(offsetof(struct sw, from) == 320, "sw.from");
_Static_assert(offsetof(struct sw, to) == 328, "sw.to");
_Static_assert(offsetof(struct sw, sp_before) == 336, "sw.sp_before");
_Static_assert(offsetof(struct sw, sp_after) == 344, "sw.sp_after");

/*
 * Loads s->in into x19-x29 and d8-d15, calls fo__ctx_switch(s->from, s->to)
 * and stores what those registers hold once this context runs again into
 * s->out, with sp before and after. x29 and the pointer to s are kept on the
 * stack across the call; everything else is declared clobbered, so the
 * compiler keeps nothing of its own in registers across it.
 */
__attribute__((noinline)) static void switch_checked(struct sw *s)
{
	register struct sw *p __asm__("x9") = s;

	__asm__ volatile(
		"stp x9, x29, [sp, #-16]!\n\t"
		"mov x10, sp\n\t"
		"str x10, [x9, #336]\n\t"
		"ldp x19, x20, [x9, #0]\n\t"
		"ldp x21, x22, [x9, #16]\n\t"
		"ldp x23, x24, [x9, #32]\n\t"
		"ldp x25, x26, [x9, #48]\n\t"
		"ldp x27, x28, [x9, #64]\n\t"
		"ldr x29, [x9, #80]\n\t"
		"ldp d8, d9, [x9, #96]\n\t"
		"ldp d10, d11, [x9, #112]\n\t"
		"ldp d12, d13, [x9, #128]\n\t"
		"ldp d14, d15, [x9, #144]\n\t"
		"ldp x0, x1, [x9, #320]\n\t"
		"bl fo__ctx_switch\n\t"
		"ldr x9, [sp]\n\t"
		"stp x19, x20, [x9, #160]\n\t"
		"stp x21, x22, [x9, #176]\n\t"
		"stp x23, x24, [x9, #192]\n\t"
		"stp x25, x26, [x9, #208]\n\t"
		"stp x27, x28, [x9, #224]\n\t"
		"str x29, [x9, #240]\n\t"
		"stp d8, d9, [x9, #256]\n\t"
		"stp d10, d11, [x9, #272]\n\t"
		"stp d12, d13, [x9, #288]\n\t"
		"stp d14, d15, [x9, #304]\n\t"
		"mov x10, sp\n\t"
		"str x10, [x9, #344]\n\t"
		"ldp x9, x29, [sp], #16\n\t"
		: "+r"(p)
		:
		: "x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x10", "x11", "x12",
		  "x13", "x14", "x15", "x16", "x17", "x18", "x19", "x20", "x21", "x22", "x23",
		  "x24", "x25", "x26", "x27", "x28", "x30", "v0", "v1", "v2", "v3", "v4", "v5",
		  "v6", "v7", "v8", "v9", "v10", "v11", "v12", "v13", "v14", "v15", "v16", "v17",
		  "v18", "v19", "v20", "v21", "v22", "v23", "v24", "v25", "v26", "v27", "v28",
		  "v29", "v30", "v31", "cc", "memory");
}

static void regs_fill(struct regs *r, uint64_t seed)
{
	int i;

	for (i = 0; i < 10; i++)
		r->x[i] = seed ^ (0x1111111111111111ULL * (uint64_t)(i + 1)) ^ ((uint64_t)i << 56);
	r->fp = seed ^ 0xf00df00df00df00dULL;
	r->pad = 0;
	for (i = 0; i < 8; i++)
		r->d[i] = ~seed ^ (0x0101010101010101ULL * (uint64_t)(i + 3)) ^ ((uint64_t)i << 48);
}

/* Every register that differs, by name; returns the number of mismatches. */
static int regs_compare(const char *who, int round, const struct regs *in, const struct regs *out)
{
	int i, bad = 0;

	for (i = 0; i < 10; i++)
		if (in->x[i] != out->x[i]) {
			fprintf(stderr, "%s round %d: x%d %#llx != %#llx\n", who, round, 19 + i,
				(unsigned long long)out->x[i], (unsigned long long)in->x[i]);
			bad++;
		}
	if (in->fp != out->fp) {
		fprintf(stderr, "%s round %d: x29 %#llx != %#llx\n", who, round,
			(unsigned long long)out->fp, (unsigned long long)in->fp);
		bad++;
	}
	for (i = 0; i < 8; i++)
		if (in->d[i] != out->d[i]) {
			fprintf(stderr, "%s round %d: d%d %#llx != %#llx\n", who, round, 8 + i,
				(unsigned long long)out->d[i], (unsigned long long)in->d[i]);
			bad++;
		}
	return bad;
}

#define REG_ROUNDS 1000
static volatile int co_regs_bad, co_regs_rounds;

static void co_regs(void *arg)
{
	struct sw s;
	int round;

	(void)arg;
	s.from = &co_ctx;
	s.to = &main_ctx;
	for (round = 0;; round++) {
		regs_fill(&s.in, 0xc0c0c0c000000000ULL + (uint64_t)round);
		switch_checked(&s);
		co_regs_bad += regs_compare("coroutine", round, &s.in, &s.out);
		if (s.sp_before != s.sp_after)
			co_regs_bad++;
		co_regs_rounds++;
	}
}

static void test_callee_saved_registers(void)
{
	void *stack = stack_new(STACK_SIZE);
	struct sw s;
	int round, bad = 0;

	fo__ctx_make(&co_ctx, stack, STACK_SIZE, co_regs, NULL);
	s.from = &main_ctx;
	s.to = &co_ctx;
	for (round = 0; round < REG_ROUNDS && bad < 20; round++) {
		regs_fill(&s.in, 0x5a5a000000000000ULL + ((uint64_t)round << 8));
		switch_checked(&s);
		bad += regs_compare("main", round, &s.in, &s.out);
		CHECK_EQ(s.sp_after, s.sp_before);
	}
	CHECK_EQ(bad, 0);
	/* The coroutine checks its own registers on every resumption but the
	 * first (entered from fo__ctx_start) and the last (never resumed). */
	CHECK_EQ(co_regs_rounds, REG_ROUNDS - 1);
	CHECK_EQ(co_regs_bad, 0);
	munmap(stack, STACK_SIZE);
}

/* ---- 3. C locals: doubles and volatile longs across switches ------------ */

/* A coroutine that leaves junk in every callee-saved register at each
 * switch: what the other side keeps there must come back from its frame. */
static void co_clobber(void *arg)
{
	uint64_t junk = 0x7ff8dead00000000ULL;

	(void)arg;
	for (;;) {
		__asm__ volatile(
			"mov x19, %0\n\tmov x20, %0\n\tmov x21, %0\n\tmov x22, %0\n\t"
			"mov x23, %0\n\tmov x24, %0\n\tmov x25, %0\n\tmov x26, %0\n\t"
			"mov x27, %0\n\tmov x28, %0\n\t"
			"fmov d8, %0\n\tfmov d9, %0\n\tfmov d10, %0\n\tfmov d11, %0\n\t"
			"fmov d12, %0\n\tfmov d13, %0\n\tfmov d14, %0\n\tfmov d15, %0\n\t"
			:
			: "r"(junk)
			: "x19", "x20", "x21", "x22", "x23", "x24", "x25", "x26", "x27", "x28",
			  "v8", "v9", "v10", "v11", "v12", "v13", "v14", "v15");
		junk++;
		fo__ctx_switch(&co_ctx, &main_ctx);
	}
}

#define LOCAL_ROUNDS 1000

static void test_float_and_long_locals(void)
{
	void *stack = stack_new(STACK_SIZE);
	/* Eight doubles live across every switch: all of d8-d15. The steps are
	 * exact in binary, so the expected sums are exact too. */
	double a = 1.0, b = 2.5, c = -3.25, d = 4.125, e = 0.5, f = -6.0, g = 7.75, h = 1e6;
	volatile long va = 11, vb = 22, vc = 33, vd = -44;
	long sa = 0, sb = 0; /* ordinary longs, kept in x19-x28 */
	int i;

	fo__ctx_make(&co_ctx, stack, STACK_SIZE, co_clobber, NULL);
	for (i = 0; i < LOCAL_ROUNDS; i++) {
		fo__ctx_switch(&main_ctx, &co_ctx);
		a += 0.5;
		b += 0.25;
		c -= 0.125;
		d += 1.0;
		e += 2.0;
		f -= 0.75;
		g += 0.0625;
		h -= 8.0;
		sa += i;
		sb ^= (long)i * 2654435761L;
		va++;
		vb--;
	}
	CHECK(a == 1.0 + LOCAL_ROUNDS * 0.5);
	CHECK(b == 2.5 + LOCAL_ROUNDS * 0.25);
	CHECK(c == -3.25 - LOCAL_ROUNDS * 0.125);
	CHECK(d == 4.125 + LOCAL_ROUNDS * 1.0);
	CHECK(e == 0.5 + LOCAL_ROUNDS * 2.0);
	CHECK(f == -6.0 - LOCAL_ROUNDS * 0.75);
	CHECK(g == 7.75 + LOCAL_ROUNDS * 0.0625);
	CHECK(h == 1e6 - LOCAL_ROUNDS * 8.0);
	{
		long xa = 0, xb = 0;

		for (i = 0; i < LOCAL_ROUNDS; i++) {
			xa += i;
			xb ^= (long)i * 2654435761L;
		}
		CHECK_EQ(sa, xa);
		CHECK_EQ(sb, xb);
	}
	CHECK_EQ(va, 11 + LOCAL_ROUNDS);
	CHECK_EQ(vb, 22 - LOCAL_ROUNDS);
	CHECK_EQ(vc, 33);
	CHECK_EQ(vd, -44);
	munmap(stack, STACK_SIZE);
}

/* Both sides compute with doubles, as tests/test-ctx.c does, with fsum
 * updated by the coroutine and the same recurrence redone by main. */
static volatile double fsum;

static void co_float(void *arg)
{
	double x = *(double *)arg, y = 0.25, z = -1.0;

	for (;;) {
		x = x * 2.0 + 1.0;
		y += 0.5;
		z -= 0.25;
		fsum += x + y + z;
		fo__ctx_switch(&co_ctx, &main_ctx);
	}
}

static void test_float_both_sides(void)
{
	void *stack = stack_new(STACK_SIZE);
	double start = 2.0, x = 2.0, y = 0.25, z = -1.0, expect = 0, local = 3.25;
	int i;

	fsum = 0;
	fo__ctx_make(&co_ctx, stack, STACK_SIZE, co_float, &start);
	for (i = 0; i < 40; i++) {
		fo__ctx_switch(&main_ctx, &co_ctx);
		x = x * 2.0 + 1.0;
		y += 0.5;
		z -= 0.25;
		expect += x + y + z;
		local += 1.0;
	}
	CHECK(fsum == expect);
	CHECK(local == 43.25);
	munmap(stack, STACK_SIZE);
}

/* ---- 4. a new context's stack -------------------------------------------- */

static uintptr_t seen_sp;
static int align_entries;

static void co_align(void *arg)
{
	uintptr_t sp;

	(void)arg;
	/* The prologue moves sp by multiples of 16: sp here is aligned iff it
	 * was at entry. */
	__asm__ volatile("mov %0, sp" : "=r"(sp));
	seen_sp = sp;
	align_entries++;
	fo__ctx_switch(&co_ctx, &main_ctx);
	abort();
}

static void test_stack_alignment(void)
{
	size_t sz = 2 * STACK_SIZE;
	unsigned char *stack = stack_new(sz);
	unsigned bo, so;

	for (bo = 0; bo < 16; bo++)
		for (so = 0; so < 16; so++) {
			unsigned char *base = stack + 4096 + bo;
			size_t size = STACK_SIZE - so;
			size_t k;
			int bad = 0;

			memset(stack, 0xa5, sz);
			seen_sp = 0;
			fo__ctx_make(&co_ctx, base, size, co_align, NULL);
			/* Nothing written outside [base, base + size). */
			for (k = 0; k < sz; k++)
				if ((stack + k < base || stack + k >= base + size) && stack[k] != 0xa5)
					bad++;
			CHECK_EQ(bad, 0);
			CHECK_EQ((uintptr_t)co_ctx.sp % 16, 0);
			fo__ctx_switch(&main_ctx, &co_ctx);
			CHECK_EQ(seen_sp % 16, 0);
			CHECK(seen_sp > (uintptr_t)base && seen_sp < (uintptr_t)base + size);
			CHECK((uintptr_t)base + size - seen_sp < 1024);
		}
	CHECK_EQ(align_entries, 16 * 16);
	munmap(stack, sz);
}

/* ---- 5. fo__ctx_start passes the argument -------------------------------- */

static void *got_arg;
static int which_fn;

static void co_arg_a(void *arg)
{
	got_arg = arg;
	which_fn = 1;
	fo__ctx_switch(&co_ctx, &main_ctx);
	abort();
}

static void co_arg_b(void *arg)
{
	got_arg = arg;
	which_fn = 2;
	fo__ctx_switch(&co_ctx, &main_ctx);
	abort();
}

static void test_start_argument(void)
{
	void *stack = stack_new(STACK_SIZE);
	int local;
	void *args[] = {
		NULL, &local, stack, (void *)(uintptr_t)0xdeadbeefcafef00dULL,
		(void *)(uintptr_t)0x8000000000000001ULL, (void *)(uintptr_t)1,
	};
	size_t i;

	for (i = 0; i < sizeof args / sizeof args[0]; i++) {
		int want = 1 + (int)(i % 2);

		got_arg = (void *)(uintptr_t)0x1234;
		which_fn = 0;
		fo__ctx_make(&co_ctx, stack, STACK_SIZE, want == 1 ? co_arg_a : co_arg_b, args[i]);
		fo__ctx_switch(&main_ctx, &co_ctx);
		CHECK_EQ(which_fn, want);
		CHECK_EQ((uintptr_t)got_arg, (uintptr_t)args[i]);
	}
	munmap(stack, STACK_SIZE);
}

/* ---- 6. a round robin of several contexts -------------------------------- */

#define NCO 4
#define RR_ROUNDS 10000
static struct fo__ctx rr_ctx[NCO];
static int rr_trace[NCO];
static int rr_next, rr_bad;

static void co_rr(void *arg)
{
	int me = (int)(uintptr_t)arg;
	double mine = me * 10.0; /* a double of its own across switches */

	for (;;) {
		if (rr_next != me)
			rr_bad++;
		rr_trace[me]++;
		mine += 1.0;
		if (mine != me * 10.0 + rr_trace[me])
			rr_bad++;
		rr_next = (me + 1) % NCO;
		/* The last one hands back to main, the others to the next. */
		fo__ctx_switch(&rr_ctx[me], me == NCO - 1 ? &main_ctx : &rr_ctx[me + 1]);
	}
}

static void test_round_robin(void)
{
	void *stacks[NCO];
	int i;

	for (i = 0; i < NCO; i++) {
		stacks[i] = stack_new(STACK_SIZE);
		fo__ctx_make(&rr_ctx[i], stacks[i], STACK_SIZE, co_rr, (void *)(uintptr_t)i);
	}
	for (i = 0; i < RR_ROUNDS; i++) {
		rr_next = 0;
		fo__ctx_switch(&main_ctx, &rr_ctx[0]);
		if (rr_next != 0)
			rr_bad++;
	}
	for (i = 0; i < NCO; i++) {
		CHECK_EQ(rr_trace[i], RR_ROUNDS);
		munmap(stacks[i], STACK_SIZE);
	}
	CHECK_EQ(rr_bad, 0);
}

/* ---- the runner ----------------------------------------------------------- */

static const struct {
	const char *name;
	void (*fn)(void);
} tests[] = {
	{"ping_pong", test_ping_pong},
	{"callee_saved_registers", test_callee_saved_registers},
	{"float_and_long_locals", test_float_and_long_locals},
	{"float_both_sides", test_float_both_sides},
	{"stack_alignment", test_stack_alignment},
	{"start_argument", test_start_argument},
	{"round_robin", test_round_robin},
};

int main(void)
{
	int passed = 0, failed = 0;
	size_t i;

	for (i = 0; i < sizeof tests / sizeof tests[0]; i++) {
		pid_t pid;
		int st;

		fflush(NULL);
		pid = fork();
		if (pid < 0) {
			perror("fork");
			return 2;
		}
		if (pid == 0) {
			alarm(20);
			tests[i].fn();
			fflush(NULL);
			_exit(checks_failed ? 1 : 0);
		}
		if (waitpid(pid, &st, 0) < 0) {
			perror("waitpid");
			return 2;
		}
		if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
			printf("ok   %s\n", tests[i].name);
			passed++;
		} else {
			if (WIFSIGNALED(st))
				printf("FAIL %s (killed by signal %d: %s)\n", tests[i].name,
				       WTERMSIG(st), strsignal(WTERMSIG(st)));
			else
				printf("FAIL %s\n", tests[i].name);
			failed++;
		}
	}
	printf("aarch64 ctx: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
