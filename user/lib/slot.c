/* The capability-slot allocator (mnos/slot.h): a bitmap over the whole space. */
#include <mnos/slot.h>
#include <mnos/runtime.h>
#include <mnos/syscalls.h>

#define WORD_BITS 64

static uint64_t taken_map[MNOS_CSPACE_MAX_SLOTS / WORD_BITS];  /* [L] */
static uint32_t nslots, nfree;                                  /* [L] */
static uint32_t hint;           /* [L] no free slot above it */
static struct mnos_lock lock;

static bool test_bit(uint32_t s)
{
	return taken_map[s / WORD_BITS] >> (s % WORD_BITS) & 1;
}

static void set_bit(uint32_t s)
{
	taken_map[s / WORD_BITS] |= 1ull << (s % WORD_BITS);
	nfree--;
}

static void clear_bit(uint32_t s)
{
	taken_map[s / WORD_BITS] &= ~(1ull << (s % WORD_BITS));
	nfree++;
}

void mnos_slot_init(uint32_t n, const uint32_t *taken, uint32_t ntaken)
{
	mnos_lock(&lock);
	nslots = n > MNOS_CSPACE_MAX_SLOTS ? (uint32_t)MNOS_CSPACE_MAX_SLOTS : n;
	nfree = nslots ? nslots - 1 : 0;
	hint = nslots ? nslots - 1 : 0;
	for (uint32_t i = 0; i < ntaken; i++)
		if (taken[i] && taken[i] < nslots && !test_bit(taken[i]))
			set_bit(taken[i]);
	mnos_unlock(&lock);
}

uint32_t mnos_slot_alloc(void)
{
	uint32_t s = 0;

	mnos_lock(&lock);
	if (nfree) {
		/* Top down; a free slot exists, at hint or below. */
		for (s = hint; s && test_bit(s); s--) {
		}
		if (s) {
			set_bit(s);
			hint = s;
		}
	}
	mnos_unlock(&lock);
	return s;
}

bool mnos_slot_free(uint32_t s)
{
	mnos_lock(&lock);
	bool ok = s && s < nslots && test_bit(s);
	if (ok) {
		mnos_cap_delete(s);     /* E_NOT_FOUND: it was empty already */
		clear_bit(s);
		if (s > hint)
			hint = s;
	}
	mnos_unlock(&lock);
	return ok;
}

bool mnos_slot_claim(uint32_t s)
{
	mnos_lock(&lock);
	bool ok = s && s < nslots && !test_bit(s);
	if (ok)
		set_bit(s);
	mnos_unlock(&lock);
	return ok;
}

bool mnos_slot_taken(uint32_t s)
{
	mnos_lock(&lock);
	bool t = s && s < nslots && test_bit(s);
	mnos_unlock(&lock);
	return t;
}

uint32_t mnos_slot_count_free(void)
{
	return __atomic_load_n(&nfree, __ATOMIC_RELAXED);
}

uint32_t mnos_slot_count(void)
{
	return nslots;
}
