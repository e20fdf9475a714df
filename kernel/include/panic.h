/*
 * panic(): the kernel cannot go on. Prints the message, the CPU's registers and a
 * symbolised backtrace on every console, then halts — or, in test mode, ends QEMU with
 * the panic exit code so the harness sees it at once.
 *
 * assert() guards kernel invariants, never user input (which gets an error code).
 */
#ifndef PANIC_H
#define PANIC_H

#include <types.h>

__noreturn void panic(const char *fmt, ...) __printf(1, 2);

/* Test mode: set when the command line selects in-guest tests. */
extern bool ktest_mode;

#define assert(cond)                                                              \
	do {                                                                      \
		if (unlikely(!(cond)))                                            \
			panic("assertion failed: %s at %s:%d in %s()", #cond,     \
			      __FILE__, __LINE__, __func__);                      \
	} while (0)

/* Print a backtrace of the current stack starting at frame pointer rbp. */
void backtrace_print(uint64_t rbp);

#endif
