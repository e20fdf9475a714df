/* Kernel stack slots (kstack.h). A bitmap finds free slots; a byte per slot remembers
 * the stack's size in pages, for kstack_free() and for backtraces. */
#include <kstack.h>
#include <failinj.h>
#include <pmm.h>
#include <vmm.h>
#include <spinlock.h>
#include <panic.h>

static struct spinlock kstack_lock = SPINLOCK_INIT("kstack");   /* leaf, before kernel_as */
static uint64_t used[KSTACK_SLOTS / 64];        /* [kstack_lock] */
static uint8_t pages_of[KSTACK_SLOTS];          /* [kstack_lock] 0 = free */
static size_t hint;                             /* [kstack_lock] first word to search */
static uint64_t in_use;                         /* [kstack_lock] */

static uint64_t slot_top(size_t slot)
{
	return KVA_STACKS_BASE + (uint64_t)(slot + 1) * KSTACK_SLOT;
}

/* Unmap the stack's pages with one vmm_unmap (one walk, one invalidation), then free
 * their frames: only once no CPU can reach them through a stale TLB entry. */
static void release(size_t slot, size_t mapped_pages)
{
	uint64_t top = slot_top(slot);
	paddr_t frames[KSTACK_MAX / PAGE_SIZE];

	if (!mapped_pages)
		return;
	for (size_t i = 0; i < mapped_pages; i++)
		if (!vmm_translate(&kernel_as, va(top - (i + 1) * PAGE_SIZE), &frames[i], NULL))
			frames[i] = PADDR_NULL;
	vmm_unmap(&kernel_as, va(top - mapped_pages * PAGE_SIZE), mapped_pages * PAGE_SIZE);
	for (size_t i = 0; i < mapped_pages; i++)
		if (frames[i].raw)
			pmm_free(frames[i]);
}

void *kstack_alloc(size_t size)
{
	size_t pages = ALIGN_UP(size, (size_t)PAGE_SIZE) / PAGE_SIZE;

	if (pages == 0 || pages * PAGE_SIZE > KSTACK_MAX)
		return NULL;
	if (failinj(FAILINJ_KSTACK))
		return NULL;

	irqflags_t f = spin_lock_irqsave(&kstack_lock);
	size_t slot = KSTACK_SLOTS;
	for (size_t w = hint; w < KSTACK_SLOTS / 64; w++) {
		if (~used[w]) {
			slot = w * 64 + (size_t)__builtin_ctzll(~used[w]);
			used[w] |= 1ull << (slot % 64);
			pages_of[slot] = (uint8_t)pages;
			hint = w;
			in_use++;
			break;
		}
	}
	spin_unlock_irqrestore(&kstack_lock, f);
	if (slot == KSTACK_SLOTS)
		return NULL;

	/* The stack is one allocation (failinj.h): its pages and page tables do not
	 * count on their own. */
	uint64_t top = slot_top(slot);
	paddr_t frames[KSTACK_MAX / PAGE_SIZE];
	size_t got = 0;
	failinj_quiet_begin();
	while (got < pages && (frames[got] = pmm_alloc()).raw)
		got++;
	/* Mapped as one run, the lowest page first: one walk, one lock. */
	if (got < pages || vmm_map_frames(&kernel_as, va(top - pages * PAGE_SIZE), frames, pages,
					  VM_WRITE | VM_GLOBAL) != E_OK) {
		while (got)
			pmm_free(frames[--got]);
		f = spin_lock_irqsave(&kstack_lock);
		used[slot / 64] &= ~(1ull << (slot % 64));
		pages_of[slot] = 0;
		if (slot / 64 < hint)
			hint = slot / 64;
		in_use--;
		spin_unlock_irqrestore(&kstack_lock, f);
		failinj_quiet_end();
		return NULL;
	}
	failinj_quiet_end();
	return (void *)(uintptr_t)top;
}

void kstack_free(void *top)
{
	uint64_t t = (uint64_t)(uintptr_t)top;
	size_t slot = (size_t)((t - KVA_STACKS_BASE) / KSTACK_SLOT) - 1;

	if (t <= KVA_STACKS_BASE || (t - KVA_STACKS_BASE) % KSTACK_SLOT || slot >= KSTACK_SLOTS)
		panic("kstack_free: %p is not a kernel stack top", top);
	irqflags_t f = spin_lock_irqsave(&kstack_lock);
	size_t pages = pages_of[slot];
	if (!pages) {
		spin_unlock_irqrestore(&kstack_lock, f);
		panic("kstack_free: stack %p is not allocated", top);
	}
	pages_of[slot] = 0;
	spin_unlock_irqrestore(&kstack_lock, f);

	release(slot, pages);

	f = spin_lock_irqsave(&kstack_lock);
	used[slot / 64] &= ~(1ull << (slot % 64));
	if (slot / 64 < hint)
		hint = slot / 64;
	in_use--;
	spin_unlock_irqrestore(&kstack_lock, f);
}

bool kstack_bounds(uint64_t addr, uint64_t *lo, uint64_t *hi)
{
	if (addr < KVA_STACKS_BASE || addr >= KVA_STACKS_BASE + (uint64_t)KSTACK_SLOTS * KSTACK_SLOT)
		return false;
	size_t slot = (size_t)((addr - KVA_STACKS_BASE) / KSTACK_SLOT);
	size_t pages = __atomic_load_n(&pages_of[slot], __ATOMIC_RELAXED);
	uint64_t top = slot_top(slot);

	if (!pages || addr < top - pages * PAGE_SIZE)
		return false;
	*lo = top - pages * PAGE_SIZE;
	*hi = top;
	return true;
}

uint64_t kstack_count(void)
{
	return __atomic_load_n(&in_use, __ATOMIC_RELAXED);
}
