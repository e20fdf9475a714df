/*
 * libmnos, the user library (docs/USERSPACE.md): everything a program includes. The
 * parts:
 *   <mnos/syscalls.h>  one stub per system call, generated from abi/abi.py
 *   <mnos/sysinfo.h>   what system_info copies out (kernel/include/mnos/)
 *   <mnos/runtime.h>   start-up information, exit/abort, address-space regions, locks
 *   <mnos/slot.h>      the capability-slot allocator
 *   <mnos/malloc.h>    malloc, free, calloc, realloc (and the allocator underneath)
 *   <mnos/string.h>    strings, characters, number conversions (with klib.h's)
 *   <mnos/stdio.h>     printf and friends, to a replaceable output sink
 *   <mnos/assert.h>    assert()
 *   <mnos/rpc.h>       client calls and server loops over endpoints
 *   <mnos/spawn.h>     starting a program from an ELF image in memory
 *   <mnos/thread.h>    more threads in the calling process
 *   <mnos/proc.h>      spawn, wait, kill through the process service; getenv
 *   <mnos/fs.h>        paths, the VFS's protocol and statuses
 *   <mnos/file.h>      files and directories: open, read, write, ... (stdio.h: FILE)
 */
#ifndef MNOS_H
#define MNOS_H

#include <stdarg.h>
#include <klib.h>
#include <kerr.h>
#include <mnos/start.h>
#include <mnos/syscalls.h>
#include <mnos/sysinfo.h>
#include <mnos/runtime.h>
#include <mnos/slot.h>
#include <mnos/malloc.h>
#include <mnos/string.h>
#include <mnos/stdio.h>
#include <mnos/assert.h>
#include <mnos/rpc.h>
#include <mnos/spawn.h>
#include <mnos/thread.h>
#include <mnos/names.h>
#include <mnos/console.h>
#include <mnos/proc.h>
#include <mnos/fs.h>
#include <mnos/file.h>
#include <mnos/stream.h>

#endif
