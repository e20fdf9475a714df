/* Generated from abi/abi.py by tools/gen_abi.py: do not edit. */

/*
 * The system-call ABI shared by the kernel and user code: system-call
 * numbers, error codes, object types, rights bits, the IPC message layout and
 * limits. Freestanding: needs only <stdint.h>. Reference: docs/SYSCALLS.md.
 */
#ifndef MNOS_ABI_H
#define MNOS_ABI_H

/* A 64-bit constant, for C and for the assembler alike. */
#ifdef __ASSEMBLER__
#define MNOS_U64(x) x
#else
#define MNOS_U64(x) x##ull
#endif

/* ---- system-call numbers (rax) ---- */
#define SYS_DEBUG_PRINT             0
#define SYS_YIELD                   1
#define SYS_CLOCK                   2
#define SYS_SLEEP                   3
#define SYS_CAP_COPY                4
#define SYS_CAP_MINT                5
#define SYS_CAP_MOVE                6
#define SYS_CAP_DELETE              7
#define SYS_CAP_REVOKE              8
#define SYS_OBJ_CREATE              9
#define SYS_EP_SEND                 10
#define SYS_EP_NBSEND               11
#define SYS_EP_RECV                 12
#define SYS_EP_CALL                 13
#define SYS_EP_REPLY                14
#define SYS_EP_REPLY_RECV           15
#define SYS_NOTIFY_SIGNAL           16
#define SYS_NOTIFY_WAIT             17
#define SYS_NOTIFY_POLL             18
#define SYS_MEM_MAP                 19
#define SYS_MEM_UNMAP               20
#define SYS_THREAD_CREATE           21
#define SYS_THREAD_EXIT             22
#define SYS_THREAD_CANCEL_IPC       23
#define SYS_IPC_BUFFER_SET          24
#define SYS_IRQ_ACK                 25
#define SYS_IOPORT_IN               26
#define SYS_IOPORT_OUT              27
#define SYS_IRQ_BIND                28
#define SYS_IRQ_UNBIND              29
#define SYS_PROC_SET_FAULT          30
#define SYS_COUNT                   31

/* ---- object types ---- */
#define MNOS_OBJ_NONE                0    /* no object (an empty slot) */
#define MNOS_OBJ_PROCESS             1    /* a process: address space, capability space, quota */
#define MNOS_OBJ_THREAD              2    /* a thread */
#define MNOS_OBJ_ENDPOINT            3    /* a synchronous IPC endpoint */
#define MNOS_OBJ_REPLY               4    /* a reply object: answers one call at a time */
#define MNOS_OBJ_NOTIFICATION        5    /* a word of pending bits */
#define MNOS_OBJ_MEMORY              6    /* a memory object: anonymous frames or a device range */
#define MNOS_OBJ_IRQ                 7    /* an interrupt line */
#define MNOS_OBJ_IOPORT              8    /* a range of x86 I/O ports */
#define MNOS_OBJ_TYPES              9

/* ---- rights: bits 0-7 common to every type, 8 and up per type ---- */
/* process, thread, endpoint, notification, memory, irq, ioport: derive from it (cap_copy, cap_mint) */
#define CAP_R_DERIVE            (1u << 0)
/* process, thread, endpoint, notification, memory, irq, ioport: give it away in a message */
#define CAP_R_GRANT             (1u << 1)
/* endpoint, reply: send and call; on a reply object: reply, receive with it */
#define CAP_R_SEND              (1u << 8)
/* endpoint: receive */
#define CAP_R_RECV              (1u << 9)
/* notification: signal; bind an IRQ line or a fault to it */
#define CAP_R_SIGNAL            (1u << 8)
/* notification: wait and poll */
#define CAP_R_WAIT              (1u << 9)
/* memory: map readable */
#define CAP_R_READ              (1u << 8)
/* memory: map writable */
#define CAP_R_WRITE             (1u << 9)
/* memory: map executable */
#define CAP_R_EXEC              (1u << 10)
/* process, thread, irq, ioport: act on it: map into, create threads in, cancel, acknowledge, use ports */
#define CAP_R_CONTROL           (1u << 8)
#define CAP_R_ALL               0xffffffffu
/* The rights that mean something for each type. */
#define MNOS_RIGHTS_NONE            (0)
#define MNOS_RIGHTS_PROCESS         (CAP_R_DERIVE | CAP_R_GRANT | CAP_R_CONTROL)
#define MNOS_RIGHTS_THREAD          (CAP_R_DERIVE | CAP_R_GRANT | CAP_R_CONTROL)
#define MNOS_RIGHTS_ENDPOINT        (CAP_R_DERIVE | CAP_R_GRANT | CAP_R_SEND | CAP_R_RECV)
#define MNOS_RIGHTS_REPLY           (CAP_R_SEND)
#define MNOS_RIGHTS_NOTIFICATION    (CAP_R_DERIVE | CAP_R_GRANT | CAP_R_SIGNAL | CAP_R_WAIT)
#define MNOS_RIGHTS_MEMORY          (CAP_R_DERIVE | CAP_R_GRANT | CAP_R_READ | CAP_R_WRITE | CAP_R_EXEC)
#define MNOS_RIGHTS_IRQ             (CAP_R_DERIVE | CAP_R_GRANT | CAP_R_CONTROL)
#define MNOS_RIGHTS_IOPORT          (CAP_R_DERIVE | CAP_R_GRANT | CAP_R_CONTROL)

/* ---- IPC messages ---- */
/* message words carried in registers */
#define IPC_REG_WORDS               4
/* words in a message (the rest in the IPC buffer) */
#define IPC_MAX_WORDS               64
/* capabilities in a message */
#define IPC_MAX_CAPS                4
/* info word: length in words, bits 0-6 */
#define IPC_LEN_BITS                7
/* info word: number of capabilities, bits 7-9 */
#define IPC_NCAPS_SHIFT             7
#define IPC_NCAPS_BITS              3
/* info word: bits 10-11 reserved, must be zero */
#define IPC_RESERVED_SHIFT          10
/* info word: label, bits 12-63 */
#define IPC_LABEL_SHIFT             12
#define IPC_POLL                    MNOS_U64(0)    /* timeout: never wait */
#define IPC_FOREVER                 MNOS_U64(0xffffffffffffffff) /* timeout: no limit */

/* ---- limits ---- */
/* bytes one debug_print takes */
#define MNOS_DEBUG_PRINT_MAX        MNOS_U64(0x100)
/* slots a capability space may have */
#define MNOS_CSPACE_MAX_SLOTS       MNOS_U64(0x10000)
/* pages a memory object may have */
#define MNOS_MEMOBJ_MAX_PAGES       MNOS_U64(0x100000)
/* bytes in a page */
#define MNOS_PAGE_SIZE              MNOS_U64(0x1000)
/* lowest user address */
#define MNOS_USER_BASE              MNOS_U64(0x400000)
/* end of user space (exclusive) */
#define MNOS_USER_TOP               MNOS_U64(0x7ffffffff000)
/* bytes a new process costs its creator on top of the quota it is given */
#define MNOS_PROCESS_OVERHEAD       MNOS_U64(0x2000)
/* bytes a thread costs its creator's quota */
#define MNOS_THREAD_CHARGE          MNOS_U64(0x5000)

#ifndef __ASSEMBLER__
#include <stdint.h>

/* Error codes: rax after every system call (0 = success). */
enum mnos_error {
	E_OK = 0,             /* success */
	E_INVAL = 1,          /* an argument is malformed (alignment, range, flags) */
	E_NO_MEMORY = 2,      /* out of physical memory or of a quota */
	E_EXISTS = 3,         /* something is already there (a mapping, a capability) */
	E_NOT_FOUND = 4,      /* nothing is there (an empty slot, no mapping) */
	E_RANGE = 5,          /* outside the allowed address or value range */
	E_PERM = 6,           /* a capability lacks a right the operation needs */
	E_TYPE = 7,           /* a capability names an object of the wrong type */
	E_DELETED = 8,        /* the object went away while the caller waited on it */
	E_TIMEOUT = 9,        /* the time allowed for a wait ran out */
	E_WOULD_BLOCK = 10,   /* a non-blocking operation found nobody to rendezvous with */
	E_CANCELED = 11,      /* the wait was cancelled through the thread's capability */
	E_FAULT = 12,         /* a user pointer led to memory that is not mapped as needed */
	E_NOSYS = 13,         /* no system call has this number */
};
#define MNOS_ERROR_COUNT            14

/* X(name, short text) for every error code, in order. */
#define MNOS_ERRORS(X) \
	X(E_OK, "ok") \
	X(E_INVAL, "invalid argument") \
	X(E_NO_MEMORY, "out of memory") \
	X(E_EXISTS, "already exists") \
	X(E_NOT_FOUND, "not found") \
	X(E_RANGE, "out of range") \
	X(E_PERM, "right missing") \
	X(E_TYPE, "wrong object type") \
	X(E_DELETED, "object deleted") \
	X(E_TIMEOUT, "timed out") \
	X(E_WOULD_BLOCK, "would block") \
	X(E_CANCELED, "cancelled") \
	X(E_FAULT, "bad user address") \
	X(E_NOSYS, "no such system call") \

/* The info word of a message. */
static inline uint64_t mnos_ipc_info(uint64_t label, unsigned len, unsigned ncaps)
{
	return label << IPC_LABEL_SHIFT | (uint64_t)ncaps << IPC_NCAPS_SHIFT | len;
}

static inline unsigned mnos_ipc_len(uint64_t info)
{
	return info & ((1u << IPC_LEN_BITS) - 1);
}

static inline unsigned mnos_ipc_ncaps(uint64_t info)
{
	return (info >> IPC_NCAPS_SHIFT) & ((1u << IPC_NCAPS_BITS) - 1);
}

static inline uint64_t mnos_ipc_label(uint64_t info)
{
	return info >> IPC_LABEL_SHIFT;
}

/* A thread's IPC buffer (ipc_buffer_set), one page. */
struct mnos_ipc_buffer {
	uint64_t w[64];                /* message words; words 4.. of a long message */
	uint32_t caps[4];              /* sending: slots of capabilities to send; received: where they landed (0: not transferred) */
	uint32_t cap_mask[4];          /* sending: rights each transferred capability keeps */
};
#endif /* !__ASSEMBLER__ */

#endif
