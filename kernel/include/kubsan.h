/*
 * The kernel's sanitizer reports (kernel/core/ubsan_kernel.c), for its self-test.
 */
#ifndef KUBSAN_H
#define KUBSAN_H

#include <types.h>

/* true: count and log failed checks instead of panicking (the self-test). */
void ubsan_expect(bool on);
/* Failed checks so far, and the kind of the last (may be NULL). */
uint64_t ubsan_reports(const char **kind);

#endif
