/* Registration of the kernel's own consoles (consoles.h). */
#include <consoles.h>
#include <console.h>
#include <uart.h>
#include <qemu.h>
#include <log.h>
#include <vmm.h>

static bool serial_handed_over;         /* [a] COM1 belongs to a user driver */

static void serial_write(struct console *c, const char *s, size_t n)
{
	if (__atomic_load_n(&serial_handed_over, __ATOMIC_RELAXED) && !console_panicking())
		return;
	uart_write(COM1_PORT, s, n);
}

static void debugcon_con_write(struct console *c, const char *s, size_t n)
{
	debugcon_write(s, n);
}

/*
 * The framebuffer console's two cell grids: 20480 cells each, a screen of 2048x1280
 * pixels (a larger one gets fewer text rows, at its top). Static, because the console
 * starts before the heap.
 */
#define FB_MAX_COLS     256
#define FB_MAX_ROWS     80

static struct fbcon fbcon;
static struct fbcon_cell fb_cells[2 * FB_MAX_COLS * FB_MAX_ROWS];
static bool fbcon_up;
static bool fb_handed_over;             /* [a] the framebuffer belongs to user space */
static bool fb_taken_back;              /* the panicking CPU has reclaimed it */

static void fb_write(struct console *c, const char *s, size_t n)
{
	if (__atomic_load_n(&fb_handed_over, __ATOMIC_RELAXED)) {
		if (!console_panicking())
			return;
		/* A panic: the screen is what user space drew. Start on a clear one, so
		 * that the report is seen whole. Only the panicking CPU writes now. */
		if (!fb_taken_back) {
			fb_taken_back = true;
			fbcon_reset(&fbcon);
		}
	}
	fbcon_write(&fbcon, s, n);
}

static struct console serial_console = { .name = "serial", .write = serial_write };
static struct console debugcon_console = { .name = "debugcon", .write = debugcon_con_write };
static struct console fb_console = { .name = "fb", .write = fb_write };

static struct early_consoles found;

struct early_consoles consoles_found(void)
{
	return found;
}

struct early_consoles consoles_init_early(void)
{
	struct early_consoles e = { 0 };

	e.serial = uart_init(COM1_PORT);
	if (e.serial)
		console_register(&serial_console);
	e.debugcon = debugcon_present();
	if (e.debugcon)
		console_register(&debugcon_console);
	found = e;
	return e;
}

bool consoles_init_fb(const struct boot_fb *fb)
{
	switch (fb->kind) {
	case BOOT_FB_NONE:
		pr_warn("fbcon: the boot loader set up no framebuffer; serial console only");
		return false;
	case BOOT_FB_TEXT:
		pr_warn("fbcon: the boot loader left the display in text mode; serial console only");
		return false;
	case BOOT_FB_UNSUPPORTED:
		pr_warn("fbcon: framebuffer %ux%u, %u bpp, pitch %u is not usable; serial console only",
			fb->width, fb->height, fb->bpp, fb->pitch);
		return false;
	case BOOT_FB_RGB:
		break;
	}
	uint64_t size = (uint64_t)fb->pitch * fb->height;
	/* Until the memory phase maps it on its own, the framebuffer is reached through
	 * the boot direct map, which covers the first 4 GiB. */
	if (fb->addr.raw + size > 0x100000000ull) {
		pr_warn("fbcon: framebuffer at %#llx is above 4 GiB and not mapped at boot",
			(unsigned long long)fb->addr.raw);
		return false;
	}
	struct fbcon_format fmt = {
		.width = fb->width, .height = fb->height, .pitch = fb->pitch, .bpp = fb->bpp,
		.red_pos = fb->red_pos, .red_size = fb->red_size,
		.green_pos = fb->green_pos, .green_size = fb->green_size,
		.blue_pos = fb->blue_pos, .blue_size = fb->blue_size,
	};
	if (!fbcon_init(&fbcon, &fmt, phys_to_virt(fb->addr), fb_cells, ARRAY_SIZE(fb_cells))) {
		pr_warn("fbcon: cannot run a console on this framebuffer");
		return false;
	}
	/* A log has no use for a cursor. */
	fbcon_write(&fbcon, "\x1b[?25l", 6);
	fbcon_up = true;
	console_register(&fb_console);
	pr_info("fbcon: %ux%u, %u bpp, pitch %u at %#llx: %ux%u text cells",
		fb->width, fb->height, fb->bpp, fb->pitch,
		(unsigned long long)fb->addr.raw, fbcon.cols, fbcon.rows);
	return true;
}

void *consoles_fb_map(void)
{
	if (!fbcon_up)
		return NULL;
	const struct boot_fb *fb = &boot_info.fb;
	void *p = vmm_map_phys(fb->addr, (size_t)fb->pitch * fb->height, VM_WRITE | VM_WC);
	if (!p)
		pr_err("fbcon: cannot map the framebuffer; the console stops at the page-table switch");
	return p;
}

void consoles_fb_moved(void *pixels)
{
	if (!fbcon_up)
		return;
	if (pixels) {
		fbcon.pixels = pixels;
	} else {
		/* Unreachable now: stop drawing rather than fault. */
		fbcon.pixels = NULL;
		fbcon_up = false;
	}
}

struct fbcon *consoles_fbcon(void)
{
	return fbcon_up ? &fbcon : NULL;
}

bool consoles_serial_present(void)
{
	return consoles_found().serial;
}

void consoles_serial_handover(void)
{
	__atomic_store_n(&serial_handed_over, true, __ATOMIC_RELAXED);
}

void consoles_fb_handover(void)
{
	__atomic_store_n(&fb_handed_over, true, __ATOMIC_RELAXED);
	/* A write that saw the flag clear is over once no console write is in
	 * progress: after this, the kernel leaves the pixels alone. */
	console_quiesce();
}
