/*
 * sfuzz: the system-call fuzzer (docs/SECURITY.md). Random system calls, numbers past the
 * table included, with arguments drawn from a pool of valid capabilities of every type it
 * can make, small and huge numbers, powers of two and their neighbours, and pointers into
 * and around a buffer of its own. The kernel must refuse what is wrong and survive all
 * of it; the in-guest test (tests/kernel/test_sfuzz.c) runs several at once and checks
 * that kernel memory comes back once they are gone.
 *
 * Usage: sfuzz <calls> <seed> [plant]. It makes <calls> system calls (draws it must not
 * make, such as thread_exit, are not counted) in a second thread; the first cancels that
 * thread's IPC waits every few milliseconds, so a call that would wait for ever (a send
 * nobody receives) ends, and when it is done reports on the "result" notification: bit
 * 0, and the number of calls made above it.
 */
#include <mnos.h>

#define POOL 24
#define FUZZ_VA 0x200000000000ull       /* mappings into this process go here only */
#define FUZZ_VA_SIZE (64ull << 20)

static uint64_t rng_state;
static uint32_t pool[POOL];
static uint32_t pool_type[POOL];
static uint32_t child;                  /* a process for threads and mappings */
static uint32_t self, result, worker;   /* kept out of the fuzzing's reach */
static uint8_t buf[8192] __attribute__((aligned(4096)));
static volatile bool done;
static uint64_t calls, ok_calls, skipped, errors[MNOS_ERROR_COUNT + 1];
static bool plant;                      /* argv[3] "plant": some debug prints use the planted
					 * bug's arguments (the kernel panics on them only with
					 * fuzz.planted_bug) */

static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t raw_syscall(uint64_t nr, const uint64_t a[6])
{
	register uint64_t rax __asm__("rax") = nr;
	register uint64_t rdi __asm__("rdi") = a[0];
	register uint64_t rsi __asm__("rsi") = a[1];
	register uint64_t rdx __asm__("rdx") = a[2];
	register uint64_t r10 __asm__("r10") = a[3];
	register uint64_t r8 __asm__("r8") = a[4];
	register uint64_t r9 __asm__("r9") = a[5];

	__asm__ volatile("syscall"
			 : "+r"(rax), "+r"(rdi), "+r"(rsi), "+r"(rdx), "+r"(r10), "+r"(r8),
			   "+r"(r9)
			 :
			 : "rcx", "r11", "memory");
	return rax;
}

/* (Re)make whatever the fuzzing deleted: endpoints, replies, notifications, memory. */
static void refill(void)
{
	static const uint32_t kinds[] = { MNOS_OBJ_ENDPOINT, MNOS_OBJ_REPLY,
					  MNOS_OBJ_NOTIFICATION, MNOS_OBJ_MEMORY };

	for (unsigned i = 0; i < POOL; i++) {
		if (!pool[i])
			continue;
		uint32_t t = kinds[i % 4];
		mnos_cap_delete(pool[i]);       /* whatever is there now */
		if (mnos_obj_create(t, pool[i], t == MNOS_OBJ_MEMORY ? 1 + i % 3 : 0, 0) == E_OK)
			pool_type[i] = t;
	}
}

static uint64_t any_slot(void)
{
	if (rnd() % 8 == 0)
		return child;
	return pool[rnd() % POOL];
}

static uint64_t arg(void)
{
	switch (rnd() % 10) {
	case 0: case 1: case 2:
		return any_slot();
	case 3:
		return 0;
	case 4:
		return rnd() % 300;
	case 5: {
		uint64_t p = 1ull << (rnd() % 64);
		return p + (rnd() % 3) - 1;
	}
	case 6:
		return (uint64_t)(uintptr_t)buf + (rnd() % 3 == 0 ? sizeof(buf) - 8 : rnd() % 64);
	case 7:
		return FUZZ_VA + (rnd() % (FUZZ_VA_SIZE / 4096)) * 4096;
	default:
		return rnd();
	}
}

static bool protected_slot(uint64_t s)
{
	return s == self || s == result || s == worker;
}

/* One random call, with the few changes that keep the fuzzer itself alive: it does not
 * end itself, sleep long, unmap its own image, start threads in itself, signal its
 * result, or delete, move or revoke the capabilities it reports and supervises with.
 * false: the draw was not made. */
static bool one_call(void)
{
	uint64_t nr = rnd() % (SYS_COUNT + 3), a[6];

	for (int i = 0; i < 6; i++) {
		a[i] = arg();
		if (a[i] == result)             /* not signalled, bound, copied, ... */
			a[i] = pool[rnd() % POOL];
	}
	if (nr == SYS_CAP_DELETE || nr == SYS_CAP_REVOKE || nr == SYS_CAP_MOVE ||
	    nr == SYS_THREAD_CANCEL_IPC)
		for (int i = 0; i < 2; i++)
			if (protected_slot(a[i]))
				a[i] = pool[rnd() % POOL];
	if (a[0] == self)
		a[0] = 0;                       /* "self" by slot: as 0, handled below */
	switch (nr) {
	case SYS_THREAD_EXIT:
		return false;
	case SYS_DEBUG_PRINT:
		if (a[1] && a[0] >= 0x400000 && a[0] < 0x800000000000ull)
			a[1] = 0;               /* garbage bytes would reach the log */
		if (plant && rnd() % 16 == 0) {
			a[0] = 0x0000dead0000beefull;   /* the planted bug's arguments */
			a[1] = 3;
		}
		break;
	case SYS_SLEEP:
		a[0] %= 100000;
		break;
	case SYS_EP_RECV:
		a[2] %= 1000000;                /* the timeout */
		break;
	case SYS_MEM_MAP:
		if (a[1] == self)
			a[1] = 0;
		if (a[1] == 0 || a[1] == child)
			a[2] = FUZZ_VA + (a[2] % (FUZZ_VA_SIZE / 4096)) * 4096;
		break;
	case SYS_MEM_UNMAP:
		if (a[0] == 0)
			a[1] = FUZZ_VA + (a[1] % (FUZZ_VA_SIZE / 4096)) * 4096;
		break;
	case SYS_THREAD_CREATE:
	case SYS_PROC_KILL:
	case SYS_PROC_SET_FAULT:
		if (a[0] == 0)
			a[0] = child;
		break;
	case SYS_IPC_BUFFER_SET:
		return false;                   /* once a thread; the library's own is enough */
	case SYS_SYSTEM_INFO:
		/* It writes: into buf, not over this program's heap or stack (a power of
		 * two can be the heap's base). Kernel and non-canonical ones stay. */
		if (a[0] >= MNOS_USER_BASE && a[0] < MNOS_USER_TOP)
			a[0] = (uint64_t)(uintptr_t)buf +
			       a[0] % (sizeof(buf) - sizeof(struct mnos_sysinfo));
		break;
	}
	uint64_t e = raw_syscall(nr, a);
	calls++;
	if (e == E_OK)
		ok_calls++;
	errors[e < MNOS_ERROR_COUNT ? e : MNOS_ERROR_COUNT]++;
	return true;
}

static uint64_t budget;

static void fuzz_thread(void *unused)
{
	uint64_t next_refill = 0;

	while (calls < budget) {
		if (calls >= next_refill) {
			refill();
			next_refill = calls + 500;
		}
		if (!one_call())
			skipped++;
	}
	done = true;
}

int main(int argc, char **argv)
{
	result = mnos_start_cap("result");
	self = mnos_start_cap("self");

	budget = argc > 1 ? strtoull(argv[1], NULL, 10) : 10000;
	rng_state = argc > 2 ? strtoull(argv[2], NULL, 10) : 1;
	plant = argc > 3 && strcmp(argv[3], "plant") == 0;
	for (unsigned i = 0; i < POOL; i++)
		pool[i] = mnos_slot_alloc();
	child = mnos_slot_alloc();
	if (!result || !child || mnos_obj_create(MNOS_OBJ_PROCESS, child, 16, 256 * 1024) != E_OK) {
		printf("sfuzz: cannot set up\n");
		return 1;
	}
	refill();
	if (mnos_thread_start(fuzz_thread, NULL, 0, &worker) != E_OK) {
		printf("sfuzz: cannot start the fuzzing thread\n");
		return 1;
	}
	while (!done) {
		mnos_sleep(2000000);
		mnos_thread_cancel_ipc(worker);         /* end a wait that would never end */
	}
	printf("sfuzz: %llu calls made, %llu draws not made (seed %llu), %llu succeeded\n",
	       (unsigned long long)calls, (unsigned long long)skipped,
	       (unsigned long long)(argc > 2 ? strtoull(argv[2], NULL, 10) : 1),
	       (unsigned long long)ok_calls);
	mnos_notify_signal(result, 1 | calls << 1);
	return 0;
}
