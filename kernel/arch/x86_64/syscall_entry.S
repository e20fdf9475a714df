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
 * ep_call, ep_reply_recv, notify_signal and notify_wait first try their fast paths
 * (usermode.h), found in one table by the system-call number, with interrupts still off
 * and no generic dispatch: the slot is still in rdi; for IPC the message is the saved
 * rsi..r9 and a reply_recv's badge goes into the saved rdi. A fast path that cannot take
 * the call returns SYSCALL_FAST_NO having changed nothing, and the call goes through the
 * dispatch like any other. Results as the dispatch leaves them: rax the error, the
 * ABI's results, every other result register zero, and all of them zero after an
 * error. The IPC fast paths also keep the user's callee-saved registers below the
 * frame: a thread that blocks in one is resumed through the frame alone
 * (fast_resumed), with no C frames left to return through.
 */
#include <arch/layout.h>
#include <mnos/abi.h>
#include <arch/calleesaved.h>

/* struct syscall_frame (arch/syscall.h) */
#define F_RAX   0
#define F_RDI   8
#define F_MSG   16                      /* rsi, rdx, r10, r8, r9: a struct ipc_msg */

#define RFLAGS_IF_RESERVED 0x202

/* The system calls with fast paths are all below it (fast_paths, below). */
#define FAST_PATHS      (SYS_NOTIFY_WAIT + 1)

/* The fast paths keep the user's callee-saved registers below the frame (in the order
 * arch_switch pushes its own), so that a thread blocked in one can be resumed through
 * its frame alone, without the C frames above it (endpoint_fast.c, "Continuations"). */
#define SAVED   CALLEE_SAVED_BYTES

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
	cmpq $FAST_PATHS, %rax
	jae slow
	jmpq *fast_paths(, %rax, 8)
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
	PUSH_CALLEE_SAVED
	leaq F_MSG+SAVED(%rsp), %rsi
	call ep_call_fast               /* rdi: the endpoint, as the user left it */
	POP_CALLEE_SAVED                /* it returned: they are not kept (Makefile) */
	testq %rax, %rax
	js slow                         /* SYSCALL_FAST_NO: nothing changed */
	movq $0, F_RDI(%rsp)
	jmp fast_result
fast_reply_recv:
	PUSH_CALLEE_SAVED
	leaq F_MSG+SAVED(%rsp), %rsi    /* the badge goes below it, in rdi */
	call ep_reply_recv_fast
	POP_CALLEE_SAVED
	testq %rax, %rax
	js slow
	jmp fast_result

fast_notify_signal:
	call notify_signal_fast         /* rdi, rsi: the slot and bits, as the user left them */
	testq %rax, %rax
	js slow
	movq %rax, F_RAX(%rsp)
	jmp no_results
fast_notify_wait:
	leaq F_RDI(%rsp), %rsi          /* the word */
	call notify_wait_fast
	testq %rax, %rax
	js slow
	movq %rax, F_RAX(%rsp)
	jnz no_results
	movq %rax, F_MSG(%rsp)          /* rdi is the only result */
	movq %rax, F_MSG+8(%rsp)
	movq %rax, F_MSG+16(%rsp)
	movq %rax, F_MSG+24(%rsp)
	movq %rax, F_MSG+32(%rsp)
	jmp syscall_exit

	/* A thread blocked in a fast path goes on from here when it is resumed (rsp at
	 * its saved callee-saved registers, rax its result, its rdi set): directly from
	 * ep_fast_exit, or through ep_fast_trampoline after a switch by the scheduler. */
	.global fast_resumed
fast_resumed:
	POP_CALLEE_SAVED
	testq %rax, %rax
fast_result:
	movq %rax, F_RAX(%rsp)
	jz syscall_exit
no_results:
	xorl %eax, %eax                 /* signal's, or a failed call's: all zero */
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

/* The fast paths by system-call number, below FAST_PATHS; slow for the others. */
	.section .rodata
	.balign 8
fast_paths:
	.set nr, 0
	.rept FAST_PATHS
	.if nr == SYS_EP_CALL
	.quad fast_call
	.elseif nr == SYS_EP_REPLY_RECV
	.quad fast_reply_recv
	.elseif nr == SYS_NOTIFY_SIGNAL
	.quad fast_notify_signal
	.elseif nr == SYS_NOTIFY_WAIT
	.quad fast_notify_wait
	.else
	.quad slow
	.endif
	.set nr, nr + 1
	.endr
	.section .text

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

/*
 * ep_fast_exit(saved, serving): finish a system call of another thread blocked in a
 * fast path, whose result is E_OK and whose rdi and message are in its frame: move to
 * its stack (saved: its callee-saved registers below the frame), and only then let go
 * of the IPC lock (serving: the lock's counter; the caller has done the rest of the
 * unlock), so that no other CPU can resume the thread left behind while this CPU is
 * still on that thread's stack.
 */
	.global ep_fast_exit
	.type ep_fast_exit, @function
ep_fast_exit:
	movq %rdi, %rsp
	addl $1, (%rsi)                 /* only the holder writes it: a release store */
	xorl %eax, %eax
	jmp fast_resumed
	.size ep_fast_exit, . - ep_fast_exit

/*
 * Where arch_switch lands in a thread blocked in a fast path (the return address of the
 * context endpoint.c made for it, rsp now at its saved callee-saved registers): the C
 * side finishes the switch and says the result, and the thread returns to user mode.
 */
	.global ep_fast_trampoline
	.type ep_fast_trampoline, @function
ep_fast_trampoline:
	xorl %ebp, %ebp                 /* the end of backtraces */
	leaq SAVED(%rsp), %rdi          /* its frame */
	call ep_fast_resume
	jmp fast_resumed
	.size ep_fast_trampoline, . - ep_fast_trampoline
