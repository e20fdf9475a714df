/*
 * The boot-info page (docs/INIT.md): what the kernel tells init about the machine, in a
 * read-only memory object init finds among its start capabilities as "bootinfo". User
 * space includes this header: fixed-size types only, a pinned layout.
 */
#ifndef MNOS_BOOTINFO_H
#define MNOS_BOOTINFO_H

#include <stdint.h>

#define MNOS_BOOTINFO_MAGIC     0x4f464e49544f4f42ull   /* "BOOTINFO", little-endian */
#define MNOS_BOOTINFO_VERSION   2       /* 2: the framebuffer's geometry */

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
	/* The framebuffer the "fb" boot capability maps (a device memory object, pages
	 * from fb_offset before its first pixel): all 0 when there is none. Pixel (x, y) is
	 * the fb_bpp / 8 bytes at fb_offset + y * fb_pitch + x * fb_bpp / 8, a little-endian
	 * value with each colour in bits [pos, pos + size). */
	uint32_t fb_width, fb_height;   /* pixels */
	uint32_t fb_pitch;              /* bytes from one pixel row to the next */
	uint32_t fb_offset;             /* of the first pixel in the "fb" object */
	uint8_t fb_bpp;                 /* bits per pixel: 24 or 32 (RGB only) */
	uint8_t fb_red_pos, fb_red_size;
	uint8_t fb_green_pos, fb_green_size;
	uint8_t fb_blue_pos, fb_blue_size;
	uint8_t fb_reserved;            /* 0 */
};

_Static_assert(sizeof(struct mnos_bootinfo) == 64 + 256 + 64 + 24, "boot info layout");
_Static_assert(__builtin_offsetof(struct mnos_bootinfo, fb_width) == 384, "boot info layout");
_Static_assert(__builtin_offsetof(struct mnos_bootinfo, fb_bpp) == 400, "boot info layout");

#endif
