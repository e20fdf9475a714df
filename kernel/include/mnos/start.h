/*
 * What a program finds when it starts (docs/ELF.md, "The start information"): the ELF
 * loader (kernel/exec/elf_load.c) writes this structure onto the new program's stack
 * and passes its address in rdi. User space includes this header too, so it uses only
 * fixed-size types, addresses as uint64_t, and a layout pinned below.
 */
#ifndef MNOS_START_H
#define MNOS_START_H

#include <stdint.h>

#define MNOS_START_MAGIC        0x5452415453534f4eull   /* "NOSSTART", little-endian */
#define MNOS_START_VERSION      1
#define MNOS_START_MAX_CAPS     16
#define MNOS_START_CAP_NAME     16      /* bytes, with the NUL */

/* One initial capability: its slot in the program's capability space, its object type
 * (the kernel's object type numbers), and what it is for ("console"). */
struct mnos_start_cap {
	uint32_t slot;
	uint32_t type;
	char name[MNOS_START_CAP_NAME];         /* NUL-terminated */
};

struct mnos_start_info {
	uint64_t magic;                 /* MNOS_START_MAGIC */
	uint32_t version;               /* MNOS_START_VERSION */
	uint32_t size;                  /* sizeof(struct mnos_start_info) */
	uint64_t argc;
	uint64_t argv;                  /* char *argv[argc + 1], NULL-terminated */
	uint64_t stack_base;            /* the stack's lowest mapped byte; a guard page below */
	uint64_t stack_top;             /* just past its highest byte */
	uint64_t ipc_buffer;            /* the first thread's IPC buffer, or 0 */
	uint32_t ncaps;
	uint32_t nslots;                /* the size of the capability space: slots 1 .. nslots-1 */
	struct mnos_start_cap caps[MNOS_START_MAX_CAPS];
};

/* The hand-assembled test program (tools/mk_elf_corpus.py) reads these offsets. */
_Static_assert(__builtin_offsetof(struct mnos_start_info, argc) == 16, "start info");
_Static_assert(__builtin_offsetof(struct mnos_start_info, argv) == 24, "start info");
_Static_assert(__builtin_offsetof(struct mnos_start_info, stack_base) == 32, "start info");
_Static_assert(__builtin_offsetof(struct mnos_start_info, nslots) == 60, "start info");
_Static_assert(__builtin_offsetof(struct mnos_start_info, caps) == 64, "start info");
_Static_assert(sizeof(struct mnos_start_cap) == 24, "start info");
_Static_assert(sizeof(struct mnos_start_info) == 64 + 24 * MNOS_START_MAX_CAPS, "start info");

#endif
