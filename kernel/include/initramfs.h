/*
 * The initramfs (docs/INITRAMFS.md): the ustar archive of user programs (bin/, sbin/,
 * test/) and configuration (etc/...) that GRUB loads as the Multiboot2 module named
 * "initramfs".
 * The kernel checks it once at boot with the ustar reader (ustar.h), keeps its frames
 * out of the allocator (pmm_init reserves every module), and makes a read-only memory
 * object over it, which init is given as a capability; the kernel itself reads files
 * from it (initramfs_find) to start init.
 */
#ifndef INITRAMFS_H
#define INITRAMFS_H

#include <types.h>
#include <kerr.h>
#include <bootinfo.h>
#include <memobj.h>

#define INITRAMFS_MODULE_NAME   "initramfs"

/*
 * Boot, after memobj_init: find the module, check that it is page aligned and RAM,
 * check the archive, make the memory object, and log one line with what was found.
 * A missing module is a warning and a malformed one an error in the log; the kernel
 * goes on without an initramfs either way (initramfs_memobj() is then NULL).
 */
void initramfs_init(const struct boot_info *bi);

/* The checked archive, read through the direct map, and its size (the module's, which
 * the build pads to whole pages); NULL when there is no usable initramfs. */
const void *initramfs_archive(size_t *size);

/* Where the module lies in physical memory ([start, end)); false without one. */
bool initramfs_phys(paddr_t *start, paddr_t *end);

/* The read-only memory object over the archive (memobj_create_ram_ro), or NULL. The
 * kernel keeps its reference for good; whoever gives it out takes its own (kobj_get)
 * or gives a capability (cap_insert_root). */
struct memobj *initramfs_memobj(void);

/*
 * A regular file of the initramfs, by its normalised path ("sbin/init"): its data (in
 * the archive, read-only) and size. E_NOT_FOUND: no initramfs, or no such path;
 * E_TYPE: the path is a directory; E_EXISTS: the archive holds the path twice, so
 * which one is meant is not clear.
 */
kerr_t initramfs_find(const char *path, const void **data, size_t *size);

#endif
