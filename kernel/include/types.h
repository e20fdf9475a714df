/*
 * Basic kernel types. Physical and virtual addresses are distinct struct types so that
 * passing one where the other is expected is a compile error (seL4's paddr_t/vptr_t);
 * the direct-map helpers below are the only sanctioned way to turn one into the other.
 */
#ifndef TYPES_H
#define TYPES_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdarg.h>
#include <arch/layout.h>

typedef struct { uint64_t raw; } paddr_t;
typedef struct { uint64_t raw; } vaddr_t;

static inline paddr_t pa(uint64_t raw) { return (paddr_t){ raw }; }
static inline vaddr_t va(uint64_t raw) { return (vaddr_t){ raw }; }

#define PADDR_NULL ((paddr_t){ 0 })

/* Kernel virtual address of a physical address, through the direct map (HHDM). */
static inline void *phys_to_virt(paddr_t p)
{
	return (void *)(uintptr_t)(p.raw + HHDM_BASE);
}

/*
 * Physical address of a kernel pointer: either a direct-map address or an address in the
 * kernel image, which is mapped at KERNEL_VMA + its physical address.
 */
static inline paddr_t virt_to_phys(const void *v)
{
	uint64_t x = (uint64_t)(uintptr_t)v;

	if (x >= KERNEL_VMA)
		return pa(x - KERNEL_VMA);
	return pa(x - HHDM_BASE);
}

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a) (((x) + ((a) - 1)) & ~((__typeof__(x))(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a) - 1)) == 0)
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

/* Bits set in x. (__builtin_popcountll would call libgcc, which the kernel does not
 * link, unless the CPU's POPCNT is assumed.) */
static inline unsigned popcount64(uint64_t x)
{
	unsigned n = 0;

	for (; x; x &= x - 1)
		n++;
	return n;
}

#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

#define __noreturn      __attribute__((noreturn))
#define __packed        __attribute__((packed))
#define __aligned(n)    __attribute__((aligned(n)))
#define __section(s)    __attribute__((section(s)))
#define __used          __attribute__((used))
#define __printf(a, b)  __attribute__((format(printf, a, b)))
#define __noinline      __attribute__((noinline))
#ifndef __always_inline        /* the C library defines it for host tests */
#define __always_inline inline __attribute__((always_inline))
#endif
#define likely(x)       __builtin_expect(!!(x), 1)
#define unlikely(x)     __builtin_expect(!!(x), 0)

/* Code and data only used while booting (seL4's BOOT_CODE): kept in their own sections so
 * they can be audited, and later freed. */
#define __init          __section(".text.init")
#define __initdata      __section(".data.init")

#endif
