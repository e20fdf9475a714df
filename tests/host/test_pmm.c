/*
 * The frame allocator's core (kernel/mm/pmm_core.c): long random sequences against a
 * model, exhaustion, fragmentation, contiguous runs with alignment, and every kind of
 * bad free.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <pmm.h>

static struct pmm p;
static void *storage;

static void setup(uint64_t nframes)
{
	free(storage);
	storage = malloc(pmm_core_storage_bytes(nframes));
	memset(storage, 0xff, pmm_core_storage_bytes(nframes));   /* init must clear it */
	pmm_core_init(&p, storage, nframes);
}

Test(pmm, empty_until_frames_are_added)
{
	setup(1000);
	cr_expect_eq(pmm_core_alloc(&p), PMM_NONE);
	cr_expect_eq(pmm_core_free(&p, 5), PMM_NOT_MANAGED);
	pmm_core_add(&p, 990, 100);             /* clipped at nframes */
	cr_expect_eq(p.managed_count, 10);
	cr_expect_eq(p.free_count, 10);
	/* Managed whether free or allocated; never past the end. */
	cr_expect(!pmm_core_is_managed(&p, 989));
	cr_expect(pmm_core_is_managed(&p, 990));
	cr_expect(pmm_core_is_managed(&p, 999));
	cr_expect(!pmm_core_is_managed(&p, 1000));
	cr_expect(!pmm_core_is_managed(&p, UINT64_MAX));
	cr_expect_eq(pmm_core_alloc(&p), 990);
	cr_expect(pmm_core_is_managed(&p, 990));
}

Test(pmm, allocates_lowest_first_and_everything)
{
	setup(100000);
	pmm_core_add(&p, 300, 5000);
	pmm_core_add(&p, 70000, 29000);
	for (uint64_t i = 0; i < 5000; i++)
		cr_assert_eq(pmm_core_alloc(&p), 300 + i);
	for (uint64_t i = 0; i < 29000; i++)
		cr_assert_eq(pmm_core_alloc(&p), 70000 + i);
	cr_expect_eq(pmm_core_alloc(&p), PMM_NONE);     /* exhausted */
	cr_expect_eq(p.free_count, 0);
	cr_expect_eq(pmm_core_free(&p, 70123), PMM_FREED);
	cr_expect_eq(pmm_core_alloc(&p), 70123);        /* found again through the summary */
}

Test(pmm, bad_frees_are_caught_and_change_nothing)
{
	setup(4096);
	pmm_core_add(&p, 100, 100);
	uint64_t f = pmm_core_alloc(&p);
	cr_expect_eq(pmm_core_free(&p, f), PMM_FREED);
	cr_expect_eq(pmm_core_free(&p, f), PMM_NOT_ALLOCATED);          /* double free */
	cr_expect_eq(pmm_core_free(&p, 99), PMM_NOT_MANAGED);           /* reserved */
	cr_expect_eq(pmm_core_free(&p, 4096), PMM_NOT_MANAGED);         /* beyond the map */
	cr_expect_eq(pmm_core_free(&p, PMM_NONE), PMM_NOT_MANAGED);
	cr_expect_eq(p.free_count, 100);
	cr_expect_eq(pmm_core_free_contig(&p, 150, 10), PMM_NOT_ALLOCATED);
	uint64_t c = pmm_core_alloc_contig(&p, 10, 1);
	cr_expect_eq(pmm_core_free_contig(&p, c, 11), PMM_NOT_ALLOCATED); /* one too many */
	cr_expect_eq(p.free_count, 90);         /* all or nothing: still allocated */
	cr_expect_eq(pmm_core_free_contig(&p, 205, 10), PMM_NOT_MANAGED);
	cr_expect_eq(pmm_core_free_contig(&p, UINT64_MAX - 2, 10), PMM_NOT_MANAGED);
	cr_expect_eq(pmm_core_free_contig(&p, c, 10), PMM_FREED);
	cr_expect_eq(p.free_count, 100);
}

Test(pmm, contiguous_with_alignment)
{
	setup(1 << 16);
	pmm_core_add(&p, 3, (1 << 16) - 3);
	uint64_t a = pmm_core_alloc_contig(&p, 512, 512);       /* 2 MiB aligned */
	cr_expect_eq(a, 512);
	uint64_t b = pmm_core_alloc_contig(&p, 3, 1);
	cr_expect_eq(b, 3);
	uint64_t c = pmm_core_alloc_contig(&p, 1000, 1024);
	cr_expect_eq(c % 1024, 0);
	cr_expect_eq(c, 1024);
	cr_expect_eq(pmm_core_alloc_contig(&p, 0, 1), PMM_NONE);
	cr_expect_eq(pmm_core_alloc_contig(&p, 4, 3), PMM_NONE);        /* not a power of 2 */
	cr_expect_eq(pmm_core_alloc_contig(&p, 1 << 17, 1), PMM_NONE);  /* too big */
	/* Punch holes so no run of 100 exists below 40000, then ask for 100. */
	setup(1 << 16);
	pmm_core_add(&p, 0, 1 << 16);
	for (uint64_t f = 0; f < 40000; f++)
		pmm_core_alloc(&p);
	for (uint64_t f = 0; f < 40000; f += 50)
		pmm_core_free(&p, f + 10);
	uint64_t d = pmm_core_alloc_contig(&p, 100, 1);
	cr_expect_eq(d, 40000);
	for (uint64_t f = d; f < d + 100; f++)
		cr_expect(!pmm_core_is_free(&p, f));
}

/* One million random operations against a model of which frames are allocated. */
Test(pmm, random_against_model)
{
	const uint64_t N = 70000;
	static uint8_t model[70000];
	static uint64_t held[70000];
	size_t nheld = 0;
	uint64_t s = 42, managed = 0;

	setup(N);
	memset(model, 0, sizeof(model));       /* 0 unmanaged, 1 free, 2 allocated */
	for (uint64_t f = 0; f < N; f++) {
		if ((f / 777) % 3 != 1) {
			pmm_core_add(&p, f, 1);
			model[f] = 1;
			managed++;
		}
	}
	for (int op = 0; op < 1000000; op++) {
		s = s * 6364136223846793005ull + 1442695040888963407ull;
		unsigned r = (unsigned)(s >> 33) % 100;
		if (r < 50) {
			uint64_t f = pmm_core_alloc(&p);
			if (f == PMM_NONE) {
				cr_assert_eq(p.free_count, 0);
				continue;
			}
			cr_assert_lt(f, N);
			cr_assert_eq(model[f], 1, "op %d: frame %llu was not free", op,
				     (unsigned long long)f);
			/* Lowest first: nothing free below it. */
			cr_assert(f == 0 || memchr(model, 1, f) == NULL);
			model[f] = 2;
			held[nheld++] = f;
		} else if (r < 95 && nheld) {
			size_t i = (s >> 12) % nheld;
			cr_assert_eq(pmm_core_free(&p, held[i]), PMM_FREED);
			model[held[i]] = 1;
			held[i] = held[--nheld];
		} else if (r < 98) {
			uint64_t cnt = 1 + (s >> 40) % 40, align = 1ull << ((s >> 20) % 6);
			uint64_t c = pmm_core_alloc_contig(&p, cnt, align);
			if (c == PMM_NONE)
				continue;
			cr_assert_eq(c % align, 0);
			for (uint64_t f = c; f < c + cnt; f++) {
				cr_assert_eq(model[f], 1);
				model[f] = 2;
				held[nheld++] = f;
			}
		} else {
			uint64_t f = (s >> 17) % N;
			enum pmm_free_result want = model[f] == 0 ? PMM_NOT_MANAGED
						  : model[f] == 1 ? PMM_NOT_ALLOCATED : PMM_FREED;
			if (want == PMM_FREED)
				continue;       /* only probe bad frees here */
			cr_assert_eq(pmm_core_free(&p, f), want);
		}
		cr_assert_eq(p.free_count + nheld, managed);
	}
	while (nheld)
		cr_assert_eq(pmm_core_free(&p, held[--nheld]), PMM_FREED);
	cr_expect_eq(p.free_count, managed);
	/* Everything is free again: the whole space can be allocated once more. */
	for (uint64_t i = 0; i < managed; i++)
		cr_assert_neq(pmm_core_alloc(&p), PMM_NONE);
	cr_expect_eq(pmm_core_alloc(&p), PMM_NONE);
}

/* Three CPU caches in front of the bitmap, driven at random against the model: frames
 * in caches are neither handed out twice nor freeable twice, and draining brings the
 * bitmap back to everything free. */
Test(pmm, caches_against_model)
{
	const uint64_t N = 5000;
	static uint8_t model[5000];     /* 1 free (bitmap or cache), 2 allocated */
	static uint64_t held[5000];
	static struct pmm_cache caches[3];
	size_t nheld = 0;
	uint64_t s = 4242;

	setup(N);
	pmm_core_add(&p, 0, N);
	memset(model, 1, sizeof(model));
	memset(caches, 0, sizeof(caches));
	for (int op = 0; op < 500000; op++) {
		s = s * 6364136223846793005ull + 1442695040888963407ull;
		struct pmm_cache *c = &caches[(s >> 60) % 3];
		unsigned r = (unsigned)(s >> 33) % 100;
		if (r < 48) {
			uint64_t f = pmm_core_cache_alloc(&p, c);
			if (f == PMM_NONE)
				continue;
			cr_assert_lt(f, N);
			cr_assert_eq(model[f], 1, "op %d: frame %llu handed out twice", op,
				     (unsigned long long)f);
			model[f] = 2;
			held[nheld++] = f;
		} else if (r < 96 && nheld) {
			size_t i = (s >> 12) % nheld;
			cr_assert_eq(pmm_core_cache_free(&p, c, held[i]), PMM_FREED);
			model[held[i]] = 1;
			held[i] = held[--nheld];
		} else if (r < 98) {
			/* A double free, through a cache or straight to the bitmap. */
			uint64_t f = (s >> 17) % N;
			if (model[f] != 1)
				continue;
			cr_assert_eq(pmm_core_cache_free(&p, c, f), PMM_NOT_ALLOCATED);
			cr_assert_eq(pmm_core_free(&p, f), PMM_NOT_ALLOCATED);
		} else {
			pmm_core_cache_drain(&p, c);
			cr_assert_eq(c->count, 0);
		}
		uint64_t cached = caches[0].count + caches[1].count + caches[2].count;
		cr_assert_eq(p.free_count + cached + nheld, N, "op %d", op);
	}
	while (nheld)
		cr_assert_eq(pmm_core_cache_free(&p, &caches[0], held[--nheld]), PMM_FREED);
	for (int i = 0; i < 3; i++)
		pmm_core_cache_drain(&p, &caches[i]);
	cr_expect_eq(p.free_count, N);
	cr_expect_eq(pmm_core_cache_free(&p, &caches[0], N), PMM_NOT_MANAGED);
	for (uint64_t f = 0; f < N; f++)
		cr_assert(pmm_core_is_free(&p, f));
}

/* The drain a CPU makes from a spin loop: only when the bitmap's lock is free at once,
 * leaving the cache as it was otherwise (it may be in the lock's queue itself, with a
 * cache operation under way); then every frame back, free, not cached. */
Test(pmm, cache_try_drain_only_with_the_lock_free)
{
	struct pmm_cache c = { 0 };
	uint64_t f[20];

	setup(1000);
	pmm_core_add(&p, 0, 1000);
	cr_expect(pmm_core_cache_try_drain(&p, &c));            /* nothing to give back */
	for (int i = 0; i < 20; i++)
		f[i] = pmm_core_cache_alloc(&p, &c);
	for (int i = 0; i < 20; i++)
		cr_assert_eq(pmm_core_cache_free(&p, &c, f[i]), PMM_FREED);
	uint64_t cached = c.count, free_before = p.free_count;
	cr_assert_gt(cached, 0);
	spin_lock(&p.lock);
	cr_expect(!pmm_core_cache_try_drain(&p, &c));
	cr_expect_eq(c.count, cached);
	cr_expect_eq(p.free_count, free_before);
	spin_unlock(&p.lock);
	cr_expect(pmm_core_cache_try_drain(&p, &c));
	cr_expect_eq(c.count, 0);
	cr_expect_eq(p.free_count, 1000);
	for (int i = 0; i < 20; i++) {
		cr_expect(pmm_core_is_free(&p, f[i]));
		cr_expect_eq(pmm_core_cache_free(&p, &c, f[i]), PMM_NOT_ALLOCATED);
	}
}
