/*
 * Trap dispatch: exceptions, device interrupts, and catching faults on purpose.
 *
 * An exception in kernel mode is a kernel bug: the report names the exception, decodes
 * the error code (for #PF: present/write/user/fetch and CR2), prints the registers of the
 * faulting context and its backtrace, and panics — unless a fault_catch is armed on this
 * CPU, in which case the trap returns to the catch point instead. An exception in user
 * mode goes to trap_user_exception(), which the thread code overrides to end the thread;
 * until user threads exist it panics too.
 */
#include <arch/trap.h>
#include <arch/cpu.h>
#include <arch/smp.h>
#include <arch/regs.h>
#include <kformat.h>
#include <kstack.h>
#include <log.h>
#include <panic.h>
#include <spinlock.h>
#include <sched.h>
#include <thread.h>
#include <usermode.h>
#include <memobj.h>

static const char *const names[32][2] = {
	{ "#DE", "divide error" }, { "#DB", "debug" }, { "NMI", "non-maskable interrupt" },
	{ "#BP", "breakpoint" }, { "#OF", "overflow" }, { "#BR", "bound range exceeded" },
	{ "#UD", "invalid opcode" }, { "#NM", "device not available" },
	{ "#DF", "double fault" }, { "#CSO", "coprocessor segment overrun" },
	{ "#TS", "invalid TSS" }, { "#NP", "segment not present" },
	{ "#SS", "stack-segment fault" }, { "#GP", "general protection fault" },
	{ "#PF", "page fault" }, { "#15", "reserved" }, { "#MF", "x87 floating-point error" },
	{ "#AC", "alignment check" }, { "#MC", "machine check" },
	{ "#XM", "SIMD floating-point exception" }, { "#VE", "virtualization exception" },
	{ "#CP", "control protection exception" }, { "#22", "reserved" },
	{ "#23", "reserved" }, { "#24", "reserved" }, { "#25", "reserved" },
	{ "#26", "reserved" }, { "#27", "reserved" }, { "#HV", "hypervisor injection" },
	{ "#VC", "VMM communication exception" }, { "#SX", "security exception" },
	{ "#31", "reserved" },
};

const char *exception_name(unsigned v)
{
	return v < 32 ? names[v][1] : "interrupt";
}

const char *exception_mnemonic(unsigned v)
{
	return v < 32 ? names[v][0] : "IRQ";
}

void page_fault_describe(uint64_t e, char *buf, size_t size)
{
	ksnprintf(buf, size, "%s, %s, %s, %s%s%s",
		  e & 1 ? "protection violation" : "not-present page",
		  e & 2 ? "write" : "read",
		  e & 4 ? "user" : "supervisor",
		  e & 16 ? "instruction fetch" : "data access",
		  e & 8 ? ", reserved bit set" : "",
		  e & 32 ? ", protection key" : "");
}

/* ---- catching faults ---- */

/* Armed catches belong to the thread (it may migrate between arming and faulting);
 * before threads exist, to the boot CPU. */
static struct fault_catch *boot_catches;

static struct fault_catch **catch_list(void)
{
	struct thread *t = this_cpu()->current;

	return t ? &t->catches : &boot_catches;
}

void fault_catch_arm(struct fault_catch *c);

void fault_catch_arm(struct fault_catch *c)
{
	struct fault_catch **list = catch_list();

	c->vector = c->error = c->cr2 = c->fault_rip = 0;
	c->no_memory = false;
	c->prev = *list;
	*list = c;
}

void fault_catch_end(struct fault_catch *c)
{
	struct fault_catch **list = catch_list();

	assert(*list == c);
	*list = c->prev;
}

/* Resume at the innermost catch point, as if fault_catch_begin() returned 1. */
static bool try_catch(struct trap_frame *f)
{
	struct fault_catch **list = catch_list();
	struct fault_catch *c = *list;

	if (!c || trap_from_user(f) || f->vector == 8 || f->vector == 2 || f->vector == 18)
		return false;
	*list = c->prev;
	c->vector = f->vector;
	c->error = f->error;
	c->cr2 = f->vector == 14 ? cpu_read_cr2() : 0;
	c->fault_rip = f->rip;
	f->rip = c->rip;
	f->rflags &= ~(1ull << 18);     /* resume with user access closed (SMAP's AC) */
	f->rsp = c->rsp;
	f->rbp = c->rbp;
	f->rbx = c->rbx;
	f->r12 = c->r12;
	f->r13 = c->r13;
	f->r14 = c->r14;
	f->r15 = c->r15;
	f->rax = 1;
	return true;
}

/* ---- demand-zero pages ---- */

/* #PF error code bits. */
#define PF_PRESENT      (1u << 0)
#define PF_WRITE        (1u << 1)
#define PF_FETCH        (1u << 4)

/*
 * A not-present fault at a user address, from user mode or from a user copy in the
 * kernel (the only kernel code that touches user memory, always under a catch): a
 * demand-zero page to map (mem_fault)? True: it is mapped, run the instruction again.
 * A kernel fault that finds no memory tells the catch, so the copy says E_NO_MEMORY.
 */
static bool demand_page(struct trap_frame *f)
{
	struct thread *t = this_cpu()->current;
	uint64_t a = cpu_read_cr2();
	bool user = trap_from_user(f);

	if ((f->error & PF_PRESENT) || !t || a < USER_BASE || a >= USER_TOP)
		return false;
	if (!user && !*catch_list())
		return false;
	kerr_t e = mem_fault(t->proc, va(a), (f->error & PF_WRITE ? MEM_FAULT_WRITE : 0) |
				      (f->error & PF_FETCH ? MEM_FAULT_EXEC : 0));
	if (e == E_NO_MEMORY && !user)
		(*catch_list())->no_memory = true;
	return e == E_OK;
}

/* ---- reports ---- */

static void frame_to_regs(const struct trap_frame *f, struct regs_snapshot *r)
{
	*r = (struct regs_snapshot){
		.rax = f->rax, .rbx = f->rbx, .rcx = f->rcx, .rdx = f->rdx, .rsi = f->rsi,
		.rdi = f->rdi, .rbp = f->rbp, .rsp = f->rsp, .r8 = f->r8, .r9 = f->r9,
		.r10 = f->r10, .r11 = f->r11, .r12 = f->r12, .r13 = f->r13, .r14 = f->r14,
		.r15 = f->r15, .rip = f->rip, .rflags = f->rflags,
	};
}

extern char boot_stack_guard[], boot_stack_bottom[];

/* Is sp just below a known kernel stack, on its guard page(s)? */
static bool in_stack_guard(uint64_t sp)
{
	uint64_t g = (uint64_t)(uintptr_t)boot_stack_guard;
	uint64_t b = (uint64_t)(uintptr_t)boot_stack_bottom;
	uint64_t lo, hi;

	if (sp >= g - 64 && sp < b)
		return true;
	/* Within a kernel stack slot, but under the stack's mapped pages. */
	if (sp >= KVA_STACKS_BASE && sp < KVA_STACKS_BASE + (uint64_t)KSTACK_SLOTS * KSTACK_SLOT) {
		uint64_t slot_base = ALIGN_DOWN(sp, (uint64_t)KSTACK_SLOT);
		return !kstack_bounds(sp, &lo, &hi) && kstack_bounds(slot_base + KSTACK_SLOT - 8, &lo, &hi);
	}
	return false;
}

static __noreturn void kernel_exception(struct trap_frame *f)
{
	struct regs_snapshot r;
	char detail[160] = "";

	frame_to_regs(f, &r);
	if (f->vector == 14) {
		char pf[96];
		page_fault_describe(f->error, pf, sizeof(pf));
		ksnprintf(detail, sizeof(detail), "; %s; CR2 (fault address) %#llx", pf,
			  (unsigned long long)cpu_read_cr2());
	} else if (f->vector == 8 && in_stack_guard(f->rsp)) {
		ksnprintf(detail, sizeof(detail),
			  "; kernel stack overflow: RSP %#llx is in a stack's guard page",
			  (unsigned long long)f->rsp);
	} else if (f->error) {
		ksnprintf(detail, sizeof(detail), "; error code %#llx%s",
			  (unsigned long long)f->error,
			  f->vector == 13 || f->vector == 11 || f->vector == 12 || f->vector == 10
			  ? (f->error & 2 ? " (IDT entry)" : " (segment selector)") : "");
	}
	panic_regs(&r, "%s (%s, vector %llu) in kernel mode at %#llx%s",
		   exception_name((unsigned)f->vector), exception_mnemonic((unsigned)f->vector),
		   (unsigned long long)f->vector, (unsigned long long)f->rip, detail);
}

/* Overridden by the thread code once user threads exist. */
__attribute__((weak)) void trap_user_exception(struct trap_frame *f)
{
	kernel_exception(f);
}

/* ---- device interrupts ---- */

/*
 * A vector's handler is called with the argument it was installed with, and the two
 * are read without a lock on every interrupt. Freeing a vector (irq_clear_handler) must
 * therefore wait until no CPU still runs the old handler: its argument may be an
 * object about to be freed. 'running' counts the CPUs inside a vector's handler; the
 * dispatcher raises it before reading the handler and the clearer reads it after
 * removing the handler, both with full barriers, so either the dispatcher sees no
 * handler or the clearer sees it running. Until that wait is over the vector stays
 * 'draining' and cannot be handed out again, so a late dispatcher never pairs the old
 * handler with a new argument.
 */
static struct {
	irq_handler_t fn;               /* [irq_handlers] writes, [a] reads */
	void *arg;                      /* [irq_handlers] writes; read after fn */
	bool draining;                  /* [irq_handlers] */
} handlers[256];
static uint32_t running[256];           /* [a] CPUs inside the vector's handler */
static struct spinlock handlers_lock = SPINLOCK_INIT("irq_handlers");   /* leaf */
static uint64_t spurious_count;
static uint64_t nmis;                   /* [a] */

/* handlers_lock held. */
static bool vector_free(unsigned vector)
{
	return !handlers[vector].fn && !handlers[vector].draining;
}

static void install(unsigned vector, irq_handler_t h, void *arg)
{
	handlers[vector].arg = arg;
	__atomic_store_n(&handlers[vector].fn, h, __ATOMIC_RELEASE);
}

bool irq_set_handler(unsigned vector, irq_handler_t h, void *arg)
{
	bool ok = false;

	if (vector < 32 || vector > 255)
		return false;
	irqflags_t fl = spin_lock_irqsave(&handlers_lock);
	if (vector_free(vector)) {
		install(vector, h, arg);
		ok = true;
	}
	spin_unlock_irqrestore(&handlers_lock, fl);
	return ok;
}

void irq_clear_handler(unsigned vector)
{
	if (vector < 32 || vector > 255)
		return;
	irqflags_t fl = spin_lock_irqsave(&handlers_lock);
	bool had = handlers[vector].fn != NULL;
	__atomic_store_n(&handlers[vector].fn, NULL, __ATOMIC_SEQ_CST);
	handlers[vector].draining = had;
	spin_unlock_irqrestore(&handlers_lock, fl);
	if (!had)
		return;
	/* An interrupt on this vector that a CPU is handling right now (never this one:
	 * the caller is not the handler) finishes in bounded time. */
	while (__atomic_load_n(&running[vector], __ATOMIC_SEQ_CST))
		arch_spin_relax();
	fl = spin_lock_irqsave(&handlers_lock);
	handlers[vector].arg = NULL;
	handlers[vector].draining = false;
	spin_unlock_irqrestore(&handlers_lock, fl);
}

unsigned irq_alloc_handler(irq_handler_t h, void *arg)
{
	unsigned v = 0;
	irqflags_t fl = spin_lock_irqsave(&handlers_lock);

	for (unsigned i = VEC_DEVICE_FIRST; i <= VEC_DEVICE_LAST && !v; i++)
		if (vector_free(i))
			v = i;
	if (v)
		install(v, h, arg);
	spin_unlock_irqrestore(&handlers_lock, fl);
	return v;
}

/* Acknowledge at the local APIC; weak until the APIC driver exists. */
__attribute__((weak)) void lapic_eoi(void)
{
}

uint64_t trap_nmi_count(void)
{
	return __atomic_load_n(&nmis, __ATOMIC_RELAXED);
}

uint64_t irq_spurious_count(void)
{
	return __atomic_load_n(&spurious_count, __ATOMIC_RELAXED);
}

void trap_dispatch(struct trap_frame *f)
{
	unsigned v = (unsigned)f->vector;

	if (v < 32) {
		if (v == 7 && this_cpu()->current) {
			/* #NM: a thread's first FPU instruction (CR0.TS was set). */
			thread_fpu_first_use();
			return;
		}
		if (v == 14 && demand_page(f))
			return;
		if (try_catch(f))
			return;
		if (v == 2) {
			__atomic_fetch_add(&nmis, 1, __ATOMIC_RELAXED);
			pr_warn("NMI on CPU %u at %#llx", arch_cpu_id(), (unsigned long long)f->rip);
			return;
		}
		if (trap_from_user(f))
			trap_user_exception(f);
		else
			kernel_exception(f);
		return;
	}
	if (v == VEC_SPURIOUS) {
		/* The APIC sends no EOI-able interrupt for a spurious one. */
		__atomic_fetch_add(&spurious_count, 1, __ATOMIC_RELAXED);
		return;
	}
	if (v >= VEC_PIC_BASE && v < VEC_PIC_BASE + 16) {
		/* The 8259s are masked; this is their spurious IRQ 7 or 15. No EOI at the
		 * APIC: it did not deliver it. */
		__atomic_fetch_add(&spurious_count, 1, __ATOMIC_RELAXED);
		return;
	}
	sched_irq_enter();
	__atomic_fetch_add(&running[v], 1, __ATOMIC_SEQ_CST);
	irq_handler_t h = __atomic_load_n(&handlers[v].fn, __ATOMIC_SEQ_CST);
	if (h)
		h(f, handlers[v].arg);
	__atomic_fetch_sub(&running[v], 1, __ATOMIC_RELEASE);
	if (!h)
		pr_warn("irq: unexpected interrupt on vector %u", v);
	lapic_eoi();
	sched_irq_exit();
	if (trap_from_user(f))
		user_return_check();
}
