/* Run-time services (mnos/runtime.h): the lock, addresses for the library's mappings,
 * IPC buffers. */
#include <mnos.h>

void mnos_lock(struct mnos_lock *l)
{
	while (__atomic_exchange_n(&l->held, 1, __ATOMIC_ACQUIRE))
		mnos_yield();
}

void mnos_unlock(struct mnos_lock *l)
{
	__atomic_store_n(&l->held, 0, __ATOMIC_RELEASE);
}

uint64_t mnos_va_alloc(uint64_t npages)
{
	static uint64_t next = MNOS_MAP_BASE;
	uint64_t bytes, va;

	if (!npages || npages > (MNOS_MAP_END - MNOS_MAP_BASE) / MNOS_PAGE_SIZE)
		return 0;
	bytes = (npages + 1) * MNOS_PAGE_SIZE;          /* and a page left unmapped */
	va = __atomic_fetch_add(&next, bytes, __ATOMIC_RELAXED);
	if (va > MNOS_MAP_END - bytes) {
		__atomic_fetch_sub(&next, bytes, __ATOMIC_RELAXED);
		return 0;
	}
	return va;
}

const void *mnos_map_ro(uint32_t mem, uint64_t bytes)
{
	uint64_t pages = (bytes + MNOS_PAGE_SIZE - 1) / MNOS_PAGE_SIZE;
	uint64_t va = mnos_va_alloc(pages);

	if (!va || mnos_mem_map(mem, 0, va, CAP_R_READ) != E_OK)
		return NULL;
	return (const void *)(uintptr_t)va;
}

struct mnos_ipc_buffer *mnos_ipc_buffer_main(void)
{
	return (struct mnos_ipc_buffer *)(uintptr_t)mnos_start_info->ipc_buffer;
}

struct mnos_ipc_buffer *mnos_ipc_buffer_new(void)
{
	uint64_t va = mnos_va_alloc(1);

	if (!va || mnos_ipc_buffer_set(va) != E_OK)
		return NULL;
	return (struct mnos_ipc_buffer *)(uintptr_t)va;
}

/* ---- the calling thread's IPC buffer ---- */

/* Threads are told apart by their stacks: the first thread's is in the start
 * information, mnos_thread_start registers the others'. */
#define THREADS_MAX 64

static struct {
	uint64_t lo, hi;                /* the stack: [lo, hi) */
	struct mnos_ipc_buffer *buf;
} threads[THREADS_MAX];                 /* [threads_lock] */
static struct mnos_lock threads_lock;

/* threads_lock held: entry 0 is the first thread's. */
static void first_thread(void)
{
	const struct mnos_start_info *si = mnos_start_info;

	if (!threads[0].hi) {
		threads[0].lo = si->stack_base;
		threads[0].hi = si->stack_top;
		threads[0].buf = (struct mnos_ipc_buffer *)(uintptr_t)si->ipc_buffer;
	}
}

void mnos_thread_register(uint64_t lo, uint64_t hi)
{
	mnos_lock(&threads_lock);
	first_thread();
	for (unsigned i = 1; i < THREADS_MAX; i++)
		if (!threads[i].hi) {
			threads[i].lo = lo;
			threads[i].hi = hi;
			threads[i].buf = NULL;
			break;
		}
	mnos_unlock(&threads_lock);
}

struct mnos_ipc_buffer *mnos_ipc_buffer(void)
{
	uint64_t sp = (uint64_t)(uintptr_t)__builtin_frame_address(0);
	struct mnos_ipc_buffer *b = NULL;

	mnos_lock(&threads_lock);
	first_thread();
	for (unsigned i = 0; i < THREADS_MAX; i++)
		if (threads[i].hi && sp >= threads[i].lo && sp < threads[i].hi) {
			if (!threads[i].buf)
				threads[i].buf = mnos_ipc_buffer_new();
			b = threads[i].buf;
			break;
		}
	mnos_unlock(&threads_lock);
	return b;
}
