/*
 * Which CPU is running. Until the SMP phase starts other CPUs (and per-CPU data is
 * reached through GS), only the boot CPU runs, and it is CPU 0.
 */
#ifndef ARCH_SMP_H
#define ARCH_SMP_H

#define MAX_CPUS 64

static inline unsigned arch_cpu_id(void) { return 0; }

#endif
