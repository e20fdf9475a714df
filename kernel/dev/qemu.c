/* QEMU debug devices (qemu.h). On real hardware nothing answers these ports: reads give
 * 0xff and writes are dropped, so probing them is harmless. */
#include <qemu.h>
#include <arch/cpu.h>

bool debugcon_present(void)
{
	return inb(DEBUGCON_PORT) == 0xe9;
}

void debugcon_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		outb(DEBUGCON_PORT, (uint8_t)s[i]);
}

void qemu_exit(enum qemu_exit_code code)
{
	outl(DEBUG_EXIT_PORT, code);
}
