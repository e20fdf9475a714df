/*
 * FPU/SSE/AVX state. The kernel itself never touches these registers (it is built with
 * -mgeneral-regs-only). A thread gets a save area on its first FPU instruction, which
 * traps with #NM because CR0.TS is set while a thread without one runs (a user thread's
 * area is reserved when it is made, so that cannot run out of memory); from then on its
 * state is saved and restored eagerly at every switch (XSAVE, or FXSAVE on CPUs without
 * it). Never lazily: leaving one thread's registers in place for the next to find is
 * the CVE-2018-3665 leak.
 */
#ifndef ARCH_FPU_H
#define ARCH_FPU_H

#include <types.h>

/* Boot CPU: enable SSE and XSAVE in CR4, choose the state components (x87, SSE, AVX
 * where present), size the save area. Other CPUs: fpu_init_ap(). */
void fpu_init(void);
void fpu_init_ap(void);

/* What an area can need: the legacy region, the XSAVE header and AVX's upper halves —
 * the components fpu_init ever enables. */
#define FPU_AREA_MAX    (512 + 64 + 256)

size_t fpu_area_size(void);
bool fpu_uses_xsave(void);
uint64_t fpu_xcr0(void);

/* A fresh area holding the initial state (or NULL when out of memory). */
void *fpu_area_alloc(void);
void fpu_area_free(void *area);

void fpu_save(void *area);
void fpu_restore(const void *area);

/* CR0.TS: set while the running thread has no area, so its first use traps. */
void fpu_trap_on_use(bool trap);

#endif
