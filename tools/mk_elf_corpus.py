#!/usr/bin/env python3
"""Write the ELF loader's test corpus (docs/ELF.md, "The test corpus").

    tools/mk_elf_corpus.py [--check]

writes into tests/elf/:
  hello.elf      a small valid static x86-64 executable (hand-assembled below);
  <defect>.elf   one file per defect the loader must refuse, each the valid file with
                 one thing broken (a field, a program header, a truncation);
  MANIFEST       one line per file: name, the elf_check error it must get (elf_errname:
                 "ok" for files that must load), and the program header at fault (-1:
                 the file as a whole);
and tests/kernel/elf_corpus.S, which embeds every file and the manifest into the kernel
for the in-guest tests. The output is deterministic and checked in; --check only
verifies that what is checked in is what this script writes.

Standard library only.
"""
import os
import struct
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, 'tests', 'elf')
ASM = os.path.join(ROOT, 'tests', 'kernel', 'elf_corpus.S')

PAGE = 0x1000
# kernel/arch/x86_64/include/arch/layout.h
USER_STACK_TOP = 0x00007fff00000000
USER_STACK_REGION_BASE = USER_STACK_TOP - 0x40000000

PT_LOAD, PT_DYNAMIC, PT_INTERP, PT_NOTE, PT_SHLIB, PT_TLS = 1, 2, 3, 4, 5, 7
PT_GNU_STACK = 0x6474e551
PF_X, PF_W, PF_R = 1, 2, 4

TEXT_VA = 0x400000
CODE_OFF = 0x100                # the code, inside the text segment (which starts at 0)
DATA_OFF = 0x200
DATA_VA = 0x600000 + DATA_OFF   # congruent to DATA_OFF modulo the page size
DATA_MEMSZ = 0x3000 - DATA_OFF  # .data and .bss end at 0x603000: three pages
MARK_INIT = 0x1122334455667788

# The program. rdi holds the start information (kernel/include/mnos/start.h). It
#   - stores 1 at MAGIC_OK if the start information's magic is right;
#   - ORs the first and the last word of its .bss into BSS_SEEN (0 if .bss was zeroed);
#   - adds 1 to MARK (proving .data was loaded with MARK_INIT and is writable);
#   - stores 0x5eed in the first word of .bss;
#   - with two or more arguments, writes just below its stack: the guard page;
#   - prints "elf: hello from <argv[0]>\n" (system call 0, debug print) from a buffer in
#     .bss, and ends its thread (system call 22).
# Data addresses are absolute (a static executable). Assembled with GNU as from:
#
#   DATA = 0x600200; MARK = DATA; BSS_SEEN = DATA + 8; MAGIC_OK = DATA + 16
#   BSS_FIRST = DATA + 24; BUF = DATA + 32; BSS_LAST = 0x602ff8
#   _start: movq %rdi, %r12
#           movabsq $MNOS_START_MAGIC, %rax
#           cmpq %rax, (%r12)
#           jne 1f
#           movq $1, MAGIC_OK
#   1:      movq BSS_FIRST, %rax
#           orq BSS_LAST, %rax
#           movq %rax, BSS_SEEN
#           incq MARK
#           movq $0x5eed, BSS_FIRST
#           cmpq $2, 16(%r12)               # argc
#           jb 2f
#           movq 32(%r12), %rax             # stack_base
#           movq $1, -8(%rax)               # the guard page: a page fault
#   2:      movl $BUF, %edi
#           leaq prefix(%rip), %rsi
#           movl $16, %ecx
#           rep movsb
#           movq 24(%r12), %rsi             # argv
#           movq (%rsi), %rsi               # argv[0]
#           movl $200, %ecx
#   3:      lodsb
#           testb %al, %al
#           jz 4f
#           stosb
#           loop 3b
#   4:      movb $10, (%rdi)
#           incq %rdi
#           movq %rdi, %rsi
#           subq $BUF, %rsi                 # length
#           movl $BUF, %edi
#           xorl %eax, %eax                 # debug print
#           syscall
#           movl $22, %eax                  # thread exit
#           syscall
#           ud2
#   prefix: .ascii "elf: hello from "
CODE = bytes.fromhex(
    '4989fc'                    # mov %rdi,%r12
    '48b84e4f535354415254'      # movabs $MNOS_START_MAGIC,%rax
    '49390424'                  # cmp %rax,(%r12)
    '750c'                      # jne 1f
    '48c704251002600001000000'  # movq $1,MAGIC_OK
    '488b042518026000'          # 1: mov BSS_FIRST,%rax
    '480b0425f82f6000'          # or BSS_LAST,%rax
    '4889042508026000'          # mov %rax,BSS_SEEN
    '48ff042500026000'          # incq MARK
    '48c7042518026000ed5e0000'  # movq $0x5eed,BSS_FIRST
    '49837c241002'              # cmpq $2,16(%r12)
    '720d'                      # jb 2f
    '498b442420'                # mov 32(%r12),%rax
    '48c740f801000000'          # movq $1,-8(%rax)
    'bf20026000'                # 2: mov $BUF,%edi
    '488d353e000000'            # lea prefix(%rip),%rsi
    'b910000000'                # mov $16,%ecx
    'f3a4'                      # rep movsb
    '498b742418'                # mov 24(%r12),%rsi
    '488b36'                    # mov (%rsi),%rsi
    'b9c8000000'                # mov $200,%ecx
    'ac'                        # 3: lodsb
    '84c0'                      # test %al,%al
    '7403'                      # je 4f
    'aa'                        # stosb
    'e2f8'                      # loop 3b
    'c6070a'                    # 4: movb $10,(%rdi)
    '48ffc7'                    # inc %rdi
    '4889fe'                    # mov %rdi,%rsi
    '4881ee20026000'            # sub $BUF,%rsi
    'bf20026000'                # mov $BUF,%edi
    '31c0'                      # xor %eax,%eax
    '0f05'                      # syscall
    'b816000000'                # mov $22,%eax
    '0f05'                      # syscall
    '0f0b'                      # ud2
) + b'elf: hello from '
assert len(CODE) == 0xba and CODE_OFF + len(CODE) <= DATA_OFF
TEXT_FILESZ = CODE_OFF + len(CODE)
DATA = struct.pack('<QQQ', MARK_INIT, 0xffffffffffffffff, 0)
FILE_SIZE = DATA_OFF + len(DATA)

EHDR = struct.Struct('<16sHHIQQQIHHHHHH')
PHDR = struct.Struct('<IIQQQQQQ')


def phdr(ptype, flags, offset=0, vaddr=0, filesz=0, memsz=0, align=0):
    return dict(type=ptype, flags=flags, offset=offset, vaddr=vaddr, filesz=filesz,
                memsz=memsz, align=align)


def valid():
    """The valid program, as fields (so variants can break one) and contents."""
    return dict(
        ident=b'\x7fELF' + bytes([2, 1, 1, 0]) + bytes(8),
        type=2, machine=62, version=1, entry=TEXT_VA + CODE_OFF, phoff=64, shoff=0,
        flags=0, ehsize=64, phentsize=56, phnum=None, shentsize=0, shnum=0, shstrndx=0,
        table_at=64,                    # where the program headers are written
        phdrs=[
            phdr(PT_LOAD, PF_R | PF_X, 0, TEXT_VA, TEXT_FILESZ, TEXT_FILESZ, PAGE),
            phdr(PT_LOAD, PF_R | PF_W, DATA_OFF, DATA_VA, len(DATA), DATA_MEMSZ, PAGE),
            phdr(PT_GNU_STACK, PF_R | PF_W),
        ],
        truncate=None)


def build(f):
    phdrs = f['phdrs']
    phnum = len(phdrs) if f['phnum'] is None else f['phnum']
    img = bytearray(FILE_SIZE)
    img[0:64] = EHDR.pack(f['ident'], f['type'], f['machine'], f['version'], f['entry'],
                          f['phoff'], f['shoff'], f['flags'], f['ehsize'],
                          f['phentsize'], phnum, f['shentsize'], f['shnum'],
                          f['shstrndx'])
    table = b''.join(PHDR.pack(p['type'], p['flags'], p['offset'], p['vaddr'], p['vaddr'],
                               p['filesz'], p['memsz'], p['align']) for p in phdrs)
    img[CODE_OFF:CODE_OFF + len(CODE)] = CODE
    img[DATA_OFF:DATA_OFF + len(DATA)] = DATA
    at = f['table_at']
    assert at + len(table) <= CODE_OFF or at >= FILE_SIZE
    img[at:at + len(table)] = table
    if f['truncate'] is not None:
        del img[f['truncate']:]
    return bytes(img)


def variant(change):
    f = valid()
    change(f)
    return f


def ident(i, v):
    def change(f):
        b = bytearray(f['ident'])
        b[i] = v
        f['ident'] = bytes(b)
    return change


def field(name, v):
    def change(f):
        f[name] = v
    return change


def ph(i, **kw):
    def change(f):
        f['phdrs'][i].update(kw)
    return change


def both(*changes):
    def change(f):
        for c in changes:
            c(f)
    return change


def many_loads(f):
    # The text and eight small data segments: one PT_LOAD more than ELF_MAX_LOADS. The
    # table does not fit before the code: it goes at the end of the file.
    f['phdrs'] = [f['phdrs'][0]] + [
        phdr(PT_LOAD, PF_R | PF_W, DATA_OFF, 0x700000 + i * 0x10000 + DATA_OFF, 0, 8, PAGE)
        for i in range(8)]
    f['table_at'] = f['phoff'] = FILE_SIZE


TEXT, DATA_PH, STACK_PH = 0, 1, 2

# (file name, change, expected elf_errname, program header at fault or -1)
CASES = [
    ('hello', None, 'ok', -1),
    ('ok_osabi_gnu', ident(7, 3), 'ok', -1),
    ('ok_empty_load', ph(STACK_PH, type=PT_LOAD, flags=PF_R, offset=FILE_SIZE,
                         vaddr=0x900000), 'ok', -1),
    ('trunc_empty', field('truncate', 0), 'short', -1),
    ('trunc_in_ident', field('truncate', 10), 'short', -1),
    ('trunc_in_header', field('truncate', 63), 'short', -1),
    ('trunc_in_phdrs', field('truncate', 64 + 56 + 20), 'phdrs_outside', -1),
    ('trunc_in_text', field('truncate', 0x150), 'seg_outside_file', TEXT),
    ('trunc_in_data', field('truncate', DATA_OFF + 8), 'seg_outside_file', DATA_PH),
    ('bad_magic', ident(1, ord('X')), 'magic', -1),
    ('class32', ident(4, 1), 'class', -1),
    ('big_endian', ident(5, 2), 'data', -1),
    ('ident_version', ident(6, 0), 'ident_version', -1),
    ('osabi_freebsd', ident(7, 9), 'osabi', -1),
    ('type_pie', field('type', 3), 'type', -1),
    ('type_relocatable', field('type', 1), 'type', -1),
    ('machine_i386', field('machine', 3), 'machine', -1),
    ('version_none', field('version', 0), 'version', -1),
    ('ehsize_32bit', field('ehsize', 52), 'ehsize', -1),
    ('phentsize_32bit', field('phentsize', 32), 'phentsize', -1),
    ('phnum_zero', field('phnum', 0), 'phnum', -1),
    ('phnum_too_many', field('phnum', 33), 'phnum', -1),
    ('phoff_past_end', field('phoff', FILE_SIZE - 100), 'phdrs_outside', -1),
    ('phoff_wraps', field('phoff', 2**64 - 8), 'phdrs_outside', -1),
    ('interp', ph(STACK_PH, type=PT_INTERP, flags=PF_R), 'interp', STACK_PH),
    ('dynamic', ph(STACK_PH, type=PT_DYNAMIC, flags=PF_R | PF_W), 'dynamic', STACK_PH),
    ('tls', ph(STACK_PH, type=PT_TLS, flags=PF_R), 'tls', STACK_PH),
    ('shlib', ph(STACK_PH, type=PT_SHLIB), 'shlib', STACK_PH),
    ('exec_stack', ph(STACK_PH, flags=PF_R | PF_W | PF_X), 'exec_stack', STACK_PH),
    ('seg_offset_past_end', ph(DATA_PH, offset=FILE_SIZE + DATA_OFF), 'seg_outside_file',
     DATA_PH),
    ('seg_offset_wraps', ph(DATA_PH, offset=2**64 - PAGE + DATA_OFF), 'seg_outside_file',
     DATA_PH),
    ('seg_filesz_wraps', ph(DATA_PH, filesz=2**64 - 0x100), 'seg_outside_file', DATA_PH),
    ('seg_filesz_gt_memsz', ph(TEXT, memsz=TEXT_FILESZ - 1), 'seg_filesz', TEXT),
    ('seg_align_not_pow2', ph(DATA_PH, align=0x3000), 'seg_align', DATA_PH),
    ('seg_align_below_page', ph(DATA_PH, align=16), 'seg_align', DATA_PH),
    ('seg_not_congruent', ph(DATA_PH, vaddr=0x600300), 'seg_congruent', DATA_PH),
    ('seg_wraps', ph(DATA_PH, vaddr=2**64 - PAGE + DATA_OFF), 'seg_wraps', DATA_PH),
    ('seg_below_user', ph(TEXT, vaddr=0), 'seg_range', TEXT),
    ('seg_in_kernel', ph(DATA_PH, vaddr=0xffffffff80000000 + DATA_OFF), 'seg_range',
     DATA_PH),
    ('seg_in_stack_region', ph(DATA_PH, vaddr=USER_STACK_REGION_BASE + DATA_OFF),
     'seg_range', DATA_PH),
    ('seg_into_stack_region', ph(DATA_PH, vaddr=USER_STACK_REGION_BASE - PAGE + DATA_OFF),
     'seg_range', DATA_PH),
    ('seg_wx', ph(TEXT, flags=PF_R | PF_W | PF_X), 'seg_wx', TEXT),
    ('seg_overlap_page', ph(DATA_PH, vaddr=TEXT_VA + DATA_OFF), 'seg_overlap', DATA_PH),
    ('too_many_loads', many_loads, 'too_many_loads', 8),
    ('no_load', both(ph(TEXT, type=PT_NOTE), ph(DATA_PH, type=PT_NOTE)), 'no_load', -1),
    ('entry_unmapped', field('entry', 0x500000), 'entry', -1),
    ('entry_in_data', field('entry', DATA_VA), 'entry', -1),
    ('entry_past_file_part', both(ph(TEXT, memsz=0x800), field('entry', TEXT_VA + 0x400)),
     'entry', -1),
    ('entry_not_executable', ph(TEXT, flags=PF_R), 'entry', -1),
]


def corpus():
    files = []
    for name, change, want, bad in CASES:
        f = valid()
        if change:
            change(f)
        files.append((name + '.elf', build(f), want, bad))
    return files


def manifest(files):
    lines = ['# file  elf_errname  program-header-at-fault (-1: the file)',
             '# Written by tools/mk_elf_corpus.py: do not edit.']
    lines += ['%s %s %d' % (n, want, bad) for n, _, want, bad in files]
    return '\n'.join(lines) + '\n'


def asm(files):
    out = ['/*',
           ' * The ELF corpus (tests/elf/, MANIFEST) embedded for the in-guest tests',
           ' * (tests/kernel/test_elf.c). Written by tools/mk_elf_corpus.py: do not edit.',
           ' *',
           ' * struct elf_corpus_entry { const char *file; const uint8_t *data;',
           ' *                          uint64_t size; const char *want; int64_t phdr; };',
           ' */',
           '\t.section .rodata.elf_corpus, "a"']
    for i, (name, _, _, _) in enumerate(files):
        out += ['\t.balign 16',
                'elf_corpus_data_%d:' % i,
                '\t.incbin "tests/elf/%s"' % name,
                'elf_corpus_end_%d:' % i]
    for i, (name, _, want, _) in enumerate(files):
        out += ['elf_corpus_name_%d:\t.asciz "%s"' % (i, name),
                'elf_corpus_want_%d:\t.asciz "%s"' % (i, want)]
    out += ['\t.balign 8', '\t.global elf_corpus, elf_corpus_count', 'elf_corpus:']
    for i, (_, _, _, bad) in enumerate(files):
        out += ['\t.quad elf_corpus_name_%d, elf_corpus_data_%d, '
                'elf_corpus_end_%d - elf_corpus_data_%d, elf_corpus_want_%d, %d'
                % (i, i, i, i, i, bad)]
    out += ['elf_corpus_count:', '\t.quad %d' % len(files),
            '\t.section .note.GNU-stack, "", @progbits']
    return '\n'.join(out) + '\n'


def main():
    check = '--check' in sys.argv[1:]
    files = corpus()
    want = {os.path.join(OUT, n): data for n, data, _, _ in files}
    want[os.path.join(OUT, 'MANIFEST')] = manifest(files).encode()
    want[ASM] = asm(files).encode()
    stale = []
    for path, data in want.items():
        try:
            with open(path, 'rb') as fh:
                same = fh.read() == data
        except FileNotFoundError:
            same = False
        if same:
            continue
        if check:
            stale.append(path)
            continue
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'wb') as fh:
            fh.write(data)
    if stale:
        sys.exit('mk_elf_corpus: out of date: ' + ', '.join(stale))


if __name__ == '__main__':
    main()
