#!/usr/bin/env python3
"""Generate the system-call ABI's C headers and its reference from abi/abi.py.

Usage: gen_abi.py OUTDIR   writes OUTDIR/mnos/abi.h, OUTDIR/mnos/syscalls.h,
                           OUTDIR/syscall_table.h and OUTDIR/docs/SYSCALLS.md

The table is checked first (numbers dense and unique, registers in order, every error a
call can return by its argument kinds documented for it, rights not overlapping within a
type); a problem stops the build with a message.
"""
import importlib.util
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
spec = importlib.util.spec_from_file_location('abi', os.path.join(ROOT, 'abi', 'abi.py'))
abi = importlib.util.module_from_spec(spec)
spec.loader.exec_module(abi)

HEADER = '/* Generated from abi/abi.py by tools/gen_abi.py: do not edit. */\n'
KINDS = ['value', 'slot', 'slots2', 'proc', 'rights', 'ptr_in', 'size', 'addr', 'ptr_out']
ERR_NAMES = [e[0] for e in abi.ERRORS]
TYPE_NAMES = [t[0] for t in abi.OBJ_TYPES]


def die(msg):
    sys.exit(f'gen_abi: {msg}')


# ---------------------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------------------

def check():
    nums = [s['num'] for s in abi.SYSCALLS]
    if nums != list(range(len(nums))):
        die(f'system call numbers must be 0..{len(nums) - 1} in order, got {nums}')
    names = [s['name'] for s in abi.SYSCALLS]
    if len(set(names)) != len(names):
        die('duplicate system call name')
    if [t[1] for t in abi.OBJ_TYPES] != list(range(len(abi.OBJ_TYPES))):
        die('object type values must be dense from 0')
    for t in TYPE_NAMES[1:]:
        bits = [r for r in abi.RIGHTS if t in r[2]]
        seen = {}
        for r in bits:
            if r[1] in seen:
                die(f'rights {seen[r[1]]} and {r[0]} overlap for type {t}')
            seen[r[1]] = r[0]
    for s in abi.SYSCALLS:
        where = f"{s['name']}:"
        if len(s['args']) > len(abi.ARG_REGS):
            die(f'{where} too many arguments')
        argnames = [a['name'] for a in s['args']]
        for a in s['args']:
            if a['kind'] not in KINDS:
                die(f"{where} unknown kind {a['kind']}")
            for key in ('obj', 'obj_hi'):
                if key in a and a[key] not in TYPE_NAMES:
                    die(f"{where} unknown type {a[key]}")
            for r in a.get('need', []) + a.get('need_hi', []):
                if not any(x[0] == r for x in abi.RIGHTS):
                    die(f'{where} unknown right {r}')
            if a['kind'] in ('ptr_in', 'ptr_out') and a.get('len') not in argnames:
                die(f'{where} pointer {a["name"]} without a length argument')
        regs = [r['reg'] for r in s['results']]
        if len(set(regs)) != len(regs) or any(r not in abi.RESULT_REGS for r in regs):
            die(f'{where} bad result registers {regs}')
        for e in s['errors']:
            if e not in ERR_NAMES or e == 'E_OK':
                die(f'{where} unknown error {e}')
        kinds = {a['kind'] for a in s['args']}
        need = set()
        for a in s['args']:
            if a['kind'] in ('slot', 'slots2', 'proc'):
                need |= {'E_RANGE', 'E_EXISTS' if a.get('dst') else 'E_NOT_FOUND'}
        if 'proc' in kinds:
            need |= {'E_TYPE', 'E_PERM'}
        if 'rights' in kinds:
            need.add('E_INVAL')
        if 'ptr_in' in kinds or 'ptr_out' in kinds:
            # A user copy may touch a demand-zero page first, which takes a frame.
            need |= {'E_RANGE', 'E_FAULT', 'E_NO_MEMORY'}
        missing = need - set(s['errors'])
        if missing:
            die(f'{where} its arguments can produce {sorted(missing)}, not documented')


# ---------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------

def rights_expr(names):
    return ' | '.join(f'CAP_R_{n}' for n in names) if names else '0'


def arg_reg(s, i):
    return abi.ARG_REGS[i]


def handler_params(s):
    ps = []
    for a in s['args']:
        ctype = 'uint32_t' if a['kind'] in ('slot', 'proc', 'rights') else 'uint64_t'
        ps.append(f"{ctype} {a['name']}")
    ps.append('struct syscall_frame *f')
    return ', '.join(ps)


def wrap_comment(text, indent='', width=88, lead=' * '):
    words, lines, cur = text.split(), [], ''
    for w in words:
        if len(indent) + len(lead) + len(cur) + len(w) + 1 > width and cur:
            lines.append(cur)
            cur = w
        else:
            cur = f'{cur} {w}' if cur else w
    if cur:
        lines.append(cur)
    return [f'{indent}{lead}{x}' for x in lines]


# ---------------------------------------------------------------------------------------
# mnos/abi.h
# ---------------------------------------------------------------------------------------

def gen_abi_h():
    o = [HEADER, '/*', ' * The system-call ABI shared by the kernel and user code: system-call',
         ' * numbers, error codes, object types, rights bits, the IPC message layout and',
         ' * limits. Freestanding: needs only <stdint.h>. Reference: docs/SYSCALLS.md.',
         ' */', '#ifndef MNOS_ABI_H', '#define MNOS_ABI_H', '',
         '/* A 64-bit constant, for C and for the assembler alike. */',
         '#ifdef __ASSEMBLER__', '#define MNOS_U64(x) x', '#else', '#define MNOS_U64(x) x##ull',
         '#endif', '']
    o.append('/* ---- system-call numbers (rax) ---- */')
    for s in abi.SYSCALLS:
        o.append(f"#define SYS_{s['name'].upper():<24}{s['num']}")
    o.append(f"#define SYS_COUNT{'':<19}{len(abi.SYSCALLS)}")
    o += ['', '/* ---- object types ---- */']
    for name, val, doc in abi.OBJ_TYPES:
        o.append(f"#define MNOS_OBJ_{name:<20}{val}{'':<4}/* {doc} */")
    o.append(f"#define MNOS_OBJ_TYPES{'':<14}{len(abi.OBJ_TYPES)}")
    o += ['', '/* ---- rights: bits 0-7 common to every type, 8 and up per type ---- */']
    for name, bit, types, doc in abi.RIGHTS:
        o.append(f"/* {', '.join(t.lower() for t in types)}: {doc} */")
        o.append(f"#define CAP_R_{name:<18}(1u << {bit})")
    o.append(f"#define CAP_R_ALL{'':<15}0xffffffffu")
    o.append('/* The rights that mean something for each type. */')
    for name, _, _ in abi.OBJ_TYPES:
        rs = [r[0] for r in abi.RIGHTS if name in r[2]]
        o.append(f"#define MNOS_RIGHTS_{name:<16}({rights_expr(rs)})")
    o += ['', '/* ---- IPC messages ---- */']
    for name, (val, doc) in abi.IPC.items():
        if doc:
            o.append(f'/* {doc} */')
        o.append(f"#define IPC_{name:<24}{val}")
    o.append(f"#define IPC_POLL{'':<20}MNOS_U64({abi.IPC_POLL})    /* timeout: never wait */")
    o.append(f"#define IPC_FOREVER{'':<17}MNOS_U64({abi.IPC_FOREVER:#x}) /* timeout: no limit */")
    o += ['', '/* ---- limits ---- */']
    for name, val, doc in abi.LIMITS:
        o.append(f"#define MNOS_{name:<23}MNOS_U64({val:#x})")
        o.insert(len(o) - 1, f'/* {doc} */')
    o += ['', '/* ---- flags ---- */']
    for name, val, doc in abi.FLAGS:
        o.append(f'/* {doc} */')
        o.append(f"#define MNOS_{name:<23}MNOS_U64({val:#x})")
    o += ['', '#ifndef __ASSEMBLER__', '#include <stdint.h>', '',
          '/* Error codes: rax after every system call (0 = success). */',
          'enum mnos_error {']
    for i, (name, text, doc) in enumerate(abi.ERRORS):
        o.append(f"\t{name + ' = ' + str(i) + ',':<22}/* {doc} */")
    o += ['};', f"#define MNOS_ERROR_COUNT{'':<12}{len(abi.ERRORS)}", '',
          '/* X(name, short text) for every error code, in order. */',
          '#define MNOS_ERRORS(X) \\']
    o += [f'\tX({n}, "{t}") \\' for n, t, _ in abi.ERRORS]
    o += ['', '/* The info word of a message. */',
          'static inline uint64_t mnos_ipc_info(uint64_t label, unsigned len, unsigned ncaps)',
          '{',
          '\treturn label << IPC_LABEL_SHIFT | (uint64_t)ncaps << IPC_NCAPS_SHIFT | len;',
          '}', '',
          'static inline unsigned mnos_ipc_len(uint64_t info)',
          '{', '\treturn info & ((1u << IPC_LEN_BITS) - 1);', '}', '',
          'static inline unsigned mnos_ipc_ncaps(uint64_t info)',
          '{', '\treturn (info >> IPC_NCAPS_SHIFT) & ((1u << IPC_NCAPS_BITS) - 1);', '}', '',
          'static inline uint64_t mnos_ipc_label(uint64_t info)',
          '{', '\treturn info >> IPC_LABEL_SHIFT;', '}', '',
          '/* A thread\'s IPC buffer (ipc_buffer_set), one page. */',
          'struct mnos_ipc_buffer {']
    for name, ctype, n, doc in abi.IPC_BUFFER:
        o.append(f'\t{ctype} {name}[{n}];'.ljust(32) + f'/* {doc} */')
    o += ['};', '#endif /* !__ASSEMBLER__ */', '', '#endif', '']
    return '\n'.join(o)


# ---------------------------------------------------------------------------------------
# mnos/syscalls.h: user stubs
# ---------------------------------------------------------------------------------------

def gen_stub(s):
    args = s['args']
    results = {r['reg']: r for r in s['results']}
    params = [f"uint64_t {a['name']}" for a in args]
    params += [f"uint64_t *{r['name']}_out" for r in s['results']]
    o = ['/*'] + wrap_comment(f"{s['name']} ({s['num']}): {s['doc']}")
    if s['results']:
        o += wrap_comment('Results through ' + ', '.join(f"{r['name']}_out" for r in s['results'])
                          + ' (each may be NULL).')
    o.append(' */')
    ret = 'void' if s.get('noreturn') else 'enum mnos_error'
    attrs = 'static inline __attribute__((always_inline' + (', noreturn' if s.get('noreturn') else '') + '))'
    o.append(f"{attrs} {ret}")
    o.append(f"mnos_{s['name']}({', '.join(params) if params else 'void'})")
    o.append('{')
    o.append(f"\tregister uint64_t r_rax __asm__(\"rax\") = SYS_{s['name'].upper()};")
    for i, reg in enumerate(abi.ARG_REGS):
        init = f" = {args[i]['name']}" if i < len(args) else ''
        o.append(f'\tregister uint64_t r_{reg} __asm__("{reg}"){init};')
    outs = ['"+r"(r_rax)'] + [('"+r"' if i < len(args) else '"=r"') + f'(r_{reg})'
                              for i, reg in enumerate(abi.ARG_REGS)]
    o.append('\t__asm__ volatile("syscall"')
    o.append(f"\t\t\t : {', '.join(outs[:4])},")
    o.append(f"\t\t\t   {', '.join(outs[4:])}")
    o.append('\t\t\t :')
    o.append('\t\t\t : "rcx", "r11", "memory");')
    if s.get('noreturn'):
        o.append('\t__builtin_unreachable();')
    else:
        for reg in abi.RESULT_REGS:
            if reg in results:
                n = results[reg]['name']
                o.append(f'\tif ({n}_out)')
                o.append(f'\t\t*{n}_out = r_{reg};')
        used = {reg for reg in abi.RESULT_REGS if reg in results}
        for i, reg in enumerate(abi.ARG_REGS):
            if reg not in used:
                o.append(f'\t(void)r_{reg};')
        o.append('\treturn (enum mnos_error)r_rax;')
    o.append('}')
    return '\n'.join(o)


def gen_syscalls_h():
    o = [HEADER, '/*', ' * User-side system-call stubs: one static inline function per call, the',
         ' * SYSCALL instruction with the number in rax and arguments in rdi, rsi, rdx, r10,',
         ' * r8, r9; rcx and r11 are clobbered. For freestanding code: needs only',
         ' * <stdint.h>. Reference: docs/SYSCALLS.md.', ' */',
         '#ifndef MNOS_SYSCALLS_H', '#define MNOS_SYSCALLS_H', '',
         '#include <stdint.h>', '#include <mnos/abi.h>', '']
    for s in abi.SYSCALLS:
        o += [gen_stub(s), '']
    o += ['#endif', '']
    return '\n'.join(o)


# ---------------------------------------------------------------------------------------
# syscall_table.h: the kernel's dispatch
# ---------------------------------------------------------------------------------------

def gen_case(s):
    o = [f"\tcase SYS_{s['name'].upper()}: {{"]
    args = s['args']
    slot_regs = [arg_reg(s, i) for i, a in enumerate(args) if a['kind'] in ('slot', 'proc')]
    rights_regs = [arg_reg(s, i) for i, a in enumerate(args) if a['kind'] == 'rights']
    if slot_regs:
        o.append(f"\t\tif (unlikely(({' | '.join('f->' + r for r in slot_regs)}) >> 32))")
        o.append('\t\t\treturn E_RANGE;')
    if rights_regs:
        o.append(f"\t\tif (unlikely(({' | '.join('f->' + r for r in rights_regs)}) >> 32))")
        o.append('\t\t\treturn E_INVAL;')
    call_args = []
    for i, a in enumerate(args):
        r = arg_reg(s, i)
        call_args.append(f'(uint32_t)f->{r}' if a['kind'] in ('slot', 'proc', 'rights') else f'f->{r}')
    call_args.append('f')
    call = f"sys_{s['name']}({', '.join(call_args)})"
    if s.get('noreturn'):
        o.append(f'\t\t{call};')
        o.append('\t\t__builtin_unreachable();')
    else:
        o.append(f'\t\tkerr_t e = {call};')
        res_regs = {r['reg'] for r in s['results']}
        zero = [r for r in abi.RESULT_REGS if r not in res_regs]
        if zero:
            o.append('\t\t' + ' = '.join(f'f->{r}' for r in zero) + ' = 0;')
        o.append('\t\treturn e;')
    o.append('\t}')
    return o


def gen_table_h():
    o = [HEADER, '/*', ' * The kernel\'s side of the system-call ABI: a prototype for every handler',
         ' * (so a call in the table without a handler does not link) and syscall_invoke(),',
         ' * which checks the arguments whose kind the table fixes — slots and process',
         ' * slots must fit 32 bits (E_RANGE), rights masks too (E_INVAL) — calls the',
         ' * handler with them, and zeroes the result registers the call does not use.',
         ' * Handlers write their results into the frame (kernel/syscall/).', ' */',
         '#ifndef SYSCALL_TABLE_H', '#define SYSCALL_TABLE_H', '',
         '#include <mnos/abi.h>', '#include <kerr.h>', '#include <klib.h>',
         '#include <arch/syscall.h>', '']
    for s in abi.SYSCALLS:
        pre = '__noreturn void' if s.get('noreturn') else 'kerr_t'
        o.append(f"{pre} sys_{s['name']}({handler_params(s)});")
    o += ['', '/* The call f->rax names, or E_NOSYS. */',
          'static __always_inline kerr_t syscall_invoke(struct syscall_frame *f)', '{',
          '\tswitch (f->rax) {']
    for s in abi.SYSCALLS:
        o += gen_case(s)
    o += ['\tdefault:', '\t\treturn E_NOSYS;', '\t}', '}', '']
    # Descriptions for tests.
    o += ['#ifdef SYSCALL_DESCS', '/* What the table says about each call: for tests that sweep every call. */',
          'enum sys_arg_kind {']
    o += [f'\tSA_{k.upper()},' for k in KINDS]
    o += ['};', '', 'struct sys_arg_desc {', '\tuint8_t kind;\t\t/* enum sys_arg_kind */',
          '\tuint8_t obj, obj_hi;\t/* slot: MNOS_OBJ_* (NONE: any) */',
          '\tbool zero_ok;\t\t/* slot: 0 means none */',
          '\tbool dst;\t\t/* slot: an empty slot the call fills */',
          '\tuint32_t need, need_hi;\t/* slot: rights the call needs */', '};', '',
          'struct sys_desc {', '\tconst char *name;', '\tuint8_t nargs;', '\tbool noreturn;',
          '\tuint8_t results;\t/* bit i: result register i (rdi, rsi, ... r9) */',
          '\tuint32_t errors;\t/* bit e: documented error e */',
          '\tstruct sys_arg_desc args[6];', '};', '',
          'static const struct sys_desc syscall_descs[SYS_COUNT] = {']
    for s in abi.SYSCALLS:
        errs = ' | '.join(f'1u << {e}' for e in sorted(s['errors'], key=ERR_NAMES.index)) or '0'
        resm = sum(1 << abi.RESULT_REGS.index(r['reg']) for r in s['results'])
        o.append(f"\t[SYS_{s['name'].upper()}] = {{")
        o.append(f"\t\t.name = \"{s['name']}\", .nargs = {len(s['args'])}, "
                 f".noreturn = {'true' if s.get('noreturn') else 'false'}, .results = {resm:#x},")
        o.append(f'\t\t.errors = {errs},')
        o.append('\t\t.args = {')
        for a in s['args']:
            fields = [f".kind = SA_{a['kind'].upper()}"]
            if 'obj' in a:
                fields.append(f".obj = MNOS_OBJ_{a['obj']}")
            if 'obj_hi' in a:
                fields.append(f".obj_hi = MNOS_OBJ_{a['obj_hi']}")
            if a.get('zero_ok'):
                fields.append('.zero_ok = true')
            if a.get('dst'):
                fields.append('.dst = true')
            if a.get('need'):
                fields.append(f".need = {rights_expr(a['need'])}")
            if a.get('need_hi'):
                fields.append(f".need_hi = {rights_expr(a['need_hi'])}")
            o.append(f"\t\t\t{{ {', '.join(fields)} }},")
        o.append('\t\t},')
        o.append('\t},')
    o += ['};', '#endif /* SYSCALL_DESCS */', '', '#endif', '']
    return '\n'.join(o)


# ---------------------------------------------------------------------------------------
# docs/SYSCALLS.md
# ---------------------------------------------------------------------------------------

KIND_DOC = {
    'value': 'value', 'slot': 'slot', 'slots2': 'two slots', 'proc': 'process',
    'rights': 'rights', 'ptr_in': 'pointer (in)', 'size': 'size', 'addr': 'user address',
    'ptr_out': 'pointer (out)',
}


def md_escape(t):
    return t.replace('|', '\\|')


def gen_doc():
    o = ['<!-- Generated from abi/abi.py by tools/gen_abi.py: do not edit. '
         '`make abi-doc` rewrites it; `make abi-check` (part of `make test`) fails when it is stale. -->',
         '# System calls', '',
         'The reference for every system call, produced from the ABI table `abi/abi.py` '
         '(docs/ARCHITECTURE.md, "The system-call ABI"), like the kernel\'s dispatch '
         '(`build/gen/syscall_table.h`) and the user stubs (`build/gen/mnos/syscalls.h`, '
         '`mnos_<name>()`), so the three cannot disagree.', '',
         '## Convention', '',
         '`SYSCALL` with the number in `rax` and arguments in ' +
         ', '.join(f'`{r}`' for r in abi.ARG_REGS) + ' in order. `rax` returns the error '
         'code (0 = `E_OK`); results come back in the registers each call lists below, and '
         'every other of ' + ', '.join(f'`{r}`' for r in abi.RESULT_REGS) + ' is zero. '
         'On any error all six are zero, so nothing of the kernel\'s leaks. ' +
         ', '.join(f'`{r}`' for r in abi.PRESERVED_REGS) + ' are preserved; ' +
         ' and '.join(f'`{r}`' for r in abi.CLOBBERED_REGS) + ' are clobbered (the '
         'instruction uses them). An unknown number returns `E_NOSYS`.', '',
         'Argument kinds, and what the dispatch checks before any handler runs:', '',
         '- **slot**: a capability slot in the caller\'s capability space (for `dst_slot` of '
         '`cap_copy`: in `dst_proc`\'s). A value of 2^32 or more is `E_RANGE`; then slot 0 or '
         'past the space is `E_RANGE`, an empty slot `E_NOT_FOUND`, another type of object '
         '`E_TYPE`, a missing right `E_PERM`, in that order.',
         '- **two slots**: two slots in one register, the low 32 bits and the high 32 bits.',
         '- **process**: 0 names the caller\'s own process; anything else is a slot that must '
         'hold a process capability with `CONTROL` (errors as for a slot).',
         '- **rights**: a mask of `CAP_R_*` bits; 2^32 or more is `E_INVAL`. Rights are only '
         'ever kept or dropped, never added.',
         '- **pointer (in)**: user memory the kernel reads, with its length in another '
         'argument: `E_RANGE` unless entirely inside user space (`MNOS_USER_BASE` .. '
         '`MNOS_USER_TOP`), `E_FAULT` if a page of it is not mapped readable.',
         '- **pointer (out)**: user memory the kernel writes, with its length in another '
         'argument: `E_RANGE` unless all of it is inside user space, `E_FAULT` if a page '
         'of what is written is not mapped writable.',
         '- **user address**: an address in the caller\'s or a target process\'s user space, '
         'not read by the call.', '',
         'Every call checks every slot, right, size and pointer before it changes anything: '
         'a call that fails has changed nothing.', '',
         '## Error codes', '', '| value | name | meaning |', '|---|---|---|']
    for i, (n, _, doc) in enumerate(abi.ERRORS):
        o.append(f'| {i} | `{n}` | {md_escape(doc)} |')
    o += ['', '## Object types and rights', '', '| value | type | rights |', '|---|---|---|']
    for name, val, doc in abi.OBJ_TYPES:
        rs = [f'`{r[0]}` ({1 << r[1]:#x})' for r in abi.RIGHTS if name in r[2]]
        o.append(f"| {val} | `MNOS_OBJ_{name}`: {doc} | {', '.join(rs) or '—'} |")
    o += ['', 'What each right allows:', '']
    for name, bit, types, doc in abi.RIGHTS:
        o.append(f"- `CAP_R_{name}` (bit {bit}; {', '.join(t.lower() for t in types)}): {doc}.")
    o += ['', '## Messages', '',
          f"A message is an info word — length in words (bits 0-6), number of capabilities "
          f"(bits 7-9), reserved bits 10-11 (zero), label (bits 12-63) — and up to "
          f"`IPC_MAX_WORDS` = {abi.IPC['MAX_WORDS'][0]} words. The info word and words 0-"
          f"{abi.IPC['REG_WORDS'][0] - 1} travel in registers (`rsi`, `rdx`, `r10`, `r8`, `r9`, "
          f"the same both ways); words {abi.IPC['REG_WORDS'][0]} and up, and up to "
          f"`IPC_MAX_CAPS` = {abi.IPC['MAX_CAPS'][0]} capabilities, through the thread's IPC "
          "buffer (`ipc_buffer_set`), a page laid out as `struct mnos_ipc_buffer`:", '',
          '| field | type | meaning |', '|---|---|---|']
    for name, ctype, n, doc in abi.IPC_BUFFER:
        o.append(f'| `{name}` | `{ctype}[{n}]` | {md_escape(doc)} |')
    o += ['', 'A receiver learns the badge of the capability the sender used (`rdi`). '
          'Timeouts are nanoseconds: 0 polls, 2^64-1 waits forever.', '',
          '## Limits', '', '| name | value | meaning |', '|---|---|---|']
    for name, val, doc in abi.LIMITS:
        o.append(f'| `MNOS_{name}` | {val:#x} | {md_escape(doc)} |')
    o += ['', '## Flags', '', '| name | value | meaning |', '|---|---|---|']
    for name, val, doc in abi.FLAGS:
        o.append(f'| `MNOS_{name}` | {val:#x} | {md_escape(doc)} |')
    o += ['', '## Calls', '', '| # | call | area |', '|---|---|---|']
    for s in abi.SYSCALLS:
        o.append(f"| {s['num']} | [`{s['name']}`](#{s['num']}-{s['name']}) | {s['area']} |")
    for s in abi.SYSCALLS:
        params = ', '.join(a['name'] for a in s['args'])
        o += ['', f"### {s['num']} {s['name']}", '',
              f"`mnos_{s['name']}({params})` — {s['doc']}", '']
        if s['args']:
            o += ['| argument | register | kind | meaning | capability needed |',
                  '|---|---|---|---|---|']
            for i, a in enumerate(s['args']):
                capneed = ''
                if a['kind'] in ('slot', 'slots2') and 'obj' in a:
                    t = 'any' if a['obj'] == 'NONE' else a['obj'].lower()
                    capneed = f"{t}" + (f" with {', '.join(a['need'])}" if a.get('need') else '')
                    if 'obj_hi' in a:
                        capneed += f"; high: {a['obj_hi'].lower()} with {', '.join(a['need_hi'])}"
                elif a['kind'] == 'proc':
                    capneed = 'process with CONTROL (0: self)'
                o.append(f"| `{a['name']}` | `{abi.ARG_REGS[i]}` | {KIND_DOC[a['kind']]}"
                         f"{' ≤ ' + a['max'] if 'max' in a else ''} | {md_escape(a['doc'])} | {capneed} |")
            o.append('')
        if s.get('noreturn'):
            o += ['Does not return.']
        elif s['results']:
            o.append('Results: ' + '; '.join(f"`{r['reg']}` = {r['name']} ({r['doc']})"
                                              for r in s['results']) + '.')
        else:
            o.append('Results: none.')
        if s['errors']:
            o += ['', '| error | when |', '|---|---|']
            for e in sorted(s['errors'], key=ERR_NAMES.index):
                o.append(f"| `{e}` | {md_escape(s['errors'][e])} |")
        elif not s.get('noreturn'):
            o += ['', 'Never fails.']
    o.append('')
    return '\n'.join(o)


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    old = None
    if os.path.exists(path):
        with open(path) as f:
            old = f.read()
    if old != text:         # untouched files keep their time: nothing rebuilds for nothing
        with open(path, 'w') as f:
            f.write(text)


def main():
    if len(sys.argv) == 2 and sys.argv[1] in ('-h', '--help'):
        print(__doc__.strip())
        return
    if len(sys.argv) != 2 or sys.argv[1].startswith('-'):
        die('usage: gen_abi.py OUTDIR')
    check()
    out = sys.argv[1]
    write(os.path.join(out, 'mnos', 'abi.h'), gen_abi_h())
    write(os.path.join(out, 'mnos', 'syscalls.h'), gen_syscalls_h())
    write(os.path.join(out, 'syscall_table.h'), gen_table_h())
    write(os.path.join(out, 'docs', 'SYSCALLS.md'), gen_doc())


if __name__ == '__main__':
    main()
