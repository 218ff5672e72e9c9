/*
 * fo__ctx_make: lays out a new context's first frame so that the first
 * fo__ctx_switch into it "returns" into fo__ctx_start, which calls fn(arg).
 * On machines without a hand-written switch, ucontext does the work (a
 * syscall per switch for the signal mask: about 20 times slower).
 */
#include <stdint.h>
#include <string.h>

#include "ctx.h"

#if defined(__x86_64__) && !defined(FO_CTX_PORTABLE)
void fo__ctx_start(void);

void fo__ctx_make(struct fo__ctx *c, void *base, size_t size, void (*fn)(void *), void *arg)
{
	uintptr_t top = ((uintptr_t)base + size) & ~(uintptr_t)15;
	void **sp = (void **)top;

	/* The first switch "returns" into fo__ctx_start with rsp = top, so
	 * that its call leaves rsp + 8 a multiple of 16 at fn's entry. */
	*--sp = (void *)fo__ctx_start;
	*--sp = NULL;                  /* rbp */
	*--sp = NULL;                  /* rbx */
	*--sp = arg;                   /* r12 */
	*--sp = (void *)fn;            /* r13 */
	*--sp = NULL;                  /* r14 */
	*--sp = NULL;                  /* r15 */
	c->sp = sp;
}
#elif defined(__aarch64__) && !defined(FO_CTX_PORTABLE)
void fo__ctx_start(void);

void fo__ctx_make(struct fo__ctx *c, void *base, size_t size, void (*fn)(void *), void *arg)
{
	uintptr_t top = ((uintptr_t)base + size) & ~(uintptr_t)15;
	void **sp = (void **)(top - 160);

	memset(sp, 0, 160);
	sp[0] = (void *)fn;             /* x19 */
	sp[1] = arg;                    /* x20 */
	sp[11] = (void *)fo__ctx_start; /* x30 */
	c->sp = sp;
}
#else
/* The portable fallback. NEEDSWORK: only built and tested where neither
 * assembly file applies; CI machines are x86-64. */
#include <stdlib.h>

static void fo__ctx_tramp(unsigned hi, unsigned lo, unsigned ahi, unsigned alo)
{
	void (*fn)(void *) = (void (*)(void *))(((uintptr_t)hi << 32) | lo);
	void *arg = (void *)(((uintptr_t)ahi << 32) | alo);

	fn(arg);
	abort();
}

void fo__ctx_make(struct fo__ctx *c, void *base, size_t size, void (*fn)(void *), void *arg)
{
	uintptr_t f = (uintptr_t)fn, a = (uintptr_t)arg;

	getcontext(&c->uc); /* banned-ok: the portable fallback */
	c->uc.uc_stack.ss_sp = base;
	c->uc.uc_stack.ss_size = size;
	c->uc.uc_link = NULL;
	makecontext(&c->uc, (void (*)(void))fo__ctx_tramp, 4, (unsigned)(f >> 32), (unsigned)f, /* banned-ok: fallback */
		    (unsigned)(a >> 32), (unsigned)a);
	c->sp = (char *)base + size;
}

void fo__ctx_switch(struct fo__ctx *from, struct fo__ctx *to)
{
	char here;

	/* What lies below this frame is swapcontext's own; keep a margin. */
	from->sp = (void *)((uintptr_t)&here - 1024);
	swapcontext(&from->uc, &to->uc); /* banned-ok: the portable fallback */
}
#endif
