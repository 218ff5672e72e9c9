/*
 * The context switch under the coroutines: save the callee-saved registers
 * and the stack pointer of one context, load another's. Hand-written for
 * x86-64 and aarch64 (a few ns: no syscall, no signal mask), ucontext as the
 * portable fallback for other machines.
 */
#ifndef FO_CTX_H
#define FO_CTX_H

#include <stddef.h>

#if (defined(__x86_64__) || defined(__aarch64__)) && !defined(FO_CTX_PORTABLE)
#define FO_CTX_ASM 1
struct fo__ctx {
	void *sp; /* the stack pointer while switched out */
};
#else
#include <ucontext.h>
struct fo__ctx {
	void *sp; /* an upper bound of the used stack while switched out */
	ucontext_t uc;
};
#endif

/*
 * Prepares c to start fn(arg) on the stack [base, base + size); fn must never
 * return (it switches away for the last time instead).
 */
void fo__ctx_make(struct fo__ctx *c, void *base, size_t size, void (*fn)(void *), void *arg);
/* Saves the running context into from and continues in to. */
void fo__ctx_switch(struct fo__ctx *from, struct fo__ctx *to);

#endif
