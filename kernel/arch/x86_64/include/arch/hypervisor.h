/*
 * The hypervisor the kernel runs under, if any (hypervisor.c), found in phase 1 before
 * any other CPU starts, and how locks are waited for there: spin_fifo (spinlock.h).
 */
#ifndef ARCH_HYPERVISOR_H
#define ARCH_HYPERVISOR_H

#include <types.h>

enum hypervisor { HV_NONE, HV_TCG, HV_KVM, HV_OTHER };

void hypervisor_detect(void);
enum hypervisor hypervisor_kind(void);
/* "none", "tcg", "kvm" or "other": what boot logs and expect.hv= name. */
const char *hypervisor_name(void);

#endif
