/*
 * Starting init, the first user process (kernel/core/initproc.c, docs/INIT.md).
 */
#ifndef INITPROC_H
#define INITPROC_H

#include <kerr.h>

/* Load sbin/init from the initramfs and start it with every boot capability. An error
 * (logged) when there is no initramfs or init, or it cannot be started. */
kerr_t init_start(void);

#endif
