#!/usr/bin/env python3
"""Write the ustar reader's test corpus (docs/INITRAMFS.md, "The test corpus").

    tools/mk_tar_corpus.py [--check]

writes into tests/tar/:
  ok_*.tar     valid archives, made by Python's tarfile (format=USTAR_FORMAT), a few of
               them edited by hand into forms other tars write (an old-style type,
               a "./" root entry, a name that fills its field);
  <defect>.tar one archive per defect the reader must refuse: a valid archive with one
               thing broken (a field, a truncation, an entry of another type), the
               broken header's checksum made right again unless the checksum is the
               defect;
  MANIFEST     one line per archive: name, the error ustar_check must give (ustar_errname:
               "ok" for valid ones), the offset of the header at fault (-1 for valid
               ones) and the number of entries (-1 for refused ones); after each valid
               archive one line per entry: "= path type mode size fnv1a64-of-data".
These are the seeds of the fuzzer too (tests/fuzz/fuzz_ustar.c). The output is
deterministic and checked in; --check only verifies that what is checked in is what this
script writes.

Standard library only.
"""
import io
import os
import sys
import tarfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, 'tests', 'tar')
BLOCK = 512

# Header fields: (offset, width).
NAME, MODE, UID, GID, SIZE, MTIME = (0, 100), (100, 8), (108, 8), (116, 8), (124, 12), \
    (136, 12)
CHKSUM, TYPE, MAGIC, VERSION, PREFIX = (148, 8), (156, 1), (257, 6), (263, 2), (345, 155)

HELLO = b'hello, initramfs\n'
CONF = b'# a configuration file\n' * 30     # more than one block


def fnv1a64(data):
    h = 0xcbf29ce484222325
    for b in data:
        h = ((h ^ b) * 0x100000001b3) & 0xffffffffffffffff
    return h


def tar(members, fmt=tarfile.USTAR_FORMAT, trim=True):
    """An archive of (name, type, data-or-None, mode) members, deterministic. With trim,
    it ends right after its two zero blocks (tarfile pads to 10 KiB records)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode='w', format=fmt) as tf:
        for name, kind, data, mode in members:
            ti = tarfile.TarInfo(name)
            ti.type = kind
            ti.mode = mode
            ti.mtime = 0
            ti.uid = ti.gid = 0
            ti.uname = ti.gname = ''
            if kind == tarfile.SYMTYPE:
                ti.linkname = 'target'
            if data is not None:
                ti.size = len(data)
            tf.addfile(ti, io.BytesIO(data) if data is not None else None)
        end = tf.offset
    out = buf.getvalue()
    return out[:end + 2 * BLOCK] if trim else out


def f(name, data, mode=0o644):
    return (name, tarfile.REGTYPE, data, mode)


def d(name, mode=0o755):
    return (name, tarfile.DIRTYPE, None, mode)


BASIC = [d('bin'), f('bin/hello', HELLO, 0o755), d('etc'), f('etc/empty', b''),
         f('etc/init.conf', CONF)]


def basic():
    return bytearray(tar(BASIC))


def header_offsets(data):
    """Offsets of the headers of a valid archive."""
    offs, off = [], 0
    while data[off:off + BLOCK] != bytes(BLOCK):
        offs.append(off)
        size = int(bytes(data[off + SIZE[0]:off + SIZE[0] + SIZE[1]]).rstrip(b'\0 ') or b'0', 8)
        off += BLOCK + (size + BLOCK - 1) // BLOCK * BLOCK
    return offs


def put(data, hdr, field, value):
    """Write value (bytes, padded with NULs to the field's width) into a field."""
    off, width = field
    assert len(value) <= width, (field, value)
    data[hdr + off:hdr + off + width] = value.ljust(width, b'\0')


def checksum(data, hdr, signed=False):
    h = bytearray(data[hdr:hdr + BLOCK])
    h[CHKSUM[0]:CHKSUM[0] + CHKSUM[1]] = b' ' * 8
    return sum((b - 256 if signed and b > 127 else b) for b in h) & 0o777777


def fix(data, hdr, signed=False):
    put(data, hdr, CHKSUM, b'%06o\0 ' % checksum(data, hdr, signed))
    return data


def edit(hdr_index, *changes, base=basic):
    """The base archive with fields of one header changed, its checksum fixed."""
    data = base()
    hdr = header_offsets(data)[hdr_index]
    for field, value in changes:
        put(data, hdr, field, value)
    return fix(data, hdr), hdr


def num(v, width):
    return b'%0*o\0' % (width - 1, v)


# ---- the corpus: name -> (bytes, error, offset of the bad header) ----

def corpus():
    c = {}
    hdrs = header_offsets(basic())
    second = hdrs[1]                    # bin/hello: the first regular file

    def bad(name, error, built, where=None):
        data, hdr = built
        c[name] = (bytes(data), error, hdr if where is None else where)

    # Valid archives.
    c['ok_basic.tar'] = (tar(BASIC, trim=False), 'ok', -1)
    c['ok_empty.tar'] = (tar([], trim=False), 'ok', -1)
    c['ok_trimmed.tar'] = (tar(BASIC), 'ok', -1)                # no record padding
    c['ok_long_path.tar'] = (tar([d('a' * 60), d('a' * 60 + '/' + 'b' * 80),
                                  f('a' * 60 + '/' + 'b' * 80 + '/' + 'c' * 99, HELLO)]),
                             'ok', -1)                           # tarfile uses the prefix
    c['ok_utf8_name.tar'] = (tar([f('caf\u00e9', HELLO)]), 'ok', -1)  # bytes >= 0x80
    c['ok_after_end.tar'] = (tar(BASIC) + b'anything after the end marker', 'ok', -1)
    # A name that fills its field has no NUL (POSIX allows it).
    data = bytearray(tar([f('n' * 99, HELLO)]))
    put(data, 0, NAME, b'n' * 100)
    c['ok_name_full.tar'] = (bytes(fix(data, 0)), 'ok', -1)
    # The longest path that fits: a full prefix, '/', 99 bytes of name (255 bytes).
    data = bytearray(tar([f('x', HELLO)]))
    put(data, 0, NAME, b'n' * 99)
    put(data, 0, PREFIX, b'p' * 155)
    c['ok_path_max.tar'] = (bytes(fix(data, 0)), 'ok', -1)
    # GNU tar's `tar -C dir .` form: a "./" root entry (skipped) and "./"-prefixed paths;
    # also "//" and "/./" inside, which normalise away.
    c['ok_dot_root.tar'] = (tar([d('.'), d('./sbin'), f('./sbin//x/./y', HELLO)]), 'ok', -1)
    # A regular file as pre-POSIX tars typed it ('\0'), spaces as field terminators.
    data = bytearray(tar([f('old', HELLO)]))
    put(data, 0, TYPE, b'\0')
    put(data, 0, MODE, b'000644 \0')
    put(data, 0, SIZE, b'%011o ' % len(HELLO))
    c['ok_old_type.tar'] = (bytes(fix(data, 0)), 'ok', -1)

    # Truncations: at several points.
    full = tar(BASIC)
    c['trunc_empty.tar'] = (b'', 'truncated', 0)
    c['trunc_in_header.tar'] = (full[:300], 'truncated', 0)
    c['trunc_in_second_header.tar'] = (full[:second + 100], 'truncated', second)
    c['trunc_in_data.tar'] = (full[:second + BLOCK + 5], 'size', second)
    c['trunc_in_padding.tar'] = (full[:second + BLOCK + len(HELLO) + 1], 'size', second)
    c['trunc_no_end.tar'] = (full[:-2 * BLOCK], 'truncated', len(full) - 2 * BLOCK)
    c['trunc_one_zero.tar'] = (full[:-BLOCK], 'truncated', len(full) - BLOCK)
    c['trunc_half_zero.tar'] = (full[:-BLOCK - 1], 'truncated', len(full) - 2 * BLOCK)
    # One zero block, then a header: not the end marker.
    two = tar([f('a', HELLO)])
    c['lone_zero.tar'] = (two[:-2 * BLOCK] + bytes(BLOCK) + tar([f('b', HELLO)]),
                          'lone_zero', 2 * BLOCK + BLOCK)

    # Magic and version.
    bad('magic_bad.tar', 'magic', edit(0, (MAGIC, b'ustaX\0')))
    bad('magic_no_nul.tar', 'magic', edit(0, (MAGIC, b'ustarx')))
    c['magic_gnu.tar'] = (tar([f('x', HELLO)], fmt=tarfile.GNU_FORMAT), 'magic', 0)
    bad('magic_v7.tar', 'magic', edit(0, (MAGIC, b''), (VERSION, b'')))   # V7: none
    bad('version_01.tar', 'version', edit(1, (VERSION, b'01')))
    bad('version_nul.tar', 'version', edit(0, (VERSION, b'\0\0')))

    # Checksums.
    data = basic()
    put(data, second, CHKSUM, b'%06o\0 ' % (checksum(data, second) + 1))
    c['checksum_off_by_one.tar'] = (bytes(data), 'checksum', second)
    data = basic()
    data[second + 40] ^= 0x20                     # a name byte changed after the sum
    c['checksum_stale.tar'] = (bytes(data), 'checksum', second)
    data = bytearray(tar([f('caf\u00e9', HELLO)]))
    c['checksum_signed.tar'] = (bytes(fix(data, 0, signed=True)), 'checksum', 0)
    data = basic()
    put(data, 0, CHKSUM, b'0012a4\0 ')
    c['checksum_not_octal.tar'] = (bytes(data), 'octal', 0)

    # Numeric fields.
    bad('size_digit_9.tar', 'octal', edit(1, (SIZE, b'00000000019\0')))
    bad('size_digit_8.tar', 'octal', edit(1, (SIZE, b'00000000018\0')))
    bad('size_no_terminator.tar', 'octal', edit(1, (SIZE, b'000000000021')))
    bad('size_leading_space.tar', 'octal', edit(1, (SIZE, b'         21\0')))
    bad('size_empty.tar', 'octal', edit(1, (SIZE, b'')))
    bad('size_garbage_after.tar', 'octal', edit(1, (SIZE, b'21\0x')))
    bad('size_base256.tar', 'octal', edit(1, (SIZE, b'\x80' + bytes(10) + b'\x15')))
    bad('size_negative.tar', 'octal', edit(1, (SIZE, b'-0000000021\0')))
    bad('mode_not_octal.tar', 'octal', edit(0, (MODE, b'00007x5\0')))
    bad('uid_not_octal.tar', 'octal', edit(0, (UID, b'zero\0')))
    bad('mtime_not_octal.tar', 'octal', edit(0, (MTIME, b'0000000000a\0')))
    bad('mode_type_bits.tar', 'mode', edit(1, (MODE, b'0100644\0')))

    # Sizes.
    bad('size_huge.tar', 'size', edit(1, (SIZE, num(8 * 2**30 - 1, 12))))
    # One byte more than follows the header, end marker included.
    bad('size_past_end.tar', 'size', edit(1, (SIZE, num(len(full) - second - BLOCK + 1, 12))))
    # Exactly what follows: the data swallows the end marker.
    bad('size_to_end.tar', 'truncated', edit(1, (SIZE, num(len(full) - second - BLOCK, 12))),
        where=len(full))
    bad('dir_size.tar', 'dir_size', edit(0, (SIZE, num(BLOCK, 12))))

    # Types: refused, not skipped.
    for name, t in (('hardlink', b'1'), ('symlink', b'2'), ('chardev', b'3'),
                    ('fifo', b'6'), ('contiguous', b'7'), ('pax', b'x'),
                    ('gnu_longname', b'L')):
        bad(f'type_{name}.tar', 'type', edit(1, (TYPE, t)))
    c['type_pax_real.tar'] = (tar([f('p' * 120 + '/' + 'q' * 120, HELLO)],
                                  fmt=tarfile.PAX_FORMAT), 'type', 0)

    # Names and paths.
    bad('name_after_nul.tar', 'name_nul', edit(1, (NAME, b'bin/hello\0evil')))
    data, hdr = edit(0, (NAME, b'ccc'), (PREFIX, b'aaa\0bbb'),
                     base=lambda: bytearray(tar([f('x', HELLO)])))
    c['prefix_after_nul.tar'] = (bytes(data), 'name_nul', hdr)
    bad('path_empty.tar', 'path_empty', edit(1, (NAME, b'')))
    bad('path_empty_with_prefix.tar', 'path_empty', edit(1, (NAME, b''), (PREFIX, b'bin')))
    bad('path_dot_file.tar', 'path_empty', edit(1, (NAME, b'./')))
    bad('path_absolute.tar', 'path_absolute', edit(1, (NAME, b'/etc/passwd')))
    bad('path_absolute_prefix.tar', 'path_absolute', edit(1, (NAME, b'x'), (PREFIX, b'/')))
    bad('path_dotdot.tar', 'path_dotdot', edit(1, (NAME, b'../evil')))
    bad('path_dotdot_middle.tar', 'path_dotdot', edit(1, (NAME, b'bin/../../evil')))
    bad('path_dotdot_end.tar', 'path_dotdot', edit(0, (NAME, b'bin/..')))
    bad('path_dotdot_prefix.tar', 'path_dotdot', edit(1, (NAME, b'x'), (PREFIX, b'a/..')))
    bad('path_too_long.tar', 'path_too_long',
        edit(1, (NAME, b'n' * 100), (PREFIX, b'p' * 155)))
    bad('path_slash_file.tar', 'path_slash', edit(1, (NAME, b'bin/hello/')))
    bad('path_dot_end_file.tar', 'path_slash', edit(1, (NAME, b'bin/hello/.')))

    # ustar_find's cases (the archives themselves are valid).
    c['ok_duplicate.tar'] = (tar([f('a', HELLO), f('b', b''), f('./a', CONF)]), 'ok', -1)
    return c


def entries(data):
    """What the reader must list for a valid archive: (path, type, mode, size, fnv)."""
    out = []
    with tarfile.open(fileobj=io.BytesIO(data), mode='r:') as tf:
        for m in tf.getmembers():
            path = '/'.join(p for p in m.name.split('/') if p not in ('', '.'))
            if not path and m.isdir():
                continue
            body = tf.extractfile(m).read() if m.isfile() else b''
            out.append((path, 'dir' if m.isdir() else 'file', m.mode, len(body),
                        fnv1a64(body)))
    return out


def write_all(check):
    files = corpus()
    lines = ['# archive  ustar_errname  bad-header-offset  entries',
             '# = path  type  mode  size  fnv1a64   (each entry of a valid archive)',
             '# Written by tools/mk_tar_corpus.py: do not edit.']
    out = {}
    for name, (data, error, hdr) in files.items():
        ents = entries(data) if error == 'ok' else None
        lines.append(f'{name} {error} {hdr} {len(ents) if ents is not None else -1}')
        for path, kind, mode, size, h in ents or []:
            lines.append(f'= {path} {kind} {mode:o} {size} {h:016x}')
        out[name] = data
    out['MANIFEST'] = ('\n'.join(lines) + '\n').encode()

    stale = []
    for name, data in out.items():
        path = os.path.join(OUT, name)
        old = open(path, 'rb').read() if os.path.exists(path) else None
        if old != data:
            stale.append(name)
            if not check:
                with open(path, 'wb') as fp:
                    fp.write(data)
    extra = sorted(set(os.listdir(OUT)) - set(out)) if os.path.isdir(OUT) else []
    if check:
        if stale or extra:
            print(f'tests/tar is stale: {" ".join(stale + extra)}', file=sys.stderr)
            return 1
        return 0
    for name in extra:
        os.remove(os.path.join(OUT, name))
    return 0


def main():
    os.makedirs(OUT, exist_ok=True)
    return write_all('--check' in sys.argv[1:])


if __name__ == '__main__':
    sys.exit(main())
