/*
 * Small user-mode programs for the in-guest ring-3 tests (test_usermode.c), before
 * there is an ELF loader to run real ones: each is position-independent code between
 * a start and an end label, copied into a user page and run there. They reach their
 * data page through the argument in rdi. System calls use the ABI's numbers
 * (mnos/abi.h): debug print (rdi, rsi), clock (-> rdi), thread exit.
 */
#include <mnos/abi.h>

	.section .rodata.user_blobs, "a"

	.macro blob name
	.global ublob_\name\()_start, ublob_\name\()_end
	.endm

/* The timed loops: the count data[0] (the data page in rbx) into r12, the TSC (RDTSCP,
 * which waits for what came before) into r13, and straight to the end (label 2) if the
 * count is zero ... */
	.macro tsc_begin
	movq (%rbx), %r12
	rdtscp
	shlq $32, %rdx
	orq %rax, %rdx
	movq %rdx, %r13
	testq %r12, %r12
	jz 2f
	.endm

/* ... and the ticks since into data[1] (the data page in rbx), then the thread ends. */
	.macro tsc_end
	rdtscp
	shlq $32, %rdx
	orq %rax, %rdx
	subq %r13, %rdx
	movq %rdx, 8(%rbx)
	movl $SYS_THREAD_EXIT, %eax
	syscall
	.endm

/* Write 0x600d to the data page, print a line, exit. */
	blob hello
ublob_hello_start:
	movq %rdi, %rbx
	movq $0x600d, (%rbx)
	leaq 1f(%rip), %rdi
	movl $2f - 1f, %esi
	movl $SYS_DEBUG_PRINT, %eax
	syscall
	movq %rax, 8(%rbx)              /* the print's result */
	movl $SYS_THREAD_EXIT, %eax
	syscall
	ud2
1:	.ascii "hello from ring 3\n"
2:
ublob_hello_end:

/* Sentinels in every register the ABI preserves and in the argument registers, one
 * clock call, then a bitmask of what was wrong in data[0] (a preserved register
 * changed, an unused result register not zeroed, an error, rcx not the return
 * address), and the clock in data[1]. */
	blob regs
ublob_regs_start:
	movq %rdi, %rsp                 /* data page top doubles as the stack */
	addq $4096, %rsp
	pushq %rdi                      /* data page */
	movabsq $0x1111111111111111, %rbx
	movabsq $0x2222222222222222, %rbp
	movabsq $0x3333333333333333, %r12
	movabsq $0x4444444444444444, %r13
	movabsq $0x5555555555555555, %r14
	movabsq $0x6666666666666666, %r15
	movabsq $0x7777777777777777, %rsi
	movabsq $0x8888888888888888, %rdx
	movabsq $0x9999999999999999, %r10
	movabsq $0xaaaaaaaaaaaaaaaa, %r8
	movabsq $0xbbbbbbbbbbbbbbbb, %r9
	movq %rsp, %rdi                 /* rdi: also checked to come back as the clock */
	movl $SYS_CLOCK, %eax
	syscall
after_syscall:
	pushq %rcx                      /* the return address SYSCALL left */
	pushq %rax                      /* the error code */
	xorl %ecx, %ecx                 /* ecx: a bit per thing found wrong */
	popq %rax
	testq %rax, %rax
	jz 1f
	orl $2048, %ecx
1:	popq %rax
	leaq after_syscall(%rip), %r11
	cmpq %r11, %rax
	je 1f
	orl $4096, %ecx
1:	movabsq $0x1111111111111111, %r11
	cmpq %r11, %rbx
	je 1f
	orl $1, %ecx
1:	movabsq $0x2222222222222222, %r11
	cmpq %r11, %rbp
	je 1f
	orl $2, %ecx
1:	movabsq $0x3333333333333333, %r11
	cmpq %r11, %r12
	je 1f
	orl $4, %ecx
1:	movabsq $0x4444444444444444, %r11
	cmpq %r11, %r13
	je 1f
	orl $8, %ecx
1:	movabsq $0x5555555555555555, %r11
	cmpq %r11, %r14
	je 1f
	orl $16, %ecx
1:	movabsq $0x6666666666666666, %r11
	cmpq %r11, %r15
	je 1f
	orl $32, %ecx
1:	testq %rsi, %rsi                /* not results of clock: zeroed */
	jz 1f
	orl $64, %ecx
1:	testq %rdx, %rdx
	jz 1f
	orl $128, %ecx
1:	testq %r10, %r10
	jz 1f
	orl $256, %ecx
1:	testq %r8, %r8
	jz 1f
	orl $512, %ecx
1:	testq %r9, %r9
	jz 1f
	orl $1024, %ecx
1:	popq %r11                       /* data page */
	movl %ecx, (%r11)
	movq %rdi, 8(%r11)
	movl $SYS_THREAD_EXIT, %eax
	syscall
	ud2
ublob_regs_end:

/* Fault in the way data[0] says: 0 read address 0, 1 read the kernel, 2 write the
 * kernel, 3 jump into the kernel, 4 ud2, 5 divide by zero, 6 write to its own code,
 * 7 read a non-canonical address (#GP), 8 hlt (privileged: #GP), 9 read an I/O port
 * (IOPL 0, no permission bitmap: #GP). */
	blob fault
ublob_fault_start:
	movq (%rdi), %rax
	cmpq $0, %rax
	je 10f
	cmpq $1, %rax
	je 11f
	cmpq $2, %rax
	je 12f
	cmpq $3, %rax
	je 13f
	cmpq $4, %rax
	je 14f
	cmpq $5, %rax
	je 15f
	cmpq $7, %rax
	je 17f
	cmpq $8, %rax
	je 18f
	cmpq $9, %rax
	je 19f
	leaq ublob_fault_start(%rip), %rax
	movq $1, (%rax)
	jmp 99f
10:	movq 0, %rax
	jmp 99f
11:	movabsq $0xffffffff80100000, %rax
	movq (%rax), %rax
	jmp 99f
12:	movabsq $0xffff800000000000, %rax
	movq $1, (%rax)
	jmp 99f
13:	movabsq $0xffffffff80100000, %rax
	jmp *%rax
14:	ud2
15:	xorl %ecx, %ecx
	xorl %edx, %edx
	movl $1, %eax
	divl %ecx
	jmp 99f
17:	movabsq $0x0000800000000000, %rax
	movq (%rax), %rax
	jmp 99f
18:	hlt
	jmp 99f
19:	inb $0x60, %al
99:	movq $0xbad, 8(%rdi)            /* reached only if nothing faulted */
	movl $SYS_THREAD_EXIT, %eax
	syscall
ublob_fault_end:

/* FNV-1a of the data[1] bytes at address data[0], into data[2]; then a write to the
 * first of them, which faults if they are read-only: data[3] = 0xbad only if not. */
	blob fnv
ublob_fnv_start:
	movq (%rdi), %rsi
	movq 8(%rdi), %rcx
	movabsq $0xcbf29ce484222325, %rax
	movabsq $0x100000001b3, %r8
1:	testq %rcx, %rcx
	jz 2f
	movzbq (%rsi), %rdx
	xorq %rdx, %rax
	imulq %r8, %rax
	incq %rsi
	decq %rcx
	jmp 1b
2:	movq %rax, 16(%rdi)
	movq (%rdi), %rsi
	movb $1, (%rsi)
	movq $0xbad, 24(%rdi)
	movl $SYS_THREAD_EXIT, %eax
	syscall
ublob_fnv_end:

/* Call debug print with each (pointer, length) pair in the data page (data[1..2n],
 * n in data[0]) and store each result after them (data[1+2n+i]). */
	blob badptr
ublob_badptr_start:
	movq %rdi, %rbx
	movq (%rbx), %r12               /* n */
	xorl %r13d, %r13d
1:	cmpq %r12, %r13
	je 2f
	movq %r13, %rax
	shlq $4, %rax
	movq 8(%rbx, %rax), %rdi
	movq 16(%rbx, %rax), %rsi
	movl $SYS_DEBUG_PRINT, %eax
	syscall
	movq %r12, %rcx
	shlq $4, %rcx
	leaq 8(%rbx, %rcx), %rcx
	movq %rax, (%rcx, %r13, 8)
	incq %r13
	jmp 1b
2:	movl $SYS_THREAD_EXIT, %eax
	syscall
ublob_badptr_end:

/* The null system call benchmark: data[0] times system call data[2] between two TSC
 * reads, the ticks to data[1] and the last result to data[3]. The loop has the shape of the benchmark runner's empty
 * loop (three instructions besides the body), so subtracting that leaves the call. */
	blob nullsys
ublob_nullsys_start:
	movq %rdi, %rbx
	movq 16(%rbx), %r14
	tsc_begin
1:	movq %r14, %rax
	syscall
	decq %r12
	jnz 1b
	movq %rax, 24(%rbx)             /* the last call's result */
2:	tsc_end
ublob_nullsys_end:

/* yield_cross_as's two processes: the timed one yields data[0] times, the other for ever
 * (the benchmark kills it), counting its turns in data[2]. The timed loop has the shape
 * of the runner's empty loop; the count is one instruction an iteration more. */
	blob yield_timed
ublob_yield_timed_start:
	movq %rdi, %rbx
	tsc_begin
1:	movl $SYS_YIELD, %eax
	syscall
	decq %r12
	jnz 1b
	movq %rax, 24(%rbx)
2:	tsc_end
ublob_yield_timed_end:

	blob yield_forever
ublob_yield_forever_start:
	movq %rdi, %rbx
1:	movl $SYS_YIELD, %eax
	syscall
	incq 16(%rbx)
	jmp 1b
ublob_yield_forever_end:

/* notify_signal_wait's two processes: each waits on its own notification (slot 4) and
 * signals the other's (slot 3). The timed one (data[0] round trips) signals first; the
 * last wait's result goes to data[3]. Per round trip its loop has four instructions
 * more than the runner's empty loop (the benchmark takes them off), so each system call
 * is counted with one instruction of its own setting up. */
	blob notify_ping
ublob_notify_ping_start:
	movq %rdi, %rbx
	tsc_begin
1:	movl $SYS_NOTIFY_SIGNAL, %eax
	movl $3, %edi
	movl $1, %esi
	syscall
	movl $SYS_NOTIFY_WAIT, %eax
	movl $4, %edi
	syscall
	decq %r12
	jnz 1b
	movq %rax, 24(%rbx)
2:	tsc_end
ublob_notify_ping_end:

/* Its partner, for ever (the benchmark kills it). */
	blob notify_pong
ublob_notify_pong_start:
1:	movl $SYS_NOTIFY_WAIT, %eax
	movl $4, %edi
	syscall
	movl $SYS_NOTIFY_SIGNAL, %eax
	movl $3, %edi
	movl $1, %esi
	syscall
	jmp 1b
ublob_notify_pong_end:

/* The benchmark servers' first step: receive on the endpoint in slot 3 with the reply
 * object in slot 4, waiting for ever; r12 = both slots, as ep_reply_recv takes them. */
	.macro server_recv
	movl $SYS_EP_RECV, %eax
	movl $3, %edi
	movl $4, %esi
	movq $-1, %rdx
	syscall
	movabsq $((4 << 32) | 3), %r12
	.endm

/* The user-mode IPC benchmark's server: receive on the endpoint in slot 3 with the
 * reply object in slot 4, then answer and receive again, for ever (the benchmark kills
 * it). Register-only messages, info 0. */
	blob ipc_server
ublob_ipc_server_start:
	server_recv
1:	movl $SYS_EP_REPLY_RECV, %eax
	movq %r12, %rdi
	xorl %esi, %esi
	syscall
	jmp 1b
ublob_ipc_server_end:

/* Its client: data[0] calls through the endpoint in slot 3, timed with RDTSCP into
 * data[1], the last result to data[3]. Two instructions more per iteration than the
 * runner's empty loop (the benchmark takes them off). */
	blob ipc_client
ublob_ipc_client_start:
	movq %rdi, %rbx
	tsc_begin
1:	movl $SYS_EP_CALL, %eax
	movl $3, %edi
	xorl %esi, %esi
	syscall
	decq %r12
	jnz 1b
	movq %rax, 24(%rbx)
2:	tsc_end
ublob_ipc_client_end:

/* The IPC buffer's layout (struct mnos_ipc_buffer; bench_syscall.c checks it). */
	.equ IPCB_CAPS, 512
	.equ IPCB_CAP_MASK, 528

/* The data page (rdi) into rbx, and an IPC buffer at data[6]: the result to data[7]. */
	.macro ipcbuf_set
	movq %rdi, %rbx
	movq 48(%rbx), %rdi
	movl $SYS_IPC_BUFFER_SET, %eax
	syscall
	movq %rax, 56(%rbx)
	.endm

/* The server of the long-message and capability benchmarks: an IPC buffer at data[6]
 * (ipc_buffer_set's result to data[7]), then receive on slot 3 with the reply object in
 * slot 4 and answer with the info word data[4], for ever (the benchmark kills it). If
 * data[5] is non-zero each message brings a capability, which is deleted before the
 * answer, as a server that has no use for it would (the results OR'd into data[8]). */
	blob ipc_server_buf
ublob_ipc_server_buf_start:
	ipcbuf_set
	movq 48(%rbx), %r14             /* the IPC buffer */
	movq 32(%rbx), %r13             /* the answer's info word */
	movq 40(%rbx), %r15             /* delete the capability received? */
	server_recv
1:	testq %r15, %r15
	jz 2f
	movl IPCB_CAPS(%r14), %edi
	movl $SYS_CAP_DELETE, %eax
	syscall
	orq %rax, 64(%rbx)
2:	movl $SYS_EP_REPLY_RECV, %eax
	movq %r12, %rdi
	movq %r13, %rsi
	syscall
	jmp 1b
ublob_ipc_server_buf_end:

/* Its client: an IPC buffer at data[6] (the result to data[7]) naming the capability in
 * slot data[5] as the one to send, every right kept; then data[0] calls through the
 * endpoint in slot 3 with the info word data[4], timed with RDTSCP into data[1], the
 * last result to data[3] and the last answer's info word to data[8]. The loop has the
 * shape of ipc_client's. */
	blob ipc_client_buf
ublob_ipc_client_buf_start:
	ipcbuf_set
	movq 48(%rbx), %rax
	movq 40(%rbx), %rcx
	movl %ecx, IPCB_CAPS(%rax)
	movl $-1, IPCB_CAP_MASK(%rax)
	movq 32(%rbx), %r14
	tsc_begin
1:	movl $SYS_EP_CALL, %eax
	movl $3, %edi
	movq %r14, %rsi
	syscall
	decq %r12
	jnz 1b
	movq %rax, 24(%rbx)
	movq %rsi, 64(%rbx)
2:	tsc_end
ublob_ipc_client_buf_end:

/* map_unmap_4k: data[0] times mapping the one-page memory object in slot 5 at data[4]
 * (read, write), writing to it and unmapping it, ticks to data[1]; the results of the
 * calls OR'd into data[3], the value read back after each write summed into data[5]. */
	blob mapunmap
ublob_mapunmap_start:
	movq %rdi, %rbx
	movq 32(%rbx), %r14
	tsc_begin
1:	movl $SYS_MEM_MAP, %eax
	movl $5, %edi
	xorl %esi, %esi
	movq %r14, %rdx
	movl $0x300, %r10d             /* CAP_R_READ | CAP_R_WRITE */
	syscall
	orq %rax, 24(%rbx)
	incq (%r14)
	movq (%r14), %rax
	addq %rax, 40(%rbx)
	movl $SYS_MEM_UNMAP, %eax
	xorl %edi, %edi
	movq %r14, %rsi
	syscall
	orq %rax, 24(%rbx)
	decq %r12
	jnz 1b
2:	tsc_end
ublob_mapunmap_end:

/* Exit at once: the user thread of thread_create_exit. */
	blob exit
ublob_exit_start:
	movl $SYS_THREAD_EXIT, %eax
	syscall
ublob_exit_end:

/* The thread's first FPU instruction (the #NM that gives it an FPU area): 21 / 2 in SSE
 * arithmetic, truncated, into data[0]. */
	blob fpu
ublob_fpu_start:
	movl $21, %eax
	cvtsi2sdq %rax, %xmm0
	movl $2, %eax
	cvtsi2sdq %rax, %xmm1
	divsd %xmm1, %xmm0
	cvttsd2siq %xmm0, %rax
	movq %rax, (%rdi)
	movl $SYS_THREAD_EXIT, %eax
	syscall
ublob_fpu_end:

/* Linger until the process is killed, by the mode in rdi: 0 spin in user mode, 1 wait on
 * the notification in slot 3, 2 sleep (1000 s at a time). */
	blob linger
ublob_linger_start:
	cmpq $1, %rdi
	je 1f
	cmpq $2, %rdi
	je 2f
0:	pause
	jmp 0b
1:	movl $3, %edi
	movl $SYS_NOTIFY_WAIT, %eax
	syscall
	jmp 1b
2:	movabsq $1000000000000, %rdi
	movl $SYS_SLEEP, %eax
	syscall
	jmp 2b
ublob_linger_end:
