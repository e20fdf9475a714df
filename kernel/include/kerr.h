/*
 * Kernel error codes, returned by value (0 = success). They are the system-call ABI's
 * (abi/abi.py, generated into mnos/abi.h): inside the kernel every fallible operation
 * returns one, and a system call hands it to user code unchanged.
 */
#ifndef KERR_H
#define KERR_H

#include <mnos/abi.h>

typedef enum mnos_error kerr_t;

const char *kerr_name(kerr_t e);

#endif
