/*
 * Every system call through syscall_dispatch(), as a SYSCALL would reach it: a kernel
 * thread of a user process (its address space and capability space, so user pointers
 * into pages mapped there work) fills a struct syscall_frame and dispatches it.
 *
 * The sweep is driven by the ABI table's own description of each call
 * (syscall_table.h, SYSCALL_DESCS): for every call and every slot argument, every slot
 * number up to past the capability space and every single-bit flip of a valid one
 * (above 2^32 too), and each needed right removed; for the other arguments, the bad
 * values of their kind (null, kernel-half, non-canonical, straddling USER_TOP,
 * unaligned pointers and addresses, oversize lengths, malformed messages, unknown
 * types); and unknown call numbers. Each must return exactly the error the call
 * documents, zero all six result registers, keep the preserved ones, and change
 * nothing: free frames, quota used, capability, object and thread counts are back to
 * where they were. Then each call's happy path, and thread_create's failure atomicity.
 */
#include <ktest.h>
#define SYSCALL_DESCS
#include <syscall_table.h>
#include "objects.h"
#include "settle.h"
#include "sysenv.h"
#include <endpoint.h>
#include <heap.h>
#include <irq.h>
#include <klib.h>
#include <memobj.h>
#include <pmm.h>
#include <taskcap.h>
#include <time.h>
#include <usermode.h>
#include <vmm.h>
#include <arch/ioapic.h>
#include <arch/smp.h>
#include <mnos/sysinfo.h>
#include <sched.h>

/* ---- the sweep ---- */

/* A valid set of arguments for each call (none of which is run as it stands: the sweep
 * changes one argument to a bad value). */
static void valid_args(unsigned nr, uint64_t a[6])
{
	static const uint64_t msg[5] = { 0, 1, 2, 3, 4 };

	memset(a, 0, 6 * sizeof(uint64_t));
	switch (nr) {
	case SYS_DEBUG_PRINT: a[0] = DATA_VA; a[1] = 4; break;
	case SYS_CAP_COPY: a[0] = S_EP; a[1] = S_PROC; a[2] = 1; a[3] = CAP_R_ALL; break;
	case SYS_CAP_MINT: a[0] = S_EP; a[1] = S_FREE; a[2] = CAP_R_ALL; a[3] = 5; break;
	case SYS_CAP_MOVE: a[0] = S_EP; a[1] = S_FREE; break;
	case SYS_CAP_DELETE: case SYS_CAP_REVOKE: a[0] = S_EP; break;
	case SYS_OBJ_CREATE: a[0] = MNOS_OBJ_ENDPOINT; a[1] = S_FREE; break;
	case SYS_EP_SEND: case SYS_EP_NBSEND: case SYS_EP_CALL:
		a[0] = S_EP; memcpy(&a[1], msg, sizeof(msg)); break;
	case SYS_EP_REPLY: a[0] = S_REPLY; memcpy(&a[1], msg, sizeof(msg)); break;
	case SYS_EP_RECV: a[0] = S_EP; a[1] = S_REPLY; a[2] = IPC_POLL; break;
	case SYS_EP_REPLY_RECV:
		a[0] = S_EP | (uint64_t)S_REPLY << 32; memcpy(&a[1], msg, sizeof(msg)); break;
	case SYS_NOTIFY_SIGNAL: a[0] = S_NOTIF; a[1] = 1; break;
	case SYS_NOTIFY_WAIT: case SYS_NOTIFY_POLL: a[0] = S_NOTIF; break;
	case SYS_MEM_MAP: a[0] = S_MEM; a[1] = 0; a[2] = MAP_VA; a[3] = CAP_R_READ; break;
	case SYS_MEM_MAP_PAGES:
		a[0] = S_MEM; a[1] = 0; a[2] = MAP_VA; a[3] = CAP_R_READ; a[4] = 0; a[5] = 1;
		break;
	case SYS_MEM_UNMAP: a[0] = 0; a[1] = DATA_VA; break;
	case SYS_THREAD_CREATE:
		a[0] = 0; a[1] = S_FREE; a[2] = CODE_VA; a[3] = DATA_VA + PAGE_SIZE; break;
	case SYS_THREAD_CANCEL_IPC: a[0] = S_THREAD; break;
	case SYS_THREAD_SET_AFFINITY: a[0] = S_THREAD; a[1] = 1; break;
	case SYS_IPC_BUFFER_SET: a[0] = BUF_VA; break;
	case SYS_IRQ_ACK: case SYS_IRQ_UNBIND: a[0] = S_IRQ; break;
	case SYS_IRQ_BIND: a[0] = S_IRQ; a[1] = S_NOTIF; a[2] = 1; break;
	case SYS_IOPORT_IN: a[0] = S_PORTS; a[1] = CMOS_INDEX; a[2] = 1; break;
	case SYS_IOPORT_OUT: a[0] = S_PORTS; a[1] = CMOS_INDEX; a[2] = 1; a[3] = RTC_A; break;
	case SYS_PROC_SET_FAULT: a[0] = 0; a[1] = S_NOTIF; break;
	case SYS_CAP_IDENTIFY: a[0] = S_BADGED; break;
	case SYS_SYSTEM_INFO: a[0] = DATA_VA; a[1] = MNOS_SYSINFO_MIN_SIZE; break;
	}
}

/* The space a slot argument is looked up in: the target process's for cap_copy's
 * destination, else the caller's. */
static struct cspace *space_of(struct env *v, unsigned nr, unsigned i)
{
	return nr == SYS_CAP_COPY && i == 2 ? v->other->cspace : &v->cs;
}

/*
 * What a slot argument of value x should give, on its own: E_OK if it would pass.
 * The order is cap.h's: fits 32 bits, in the space (not 0), full (a destination:
 * empty), of the type, with the rights.
 */
static kerr_t slot_verdict(struct cspace *cs, uint64_t x, uint8_t kind, uint8_t obj,
			   uint32_t need, bool zero_ok, bool dst)
{
	struct cap c;

	if (x >> 32)
		return E_RANGE;
	if (!x && (zero_ok || kind == SA_PROC))
		return E_OK;
	if (kind == SA_PROC) {
		obj = MNOS_OBJ_PROCESS;
		need = CAP_R_CONTROL;
	}
	kerr_t e = cap_lookup(cs, (uint32_t)x, OBJ_NONE, 0, &c);
	if (e == E_RANGE)
		return E_RANGE;
	if (e == E_OK)
		kobj_put(c.obj);
	if (dst)
		return e == E_NOT_FOUND ? E_OK : E_EXISTS;
	if (e != E_OK)
		return e;
	if (obj != MNOS_OBJ_NONE && c.type != obj)
		return E_TYPE;
	return (c.rights & need) == need ? E_OK : E_PERM;
}

/* The verdict for argument i of nr at value x. A two-slot argument's high half must not
 * be 0 (reply_recv needs a reply object: E_INVAL before anything else). */
static kerr_t verdict(struct env *v, unsigned nr, unsigned i, uint64_t x)
{
	const struct sys_arg_desc *d = &syscall_descs[nr].args[i];

	if (d->kind != SA_SLOTS2)
		return slot_verdict(space_of(v, nr, i), x, d->kind, d->obj, d->need, d->zero_ok,
				    d->dst);
	if (!(x >> 32))
		return E_INVAL;         /* checked before either capability */
	kerr_t e = slot_verdict(&v->cs, (uint32_t)x, SA_SLOT, d->obj, d->need, false, false);
	if (e == E_OK)
		e = slot_verdict(&v->cs, x >> 32, SA_SLOT, d->obj_hi, d->need_hi, false, false);
	return e;
}

static void expect_call(unsigned nr, const uint64_t a[6], kerr_t want, const char *what,
			uint64_t x)
{
	kerr_t got = sysenv_call(nr, a, NULL);

	if (got != want)
		ktest_fail_at(__FILE__, __LINE__, "%s with %s %#llx: got %s, want %s",
			      syscall_descs[nr].name, what, (unsigned long long)x, kerr_name(got),
			      kerr_name(want));
}

/* Try x as argument i, if it should fail. */
static void try_slot(struct env *v, unsigned nr, unsigned i, uint64_t a[6], uint64_t x,
		     const char *what)
{
	kerr_t want = verdict(v, nr, i, x);
	uint64_t keep = a[i];

	if (want == E_OK)
		return;                 /* a good value: not what this sweep is about */
	a[i] = x;
	expect_call(nr, a, want, what, x);
	a[i] = keep;
}

/* Every slot value up to past the space (for a two-slot argument, in each half), and
 * each single-bit flip of the valid value. */
static void sweep_slot_values(struct env *v, unsigned nr, unsigned i)
{
	uint64_t a[6];

	valid_args(nr, a);
	uint64_t good = a[i];
	for (uint64_t k = 0; k <= SLOTS + 8; k++) {
		if (syscall_descs[nr].args[i].kind == SA_SLOTS2) {
			try_slot(v, nr, i, a, (good & ~0xffffffffull) | k, "low slot");
			try_slot(v, nr, i, a, (good & 0xffffffffull) | k << 32, "high slot");
		} else {
			try_slot(v, nr, i, a, k, "slot");
		}
	}
	try_slot(v, nr, i, a, UINT32_MAX, "slot");
	try_slot(v, nr, i, a, UINT64_MAX, "slot");
	for (unsigned b = 0; b < 64; b++)
		try_slot(v, nr, i, a, good ^ (1ull << b), "flipped slot");
}

/* Each right the argument needs, removed: a second capability to the same object with
 * every right of its type but that one, in S_SPARE. */
static void sweep_rights(struct env *v, unsigned nr, unsigned i, bool hi)
{
	const struct sys_arg_desc *d = &syscall_descs[nr].args[i];
	uint64_t a[6];
	uint32_t need = hi ? d->need_hi : d->need;
	uint32_t slot;
	struct cap c;

	valid_args(nr, a);
	if (d->kind == SA_PROC) {
		need = CAP_R_CONTROL;
		slot = S_PROC;
	} else {
		slot = hi ? (uint32_t)(a[i] >> 32) : (uint32_t)a[i];
	}
	if (!need || !slot)
		return;
	if (cap_lookup(&v->cs, slot, OBJ_NONE, 0, &c) != E_OK) {
		ktest_fail_at(__FILE__, __LINE__, "%s: fixture slot %u empty",
			      syscall_descs[nr].name, slot);
		return;
	}
	uint32_t all = cap_type_rights((enum obj_type)c.type);
	for (unsigned bit = 0; bit < 32; bit++) {
		uint32_t r = 1u << bit;
		if (!(need & r))
			continue;
		if (cap_insert_root(&v->cs, S_SPARE, c.obj, all & ~r, c.badge) != E_OK) {
			ktest_fail_at(__FILE__, __LINE__, "no spare slot");
			break;
		}
		uint64_t x = hi ? (a[i] & 0xffffffffull) | (uint64_t)S_SPARE << 32 :
			     d->kind == SA_SLOTS2 ? (a[i] & ~0xffffffffull) | S_SPARE : S_SPARE;
		uint64_t b[6];
		memcpy(b, a, sizeof(b));
		b[i] = x;
		expect_call(nr, b, E_PERM, "right removed", r);
		cap_delete(&v->cs, S_SPARE);
	}
	kobj_put(c.obj);
}

/* Bad values of the other kinds: {call, argument, value, error}. */
struct bad {
	uint8_t nr, arg;
	uint64_t x;
	kerr_t want;
};

static const struct bad bad_values[] = {
	/* pointers and lengths */
	{ SYS_DEBUG_PRINT, 0, 0, E_RANGE },
	{ SYS_DEBUG_PRINT, 0, 8, E_RANGE },
	{ SYS_DEBUG_PRINT, 0, USER_BASE - 1, E_RANGE },
	{ SYS_DEBUG_PRINT, 0, 0xffffffff80100000ull, E_RANGE },
	{ SYS_DEBUG_PRINT, 0, 0xffff800000000000ull, E_RANGE },
	{ SYS_DEBUG_PRINT, 0, 0x0000800000000000ull, E_RANGE },
	{ SYS_DEBUG_PRINT, 0, USER_TOP - 2, E_RANGE },
	{ SYS_DEBUG_PRINT, 0, 0xfffffffffffffffeull, E_RANGE },
	{ SYS_DEBUG_PRINT, 0, 0x500000, E_FAULT },
	{ SYS_DEBUG_PRINT, 0, DATA_VA + PAGE_SIZE - 2, E_FAULT },
	{ SYS_DEBUG_PRINT, 1, MNOS_DEBUG_PRINT_MAX + 1, E_INVAL },
	{ SYS_DEBUG_PRINT, 1, 1ull << 32, E_INVAL },
	{ SYS_DEBUG_PRINT, 1, UINT64_MAX, E_INVAL },
	{ SYS_SYSTEM_INFO, 1, 0, E_INVAL },
	{ SYS_SYSTEM_INFO, 1, MNOS_SYSINFO_MIN_SIZE - 1, E_INVAL },
	{ SYS_SYSTEM_INFO, 1, 1ull << 63, E_RANGE },    /* DATA_VA + that leaves user space */
	{ SYS_SYSTEM_INFO, 1, UINT64_MAX, E_RANGE },    /* wraps */
	{ SYS_SYSTEM_INFO, 0, 0, E_RANGE },
	{ SYS_SYSTEM_INFO, 0, USER_BASE - 8, E_RANGE },
	{ SYS_SYSTEM_INFO, 0, 0xffffffff80100000ull, E_RANGE },
	{ SYS_SYSTEM_INFO, 0, 0x0000800000000000ull, E_RANGE },
	{ SYS_SYSTEM_INFO, 0, USER_TOP - 8, E_RANGE },
	{ SYS_SYSTEM_INFO, 0, UINT64_MAX - 7, E_RANGE },
	{ SYS_SYSTEM_INFO, 0, 0x500000, E_FAULT },      /* not mapped */
	{ SYS_SYSTEM_INFO, 0, CODE_VA, E_FAULT },       /* mapped, not writable */
	{ SYS_SYSTEM_INFO, 0, DATA_VA + PAGE_SIZE - 16, E_FAULT },     /* runs off */
	/* rights masks */
	{ SYS_CAP_COPY, 3, 1ull << 32, E_INVAL },
	{ SYS_CAP_COPY, 3, UINT64_MAX, E_INVAL },
	{ SYS_CAP_MINT, 2, 1ull << 63, E_INVAL },
	{ SYS_MEM_MAP, 3, CAP_R_READ | 1ull << 40, E_INVAL },
	{ SYS_MEM_MAP, 3, 0, E_INVAL },
	{ SYS_MEM_MAP, 3, CAP_R_WRITE, E_INVAL },
	{ SYS_MEM_MAP, 3, CAP_R_READ | CAP_R_WRITE | CAP_R_EXEC, E_INVAL },
	{ SYS_MEM_MAP, 3, CAP_R_READ | CAP_R_DERIVE, E_INVAL },
	/* objects */
	{ SYS_OBJ_CREATE, 0, MNOS_OBJ_NONE, E_INVAL },
	{ SYS_OBJ_CREATE, 0, MNOS_OBJ_THREAD, E_INVAL },
	{ SYS_OBJ_CREATE, 0, MNOS_OBJ_IRQ, E_INVAL },
	{ SYS_OBJ_CREATE, 0, MNOS_OBJ_IOPORT, E_INVAL },
	{ SYS_OBJ_CREATE, 0, MNOS_OBJ_TYPES, E_INVAL },
	{ SYS_OBJ_CREATE, 0, MNOS_OBJ_ENDPOINT | 1ull << 32, E_INVAL },
	{ SYS_OBJ_CREATE, 0, UINT64_MAX, E_INVAL },
	{ SYS_OBJ_CREATE, 2, 1, E_INVAL },             /* an endpoint takes no arguments */
	{ SYS_OBJ_CREATE, 3, 1, E_INVAL },
	/* messages */
	{ SYS_EP_SEND, 1, IPC_MAX_WORDS + 1, E_INVAL },
	{ SYS_EP_SEND, 1, 5, E_INVAL },                /* long, and no IPC buffer */
	{ SYS_EP_SEND, 1, 1u << IPC_NCAPS_SHIFT, E_INVAL },
	{ SYS_EP_SEND, 1, 1u << IPC_RESERVED_SHIFT, E_INVAL },
	{ SYS_EP_SEND, 1, 2u << IPC_RESERVED_SHIFT, E_INVAL },
	{ SYS_EP_NBSEND, 1, 7u << IPC_NCAPS_SHIFT, E_INVAL },
	{ SYS_EP_CALL, 1, 127, E_INVAL },
	{ SYS_EP_CALL, 1, 1u << IPC_RESERVED_SHIFT, E_INVAL },
	{ SYS_EP_REPLY, 1, IPC_MAX_WORDS + 1, E_INVAL },
	{ SYS_EP_REPLY_RECV, 1, 5u << IPC_NCAPS_SHIFT, E_INVAL },
	{ SYS_EP_REPLY_RECV, 1, 3u << IPC_RESERVED_SHIFT, E_INVAL },
	{ SYS_EP_RECV, 2, IPC_POLL, E_WOULD_BLOCK },    /* nobody sends */
	{ SYS_EP_NBSEND, 1, 0, E_WOULD_BLOCK },         /* nobody receives */
	{ SYS_EP_REPLY, 1, 0, E_NOT_FOUND },            /* nobody called */
	{ SYS_NOTIFY_SIGNAL, 1, 0, E_INVAL },
	{ SYS_IRQ_BIND, 2, 0, E_INVAL },
	/* addresses */
	{ SYS_MEM_MAP, 2, MAP_VA + 1, E_INVAL },
	{ SYS_MEM_MAP, 2, MAP_VA + 0x800, E_INVAL },
	{ SYS_MEM_MAP, 2, 0, E_RANGE },
	{ SYS_MEM_MAP, 2, USER_TOP, E_RANGE },
	{ SYS_MEM_MAP, 2, 0xffff800000000000ull, E_RANGE },
	{ SYS_MEM_MAP, 2, 0x0000800000000000ull, E_RANGE },
	{ SYS_MEM_MAP, 2, 0xfffffffffffff000ull, E_RANGE },
	{ SYS_MEM_MAP, 2, DATA_VA, E_EXISTS },
	{ SYS_MEM_MAP_PAGES, 3, CAP_R_WRITE, E_INVAL },
	{ SYS_MEM_MAP_PAGES, 3, CAP_R_READ | CAP_R_WRITE | CAP_R_EXEC, E_INVAL },
	{ SYS_MEM_MAP_PAGES, 2, MAP_VA + 0x800, E_INVAL },
	{ SYS_MEM_MAP_PAGES, 2, 0, E_RANGE },
	{ SYS_MEM_MAP_PAGES, 2, USER_TOP, E_RANGE },
	{ SYS_MEM_MAP_PAGES, 2, DATA_VA, E_EXISTS },
	{ SYS_MEM_MAP_PAGES, 5, 0, E_INVAL },           /* no pages */
	{ SYS_MEM_MAP_PAGES, 5, 2, E_RANGE },           /* S_MEM has one */
	{ SYS_MEM_MAP_PAGES, 5, UINT64_MAX, E_RANGE },
	{ SYS_MEM_MAP_PAGES, 4, 1, E_RANGE },
	{ SYS_MEM_MAP_PAGES, 4, UINT64_MAX, E_RANGE },  /* first + npages wraps */
	{ SYS_MEM_UNMAP, 1, DATA_VA + 8, E_INVAL },
	{ SYS_MEM_UNMAP, 1, MAP_VA, E_NOT_FOUND },
	{ SYS_MEM_UNMAP, 1, 0xffffffff80000000ull, E_NOT_FOUND },
	{ SYS_THREAD_CREATE, 2, 0, E_RANGE },
	{ SYS_THREAD_CREATE, 2, 0xffffffff80100000ull, E_RANGE },
	{ SYS_THREAD_CREATE, 2, 0x0000800000000000ull, E_RANGE },
	{ SYS_THREAD_CREATE, 2, USER_TOP, E_RANGE },
	{ SYS_THREAD_CREATE, 3, DATA_VA + 8, E_INVAL },
	{ SYS_THREAD_CREATE, 3, 0, E_RANGE },
	{ SYS_THREAD_CREATE, 3, USER_TOP + 16, E_RANGE },
	{ SYS_THREAD_CREATE, 3, 0xffff800000001000ull, E_RANGE },
	{ SYS_IPC_BUFFER_SET, 0, BUF_VA + 8, E_INVAL },
	{ SYS_IPC_BUFFER_SET, 0, 0, E_RANGE },
	{ SYS_IPC_BUFFER_SET, 0, USER_TOP, E_RANGE },
	{ SYS_IPC_BUFFER_SET, 0, 0xffff800000000000ull, E_RANGE },
	{ SYS_IPC_BUFFER_SET, 0, 0x0000800000000000ull, E_RANGE },
	{ SYS_IPC_BUFFER_SET, 0, DATA_VA, E_EXISTS },
	/* ports */
	{ SYS_IOPORT_IN, 2, 0, E_INVAL },
	{ SYS_IOPORT_IN, 2, 3, E_INVAL },
	{ SYS_IOPORT_IN, 2, 8, E_INVAL },
	{ SYS_IOPORT_IN, 2, (1ull << 32) | 1, E_INVAL },
	{ SYS_IOPORT_IN, 1, 0x10000, E_RANGE },
	{ SYS_IOPORT_IN, 1, (1ull << 32) | CMOS_INDEX, E_RANGE },
	{ SYS_IOPORT_IN, 1, 0x80, E_RANGE },
	{ SYS_IOPORT_IN, 1, CMOS_DATA + 1, E_RANGE },
	{ SYS_IOPORT_OUT, 2, 2, E_RANGE },              /* 0x70..0x71 fits, see below */
	{ SYS_IOPORT_OUT, 1, CMOS_INDEX - 1, E_RANGE },
	{ SYS_IOPORT_OUT, 2, 16, E_INVAL },
	{ SYS_IOPORT_OUT, 1, 0xffffffffffff0070ull, E_RANGE },
};

/* Everything wrong about every call, from a thread of the process. */
static void sweep(void *arg)
{
	struct env *v = arg;

	sysenv_calls = 0;
	KT_ASSERT(thread_cap_self(v, S_THREAD));
	struct counts before = counts_now(v);

	for (unsigned nr = 0; nr < SYS_COUNT; nr++) {
		const struct sys_desc *d = &syscall_descs[nr];
		for (unsigned i = 0; i < d->nargs; i++) {
			uint8_t k = d->args[i].kind;
			if (k != SA_SLOT && k != SA_SLOTS2 && k != SA_PROC)
				continue;
			sweep_slot_values(v, nr, i);
			sweep_rights(v, nr, i, false);
			if (k == SA_SLOTS2)
				sweep_rights(v, nr, i, true);
		}
	}
	for (size_t n = 0; n < ARRAY_SIZE(bad_values); n++) {
		const struct bad *b = &bad_values[n];
		uint64_t a[6];
		valid_args(b->nr, a);
		/* ioport_out's width 2 at the last port runs past the range */
		if (b->nr == SYS_IOPORT_OUT && b->arg == 2 && b->x == 2)
			a[1] = CMOS_DATA;
		a[b->arg] = b->x;
		expect_call(b->nr, a, b->want, "value", b->x);
	}
	/* Unknown numbers, however large, and a valid number with high bits set. */
	static const uint64_t unknown[] = {
		SYS_COUNT, SYS_COUNT + 1, 255, 0xffff, 1ull << 32, (1ull << 32) | SYS_EP_CALL,
		(1ull << 63) | SYS_CLOCK, 1ull << 63, UINT64_MAX, UINT64_MAX - 1,
	};
	for (size_t n = 0; n < ARRAY_SIZE(unknown); n++)
		KT_EXPECT_EQ(sysenv_call(unknown[n], A(S_EP, 1, 2, 3, 4, 5), NULL), E_NOSYS);

	/* A thread capability's IPC wait to cancel: there is none. */
	KT_EXPECT_EQ(C(SYS_THREAD_CANCEL_IPC, S_THREAD), E_NOT_FOUND);
	expect_counts(before, counts_now(v), "the sweep");
	KT_EXPECT(cap_tree_check((struct cspace *const[]){ &v->cs, v->other->cspace }, 2));
	KT_EXPECT(sysenv_calls > 2000);
	cap_delete(&v->cs, S_THREAD);
}

KTEST(syscall, every_bad_argument_is_its_documented_error_and_changes_nothing)
{
	sysenv_run(sweep, NULL, "the sweep");
}

/* ---- happy paths ---- */

static void misc_and_caps(void *arg)
{
	struct env *v = arg;
	struct syscall_frame f;
	uint64_t bits;

	memcpy(v->data, "# syscall test\n", 15);
	KT_EXPECT_EQ(C(SYS_DEBUG_PRINT, DATA_VA, 15), E_OK);
	KT_EXPECT_EQ(C(SYS_DEBUG_PRINT, DATA_VA, 0), E_OK);
	KT_EXPECT_EQ(C(SYS_YIELD), E_OK);
	KT_EXPECT_EQ(sysenv_call(SYS_CLOCK, A(0), &f), E_OK);
	uint64_t t0 = f.rdi;
	KT_EXPECT(t0 > 0 && t0 <= clock_ns());
	KT_EXPECT_EQ(C(SYS_SLEEP, 2000000), E_OK);
	KT_EXPECT(clock_ns() >= t0 + 2000000);
	KT_EXPECT_EQ(C(SYS_SLEEP, 0), E_OK);

	/* copy (fewer rights), mint (a badge), move, revoke, delete */
	KT_EXPECT_EQ(C(SYS_CAP_COPY, S_NOTIF, 0, S_FREE, CAP_R_SIGNAL), E_OK);
	KT_EXPECT_EQ(C(SYS_NOTIFY_POLL, S_FREE), E_PERM);       /* no WAIT in the copy */
	KT_EXPECT_EQ(C(SYS_NOTIFY_SIGNAL, S_FREE, 0x10), E_OK);
	KT_EXPECT_EQ(sysenv_call(SYS_NOTIFY_POLL, A(S_NOTIF), &f), E_OK);
	KT_EXPECT_EQ(f.rdi, 0x10);
	KT_EXPECT_EQ(C(SYS_CAP_MINT, S_NOTIF, S_FREE + 1, CAP_R_SIGNAL, 0x300), E_OK);
	KT_EXPECT_EQ(C(SYS_NOTIFY_SIGNAL, S_FREE + 1, 1), E_OK);        /* ORs its badge */
	KT_EXPECT_EQ(sysenv_call(SYS_NOTIFY_WAIT, A(S_NOTIF), &f), E_OK);
	KT_EXPECT_EQ(f.rdi, 0x300);
	KT_EXPECT_EQ(sysenv_call(SYS_NOTIFY_POLL, A(S_NOTIF), &f), E_OK);
	KT_EXPECT_EQ(f.rdi, 0);
	KT_EXPECT_EQ(C(SYS_CAP_MINT, S_FREE + 1, S_FREE + 2, CAP_R_ALL, 1), E_PERM);
	KT_EXPECT_EQ(C(SYS_CAP_MOVE, S_FREE + 1, S_FREE + 3), E_OK);
	KT_EXPECT_EQ(C(SYS_NOTIFY_SIGNAL, S_FREE + 1, 1), E_NOT_FOUND);
	KT_EXPECT_EQ(C(SYS_NOTIFY_SIGNAL, S_FREE + 3, 1), E_OK);
	KT_EXPECT_EQ(C(SYS_NOTIFY_POLL, S_NOTIF), E_OK);
	uint64_t caps = cap_count();
	KT_EXPECT_EQ(C(SYS_CAP_REVOKE, S_NOTIF), E_OK);         /* both derived ones go */
	KT_EXPECT_EQ(cap_count(), caps - 2);
	KT_EXPECT_EQ(C(SYS_NOTIFY_SIGNAL, S_FREE, 1), E_NOT_FOUND);
	KT_EXPECT_EQ(C(SYS_CAP_COPY, S_NOTIF, 0, S_FREE, CAP_R_ALL), E_OK);
	KT_EXPECT_EQ(C(SYS_CAP_DELETE, S_FREE), E_OK);
	KT_EXPECT_EQ(cap_count(), caps - 2);

	/* into another process, through its capability */
	KT_EXPECT_EQ(C(SYS_CAP_COPY, S_NOTIF, S_PROC, 1, CAP_R_WAIT), E_OK);
	KT_EXPECT_EQ(notify_signal(&v->cs, S_NOTIF, 4), E_OK);
	KT_EXPECT_EQ(notify_poll(v->other->cspace, 1, &bits), E_OK);
	KT_EXPECT_EQ(bits, 4);
	KT_EXPECT_EQ(cap_delete(v->other->cspace, 1), E_OK);

	/* objects of each kind, and each works */
	KT_EXPECT_EQ(C(SYS_OBJ_CREATE, MNOS_OBJ_NOTIFICATION, S_FREE), E_OK);
	KT_EXPECT_EQ(C(SYS_NOTIFY_SIGNAL, S_FREE, 2), E_OK);
	KT_EXPECT_EQ(sysenv_call(SYS_NOTIFY_POLL, A(S_FREE), &f), E_OK);
	KT_EXPECT_EQ(f.rdi, 2);
	KT_EXPECT_EQ(C(SYS_OBJ_CREATE, MNOS_OBJ_ENDPOINT, S_FREE + 1), E_OK);
	KT_EXPECT_EQ(C(SYS_EP_NBSEND, S_FREE + 1, 0), E_WOULD_BLOCK);
	KT_EXPECT_EQ(C(SYS_OBJ_CREATE, MNOS_OBJ_REPLY, S_FREE + 2), E_OK);
	KT_EXPECT_EQ(C(SYS_EP_REPLY, S_FREE + 2, 0), E_NOT_FOUND);
	KT_EXPECT_EQ(C(SYS_OBJ_CREATE, MNOS_OBJ_MEMORY, S_FREE + 3, 3), E_OK);
	KT_EXPECT_EQ(C(SYS_MEM_MAP, S_FREE + 3, 0, MAP_VA, CAP_R_READ | CAP_R_WRITE), E_OK);
	KT_EXPECT(sysenv_page(v->p, MAP_VA + 2 * PAGE_SIZE) != NULL);
	KT_EXPECT_EQ(C(SYS_OBJ_CREATE, MNOS_OBJ_MEMORY, S_FREE + 4, MNOS_MEMOBJ_MAX_PAGES),
		     E_NO_MEMORY);
	KT_EXPECT_EQ(C(SYS_OBJ_CREATE, MNOS_OBJ_ENDPOINT, S_FREE), E_EXISTS);
	KT_EXPECT_EQ(C(SYS_MEM_UNMAP, 0, MAP_VA), E_OK);
	KT_EXPECT(sysenv_page(v->p, MAP_VA) == NULL);
	KT_EXPECT_EQ(C(SYS_MEM_UNMAP, 0, MAP_VA), E_NOT_FOUND);
	/* Its last two pages only, read-only: the third page at MAP_VA + PAGE_SIZE. */
	KT_EXPECT_EQ(C(SYS_MEM_MAP_PAGES, S_FREE + 3, 0, MAP_VA, CAP_R_READ, 1, 2), E_OK);
	KT_EXPECT(sysenv_page(v->p, MAP_VA + PAGE_SIZE) != NULL);
	KT_EXPECT(sysenv_page(v->p, MAP_VA + 2 * PAGE_SIZE) == NULL);
	KT_EXPECT_EQ(C(SYS_MEM_UNMAP, 0, MAP_VA), E_OK);
	KT_EXPECT(sysenv_page(v->p, MAP_VA) == NULL);
	for (uint32_t s = S_FREE; s <= S_FREE + 3; s++)
		KT_EXPECT_EQ(C(SYS_CAP_DELETE, s), E_OK);

	/* a mapping in another process; revoking an ancestor of the capability it was
	 * made through unmaps it */
	KT_EXPECT_EQ(C(SYS_CAP_COPY, S_MEM, 0, S_FREE, CAP_R_ALL), E_OK);
	KT_EXPECT_EQ(C(SYS_MEM_MAP, S_FREE, S_PROC, MAP_VA, CAP_R_READ), E_OK);
	KT_EXPECT(sysenv_page(v->other, MAP_VA) != NULL);
	KT_EXPECT_EQ(C(SYS_CAP_REVOKE, S_MEM), E_OK);
	KT_EXPECT(sysenv_page(v->other, MAP_VA) == NULL);
	KT_EXPECT_EQ(C(SYS_CAP_DELETE, S_FREE), E_NOT_FOUND);  /* revoked too */
	KT_EXPECT_EQ(C(SYS_MEM_UNMAP, S_PROC, MAP_VA), E_NOT_FOUND);
	KT_EXPECT_EQ(C(SYS_MEM_MAP, S_MEM, S_PROC, MAP_VA, CAP_R_READ), E_OK);
	KT_EXPECT_EQ(C(SYS_MEM_UNMAP, S_PROC, MAP_VA), E_OK);
	KT_EXPECT(sysenv_page(v->other, MAP_VA) == NULL);

	/* the fault notification of a process */
	KT_EXPECT_EQ(C(SYS_PROC_SET_FAULT, S_PROC, S_NOTIF), E_OK);
	KT_EXPECT(v->other->fault_notify != NULL);
	KT_EXPECT_EQ(C(SYS_PROC_SET_FAULT, S_PROC, 0), E_OK);
	KT_EXPECT(v->other->fault_notify == NULL);
	KT_EXPECT_EQ(C(SYS_PROC_SET_FAULT, 0, S_NOTIF), E_OK);
	KT_EXPECT(v->p->fault_notify != NULL);
	KT_EXPECT_EQ(C(SYS_PROC_SET_FAULT, 0, 0), E_OK);

	/* what a capability is: its type, rights (what obj_create gave, what cap_mint
	 * kept) and badge */
	KT_EXPECT_EQ(sysenv_call(SYS_CAP_IDENTIFY, A(S_EP), &f), E_OK);
	KT_EXPECT_EQ(f.rdi, MNOS_OBJ_ENDPOINT);
	KT_EXPECT_EQ(f.rsi, MNOS_RIGHTS_ENDPOINT);
	KT_EXPECT_EQ(f.rdx, 0);
	KT_EXPECT_EQ(sysenv_call(SYS_CAP_IDENTIFY, A(S_BADGED), &f), E_OK);
	KT_EXPECT_EQ(f.rdx, 0x77);
	KT_EXPECT_EQ(C(SYS_OBJ_CREATE, MNOS_OBJ_NOTIFICATION, S_FREE), E_OK);
	KT_EXPECT_EQ(C(SYS_CAP_MINT, S_FREE, S_FREE + 1, CAP_R_SIGNAL | CAP_R_GRANT, 0x5a5),
		     E_OK);
	KT_EXPECT_EQ(sysenv_call(SYS_CAP_IDENTIFY, A(S_FREE), &f), E_OK);
	KT_EXPECT_EQ(f.rdi, MNOS_OBJ_NOTIFICATION);
	KT_EXPECT_EQ(f.rsi, MNOS_RIGHTS_NOTIFICATION);
	KT_EXPECT_EQ(sysenv_call(SYS_CAP_IDENTIFY, A(S_FREE + 1), &f), E_OK);
	KT_EXPECT_EQ(f.rdi, MNOS_OBJ_NOTIFICATION);
	KT_EXPECT_EQ(f.rsi, CAP_R_SIGNAL | CAP_R_GRANT);
	KT_EXPECT_EQ(f.rdx, 0x5a5);
	KT_EXPECT_EQ(sysenv_call(SYS_CAP_IDENTIFY, A(S_PROC), &f), E_OK);
	KT_EXPECT_EQ(f.rdi, MNOS_OBJ_PROCESS);
	KT_EXPECT_EQ(sysenv_call(SYS_CAP_IDENTIFY, A(S_SPARE), &f), E_NOT_FOUND);
	KT_EXPECT_EQ(C(SYS_CAP_DELETE, S_FREE + 1), E_OK);
	KT_EXPECT_EQ(C(SYS_CAP_IDENTIFY, S_FREE + 1), E_NOT_FOUND);
	KT_EXPECT_EQ(C(SYS_CAP_DELETE, S_FREE), E_OK);

	/* system information: sane figures, and only the kernel's layout is written */
	struct mnos_sysinfo *si = (struct mnos_sysinfo *)v->data;
	memset(v->data, 0xee, PAGE_SIZE);
	KT_EXPECT_EQ(C(SYS_SYSTEM_INFO, DATA_VA, sizeof(*si) + 64), E_OK);
	KT_EXPECT_EQ(si->version, MNOS_SYSINFO_VERSION);
	KT_EXPECT_EQ(si->size, sizeof(*si));
	KT_EXPECT_EQ(((uint8_t *)v->data)[sizeof(*si)], 0xee);
	KT_EXPECT_EQ(((uint8_t *)v->data)[sizeof(*si) + 63], 0xee);
	KT_EXPECT(strcmp(si->kernel, "MinimalOS") == 0);
	KT_EXPECT(strcmp(si->release, MNOS_VERSION) == 0);
	KT_EXPECT(strcmp(si->build, MNOS_GIT_REV) == 0);
	KT_EXPECT(strcmp(si->machine, "x86_64") == 0);
	KT_EXPECT(si->uptime_ns > 0 && si->uptime_ns <= clock_ns());
	KT_EXPECT(si->tsc_hz > 1000000);
	KT_EXPECT_EQ(si->cpus_online, sched_cpu_count());
	KT_EXPECT(si->mem_total == pmm_get_stats().total * PAGE_SIZE);
	KT_EXPECT(si->mem_free > 0 && si->mem_free <= si->mem_total);
	KT_EXPECT(si->heap_in_use > 0 && si->heap_in_use <= si->heap_held);
	KT_EXPECT(si->threads >= 2 && si->threads <= thread_count() + 8);
	KT_EXPECT(si->processes >= 2);
	KT_EXPECT_EQ(si->reserved, 0);
	/* The count then (other CPUs may have sent a few since; with one CPU it is 0: the
	 * ring-3 torture checks that it grows). */
	uint64_t shot = vmm_shootdown_count();
	KT_EXPECT(si->tlb_shootdowns <= shot && shot - si->tlb_shootdowns <= 8);
	uint64_t up = si->uptime_ns;
	KT_EXPECT_EQ(C(SYS_SLEEP, 1000000), E_OK);
	memset(v->data, 0xee, PAGE_SIZE);
	KT_EXPECT_EQ(C(SYS_SYSTEM_INFO, DATA_VA + 8, MNOS_SYSINFO_MIN_SIZE), E_OK);
	si = (struct mnos_sysinfo *)((uint8_t *)v->data + 8);
	KT_EXPECT(si->uptime_ns >= up + 1000000);
	KT_EXPECT_EQ(si->size, MNOS_SYSINFO_MIN_SIZE);
	KT_EXPECT_EQ(v->data[0], 0xeeeeeeeeeeeeeeeeull);        /* before buf: untouched */
	/* ends on the last byte of the page */
	KT_EXPECT_EQ(C(SYS_SYSTEM_INFO, DATA_VA + PAGE_SIZE - sizeof(*si), sizeof(*si)), E_OK);

	/* the IPC buffer */
	KT_EXPECT_EQ(C(SYS_IPC_BUFFER_SET, BUF_VA), E_OK);
	KT_EXPECT(thread_current()->ipc_buf != NULL);
	KT_EXPECT_EQ(C(SYS_IPC_BUFFER_SET, BUF_VA + PAGE_SIZE), E_EXISTS);
}

KTEST(syscall, misc_capability_object_memory_calls_work)
{
	sysenv_run(misc_and_caps, NULL, "the happy paths");
}

/* A process: its own capability space, a quota carved from the creator's and paid back
 * whole when it goes. */
static void processes(void *arg)
{
	struct env *v = arg;
	uint64_t used = v->q.used, procs = process_count();

	KT_EXPECT_EQ(C(SYS_OBJ_CREATE, MNOS_OBJ_PROCESS, S_FREE, 1, 4096), E_INVAL);
	KT_EXPECT_EQ(C(SYS_OBJ_CREATE, MNOS_OBJ_PROCESS, S_FREE, CSPACE_MAX_SLOTS + 1, 4096),
		     E_INVAL);
	KT_EXPECT_EQ(C(SYS_OBJ_CREATE, MNOS_OBJ_PROCESS, S_FREE, 8, UINT64_MAX), E_NO_MEMORY);
	KT_EXPECT_EQ(C(SYS_OBJ_CREATE, MNOS_OBJ_PROCESS, S_FREE, 8, v->q.limit), E_NO_MEMORY);
	/* A quota too small for its own slots. */
	KT_EXPECT_EQ(C(SYS_OBJ_CREATE, MNOS_OBJ_PROCESS, S_FREE, 64, 256), E_NO_MEMORY);
	KT_EXPECT_EQ(v->q.used, used);
	KT_EXPECT_EQ(process_count(), procs);

	KT_ASSERT_EQ(C(SYS_OBJ_CREATE, MNOS_OBJ_PROCESS, S_FREE, 16, 1 << 16), E_OK);
	KT_EXPECT_EQ(process_count(), procs + 1);
	KT_EXPECT(v->q.used >= used + (1 << 16) + MNOS_PROCESS_OVERHEAD);
	uint64_t charged = v->q.used;
	/* Capabilities and a mapping put into it through its capability, and a thread. */
	KT_EXPECT_EQ(C(SYS_CAP_COPY, S_EP, S_FREE, 15, CAP_R_SEND), E_OK);
	KT_EXPECT_EQ(C(SYS_CAP_COPY, S_EP, S_FREE, 16, CAP_R_SEND), E_RANGE);
	KT_EXPECT_EQ(C(SYS_MEM_MAP, S_MEM, S_FREE, CODE_VA, CAP_R_READ), E_OK);
	KT_EXPECT_EQ(C(SYS_CAP_COPY, S_CODE, S_FREE, 1, CAP_R_READ | CAP_R_EXEC), E_OK);
	KT_EXPECT(v->q.used > charged);                 /* the mapping's record */
	KT_EXPECT_EQ(C(SYS_CAP_DELETE, S_FREE), E_OK);
	KT_EXPECT_EQ(process_count(), procs);
	KT_EXPECT_EQ(v->q.used, used);
}

KTEST(syscall, process_creation_carves_and_returns_quota)
{
	sysenv_run(processes, NULL, "processes");
}

/* ---- IPC through the dispatch ---- */

struct ipc_ctx {
	struct env *v;
	uint64_t got[3][7];             /* server: rax, badge, info, w0..w3 per receive */
	kerr_t cancelled;
};

static void record(uint64_t *out, kerr_t e, const struct syscall_frame *f)
{
	out[0] = e;
	memcpy(&out[1], &f->rdi, 6 * sizeof(uint64_t));
}

/* Receive a call, answer it and receive again (reply_recv), then a send. */
static void server(void *arg)
{
	struct ipc_ctx *c = arg;
	struct syscall_frame f;
	kerr_t e;

	e = sysenv_call(SYS_EP_RECV, A(S_EP, S_REPLY, IPC_FOREVER), &f);
	record(c->got[0], e, &f);
	e = sysenv_call(SYS_EP_REPLY_RECV, A(S_EP | (uint64_t)S_REPLY << 32, ipc_info(6, 4, 0),
				      f.rdx * 10, f.r10 * 10, f.r8 * 10, f.r9 * 10), &f);
	record(c->got[1], e, &f);
}

/* Wait for a notification until cancelled. */
static void waiter(void *arg)
{
	struct ipc_ctx *c = arg;

	c->cancelled = C(SYS_NOTIFY_WAIT, S_NOTIF);
}

static void ipc_client(void *arg)
{
	struct ipc_ctx *c = arg;
	struct env *v = c->v;
	struct syscall_frame f;

	/* Nobody there: polls fail, a timeout runs out. */
	KT_EXPECT_EQ(C(SYS_EP_RECV, S_EP, 0, IPC_POLL), E_WOULD_BLOCK);
	uint64_t t0 = clock_ns();
	KT_EXPECT_EQ(C(SYS_EP_RECV, S_EP, 0, 1000000), E_TIMEOUT);
	KT_EXPECT(clock_ns() >= t0 + 1000000);
	KT_EXPECT_EQ(C(SYS_EP_NBSEND, S_EP, 0), E_WOULD_BLOCK);

	struct thread *s = thread_create(v->p, "server", server, c, PRIO_DEFAULT, AFFINITY_ALL);
	KT_ASSERT(s != NULL);
	KT_EXPECT_EQ(sysenv_call(SYS_EP_CALL, A(S_BADGED, ipc_info(5, 4, 0), 1, 2, 3, 4), &f), E_OK);
	KT_EXPECT_EQ(ipc_label(f.rsi), 6);
	KT_EXPECT_EQ(ipc_len(f.rsi), 4);
	KT_EXPECT_EQ(f.rdx, 10);
	KT_EXPECT_EQ(f.r10, 20);
	KT_EXPECT_EQ(f.r8, 30);
	KT_EXPECT_EQ(f.r9, 40);
	KT_EXPECT_EQ(f.rdi, 0);                 /* a call's answer carries no badge */
	/* The server waits in reply_recv: a plain send reaches it. */
	KT_EXPECT_EQ(C(SYS_EP_SEND, S_EP, ipc_info(9, 1, 0), 99), E_OK);
	thread_join(s);
	KT_EXPECT_EQ(c->got[0][0], E_OK);
	KT_EXPECT_EQ(c->got[0][1], 0x77);       /* the badge of the capability used */
	KT_EXPECT_EQ(ipc_label(c->got[0][2]), 5);
	KT_EXPECT_EQ(c->got[0][3], 1);
	KT_EXPECT_EQ(c->got[0][6], 4);
	KT_EXPECT_EQ(c->got[1][0], E_OK);
	KT_EXPECT_EQ(c->got[1][1], 0);          /* unbadged */
	KT_EXPECT_EQ(ipc_label(c->got[1][2]), 9);
	KT_EXPECT_EQ(ipc_len(c->got[1][2]), 1);
	KT_EXPECT_EQ(c->got[1][3], 99);
	KT_EXPECT_EQ(C(SYS_EP_REPLY, S_REPLY, 0), E_NOT_FOUND); /* a send binds no caller */

	/* Cancel a notification wait through a thread capability. */
	struct thread *w = thread_create(v->p, "waiter", waiter, c, PRIO_DEFAULT, AFFINITY_ALL);
	struct kobj *o;
	KT_ASSERT(w != NULL);
	KT_ASSERT_EQ(thread_obj_create(&v->q, w, &o), E_OK);
	KT_ASSERT(give_cap(&v->cs, S_FREE, o));
	uint64_t end = clock_ns() + 1000000000ull;
	kerr_t e;
	while ((e = C(SYS_THREAD_CANCEL_IPC, S_FREE)) == E_NOT_FOUND && clock_ns() < end)
		sched_sleep_ns(100000);
	KT_EXPECT_EQ(e, E_OK);
	thread_join(w);
	KT_EXPECT_EQ(c->cancelled, E_CANCELED);
	KT_EXPECT_EQ(C(SYS_CAP_DELETE, S_FREE), E_OK);
}

KTEST(syscall, ipc_calls_carry_messages_and_badges_in_registers)
{
	static struct ipc_ctx c;

	memset(&c, 0, sizeof(c));
	c.v = &sysenv;
	sysenv_run(ipc_client, &c, "IPC");
}

/* ---- hardware ---- */

static void hardware(void *arg)
{
	struct env *v = arg;
	struct syscall_frame f;

	/* The RTC's register A through the port capability: written, read back. */
	KT_EXPECT_EQ(C(SYS_IOPORT_OUT, S_PORTS, CMOS_INDEX, 1, RTC_A), E_OK);
	KT_EXPECT_EQ(sysenv_call(SYS_IOPORT_IN, A(S_PORTS, CMOS_DATA, 1), &f), E_OK);
	KT_EXPECT(f.rdi <= 0xff);
	KT_EXPECT_EQ(f.rdi & 0x70, 0x20);       /* the divider every PC sets */
	KT_EXPECT_EQ(C(SYS_IOPORT_IN, S_PORTS, CMOS_INDEX, 2), E_OK);   /* both ports */

	KT_EXPECT_EQ(C(SYS_IRQ_BIND, S_IRQ, S_NOTIF, 0x40), E_OK);
	KT_EXPECT(v->irq->notif != NULL);
	KT_EXPECT_EQ(C(SYS_IRQ_ACK, S_IRQ), E_OK);
	KT_EXPECT_EQ(C(SYS_IRQ_UNBIND, S_IRQ), E_OK);
	KT_EXPECT(v->irq->notif == NULL);
	KT_EXPECT_EQ(C(SYS_IRQ_UNBIND, S_IRQ), E_OK);
}

KTEST(syscall, irq_and_ioport_calls_work)
{
	sysenv_run(hardware, NULL, "hardware calls");
}

/* ---- threads ---- */

/* A user thread made through the call runs the hello blob at CODE_VA (it writes 0x600d
 * to the data page, prints, exits); its capability outlives it. */
static void threads_ok(void *arg)
{
	struct env *v = arg;
	uint64_t used = v->q.used, threads = thread_count();

	v->data[0] = 0;
	KT_ASSERT_EQ(C(SYS_THREAD_CREATE, 0, S_FREE, CODE_VA, DATA_VA + PAGE_SIZE, DATA_VA),
		     E_OK);
	/* Charged until it is reaped — which on several CPUs can already have happened. */
	KT_EXPECT(v->q.used >= used + MNOS_THREAD_CHARGE ||
		  __atomic_load_n(&v->data[0], __ATOMIC_ACQUIRE) == 0x600d);
	uint64_t end = clock_ns() + 2000000000ull;
	while (__atomic_load_n(&v->data[0], __ATOMIC_ACQUIRE) != 0x600d && clock_ns() < end)
		sched_sleep_ns(100000);
	KT_EXPECT_EQ(v->data[0], 0x600d);
	/* It exits; its charge comes back when it is reaped, the rest with the cap. */
	end = clock_ns() + 2000000000ull;
	while (v->q.used >= used + MNOS_THREAD_CHARGE && clock_ns() < end)
		sched_sleep_ns(100000);
	KT_EXPECT(v->q.used < used + MNOS_THREAD_CHARGE);
	KT_EXPECT_EQ(C(SYS_THREAD_CANCEL_IPC, S_FREE), E_NOT_FOUND);
	KT_EXPECT_EQ(C(SYS_CAP_DELETE, S_FREE), E_OK);
	settle_threads(threads);
	KT_EXPECT_EQ(thread_count(), threads);
	KT_EXPECT_EQ(v->q.used, used);

	/* In another process, through its capability (the code is not mapped there: it
	 * faults at once, which ends just it). */
	KT_ASSERT_EQ(C(SYS_THREAD_CREATE, S_PROC, S_FREE, CODE_VA, DATA_VA, 0), E_OK);
	KT_EXPECT_EQ(C(SYS_CAP_DELETE, S_FREE), E_OK);
	end = clock_ns() + 2000000000ull;
	while (v->q.used != used && clock_ns() < end)
		sched_sleep_ns(100000);
	settle_threads(threads);
	KT_EXPECT_EQ(v->q.used, used);
}

KTEST(syscall, thread_create_starts_a_user_thread)
{
	sysenv_run(threads_ok, NULL, "thread_create");
}

/* thread_set_affinity on the calling thread: pinned to each CPU in turn, it is running
 * there when the call returns; a mask with no online CPU, or a capability without
 * CONTROL, changes nothing. */
static void affinity(void *arg)
{
	struct env *v = arg;
	struct thread *me = thread_current();
	uint64_t online = smp_online_mask();

	KT_ASSERT(thread_cap_self(v, S_THREAD));
	KT_EXPECT_EQ(C(SYS_THREAD_SET_AFFINITY, S_THREAD, 0), E_INVAL);
	if (~online)
		KT_EXPECT_EQ(C(SYS_THREAD_SET_AFFINITY, S_THREAD, ~online), E_INVAL);
	KT_EXPECT_EQ(me->affinity, AFFINITY_ALL);
	KT_ASSERT_EQ(cap_copy(&v->cs, S_THREAD, &v->cs, S_SPARE, CAP_R_ALL & ~CAP_R_CONTROL),
		     E_OK);
	KT_EXPECT_EQ(C(SYS_THREAD_SET_AFFINITY, S_SPARE, 1), E_PERM);
	KT_EXPECT_EQ(C(SYS_THREAD_SET_AFFINITY, S_EP, 1), E_TYPE);
	KT_EXPECT_EQ(me->affinity, AFFINITY_ALL);
	cap_delete(&v->cs, S_SPARE);
	for (unsigned c = sched_cpu_count(); c-- > 0;) {
		KT_EXPECT_EQ(C(SYS_THREAD_SET_AFFINITY, S_THREAD, 1ull << c), E_OK);
		KT_EXPECT_EQ(arch_cpu_id(), c);
		KT_EXPECT_EQ(me->affinity, 1ull << c);
		sched_sleep_ns(100000);                 /* and wakes there */
		KT_EXPECT_EQ(arch_cpu_id(), c);
	}
	/* Offline CPUs' bits are kept with an online one's. */
	KT_EXPECT_EQ(C(SYS_THREAD_SET_AFFINITY, S_THREAD, UINT64_MAX), E_OK);
	KT_EXPECT_EQ(me->affinity, UINT64_MAX);
	cap_delete(&v->cs, S_THREAD);
}

KTEST(syscall, thread_set_affinity_moves_the_thread)
{
	sysenv_run(affinity, NULL, "thread_set_affinity");
}

/*
 * thread_create fails half-way — the thread made, the quota then too short for its
 * capability object, or the destination taken — and leaves nothing: no thread ran,
 * counts, quota and frames as before.
 */
static void thread_atomicity(void *arg)
{
	struct env *v = arg;
	uint64_t limit = v->q.limit;

	v->data[0] = 0;
	struct counts before = counts_now(v);
	/* Room for the thread's charge, not for its capability object. */
	v->q.limit = v->q.used + MNOS_THREAD_CHARGE + 8;
	KT_EXPECT_EQ(C(SYS_THREAD_CREATE, 0, S_FREE, CODE_VA, DATA_VA + PAGE_SIZE, DATA_VA),
		     E_NO_MEMORY);
	/* Not even for the charge. */
	v->q.limit = v->q.used + MNOS_THREAD_CHARGE - 1;
	KT_EXPECT_EQ(C(SYS_THREAD_CREATE, 0, S_FREE, CODE_VA, DATA_VA + PAGE_SIZE, DATA_VA),
		     E_NO_MEMORY);
	v->q.limit = limit;
	/* Every slot full: no destination. */
	for (uint32_t s = S_THREAD; s < SLOTS; s++)
		if (s == S_THREAD || s >= S_FREE)
			KT_ASSERT_EQ(cap_copy(&v->cs, S_EP, &v->cs, s, CAP_R_ALL), E_OK);
	struct counts full = counts_now(v);
	for (uint32_t s = 1; s < SLOTS + 2; s++)
		KT_EXPECT_EQ(C(SYS_THREAD_CREATE, 0, s, CODE_VA, DATA_VA + PAGE_SIZE, DATA_VA),
			     s < SLOTS ? E_EXISTS : E_RANGE);
	expect_counts(full, counts_now(v), "thread_create into a full space");
	cap_delete(&v->cs, S_THREAD);
	for (uint32_t s = S_FREE; s < SLOTS; s++)
		cap_delete(&v->cs, s);
	sched_sleep_ns(20000000);               /* a thread that ran would have written */
	KT_EXPECT_EQ(v->data[0], 0);
	expect_counts(before, counts_now(v), "failed thread_create");
}

KTEST(syscall, thread_create_failure_is_atomic)
{
	sysenv_run(thread_atomicity, NULL, "a failed thread_create");
}
