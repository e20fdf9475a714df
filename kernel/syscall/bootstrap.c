/* TEMPORARY bring-up dispatch until the generated ABI dispatch lands: debug print,
 * yield, clock, thread exit. */
#include <arch/syscall.h>
#include <usercopy.h>
#include <usermode.h>
#include <sched.h>
#include <time.h>
#include <log.h>

void syscall_dispatch(struct syscall_frame *f)
{
	char buf[256];
	kerr_t e = E_OK;
	uint64_t out = 0;

	switch (f->rax) {
	case 0:
		if (f->rsi > sizeof(buf) - 1) {
			e = E_INVAL;
			break;
		}
		e = copy_from_user(buf, f->rdi, f->rsi);
		if (e == E_OK) {
			buf[f->rsi] = 0;
			kprintf("%s", buf);
		}
		break;
	case 1:
		sched_yield();
		break;
	case 2:
		out = clock_ns();
		break;
	case 22:
		user_thread_exit();
	default:
		e = E_NOSYS;
	}
	f->rax = e;
	f->rdi = out;
	f->rsi = f->rdx = f->r10 = f->r8 = f->r9 = 0;
}
