/* Program start-up (mnos/runtime.h): from crt0's _start to main and out through exit. */
#include <mnos.h>
#include <stackguard.h>
#include <mnos/proc.h>

const struct mnos_start_info *mnos_start_info;

/* The stack protector's guard (-fstack-protector-strong), made before any protected
 * function runs; an overwritten canary ends the thread through abort(). */
uint64_t __stack_chk_guard;
__attribute__((noreturn)) void __stack_chk_fail(void);

__attribute__((noreturn)) void __stack_chk_fail(void)
{
	printf("stack protector: a canary was overwritten (a stack buffer overflow)\n");
	abort();
}

__attribute__((noreturn)) void __mnos_start(const struct mnos_start_info *si);

__attribute__((noreturn, no_stack_protector)) void __mnos_start(const struct mnos_start_info *si)
{
	bool hw;

	__stack_chk_guard = stack_guard_make(&hw);
	static const struct mnos_start_info none = { .magic = MNOS_START_MAGIC,
						     .version = MNOS_START_VERSION,
						     .size = sizeof(none) };
	static char *no_args[] = { NULL, NULL };
	uint32_t taken[MNOS_START_MAX_CAPS] = { 0 };

	if (!si || si->magic != MNOS_START_MAGIC || si->version != MNOS_START_VERSION)
		si = &none;
	mnos_start_info = si;
	/* The creator's capabilities are taken; every other slot is free. */
	uint32_t ncaps = si->ncaps < MNOS_START_MAX_CAPS ? si->ncaps : MNOS_START_MAX_CAPS;
	for (uint32_t i = 0; i < ncaps; i++)
		taken[i] = si->caps[i].slot;
	mnos_slot_init(si->nslots, taken, ncaps);
	char **argv = si->argv ? (char **)(uintptr_t)si->argv : no_args;
	int argc = si->argv ? (int)si->argc : 0;
	environ = argv + argc + 1;              /* System V: envp follows argv's NULL */
	if (mnos_start_cap("proc"))
		mnos_output_to_stdout();        /* a program, not a service: printf is stdout */
	exit(main(argc, argv));
}

uint32_t mnos_start_cap(const char *name)
{
	const struct mnos_start_info *si = mnos_start_info;

	for (uint32_t i = 0; i < si->ncaps && i < MNOS_START_MAX_CAPS; i++)
		if (strncmp(si->caps[i].name, name, MNOS_START_CAP_NAME) == 0)
			return si->caps[i].slot;
	return 0;
}

/* What exit() runs, the last registered first. */
#define ATEXIT_MAX      16

static void (*atexit_fn[ATEXIT_MAX])(void);
static unsigned atexit_n;                       /* [atexit_lock] */
static struct mnos_lock atexit_lock;

int mnos_atexit(void (*fn)(void))
{
	int e = E_NO_MEMORY;

	mnos_lock(&atexit_lock);
	if (atexit_n < ATEXIT_MAX) {
		atexit_fn[atexit_n++] = fn;
		e = E_OK;
	}
	mnos_unlock(&atexit_lock);
	return e;
}

void exit(int status)
{
	/* Each hook runs once, even when threads exit together. */
	for (;;) {
		mnos_lock(&atexit_lock);
		void (*fn)(void) = atexit_n ? atexit_fn[--atexit_n] : NULL;
		mnos_unlock(&atexit_lock);
		if (!fn)
			break;
		fn();
	}
	/* The process service, if it started this program, learns the status first. */
	mnos_process_report_exit(status);
	mnos_proc_kill(0);
	for (;;)
		mnos_thread_exit();             /* not reached: proc_kill(0) ends this thread */
}

void abort(void)
{
	static const char msg[] = "abort\n";

	mnos_debug_print((uint64_t)(uintptr_t)msg, sizeof(msg) - 1);
	for (;;)
		__builtin_trap();
}
