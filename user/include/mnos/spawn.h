/*
 * Starting a program from an ELF image in memory, from user space (user/lib/spawn.c;
 * docs/USERSPACE.md, "Spawning"). The image is checked by the kernel's own rules
 * (kernel/exec/elf_check.c) and the new program gets exactly the stack and start
 * information the kernel's loader would give it (kernel/exec/elf_stack.c), so crt0 and
 * start-up are the same either way.
 */
#ifndef MNOS_SPAWN_H
#define MNOS_SPAWN_H

#include <types.h>
#include <elf.h>

/* A capability of the caller's to give the new program: copied (cap_copy, so it needs
 * DERIVE) with rights into the new process's slot 1, 2, ... in order, and listed in its
 * start information under name with type (the caller says what it is; 0: unknown). */
struct mnos_spawn_cap {
	uint32_t slot;
	uint32_t type;
	uint32_t rights;
	const char *name;               /* shorter than MNOS_START_CAP_NAME */
};

struct mnos_spawn_args {
	const char *const *argv;        /* argc strings; argv[0] is the program's name */
	uint32_t argc;
	const char *const *envp;        /* envc strings, "NAME=value" by convention; they */
	uint32_t envc;                  /* follow argv's NULL on the stack (getenv) */
	const struct mnos_spawn_cap *caps;
	uint32_t ncaps;                 /* at most MNOS_START_MAX_CAPS */
	uint32_t nslots;                /* its capability space (0: 256) */
	uint64_t quota;                 /* bytes carved from the caller's (0: 1 MiB) */
	uint64_t stack_size;            /* 0: ELF_STACK_DEFAULT */
	uint32_t fault;                 /* a notification told of its faults (0: none) */
	/* Where the image lies, if it is read-only memory the caller has a capability to
	 * (the initramfs): a memory object (0: none) with READ and EXEC, and the byte
	 * offset of img in it. Read-only segments whose pages lie whole and page-aligned
	 * in it are mapped from it (mem_map_pages), shared and not copied; the rest are
	 * copied as without it. The object must be one nobody can write, since the new
	 * program runs those pages as they are. */
	uint32_t image_mem;
	uint64_t image_offset;
};

struct mnos_spawned {
	uint32_t proc;                  /* the process (every right) */
	uint32_t thread;                /* its first thread (every right) */
	enum elf_error error;           /* why the image was refused, on E_INVAL */
	uint64_t bytes;                 /* the image it copied and the stack, charged to
					 * the caller (not what it mapped from image_mem) */
};

#define MNOS_SPAWN_DEFAULT_SLOTS        256
#define MNOS_SPAWN_DEFAULT_QUOTA        (1ull << 20)

/*
 * Start the executable in [img, img + size) as a new process, running. Its image and
 * stack are memory objects the caller makes and pays for (its quota, until the process
 * ends); the process's quota pays for what the program itself makes. out->proc and
 * out->thread are slots from the slot allocator: give them back with mnos_slot_free.
 * Everything is checked before anything is made, and a failure later undoes what was
 * made (slots free, quota back).
 *
 * E_INVAL: the image is refused (out->error says why), a NULL argument, a name too long,
 *   nslots past MNOS_CSPACE_MAX_SLOTS or too small for the capabilities;
 * E_RANGE: too many arguments, environment strings or capabilities, argument and
 *   environment strings past 4 KiB together, a stack size past ELF_STACK_MAX;
 * E_NO_MEMORY: the quota ran out, or no slot is free;
 * and the errors of cap_copy for a capability to give (E_NOT_FOUND, E_PERM, ...).
 */
enum mnos_error mnos_spawn(const void *img, size_t size, const struct mnos_spawn_args *args,
			   struct mnos_spawned *out);

#endif
