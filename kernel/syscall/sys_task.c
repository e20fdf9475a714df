/*
 * System calls on memory grants, threads and processes (syscall.c).
 *
 * thread_create is failure-atomic: the thread is made unstarted (user_thread_create),
 * its capability object made and put in the caller's slot, and only then does it start
 * (thread_launch); any failure undoes it all (thread_discard), so nothing ran and
 * nothing stays charged.
 */
#include "sys.h"
#include <memobj.h>
#include <notify.h>
#include <taskcap.h>
#include <usermode.h>

kerr_t sys_mem_map(uint32_t mem, uint32_t proc, uint64_t va_, uint32_t rights,
		   struct syscall_frame *f)
{
	struct process *p;
	kerr_t e = sys_proc_get(proc, &p);

	if (e != E_OK)
		return e;
	e = mem_map(sys_cspace(), mem, p, va(va_), rights);
	process_put(p);
	return e;
}

kerr_t sys_mem_map_pages(uint32_t mem, uint32_t proc, uint64_t va_, uint32_t rights,
			 uint64_t first, uint64_t npages, struct syscall_frame *f)
{
	struct process *p;
	kerr_t e = sys_proc_get(proc, &p);

	if (e != E_OK)
		return e;
	e = mem_map_pages(sys_cspace(), mem, p, va(va_), rights, first, npages);
	process_put(p);
	return e;
}

kerr_t sys_mem_unmap(uint32_t proc, uint64_t va_, struct syscall_frame *f)
{
	struct process *p;
	kerr_t e = sys_proc_get(proc, &p);

	if (e != E_OK)
		return e;
	e = mem_unmap(p, va(va_));
	process_put(p);
	return e;
}

kerr_t sys_thread_create(uint32_t proc, uint32_t dst, uint64_t entry, uint64_t stack,
			 uint64_t arg, struct syscall_frame *f)
{
	struct cspace *cs = sys_cspace();
	struct process *p;
	struct thread *t;
	struct kobj *o;
	kerr_t e = sys_proc_get(proc, &p);

	if (e != E_OK)
		return e;
	e = sys_slot_empty(cs, dst);
	if (e != E_OK)
		goto out_put;
	if (quota_charge(cs->quota, MNOS_THREAD_CHARGE) != E_OK) {
		e = E_NO_MEMORY;
		goto out_put;
	}
	e = user_thread_create(p, entry, stack, arg, &t);
	if (e != E_OK)
		goto out_uncharge;
	t->charged = cs->quota;         /* from here on, reaping t pays it back */
	t->charge = MNOS_THREAD_CHARGE;
	e = thread_obj_create(cs->quota, t, &o);
	if (e != E_OK)
		goto out_discard;
	e = cap_insert_root(cs, dst, o, CAP_R_ALL, 0);
	kobj_put(o);                    /* the capability's reference, or the end */
	if (e != E_OK)
		goto out_discard;
	thread_launch(t);
	thread_detach(t);
	process_put(p);
	return E_OK;

out_discard:
	thread_discard(t);
	goto out_put;
out_uncharge:
	quota_credit(cs->quota, MNOS_THREAD_CHARGE);
out_put:
	process_put(p);
	return e;
}

kerr_t sys_thread_cancel_ipc(uint32_t thread, struct syscall_frame *f)
{
	return thread_cap_cancel_ipc(sys_cspace(), thread);
}

kerr_t sys_thread_set_affinity(uint32_t thread, uint64_t mask, struct syscall_frame *f)
{
	return thread_cap_set_affinity(sys_cspace(), thread, mask);
}

kerr_t sys_ipc_buffer_set(uint64_t va_, struct syscall_frame *f)
{
	return ipc_buffer_attach(thread_current(), va_);
}

kerr_t sys_proc_set_fault(uint32_t proc, uint32_t n, struct syscall_frame *f)
{
	struct notification *notif = NULL;
	struct process *p;
	struct cap c;
	kerr_t e = sys_proc_get(proc, &p);

	if (e != E_OK)
		return e;
	if (n) {
		e = cap_lookup(sys_cspace(), n, OBJ_NOTIFICATION, CAP_R_SIGNAL, &c);
		if (e != E_OK)
			goto out_put;
		notif = container_of(c.obj, struct notification, obj);
	}
	process_set_fault_notification(p, notif, notif ? c.badge : 0);  /* its own ref */
	if (notif)
		kobj_put(c.obj);
out_put:
	process_put(p);
	return e;
}

kerr_t sys_proc_kill(uint32_t proc, struct syscall_frame *f)
{
	struct process *p;
	kerr_t e = sys_proc_get(proc, &p);

	if (e != E_OK)
		return e;
	process_kill(p);
	process_put(p);
	return E_OK;
}
