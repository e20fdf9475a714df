/* System calls: debug print, yield, clock, sleep (syscall.c). */
#include "sys.h"
#include <arch/syscall.h>
#include <bootinfo.h>
#include <cmdline.h>
#include <panic.h>
#include <log.h>
#include <sched.h>
#include <time.h>
#include <usercopy.h>
#include <usermode.h>

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

__noreturn void sys_thread_exit(struct syscall_frame *f)
{
	user_thread_exit();
}
