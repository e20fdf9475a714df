/*
 * SYSCALL entry and exit (arch/syscall.h), and the first entry to user mode.
 *
 * On SYSCALL the CPU has put the user RIP in rcx and RFLAGS in r11, cleared the flags
 * in FMASK (interrupts are off) and changed nothing else: the stack is still the
 * user's. So: SWAPGS to reach the per-CPU block, park the user stack pointer there,
 * switch to this thread's kernel stack, and push the frame: the registers C code may
 * change. The callee-saved ones are kept by the C calling convention itself.
 *
 * On the way out the user's RFLAGS go back as SYSCALL saved them: the dispatch never
 * changes them, and a user cannot have set a privileged flag (IOPL, IF and the like
 * are not theirs to change), so they need no masking.
 *
 * ep_call and ep_reply_recv first try their fast paths (endpoint.h), with interrupts
 * still off and no generic dispatch: the endpoint or the packed endpoint and reply
 * slots are still in rdi, the message is the saved rsi..r9, and a reply_recv's badge
 * goes into the saved rdi. A fast path that cannot take the call returns EP_FAST_NO
 * having changed nothing, and the call goes through the dispatch like any other.
 * Results as the dispatch leaves them: rax the error, rdi 0 for a call, and every
 * result register zero after an error.
 */
#include <arch/layout.h>
#include <mnos/abi.h>

/* struct syscall_frame (arch/syscall.h) */
#define F_RAX   0
#define F_RDI   8
#define F_MSG   16                      /* rsi, rdx, r10, r8, r9: a struct ipc_msg */

#define RFLAGS_IF_RESERVED 0x202

	.section .text
	.balign 16
	.global syscall_entry
	.type syscall_entry, @function
syscall_entry:
	swapgs
	movq %rsp, %gs:24               /* cpu_local.user_rsp */
	movq %gs:16, %rsp               /* cpu_local.kernel_rsp: this thread's stack top */
	pushq %gs:24                    /* rsp */
	pushq %r11                      /* rflags */
	pushq %rcx                      /* rip */
	pushq %r9
	pushq %r8
	pushq %r10
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rax
	cmpq $SYS_EP_CALL, %rax
	je fast_call
	cmpq $SYS_EP_REPLY_RECV, %rax
	je fast_reply_recv
slow:
	movq %rsp, %rdi
	sti
	call syscall_dispatch
	cli
syscall_exit:
	movq 56(%rsp), %rcx             /* the return address: canonical? */
	shrq $47, %rcx
	jnz bad_return
	popq %rax
	popq %rdi
	popq %rsi
	popq %rdx
	popq %r10
	popq %r8
	popq %r9
	popq %rcx                       /* rip: canonical (checked above) */
	popq %r11                       /* rflags */
	popq %rsp
	swapgs
	sysretq
fast_call:
	leaq F_MSG(%rsp), %rsi
	call ep_call_fast               /* rdi: the endpoint, as the user left it */
	testq %rax, %rax
	js slow                         /* EP_FAST_NO: nothing changed */
	movq $0, F_RDI(%rsp)
	jmp fast_result
fast_reply_recv:
	leaq F_MSG(%rsp), %rsi
	leaq F_RDI(%rsp), %rdx          /* the badge */
	call ep_reply_recv_fast
	testq %rax, %rax
	js slow
fast_result:
	movq %rax, F_RAX(%rsp)
	jz syscall_exit
	xorl %eax, %eax                 /* a failed call returns nothing */
	movq %rax, F_RDI(%rsp)
	movq %rax, F_MSG(%rsp)
	movq %rax, F_MSG+8(%rsp)
	movq %rax, F_MSG+16(%rsp)
	movq %rax, F_MSG+24(%rsp)
	movq %rax, F_MSG+32(%rsp)
	jmp syscall_exit
bad_return:
	sti
	movq %rsp, %rdi
	call syscall_bad_return         /* never returns */
	ud2
	.size syscall_entry, . - syscall_entry

/* __noreturn void arch_enter_user(uint64_t entry, uint64_t stack, uint64_t arg) */
	.global arch_enter_user
	.type arch_enter_user, @function
arch_enter_user:
	cli
	pushq $(0x18 | 3)               /* SS: user data */
	pushq %rsi                      /* RSP */
	pushq $RFLAGS_IF_RESERVED       /* RFLAGS: interrupts on */
	pushq $(0x20 | 3)               /* CS: user code */
	pushq %rdi                      /* RIP */
	movq %rdx, %rdi
	xorl %eax, %eax
	xorl %ebx, %ebx
	xorl %ecx, %ecx
	xorl %edx, %edx
	xorl %esi, %esi
	xorl %ebp, %ebp
	xorl %r8d, %r8d
	xorl %r9d, %r9d
	xorl %r10d, %r10d
	xorl %r11d, %r11d
	xorl %r12d, %r12d
	xorl %r13d, %r13d
	xorl %r14d, %r14d
	xorl %r15d, %r15d
	swapgs
	iretq
	.size arch_enter_user, . - arch_enter_user
