/*
 * fo__ctx_switch for x86-64 (System V): push the six callee-saved registers,
 * store rsp in from->sp, load to->sp, pop, return into the other context.
 * fo__ctx_start is where a new context begins: fo__ctx_make leaves fn in r13
 * and its argument in r12.
 */
#if defined(__x86_64__) && !defined(FO_CTX_PORTABLE)
	.text
	.globl fo__ctx_switch
	.type fo__ctx_switch, @function
	.p2align 4
fo__ctx_switch:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, (%rdi)
	movq (%rsi), %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret
	.size fo__ctx_switch, .-fo__ctx_switch

	.globl fo__ctx_start
	.type fo__ctx_start, @function
	.p2align 4
fo__ctx_start:
	movq %r12, %rdi
	callq *%r13
	ud2
	.size fo__ctx_start, .-fo__ctx_start
#endif
	.section .note.GNU-stack,"",%progbits
