/*
 * The kernel heap in the running kernel: on real page tables and frames, from several
 * CPUs at once. The allocators' logic is tested exhaustively on the host
 * (tests/host/test_heap.c); these tests check what only the kernel has: the backend,
 * the mappings (writable, never executable), frames going back to the PMM, and the
 * locks under contention.
 */
#include <ktest.h>
#include <heap.h>
#include <klib.h>
#include <pmm.h>
#include <sched.h>
#include <thread.h>
#include <time.h>
#include <vmm.h>

KTEST(heap, blocks_are_mapped_writable_and_not_executable)
{
	static const size_t sizes[] = { 1, 64, 2048, 2049, 100000 };

	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		uint8_t *p = kmalloc(sizes[i]);
		KT_ASSERT(p != NULL);
		KT_EXPECT(ksize(p) >= sizes[i]);
		for (size_t off = 0; off < sizes[i]; off += PAGE_SIZE) {
			unsigned flags = 0;
			paddr_t phys;
			KT_EXPECT(vmm_translate(&kernel_as, va((uintptr_t)p + off), &phys, &flags));
			KT_EXPECT(flags & VM_WRITE);
			KT_EXPECT(!(flags & VM_EXEC));
			KT_EXPECT(!(flags & VM_USER));
		}
		memset(p, 0xa5, sizes[i]);
		KT_EXPECT_EQ(p[sizes[i] - 1], 0xa5);
		kfree(p);
	}
}

KTEST(heap, alignment_is_honoured)
{
	for (size_t align = 16; align <= HEAP_ALIGN_MAX; align <<= 1) {
		void *p = kmalloc_aligned(100, align);
		KT_ASSERT(p != NULL);
		KT_EXPECT(IS_ALIGNED((uintptr_t)p, (uintptr_t)align));
		kfree(p);
	}
	KT_EXPECT(kmalloc_aligned(64, 48) == NULL);
}

/* Large blocks are given back to the PMM once freed and trimmed: the frames count is
 * where it started, and the statistics show nothing held. */
KTEST(heap, large_blocks_return_their_frames)
{
	heap_trim();
	struct heap_stats before = heap_get_stats();
	uint64_t free_before = pmm_get_stats().free;
	void *p[16];

	for (int i = 0; i < 16; i++) {
		p[i] = kmalloc(256 * 1024);
		KT_ASSERT(p[i] != NULL);
		memset(p[i], i, 256 * 1024);
	}
	KT_EXPECT(pmm_get_stats().free + 16 * 64 <= free_before);
	for (int i = 0; i < 16; i++)
		kfree(p[i]);
	heap_trim();
	struct heap_stats after = heap_get_stats();
	KT_EXPECT_EQ(after.bytes_in_use, before.bytes_in_use);
	KT_EXPECT_EQ(after.large_bytes_held, before.large_bytes_held);
	/* Page-table pages may stay; frames in this CPU's cache count as free. */
	KT_EXPECT(pmm_get_stats().free + 8 >= free_before);
}

/* Allocate until the heap says no, then give it all back: failure is clean (NULL, no
 * panic), and everything comes back. 64 MiB blocks exhaust the smaller test machines'
 * RAM long before the 64 GiB region. */
KTEST(heap, exhaustion_fails_cleanly_and_recovers)
{
	enum { BLOCK = 64u << 20, MAX = 512 };
	static void *blocks[MAX];
	heap_trim();
	struct heap_stats before = heap_get_stats();
	uint64_t free_before = pmm_get_stats().free;
	int n = 0;

	while (n < MAX && (blocks[n] = kmalloc(BLOCK)) != NULL)
		n++;
	KT_EXPECT(n < MAX);
	KT_EXPECT(heap_get_stats().failures > before.failures);
	/* Small allocations still work once a large one is given back. */
	if (n)
		kfree(blocks[--n]);
	void *small = kmalloc(64);
	KT_EXPECT(small != NULL);
	kfree(small);
	while (n)
		kfree(blocks[--n]);
	heap_trim();
	KT_EXPECT_EQ(heap_get_stats().bytes_in_use, before.bytes_in_use);
	KT_EXPECT_EQ(heap_get_stats().large_bytes_held, before.large_bytes_held);
	KT_EXPECT(pmm_get_stats().free + 64 >= free_before);
}

/* ---- several CPUs at once ---- */

#define CHURN_THREADS   8
#define CHURN_SLOTS     64

struct churn {
	uint64_t seed;
	uint64_t errors;
	uint64_t ops;
};

static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Each block is filled with a byte of its owner's: a block handed to two owners at
 * once, or written by a neighbour, shows up as the wrong byte. */
static void churn_thread(void *arg)
{
	struct churn *c = arg;
	uint8_t *slot[CHURN_SLOTS] = { 0 };
	size_t len[CHURN_SLOTS] = { 0 };
	uint8_t mark[CHURN_SLOTS];
	uint64_t end = clock_ns() + 150000000ull;

	while (clock_ns() < end) {
		for (int k = 0; k < 256; k++) {
			uint64_t r = next_rand(&c->seed);
			unsigned i = r % CHURN_SLOTS;
			if (slot[i]) {
				for (size_t b = 0; b < len[i]; b++)
					if (slot[i][b] != mark[i]) {
						c->errors++;
						break;
					}
				kfree(slot[i]);
				slot[i] = NULL;
				continue;
			}
			/* Mostly small sizes, every class, sometimes a large block. */
			size_t size = (r >> 8) % 8 == 0 ? 2049 + (r >> 16) % 20000
							 : 1 + (r >> 16) % 512;
			slot[i] = kmalloc(size);
			if (!slot[i]) {
				c->errors++;
				continue;
			}
			len[i] = size;
			mark[i] = (uint8_t)(r >> 40);
			memset(slot[i], mark[i], size);
			c->ops++;
		}
	}
	for (int i = 0; i < CHURN_SLOTS; i++)
		kfree(slot[i]);
}

KTEST(heap, concurrent_churn_keeps_blocks_apart)
{
	static struct churn c[CHURN_THREADS];
	struct thread *t[CHURN_THREADS];
	uint64_t in_use = heap_get_stats().bytes_in_use, threads = thread_count();

	for (int i = 0; i < CHURN_THREADS; i++) {
		c[i] = (struct churn){ .seed = 0x9e3779b97f4a7c15ull * (uint64_t)(i + 1) };
		t[i] = thread_create(&kernel_process, "heapchurn", churn_thread, &c[i],
				     PRIO_DEFAULT, AFFINITY_ALL);
		KT_ASSERT(t[i] != NULL);
	}
	for (int i = 0; i < CHURN_THREADS; i++)
		thread_join(t[i]);
	KT_EXPECT_EQ(thread_count(), threads);  /* join returns once they are reaped */
	uint64_t ops = 0;
	for (int i = 0; i < CHURN_THREADS; i++) {
		KT_EXPECT_EQ(c[i].errors, 0);
		ops += c[i].ops;
	}
	KT_EXPECT(ops > 1000);
	KT_EXPECT_EQ(heap_get_stats().bytes_in_use, in_use);
}

/* Expected to panic (bios-heap-double-free in tests/guest_configs.py): the message
 * must name the misuse. */
KTEST_F(heap, double_free_panics, KTEST_EXPLICIT)
{
	void *p = kmalloc(64);

	KT_ASSERT(p != NULL);
	kfree(p);
	kfree(p);
	KT_EXPECT(!"the second kfree returned");
}
