/*
 * The system-call fuzzer (user/sfuzz) in the guest: two instances at once, each making
 * random system calls with arguments drawn from its own pool of capabilities, numbers
 * and pointers. The kernel survives them, and once they are gone every object,
 * capability, thread, mapping, frame and heap byte they caused is back. sfuzz.calls=N
 * and sfuzz.seed=N on the command line change the run (make fuzz runs it longer).
 */
#include <ktest.h>
#include "settle.h"
#include "frames.h"
#include "uprog.h"
#include <cmdline.h>
#include <bootinfo.h>
#include <heap.h>
#include <kformat.h>
#include <memobj.h>
#include <time.h>
#include <log.h>

static uint64_t strtou64(const char *s)
{
	uint64_t v = 0;

	while (*s >= '0' && *s <= '9')
		v = v * 10 + (uint64_t)(*s++ - '0');
	return v;
}

extern const char uprog_sfuzz_start[], uprog_sfuzz_end[];

KTEST(sfuzz, random_syscalls_from_two_processes_leave_nothing)
{
	static struct uprog u[2];
	char calls[24] = "20000", seed[24] = "1", seed2[24];
	uint64_t threads = thread_count(), frames = frames_used();
	uint64_t objs = kobj_count(), caps = cap_count(), maps = mem_mapping_count();
	uint64_t heap = heap_get_stats().bytes_in_use;

	cmdline_get(boot_info.cmdline, "sfuzz.calls", calls, sizeof(calls));
	cmdline_get(boot_info.cmdline, "sfuzz.seed", seed, sizeof(seed));
	ksnprintf(seed2, sizeof(seed2), "%s7", seed);
	const char *argv0[] = { "sfuzz", calls, seed, "plant" };
	const char *argv1[] = { "sfuzz", calls, seed2, "plant" };
	/* sfuzz.plant: also use the planted bug's arguments (the sfuzz-planted boot). */
	unsigned argc = cmdline_has(boot_info.cmdline, "sfuzz.plant") ? 4 : 3;
	size_t size = (size_t)(uprog_sfuzz_end - uprog_sfuzz_start);

	uint64_t t0 = clock_ns();
	KT_ASSERT_EQ(uprog_start(&u[0], "sfuzz", uprog_sfuzz_start, size, argv0, argc, 256,
				 8ull << 20), E_OK);
	KT_ASSERT_EQ(uprog_start(&u[1], "sfuzz", uprog_sfuzz_start, size, argv1, argc, 256,
				 8ull << 20), E_OK);
	/* Each ran to its end (bit 0) and says how many calls it made (the rest). */
	uint64_t r0 = uprog_finish(&u[0]), r1 = uprog_finish(&u[1]);
	uint64_t ms = (clock_ns() - t0) / 1000000 + 1, made = (r0 >> 1) + (r1 >> 1);
	KT_EXPECT_EQ(r0 & 1, 1);
	KT_EXPECT_EQ(r1 & 1, 1);
	KT_EXPECT_EQ(r0 >> 1, strtou64(calls));
	KT_EXPECT_EQ(r1 >> 1, strtou64(calls));
	kprintf("# sfuzz: %llu + %llu calls made in %llu ms: about %llu calls a second\n",
		(unsigned long long)(r0 >> 1), (unsigned long long)(r1 >> 1),
		(unsigned long long)ms, (unsigned long long)(made * 1000 / ms));
	settle_threads(threads);
	KT_EXPECT_EQ(thread_count(), threads);
	KT_EXPECT_EQ(kobj_count(), objs);
	KT_EXPECT_EQ(cap_count(), caps);
	KT_EXPECT_EQ(mem_mapping_count(), maps);
	KT_EXPECT_EQ(u[0].q.used, 0);
	KT_EXPECT_EQ(u[1].q.used, 0);
	KT_EXPECT_EQ(frames_used(), frames);
	/* The heap too: the fuzzers' kernel objects, capability slots, mappings' records and
	 * threads are all heap blocks, and nothing of theirs may be kept. */
	KT_EXPECT_EQ(heap_get_stats().bytes_in_use, heap);
}
