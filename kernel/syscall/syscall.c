/*
 * The system-call dispatch (arch/syscall.h, DESIGN.md §8): the SYSCALL entry's C side
 * runs syscall_dispatch() with the saved user registers. The switch over call numbers
 * is generated from the ABI table (abi/abi.py -> syscall_table.h) with the checks that
 * an argument's kind fixes; the handlers are in this directory, one file per area:
 * sys_misc.c (print, yield, clock, sleep), sys_cap.c (capabilities, objects),
 * sys_ipc.c (endpoints, notifications), sys_task.c (memory, threads, processes),
 * sys_hw.c (IRQ lines, I/O ports).
 */
#include "sys.h"
#include <taskcap.h>
#include <usermode.h>
#include <memobj.h>
#include <arch/layout.h>

/* The ABI's figures are the kernel's. */
_Static_assert(MNOS_PAGE_SIZE == PAGE_SIZE, "ABI");
_Static_assert(MNOS_USER_BASE == USER_BASE && MNOS_USER_TOP == USER_TOP, "ABI");
_Static_assert(MNOS_MEMOBJ_MAX_PAGES == MEMOBJ_MAX_PAGES, "ABI");

void syscall_dispatch(struct syscall_frame *f)
{
	kerr_t e = syscall_invoke(f);

	f->rax = (uint64_t)e;
	/* A failed call returns nothing: no half-written result, nothing of the kernel's. */
	if (unlikely(e != E_OK))
		f->rdi = f->rsi = f->rdx = f->r10 = f->r8 = f->r9 = 0;
	user_return_check();            /* killed meanwhile: end here */
}

kerr_t sys_proc_get(uint32_t slot, struct process **out)
{
	struct thread *me = thread_current();

	if (!slot) {
		process_get(me->proc);
		*out = me->proc;
		return E_OK;
	}
	return process_cap_get(me->proc->cspace, slot, CAP_R_CONTROL, out);
}

kerr_t sys_slot_empty(struct cspace *cs, uint32_t slot)
{
	struct cap c;
	kerr_t e = cap_lookup(cs, slot, OBJ_NONE, 0, &c);

	if (e == E_OK) {
		kobj_put(c.obj);
		return E_EXISTS;
	}
	return e == E_NOT_FOUND ? E_OK : e;
}
