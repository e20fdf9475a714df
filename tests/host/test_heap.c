/*
 * The kernel heap (kernel/mm/heap.c, kernel/mm/slab.c) on a host backend: the two
 * regions are reserved with mmap(PROT_NONE) and pages are made writable when the heap
 * maps them and inaccessible again when it unmaps them, so a heap that touches memory
 * it does not hold faults at once. The backend checks every call (page aligned, inside
 * a region, nothing mapped twice, nothing unmapped that is not mapped), fills fresh
 * pages with garbage
 * (frames are not zeroed in the kernel either), can refuse the Nth call or every call
 * past a page budget, and counts what is mapped, which the heap's statistics must
 * match.
 *
 * Tests: every class boundary, alignment, kcalloc, krealloc in all its cases, a long
 * random sequence against a model, exhaustion, coalescing and giving pages back, and
 * each kind of misuse that must panic.
 *
 * panic() cannot be replaced by a strong definition here: the host shim, force-included
 * into this file, already defines it (weak) in this translation unit. It prints the
 * message and calls abort(), so a test expecting a panic sends stderr to a memory file,
 * catches SIGABRT and jumps back, then checks the message.
 */
#undef _FEATURES_H              /* the shim included libc headers before our first line */
#define _GNU_SOURCE             /* mmap flags, madvise, sigaction, memfd_create */
#include <features.h>
#include <criterion/criterion.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <heap.h>

/* ---- the backend ---- */

#define SLAB_REGION     (1ull << 30)
#define LARGE_REGION    (1ull << 30)
#define SLAB_ALIGN      (64 * 1024)

static struct {
	uintptr_t slab, large;          /* the regions */
	size_t slab_size, large_size;
	uint64_t *slab_mapped, *large_mapped;   /* bit per page */
	size_t pages;                   /* mapped now */
	size_t budget;                  /* refuse a map that would pass it; 0 = none */
	uint64_t map_calls, unmap_calls;
	uint64_t fail_at;               /* refuse this map call (1-based); 0 = none */
	bool fail_all;                  /* refuse every map call */
} be;

static uint64_t *page_bits(uintptr_t va, size_t npages, size_t *first)
{
	if (va >= be.slab && va + npages * PAGE_SIZE <= be.slab + be.slab_size) {
		*first = (va - be.slab) / PAGE_SIZE;
		return be.slab_mapped;
	}
	cr_assert(va >= be.large && va + npages * PAGE_SIZE <= be.large + be.large_size,
		  "backend call outside both regions: %#lx + %zu pages", (unsigned long)va, npages);
	*first = (va - be.large) / PAGE_SIZE;
	return be.large_mapped;
}

bool heap_backend_map(uintptr_t va, size_t npages)
{
	size_t first;
	uint64_t *bits = page_bits(va, npages, &first);

	be.map_calls++;
	cr_assert(npages > 0 && va % PAGE_SIZE == 0, "map: bad range %#lx", (unsigned long)va);
	if (be.fail_all || be.map_calls == be.fail_at ||
	    (be.budget && be.pages + npages > be.budget))
		return false;
	for (size_t i = first; i < first + npages; i++) {
		cr_assert(!(bits[i / 64] & (1ull << (i % 64))), "map: page %#lx already mapped",
			  (unsigned long)(va + (i - first) * PAGE_SIZE));
		bits[i / 64] |= 1ull << (i % 64);
	}
	cr_assert_eq(mprotect((void *)va, npages * PAGE_SIZE, PROT_READ | PROT_WRITE), 0);
	memset((void *)va, 0xa5, npages * PAGE_SIZE);  /* fresh frames hold anything */
	be.pages += npages;
	return true;
}

void heap_backend_unmap(uintptr_t va, size_t npages)
{
	size_t first;
	uint64_t *bits = page_bits(va, npages, &first);

	be.unmap_calls++;
	cr_assert(npages > 0 && va % PAGE_SIZE == 0, "unmap: bad range %#lx", (unsigned long)va);
	for (size_t i = first; i < first + npages; i++) {
		cr_assert(bits[i / 64] & (1ull << (i % 64)), "unmap: page %#lx not mapped",
			  (unsigned long)(va + (i - first) * PAGE_SIZE));
		bits[i / 64] &= ~(1ull << (i % 64));
	}
	cr_assert_eq(madvise((void *)va, npages * PAGE_SIZE, MADV_DONTNEED), 0);
	cr_assert_eq(mprotect((void *)va, npages * PAGE_SIZE, PROT_NONE), 0);
	be.pages -= npages;
}

static uintptr_t reserve(size_t size, size_t align)
{
	void *p = mmap(NULL, size + align, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	cr_assert(p != MAP_FAILED);
	return ALIGN_UP((uintptr_t)p, (uintptr_t)align);
}

static void setup_sized(size_t slab_size, size_t large_size)
{
	be.slab_size = slab_size;
	be.large_size = large_size;
	be.slab = reserve(slab_size, SLAB_ALIGN);
	be.large = reserve(large_size, PAGE_SIZE);
	be.slab_mapped = calloc(slab_size / PAGE_SIZE / 64 + 1, 8);
	be.large_mapped = calloc(large_size / PAGE_SIZE / 64 + 1, 8);
	heap_init(be.slab, slab_size, be.large, large_size);
}

static void setup(void)
{
	setup_sized(SLAB_REGION, LARGE_REGION);
}

TestSuite(heap, .init = setup);

/* ---- helpers ---- */

static bool in_slab(const void *p)
{
	return (uintptr_t)p - be.slab < be.slab_size;
}

static bool in_large(const void *p)
{
	return (uintptr_t)p - be.large < be.large_size;
}

static void fill(void *p, size_t n, uint8_t v)
{
	memset(p, v, n);
}

static bool filled(const void *p, size_t n, uint8_t v)
{
	const uint8_t *b = p;
	uint64_t w = v * 0x0101010101010101ull, x;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		memcpy(&x, b + i, 8);
		if (x != w)
			return false;
	}
	for (; i < n; i++)
		if (b[i] != v)
			return false;
	return true;
}

/* The heap's account of mapped memory is the backend's. */
static struct heap_stats checked_stats(void)
{
	struct heap_stats st = heap_get_stats();

	cr_assert_eq(st.bytes_held, be.pages * PAGE_SIZE, "heap says %zu bytes held, backend %zu",
		     st.bytes_held, be.pages * PAGE_SIZE);
	cr_assert_eq(st.bytes_held, st.slab_bytes_held + st.large_bytes_held);
	return st;
}

/* Everything freed: nothing in use, and after heap_trim() nothing held. */
static void expect_empty_heap(void)
{
	struct heap_stats st = checked_stats();

	cr_expect_eq(st.bytes_in_use, 0);
	cr_expect_eq(st.allocs, st.frees);
	heap_trim();
	st = checked_stats();
	cr_expect_eq(st.bytes_held, 0, "%zu bytes still held after heap_trim", st.bytes_held);
	cr_expect_eq(be.pages, 0);
	cr_expect_eq(st.slabs, 0);
}

/* ---- catching panics ---- */

static sigjmp_buf panic_jmp;
static char panic_text[2048];
static int capture_fd = -1, saved_stderr = -1;
static struct sigaction saved_abort;

static void on_abort(int sig)
{
	siglongjmp(panic_jmp, 1);
}

static void capture_begin(void)
{
	struct sigaction sa = { .sa_handler = on_abort };

	panic_text[0] = 0;
	fflush(stderr);
	capture_fd = memfd_create("panic", 0);
	saved_stderr = dup(2);
	cr_assert(capture_fd >= 0 && saved_stderr >= 0);
	dup2(capture_fd, 2);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGABRT, &sa, &saved_abort);
}

static void capture_end(void)
{
	sigaction(SIGABRT, &saved_abort, NULL);
	fflush(stderr);
	dup2(saved_stderr, 2);
	close(saved_stderr);
	ssize_t n = pread(capture_fd, panic_text, sizeof(panic_text) - 1, 0);
	panic_text[n > 0 ? n : 0] = 0;
	close(capture_fd);
}

/*
 * Run the statements, which must panic with a message containing msg. The heap lock
 * that was held at the panic stays taken (the kernel would have stopped), so a test
 * ends after its panic.
 */
#define EXPECT_PANIC(msg, ...)                                                            \
	do {                                                                              \
		capture_begin();                                                          \
		if (sigsetjmp(panic_jmp, 1) == 0) {                                       \
			__VA_ARGS__;                                                      \
			capture_end();                                                    \
			cr_assert_fail("expected a panic with \"%s\", got none", (msg));  \
		}                                                                         \
		capture_end();                                                            \
		cr_expect(strstr(panic_text, "panic: heap: ") == panic_text,              \
			  "not a heap panic: %s", panic_text);                            \
		cr_expect(strstr(panic_text, (msg)) != NULL,                              \
			  "panic message \"%s\" does not say \"%s\"", panic_text, (msg)); \
	} while (0)

/* ---- sizes and classes ---- */

static const size_t boundary_sizes[] = {
	1, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 255, 256, 257, 511, 512, 513,
	1023, 1024, 1025, 2047, 2048, 2049, 3000, 4095, 4096, 4097, 8192, 10000, 65536,
	65537, 1 << 20, (5 << 20) + 3,
};

static size_t class_of(size_t n)
{
	size_t c = 16;

	while (c < n)
		c *= 2;
	return c;
}

Test(heap, every_class_boundary)
{
	void *p[ARRAY_SIZE(boundary_sizes)];
	size_t expect_in_use = 0;

	for (size_t i = 0; i < ARRAY_SIZE(boundary_sizes); i++) {
		size_t n = boundary_sizes[i];
		p[i] = kmalloc(n);
		cr_assert(p[i], "kmalloc(%zu)", n);
		cr_expect_eq((uintptr_t)p[i] % HEAP_MIN_ALIGN, 0);
		size_t us = ksize(p[i]);
		if (n <= HEAP_SLAB_MAX) {
			cr_expect(in_slab(p[i]), "kmalloc(%zu) not from a slab", n);
			cr_expect_eq(us, class_of(n), "ksize of kmalloc(%zu) is %zu", n, us);
			cr_expect_eq((uintptr_t)p[i] % us, 0, "object not aligned to its class");
		} else {
			cr_expect(in_large(p[i]), "kmalloc(%zu) not a large block", n);
			cr_expect(us >= n && us < n + 64, "ksize of kmalloc(%zu) is %zu", n, us);
		}
		fill(p[i], us, (uint8_t)i);    /* all of the usable size may be written */
		expect_in_use += us;
	}
	struct heap_stats st = checked_stats();
	cr_expect_eq(st.bytes_in_use, expect_in_use);
	cr_expect_eq(st.allocs - st.frees, ARRAY_SIZE(boundary_sizes));
	for (size_t i = 0; i < ARRAY_SIZE(boundary_sizes); i++) {
		cr_expect(filled(p[i], ksize(p[i]), (uint8_t)i), "block %zu was overwritten", i);
		kfree(p[i]);
	}
	expect_empty_heap();
}

Test(heap, zero_size_and_null)
{
	void *a = kmalloc(0), *b = kmalloc(0);

	cr_assert(a && b && a != b, "kmalloc(0) gives unique blocks");
	cr_expect_eq(ksize(a), 16);
	cr_expect_eq(ksize(NULL), 0);
	kfree(NULL);
	kfree(a);
	kfree(b);
	void *c = kcalloc(0, 10);
	cr_assert(c);
	kfree(c);
	expect_empty_heap();
}

Test(heap, huge_requests_fail_cleanly)
{
	cr_expect_null(kmalloc(SIZE_MAX));
	cr_expect_null(kmalloc(SIZE_MAX - 4096));
	cr_expect_null(kmalloc(LARGE_REGION));
	cr_expect_null(kmalloc_aligned(SIZE_MAX, 4096));
	cr_expect_null(kmalloc_aligned(SIZE_MAX, 64));
	struct heap_stats st = checked_stats();
	cr_expect_eq(st.failures, 5);
	cr_expect_eq(st.allocs, 0);
	void *p = kmalloc(100000);
	cr_assert(p);
	kfree(p);
	expect_empty_heap();
}

/* ---- alignment ---- */

Test(heap, aligned_every_power_of_two)
{
	static const size_t sizes[] = { 0, 1, 24, 100, 1000, 2048, 2049, 3000, 5000, 40000 };
	void *p[ARRAY_SIZE(sizes) * 21];
	size_t n = 0;

	for (size_t shift = 0; shift <= 20; shift++) {
		size_t align = (size_t)1 << shift;
		for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
			void *q = kmalloc_aligned(sizes[i], align);
			cr_assert(q, "kmalloc_aligned(%zu, %zu)", sizes[i], align);
			cr_expect_eq((uintptr_t)q % MAX(align, (size_t)HEAP_MIN_ALIGN), 0,
				     "kmalloc_aligned(%zu, %zu) = %p", sizes[i], align, q);
			cr_expect_geq(ksize(q), sizes[i]);
			fill(q, sizes[i], (uint8_t)n);
			p[n++] = q;
		}
	}
	for (size_t i = 0; i < n; i++) {
		cr_expect(filled(p[i], sizes[i % ARRAY_SIZE(sizes)], (uint8_t)i));
		kfree(p[i]);
	}
	expect_empty_heap();
}

Test(heap, aligned_rejects_bad_alignment)
{
	static const size_t bad[] = { 0, 3, 24, 48, 4095, 4097, 12288, HEAP_ALIGN_MAX * 2,
				      SIZE_MAX, (size_t)1 << 63 };

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		cr_expect_null(kmalloc_aligned(64, bad[i]), "alignment %zu accepted", bad[i]);
	cr_expect_eq(checked_stats().allocs, 0);
}

Test(heap, aligned_large_blocks_leave_usable_fragments)
{
	/* The front fragment split off for alignment is a free block that later
	 * allocations use: 200 page-aligned blocks and 200 small large blocks in between
	 * must not need much more than their own size. */
	void *a[200], *b[200];

	for (int i = 0; i < 200; i++) {
		a[i] = kmalloc_aligned(5000, 4096);
		b[i] = kmalloc(2500);
		cr_assert(a[i] && b[i]);
		cr_expect_eq((uintptr_t)a[i] % 4096, 0);
	}
	struct heap_stats st = checked_stats();
	cr_expect_lt(st.large_bytes_held, 200 * (8192 + 4096) + 256 * 1024,
		     "%zu bytes held for 200 x (5000 aligned + 2500)", st.large_bytes_held);
	for (int i = 0; i < 200; i++) {
		kfree(a[i]);
		kfree(b[i]);
	}
	expect_empty_heap();
}

/* ---- kcalloc ---- */

Test(heap, kcalloc_zeroes_reused_and_fresh_memory)
{
	static const size_t sizes[] = { 1, 16, 100, 2048, 3000, 70000 };

	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		/* Fresh pages from the backend are 0xa5; freed memory is poison or old data. */
		uint8_t *p = kcalloc(1, sizes[i]);
		cr_assert(p);
		cr_expect(filled(p, sizes[i], 0), "kcalloc(1, %zu) from fresh memory", sizes[i]);
		fill(p, sizes[i], 0xff);
		kfree(p);
		p = kcalloc(sizes[i], 1);
		cr_assert(p);
		cr_expect(filled(p, sizes[i], 0), "kcalloc(%zu, 1) from reused memory", sizes[i]);
		kfree(p);
	}
	uint32_t *q = kcalloc(1000, sizeof(uint32_t));
	cr_assert(q);
	cr_expect(filled(q, 4000, 0));
	kfree(q);
	expect_empty_heap();
}

Test(heap, kcalloc_overflow)
{
	cr_expect_null(kcalloc(SIZE_MAX / 2 + 1, 2));
	cr_expect_null(kcalloc(2, SIZE_MAX / 2 + 1));
	cr_expect_null(kcalloc((size_t)1 << 33, (size_t)1 << 31));
	cr_expect_null(kcalloc(SIZE_MAX, SIZE_MAX));
	/* Caught before any allocator is asked: nothing counted, nothing mapped. */
	struct heap_stats st = checked_stats();
	cr_expect_eq(st.allocs, 0);
	cr_expect_eq(st.bytes_held, 0);
	cr_expect_eq(be.map_calls, 0);
}

/* ---- krealloc ---- */

Test(heap, krealloc_null_and_zero)
{
	char *p = krealloc(NULL, 40);

	cr_assert(p);
	cr_expect_eq(ksize(p), 64);
	cr_expect_null(krealloc(p, 0));
	struct heap_stats st = checked_stats();
	cr_expect_eq(st.allocs, 1);
	cr_expect_eq(st.frees, 1);
	expect_empty_heap();
}

Test(heap, krealloc_small_sizes)
{
	char *p = kmalloc(40);

	fill(p, 40, 1);
	cr_expect_eq(krealloc(p, 60), p, "same class: in place");
	cr_expect_eq(krealloc(p, 33), p, "same class: in place");
	char *q = krealloc(p, 100);
	cr_assert(q);
	cr_expect(q != p);
	cr_expect(filled(q, 40, 1), "contents kept growing 40 -> 100");
	fill(q, 100, 2);
	char *r = krealloc(q, 1000);
	cr_expect(filled(r, 100, 2));
	fill(r, 1000, 3);
	char *s = krealloc(r, 20);            /* 1024 -> 32: worth moving down */
	cr_expect_eq(ksize(s), 32);
	cr_expect(filled(s, 20, 3));
	char *t = krealloc(s, 10000);         /* slab -> large */
	cr_expect(in_large(t));
	cr_expect(filled(t, 20, 3));
	fill(t, 10000, 4);
	char *u = krealloc(t, 100);           /* large -> slab */
	cr_expect(in_slab(u));
	cr_expect_eq(ksize(u), 128);
	cr_expect(filled(u, 100, 4));
	kfree(u);
	expect_empty_heap();
}

Test(heap, krealloc_large_in_place)
{
	/* The only block: it grows in place by growing the region. */
	char *a = kmalloc(10000);
	fill(a, 10000, 1);
	cr_expect_eq(krealloc(a, 300000), a, "last block grows with the region");
	cr_expect_geq(ksize(a), 300000);
	cr_expect(filled(a, 10000, 1));
	fill(a, 300000, 2);

	/* Into a free right neighbour. */
	char *b = kmalloc(8000), *c = kmalloc(8000), *g = kmalloc(8000);
	fill(b, 8000, 3);
	kfree(c);
	cr_expect_eq(krealloc(b, 14000), b, "grows into the free block after it");
	cr_expect(filled(b, 8000, 3));
	cr_expect(filled(a, 300000, 2));

	/* Shrink in place: the tail becomes a free block that merges. */
	size_t free_before = checked_stats().large_free_bytes;
	cr_expect_eq(krealloc(a, 5000), a);
	cr_expect_lt(ksize(a), 5100);
	cr_expect(filled(a, 5000, 2));
	cr_expect_gt(checked_stats().large_free_bytes, free_before + 290000);
	kfree(a);
	kfree(b);
	kfree(g);
	expect_empty_heap();
}

Test(heap, krealloc_large_moves_when_it_must)
{
	char *a = kmalloc(8000), *b = kmalloc(8000);

	fill(a, 8000, 5);
	char *c = krealloc(a, 50000);
	cr_assert(c);
	cr_expect(c != a, "a used neighbour and not at the top: must move");
	cr_expect(filled(c, 8000, 5));
	struct heap_stats st = checked_stats();
	cr_expect_eq(st.allocs - st.frees, 2);
	kfree(b);
	kfree(c);
	expect_empty_heap();
}

Test(heap, krealloc_failure_leaves_the_block)
{
	char *s = kmalloc(100), *a = kmalloc(8000), *g = kmalloc(8000);

	fill(s, 100, 7);
	fill(a, 8000, 8);
	struct heap_stats before = checked_stats();
	be.fail_all = true;
	cr_expect_null(krealloc(s, 100000));   /* more than the free space left */
	cr_expect_null(krealloc(s, 1 << 20));
	cr_expect_null(krealloc(a, 1 << 20));
	cr_expect_null(krealloc(a, SIZE_MAX));
	cr_expect_null(krealloc(s, SIZE_MAX - 8));
	cr_expect(filled(s, 100, 7));
	cr_expect(filled(a, 8000, 8));
	cr_expect_eq(ksize(s), 128);
	struct heap_stats after = checked_stats();
	cr_expect_eq(after.bytes_in_use, before.bytes_in_use);
	cr_expect_eq(after.allocs, before.allocs);
	cr_expect_eq(after.frees, before.frees);

	/* A shrink into a slab that cannot grow shrinks in place instead of failing. */
	char *r = krealloc(a, 600);
	cr_expect_eq(r, a);
	cr_expect_lt(ksize(a), 8000);
	cr_expect(filled(a, 600, 8));
	be.fail_all = false;
	kfree(s);
	kfree(a);
	kfree(g);
	expect_empty_heap();
}

/* ---- a long random sequence against a model ---- */

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dull;
}

static size_t rand_size(void)
{
	uint64_t r = rnd() % 1000;

	if (r < 500)
		return 1 + rnd() % 64;
	if (r < 890)
		return 1 + rnd() % 2048;
	if (r < 990)
		return 2049 + rnd() % 6144;
	return 8193 + rnd() % (120 * 1024);
}

struct live {
	uint8_t *p;
	size_t size, usable;
	uint8_t pat;
};

static int by_address(const void *a, const void *b)
{
	const struct live *x = a, *y = b;

	return x->p < y->p ? -1 : x->p > y->p;
}

static void check_model(struct live *slot, size_t n, size_t usable_sum)
{
	static struct live sorted[4096];
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (slot[i].p)
			sorted[k++] = slot[i];
	qsort(sorted, k, sizeof(sorted[0]), by_address);
	for (size_t i = 0; i + 1 < k; i++)
		cr_assert_leq((uintptr_t)sorted[i].p + sorted[i].usable, (uintptr_t)sorted[i + 1].p,
			      "live blocks %p (+%zu) and %p overlap", sorted[i].p, sorted[i].usable,
			      sorted[i + 1].p);
	struct heap_stats st = checked_stats();
	cr_assert_eq(st.bytes_in_use, usable_sum);
	cr_assert_eq(st.allocs - st.frees, k);
}

static void got_block(struct live *l, uint8_t *p, size_t size, size_t align)
{
	cr_assert(p, "allocation of %zu bytes failed", size);
	cr_assert(size <= HEAP_SLAB_MAX && align <= HEAP_SLAB_MAX ? in_slab(p) : in_large(p));
	cr_assert_eq((uintptr_t)p % MAX(align, (size_t)HEAP_MIN_ALIGN), 0);
	l->p = p;
	l->size = size;
	l->usable = ksize(p);
	cr_assert_geq(l->usable, size);
	l->pat = (uint8_t)rnd();
	fill(p, size, l->pat);
}

Test(heap, random_operations_against_a_model, .timeout = 120)
{
	enum { SLOTS = 4096, OPS = 1000000 };
	static struct live slot[SLOTS];
	size_t usable_sum = 0, peak_held = 0, peak_in_use = 0;

	for (long op = 0; op < OPS; op++) {
		struct live *l = &slot[rnd() % SLOTS];
		unsigned how = (unsigned)(rnd() % 10);

		if (!l->p) {
			size_t size = rand_size(), align = 0;
			uint8_t *p;
			if (how < 6) {
				p = kmalloc(size);
			} else if (how < 8) {
				align = (size_t)1 << (rnd() % 13);
				p = kmalloc_aligned(size, align);
			} else if (how < 9) {
				p = kcalloc(1, size);
				cr_assert(p && filled(p, size, 0), "kcalloc(1, %zu)", size);
			} else {
				p = krealloc(NULL, size);
			}
			got_block(l, p, size, align);
			usable_sum += l->usable;
		} else if (how < 6) {
			cr_assert(filled(l->p, l->size, l->pat), "block %p (%zu bytes) was overwritten",
				  l->p, l->size);
			usable_sum -= l->usable;
			kfree(l->p);
			l->p = NULL;
		} else {
			size_t size = rand_size();
			uint8_t *p = krealloc(l->p, size);
			cr_assert(p);
			cr_assert(filled(p, MIN(size, l->size), l->pat),
				  "krealloc(%p, %zu -> %zu) lost contents", l->p, l->size, size);
			usable_sum -= l->usable;
			got_block(l, p, size, 0);
			usable_sum += l->usable;
		}
		if (op % 65536 == 0)
			check_model(slot, SLOTS, usable_sum);
		peak_in_use = MAX(peak_in_use, usable_sum);
		peak_held = MAX(peak_held, be.pages * PAGE_SIZE);
	}
	check_model(slot, SLOTS, usable_sum);
	for (size_t i = 0; i < SLOTS; i++) {
		if (slot[i].p) {
			cr_assert(filled(slot[i].p, slot[i].size, slot[i].pat));
			kfree(slot[i].p);
		}
	}
	struct heap_stats st = checked_stats();
	cr_expect_gt(st.allocs, OPS / 3, "%lu blocks handed out", (unsigned long)st.allocs);
	cr_log_info("random: %lu blocks handed out, peak in use %zu KiB, peak held %zu KiB",
		    (unsigned long)st.allocs, peak_in_use / 1024, peak_held / 1024);
	/* Fragmentation stays bounded: never more than twice the peak in use, plus the
	 * slabs' minimum. */
	cr_expect_lt(peak_held, 2 * peak_in_use + 2 * 1024 * 1024);
	expect_empty_heap();
}

/* ---- exhaustion ---- */

Test(heap, refusal_gives_null_and_heap_recovers)
{
	be.fail_all = true;
	cr_expect_null(kmalloc(64));
	cr_expect_null(kmalloc(5000));
	cr_expect_null(kmalloc_aligned(100, 4096));
	cr_expect_null(kcalloc(10, 10));
	struct heap_stats st = checked_stats();
	cr_expect_eq(st.failures, 4);
	cr_expect_eq(st.bytes_held, 0);
	cr_expect_eq(st.allocs, 0);
	be.fail_all = false;
	void *a = kmalloc(64), *b = kmalloc(5000);
	cr_expect(a && b);
	kfree(a);
	kfree(b);
	expect_empty_heap();
}

Test(heap, nth_map_call_fails)
{
	/* For each n, refuse the backend's nth call during a run of mixed allocations:
	 * exactly one allocation fails, nothing leaks, and everything else works. */
	for (uint64_t n = 1; n <= 12; n++) {
		void *p[300];
		int failed = 0;
		be.map_calls = 0;
		be.fail_at = n;
		for (int i = 0; i < 300; i++) {
			size_t size = i % 3 == 0 ? 70000 + (size_t)i * 1000 : 16u << (i % 8);
			p[i] = kmalloc(size);
			if (!p[i])
				failed++;
			else
				fill(p[i], size, (uint8_t)i);
		}
		cr_expect_eq(failed, be.map_calls >= n ? 1 : 0, "n = %lu", (unsigned long)n);
		be.fail_at = 0;
		for (int i = 0; i < 300; i++) {
			size_t size = i % 3 == 0 ? 70000 + (size_t)i * 1000 : 16u << (i % 8);
			cr_expect(!p[i] || filled(p[i], size, (uint8_t)i));
			kfree(p[i]);
		}
		expect_empty_heap();
	}
}

Test(heap, page_budget_exhaustion_leaks_nothing)
{
	enum { MAX = 64 };
	void *p[MAX];
	int n1 = 0, n2 = 0;

	be.budget = 4096;                       /* 16 MiB */
	while (n1 < MAX && (p[n1] = kmalloc(1 << 20)))
		n1++;
	cr_expect(n1 > 10 && n1 < 16, "%d MiB blocks fit in 16 MiB", n1);
	cr_expect_null(kmalloc(1 << 20));
	for (int i = 0; i < n1; i++)
		kfree(p[i]);
	expect_empty_heap();
	while (n2 < MAX && (p[n2] = kmalloc(1 << 20)))
		n2++;
	cr_expect_eq(n2, n1, "the same number fits again");
	/* Small objects can still come from the pages left. */
	void *s = kmalloc(32);
	cr_expect(s || be.pages == be.budget);
	kfree(s);
	for (int i = 0; i < n2; i++)
		kfree(p[i]);
	expect_empty_heap();
}

static void small_setup(void)
{
	/* 64 KiB per class: the 2048-byte class has one slab, the region's large part
	 * 1 MiB. */
	setup_sized(512 * 1024, 1 << 20);
}

TestSuite(heap_small, .init = small_setup);

Test(heap_small, full_zone_and_full_region)
{
	void *p[32];

	for (int i = 0; i < 31; i++)
		cr_assert(p[i] = kmalloc(2048), "object %d of the only 2048-byte slab", i);
	uint64_t calls = be.map_calls;
	cr_expect_null(kmalloc(2000));
	cr_expect_eq(be.map_calls, calls, "a full zone does not ask the backend");
	kfree(p[7]);
	cr_expect_eq(kmalloc(2048), p[7]);
	for (int i = 0; i < 31; i++)
		kfree(p[i]);

	cr_expect_null(kmalloc(2 << 20));
	void *a = kmalloc(900 * 1024);
	cr_expect(a);
	cr_expect_null(kmalloc(200 * 1024));
	void *b = kmalloc(60 * 1024);
	cr_expect(b, "the rest of the region is still usable");
	kfree(a);
	kfree(b);
	expect_empty_heap();
}

Test(heap_small, sixteen_byte_zone_holds_what_it_should)
{
	/* 64 KiB of 4 KiB slabs, 252 objects each. */
	static void *p[16 * 252];

	for (int i = 0; i < 16 * 252; i++)
		cr_assert(p[i] = kmalloc(16), "object %d", i);
	cr_expect_null(kmalloc(16));
	for (int i = 0; i < 16 * 252; i++)
		kfree(p[i]);
	expect_empty_heap();
}

/* ---- coalescing and giving pages back ---- */

Test(heap, neighbours_merge)
{
	char *a = kmalloc(5000), *b = kmalloc(5000), *c = kmalloc(5000), *g = kmalloc(5000);
	struct heap_stats st0 = checked_stats();

	kfree(a);
	kfree(c);
	struct heap_stats st1 = checked_stats();
	cr_expect_eq(st1.large_free_blocks, st0.large_free_blocks + 2);
	kfree(b);                               /* merges with both */
	struct heap_stats st2 = checked_stats();
	cr_expect_eq(st2.large_free_blocks, st0.large_free_blocks + 1);
	char *big = kmalloc(15000);
	cr_expect_eq(big, a, "the three merged blocks hold 15000 bytes at a's address");
	cr_expect_eq(checked_stats().large_bytes_held, st0.large_bytes_held);
	kfree(big);
	kfree(g);
	expect_empty_heap();
}

Test(heap, fragmentation_then_coalescing)
{
	enum { N = 64 };
	void *p[N], *big[N / 2];

	for (int i = 0; i < N; i++)
		p[i] = kmalloc(8000);
	struct heap_stats st0 = checked_stats();
	for (int i = 0; i < N; i += 2)
		kfree(p[i]);
	struct heap_stats st1 = checked_stats();
	cr_expect_geq(st1.large_free_blocks, N / 2, "every other block is a separate hole");

	/* Twice the size fits no hole: these grow the region. */
	for (int i = 0; i < N / 4; i++)
		big[i] = kmalloc(16000);
	struct heap_stats st2 = checked_stats();
	cr_expect_gt(st2.large_bytes_held, st0.large_bytes_held);

	/* Freeing the rest merges each hole with its neighbours into one run. */
	for (int i = 1; i < N; i += 2)
		kfree(p[i]);
	struct heap_stats st3 = checked_stats();
	cr_expect_leq(st3.large_free_blocks, 2, "%zu free blocks after the merge",
		      st3.large_free_blocks);
	/* And the merged run holds three times the old size without growing. */
	void *t[N / 4];
	for (int i = 0; i < N / 4; i++) {
		t[i] = kmalloc(24000);
		cr_expect((uintptr_t)t[i] < (uintptr_t)big[0], "from the merged run");
	}
	cr_expect_eq(checked_stats().large_bytes_held, st2.large_bytes_held);
	for (int i = 0; i < N / 4; i++) {
		kfree(t[i]);
		kfree(big[i]);
	}
	struct heap_stats st4 = checked_stats();
	cr_expect_lt(st4.large_bytes_held, st2.large_bytes_held, "the top is given back");
	cr_expect_leq(st4.large_bytes_held, 128 * 1024 + 2 * PAGE_SIZE);
	cr_expect_leq(st4.large_free_blocks, 1);
	expect_empty_heap();
}

Test(heap, top_is_given_back_with_hysteresis)
{
	char *a = kmalloc(10 << 20);

	cr_assert(a);
	cr_expect_geq(checked_stats().large_bytes_held, 10 << 20);
	kfree(a);
	size_t held = checked_stats().large_bytes_held;
	cr_expect_leq(held, 64 * 1024 + 2 * PAGE_SIZE, "%zu bytes still mapped", held);

	/* A block allocated and freed over and over maps and unmaps nothing. */
	uint64_t maps = be.map_calls, unmaps = be.unmap_calls;
	for (int i = 0; i < 1000; i++)
		kfree(kmalloc(20000));
	cr_expect_eq(be.map_calls, maps);
	cr_expect_eq(be.unmap_calls, unmaps);
	expect_empty_heap();
}

Test(heap, empty_slabs_go_back_but_one_spare)
{
	enum { N = 10000 };
	static void *p[N];

	for (int i = 0; i < N; i++)
		p[i] = kmalloc(64);
	size_t slabs = checked_stats().slabs;
	cr_expect_eq(slabs, (N + 62) / 63, "63 objects in each 64-byte slab");
	/* Every other object: no slab empties. */
	for (int i = 0; i < N; i += 2)
		kfree(p[i]);
	cr_expect_eq(checked_stats().slabs, slabs);
	for (int i = 1; i < N; i += 2)
		kfree(p[i]);
	struct heap_stats st = checked_stats();
	cr_expect_eq(st.slabs, 1, "one spare kept");
	cr_expect_eq(st.slab_bytes_held, PAGE_SIZE);

	/* Around a slab boundary, the spare saves mapping each time. */
	uint64_t maps = be.map_calls;
	for (int i = 0; i < 1000; i++)
		kfree(kmalloc(64));
	cr_expect_eq(be.map_calls, maps);
	expect_empty_heap();
}

Test(heap, stats_count_exactly)
{
	void *a = kmalloc(10), *b = kmalloc(100), *c = kmalloc(5000);
	struct heap_stats st = checked_stats();

	cr_expect_eq(st.bytes_in_use, 16 + 128 + ksize(c));
	cr_expect_eq(st.allocs, 3);
	cr_expect_eq(st.frees, 0);
	cr_expect_eq(st.slabs, 2);
	cr_expect_eq(st.slab_bytes_held, 2 * PAGE_SIZE);
	kfree(b);
	st = checked_stats();
	cr_expect_eq(st.bytes_in_use, 16 + ksize(c));
	cr_expect_eq(st.frees, 1);
	kfree(a);
	kfree(c);
	expect_empty_heap();
}

/* ---- misuse: each must panic and say what happened ---- */

Test(heap, double_free_slab)
{
	void *p = kmalloc(64);

	kfree(p);
	EXPECT_PANIC("double free", kfree(p));
}

/* DEBUG builds only: without the check, kfree() reads the header of a slab that is
 * not mapped, and the access faults (in the kernel, a page-fault panic in kfree). */
#if MNOS_DEBUG
Test(heap, double_free_slab_after_the_slab_went_back)
{
	void *p[200];

	for (int i = 0; i < 200; i++)
		p[i] = kmalloc(64);
	/* Last first: the last slab made empties first and stays as the spare; the
	 * others, p[0]'s among them, go back to the backend. */
	for (int i = 199; i >= 0; i--)
		kfree(p[i]);
	cr_assert_eq(checked_stats().slabs, 1);
	EXPECT_PANIC("no live slab there", kfree(p[0]));
}
#endif

Test(heap, double_free_large)
{
	void *a = kmalloc(10000), *g = kmalloc(10000);

	(void)g;
	kfree(a);
	EXPECT_PANIC("double free", kfree(a));
}

Test(heap, double_free_large_after_merging)
{
	void *x = kmalloc(10000), *a = kmalloc(10000), *g = kmalloc(10000);

	(void)g;
	kfree(x);
	kfree(a);                               /* merges into x */
	EXPECT_PANIC("double free", kfree(a));
}

Test(heap, interior_pointer_slab)
{
	char *p = kmalloc(64);

	EXPECT_PANIC("not the start of an object", kfree(p + 8));
}

Test(heap, pointer_into_slab_header)
{
	char *p = kmalloc(64);

	EXPECT_PANIC("slab header", kfree((void *)((uintptr_t)p & ~(uintptr_t)4095)));
}

Test(heap, interior_pointer_large)
{
	char *p = kmalloc(10000);

	EXPECT_PANIC("interior pointer", kfree(p + 4096));
}

Test(heap, misaligned_pointer_large)
{
	char *p = kmalloc(10000);

	EXPECT_PANIC("not the start of a large block", kfree(p + 8));
}

Test(heap, pointer_outside_the_heap)
{
	int local;

	EXPECT_PANIC("not a heap pointer", kfree(&local));
}

Test(heap, malloc_pointer_is_not_ours)
{
	void *m = malloc(64);

	EXPECT_PANIC("not a heap pointer", kfree(m));
	free(m);
}

Test(heap, pointer_into_unmapped_large_region)
{
	EXPECT_PANIC("not mapped", kfree((void *)(be.large + 100 * PAGE_SIZE)));
}

Test(heap, overrun_into_next_header)
{
	char *a = kmalloc(5000), *b = kmalloc(5000), *g = kmalloc(5000);

	(void)g;
	memset(a, 0x41, ksize(a) + 32);         /* our footer and b's header */
	EXPECT_PANIC("header of this large block was overwritten", kfree(b));
}

Test(heap, overrun_detected_freeing_the_block_itself)
{
	char *a = kmalloc(5000), *b = kmalloc(5000);

	(void)b;
	a[ksize(a)] = 0;                        /* one byte past the end: the footer */
	EXPECT_PANIC("footer of this large block", kfree(a));
}

Test(heap, header_overwritten_from_below)
{
	char *a = kmalloc(5000), *b = kmalloc(5000), *g = kmalloc(5000);

	(void)a;
	(void)g;
	memset(b - 16, 0, 16);                  /* only b's header: a's footer is intact */
	EXPECT_PANIC("header of this large block was overwritten", kfree(b));
}

Test(heap, slab_header_overwritten)
{
	char *p = kmalloc(128), *q = kmalloc(128);

	(void)q;
	*(uint32_t *)((uintptr_t)p & ~(uintptr_t)4095) = 0;
	EXPECT_PANIC("slab header overwritten", kfree(p));
}

Test(heap, ksize_of_freed_object)
{
	void *p = kmalloc(64), *q = kmalloc(64);

	(void)q;
	kfree(p);
	EXPECT_PANIC("use after free", ksize(p));
}

/* The links of a free large block are checked in both builds. */
Test(heap, write_after_free_large_links)
{
	char *a = kmalloc(10000), *g = kmalloc(10000);

	(void)g;
	kfree(a);
	((uint64_t *)a)[0] = 0xdeadbeef;        /* the free-list link */
	EXPECT_PANIC("free-list links", kmalloc(9000));
}

/* The rest needs poisoning: DEBUG builds. */
#if MNOS_DEBUG
Test(heap, write_after_free_slab)
{
	char *p = kmalloc(64), *q = kmalloc(64);

	(void)q;
	kfree(p);
	p[20] = 1;
	EXPECT_PANIC("use after free", kmalloc(64));
}

Test(heap, write_after_free_slab_link)
{
	char *p = kmalloc(256), *q = kmalloc(256);

	(void)q;
	kfree(p);
	*(uintptr_t *)p = 0x1234;
	EXPECT_PANIC("free-list link", kmalloc(256));
}

Test(heap, write_after_free_found_when_slab_is_released)
{
	static char *p[126];

	for (int i = 0; i < 126; i++)
		p[i] = kmalloc(64);             /* two full slabs of 63 */
	for (int i = 63; i < 126; i++)
		kfree(p[i]);                    /* the second empties: kept as the spare */
	kfree(p[0]);
	p[0][40] = 0;
	/* The first slab empties with a spare already kept: it goes back to the backend,
	 * and its free objects are checked one last time. */
	EXPECT_PANIC("use after free", for (int i = 1; i < 63; i++) kfree(p[i]));
}

Test(heap, write_after_free_large)
{
	char *a = kmalloc(10000), *g = kmalloc(10000);

	(void)g;
	kfree(a);
	a[5000] = 1;
	EXPECT_PANIC("use after free", kmalloc(10000));
}

#endif
