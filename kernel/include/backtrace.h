/*
 * Frame-pointer stack walking. The kernel is built with -fno-omit-frame-pointer, so each
 * frame starts with {saved rbp, return address}. The walk trusts nothing it reads: every
 * frame must lie inside the stack's bounds, be aligned, and move toward the stack's top,
 * so a corrupted chain ends the walk instead of faulting (tests/host/test_backtrace.c).
 */
#ifndef BACKTRACE_H
#define BACKTRACE_H

#include <types.h>

#define BACKTRACE_MAX_DEPTH 64

typedef void (*backtrace_fn)(void *ctx, uint64_t return_address);

/* Walk from frame pointer rbp on the stack [lo, hi); returns the frames reported. */
size_t backtrace_walk(uint64_t rbp, uint64_t lo, uint64_t hi, size_t max,
		      backtrace_fn fn, void *ctx);

#endif
