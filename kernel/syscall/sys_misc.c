/* System calls: debug print, yield, clock, sleep, system information (syscall.c). */
#include "sys.h"
#include <arch/syscall.h>
#include <arch/tsc.h>
#include <bootinfo.h>
#include <cmdline.h>
#include <heap.h>
#include <panic.h>
#include <pmm.h>
#include <log.h>
#include <sched.h>
#include <thread.h>
#include <mnos/sysinfo.h>
#include <time.h>
#include <usercopy.h>
#include <usermode.h>
#include <vmm.h>

/*
 * The fuzzer's planted bug (docs/SECURITY.md): with fuzz.planted_bug on the command
 * line, a debug print of FUZZ_PLANTED_LEN bytes from FUZZ_PLANTED_BUF panics, as a
 * kernel bug the fuzzer reaches would. The sfuzz-planted boot proves that the harness
 * notices when the fuzzer finds one. Off, it costs one predicted branch.
 */
#define FUZZ_PLANTED_BUF 0x0000dead0000beefull
#define FUZZ_PLANTED_LEN 3

static bool planted_bug;                /* [I] */

void syscall_init_options(void)
{
	planted_bug = cmdline_has(boot_info.cmdline, "fuzz.planted_bug");
}

kerr_t sys_debug_print(uint64_t buf, uint64_t len, struct syscall_frame *f)
{
	char text[MNOS_DEBUG_PRINT_MAX + 1];

	if (unlikely(planted_bug) && buf == FUZZ_PLANTED_BUF && len == FUZZ_PLANTED_LEN)
		panic("fuzz: the planted bug was reached (debug_print of %#llx, %llu)",
		      (unsigned long long)buf, (unsigned long long)len);
	if (len > MNOS_DEBUG_PRINT_MAX)
		return E_INVAL;
	kerr_t e = copy_from_user(text, buf, len);
	if (e != E_OK)
		return e;
	text[len] = 0;
	kprintf("%s", text);
	return E_OK;
}

kerr_t sys_yield(struct syscall_frame *f)
{
	sched_yield();
	return E_OK;
}

kerr_t sys_clock(struct syscall_frame *f)
{
	f->rdi = clock_ns();
	return E_OK;
}

kerr_t sys_sleep(uint64_t ns, struct syscall_frame *f)
{
	uint64_t now = clock_ns();

	/* A deadline past the clock's range is no deadline: the thread sleeps on. */
	sched_sleep_until(ns > UINT64_MAX - now ? UINT64_MAX : now + ns);
	return E_OK;
}

/* Version 1's layout is the least the call takes; a later version only appends. */
_Static_assert(MNOS_SYSINFO_VERSION > 1 || sizeof(struct mnos_sysinfo) == MNOS_SYSINFO_MIN_SIZE,
	       "MNOS_SYSINFO_MIN_SIZE is version 1's size");

/* Each figure is read on its own (the heap's under its locks), so with other CPUs busy
 * they need not describe one instant; each is true of some moment during the call. */
kerr_t sys_system_info(uint64_t buf, uint64_t size, struct syscall_frame *f)
{
	struct mnos_sysinfo si;

	if (size < MNOS_SYSINFO_MIN_SIZE)
		return E_INVAL;
	if (!user_range_ok(buf, size))
		return E_RANGE;
	memset(&si, 0, sizeof(si));
	si.version = MNOS_SYSINFO_VERSION;
	si.size = (uint32_t)(size < sizeof(si) ? size : sizeof(si));
	strlcpy(si.kernel, "MinimalOS", sizeof(si.kernel));
	strlcpy(si.release, MNOS_VERSION, sizeof(si.release));
	strlcpy(si.build, MNOS_GIT_REV, sizeof(si.build));
	strlcpy(si.machine, "x86_64", sizeof(si.machine));
	si.uptime_ns = clock_ns();
	si.tsc_hz = tsc_hz();
	si.cpus_online = sched_cpu_count();
	struct pmm_stats pm = pmm_get_stats();
	si.mem_total = pm.total * PAGE_SIZE;
	si.mem_free = pm.free * PAGE_SIZE;
	struct heap_stats hs = heap_get_stats();
	si.heap_in_use = hs.bytes_in_use;
	si.heap_held = hs.bytes_held;
	si.threads = thread_count();
	si.processes = process_count();
	struct user_stamp init = user_first_entry();
	si.tsc_kernel_entry = boot_entry_tsc;
	si.tsc_init_entry = init.tsc;
	si.halted_at_init = init.halted;
	si.halted = sched_halted_ticks();
	si.tlb_shootdowns = vmm_shootdown_count();
	return copy_to_user(buf, &si, si.size);
}

__noreturn void sys_thread_exit(struct syscall_frame *f)
{
	user_thread_exit();
}
