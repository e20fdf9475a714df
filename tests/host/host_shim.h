/*
 * Force-included (gcc -include) into every host unit-test build of kernel sources.
 * Kernel code calls panic() for broken invariants; on the host that becomes a message
 * and abort(), which Criterion reports as a crashed test. A test that expects a panic
 * defines its own panic() (strong) to catch it. Logging goes to stderr, likewise
 * replaceable.
 */
#ifndef HOST_SHIM_H
#define HOST_SHIM_H

#include <stdio.h>
#include <stdlib.h>
#include <stdarg.h>
#include <log.h>
#include <spinlock.h>

__attribute__((weak, noreturn, format(printf, 1, 2)))
void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("panic: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}

/* Kernel logging goes to stderr. */
__attribute__((weak, format(printf, 1, 2)))
void kprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

__attribute__((weak, format(printf, 2, 3)))
void klog(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "[log %d] ", (int)level);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* Lock misuse is a panic, as in the kernel. */
__attribute__((weak, noreturn))
void spin_lock_recursion_panic(struct spinlock *l)
{
	panic("recursive lock: spinlock '%s' already held", l->name);
}

/* Host tests run on one thread: a held lock is never waited for. */
__attribute__((weak, noreturn))
void spin_lock_contended(struct spinlock *l)
{
	panic("spinlock '%s' held: contended in a single-threaded host test", l->name);
}

__attribute__((weak, noreturn))
void spin_not_held_panic(struct spinlock *l, const char *file, int line)
{
	panic("spinlock '%s' not held at %s:%d", l->name, file, line);
}

#endif
