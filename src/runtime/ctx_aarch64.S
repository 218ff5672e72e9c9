/*
 * fo__ctx_switch for aarch64 (AAPCS64): store x19-x30 and d8-d15 below the
 * stack pointer, save sp in from->sp, load to->sp, restore, return through
 * x30. fo__ctx_make leaves fn in x19 and its argument in x20, and x30 at
 * fo__ctx_start.
 */
#if defined(__aarch64__) && !defined(FO_CTX_PORTABLE)
	.text
	.globl fo__ctx_switch
	.type fo__ctx_switch, %function
	.p2align 4
fo__ctx_switch:
	sub sp, sp, #160
	stp x19, x20, [sp, #0]
	stp x21, x22, [sp, #16]
	stp x23, x24, [sp, #32]
	stp x25, x26, [sp, #48]
	stp x27, x28, [sp, #64]
	stp x29, x30, [sp, #80]
	stp d8, d9, [sp, #96]
	stp d10, d11, [sp, #112]
	stp d12, d13, [sp, #128]
	stp d14, d15, [sp, #144]
	mov x2, sp
	str x2, [x0]
	ldr x2, [x1]
	mov sp, x2
	ldp x19, x20, [sp, #0]
	ldp x21, x22, [sp, #16]
	ldp x23, x24, [sp, #32]
	ldp x25, x26, [sp, #48]
	ldp x27, x28, [sp, #64]
	ldp x29, x30, [sp, #80]
	ldp d8, d9, [sp, #96]
	ldp d10, d11, [sp, #112]
	ldp d12, d13, [sp, #128]
	ldp d14, d15, [sp, #144]
	add sp, sp, #160
	ret
	.size fo__ctx_switch, .-fo__ctx_switch

	.globl fo__ctx_start
	.type fo__ctx_start, %function
	.p2align 4
fo__ctx_start:
	mov x0, x20
	blr x19
	brk #0
	.size fo__ctx_start, .-fo__ctx_start
#endif
	.section .note.GNU-stack,"",%progbits
