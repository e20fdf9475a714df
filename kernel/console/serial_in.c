/* COM1 receive interrupts into a ring buffer (serial_in.h). */
#include <serial_in.h>
#include <irq.h>
#include <uart.h>
#include <log.h>
#include <spinlock.h>
#include <arch/ioapic.h>
#include <arch/lapic.h>
#include <arch/trap.h>

#define RX_SIZE 1024
#define COM1_IRQ 4

static struct spinlock rx_lock = SPINLOCK_INIT("serial_rx");   /* leaf */
static char rx[RX_SIZE];                /* [rx_lock] */
static uint64_t rx_head, rx_tail;       /* [rx_lock] written, read */
static uint64_t irq_count, dropped;     /* [a] */

static void rx_irq(struct trap_frame *f, void *arg)
{
	uint8_t b;

	__atomic_fetch_add(&irq_count, 1, __ATOMIC_RELAXED);
	spin_lock(&rx_lock);
	/* Drain the FIFO: one interrupt may stand for up to 14 bytes. */
	while (uart_read_byte(COM1_PORT, &b)) {
		if (rx_head - rx_tail == RX_SIZE) {
			dropped++;
			continue;
		}
		rx[rx_head++ % RX_SIZE] = (char)b;
	}
	spin_unlock(&rx_lock);
}

static uint32_t rx_gsi;
static unsigned rx_vec;                 /* [I] 0: input not routed */

bool serial_in_init(void)
{
	enum irq_polarity pol;
	enum irq_trigger trig;
	uint32_t gsi = irq_isa_to_gsi(COM1_IRQ, &pol, &trig);

	/* The line is the kernel console's: no IRQ-line object may take it (irq.h) until
	 * the console moves to ring 3 and the kernel hands the line over. */
	if (!ioapic_serves(gsi) || irq_line_reserve(gsi) != E_OK) {
		pr_warn("serial: no I/O APIC pin for COM1's IRQ %d (GSI %u)", COM1_IRQ, gsi);
		return false;
	}
	unsigned vec = irq_alloc_handler(rx_irq, NULL);
	if (!vec) {
		pr_err("serial: no interrupt vector for COM1");
		irq_line_unreserve(gsi);
		return false;
	}
	ioapic_route(gsi, vec, lapic_id(), pol, trig);  /* cannot fail: the pin exists */
	uart_enable_rx_irq(COM1_PORT);
	ioapic_set_masked(gsi, false);
	rx_gsi = gsi;
	rx_vec = vec;
	return true;
}

void serial_in_stop(void)
{
	if (!rx_vec)
		return;
	uart_disable_irqs(COM1_PORT);
	ioapic_set_masked(rx_gsi, true);
	irq_clear_handler(rx_vec);
	irq_line_unreserve(rx_gsi);
	rx_vec = 0;
}

size_t serial_in_read(char *buf, size_t n)
{
	size_t k = 0;
	irqflags_t f = spin_lock_irqsave(&rx_lock);

	while (k < n && rx_tail != rx_head)
		buf[k++] = rx[rx_tail++ % RX_SIZE];
	spin_unlock_irqrestore(&rx_lock, f);
	return k;
}

uint64_t serial_in_irq_count(void)
{
	return __atomic_load_n(&irq_count, __ATOMIC_RELAXED);
}

uint64_t serial_in_dropped(void)
{
	return __atomic_load_n(&dropped, __ATOMIC_RELAXED);
}
