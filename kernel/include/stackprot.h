/*
 * The stack protector's guard (kernel/core/stackprot.c).
 */
#ifndef STACKPROT_H
#define STACKPROT_H

#include <types.h>

extern uint64_t __stack_chk_guard;

/* Seed the guard: the first thing kmain does (it and this never return through a
 * check). true when RDRAND supplied the randomness. */
bool stackprot_init(void);

#endif
