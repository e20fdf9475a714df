/* Shared between ap_boot.S and smp.c: where the AP trampoline runs and the layout of
 * its parameter block. */
#ifndef ARCH_SMP_BOOT_H
#define ARCH_SMP_BOOT_H

#define AP_TRAMP_ADDR 0x8000    /* page 8: STARTUP IPI vector 0x08 */

#ifndef __ASSEMBLY__
#include <stdint.h>

struct ap_params {
	uint32_t cr3;           /* temporary PML4, below 4 GiB */
	uint32_t efer;          /* bits to set in EFER: LME, NXE */
	uint64_t stack;         /* the AP's kernel stack top */
	uint64_t entry;         /* ap_main */
	uint32_t cpu;           /* logical CPU number */
	uint32_t pad;
};

_Static_assert(sizeof(struct ap_params) == 32, "ap_boot.S parameter block");
#endif

#endif
