/*
 * For the system-call handlers (the files of kernel/syscall): the generated prototypes, and the
 * look-ups several of them share. Each handler gets its arguments already checked for
 * their kind (syscall_table.h) and checks the rest — every slot, right, size and pointer
 * — before it changes anything; results go into the frame's result registers.
 */
#ifndef SYSCALL_SYS_H
#define SYSCALL_SYS_H

#include <syscall_table.h>
#include <cap.h>
#include <thread.h>

static inline struct cspace *sys_cspace(void)
{
	return thread_current()->proc->cspace;
}

/* The process a "proc" argument names, with a reference for the caller to drop with
 * process_put: 0 is the caller's own, anything else a slot with a process capability
 * with CONTROL (E_RANGE, E_NOT_FOUND, E_TYPE, E_PERM). */
kerr_t sys_proc_get(uint32_t slot, struct process **out);

/* Is slot of cs empty, to be filled? E_RANGE: no such slot; E_EXISTS: occupied. */
kerr_t sys_slot_empty(struct cspace *cs, uint32_t slot);

#endif
