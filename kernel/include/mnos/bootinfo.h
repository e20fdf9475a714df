/*
 * The boot-info page (docs/INIT.md): what the kernel tells init about the machine, in a
 * read-only memory object init finds among its start capabilities as "bootinfo". User
 * space includes this header: fixed-size types only, a pinned layout.
 */
#ifndef MNOS_BOOTINFO_H
#define MNOS_BOOTINFO_H

#include <stdint.h>

#define MNOS_BOOTINFO_MAGIC     0x4f464e49544f4f42ull   /* "BOOTINFO", little-endian */
#define MNOS_BOOTINFO_VERSION   1

struct mnos_bootinfo {
	uint64_t magic;                 /* MNOS_BOOTINFO_MAGIC */
	uint32_t version;               /* MNOS_BOOTINFO_VERSION */
	uint32_t size;                  /* sizeof(struct mnos_bootinfo) */
	uint64_t mem_total;             /* bytes of RAM the kernel manages */
	uint64_t mem_free;              /* of which free when init was started */
	uint64_t init_quota;            /* bytes of kernel memory init may have made */
	uint64_t initramfs_size;        /* bytes in the "initramfs" memory object */
	uint32_t cpus;                  /* online */
	uint32_t firmware;              /* 0 BIOS, 1 UEFI */
	uint64_t boot_ns;               /* clock when init was started */
	char cmdline[256];              /* the kernel command line, NUL-terminated */
	char loader[64];                /* the boot loader's name */
};

_Static_assert(sizeof(struct mnos_bootinfo) == 64 + 256 + 64, "boot info layout");

#endif
