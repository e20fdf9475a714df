/*
 * I/O-port-range objects (DESIGN.md §5): ports base .. base + count - 1 of the x86 I/O
 * space, which a driver holds through a capability with CAP_R_CONTROL.
 *
 * The kernel creates them (boot hands them to init, issue 7); ranges are neither split
 * nor derived into smaller ones: a driver gets a capability to a range made for it.
 * ioport_check is the question the system-call layer asks before it lets a thread touch
 * a port (through the TSS I/O bitmap or in/out system calls, issue 7); ioport_in and
 * ioport_out do the access through a capability now, checking first.
 *
 * The kernel's own ports (its console UART, the 8259s, the PIT, QEMU's debug devices)
 * are reserved: a range overlapping them cannot be created (E_EXISTS) until the kernel
 * hands them over with ioport_unreserve. The reservation is checked when a range is
 * made; two ranges may overlap each other, which is init's choice to make, not the
 * kernel's.
 */
#ifndef IOPORT_H
#define IOPORT_H

#include <cap.h>

#define IOPORT_SPACE 0x10000u           /* ports 0 .. 0xffff */

struct ioport_range {
	struct kobj obj;
	uint32_t base;                  /* [I] */
	uint32_t count;                 /* [I] 1 .. IOPORT_SPACE - base */
};

/* Boot: register the type's operations. */
void ioport_init(void);

/*
 * A new range, charged to q, with one reference for the caller. E_INVAL: count is 0;
 * E_RANGE: base or the range's end is past port 0xffff; E_EXISTS: it overlaps a port
 * the kernel reserved; E_NO_MEMORY: the quota or the heap cannot pay.
 */
kerr_t ioport_create(struct quota *q, uint32_t base, uint32_t count,
		     struct ioport_range **out);

/*
 * The kernel drives these ports itself (name says what, for diagnostics). Validated as
 * ioport_create validates; E_EXISTS if they overlap a reservation already there,
 * E_NO_MEMORY if the table is full. unreserve hands a reservation over: it takes the
 * exact range reserved, else E_NOT_FOUND.
 */
kerr_t ioport_reserve(uint32_t base, uint32_t count, const char *name);
kerr_t ioport_unreserve(uint32_t base, uint32_t count);

/*
 * May the capability in slot touch port with an access of width bytes (1, 2 or 4, else
 * E_INVAL)? Errors from the lookup (cap.h: E_RANGE, E_NOT_FOUND, E_TYPE, E_PERM without
 * CAP_R_CONTROL), then E_RANGE unless every byte port .. port + width - 1 is inside
 * the range.
 */
kerr_t ioport_check(struct cspace *cs, uint32_t slot, uint32_t port, unsigned width);

/* ioport_check, then the access. in zero-extends into *val; out writes the low width
 * bytes of val. */
kerr_t ioport_in(struct cspace *cs, uint32_t slot, uint32_t port, unsigned width,
		 uint32_t *val);
kerr_t ioport_out(struct cspace *cs, uint32_t slot, uint32_t port, unsigned width,
		  uint32_t val);

#endif
