/*
 * Device interrupts through the I/O APIC: the routing table reflects the MADT, and COM1's
 * receive interrupt delivers bytes the harness types (tests/guest_configs.py sends them
 * when it sees the marker line). The test reads only the ring buffer the interrupt
 * handler fills, never the UART, so it passes only if the interrupt path works.
 */
#include <ktest.h>
#include <klib.h>
#include <log.h>
#include <sched.h>
#include <serial_in.h>
#include <time.h>
#include <uart.h>
#include <arch/cpu.h>
#include <arch/ioapic.h>
#include <arch/lapic.h>
#include <arch/trap.h>

KTEST(ioapic, pins_start_masked_and_route)
{
	uint64_t e;
	enum irq_polarity pol;
	enum irq_trigger trig;

	KT_ASSERT(ioapic_count() >= 1);
	KT_EXPECT(ioapic_gsi_count() >= 24);
	/* The PIT's IRQ 0 is overridden to GSI 2 on every PC chipset QEMU emulates. */
	KT_EXPECT_EQ(irq_isa_to_gsi(0, &pol, &trig), 2);
	KT_EXPECT_EQ(irq_isa_to_gsi(1, &pol, &trig), 1);        /* keyboard: identity */
	KT_EXPECT_EQ(pol, IRQ_ACTIVE_HIGH);
	KT_EXPECT_EQ(trig, IRQ_EDGE);
	/* An unused pin: masked. Route it, check the entry, mask it again. */
	KT_ASSERT(ioapic_read_entry(23, &e));
	KT_EXPECT(e & (1ull << 16));
	KT_ASSERT_EQ(ioapic_route(23, 0x77, lapic_id(), IRQ_ACTIVE_LOW, IRQ_LEVEL), E_OK);
	KT_ASSERT(ioapic_read_entry(23, &e));
	KT_EXPECT_EQ(e & 0xff, 0x77);
	KT_EXPECT(e & (1ull << 13));                    /* active low */
	KT_EXPECT(e & (1ull << 15));                    /* level */
	KT_EXPECT(e & (1ull << 16));                    /* still masked */
	KT_EXPECT_EQ(e >> 56, lapic_id());
	KT_EXPECT_EQ(ioapic_route(9999, 0x77, 0, IRQ_ACTIVE_HIGH, IRQ_EDGE), E_NOT_FOUND);
	KT_EXPECT_EQ(ioapic_route(23, 5, 0, IRQ_ACTIVE_HIGH, IRQ_EDGE), E_INVAL);
	KT_EXPECT_EQ(ioapic_route(23, 0x40, 0, IRQ_ACTIVE_HIGH, IRQ_EDGE), E_OK);
}

/* Runs when named (the harness must type): waits up to 30 s for "ping\n". */
KTEST_F(serial, receive_interrupt, KTEST_EXPLICIT)
{
	char got[16] = { 0 };
	size_t n = 0;
	uint64_t irqs = serial_in_irq_count();
	uint64_t end = clock_ns() + 30000000000ull;

	kprintf("# ktest: serial input ready\n");
	/* Look every 10 ms. Through the scheduler, never the LAPIC timer itself: a raw
	 * arm and cancel would leave the scheduler believing in a deadline that is no
	 * longer armed, and a later sleeper would never be woken. */
	while (n < 5 && clock_ns() < end) {
		sched_sleep_ns(10000000);
		n += serial_in_read(got + n, sizeof(got) - 1 - n);
	}
	KT_EXPECT_STREQ(got, "ping\n");
	KT_EXPECT(serial_in_irq_count() > irqs);
	KT_EXPECT_EQ(serial_in_dropped(), 0);
}

static void count_irq(struct trap_frame *f, void *arg)
{
	__atomic_fetch_add((uint64_t *)arg, 1, __ATOMIC_RELAXED);
}

/* A device vector is taken and installed in one step, reached by a self-IPI with its
 * argument, and free again once cleared. */
KTEST(irq, alloc_handler_and_clear)
{
	static uint64_t hits;
	uint64_t end;

	hits = 0;
	unsigned v = irq_alloc_handler(count_irq, &hits);
	KT_ASSERT(v >= VEC_DEVICE_FIRST && v <= VEC_DEVICE_LAST);
	KT_EXPECT(!irq_set_handler(v, count_irq, NULL));        /* taken */
	unsigned w = irq_alloc_handler(count_irq, &hits);
	KT_EXPECT(w != v && w != 0);
	irq_clear_handler(w);
	/* Interrupts are on in tests: a self-IPI arrives before the loop ends. */
	lapic_send_ipi(lapic_id(), v);
	end = clock_ns() + 1000000000ull;
	while (!__atomic_load_n(&hits, __ATOMIC_RELAXED) && clock_ns() < end)
		cpu_pause();
	KT_EXPECT_EQ(hits, 1);
	irq_clear_handler(v);
	KT_EXPECT(irq_set_handler(v, count_irq, &hits));        /* free again */
	irq_clear_handler(v);
	irq_clear_handler(v);           /* clearing a free vector is harmless */
}
