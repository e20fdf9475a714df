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
