/*
 * sfuzz: the system-call fuzzer (docs/SECURITY.md). Random system calls, numbers past the
 * table included, with arguments drawn from a pool of valid capabilities of every type —
 * endpoints and notifications plain and badged, reply objects, memory eager and
 * demand-zero, read-only RAM and device memory, threads of its own, an IRQ line and an
 * I/O-port range — small and huge numbers, powers of two and their neighbours, ports
 * around its range, and pointers into, just before and just past buffers of its own that
 * have unmapped pages on both sides. The kernel must refuse what is wrong and survive
 * all of it; the in-guest test (tests/kernel/test_sfuzz.c) runs two at once, gives them
 * the capabilities a process cannot make itself (as init gives drivers theirs), and
 * checks that kernel memory comes back once they are gone.
 *
 * Half the draws are shaped to what the call takes (a capability of the kind it wants,
 * sensible rights, a port in the range), so that calls get past their first checks.
 *
 * Usage: sfuzz <calls> <seed> [ports=<base>:<count>] [cpu=<n>] [plant]. It makes
 * <calls> system calls (draws it must not make, such as thread_exit, are not counted) in
 * a second thread; the first cancels that thread's IPC waits every few milliseconds, so
 * a call that would wait for ever (a send nobody receives) ends, and when it is done
 * reports on the "result" notification: bit 0, and the number of calls made above it.
 * Its threads stay on CPU n (the test pins the first), but for the fuzzing's own
 * thread_set_affinity calls: under QEMU's TCG a third and fourth CPU spinning on the
 * capability lock starve its holder (the host runs fewer CPUs than the guest has, and a
 * ticket lock hands it to a CPU that is not running), and two fuzzers fell from some
 * 100,000 calls a second to 1,000.
 */
#include <mnos.h>

/* The pool: POOL_EACH slots of each kind, kind i % NKINDS. */
enum kind {
	K_EP, K_EP_BADGED,              /* a badged one: of a parked thread's object */
	K_NTF, K_NTF_BADGED,
	K_REPLY,
	K_MEM, K_MEM_LAZY,
	K_THREAD,                       /* copies of the parked threads' capabilities */
	K_IRQ, K_IOPORT, K_MEM_RO, K_MEM_DEV,   /* copies of the start capabilities */
	NKINDS
};
#define POOL_EACH 3
#define POOL (NKINDS * POOL_EACH)

#define FUZZ_VA 0x300000000000ull       /* mappings into this process go here only */
#define FUZZ_VA_SIZE (64ull << 20)
#define GUARDED_PAGES 2                 /* each guarded buffer */
#define PARKED 3                        /* threads whose capabilities are in the pool */

static uint64_t rng_state;
static uint32_t pool[POOL];
static uint32_t child;                  /* a process for threads and mappings */
/* Kept out of the fuzzing's reach (protected_slot): it reports and supervises with them,
 * and the pool is copied from the masters. */
static uint32_t self, result, worker;
static uint32_t master[NKINDS];         /* K_IRQ ..: the start capabilities (0: none) */
static uint32_t parked_cap[PARKED];
static uint32_t parked_ep, parked_reply, parked_ntf;    /* what they wait on */
static uint32_t port_base = 0x2e8, port_count = 8;
static unsigned home_cpu, ncpus = 1;    /* where its threads run; CPUs online */
static uint8_t buf[8192] __attribute__((aligned(4096)));
/* Buffers with an unmapped page before and after: what system_info writes lands in
 * wbuf (or in the fuzzing's own mappings), what debug_print reads must run off tbuf. */
static uint8_t *wbuf, *tbuf;
static volatile bool done;
static uint64_t calls, ok_calls, skipped, errors[MNOS_ERROR_COUNT + 1];
static bool plant;                      /* "plant": some debug prints use the planted
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

/* Mostly every right; now and then a random subset, so missing rights come up too. */
static uint32_t some_rights(void)
{
	return rnd() % 4 ? CAP_R_ALL : (uint32_t)rnd() & 0x7ff;
}


/* (Re)make whatever the fuzzing deleted, moved or changed in the pool. */
static void refill(void)
{
	for (unsigned i = 0; i < POOL; i++) {
		unsigned k = i % NKINDS, j = i / NKINDS;
		uint32_t s = pool[i];

		mnos_cap_delete(s);             /* whatever is there now */
		switch (k) {
		case K_EP:
			mnos_obj_create(MNOS_OBJ_ENDPOINT, s, 0, 0);
			break;
		case K_NTF:
			mnos_obj_create(MNOS_OBJ_NOTIFICATION, s, 0, 0);
			break;
		case K_EP_BADGED:
			mnos_cap_mint(parked_ep, s, some_rights(), rnd() | 1);
			break;
		case K_NTF_BADGED:
			mnos_cap_mint(parked_ntf, s, some_rights(), rnd() | 1);
			break;
		case K_REPLY:
			mnos_obj_create(MNOS_OBJ_REPLY, s, 0, 0);
			break;
		case K_MEM:
			mnos_obj_create(MNOS_OBJ_MEMORY, s, 1 + j, 0);
			break;
		case K_MEM_LAZY:
			mnos_obj_create(MNOS_OBJ_MEMORY, s, 1 + rnd() % 16, MNOS_MEM_LAZY);
			break;
		case K_THREAD:
			mnos_cap_copy(parked_cap[j % PARKED], 0, s, some_rights());
			break;
		default:
			if (master[k])
				mnos_cap_copy(master[k], 0, s, some_rights());
			break;
		}
	}
}

static uint64_t any_slot(void)
{
	if (rnd() % 8 == 0)
		return child;
	return pool[rnd() % POOL];
}

/* Somewhere in or around a guarded buffer: inside, just before its start (the page
 * before is unmapped), or running off its end. */
static uint64_t around(const uint8_t *b)
{
	uint64_t size = GUARDED_PAGES * MNOS_PAGE_SIZE, p = (uint64_t)(uintptr_t)b;

	switch (rnd() % 4) {
	case 0:
		return p + rnd() % size;
	case 1:
		return p - 1 - rnd() % 64;
	case 2:
		return p - MNOS_PAGE_SIZE + rnd() % MNOS_PAGE_SIZE;
	default:
		return p + size - rnd() % 64;
	}
}

static uint64_t arg(void)
{
	switch (rnd() % 12) {
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
		/* Into this program's own buffer, its last words, or just before it. */
		switch (rnd() % 3) {
		case 0: return (uint64_t)(uintptr_t)buf + rnd() % 64;
		case 1: return (uint64_t)(uintptr_t)buf + sizeof(buf) - 8;
		default: return (uint64_t)(uintptr_t)buf - 1 - rnd() % 64;
		}
	case 7:
		return around(rnd() % 2 ? wbuf : tbuf);
	case 8:
		return FUZZ_VA + (rnd() % (FUZZ_VA_SIZE / 4096)) * 4096;
	case 9:
		return port_base + rnd() % (port_count + 4) - 2;        /* ports, and widths */
	default:
		return rnd();
	}
}

/* A pool slot of kind k. */
static uint64_t of(unsigned k)
{
	return pool[k + NKINDS * (rnd() % POOL_EACH)];
}

static uint64_t of_any(const unsigned *kinds, unsigned n)
{
	return of(kinds[rnd() % n]);
}

static const unsigned mem_kinds[] = { K_MEM, K_MEM_LAZY, K_MEM_RO, K_MEM_DEV };
static const unsigned ntf_kinds[] = { K_NTF, K_NTF_BADGED };

static uint64_t map_rights(void)
{
	static const uint32_t r[] = { CAP_R_READ, CAP_R_READ | CAP_R_WRITE,
				      CAP_R_READ | CAP_R_EXEC };

	return r[rnd() % 3];
}

/* A page of the first 64 of the fuzzing's region: where maps and unmaps meet. */
static uint64_t near_va(void)
{
	return FUZZ_VA + (rnd() % 64) * 4096;
}

/*
 * Half the draws: arguments of the shapes the call takes — a capability of the kind it
 * wants, rights that make sense, a port in the range, a width — with the others left
 * random, so that calls get past their first checks and the pool's objects are really
 * mapped, bound, read and written, not only refused.
 */
static void shape(uint64_t nr, uint64_t a[6])
{
	switch (nr) {
	case SYS_CAP_COPY:
		a[0] = pool[rnd() % POOL];
		a[1] = rnd() % 2 ? 0 : child;
		a[2] = 1 + rnd() % 255;         /* empty ones among them */
		a[3] = some_rights();
		break;
	case SYS_CAP_MINT:
		a[0] = of(rnd() % 2 ? K_EP : K_NTF);
		a[1] = 1 + rnd() % 255;
		a[2] = some_rights();
		break;
	case SYS_OBJ_CREATE:
		a[0] = rnd() % 10;
		a[1] = 1 + rnd() % 255;
		a[2] = rnd() % 17;
		a[3] = a[0] == MNOS_OBJ_PROCESS ? rnd() % 65536 :
		       a[0] == MNOS_OBJ_MEMORY ? rnd() % 2 : 0;
		break;
	case SYS_EP_SEND:
	case SYS_EP_CALL:
		a[0] = of(K_EP_BADGED);         /* a parked thread answers */
		a[1] = mnos_ipc_info(rnd() % 8, rnd() % 5, 0);
		break;
	case SYS_EP_NBSEND:
		a[0] = of(rnd() % 2 ? K_EP : K_EP_BADGED);
		break;
	case SYS_EP_RECV:
		a[0] = of(K_EP);
		a[1] = rnd() % 4 ? of(K_REPLY) : 0;
		break;
	case SYS_EP_REPLY:
		a[0] = of(K_REPLY);
		break;
	case SYS_NOTIFY_SIGNAL:
	case SYS_NOTIFY_POLL:
		a[0] = of_any(ntf_kinds, 2);
		break;
	case SYS_MEM_MAP:
	case SYS_MEM_MAP_PAGES:
		a[0] = of_any(mem_kinds, 4);
		a[1] = rnd() % 4 ? 0 : child;
		a[2] = near_va();
		a[3] = map_rights();
		a[4] = rnd() % 4;
		a[5] = 1 + rnd() % 4;
		break;
	case SYS_MEM_UNMAP:
		a[0] = rnd() % 4 ? 0 : child;
		a[1] = near_va();
		break;
	case SYS_THREAD_CREATE:
		a[0] = child;
		a[1] = 1 + rnd() % 255;
		a[2] = near_va();
		a[3] = near_va() & ~15ull;
		break;
	case SYS_THREAD_CANCEL_IPC:
		a[0] = of(K_THREAD);
		break;
	case SYS_THREAD_SET_AFFINITY:
		/* Mostly masks that keep the parked threads on this fuzzer's CPU (they wait
		 * there, and a CPU woken to run one costs the other fuzzer dearly under
		 * QEMU's TCG, where CPUs spinning on a lock starve its holder); refused ones;
		 * now and then another CPU. */
		a[0] = of(K_THREAD);
		switch (rnd() % 8) {
		case 0: a[1] = 0; break;
		case 1: a[1] = ncpus < 64 ? ~0ull << ncpus : 0; break;
		case 2: a[1] = ~0ull; break;
		case 7: a[1] = 1ull << rnd() % ncpus; break;
		default: a[1] = 1ull << home_cpu; break;
		}
		break;
	case SYS_IRQ_ACK:
	case SYS_IRQ_UNBIND:
		a[0] = of(K_IRQ);
		break;
	case SYS_IRQ_BIND:
		a[0] = of(K_IRQ);
		a[1] = of_any(ntf_kinds, 2);
		a[2] = 1ull << rnd() % 64;
		break;
	case SYS_IOPORT_IN:
	case SYS_IOPORT_OUT:
		a[0] = of(K_IOPORT);
		a[1] = port_base + rnd() % (port_count + 4) - 2;
		a[2] = 1u << rnd() % 3;
		break;
	case SYS_PROC_SET_FAULT:
		a[0] = child;
		a[1] = rnd() % 4 ? of_any(ntf_kinds, 2) : 0;
		break;
	case SYS_CAP_IDENTIFY:
	case SYS_CAP_DELETE:
	case SYS_CAP_REVOKE:
		a[0] = pool[rnd() % POOL];
		break;
	}
}

static bool protected_slot(uint64_t s)
{
	if (s == self || s == result || s == worker)
		return true;
	for (unsigned k = 0; k < NKINDS; k++)
		if (master[k] && s == master[k])
			return true;
	for (unsigned i = 0; i < PARKED; i++)
		if (s == parked_cap[i])
			return true;
	return s == parked_ep || s == parked_reply || s == parked_ntf;
}

static bool in(uint64_t p, const uint8_t *b, uint64_t size)
{
	return p >= (uint64_t)(uintptr_t)b && p - (uint64_t)(uintptr_t)b < size;
}

/* A user address for system_info to write at: in or around wbuf, or in the fuzzing's own
 * mappings (demand-zero, read-only RAM, device memory, nothing) — never this program's
 * heap, stack or data. Kernel and non-canonical ones stay. */
static uint64_t write_target(uint64_t a)
{
	if (a < MNOS_USER_BASE || a >= MNOS_USER_TOP)
		return a;
	if (a % 4 == 1)
		return FUZZ_VA + a % (2ull << 20);     /* where near_va() maps */
	if (a % 4 == 3)
		return FUZZ_VA + a % FUZZ_VA_SIZE;
	return (uint64_t)(uintptr_t)wbuf - MNOS_PAGE_SIZE +
	       a % ((GUARDED_PAGES + 2) * MNOS_PAGE_SIZE);
}

/* One random call, with the few changes that keep the fuzzer itself alive: it does not
 * end itself or a thread of its own, sleep long, map or unmap its own image, start
 * threads in itself, signal its result, or delete or move the capabilities it reports,
 * supervises and copies the pool with. false: the draw was not made. */
static bool one_call(void)
{
	uint64_t nr = rnd() % (SYS_COUNT + 3), a[6];

	for (int i = 0; i < 6; i++)
		a[i] = arg();
	if (rnd() % 2)
		shape(nr, a);
	for (int i = 0; i < 6; i++)
		if (a[i] == result)             /* not signalled, bound, copied, ... */
			a[i] = pool[rnd() % POOL];
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
		/* Garbage bytes would reach the log: from tbuf only a read that runs off it
		 * (and must fail), from elsewhere in this program nothing. */
		if (in(a[0], tbuf - MNOS_PAGE_SIZE, (GUARDED_PAGES + 2) * MNOS_PAGE_SIZE)) {
			if (in(a[0], tbuf, GUARDED_PAGES * MNOS_PAGE_SIZE) &&
			    in(a[0] + a[1] - 1, tbuf, GUARDED_PAGES * MNOS_PAGE_SIZE))
				a[1] = 0;
		} else if (a[1] && a[0] >= MNOS_USER_BASE && a[0] < MNOS_USER_TOP) {
			a[1] = 0;
		}
		if (plant && rnd() % 16 == 0) {
			a[0] = 0x0000dead0000beefull;   /* the planted bug's arguments */
			a[1] = 3;
		}
		break;
	case SYS_SLEEP:
		a[0] %= 10000;                  /* a timer armed, not a pause */
		break;
	case SYS_EP_RECV:
		a[2] %= 100000;                 /* the timeout: some run out */
		break;
	case SYS_MEM_MAP:
	case SYS_MEM_MAP_PAGES:
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
		a[0] = write_target(a[0]);
		break;
	}
	uint64_t e = raw_syscall(nr, a);
	calls++;
	if (e == E_OK)
		ok_calls++;
	errors[e < MNOS_ERROR_COUNT ? e : MNOS_ERROR_COUNT]++;
	return true;
}

/*
 * A parked thread: one receives on an endpoint (and answers what it gets), one waits on
 * a notification, one sleeps. Their capabilities are in the pool, and so are badged
 * copies of the endpoint and the notification, so the fuzzing's thread operations,
 * sends, calls and signals meet threads that wait — rarely enough that they cost little.
 * Nothing done to them stops the fuzzer, which never waits for them (exit ends them with
 * the process).
 */
static void parked_main(void *arg)
{
	unsigned me = (unsigned)(uintptr_t)arg;
	uint64_t b, info, w0, w1, w2, w3;

	for (;;) {
		enum mnos_error e;

		switch (me) {
		case 0:
			e = mnos_ep_recv(parked_ep, parked_reply, IPC_FOREVER, &b, &info, &w0,
					 &w1, &w2, &w3);
			if (e == E_OK)
				mnos_ep_reply(parked_reply, mnos_ipc_info(1, 2, 0), b, w0 + 1,
					      0, 0);
			break;
		case 1:
			e = mnos_notify_wait(parked_ntf, &b);
			break;
		default:
			e = mnos_sleep(1000000000000ull);
			break;
		}
		/* Cancelled, woken, or (it cannot be) its object gone: wait again. */
		if (e != E_OK && e != E_CANCELED)
			mnos_sleep(10000000);
	}
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

/* A buffer of GUARDED_PAGES pages with an unmapped page on each side (mnos_va_alloc
 * leaves one after; the first of its pages is left out). Its capability goes once it is
 * mapped, as the heap's do: nothing the fuzzing deletes or revokes can unmap it. */
static uint8_t *guarded(void)
{
	uint64_t va = mnos_va_alloc(GUARDED_PAGES + 1);
	uint32_t mem = mnos_slot_alloc();
	bool ok = va && mem && mnos_obj_create(MNOS_OBJ_MEMORY, mem, GUARDED_PAGES, 0) == E_OK &&
		  mnos_mem_map(mem, 0, va + MNOS_PAGE_SIZE, CAP_R_READ | CAP_R_WRITE) == E_OK;

	if (mem)
		mnos_slot_free(mem);
	return ok ? (uint8_t *)(uintptr_t)(va + MNOS_PAGE_SIZE) : NULL;
}

static bool set_up(int argc, char **argv)
{
	static const char *const start_names[NKINDS] = {
		[K_IRQ] = "irq", [K_IOPORT] = "ioport", [K_MEM_RO] = "ro",
		[K_MEM_DEV] = "device",
	};

	for (int i = 3; i < argc; i++) {
		if (strcmp(argv[i], "plant") == 0)
			plant = true;
		else if (strncmp(argv[i], "cpu=", 4) == 0)
			home_cpu = (unsigned)strtoull(argv[i] + 4, NULL, 10);
		else if (strncmp(argv[i], "ports=", 6) == 0) {
			char *end;
			port_base = (uint32_t)strtoull(argv[i] + 6, &end, 0);
			if (*end == ':')
				port_count = (uint32_t)strtoull(end + 1, NULL, 0);
		}
	}
	struct mnos_sysinfo si;
	if (mnos_system_info((uint64_t)(uintptr_t)&si, sizeof(si)) == E_OK && si.cpus_online)
		ncpus = si.cpus_online;
	home_cpu %= ncpus;
	for (unsigned k = 0; k < NKINDS; k++)
		if (start_names[k])
			master[k] = mnos_start_cap(start_names[k]);
	for (unsigned i = 0; i < POOL; i++)
		pool[i] = mnos_slot_alloc();
	child = mnos_slot_alloc();
	wbuf = guarded();
	tbuf = guarded();
	if (!result || !child || !wbuf || !tbuf ||
	    mnos_obj_create(MNOS_OBJ_PROCESS, child, 16, 256 * 1024) != E_OK)
		return false;
	for (unsigned i = 0; i < GUARDED_PAGES * MNOS_PAGE_SIZE; i++)
		tbuf[i] = "sfuzz debug_print text "[i % 23];
	parked_ep = mnos_slot_alloc();
	parked_reply = mnos_slot_alloc();
	parked_ntf = mnos_slot_alloc();
	if (!parked_ep || !parked_reply || !parked_ntf ||
	    mnos_obj_create(MNOS_OBJ_ENDPOINT, parked_ep, 0, 0) != E_OK ||
	    mnos_obj_create(MNOS_OBJ_REPLY, parked_reply, 0, 0) != E_OK ||
	    mnos_obj_create(MNOS_OBJ_NOTIFICATION, parked_ntf, 0, 0) != E_OK)
		return false;
	for (unsigned i = 0; i < PARKED; i++)
		if (mnos_thread_start(parked_main, (void *)(uintptr_t)i, 16384,
				      &parked_cap[i]) != E_OK ||
		    mnos_thread_set_affinity(parked_cap[i], 1ull << home_cpu) != E_OK)
			return false;
	return true;
}

int main(int argc, char **argv)
{
	result = mnos_start_cap("result");
	self = mnos_start_cap("self");
	budget = argc > 1 ? strtoull(argv[1], NULL, 10) : 10000;
	rng_state = argc > 2 ? strtoull(argv[2], NULL, 10) : 1;
	if (!set_up(argc, argv)) {
		printf("sfuzz: cannot set up\n");
		return 1;
	}
	if (mnos_thread_start(fuzz_thread, NULL, 0, &worker) != E_OK ||
	    mnos_thread_set_affinity(worker, 1ull << home_cpu) != E_OK) {
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
