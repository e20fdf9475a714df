/*
 * For in-guest tests: run a user program embedded in the kernel (tests/kernel/
 * user_progs.S, from build/user/) the way init would, with the kernel's ELF loader, in a
 * process with a capability space of its own, its own process capability ("self") and a
 * notification ("result") it signals when done. Start several, then wait for each.
 * Programs that work together get notifications of the test's too: those in tell
 * (signal only) and hear (wait only), when set before uprog_start. A program that needs
 * more — hardware, memory the test made — gets the objects in extra (set before
 * uprog_start too), each with the rights and start-information name given, in slots
 * from UPROG_EXTRA_SLOT on: as init hands its services boot capabilities. affinity, if
 * set, says which CPUs its first thread may run on.
 */
#ifndef TESTS_UPROG_H
#define TESTS_UPROG_H

#include <cap.h>
#include <elf.h>
#include <notify.h>
#include <sched.h>
#include <taskcap.h>
#include <thread.h>
#include <usermode.h>

#define UPROG_EXTRA_SLOT        5
#define UPROG_EXTRA_MAX         8

/* An object for the program; the test keeps its own reference. */
struct uprog_cap {
	const char *name;
	struct kobj *obj;
	uint32_t rights;
};

struct uprog {
	struct cspace cs;
	struct quota q;
	struct process *p;
	struct notification *result;
	struct thread *t;
	struct notification *tell, *hear;       /* optional: slots 3 and 4 */
	const struct uprog_cap *extra;          /* optional: slots 5 on */
	unsigned nextra;                        /* at most UPROG_EXTRA_MAX */
	uint64_t affinity;                      /* optional: its first thread's CPUs */
};

static inline kerr_t uprog_start(struct uprog *u, const char *name, const char *img,
				 size_t size, const char *const *argv, unsigned argc,
				 uint32_t nslots, uint64_t quota)
{
	struct elf_start_cap caps[UPROG_EXTRA_SLOT - 1 + UPROG_EXTRA_MAX] = {
		{ 1, OBJ_PROCESS, "self" },
		{ 2, OBJ_NOTIFICATION, "result" },
		{ 3, OBJ_NOTIFICATION, "tell" },
		{ 4, OBJ_NOTIFICATION, "hear" },
	};
	unsigned ncaps = u->tell && u->hear ? 4 : 2;
	struct kobj *self;
	struct elf_image im;
	kerr_t e;

	quota_init(&u->q, quota);
	if ((e = cspace_init(&u->cs, nslots, &u->q)) != E_OK)
		return e;
	if ((e = process_create(name, &u->p)) != E_OK)
		return e;
	u->p->cspace = &u->cs;
	if ((e = process_obj_create(&u->q, u->p, &self)) != E_OK)
		return e;
	cap_insert_root(&u->cs, 1, self, CAP_R_ALL, 0);
	kobj_put(self);
	if ((e = notification_create(&u->q, &u->result)) != E_OK)
		return e;
	cap_insert_root(&u->cs, 2, &u->result->obj, CAP_R_SIGNAL, 0);
	if (u->tell && u->hear) {
		cap_insert_root(&u->cs, 3, &u->tell->obj, CAP_R_SIGNAL, 0);
		cap_insert_root(&u->cs, 4, &u->hear->obj, CAP_R_WAIT, 0);
	}
	if (u->nextra > UPROG_EXTRA_MAX)
		return E_INVAL;
	for (unsigned i = 0; i < u->nextra; i++) {
		uint32_t slot = UPROG_EXTRA_SLOT + i;
		if ((e = cap_insert_root(&u->cs, slot, u->extra[i].obj, u->extra[i].rights,
					 0)) != E_OK)
			return e;
		caps[ncaps++] = (struct elf_start_cap){ slot, u->extra[i].obj->type,
							u->extra[i].name };
	}
	struct elf_args args = { .argv = argv, .argc = argc, .caps = caps, .ncaps = ncaps };
	if ((e = elf_load(u->p, img, size, &args, &im)) != E_OK)
		return e;
	if ((e = user_thread_create(u->p, im.entry, im.sp, im.start_info, &u->t)) != E_OK)
		return e;
	if (u->affinity)
		sched_set_affinity(u->t, u->affinity);
	thread_launch(u->t);
	return E_OK;
}

/* Wait for its first thread, take the result bits, and take it all down. */
static inline uint64_t uprog_finish(struct uprog *u)
{
	thread_join(u->t);
	uint64_t bits = __atomic_load_n(&u->result->word, __ATOMIC_ACQUIRE);
	kobj_put(&u->result->obj);
	process_kill(u->p);                     /* threads it left, if any */
	u->p->cspace = &cspace_empty;
	cspace_destroy(&u->cs);
	process_put(u->p);
	return bits;
}

#endif
