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
#include "uprog.h"
#include "sysenv.h"
#include <cap.h>
#include <elf.h>
#include <memobj.h>
#include <notify.h>
#include <pmm.h>
#include <taskcap.h>
#include <usermode.h>
#include <log.h>
#include <time.h>

extern const char uprog_utest_start[], uprog_utest_end[];

#define UTEST_SLOTS     256
#define UTEST_QUOTA     (8ull << 20)

static void run_utest(const char *only)
{
	static struct uprog u;
	uint64_t threads = thread_count(), frames = frames_used();
	uint64_t objs = kobj_count(), maps = mem_mapping_count();
	const char *argv[] = { "utest", only };

	KT_ASSERT_EQ(uprog_start(&u, "utest", uprog_utest_start,
				 (size_t)(uprog_utest_end - uprog_utest_start), argv, only ? 2 : 1,
				 UTEST_SLOTS, UTEST_QUOTA), E_OK);
	uint64_t bits = uprog_finish(&u);
	KT_EXPECT_EQ(bits & 1, 1);                      /* it ran to its end */
	KT_EXPECT_EQ(bits & 2, 0);                      /* and nothing failed */
	settle_threads(threads);
	KT_EXPECT_EQ(thread_count(), threads);
	KT_EXPECT_EQ(kobj_count(), objs);
	KT_EXPECT_EQ(mem_mapping_count(), maps);
	KT_EXPECT_EQ(u.q.used, 0);
	KT_EXPECT_EQ(frames_used(), frames);
}

KTEST(utest, user_test_program)
{
	run_utest(NULL);
}

/*
 * Exhaustion (user/utest/tests_exhaust.c): one utest process fills its capability
 * space and then takes every frame the kernel has — its quota is larger than the
 * machine — while another keeps making IPC round trips and must make some while
 * memory is gone. Both finish with nothing failed, and every thread, object, mapping
 * and frame is back afterwards. Explicit: it takes a few seconds (zeroing every frame),
 * so the boot matrix runs it in two boots, not all five that run every test.
 */
KTEST_F(utest, exhaustion_while_another_process_does_ipc, KTEST_EXPLICIT)
{
	static struct uprog hog, partner;
	struct notification *to_partner, *to_hog;
	uint64_t threads = thread_count(), frames = frames_used();
	uint64_t objs = kobj_count(), maps = mem_mapping_count();
	const char *hog_argv[] = { "utest", "exhaust_" };
	const char *partner_argv[] = { "utest", "partner_" };
	size_t size = (size_t)(uprog_utest_end - uprog_utest_start);

	KT_ASSERT_EQ(notification_create(NULL, &to_partner), E_OK);
	KT_ASSERT_EQ(notification_create(NULL, &to_hog), E_OK);
	partner.tell = hog.hear = to_hog;
	partner.hear = hog.tell = to_partner;
	uint64_t t0 = clock_ns();
	KT_ASSERT_EQ(uprog_start(&partner, "partner", uprog_utest_start, size, partner_argv, 2,
				 UTEST_SLOTS, UTEST_QUOTA), E_OK);
	KT_ASSERT_EQ(uprog_start(&hog, "hog", uprog_utest_start, size, hog_argv, 2, 1024,
				 1ull << 40), E_OK);
	uint64_t hog_bits = uprog_finish(&hog), partner_bits = uprog_finish(&partner);
	kprintf("# utest: exhaustion and its partner took %llu ms\n",
		(unsigned long long)((clock_ns() - t0) / 1000000));
	KT_EXPECT_EQ(hog_bits, 1);                      /* it ran to its end, nothing failed */
	KT_EXPECT_EQ(partner_bits, 1);
	kobj_put(&to_partner->obj);
	kobj_put(&to_hog->obj);
	settle_threads(threads);
	KT_EXPECT_EQ(thread_count(), threads);
	KT_EXPECT_EQ(kobj_count(), objs);
	KT_EXPECT_EQ(mem_mapping_count(), maps);
	KT_EXPECT_EQ(hog.q.used, 0);
	KT_EXPECT_EQ(partner.q.used, 0);
	KT_EXPECT_EQ(frames_used(), frames);
}

/*
 * The SMP torture from ring 3 (user/utest/tests_smp.c): threads pinned to every CPU
 * making IPC calls through the fast paths, deriving and revoking capabilities, starting
 * threads and killing processes whose threads wait in IPC, and mapping and unmapping
 * memory others read, for three seconds; the program checks every answer, the TLB
 * shootdowns and that every worker ends when told. Here: nothing of it is left —
 * threads, processes, objects, capabilities, mappings, frames, heap bytes, quota
 * (sysenv.h's counts). Explicit, and named by the bios-smp4 boot: it wants several
 * CPUs.
 */
KTEST_F(utest, smp_torture_from_ring3, KTEST_EXPLICIT)
{
	static struct uprog u;
	static const struct quota none;                 /* nothing used yet */
	const char *argv[] = { "utest", "smp_torture" };

	settle_all_threads();
	struct counts before = counts_of(&none);
	uint64_t t0 = clock_ns();

	KT_ASSERT_EQ(uprog_start(&u, "torture", uprog_utest_start,
				 (size_t)(uprog_utest_end - uprog_utest_start), argv, 2, 1024,
				 16ull << 20), E_OK);
	uint64_t bits = uprog_finish(&u);
	kprintf("# utest: the torture from ring 3 took %llu ms\n",
		(unsigned long long)((clock_ns() - t0) / 1000000));
	KT_EXPECT_EQ(bits, 1);                          /* it ran to its end, nothing failed */
	settle_threads(before.threads);
	expect_counts(before, counts_of(&u.q), "the torture from ring 3");
}
