/* System calls on IRQ lines and I/O ports (syscall.c). */
#include "sys.h"
#include <ioport.h>
#include <irq.h>

kerr_t sys_irq_ack(uint32_t irq, struct syscall_frame *f)
{
	return irq_line_ack(sys_cspace(), irq);
}

kerr_t sys_irq_bind(uint32_t irq, uint32_t n, uint64_t bits, struct syscall_frame *f)
{
	return irq_line_bind(sys_cspace(), irq, n, bits);
}

kerr_t sys_irq_unbind(uint32_t irq, struct syscall_frame *f)
{
	return irq_line_unbind(sys_cspace(), irq);
}

/* A port and a width from registers: checked whole, before they are narrowed. */
static kerr_t port_args(uint64_t port, uint64_t width)
{
	if (width != 1 && width != 2 && width != 4)
		return E_INVAL;
	return port >= IOPORT_SPACE ? E_RANGE : E_OK;
}

kerr_t sys_ioport_in(uint32_t ports, uint64_t port, uint64_t width, struct syscall_frame *f)
{
	uint32_t v = 0;
	kerr_t e = port_args(port, width);

	if (e == E_OK)
		e = ioport_in(sys_cspace(), ports, (uint32_t)port, (unsigned)width, &v);
	f->rdi = v;
	return e;
}

kerr_t sys_ioport_out(uint32_t ports, uint64_t port, uint64_t width, uint64_t value,
		      struct syscall_frame *f)
{
	kerr_t e = port_args(port, width);

	if (e == E_OK)
		e = ioport_out(sys_cspace(), ports, (uint32_t)port, (unsigned)width,
			       (uint32_t)value);
	return e;
}
