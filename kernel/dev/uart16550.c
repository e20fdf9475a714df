/*
 * 16550 UART driver for the kernel console (uart.h). Register offsets and the loopback
 * self-test follow the 16550D data sheet: in loopback mode (MCR bit 4) the transmitter
 * is wired to the receiver inside the chip, so a byte written must come back unchanged.
 */
#include <uart.h>
#include <arch/cpu.h>

enum {
	UART_DATA = 0,          /* RBR/THR; DLL when DLAB=1 */
	UART_IER = 1,           /* DLM when DLAB=1 */
	UART_FCR = 2,
	UART_LCR = 3,
	UART_MCR = 4,
	UART_LSR = 5,
	UART_SCR = 7,
};

#define LCR_8N1         0x03
#define LCR_DLAB        0x80
#define MCR_DTR_RTS     0x03
#define MCR_OUT2        0x08    /* gates the IRQ line on PCs */
#define MCR_LOOP        0x10
#define LSR_DR          0x01
#define LSR_THRE        0x20

#define UART_CLOCK_DIV_115200 1 /* 1.8432 MHz / 16 / 115200 */

bool uart_init(uint16_t port)
{
	/* Nothing decodes the port: reads float to 0xff, and the scratch register cannot
	 * hold a value. Check that before writing anything else. */
	outb(port + UART_SCR, 0x5a);
	if (inb(port + UART_SCR) != 0x5a)
		return false;

	outb(port + UART_IER, 0x00);                    /* no interrupts yet */
	outb(port + UART_LCR, LCR_DLAB);
	outb(port + UART_DATA, UART_CLOCK_DIV_115200 & 0xff);
	outb(port + UART_IER, UART_CLOCK_DIV_115200 >> 8);
	outb(port + UART_LCR, LCR_8N1);
	outb(port + UART_FCR, 0xc7);                    /* enable + clear FIFOs, 14-byte trigger */

	/* Loopback self-test. */
	outb(port + UART_MCR, MCR_LOOP | MCR_OUT2 | MCR_DTR_RTS);
	while (inb(port + UART_LSR) & LSR_DR)           /* drain stale input (FIFO <= 16) */
		(void)inb(port + UART_DATA);
	outb(port + UART_DATA, 0xae);
	bool ok = false;
	for (int i = 0; i < 100000; i++) {
		if (inb(port + UART_LSR) & LSR_DR) {
			ok = inb(port + UART_DATA) == 0xae;
			break;
		}
	}
	if (!ok)
		return false;
	outb(port + UART_MCR, MCR_OUT2 | MCR_DTR_RTS);  /* normal operation */
	return true;
}

static void put_byte(uint16_t port, char c)
{
	/* Bounded wait: a wedged UART must not hang the kernel's logging. */
	for (int i = 0; i < 100000 && !(inb(port + UART_LSR) & LSR_THRE); i++)
		cpu_pause();
	outb(port + UART_DATA, (uint8_t)c);
}

void uart_write(uint16_t port, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			put_byte(port, '\r');
		put_byte(port, s[i]);
	}
}

void uart_enable_rx_irq(uint16_t port)
{
	outb(port + UART_IER, 0x01);    /* received data available */
}

void uart_disable_irqs(uint16_t port)
{
	outb(port + UART_IER, 0);
}

bool uart_read_byte(uint16_t port, uint8_t *b)
{
	if (!(inb(port + UART_LSR) & LSR_DR))
		return false;
	*b = inb(port + UART_DATA);
	return true;
}
