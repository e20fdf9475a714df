/*
 * What the system_info system call (docs/SYSCALLS.md) copies out: a fixed layout the
 * kernel (kernel/syscall/sys_misc.c) and user programs (mem, uptime, uname, bench)
 * share, so it uses only fixed-size types and is pinned below.
 *
 * Versioning: fields are only ever appended. The kernel writes min(size the caller
 * gave, its own sizeof) bytes and puts that count in size, so a program built against
 * a shorter layout gets the fields it knows, and one built against a longer layout
 * than the kernel's sees from size which of its fields were filled. version counts
 * the layouts; MNOS_SYSINFO_MIN_SIZE (the ABI table) is version 1's size, the least
 * the call takes.
 */
#ifndef MNOS_SYSINFO_H
#define MNOS_SYSINFO_H

#include <stdint.h>

#define MNOS_SYSINFO_VERSION    3       /* 2: the boot's TSC stamps; 3: TLB shootdowns */
#define MNOS_SYSINFO_STR        16      /* bytes of each string, with its NUL */

struct mnos_sysinfo {
	uint32_t version;                       /* MNOS_SYSINFO_VERSION of the kernel */
	uint32_t size;                          /* bytes the kernel wrote */
	char kernel[MNOS_SYSINFO_STR];          /* "MinimalOS" */
	char release[MNOS_SYSINFO_STR];         /* "0.1.0": the boot banner's version */
	char build[MNOS_SYSINFO_STR];           /* the banner's build id (git revision) */
	char machine[MNOS_SYSINFO_STR];         /* "x86_64" */
	uint64_t uptime_ns;                     /* the monotonic clock: since boot */
	uint64_t tsc_hz;                        /* the TSC's frequency (0: unknown) */
	uint32_t cpus_online;
	uint32_t reserved;                      /* 0 */
	uint64_t mem_total;                     /* bytes of RAM the frame allocator manages */
	uint64_t mem_free;                      /* bytes of them free */
	uint64_t heap_in_use;                   /* bytes of live kernel heap blocks */
	uint64_t heap_held;                     /* bytes the kernel heap has mapped */
	uint64_t threads;                       /* threads alive (kernel threads too) */
	uint64_t processes;                     /* processes alive (the kernel's too) */
	/* Version 2: TSC values for the boot-time figures (docs/PERFORMANCE.md). With one
	 * CPU, the TSC ticks between two stamps less the halted ticks between them are the
	 * ticks the CPU ran: instructions under QEMU's -icount. */
	uint64_t tsc_kernel_entry;              /* at the kernel's first instructions */
	uint64_t tsc_init_entry;                /* at init's first instruction (0: none) */
	uint64_t halted_at_init;                /* TSC ticks all CPUs had spent halted then */
	uint64_t halted;                        /* TSC ticks all CPUs have spent halted */
	/* Version 3. */
	uint64_t tlb_shootdowns;                /* TLB shootdowns sent to other CPUs since
						 * boot (an unmap in a space loaded elsewhere,
						 * kernel mappings changed) */
};

_Static_assert(__builtin_offsetof(struct mnos_sysinfo, kernel) == 8, "sysinfo");
_Static_assert(__builtin_offsetof(struct mnos_sysinfo, uptime_ns) == 72, "sysinfo");
_Static_assert(__builtin_offsetof(struct mnos_sysinfo, cpus_online) == 88, "sysinfo");
_Static_assert(__builtin_offsetof(struct mnos_sysinfo, mem_total) == 96, "sysinfo");
_Static_assert(__builtin_offsetof(struct mnos_sysinfo, tsc_kernel_entry) == 144, "sysinfo");
_Static_assert(__builtin_offsetof(struct mnos_sysinfo, tlb_shootdowns) == 176, "sysinfo");
_Static_assert(sizeof(struct mnos_sysinfo) == 184, "sysinfo");

#endif
