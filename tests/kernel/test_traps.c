/*
 * Exceptions raised on purpose and caught (fault_catch): each must arrive with the right
 * vector, error code and faulting address. The W^X tests prove the protections are
 * enforced by the MMU, not only declared in the page tables.
 */
#include <ktest.h>
#include <klib.h>
#include <vmm.h>
#include <arch/cpu.h>
#include <arch/trap.h>
#include "catch.h"
#include <arch/lapic.h>
#include <arch/smp.h>
#include <spinlock.h>
#include <thread.h>
#include <sched.h>

extern char __text_start[], __rodata_start[];

/* Data that holds a RET instruction: executing it must fault (NX). */
static uint8_t data_code[16] __aligned(16) = { 0xc3 };
static const uint8_t rodata_byte = 7;
/* Read-only data that holds a RET: executing it must fault too (NX on rodata). */
static const uint8_t rodata_code[16] __aligned(16) = { 0xc3 };

KTEST(trap, divide_error)
{
	struct fault_catch c;
	uint32_t zero = 0, x = 1;

	/* The CPU's divide, not C's (which the sanitizer would catch first). */
	KT_ASSERT(CATCH(c, __asm__ volatile("divl %2" : "+a"(x) : "d"(0), "r"(zero))));
	KT_EXPECT_EQ(c.vector, 0);
	KT_EXPECT_STREQ(exception_mnemonic((unsigned)c.vector), "#DE");
}

KTEST(trap, invalid_opcode)
{
	struct fault_catch c;

	KT_ASSERT(CATCH(c, __asm__ volatile("ud2")));
	KT_EXPECT_EQ(c.vector, 6);
}

KTEST(trap, breakpoint)
{
	struct fault_catch c;

	KT_ASSERT(CATCH(c, __asm__ volatile("int3")));
	KT_EXPECT_EQ(c.vector, 3);
}

KTEST(trap, general_protection_on_noncanonical_address)
{
	struct fault_catch c;

	KT_ASSERT(CATCH(c, (void)*(volatile uint64_t *)0x0000900000000000ull));
	KT_EXPECT_EQ(c.vector, 13);
	KT_EXPECT_EQ(c.error, 0);
}

KTEST(trap, page_fault_reports_address_and_cause)
{
	struct fault_catch c;
	char why[96];

	KT_ASSERT(CATCH(c, *(volatile uint32_t *)(KVA_TEST_BASE + 0x1234) = 5));
	KT_EXPECT_EQ(c.vector, 14);
	KT_EXPECT_EQ(c.cr2, KVA_TEST_BASE + 0x1234);
	KT_EXPECT_EQ(c.error & 0x1f, 0x2);      /* not present, write, supervisor, data */
	page_fault_describe(c.error, why, sizeof(why));
	KT_EXPECT_STREQ(why, "not-present page, write, supervisor, data access");

	uintptr_t null_page = 0x10;
	__asm__("" : "+r"(null_page));          /* hide the constant from the compiler */
	KT_ASSERT(CATCH(c, (void)*(volatile uint32_t *)null_page));  /* null page, read */
	KT_EXPECT_EQ(c.vector, 14);
	KT_EXPECT_EQ(c.cr2, 0x10);
	KT_EXPECT_EQ(c.error & 0x1f, 0x0);
}

KTEST(trap, write_to_text_faults)
{
	struct fault_catch c;
	volatile uint8_t *p = (volatile uint8_t *)__text_start + 64;
	uint8_t before = *p;

	KT_ASSERT(CATCH(c, *p = 0x90));
	KT_EXPECT_EQ(c.vector, 14);
	KT_EXPECT_EQ(c.cr2, (uint64_t)(uintptr_t)p);
	KT_EXPECT_EQ(c.error & 0x1f, 0x3);      /* protection violation, write */
	KT_EXPECT_EQ(*p, before);
}

KTEST(trap, write_to_rodata_faults)
{
	struct fault_catch c;
	volatile uint8_t *p = (volatile uint8_t *)&rodata_byte;

	KT_ASSERT(CATCH(c, *p = 9));
	KT_EXPECT_EQ(c.vector, 14);
	KT_EXPECT_EQ(c.error & 0x3, 0x3);
	KT_EXPECT_EQ(rodata_byte, 7);
}

KTEST(trap, execute_from_data_faults)
{
	struct fault_catch c;
	void (*fn)(void) = (void (*)(void))(uintptr_t)data_code;

	KT_ASSERT(CATCH(c, fn()));
	KT_EXPECT_EQ(c.vector, 14);
	KT_EXPECT_EQ(c.cr2, (uint64_t)(uintptr_t)data_code);
	KT_EXPECT_EQ(c.error & 0x11, 0x11);     /* protection violation, instruction fetch */
	KT_EXPECT_EQ(c.fault_rip, (uint64_t)(uintptr_t)data_code);
}

KTEST(trap, execute_from_rodata_faults)
{
	struct fault_catch c;
	void (*fn)(void) = (void (*)(void))(uintptr_t)rodata_code;

	KT_ASSERT(CATCH(c, fn()));
	KT_EXPECT_EQ(c.vector, 14);
	KT_EXPECT_EQ(c.cr2, (uint64_t)(uintptr_t)rodata_code);
	KT_EXPECT_EQ(c.error & 0x11, 0x11);     /* protection violation, instruction fetch */
}

KTEST(trap, execute_from_stack_faults)
{
	struct fault_catch c;
	volatile uint8_t code[16] = { 0xc3 };
	void (*fn)(void) = (void (*)(void))(uintptr_t)code;

	KT_ASSERT(CATCH(c, fn()));
	KT_EXPECT_EQ(c.vector, 14);
	KT_EXPECT(c.error & 0x10);
}

KTEST(trap, catches_nest_and_unwind)
{
	struct fault_catch outer, inner;
	volatile int stage = 0;

	if (fault_catch_begin(&outer) == 0) {
		if (fault_catch_begin(&inner) == 0) {
			stage = 1;
			__asm__ volatile("ud2");
		}
		KT_EXPECT_EQ(inner.vector, 6);
		stage = 2;
		__asm__ volatile("int3");       /* now caught by the outer one */
		stage = 99;
	}
	KT_EXPECT_EQ(stage, 2);
	KT_EXPECT_EQ(outer.vector, 3);
}

KTEST(trap, ist_stacks_have_guard_pages)
{
	for (int ist = IST_DOUBLE_FAULT; ist <= IST_MCE; ist++) {
		uint64_t top = tss_ist_top(0, ist);
		KT_ASSERT(top != 0);
		KT_EXPECT(vmm_translate(&kernel_as, va(top - 8), NULL, NULL));
		KT_EXPECT(!vmm_translate(&kernel_as, va(top - 16 * 1024 - 8), NULL, NULL));
	}
}

/* Overflows the boot stack into its guard page: the CPU cannot push the #PF frame, so it
 * raises #DF, which runs on its IST stack and reports the overflow. Run explicitly; the
 * harness expects the panic. */
static volatile uint64_t sink, depth_limit = UINT64_MAX;

static __noinline uint64_t recurse(uint64_t n)
{
	volatile uint8_t pad[512];

	if (n == depth_limit)
		return 0;
	pad[0] = (uint8_t)n;
	return recurse(n + 1) + pad[0];
}

KTEST_F(trap, stack_overflow_double_faults, KTEST_EXPLICIT)
{
	sink = recurse(0);
}

/* The same on a kernel thread's stack (kstack_alloc: one slot of the stack area, its
 * unmapped lower pages the guard), which is where the kernel's threads and every
 * system call run. */
static void recurse_thread(void *unused)
{
	sink = recurse(0);
}

KTEST_F(trap, thread_stack_overflow_double_faults, KTEST_EXPLICIT)
{
	struct thread *t = thread_create(&kernel_process, "overflow", recurse_thread, NULL,
					 PRIO_DEFAULT, AFFINITY_ALL);

	KT_ASSERT(t != NULL);
	thread_join(t);
	ktest_fail_at(__FILE__, __LINE__, "the thread overflowed its stack and came back");
}

/* An NMI in the SYSCALL entry's or exit's window — kernel mode with the user's GS base —
 * still runs its handler with the kernel's GS base (the paranoid entry): here the
 * window is made by hand, SWAPGS with interrupts off, and an NMI sent to this CPU. */
KTEST(trap, nmi_with_the_user_gs_base_is_handled)
{
	uint32_t me = lapic_id();
	uint64_t before = trap_nmi_count();
	irqflags_t f = irq_save();

	__asm__ volatile("swapgs" ::: "memory");
	lapic_send_nmi(me);
	for (volatile int i = 0; i < 100000; i++)
		;
	__asm__ volatile("swapgs" ::: "memory");
	irq_restore(f);
	KT_EXPECT_EQ(trap_nmi_count(), before + 1);
	KT_EXPECT_EQ(this_cpu()->apic_id, me);          /* and GS is the kernel's again */
}
