/* System calls on capabilities, and creating objects (syscall.c). */
#include "sys.h"
#include <endpoint.h>
#include <memobj.h>
#include <notify.h>
#include <taskcap.h>

kerr_t sys_cap_copy(uint32_t src, uint32_t dst_proc, uint32_t dst_slot, uint32_t rights,
		    struct syscall_frame *f)
{
	struct process *p;
	kerr_t e = sys_proc_get(dst_proc, &p);

	if (e != E_OK)
		return e;
	e = cap_copy(sys_cspace(), src, p->cspace, dst_slot, rights);
	process_put(p);
	return e;
}

kerr_t sys_cap_mint(uint32_t src, uint32_t dst, uint32_t rights, uint64_t badge,
		    struct syscall_frame *f)
{
	struct cspace *cs = sys_cspace();

	return cap_mint(cs, src, cs, dst, rights, badge);
}

kerr_t sys_cap_move(uint32_t src, uint32_t dst, struct syscall_frame *f)
{
	struct cspace *cs = sys_cspace();

	return cap_move(cs, src, cs, dst);
}

kerr_t sys_cap_delete(uint32_t slot, struct syscall_frame *f)
{
	return cap_delete(sys_cspace(), slot);
}

kerr_t sys_cap_revoke(uint32_t slot, struct syscall_frame *f)
{
	return cap_revoke(sys_cspace(), slot);
}

kerr_t sys_cap_identify(uint32_t slot, struct syscall_frame *f)
{
	struct cap c;
	kerr_t e = cap_lookup(sys_cspace(), slot, OBJ_NONE, 0, &c);

	if (e != E_OK)
		return e;
	kobj_put(c.obj);
	f->rdi = c.type;
	f->rsi = c.rights;
	f->rdx = c.badge;
	return E_OK;
}

/* A new object of type (its arguments checked), with the creator's reference. */
static kerr_t create(uint64_t type, struct quota *q, uint64_t arg0, uint64_t arg1,
		     struct kobj **out)
{
	kerr_t e;

	switch (type) {
	case OBJ_ENDPOINT: {
		struct endpoint *ep;
		e = endpoint_create(q, &ep);
		if (e == E_OK)
			*out = endpoint_kobj(ep);
		return e;
	}
	case OBJ_REPLY: {
		struct reply *r;
		e = reply_create(q, &r);
		if (e == E_OK)
			*out = reply_kobj(r);
		return e;
	}
	case OBJ_NOTIFICATION: {
		struct notification *n;
		e = notification_create(q, &n);
		if (e == E_OK)
			*out = &n->obj;
		return e;
	}
	case OBJ_MEMORY: {
		struct memobj *mo;
		e = arg1 & MNOS_MEM_LAZY ? memobj_create_lazy(q, arg0, &mo)
					 : memobj_create(q, arg0, &mo);
		if (e == E_OK)
			*out = &mo->obj;
		return e;
	}
	case OBJ_PROCESS: {
		struct process *p;
		e = process_create_user("user", q, (uint32_t)arg0, arg1, &p);
		if (e != E_OK)
			return e;
		e = process_obj_create(q, p, out);
		process_put(p);         /* the object holds its own reference */
		return e;
	}
	default:
		return E_INVAL;
	}
}

/* The arguments each type takes: E_INVAL for one it does not, or a bad count. */
static kerr_t check_create(uint64_t type, uint64_t arg0, uint64_t arg1)
{
	switch (type) {
	case OBJ_ENDPOINT:
	case OBJ_REPLY:
	case OBJ_NOTIFICATION:
		return arg0 || arg1 ? E_INVAL : E_OK;
	case OBJ_MEMORY:
		if (!arg0 || (arg1 & ~MNOS_MEM_LAZY))
			return E_INVAL;
		return arg0 > MEMOBJ_MAX_PAGES ? E_RANGE : E_OK;
	case OBJ_PROCESS:
		return arg0 < 2 || arg0 > CSPACE_MAX_SLOTS ? E_INVAL : E_OK;
	default:
		return E_INVAL;
	}
}

kerr_t sys_obj_create(uint64_t type, uint32_t dst, uint64_t arg0, uint64_t arg1,
		      struct syscall_frame *f)
{
	struct cspace *cs = sys_cspace();
	struct kobj *o;
	kerr_t e = check_create(type, arg0, arg1);

	if (e == E_OK)
		e = sys_slot_empty(cs, dst);
	if (e == E_OK)
		e = create(type, cs->quota, arg0, arg1, &o);
	if (e != E_OK)
		return e;
	/* Another thread of the process may have filled dst meanwhile: then the object
	 * goes with the reference dropped here. */
	e = cap_insert_root(cs, dst, o, CAP_R_ALL, 0);
	kobj_put(o);
	return e;
}
