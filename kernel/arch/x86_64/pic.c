/*
 * The legacy 8259 PICs: remapped away from the exception vectors (to 32..47) and then
 * fully masked. The I/O APIC delivers every device interrupt; a masked 8259 can still
 * raise a spurious IRQ 7 or 15, which trap.c recognises by its vector and ignores.
 */
#include <arch/cpu.h>
#include <arch/trap.h>

#define PIC1_CMD  0x20
#define PIC1_DATA 0x21
#define PIC2_CMD  0xa0
#define PIC2_DATA 0xa1

void pic_disable(void)
{
	/* ICW1: initialise, expect ICW4. ICW2: vector base. ICW3: cascade on IRQ 2.
	 * ICW4: 8086 mode. Then mask every line. */
	outb(PIC1_CMD, 0x11);
	io_wait();
	outb(PIC2_CMD, 0x11);
	io_wait();
	outb(PIC1_DATA, VEC_PIC_BASE);
	io_wait();
	outb(PIC2_DATA, VEC_PIC_BASE + 8);
	io_wait();
	outb(PIC1_DATA, 4);
	io_wait();
	outb(PIC2_DATA, 2);
	io_wait();
	outb(PIC1_DATA, 0x01);
	io_wait();
	outb(PIC2_DATA, 0x01);
	io_wait();
	outb(PIC1_DATA, 0xff);
	outb(PIC2_DATA, 0xff);
}
