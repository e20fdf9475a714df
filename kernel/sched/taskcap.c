/* Thread and process capabilities (taskcap.h). */
#include <taskcap.h>
#include <endpoint.h>
#include <heap.h>
#include <sched.h>
#include <arch/smp.h>

struct thread_obj {
	struct kobj obj;
	struct thread *t;               /* [I] with a reference */
};

struct process_obj {
	struct kobj obj;
	struct process *p;              /* [I] with a reference */
};

static void thread_obj_destroy(struct kobj *o)
{
	struct thread_obj *to = container_of(o, struct thread_obj, obj);

	thread_put(to->t);
	kfree(to);
}

static void process_obj_destroy(struct kobj *o)
{
	struct process_obj *po = container_of(o, struct process_obj, obj);

	process_put(po->p);
	kfree(po);
}

static const struct kobj_ops thread_obj_ops = { .destroy = thread_obj_destroy };
static const struct kobj_ops process_obj_ops = { .destroy = process_obj_destroy };

void taskcap_init(void)
{
	kobj_register_type(OBJ_THREAD, &thread_obj_ops);
	kobj_register_type(OBJ_PROCESS, &process_obj_ops);
}

kerr_t thread_obj_create(struct quota *q, struct thread *t, struct kobj **out)
{
	struct thread_obj *to = kobj_alloc(q, sizeof(*to), OBJ_THREAD);

	if (!to)
		return E_NO_MEMORY;
	thread_get(t);
	to->t = t;
	*out = &to->obj;
	return E_OK;
}

kerr_t process_obj_create(struct quota *q, struct process *p, struct kobj **out)
{
	struct process_obj *po = kobj_alloc(q, sizeof(*po), OBJ_PROCESS);

	if (!po)
		return E_NO_MEMORY;
	process_get(p);
	po->p = p;
	*out = &po->obj;
	return E_OK;
}

/* The thread or process the capability in (cs, slot) names, with a reference. */
static kerr_t named(struct cspace *cs, uint32_t slot, enum obj_type type, uint32_t need,
		    void **out)
{
	struct cap c;
	kerr_t e = cap_lookup(cs, slot, type, need, &c);

	if (e != E_OK)
		return e;
	if (type == OBJ_THREAD) {
		struct thread *t = container_of(c.obj, struct thread_obj, obj)->t;
		thread_get(t);
		*out = t;
	} else {
		struct process *p = container_of(c.obj, struct process_obj, obj)->p;
		process_get(p);
		*out = p;
	}
	kobj_put(c.obj);
	return E_OK;
}

kerr_t thread_cap_get(struct cspace *cs, uint32_t slot, uint32_t need, struct thread **t)
{
	return named(cs, slot, OBJ_THREAD, need, (void **)t);
}

kerr_t process_cap_get(struct cspace *cs, uint32_t slot, uint32_t need, struct process **p)
{
	return named(cs, slot, OBJ_PROCESS, need, (void **)p);
}

kerr_t thread_cap_cancel_ipc(struct cspace *cs, uint32_t slot)
{
	struct thread *t;
	kerr_t e = thread_cap_get(cs, slot, CAP_R_CONTROL, &t);

	if (e != E_OK)
		return e;
	e = ipc_cancel(t) ? E_OK : E_NOT_FOUND;
	thread_put(t);
	return e;
}

kerr_t thread_cap_set_affinity(struct cspace *cs, uint32_t slot, uint64_t mask)
{
	struct thread *t;
	kerr_t e = thread_cap_get(cs, slot, CAP_R_CONTROL, &t);

	if (e != E_OK)
		return e;
	/* A mask with no online CPU would leave the thread nowhere to run (the scheduler
	 * keeps it where it is, against the mask): refused, nothing changed. */
	if (mask & smp_online_mask())
		sched_set_affinity(t, mask);
	else
		e = E_INVAL;
	thread_put(t);
	return e;
}
