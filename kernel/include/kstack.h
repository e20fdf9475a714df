/*
 * Kernel stacks: each lives at the top of its own 64 KiB slot in the kernel virtual area,
 * and everything below it in the slot stays unmapped, so running off the bottom faults
 * on a guard page instead of corrupting a neighbour. Used for the IST stacks of double
 * fault, NMI and machine check, and for every thread's kernel stack.
 */
#ifndef KSTACK_H
#define KSTACK_H

#include <types.h>

#define KSTACK_SLOT     (64 * 1024)
#define KSTACK_MAX      (KSTACK_SLOT - PAGE_SIZE)
#define KSTACK_SLOTS    16384

/* A stack of size bytes (rounded up to pages, at most KSTACK_MAX); returns its top (the
 * initial stack pointer), or NULL when out of memory or slots. */
void *kstack_alloc(size_t size);
void kstack_free(void *top);

/* Bounds [lo, hi) of the kernel stack containing addr; false if it is on none. */
bool kstack_bounds(uint64_t addr, uint64_t *lo, uint64_t *hi);

/* Stacks in use, for leak checks. */
uint64_t kstack_count(void);

#endif
