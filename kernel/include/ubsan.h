/*
 * The undefined-behaviour sanitizer's runtime (kernel/lib/ubsan.c), for `make UBSAN=1`:
 * the kernel and the user programs are built with -fsanitize=undefined, and the compiler
 * calls these handlers where a check fails. The handlers name the kind of error and its
 * source location and hand them to ubsan_report, which the kernel (panic, or count in
 * the self-test) and the user library (print and abort) each provide.
 */
#ifndef UBSAN_H
#define UBSAN_H

#include <stdint.h>
#include <stdbool.h>

struct ubsan_loc {
	const char *file;
	uint32_t line;
	uint32_t column;
};

/* Called once per failed check (a location that has reported once is quiet after). */
void ubsan_report(const char *kind, const struct ubsan_loc *loc);

#endif
