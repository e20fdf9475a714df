/*
 * In-guest tests of the freestanding library and CPU primitives as the kernel is built
 * (no SSE, kernel code model): the host tests cover the logic, these cover the build.
 */
#include <ktest.h>
#include <klib.h>
#include <kformat.h>
#include <spinlock.h>
#include <time.h>
#include <arch/cpu.h>

KTEST(kprintf, formats_in_kernel)
{
	char buf[64];

	KT_EXPECT_EQ(ksnprintf(buf, sizeof(buf), "%d|%5u|%-4x|%08llX|%s|%c|%%", -42, 7u,
			       0xabu, 0xdeadbeefcafeull, "ok", 'z'), 34);
	KT_EXPECT_STREQ(buf, "-42|    7|ab  |DEADBEEFCAFE|ok|z|%");
	KT_EXPECT_EQ(ksnprintf(buf, 4, "%s", "truncated"), 9);
	KT_EXPECT_STREQ(buf, "tru");
	ksnprintf(buf, sizeof(buf), "%p", (void *)0xffffffff80100000ull);
	KT_EXPECT_STREQ(buf, "0xffffffff80100000");
}

KTEST(klib, memmove_overlaps)
{
	char a[16] = "0123456789";

	memmove(a + 2, a, 8);
	KT_EXPECT(memcmp(a, "0101234567", 10) == 0);
	memcpy(a, "0123456789", 10);
	memmove(a, a + 3, 7);
	KT_EXPECT(memcmp(a, "3456789789", 10) == 0);
	memset(a, 'x', 5);
	KT_EXPECT(memcmp(a, "xxxxx", 5) == 0 && a[5] == '8');
	KT_EXPECT_EQ(strlcpy(a, "longer than the buffer", 8), 22);
	KT_EXPECT_STREQ(a, "longer ");
	KT_EXPECT(strcmp("abc", "abd") < 0 && strncmp("abcx", "abcy", 3) == 0);
}

KTEST(spinlock, ticket_and_holder)
{
	struct spinlock l;

	spin_init(&l, "test");
	KT_EXPECT(!spin_held(&l));
	irqflags_t f = spin_lock_irqsave(&l);
	KT_EXPECT(spin_held(&l));
	KT_EXPECT(!irq_enabled());
	KT_EXPECT(!spin_trylock(&l));           /* taken: trylock must fail */
	spin_unlock_irqrestore(&l, f);
	KT_EXPECT(!spin_held(&l));
	KT_EXPECT_EQ(l.next, 1);
	KT_EXPECT_EQ(l.serving, 1);
	KT_EXPECT(spin_trylock(&l));
	KT_EXPECT(spin_held(&l));
	spin_unlock(&l);
	KT_EXPECT_EQ(l.serving, 2);
}

KTEST(cpu, long_mode_state)
{
	struct cpuid_regs r = cpu_cpuid(0, 0);

	KT_EXPECT(r.eax >= 1);                  /* highest standard leaf */
	KT_EXPECT(cpu_read_cr0() & CR0_PG);
	KT_EXPECT(cpu_read_cr0() & CR0_WP);
	KT_EXPECT(cpu_read_cr4() & CR4_PAE);
	KT_EXPECT(cpu_rdmsr(MSR_EFER) & EFER_LME);
	KT_EXPECT(cpu_rdmsr(MSR_EFER) & (1ull << 10));  /* LMA: long mode active */
	uint64_t a = cpu_rdtsc(), b = cpu_rdtsc();
	KT_EXPECT(b > a);
}

KTEST(clock, monotonic_and_delay)
{
	uint64_t a = clock_ns();

	delay_us(2000);
	uint64_t b = clock_ns();
	KT_EXPECT(a > 0);
	/* Only a lower bound: upper bounds on wall time are flaky on shared machines. */
	KT_EXPECT(b - a >= 2000000);
}
