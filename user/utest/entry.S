/*
 * Assembly the tests need: a thread entry with the C calling convention's stack
 * alignment, a thread that sends one message and ends without touching its stack, the
 * SMP torture's victims, and a system call made with sentinels in every register the
 * ABI preserves.
 */
#include <mnos/abi.h>

	.text

/* A new thread starts with rsp 16-byte aligned, as no call left it: make it a call. */
	.global ut_thread_start
	.type ut_thread_start, @function
ut_thread_start:
	call ut_child_main
	ud2
	.size ut_thread_start, . - ut_thread_start

/*
 * A thread entry, rdi = endpoint slot | index << 32: send a one-word message labelled 1
 * carrying the index (waiting until someone receives it), then end. It never uses its
 * stack, so any number of them can share one.
 */
	.global ut_queue_sender
	.type ut_queue_sender, @function
ut_queue_sender:
	movq %rdi, %rdx
	shrq $32, %rdx                  /* w0: the index */
	movl %edi, %edi                 /* the endpoint */
	movl $((1 << 12) | 1), %esi     /* mnos_ipc_info(1, 1, 0) */
	xorl %r10d, %r10d
	xorl %r8d, %r8d
	xorl %r9d, %r9d
	movl $SYS_EP_SEND, %eax
	syscall
	movl $SYS_THREAD_EXIT, %eax
	syscall
	ud2
	.size ut_queue_sender, . - ut_queue_sender

/*
 * Code for the SMP torture's victim processes (tests_smp.c), copied into a memory object
 * and run at another address in another process: position-independent, and it never
 * touches a stack. Each entry loops for ever: yielding, or waiting in IPC through a slot
 * of the victim's — 1 receive, 2 call (label 5, no words), 3 a notification — again
 * whenever the wait ends; or it calls through slot 4 once, then waits as 3 does.
 */
	.global ut_victim_code, ut_victim_code_end, ut_victim_recv, ut_victim_call2
	.global ut_victim_wait, ut_victim_call4
ut_victim_code:
	movl $SYS_YIELD, %eax           /* busy, but it lets the CPU's others run */
	syscall
	jmp ut_victim_code
ut_victim_recv:
	movl $SYS_EP_RECV, %eax
	movl $1, %edi
	xorl %esi, %esi                 /* no reply object */
	movq $-1, %rdx                  /* IPC_FOREVER */
	syscall
	jmp ut_victim_recv
ut_victim_call2:
	movl $SYS_EP_CALL, %eax
	movl $2, %edi
	movl $(5 << 12), %esi           /* mnos_ipc_info(5, 0, 0) */
	syscall
	jmp ut_victim_call2
ut_victim_wait:
	movl $SYS_NOTIFY_WAIT, %eax
	movl $3, %edi
	syscall
	jmp ut_victim_wait
ut_victim_call4:
	movl $SYS_EP_CALL, %eax
	movl $4, %edi
	movl $(5 << 12), %esi
	syscall
	jmp ut_victim_wait              /* once: then it waits */
ut_victim_code_end:

/*
 * uint64_t ut_syscall_sentinels(uint64_t nr, const uint64_t in[6], uint64_t out[7])
 *
 * System call nr with arguments in[0..5], every preserved register (rbx, rbp, r12-r15)
 * holding a sentinel and rsp a known value. out[] gets rax and rdi, rsi, rdx, r10, r8, r9
 * as the call left them. Returns a mask of the preserved registers that changed: bit 0
 * rbx, 1 rbp, 2 r12, 3 r13, 4 r14, 5 r15, 6 rsp; and bit 7 if rcx does not hold the
 * return address (SYSCALL's), bit 8 if r11 does not hold the flags.
 */
	.global ut_syscall_sentinels
	.type ut_syscall_sentinels, @function
ut_syscall_sentinels:
	pushq %rbp
	movq %rsp, %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	pushq %rdx                      /* out */
	movq %rsp, saved_rsp(%rip)
	movq %rdi, %rax
	movq 40(%rsi), %r9
	movq 32(%rsi), %r8
	movq 24(%rsi), %r10
	movq 16(%rsi), %rdx
	movq 0(%rsi), %rdi
	movq 8(%rsi), %rsi
	movabsq $0x1111111111111111, %rbx
	movabsq $0x2222222222222222, %rbp
	movabsq $0x3333333333333333, %r12
	movabsq $0x4444444444444444, %r13
	movabsq $0x5555555555555555, %r14
	movabsq $0x6666666666666666, %r15
	pushfq
	popq %r11
	movq %r11, saved_flags(%rip)
	syscall
after_syscall:
	movq %rcx, got_rcx(%rip)
	movq %r11, got_r11(%rip)
	movq %rsp, got_rsp(%rip)
	movq saved_rsp(%rip), %rsp
	movq (%rsp), %rcx               /* out */
	movq %rax, 0(%rcx)
	movq %rdi, 8(%rcx)
	movq %rsi, 16(%rcx)
	movq %rdx, 24(%rcx)
	movq %r10, 32(%rcx)
	movq %r8, 40(%rcx)
	movq %r9, 48(%rcx)
	xorl %eax, %eax
	movabsq $0x1111111111111111, %rcx
	cmpq %rcx, %rbx
	je 1f
	orl $1, %eax
1:	movabsq $0x2222222222222222, %rcx
	cmpq %rcx, %rbp
	je 1f
	orl $2, %eax
1:	movabsq $0x3333333333333333, %rcx
	cmpq %rcx, %r12
	je 1f
	orl $4, %eax
1:	movabsq $0x4444444444444444, %rcx
	cmpq %rcx, %r13
	je 1f
	orl $8, %eax
1:	movabsq $0x5555555555555555, %rcx
	cmpq %rcx, %r14
	je 1f
	orl $16, %eax
1:	movabsq $0x6666666666666666, %rcx
	cmpq %rcx, %r15
	je 1f
	orl $32, %eax
1:	movq got_rsp(%rip), %rcx
	cmpq saved_rsp(%rip), %rcx
	je 1f
	orl $64, %eax
1:	leaq after_syscall(%rip), %rcx
	cmpq got_rcx(%rip), %rcx
	je 1f
	orl $128, %eax
1:	movq got_r11(%rip), %rcx
	xorq saved_flags(%rip), %rcx
	andq $0xcd5, %rcx               /* the arithmetic flags and DF: as they were */
	jz 1f
	orl $256, %eax
1:	popq %rdx
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret
	.size ut_syscall_sentinels, . - ut_syscall_sentinels

/*
 * void ut_run_one(void (*fn)(void)): call fn with the stack pointer noted, so that
 * utest_abort() — an assertion that failed — can abandon fn and return from here.
 */
	.global ut_run_one, utest_abort
	.type ut_run_one, @function
ut_run_one:
	pushq %rbp
	movq %rsp, %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	subq $8, %rsp
	movq %rsp, abort_rsp(%rip)
	call *%rdi
run_one_out:
	addq $8, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret
	.size ut_run_one, . - ut_run_one

	.type utest_abort, @function
utest_abort:
	movq abort_rsp(%rip), %rsp
	jmp run_one_out
	.size utest_abort, . - utest_abort

	.bss
	.balign 8
abort_rsp:	.quad 0
saved_rsp:	.quad 0
saved_flags:	.quad 0
got_rcx:	.quad 0
got_r11:	.quad 0
got_rsp:	.quad 0

	.section .note.GNU-stack, "", @progbits
