/*
 * The initramfs (initramfs.h, docs/INITRAMFS.md): found among the boot modules by
 * name, checked once with the ustar reader (kernel/lib/ustar.c), then read in place —
 * the module's frames are reserved in pmm_init and never freed, so the archive and the
 * read-only memory object over it live as long as the kernel.
 */
#include <initramfs.h>
#include <klib.h>
#include <log.h>
#include <ustar.h>
#include <vmm.h>

/* Set once by initramfs_init, at boot on one CPU, before anything reads them. */
static struct {
	const uint8_t *data;            /* [I] NULL: no usable initramfs */
	size_t size;                    /* [I] */
	paddr_t start, end;             /* [I] */
	struct memobj *mo;              /* [I] the kernel's reference */
} ramfs;

/* Pays for the memory object's header: the kernel's, not any process's. */
static struct quota ramfs_quota;

static const struct boot_module *find_module(const struct boot_info *bi)
{
	const struct boot_module *found = NULL;

	for (size_t i = 0; i < bi->module_count; i++) {
		if (strcmp(bi->modules[i].name, INITRAMFS_MODULE_NAME) != 0)
			continue;
		if (found) {
			pr_warn("initramfs: more than one boot module is named '%s'; the first "
				"is used", INITRAMFS_MODULE_NAME);
			break;
		}
		found = &bi->modules[i];
	}
	return found;
}

void initramfs_init(const struct boot_info *bi)
{
	const struct boot_module *m = find_module(bi);

	if (!m) {
		pr_warn("initramfs: no boot module named '%s' (%zu other module%s): no "
			"initramfs", INITRAMFS_MODULE_NAME, bi->module_count,
			bi->module_count == 1 ? "" : "s");
		return;
	}
	uint64_t start = m->start.raw, size = m->end.raw - m->start.raw;
	uint64_t pages = ALIGN_UP(size, (uint64_t)PAGE_SIZE);
	/* The memory object starts at the module's first byte, so the archive must start
	 * a page; GRUB page-aligns every module. */
	if (!IS_ALIGNED(start, PAGE_SIZE) || size == 0 ||
	    !vmm_in_direct_map(m->start, pages)) {
		pr_err("initramfs: module at %#llx, %llu bytes, is empty, not page aligned or "
		       "not in RAM: not used", (unsigned long long)start,
		       (unsigned long long)size);
		return;
	}
	const uint8_t *data = phys_to_virt(m->start);
	size_t entries = 0, where = 0;
	enum ustar_error err = ustar_check(data, size, &entries, &where);
	if (err != USTAR_OK) {
		pr_err("initramfs: malformed archive (%s at offset %zu): not used",
		       ustar_strerror(err), where);
		return;
	}
	quota_init(&ramfs_quota, PAGE_SIZE);
	kerr_t e = memobj_create_ram_ro(&ramfs_quota, m->start, pages, &ramfs.mo);
	if (e != E_OK) {
		pr_err("initramfs: no memory object over it (%s): not used", kerr_name(e));
		return;
	}
	ramfs.data = data;
	ramfs.size = size;
	ramfs.start = m->start;
	ramfs.end = m->end;
	pr_info("initramfs: %zu entries, %llu KiB at %#llx", entries,
		(unsigned long long)(size / 1024), (unsigned long long)start);
}

const void *initramfs_archive(size_t *size)
{
	*size = ramfs.data ? ramfs.size : 0;
	return ramfs.data;
}

bool initramfs_phys(paddr_t *start, paddr_t *end)
{
	*start = ramfs.start;
	*end = ramfs.end;
	return ramfs.data != NULL;
}

struct memobj *initramfs_memobj(void)
{
	return ramfs.mo;
}

kerr_t initramfs_find(const char *path, const void **data, size_t *size)
{
	struct ustar_entry e;

	if (!ramfs.data)
		return E_NOT_FOUND;
	switch (ustar_find(ramfs.data, ramfs.size, path, &e)) {
	case USTAR_OK:
		break;
	case USTAR_E_DUPLICATE:
		return E_EXISTS;
	default:
		/* Not there (the archive itself was checked at boot). */
		return E_NOT_FOUND;
	}
	if (e.type != USTAR_FILE)
		return E_TYPE;
	*data = e.data;
	*size = (size_t)e.size;
	return E_OK;
}
