"""The MinimalOS system-call ABI: the one table (DESIGN.md §8, docs/ARCHITECTURE.md,
"The system-call ABI").

Everything that user code and the kernel must agree on is written here once, as plain
data: system-call numbers, their arguments and results and the registers that carry
them, the errors each returns, error codes, object types, rights bits and the IPC
message layout. tools/gen_abi.py turns it into
  build/gen/mnos/abi.h        constants for kernel and user code,
  build/gen/mnos/syscalls.h   user-side stubs (freestanding C, inline asm),
  build/gen/syscall_table.h   the kernel's dispatch and handler prototypes,
  docs/SYSCALLS.md            the reference (checked in; `make abi-check` keeps it true).

Numbers of existing calls, errors, types and rights never change: append only.
"""

# ---------------------------------------------------------------------------------------
# Registers
# ---------------------------------------------------------------------------------------

# SYSCALL: number in rax; arguments in these, in order; results come back in the same
# registers (rax holds the error code). rcx and r11 are clobbered by the instruction.
ARG_REGS = ['rdi', 'rsi', 'rdx', 'r10', 'r8', 'r9']
RESULT_REGS = ARG_REGS
PRESERVED_REGS = ['rbx', 'rbp', 'r12', 'r13', 'r14', 'r15', 'rsp']
CLOBBERED_REGS = ['rcx', 'r11']

# ---------------------------------------------------------------------------------------
# Error codes: (name, short text, meaning). Value = position.
# ---------------------------------------------------------------------------------------

ERRORS = [
    ('E_OK', 'ok', 'success'),
    ('E_INVAL', 'invalid argument', 'an argument is malformed (alignment, range, flags)'),
    ('E_NO_MEMORY', 'out of memory', 'out of physical memory or of a quota'),
    ('E_EXISTS', 'already exists', 'something is already there (a mapping, a capability)'),
    ('E_NOT_FOUND', 'not found', 'nothing is there (an empty slot, no mapping)'),
    ('E_RANGE', 'out of range', 'outside the allowed address or value range'),
    ('E_PERM', 'right missing', 'a capability lacks a right the operation needs'),
    ('E_TYPE', 'wrong object type', 'a capability names an object of the wrong type'),
    ('E_DELETED', 'object deleted', 'the object went away while the caller waited on it'),
    ('E_TIMEOUT', 'timed out', 'the time allowed for a wait ran out'),
    ('E_WOULD_BLOCK', 'would block',
     'a non-blocking operation found nobody to rendezvous with'),
    ('E_CANCELED', 'cancelled', 'the wait was cancelled through the thread\'s capability'),
    ('E_FAULT', 'bad user address', 'a user pointer led to memory that is not mapped as needed'),
    ('E_NOSYS', 'no such system call', 'no system call has this number'),
]

# ---------------------------------------------------------------------------------------
# Object types: (name, value, doc). MNOS_OBJ_<name>.
# ---------------------------------------------------------------------------------------

OBJ_TYPES = [
    ('NONE', 0, 'no object (an empty slot)'),
    ('PROCESS', 1, 'a process: address space, capability space, quota'),
    ('THREAD', 2, 'a thread'),
    ('ENDPOINT', 3, 'a synchronous IPC endpoint'),
    ('REPLY', 4, 'a reply object: answers one call at a time'),
    ('NOTIFICATION', 5, 'a word of pending bits'),
    ('MEMORY', 6, 'a memory object: anonymous frames, a device range, or read-only RAM '
               '(the initramfs)'),
    ('IRQ', 7, 'an interrupt line'),
    ('IOPORT', 8, 'a range of x86 I/O ports'),
]

# ---------------------------------------------------------------------------------------
# Rights: (name, bit, the types it means something for, doc). CAP_R_<name>.
# Bits 0-7 are common to every type; bits 8 and up are per type and may repeat across
# types, never within one.
# ---------------------------------------------------------------------------------------

ALL_BUT_REPLY = ['PROCESS', 'THREAD', 'ENDPOINT', 'NOTIFICATION', 'MEMORY', 'IRQ', 'IOPORT']

RIGHTS = [
    ('DERIVE', 0, ALL_BUT_REPLY, 'derive from it (cap_copy, cap_mint)'),
    ('GRANT', 1, ALL_BUT_REPLY, 'give it away in a message'),
    ('SEND', 8, ['ENDPOINT', 'REPLY'], 'send and call; on a reply object: reply, receive with it'),
    ('RECV', 9, ['ENDPOINT'], 'receive'),
    ('SIGNAL', 8, ['NOTIFICATION'], 'signal; bind an IRQ line or a fault to it'),
    ('WAIT', 9, ['NOTIFICATION'], 'wait and poll'),
    ('READ', 8, ['MEMORY'], 'map readable'),
    ('WRITE', 9, ['MEMORY'], 'map writable'),
    ('EXEC', 10, ['MEMORY'], 'map executable'),
    ('CONTROL', 8, ['PROCESS', 'THREAD', 'IRQ', 'IOPORT'],
     'act on it: map into, create threads in, cancel, acknowledge, use ports'),
]

# ---------------------------------------------------------------------------------------
# IPC message layout (endpoint.h)
# ---------------------------------------------------------------------------------------

IPC = {
    'REG_WORDS': (4, 'message words carried in registers'),
    'MAX_WORDS': (64, 'words in a message (the rest in the IPC buffer)'),
    'MAX_CAPS': (4, 'capabilities in a message'),
    'LEN_BITS': (7, 'info word: length in words, bits 0-6'),
    'NCAPS_SHIFT': (7, 'info word: number of capabilities, bits 7-9'),
    'NCAPS_BITS': (3, None),
    'RESERVED_SHIFT': (10, 'info word: bits 10-11 reserved, must be zero'),
    'LABEL_SHIFT': (12, 'info word: label, bits 12-63'),
}
IPC_POLL = 0
IPC_FOREVER = 0xffffffffffffffff

# The IPC buffer (one page per thread, ipc_buffer_set): byte offsets of its parts.
# w[] is indexed like the message: w[0..REG_WORDS-1] are not used (in registers).
IPC_BUFFER = [
    ('w', 'uint64_t', 64, 'message words; words 4.. of a long message'),
    ('caps', 'uint32_t', 4, 'sending: slots of capabilities to send; received: where they landed (0: not transferred)'),
    ('cap_mask', 'uint32_t', 4, 'sending: rights each transferred capability keeps'),
]

# Other limits user code needs.
LIMITS = [
    ('DEBUG_PRINT_MAX', 256, 'bytes one debug_print takes'),
    ('CSPACE_MAX_SLOTS', 65536, 'slots a capability space may have'),
    ('MEMOBJ_MAX_PAGES', 1 << 20, 'pages a memory object may have'),
    ('PAGE_SIZE', 4096, 'bytes in a page'),
    ('USER_BASE', 0x400000, 'lowest user address'),
    ('USER_TOP', 0x00007ffffffff000, 'end of user space (exclusive)'),
    ('PROCESS_OVERHEAD', 8192, 'bytes a new process costs its creator on top of the quota it is given'),
    ('SYSINFO_MIN_SIZE', 144, 'the least size system_info takes: struct mnos_sysinfo '
     'as version 1 laid it out'),
]

# Flags a call takes: (name, value, doc). MNOS_<name>.
FLAGS = [
    ('MEM_LAZY', 1, 'obj_create of MNOS_OBJ_MEMORY, in arg1: demand-zero memory, charged '
     'as much but given a frame only when a page is first touched through a mapping (a '
     'stack, a heap, .bss); a touch that finds no free frame is a page fault'),
]

# ---------------------------------------------------------------------------------------
# System calls
# ---------------------------------------------------------------------------------------
# Argument kinds:
#   slot      a capability slot of the caller; obj and need say the type and rights the
#             capability must have; dst marks an empty slot the call fills (E_EXISTS if
#             occupied). Must fit 32 bits (E_RANGE).
#   slots2    two slots in one register, lo | hi << 32 (each a slot as above).
#   proc      0 = the caller's own process, else a slot holding a process capability
#             with CONTROL. Must fit 32 bits (E_RANGE).
#   rights    a rights mask (CAP_R_*). Must fit 32 bits (E_INVAL).
#   ptr_in    a user pointer the kernel reads `len` bytes from (len names the argument).
#   ptr_out   a user pointer the kernel writes up to `len` bytes to (len names the
#             argument): [ptr, ptr + len) must lie in user space (E_RANGE), what is
#             written must be mapped writable (E_FAULT). For both, an untouched
#             demand-zero page the copy reaches takes a frame, which may not be there
#             (E_NO_MEMORY).
#   size      a length in bytes, up to max.
#   addr      a user virtual address (not dereferenced by the call).
#   value     a plain 64-bit value.
# Results name the register they come back in; every other result register is zero.

SLOT_ERRORS = {
    'E_RANGE': 'a slot is 0, past the capability space, or above 2^32',
    'E_NOT_FOUND': 'a slot is empty',
    'E_TYPE': 'a capability names the wrong type of object',
    'E_PERM': 'a capability lacks a right the call needs',
}


def arg(name, kind, doc, **kw):
    d = {'name': name, 'kind': kind, 'doc': doc}
    d.update(kw)
    return d


def res(name, reg, doc):
    return {'name': name, 'reg': reg, 'doc': doc}


MSG_ARGS = [
    arg('info', 'value', 'the info word: label, length, capabilities'),
    arg('w0', 'value', 'message word 0'),
    arg('w1', 'value', 'message word 1'),
    arg('w2', 'value', 'message word 2'),
    arg('w3', 'value', 'message word 3'),
]


def msg_results(badge):
    r = [res('badge', 'rdi', 'the badge of the capability the sender used')] if badge else []
    return r + [res('info', 'rsi', 'the info word received'),
                res('w0', 'rdx', 'word 0'), res('w1', 'r10', 'word 1'),
                res('w2', 'r8', 'word 2'), res('w3', 'r9', 'word 3')]


MSG_ERRORS = {
    'E_INVAL': 'a malformed info word (length past IPC_MAX_WORDS, more than IPC_MAX_CAPS '
               'capabilities, reserved bits), words past the registers or capabilities '
               'without an IPC buffer, or a capability in the message missing or without GRANT',
}


def merge(*ds):
    out = {}
    for d in ds:
        for k, v in d.items():
            out[k] = out[k] + '; ' + v if k in out else v
    return out


# mem_map and mem_map_pages: the object, where and how.
MAP_ARGS = [arg('mem', 'slot', 'the memory object', obj='MEMORY', need=['READ']),
            arg('proc', 'proc', 'the process (0: the caller)'),
            arg('va', 'addr', 'page-aligned user address'),
            arg('rights', 'rights', 'READ, optionally WRITE or EXEC')]
MAP_ERRORS = {
    'E_INVAL': 'rights without READ, with WRITE and EXEC, or with other bits; va not page '
               'aligned',
    'E_PERM': 'rights not all in the capability\'s; WRITE on read-only RAM (the initramfs)',
    'E_EXISTS': 'something is mapped there',
    'E_NO_MEMORY': 'the quota or the kernel cannot pay',
}


def send_call(num, name, doc, errors):
    """A send through an endpoint capability with SEND: a message, no results."""
    return dict(num=num, name=name, area='ipc', doc=doc,
                args=[arg('ep', 'slot', 'the endpoint', obj='ENDPOINT', need=['SEND'])] + MSG_ARGS,
                results=[], errors=merge(SLOT_ERRORS, MSG_ERRORS, errors))


SYSCALLS = [
    dict(num=0, name='debug_print', area='misc',
         doc='Write len bytes from buf to the kernel log (bring-up and tests).',
         args=[arg('buf', 'ptr_in', 'the text', len='len'),
               arg('len', 'size', 'its length in bytes', max='MNOS_DEBUG_PRINT_MAX')],
         results=[],
         errors={'E_INVAL': 'len is above MNOS_DEBUG_PRINT_MAX',
                 'E_RANGE': 'the buffer is not entirely in user space',
                 'E_FAULT': 'part of the buffer is not mapped readable',
                 'E_NO_MEMORY': 'a demand-zero page of the buffer, touched first, found '
                                'no free frame (or page table)'}),
    dict(num=1, name='yield', area='misc', doc='Give the CPU to another runnable thread.',
         args=[], results=[], errors={}),
    dict(num=2, name='clock', area='misc', doc='The monotonic clock.',
         args=[], results=[res('ns', 'rdi', 'nanoseconds since boot')], errors={}),
    dict(num=3, name='sleep', area='misc',
         doc='Sleep for at least ns nanoseconds (0 returns at once; a deadline past the '
             'clock\'s range sleeps until the end of time).',
         args=[arg('ns', 'value', 'nanoseconds')], results=[], errors={}),

    dict(num=4, name='cap_copy', area='cap',
         doc='Derive a copy of the capability in src into slot dst_slot of the process '
             'dst_proc, keeping only the rights in rights.',
         args=[arg('src', 'slot', 'the capability to copy', obj='NONE', need=['DERIVE']),
               arg('dst_proc', 'proc', 'where the copy goes (0: the caller)'),
               arg('dst_slot', 'slot', 'an empty slot of dst_proc', dst=True),
               arg('rights', 'rights', 'rights to keep (a mask; rights are never added)')],
         results=[],
         errors=merge(SLOT_ERRORS, {'E_EXISTS': 'dst_slot is occupied',
                                    'E_INVAL': 'rights does not fit 32 bits'})),
    dict(num=5, name='cap_mint', area='cap',
         doc='Derive a badged copy of an unbadged endpoint or notification capability.',
         args=[arg('src', 'slot', 'the capability', obj='NONE', need=['DERIVE']),
               arg('dst', 'slot', 'an empty slot', dst=True),
               arg('rights', 'rights', 'rights to keep'),
               arg('badge', 'value', 'the badge receivers will see')],
         results=[],
         errors=merge(SLOT_ERRORS, {'E_EXISTS': 'dst is occupied',
                                    'E_INVAL': 'src is not an unbadged endpoint or '
                                               'notification capability, or rights does '
                                               'not fit 32 bits'})),
    dict(num=6, name='cap_move', area='cap',
         doc='Move a capability, its place in the derivation tree included, to an '
             'empty slot.',
         args=[arg('src', 'slot', 'the capability', obj='NONE', need=[]),
               arg('dst', 'slot', 'an empty slot', dst=True)],
         results=[], errors=merge(SLOT_ERRORS, {'E_EXISTS': 'dst is occupied'})),
    dict(num=7, name='cap_delete', area='cap',
         doc='Delete a capability; capabilities derived from it move up to its parent.',
         args=[arg('slot', 'slot', 'the capability', obj='NONE', need=[])],
         results=[], errors={k: SLOT_ERRORS[k] for k in ('E_RANGE', 'E_NOT_FOUND')}),
    dict(num=8, name='cap_revoke', area='cap',
         doc='Delete every capability derived from this one, in every process; it stays.',
         args=[arg('slot', 'slot', 'the capability', obj='NONE', need=[])],
         results=[], errors={k: SLOT_ERRORS[k] for k in ('E_RANGE', 'E_NOT_FOUND')}),
    dict(num=9, name='obj_create', area='cap',
         doc='Create an object, charged to the caller\'s quota, with a first capability '
             '(every right of its type) in dst. type MNOS_OBJ_ENDPOINT, _REPLY, '
             '_NOTIFICATION: arg0 and arg1 zero. MNOS_OBJ_MEMORY: arg0 pages of zeroed '
             'memory (their frames are charged too), arg1 0 or MNOS_MEM_LAZY (the frames '
             'taken on first touch). MNOS_OBJ_PROCESS: a '
             'process with an empty address space and a capability space of arg0 slots, '
             'given a quota of arg1 bytes carved from the caller\'s: the caller pays '
             'arg1 + MNOS_PROCESS_OVERHEAD bytes until the process and everything '
             'charged to its quota are gone; its slots are paid from its own quota.',
         args=[arg('type', 'value', 'MNOS_OBJ_*'),
               arg('dst', 'slot', 'an empty slot for the capability', dst=True),
               arg('arg0', 'value', 'pages (memory), slots (process)'),
               arg('arg1', 'value', 'quota bytes (process); flags (memory)')],
         results=[],
         errors={'E_INVAL': 'a type that cannot be created, a non-zero unused argument, '
                            '0 pages, flags other than MNOS_MEM_LAZY, or slots outside '
                            '2..MNOS_CSPACE_MAX_SLOTS',
                 'E_RANGE': 'dst is 0, past the capability space or above 2^32; more '
                            'pages than MNOS_MEMOBJ_MAX_PAGES',
                 'E_EXISTS': 'dst is occupied',
                 'E_NO_MEMORY': 'the quota (or the kernel) cannot pay'}),

    send_call(10, 'ep_send',
              'Send a message through an endpoint, waiting until a receiver takes it.',
              {'E_DELETED': 'the endpoint\'s last capability went while waiting',
               'E_CANCELED': 'the wait was cancelled (thread_cancel_ipc)'}),
    send_call(11, 'ep_nbsend', 'Send a message only if a receiver is waiting.',
              {'E_WOULD_BLOCK': 'no receiver is waiting',
               'E_DELETED': 'the endpoint has no capability left'}),
    dict(num=12, name='ep_recv', area='ipc',
         doc='Receive a message; a caller received is bound to the reply object, to be '
             'answered with ep_reply or ep_reply_recv.',
         args=[arg('ep', 'slot', 'the endpoint', obj='ENDPOINT', need=['RECV']),
               arg('reply', 'slot', 'a reply object for a caller (0: none; a caller then '
                   'gets E_DELETED)', obj='REPLY', need=['SEND'], zero_ok=True),
               arg('timeout', 'value', 'nanoseconds; 0 = poll, 2^64-1 = forever')],
         results=msg_results(True),
         errors=merge(SLOT_ERRORS,
                      {'E_EXISTS': 'the reply object is offered by another receive or '
                                   'still awaits an answer',
                       'E_WOULD_BLOCK': 'timeout 0 and no sender waits',
                       'E_TIMEOUT': 'the timeout ran out',
                       'E_DELETED': 'the endpoint\'s last capability went',
                       'E_CANCELED': 'the wait was cancelled'})),
    dict(num=13, name='ep_call', area='ipc',
         doc='Send a message and wait for the answer through the receiver\'s reply '
             'object (the IPC fast path).',
         args=[arg('ep', 'slot', 'the endpoint', obj='ENDPOINT', need=['SEND'])] + MSG_ARGS,
         results=msg_results(False),
         errors=merge(SLOT_ERRORS, MSG_ERRORS,
                      {'E_DELETED': 'the endpoint or the reply object went, or the '
                                    'receiver gave no reply object',
                       'E_CANCELED': 'the wait was cancelled'})),
    dict(num=14, name='ep_reply', area='ipc',
         doc='Answer the caller bound to a reply object.',
         args=[arg('reply', 'slot', 'the reply object', obj='REPLY', need=['SEND'])] + MSG_ARGS,
         results=[],
         errors=merge(SLOT_ERRORS, MSG_ERRORS, {'E_NOT_FOUND': 'no caller is bound'})),
    dict(num=15, name='ep_reply_recv', area='ipc',
         doc='A server\'s loop step: answer the caller bound to the reply object (if '
             'any), then receive with the same reply object.',
         args=[arg('ep_reply', 'slots2', 'the endpoint (low 32 bits, RECV) and the reply '
                   'object (high 32 bits, SEND; never 0)', obj='ENDPOINT', need=['RECV'],
                   obj_hi='REPLY', need_hi=['SEND'])] + MSG_ARGS,
         results=msg_results(True),
         errors=merge(SLOT_ERRORS, MSG_ERRORS,
                      {'E_INVAL': 'the reply slot (high half) is 0: checked first',
                       'E_EXISTS': 'the reply object is offered by another receive',
                       'E_DELETED': 'the endpoint\'s last capability went',
                       'E_CANCELED': 'the wait was cancelled'})),

    dict(num=16, name='notify_signal', area='ipc',
         doc='OR bits into a notification (a badged capability ORs its badge instead).',
         args=[arg('n', 'slot', 'the notification', obj='NOTIFICATION', need=['SIGNAL']),
               arg('bits', 'value', 'the bits')],
         results=[],
         errors=merge(SLOT_ERRORS, {'E_INVAL': 'an unbadged signal of no bits'})),
    dict(num=17, name='notify_wait', area='ipc',
         doc='Wait until the notification\'s word is non-zero; return and clear it.',
         args=[arg('n', 'slot', 'the notification', obj='NOTIFICATION', need=['WAIT'])],
         results=[res('bits', 'rdi', 'the word')],
         errors=merge(SLOT_ERRORS, {'E_DELETED': 'its last capability went',
                                    'E_CANCELED': 'the wait was cancelled'})),
    dict(num=18, name='notify_poll', area='ipc',
         doc='Return and clear the notification\'s word without waiting.',
         args=[arg('n', 'slot', 'the notification', obj='NOTIFICATION', need=['WAIT'])],
         results=[res('bits', 'rdi', 'the word (0: nothing pending)')],
         errors=SLOT_ERRORS),

    dict(num=19, name='mem_map', area='mem',
         doc='Map the whole memory object into a process at va with rights (READ, and '
             'WRITE or EXEC, never both). Revoking the capability unmaps it.',
         args=MAP_ARGS, results=[],
         errors=merge(SLOT_ERRORS, MAP_ERRORS,
                      {'E_RANGE': 'the object does not fit between va and MNOS_USER_TOP'})),
    dict(num=20, name='mem_unmap', area='mem',
         doc='Remove the mapping that starts at va.',
         args=[arg('proc', 'proc', 'the process (0: the caller)'),
               arg('va', 'addr', 'where the mapping starts')],
         results=[],
         errors=merge(SLOT_ERRORS, {'E_INVAL': 'va not page aligned',
                                    'E_NOT_FOUND': 'no mapping starts at va'})),

    dict(num=21, name='thread_create', area='thread',
         doc='Start a thread in a process at entry with stack pointer stack and arg in '
             'rdi; its capability (every right) goes to dst. Charged '
             'MNOS_THREAD_CHARGE bytes to the caller\'s quota until it is reaped. '
             'Nothing runs unless everything succeeded.',
         args=[arg('proc', 'proc', 'the process (0: the caller)'),
               arg('dst', 'slot', 'an empty slot for the thread capability', dst=True),
               arg('entry', 'addr', 'user address of the first instruction'),
               arg('stack', 'addr', 'initial stack pointer, 16-byte aligned'),
               arg('arg', 'value', 'passed in rdi')],
         results=[],
         errors=merge(SLOT_ERRORS,
                      {'E_EXISTS': 'dst is occupied',
                       'E_RANGE': 'entry or stack outside user space',
                       'E_INVAL': 'stack not 16-byte aligned',
                       'E_NO_MEMORY': 'the quota or the kernel cannot pay',
                       'E_DELETED': 'the process was killed (proc_kill)'})),
    dict(num=22, name='thread_exit', area='thread', doc='End the calling thread.',
         args=[], results=[], errors={}, noreturn=True),
    dict(num=23, name='thread_cancel_ipc', area='thread',
         doc='End the IPC wait of a thread: its call returns E_CANCELED.',
         args=[arg('thread', 'slot', 'the thread', obj='THREAD', need=['CONTROL'])],
         results=[],
         errors=merge(SLOT_ERRORS, {'E_NOT_FOUND': 'it is not waiting in IPC'})),
    dict(num=24, name='ipc_buffer_set', area='thread',
         doc='Give the calling thread its IPC buffer: a zeroed page the kernel maps at '
             'va (charged to the process\'s quota), freed when the thread ends.',
         args=[arg('va', 'addr', 'page-aligned user address with nothing mapped')],
         results=[],
         errors={'E_INVAL': 'va not page aligned', 'E_RANGE': 'va outside user space',
                 'E_EXISTS': 'the thread has one, or something is mapped at va',
                 'E_NO_MEMORY': 'the quota or the kernel cannot pay'}),

    dict(num=25, name='irq_ack', area='hw',
         doc='The driver has served the last interrupt: unmask the line.',
         args=[arg('irq', 'slot', 'the IRQ line', obj='IRQ', need=['CONTROL'])],
         results=[], errors=merge(SLOT_ERRORS, {'E_DELETED': 'the line went'})),
    dict(num=26, name='ioport_in', area='hw',
         doc='Read an I/O port through an I/O-port capability.',
         args=[arg('ports', 'slot', 'the port range', obj='IOPORT', need=['CONTROL']),
               arg('port', 'value', 'the port'),
               arg('width', 'value', 'bytes: 1, 2 or 4')],
         results=[res('value', 'rdi', 'what was read, zero-extended')],
         errors=merge(SLOT_ERRORS, {'E_INVAL': 'width not 1, 2 or 4',
                                    'E_RANGE': 'a byte of the access is outside the range'})),
    dict(num=27, name='ioport_out', area='hw',
         doc='Write an I/O port through an I/O-port capability.',
         args=[arg('ports', 'slot', 'the port range', obj='IOPORT', need=['CONTROL']),
               arg('port', 'value', 'the port'),
               arg('width', 'value', 'bytes: 1, 2 or 4'),
               arg('value', 'value', 'written: its low width bytes')],
         results=[],
         errors=merge(SLOT_ERRORS, {'E_INVAL': 'width not 1, 2 or 4',
                                    'E_RANGE': 'a byte of the access is outside the range'})),
    dict(num=28, name='irq_bind', area='hw',
         doc='Deliver the line\'s interrupts to a notification: its badge if it has one, '
             'else bits. Replaces an earlier binding and unmasks the line.',
         args=[arg('irq', 'slot', 'the IRQ line', obj='IRQ', need=['CONTROL']),
               arg('n', 'slot', 'the notification', obj='NOTIFICATION', need=['SIGNAL']),
               arg('bits', 'value', 'what a delivery signals (unbadged notification)')],
         results=[],
         errors=merge(SLOT_ERRORS, {'E_INVAL': 'bits 0 with an unbadged notification',
                                    'E_DELETED': 'the line went'})),
    dict(num=29, name='irq_unbind', area='hw',
         doc='Mask the line and drop its binding.',
         args=[arg('irq', 'slot', 'the IRQ line', obj='IRQ', need=['CONTROL'])],
         results=[], errors=merge(SLOT_ERRORS, {'E_DELETED': 'the line went'})),
    dict(num=30, name='proc_set_fault', area='thread',
         doc='Set the process\'s supervisor notification: signalled with bit 0 when a '
             'thread of the process dies of a user-mode fault, bit 1 when its last thread '
             'has ended (exit, fault or proc_kill); n 0 clears it. Named by a badged '
             'capability, the two bits move up to the badge\'s lowest set bit, so one '
             'notification serves many processes and tells them apart.',
         args=[arg('proc', 'proc', 'the process (0: the caller)'),
               arg('n', 'slot', 'the notification (0: none)', obj='NOTIFICATION',
                   need=['SIGNAL'], zero_ok=True)],
         results=[], errors=SLOT_ERRORS),
    dict(num=31, name='proc_kill', area='thread',
         doc='End every thread of the process and refuse new ones (thread_create into it '
             'returns E_DELETED). A thread waiting in IPC or asleep is woken, one running '
             'elsewhere interrupted; each ends before it returns to user mode. The process '
             'itself lives on while capabilities to it remain (its memory and capabilities '
             'go with the last). proc 0 is the caller: the calling thread ends too.',
         args=[arg('proc', 'proc', 'the process (0: the caller)')],
         results=[], errors=SLOT_ERRORS),

    dict(num=32, name='cap_identify', area='cap',
         doc='What the capability in a slot of the caller is: its object\'s type, its '
             'rights and its badge (0: none). Needs no right: it tells only what the '
             'caller holds.',
         args=[arg('slot', 'slot', 'the capability', obj='NONE', need=[])],
         results=[res('type', 'rdi', 'MNOS_OBJ_*'),
                  res('rights', 'rsi', 'its rights (CAP_R_*), only ever those of its type'),
                  res('badge', 'rdx', 'its badge')],
         errors={k: SLOT_ERRORS[k] for k in ('E_RANGE', 'E_NOT_FOUND')}),
    dict(num=33, name='system_info', area='misc',
         doc='Copy a struct mnos_sysinfo (<mnos/sysinfo.h>) to buf: kernel version and '
             'build, uptime, CPUs, physical memory, kernel heap, threads and processes; '
             'since version 2, the TSC at the kernel\'s and at init\'s first instruction '
             'and the TSC ticks the CPUs spent halted (the boot-time figures); since '
             'version 3, the TLB shootdowns sent to other CPUs. '
             'The kernel writes min(size, its own sizeof) bytes and says how many in the '
             'structure\'s size field, so a program built against an older, shorter '
             'layout gets what it knows; the rest of buf is left alone. On E_FAULT or '
             'E_NO_MEMORY part of buf may have been written (nothing else changes).',
         args=[arg('buf', 'ptr_out', 'where the structure goes', len='size'),
               arg('size', 'size', 'bytes at buf, at least MNOS_SYSINFO_MIN_SIZE')],
         results=[],
         errors={'E_INVAL': 'size is below MNOS_SYSINFO_MIN_SIZE (the first version\'s '
                            'layout)',
                 'E_RANGE': 'buf .. buf + size is not entirely in user space',
                 'E_FAULT': 'part of what is written is not mapped writable',
                 'E_NO_MEMORY': 'a demand-zero page of buf, touched first, found no free '
                                'frame (or page table)'}),
    dict(num=34, name='mem_map_pages', area='mem',
         doc='Map npages pages of the memory object, from page first on, into a process at '
             'va with rights (READ, and WRITE or EXEC, never both): one mapping, which '
             'mem_unmap(va) removes. The process service maps programs\' text from the '
             'initramfs so. Revoking the capability unmaps it.',
         args=MAP_ARGS + [arg('first', 'value', 'the first page of the object to map'),
                          arg('npages', 'value', 'how many pages')],
         results=[],
         errors=merge(SLOT_ERRORS, MAP_ERRORS,
                      {'E_INVAL': 'npages 0',
                       'E_RANGE': 'the pages are not all inside the object, or do not fit '
                                  'between va and MNOS_USER_TOP'})),
    dict(num=35, name='thread_set_affinity', area='thread',
         doc='Say which CPUs the thread may run on: bit n of mask is CPU n (the CPUs are '
             'numbered from 0 to system_info\'s cpus_online - 1). A thread queued or '
             'running on a CPU it may no longer use moves at once; one waiting or asleep '
             'runs on a CPU it may use when it wakes. Bits of CPUs that are not online '
             'are kept but mean nothing. Threads start with every CPU allowed.',
         args=[arg('thread', 'slot', 'the thread', obj='THREAD', need=['CONTROL']),
               arg('mask', 'value', 'the CPUs it may run on')],
         results=[],
         errors=merge(SLOT_ERRORS, {'E_INVAL': 'mask names no CPU that is online'})),
]

# Bytes a thread made by thread_create costs its creator (its kernel stack and state).
LIMITS.append(('THREAD_CHARGE', 20480, 'bytes a thread costs its creator\'s quota'))
