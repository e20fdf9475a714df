/* What the tests share (utest.h): slots, objects, addresses, child threads. */
#include "utest.h"

uint32_t ut_self, ut_result, ut_nslots, ut_child_done;

/* The slots the running test took (ut_slot), given back after it. */
static uint32_t test_slots[1024];
static uint32_t ntest_slots;
static uint64_t next_va = 0x10000000;

/* Child threads: one at a time, on this stack, reporting on this notification. Bit 0
 * comes from the kernel when the child dies of a fault (the process's fault
 * notification), bit 1 from the child itself when it returns. */
static uint8_t child_stack[16384] __attribute__((aligned(16)));
static void (*child_fn)(uint64_t);
static uint64_t child_arg;

void ut_env_init(void);
void ut_child_main(void);
void ut_thread_start(void);     /* entry.S: calls ut_child_main with the ABI's alignment */

void ut_env_init(void)
{
	ut_self = mnos_start_cap("self");
	ut_result = mnos_start_cap("result");
	ut_nslots = mnos_start_info->nslots;
	ut_child_done = mnos_slot_alloc();
	if (!ut_child_done || mnos_obj_create(MNOS_OBJ_NOTIFICATION, ut_child_done, 0, 0) != E_OK ||
	    mnos_proc_set_fault(ut_self, ut_child_done) != E_OK)
		printf("utest: cannot set up the fault notification\n");
}

uint32_t ut_slot(void)
{
	uint32_t s = ntest_slots < ARRAY_SIZE(test_slots) ? mnos_slot_alloc() : 0;

	if (!s) {
		utest_fail(__FILE__, __LINE__, "out of slots");
		utest_abort();
	}
	test_slots[ntest_slots++] = s;
	return s;
}

void ut_free_all(void)
{
	while (ntest_slots)
		mnos_slot_free(test_slots[--ntest_slots]);
}

uint32_t ut_make(uint32_t type, uint64_t arg0, uint64_t arg1)
{
	uint32_t s = ut_slot();
	enum mnos_error e = mnos_obj_create(type, s, arg0, arg1);

	if (e != E_OK) {
		utest_fail(__FILE__, __LINE__, "obj_create(%u): %s", type, kerr_name((kerr_t)e));
		return 0;
	}
	return s;
}

uint64_t ut_va(uint64_t pages)
{
	uint64_t va = next_va;

	next_va += (pages + 1) * MNOS_PAGE_SIZE;        /* and an unmapped page between */
	return va;
}

void ut_child_main(void)
{
	child_fn(child_arg);
	mnos_notify_signal(ut_child_done, 2);
	mnos_thread_exit();
}

enum mnos_error ut_start_thread(void (*fn)(uint64_t), uint64_t arg)
{
	uint64_t bits = 0;
	uint32_t t = ut_slot();

	child_fn = fn;
	child_arg = arg;
	mnos_notify_poll(ut_child_done, &bits);            /* nothing stale */
	return mnos_thread_create(0, t, (uint64_t)(uintptr_t)ut_thread_start,
				  (uint64_t)(uintptr_t)(child_stack + sizeof(child_stack)), 0);
}

bool ut_join_thread(void)
{
	uint64_t bits = 0;

	if (mnos_notify_wait(ut_child_done, &bits) != E_OK)
		utest_fail(__FILE__, __LINE__, "waiting for the child failed");
	/* A child that returned has signalled and is about to exit: let it go first. */
	mnos_yield();
	return bits & 1;
}

enum mnos_error ut_run_thread(void (*fn)(uint64_t), uint64_t arg, bool *faulted)
{
	enum mnos_error e = ut_start_thread(fn, arg);

	if (e != E_OK)
		return e;
	bool f = ut_join_thread();
	if (faulted)
		*faulted = f;
	return E_OK;
}

uint64_t ut_quota_pages(void)
{
	uint32_t s = mnos_slot_alloc();
	uint64_t lo = 0, hi = MNOS_MEMOBJ_MAX_PAGES;     /* lo can be had, hi + 1 cannot */

	if (!s)
		return 0;
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo + 1) / 2;
		if (mnos_obj_create(MNOS_OBJ_MEMORY, s, mid, 0) == E_OK) {
			mnos_cap_delete(s);
			lo = mid;
		} else {
			hi = mid - 1;
		}
	}
	mnos_slot_free(s);
	return lo;
}

bool ut_quota_back_to(uint64_t pages)
{
	/* What a process held may be freed by the kernel a little later: wait for it. */
	for (int i = 0; i < 100; i++) {
		if (ut_quota_pages() == pages)
			return true;
		mnos_sleep(1000000);
	}
	return false;
}
