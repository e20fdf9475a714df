/* System calls: debug print, yield, clock, sleep (syscall.c). */
#include "sys.h"
#include <log.h>
#include <sched.h>
#include <time.h>
#include <usercopy.h>
#include <usermode.h>

kerr_t sys_debug_print(uint64_t buf, uint64_t len, struct syscall_frame *f)
{
	char text[MNOS_DEBUG_PRINT_MAX + 1];

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
