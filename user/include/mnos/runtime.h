/*
 * A program's run-time (docs/USERSPACE.md, "Program start-up" and "The address space"):
 * what it was started with, how it ends, where the library puts things in its address
 * space, and a lock for data that threads share.
 */
#ifndef MNOS_RUNTIME_H
#define MNOS_RUNTIME_H

#include <types.h>
#include <mnos/abi.h>
#include <mnos/start.h>

/* The library's parts of the address space (the image is at MNOS_USER_BASE, the stack
 * just below USER_STACK_TOP, docs/ELF.md). */
#define MNOS_HEAP_BASE          0x100000000000ull       /* malloc's heap: 16 TiB ... */
#define MNOS_HEAP_END           0x110000000000ull       /* ... up to 1 TiB of it */
#define MNOS_MAP_BASE           0x200000000000ull       /* mnos_va_alloc: IPC buffers, */
#define MNOS_MAP_END            0x210000000000ull       /* windows to fill memory through */

/* What the loader handed this program (never NULL once main runs). */
extern const struct mnos_start_info *mnos_start_info;

/* The slot of the initial capability called name, or 0 if there is none. */
uint32_t mnos_start_cap(const char *name);

int main(int argc, char **argv);

/* Run the functions given to mnos_atexit (the last given first, each once), then end
 * the process: every thread of it (proc_kill on itself). A program the process service
 * started reports status to it first, for its parent's wait (mnos/proc.h); a service
 * init started reports to init, which does not restart one that exited with 0. A
 * thread that should end alone calls mnos_thread_exit. */
__attribute__((noreturn)) void exit(int status);

/* Have exit() call fn: stdio's flush, the file session's end. E_NO_MEMORY past 16. */
int mnos_atexit(void (*fn)(void));

/* Print "abort" and end the calling thread with an invalid-opcode fault, which the
 * kernel reports on the process's fault notification (proc_set_fault) if it has one. */
__attribute__((noreturn)) void abort(void);

/* Page-aligned free addresses for npages pages in [MNOS_MAP_BASE, MNOS_MAP_END), with an
 * unmapped page after them; never handed out twice. 0 when the region is used up. */
uint64_t mnos_va_alloc(uint64_t npages);

/* Map the memory object mem, of at least bytes bytes, read-only at fresh addresses
 * (mnos_va_alloc): where, or NULL if it cannot be. */
const void *mnos_map_ro(uint32_t mem, uint64_t bytes);

/* The calling thread's IPC buffer: the one its creator attached (the start
 * information's ipc_buffer, for the first thread) or the one this call attaches now at a
 * fresh address (ipc_buffer_set). NULL when none can be had. Other threads call
 * mnos_ipc_buffer_new themselves. */
struct mnos_ipc_buffer *mnos_ipc_buffer_main(void);
struct mnos_ipc_buffer *mnos_ipc_buffer_new(void);

/* The calling thread's IPC buffer, attached on first use: for the first thread and
 * those mnos_thread_start made (told apart by their stacks); NULL for another thread,
 * or when none can be had. Library code that needs a buffer uses this. */
struct mnos_ipc_buffer *mnos_ipc_buffer(void);
/* mnos_thread_start: a thread's stack, [lo, hi). */
void mnos_thread_register(uint64_t lo, uint64_t hi);

/* A lock for data the threads of a process share: spins, yielding the CPU, until free.
 * Zero-initialised is unlocked. */
struct mnos_lock {
	int held;
};

void mnos_lock(struct mnos_lock *l);
void mnos_unlock(struct mnos_lock *l);

#endif
