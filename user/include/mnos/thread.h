/*
 * More threads in the calling process (user/lib/thread.c).
 */
#ifndef MNOS_THREAD_H
#define MNOS_THREAD_H

#include <types.h>
#include <mnos/abi.h>

/*
 * Start fn(arg) in a new thread of this process on a stack of stack_size bytes from
 * the heap (0: 64 KiB); the thread ends when fn returns. *slot (if not NULL) gets its
 * thread capability, from the slot allocator. The stack is not given back when the
 * thread ends: for threads that live as long as their process. E_NO_MEMORY without
 * a stack or a slot; else thread_create's errors.
 */
enum mnos_error mnos_thread_start(void (*fn)(void *), void *arg, size_t stack_size,
				  uint32_t *slot);

#endif
