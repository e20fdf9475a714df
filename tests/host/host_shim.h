/*
 * Force-included (gcc -include) into every host unit-test build of kernel sources.
 * Kernel code calls panic() for broken invariants; on the host that becomes a message
 * and abort(), which Criterion reports as a crashed test. A test that expects a panic
 * defines its own panic() (strong) to catch it.
 */
#ifndef HOST_SHIM_H
#define HOST_SHIM_H

#include <stdio.h>
#include <stdlib.h>
#include <stdarg.h>

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

#endif
