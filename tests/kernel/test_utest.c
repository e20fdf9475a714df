/*
 * The user-mode test program (user/utest, in the spirit of sel4test): the kernel loads
 * it with the ELF loader like any program, into a process with a capability space of
 * its own, and gives it two capabilities — its own process ("self") and a notification
 * ("result") on which it reports that it has finished (bit 0) and whether any of its
 * tests failed (bit 1). Each of its tests is a KTAP subtest line of its own in the
 * output. Afterwards everything it made must be gone.
 */
#include <ktest.h>
#include "settle.h"
#include "frames.h"
#include <cap.h>
#include <elf.h>
#include <memobj.h>
#include <notify.h>
#include <pmm.h>
#include <taskcap.h>
#include <usermode.h>

extern const char uprog_utest_start[], uprog_utest_end[];

#define UTEST_SLOTS     256
#define UTEST_QUOTA     (8ull << 20)

static void run_utest(const char *only)
{
	static struct cspace cs;
	static struct quota q;
	struct process *p;
	struct kobj *self;
	struct notification *result;
	struct elf_image img;
	struct thread *t;
	uint64_t threads = thread_count(), frames = frames_used();
	uint64_t objs = kobj_count(), maps = mem_mapping_count();

	quota_init(&q, UTEST_QUOTA);
	KT_ASSERT_EQ(cspace_init(&cs, UTEST_SLOTS, &q), E_OK);
	KT_ASSERT_EQ(process_create("utest", &p), E_OK);
	p->cspace = &cs;
	KT_ASSERT_EQ(process_obj_create(&q, p, &self), E_OK);
	KT_ASSERT_EQ(cap_insert_root(&cs, 1, self, CAP_R_ALL, 0), E_OK);
	kobj_put(self);
	KT_ASSERT_EQ(notification_create(&q, &result), E_OK);
	KT_ASSERT_EQ(cap_insert_root(&cs, 2, &result->obj, CAP_R_SIGNAL, 0), E_OK);

	static const struct elf_start_cap caps[] = {
		{ 1, OBJ_PROCESS, "self" },
		{ 2, OBJ_NOTIFICATION, "result" },
	};
	const char *argv[] = { "utest", only };
	struct elf_args args = { .argv = argv, .argc = only ? 2 : 1, .caps = caps, .ncaps = 2 };
	kerr_t e = elf_load(p, uprog_utest_start, (size_t)(uprog_utest_end - uprog_utest_start),
			    &args, &img);
	KT_ASSERT_EQ(e, E_OK);
	KT_ASSERT_EQ(user_thread_create(p, img.entry, img.sp, img.start_info, &t), E_OK);
	thread_launch(t);
	thread_join(t);

	uint64_t bits = __atomic_load_n(&result->word, __ATOMIC_ACQUIRE);
	KT_EXPECT_EQ(bits & 1, 1);                      /* it ran to its end */
	KT_EXPECT_EQ(bits & 2, 0);                      /* and nothing failed */
	kobj_put(&result->obj);

	p->cspace = &cspace_empty;
	cspace_destroy(&cs);
	process_put(p);
	settle_threads(threads);
	KT_EXPECT_EQ(thread_count(), threads);
	KT_EXPECT_EQ(kobj_count(), objs);
	KT_EXPECT_EQ(mem_mapping_count(), maps);
	KT_EXPECT_EQ(q.used, 0);
	KT_EXPECT_EQ(frames_used(), frames);
}

KTEST(utest, user_test_program)
{
	run_utest(NULL);
}
