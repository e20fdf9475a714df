/*
 * The initramfs in the running kernel (initramfs.h): GRUB loaded the archive the build
 * packed, the kernel found and checked it, lists exactly what the packer wrote (the
 * manifest build/gen/initramfs_manifest.h, from tools/mkinitramfs.py), keeps its frames
 * from the allocator, and its memory object maps into a user process read-only and
 * write-back with the archive's bytes. Boots without the module, or with a malformed
 * one, say so on the command line (expect.initramfs=0): then there must be none.
 */
#include <ktest.h>
#include "uproc.h"
#include "../fnv1a.h"
#include <cmdline.h>
#include <log.h>
#include <initramfs.h>
#include <pmm.h>
#include <ustar.h>
#include <initramfs_manifest.h>

#define RAMFS_VA        0x10000000ull

struct packed {
	const char *path;
	enum ustar_type type;
	uint64_t size;
	uint64_t fnv;
};

#define X(path, type, size, fnv) { path, type, size, fnv },
static const struct packed packed[] = { INITRAMFS_BUILD_ENTRIES };
#undef X

/* Does this boot have an initramfs? (ktest_skip()s and says no when it should not.) */
static bool expected(void)
{
	char val[4];

	if (cmdline_get(boot_info.cmdline, "expect.initramfs", val, sizeof(val)) &&
	    strcmp(val, "0") == 0) {
		ktest_skip("booted without a usable initramfs (expect.initramfs=0)");
		return false;
	}
	return true;
}

KTEST(initramfs, module_is_found_and_checked)
{
	size_t size;
	const void *tar = initramfs_archive(&size);
	char val[4];

	if (cmdline_get(boot_info.cmdline, "expect.initramfs", val, sizeof(val)) &&
	    strcmp(val, "0") == 0) {
		/* None, or a malformed one: nothing is made of it, and the kernel runs on. */
		const void *d;
		paddr_t s, e;
		KT_EXPECT(tar == NULL);
		KT_EXPECT_EQ(size, 0);
		KT_EXPECT(initramfs_memobj() == NULL);
		KT_EXPECT(!initramfs_phys(&s, &e));
		KT_EXPECT_EQ(initramfs_find("test/utest", &d, &size), E_NOT_FOUND);
		return;
	}
	KT_ASSERT(tar != NULL);
	KT_EXPECT_EQ(size, INITRAMFS_BUILD_SIZE);
	KT_EXPECT_EQ(fnv1a64(tar, size), INITRAMFS_BUILD_FNV);
	KT_EXPECT_EQ(ustar_check(tar, size, NULL, NULL), USTAR_OK);
	KT_EXPECT(initramfs_memobj() != NULL);
}

KTEST(initramfs, lists_exactly_what_the_build_packed)
{
	if (!expected())
		return;
	size_t size, n = 0;
	const void *tar = initramfs_archive(&size);
	struct ustar_iter it;
	struct ustar_entry e;

	KT_ASSERT(tar != NULL);
	ustar_iter_init(&it, tar, size);
	while (ustar_next(&it, &e) == USTAR_OK) {
		KT_ASSERT(n < ARRAY_SIZE(packed));
		kprintf("# initramfs: %s %s, %llu bytes\n", e.type == USTAR_DIR ? "dir " : "file",
			e.path, (unsigned long long)e.size);
		KT_EXPECT_STREQ(e.path, packed[n].path);
		KT_EXPECT_EQ(e.type, packed[n].type);
		KT_EXPECT_EQ(e.size, packed[n].size);
		KT_EXPECT_EQ(fnv1a64(e.data, e.size), packed[n].fnv);
		n++;
	}
	KT_EXPECT_EQ(ustar_next(&it, &e), USTAR_END);
	KT_EXPECT_EQ(n, ARRAY_SIZE(packed));
}

KTEST(initramfs, find_gives_files_only)
{
	if (!expected())
		return;
	const void *data;
	size_t size;

	for (size_t i = 0; i < ARRAY_SIZE(packed); i++) {
		kerr_t e = initramfs_find(packed[i].path, &data, &size);
		if (packed[i].type == USTAR_DIR) {
			KT_EXPECT_EQ(e, E_TYPE);
			continue;
		}
		KT_EXPECT_EQ(e, E_OK);
		KT_EXPECT_EQ(size, packed[i].size);
		KT_EXPECT_EQ(fnv1a64(data, size), packed[i].fnv);
	}
	/* The user programs are ELF files: commands under bin/, services (init, which the
	 * kernel starts, among them) under sbin/, test programs under test/. */
	static const char *const progs[] = { "bin/ls", "sbin/init", "test/utest" };
	for (size_t i = 0; i < ARRAY_SIZE(progs); i++) {
		KT_ASSERT_EQ(initramfs_find(progs[i], &data, &size), E_OK);
		KT_EXPECT(size > 4 && memcmp(data, "\177ELF", 4) == 0);
	}
	KT_EXPECT_EQ(initramfs_find("bin/init", &data, &size), E_NOT_FOUND);
	KT_EXPECT_EQ(initramfs_find("bin/utest", &data, &size), E_NOT_FOUND);
	KT_EXPECT_EQ(initramfs_find("etc/init.conf", &data, &size), E_OK);
	KT_EXPECT_EQ(initramfs_find("/test/utest", &data, &size), E_NOT_FOUND);
	KT_EXPECT_EQ(initramfs_find("test/utest/", &data, &size), E_NOT_FOUND);
	KT_EXPECT_EQ(initramfs_find("test/none", &data, &size), E_NOT_FOUND);
	KT_EXPECT_EQ(initramfs_find("", &data, &size), E_NOT_FOUND);
}

KTEST(initramfs, frames_are_reserved)
{
	if (!expected())
		return;
	paddr_t start, end;

	KT_ASSERT(initramfs_phys(&start, &end));
	KT_EXPECT(IS_ALIGNED(start.raw, PAGE_SIZE));
	KT_EXPECT_EQ(end.raw - start.raw, INITRAMFS_BUILD_SIZE);
	uint64_t managed = 0;
	for (uint64_t p = start.raw; p < ALIGN_UP(end.raw, (uint64_t)PAGE_SIZE); p += PAGE_SIZE)
		managed += pmm_is_managed(pa(p));
	KT_EXPECT_EQ(managed, 0);
	/* The check can fail: a frame the allocator hands out is managed. */
	paddr_t f = pmm_alloc();
	KT_ASSERT(f.raw != 0);
	KT_EXPECT(pmm_is_managed(f));
	pmm_free(f);
}

KTEST(initramfs, memobj_maps_read_only_into_a_user_process)
{
	if (!expected())
		return;
	static struct uproc u;
	struct memobj *mo = initramfs_memobj();
	paddr_t start, end, phys;
	unsigned flags;

	KT_ASSERT(mo != NULL);
	KT_ASSERT(initramfs_phys(&start, &end));
	KT_EXPECT(mo->ram_ro && !mo->device);
	KT_EXPECT_EQ(mo->base.raw, start.raw);
	KT_EXPECT_EQ(mo->npages, ALIGN_UP(INITRAMFS_BUILD_SIZE, PAGE_SIZE) / PAGE_SIZE);

	/* A capability with every right: still never WRITE, whole or in part. EXEC only
	 * through a capability that has it (the process service maps text so). */
	uint64_t objs = kobj_count();
	KT_ASSERT(uproc_init(&u, ublob_fnv_start, ublob_fnv_end));
	KT_ASSERT_EQ(cap_insert_root(&u.cs, 3, &mo->obj, CAP_R_ALL, 0), E_OK);
	KT_ASSERT_EQ(cap_copy(&u.cs, 3, &u.cs, 4, CAP_R_READ), E_OK);
	KT_EXPECT_EQ(mem_map(&u.cs, 3, u.p, va(RAMFS_VA), CAP_R_READ | CAP_R_WRITE), E_PERM);
	KT_EXPECT_EQ(mem_map_pages(&u.cs, 3, u.p, va(RAMFS_VA), CAP_R_READ | CAP_R_WRITE, 0, 1),
		     E_PERM);
	KT_EXPECT_EQ(mem_map(&u.cs, 4, u.p, va(RAMFS_VA), CAP_R_READ | CAP_R_EXEC), E_PERM);
	KT_EXPECT(!vmm_translate(u.p->as, va(RAMFS_VA), &phys, &flags));
	KT_ASSERT_EQ(mem_map_pages(&u.cs, 3, u.p, va(RAMFS_VA), CAP_R_READ | CAP_R_EXEC, 0, 1),
		     E_OK);
	KT_ASSERT(vmm_translate(u.p->as, va(RAMFS_VA), &phys, &flags));
	KT_EXPECT_EQ(phys.raw, start.raw);
	KT_EXPECT((flags & VM_EXEC) && !(flags & VM_WRITE));
	KT_ASSERT_EQ(mem_unmap(u.p, va(RAMFS_VA)), E_OK);
	KT_ASSERT_EQ(cap_delete(&u.cs, 4), E_OK);
	KT_ASSERT_EQ(mem_map(&u.cs, 3, u.p, va(RAMFS_VA), CAP_R_READ), E_OK);
	for (uint64_t off = 0; off < mo->npages * PAGE_SIZE; off += PAGE_SIZE) {
		KT_ASSERT(vmm_translate(u.p->as, va(RAMFS_VA + off), &phys, &flags));
		KT_EXPECT_EQ(phys.raw, start.raw + off);
		KT_EXPECT(flags & VM_USER);
		KT_EXPECT(!(flags & (VM_WRITE | VM_EXEC | VM_UC)));  /* write-back, read-only */
	}

	/* The process reads the archive's bytes, then its write faults. */
	uint64_t faults = user_fault_count();
	u.data[0] = RAMFS_VA;
	u.data[1] = INITRAMFS_BUILD_SIZE;
	u.data[2] = u.data[3] = 0;
	KT_ASSERT_EQ(uproc_run(&u), E_OK);
	KT_EXPECT_EQ(u.data[2], INITRAMFS_BUILD_FNV);
	KT_EXPECT_EQ(u.data[3], 0);
	KT_EXPECT_EQ(user_fault_count(), faults + 1);
	KT_EXPECT_EQ(*(const uint8_t *)phys_to_virt(start), 'b');      /* "bin/", unchanged */

	uproc_fini(&u);
	/* Everything the process made is gone; the kernel's reference keeps the object. */
	KT_EXPECT_EQ(kobj_count(), objs);
	KT_EXPECT(initramfs_memobj() == mo);
}
