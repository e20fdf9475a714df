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
