/*
 * The null system call from user mode (the bound: 60 instructions a round
 * trip; Linux's getppid is about 340 in the same harness): SYSCALL, the entry's
 * register save, the dispatch refusing an unknown number, the register restore and
 * SYSRET. syscall_clock adds the work of the cheapest real call, the clock.
 *
 * A user process runs the nullsys blob (user_blobs.S), which times its own loop with
 * RDTSCP; the runner subtracts its empty loop, which has the same shape.
 */
#include <kbench.h>
#include <panic.h>
#include "uproc.h"

static uint64_t syscall_loop(uint64_t nr, uint64_t iters)
{
	static struct uproc u;

	if (!uproc_init(&u, ublob_nullsys_start, ublob_nullsys_end))
		panic("kbench: cannot make the user process");
	u.data[0] = iters;
	u.data[2] = nr;
	if (uproc_run(&u) != E_OK)
		panic("kbench: cannot run the user thread");
	uint64_t ticks = u.data[1];
	uproc_fini(&u);
	return ticks;
}

KBENCH(null_syscall, 20000)
{
	return syscall_loop(0xffff, iters);
}

KBENCH(syscall_clock, 20000)
{
	return syscall_loop(2, iters);
}
