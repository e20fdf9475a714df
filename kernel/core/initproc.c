/*
 * Starting init, the first user process (docs/INIT.md): the kernel's last boot step when
 * no in-kernel tests or benchmarks were asked for.
 *
 * init is loaded with the kernel's own ELF loader from sbin/init in the initramfs, into
 * a process with a large capability space and most of the machine's memory as its
 * quota, and is given every boot capability, each named in its start information:
 *
 *   self       its own process (control)
 *   initramfs  the archive, a read-only memory object
 *   bootinfo   the boot-info page (mnos/bootinfo.h), read-only
 *   com1       COM1's eight I/O ports, and irq4 its interrupt line
 *   ps2data, ps2cmd, irq1, irq12   the PS/2 controller's ports and lines
 *   fb         the framebuffer, a write-combining device memory object, when the boot
 *              loader set up an RGB one (its geometry is in the boot-info page)
 *   qemu_exit  QEMU's isa-debug-exit port, only with init.qemu_exit on the command line
 *              (the test configurations)
 *
 * COM1 and the framebuffer pass to user space here: the kernel stops driving them
 * (consoles_serial_handover, consoles_fb_handover) unless the command line says
 * debug.serial or debug.fb, and writes to them again only on panic.
 */
#include <initproc.h>
#include <cap.h>
#include <cmdline.h>
#include <elf.h>
#include <initramfs.h>
#include <ioport.h>
#include <irq.h>
#include <klib.h>
#include <log.h>
#include <memobj.h>
#include <pmm.h>
#include <sched.h>
#include <serial_in.h>
#include <taskcap.h>
#include <time.h>
#include <usermode.h>
#include <uart.h>
#include <qemu.h>
#include <consoles.h>
#include <heap.h>
#include <kformat.h>
#include <mnos/bootinfo.h>
#include <mnos/start.h>

#define INIT_PATH       "sbin/init"
#define INIT_SLOTS      4096
#define INIT_STACK      (256 * 1024)

/* The capabilities init starts with, in this order from slot 1. */
struct boot_cap {
	const char *name;
	uint32_t type;
	struct kobj *obj;
	uint32_t rights;
};

/* The framebuffer as a device object for user space, or NULL (said why) when there is
 * no RGB framebuffer or the kernel keeps it. Whole pages: the first pixel is at
 * fb->addr's offset in the first. */
static struct memobj *make_fb(struct quota *q)
{
	const struct boot_fb *fb = &boot_info.fb;
	struct memobj *mo;

	if (fb->kind != BOOT_FB_RGB)
		return NULL;            /* phase 2 said so */
	if (cmdline_has(boot_info.cmdline, "debug.fb")) {
		pr_info("init: debug.fb: the framebuffer stays the kernel's");
		return NULL;
	}
	uint64_t base = ALIGN_DOWN(fb->addr.raw, (uint64_t)PAGE_SIZE);
	uint64_t end = ALIGN_UP(fb->addr.raw + (uint64_t)fb->pitch * fb->height,
				(uint64_t)PAGE_SIZE);
	kerr_t e = memobj_create_device_wc(q, pa(base), end - base, &mo);
	if (e != E_OK) {
		pr_warn("init: the framebuffer at %#llx cannot be a device object (%s); the "
			"kernel keeps it", (unsigned long long)fb->addr.raw, kerr_name(e));
		return NULL;
	}
	return mo;
}

static kerr_t make_bootinfo(struct quota *q, uint64_t quota, bool with_fb,
			    struct memobj **out)
{
	kerr_t e = memobj_create(q, 1, out);

	if (e != E_OK)
		return e;
	struct mnos_bootinfo *bi = phys_to_virt((*out)->frames[0]);
	struct pmm_stats ps = pmm_get_stats();
	size_t rsize = 0;

	initramfs_archive(&rsize);
	*bi = (struct mnos_bootinfo){
		.magic = MNOS_BOOTINFO_MAGIC, .version = MNOS_BOOTINFO_VERSION,
		.size = sizeof(*bi), .mem_total = ps.total * PAGE_SIZE,
		.mem_free = ps.free * PAGE_SIZE, .init_quota = quota, .initramfs_size = rsize,
		.cpus = sched_cpu_count(), .firmware = boot_info.firmware == BOOT_FW_UEFI,
		.boot_ns = clock_ns(),
	};
	strlcpy(bi->cmdline, boot_info.cmdline, sizeof(bi->cmdline));
	strlcpy(bi->loader, boot_info.loader, sizeof(bi->loader));
	if (with_fb) {
		const struct boot_fb *fb = &boot_info.fb;
		bi->fb_width = fb->width;
		bi->fb_height = fb->height;
		bi->fb_pitch = fb->pitch;
		bi->fb_offset = (uint32_t)(fb->addr.raw % PAGE_SIZE);
		bi->fb_bpp = fb->bpp;
		bi->fb_red_pos = fb->red_pos;
		bi->fb_red_size = fb->red_size;
		bi->fb_green_pos = fb->green_pos;
		bi->fb_green_size = fb->green_size;
		bi->fb_blue_pos = fb->blue_pos;
		bi->fb_blue_size = fb->blue_size;
	}
	return E_OK;
}

static kerr_t add_ioport(struct quota *q, struct boot_cap *c, const char *name,
			 uint32_t base, uint32_t count)
{
	struct ioport_range *r;
	kerr_t e = ioport_create(q, base, count, &r);

	if (e == E_OK)
		*c = (struct boot_cap){ name, OBJ_IOPORT, &r->obj, CAP_R_ALL };
	return e;
}

static kerr_t add_irq(struct quota *q, struct boot_cap *c, const char *name, unsigned isa)
{
	struct irq_line *l;
	kerr_t e = irq_line_create_isa(q, isa, &l);

	if (e == E_OK)
		*c = (struct boot_cap){ name, OBJ_IRQ, &l->obj, CAP_R_ALL };
	return e;
}

kerr_t init_start(void)
{
	const void *img;
	size_t size;
	struct process *p;
	struct boot_cap caps[MNOS_START_MAX_CAPS];
	unsigned n = 0;
	kerr_t e = initramfs_find(INIT_PATH, &img, &size);

	if (e != E_OK) {
		pr_err("init: no %s in the initramfs (%s)", INIT_PATH, kerr_name(e));
		return e;
	}
	/* init's quota: what is free now, less a reserve for the kernel's own needs. */
	uint64_t free = pmm_get_stats().free * PAGE_SIZE;
	uint64_t quota = free - free / 8;
	static struct quota boot_quota;
	quota_init(&boot_quota, UINT64_MAX);
	e = process_create_user("init", &boot_quota, INIT_SLOTS, quota, &p);
	if (e != E_OK) {
		pr_err("init: cannot make its process (%s)", kerr_name(e));
		return e;
	}
	struct quota *q = p->cspace->quota;
	struct kobj *self;
	struct memobj *bim, *fbm;

	if ((e = process_obj_create(q, p, &self)) != E_OK)
		goto fail;
	caps[n++] = (struct boot_cap){ "self", OBJ_PROCESS, self, CAP_R_ALL };
	if (initramfs_memobj()) {
		kobj_get(&initramfs_memobj()->obj);
		/* EXEC, so that the process service can map programs' text in place; the
		 * object is never writable whatever the capability says (memobj.h). */
		caps[n++] = (struct boot_cap){ "initramfs", OBJ_MEMORY, &initramfs_memobj()->obj,
					       CAP_R_DERIVE | CAP_R_GRANT | CAP_R_READ |
					       CAP_R_EXEC };
	}
	fbm = make_fb(q);
	if ((e = make_bootinfo(q, quota, fbm != NULL, &bim)) != E_OK) {
		if (fbm)
			kobj_put(&fbm->obj);
		goto fail;
	}
	caps[n++] = (struct boot_cap){ "bootinfo", OBJ_MEMORY, &bim->obj,
				       CAP_R_DERIVE | CAP_R_GRANT | CAP_R_READ };
	if (fbm) {
		caps[n++] = (struct boot_cap){ "fb", OBJ_MEMORY, &fbm->obj,
					       CAP_R_DERIVE | CAP_R_GRANT | CAP_R_READ |
					       CAP_R_WRITE };
	}
	bool keep_serial = cmdline_has(boot_info.cmdline, "debug.serial");
	if (consoles_serial_present() && !keep_serial) {
		pr_info("init: COM1 goes to user space; the kernel writes to it again only "
			"if it panics");
		consoles_serial_handover();
		serial_in_stop();
		ioport_unreserve(COM1_PORT, 8);
		if ((e = add_ioport(q, &caps[n], "com1", COM1_PORT, 8)) != E_OK ||
		    (n++, e = add_irq(q, &caps[n], "irq4", 4)) != E_OK)
			goto fail;
		n++;
	}
	if ((e = add_ioport(q, &caps[n], "ps2data", 0x60, 1)) != E_OK ||
	    (n++, e = add_ioport(q, &caps[n], "ps2cmd", 0x64, 1)) != E_OK ||
	    (n++, e = add_irq(q, &caps[n], "irq1", 1)) != E_OK ||
	    (n++, e = add_irq(q, &caps[n], "irq12", 12)) != E_OK)
		goto fail;
	n++;
	if (cmdline_has(boot_info.cmdline, "init.qemu_exit")) {
		ioport_unreserve(DEBUG_EXIT_PORT, 4);
		if ((e = add_ioport(q, &caps[n], "qemu_exit", DEBUG_EXIT_PORT, 4)) != E_OK)
			goto fail;
		n++;
	}

	struct elf_start_cap start[MNOS_START_MAX_CAPS];
	for (unsigned i = 0; i < n; i++) {
		e = cap_insert_root(p->cspace, i + 1, caps[i].obj, caps[i].rights, 0);
		if (e != E_OK)
			goto fail;
		start[i] = (struct elf_start_cap){ i + 1, caps[i].type, caps[i].name };
	}
	static const char *const argv[] = { "init" };
	struct elf_args args = { .argv = argv, .argc = 1, .caps = start, .ncaps = n,
				 .stack_size = INIT_STACK };
	struct elf_image im;
	if ((e = elf_load(p, img, size, &args, &im)) != E_OK) {
		char why[96] = "";
		if (e == E_INVAL)
			elf_explain(im.error, &im.info, why, sizeof(why));
		pr_err("init: %s is not a program it can run: %s %s", INIT_PATH, kerr_name(e),
		       why);
		goto fail;
	}
	struct thread *t;
	if ((e = user_thread_create(p, im.entry, im.sp, im.start_info, &t)) != E_OK)
		goto fail;
	for (unsigned i = 0; i < n; i++)
		kobj_put(caps[i].obj);
	if (fbm) {
		/* Last, when nothing can fail any more: the kernel's log stays on the
		 * screen if init cannot be started. */
		pr_info("init: the framebuffer goes to user space; the kernel draws on it "
			"again only if it panics");
		consoles_fb_handover();
	}
	pr_info("init: started %s (%zu bytes) with %u capabilities and %llu MiB of quota",
		INIT_PATH, size, n, (unsigned long long)(quota >> 20));
	user_stamp_first_entry(t);      /* boot_to_init ends at its first instruction */
	thread_launch(t);
	thread_detach(t);
	process_put(p);                 /* its thread and its capability keep it */
	return E_OK;

fail:
	pr_err("init: cannot start it (%s)", kerr_name(e));
	for (unsigned i = 0; i < n; i++)
		kobj_put(caps[i].obj);
	process_kill(p);
	process_put(p);
	return e;
}
