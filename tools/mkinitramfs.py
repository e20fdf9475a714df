#!/usr/bin/env python3
"""Pack the initramfs (docs/INITRAMFS.md): a POSIX ustar archive that GRUB loads as a
boot module and the kernel hands to init.

    tools/mkinitramfs.py OUT.tar MANIFEST.h TREE DIR:PROG.elf...

The archive holds every file and directory under TREE (the tree initramfs/: etc/...)
and each program PROG.elf as DIR/PROG (bin/ls, sbin/init, test/ptest: the Makefile
says which directory each program goes in), with the directories they need. It is
deterministic: entries sorted by path, mtime 0, uid and gid 0, no user or group names;
modes 0755 for directories and executables, 0644 for other files. Its size is padded
with zeros to a multiple of 4 KiB (zeros after the end marker are still a valid
archive), so the module ends on a page boundary and the read-only memory object the
kernel makes over it holds nothing but the archive.

Each regular file's data starts on a 4 KiB boundary: before its header go as many
entries "./" (the archive's root directory, 512 bytes each, which readers skip — ours
and GNU tar alike) as it takes. GRUB loads the module page-aligned, so the pages of a
program's text lie whole in the archive and the process service maps them into the
programs it starts instead of copying them (docs/PROCESSES.md).

MANIFEST.h lists every entry (path, directory or file, size, FNV-1a hash of the data)
and the archive's size and hash, for the in-guest test (tests/kernel/test_initramfs.c),
which checks that the kernel and a user process read back exactly what was packed.

Standard library only.
"""
import io
import os
import stat
import sys
import tarfile

PAGE = 4096


def fnv1a64(data):
    h = 0xcbf29ce484222325
    for b in data:
        h = ((h ^ b) * 0x100000001b3) & 0xffffffffffffffff
    return h


def collect(tree, progs):
    """{path: bytes or None (a directory)}."""
    entries = {}

    def add_dirs(path):
        parts = path.split('/')[:-1]
        for i in range(1, len(parts) + 1):
            entries.setdefault('/'.join(parts[:i]), None)

    for dirpath, dirnames, filenames in os.walk(tree):
        dirnames.sort()
        rel = os.path.relpath(dirpath, tree).replace(os.sep, '/')
        if rel != '.':
            entries[rel] = None
        for name in filenames:
            path = name if rel == '.' else f'{rel}/{name}'
            full = os.path.join(dirpath, name)
            with open(full, 'rb') as f:
                entries[path] = (f.read(), bool(os.stat(full).st_mode & stat.S_IXUSR))
            add_dirs(path)
    for arg in progs:
        where, sep, prog = arg.partition(':')
        if not sep or not where or '/' in where or where in ('.', '..'):
            sys.exit(f'mkinitramfs: {arg}: not DIR:PROG.elf with DIR one directory name')
        name = os.path.basename(prog)
        if name.endswith('.elf'):
            name = name[:-4]
        path = f'{where}/{name}'
        if path in entries:
            sys.exit(f'mkinitramfs: {path} is both in {tree} and a program')
        with open(prog, 'rb') as f:
            entries[path] = (f.read(), True)
        add_dirs(path)
    return entries


def tar_info(path):
    ti = tarfile.TarInfo(path)
    ti.mtime = 0
    ti.uid = ti.gid = 0
    ti.uname = ti.gname = ''
    return ti


def pack(entries):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode='w', format=tarfile.USTAR_FORMAT) as tf:
        for path in sorted(entries):
            ti = tar_info(path)
            if entries[path] is None:
                ti.type = tarfile.DIRTYPE
                ti.mode = 0o755
                tf.addfile(ti)
            else:
                # The data after this header starts a page: pad with root entries.
                while (tf.offset + tarfile.BLOCKSIZE) % PAGE:
                    pad = tar_info('.')
                    pad.type = tarfile.DIRTYPE
                    pad.mode = 0o755
                    tf.addfile(pad)
                data, executable = entries[path]
                ti.mode = 0o755 if executable else 0o644
                ti.size = len(data)
                tf.addfile(ti, io.BytesIO(data))
    data = buf.getvalue()
    return data + bytes(-len(data) % PAGE)


def c_string(s):
    return '"' + s.replace('\\', '\\\\').replace('"', '\\"') + '"'


def manifest(entries, data):
    lines = ['/* Written by tools/mkinitramfs.py: what build/initramfs.tar holds. */',
             f"#define INITRAMFS_BUILD_SIZE {len(data)}ull",
             f'#define INITRAMFS_BUILD_FNV 0x{fnv1a64(data):016x}ull',
             '#define INITRAMFS_BUILD_ENTRIES \\']
    for path in sorted(entries):
        e = entries[path]
        if e is None:
            lines.append(f'\tX({c_string(path)}, USTAR_DIR, 0, 0x{fnv1a64(b""):016x}ull) \\')
        else:
            lines.append(f'\tX({c_string(path)}, USTAR_FILE, {len(e[0])}, '
                         f'0x{fnv1a64(e[0]):016x}ull) \\')
    lines.append('\t/* end */')
    return '\n'.join(lines) + '\n'


def write(path, data):
    tmp = path + '.tmp'
    with open(tmp, 'wb') as f:
        f.write(data)
    os.replace(tmp, path)


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__.split('\n\n')[1])
    out, header, tree, progs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    entries = collect(tree, progs)
    data = pack(entries)
    write(out, data)
    write(header, manifest(entries, data).encode())
    return 0


if __name__ == '__main__':
    sys.exit(main())
