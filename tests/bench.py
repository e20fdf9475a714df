#!/usr/bin/env python3
"""make bench: boot the benchmark kernel under QEMU TCG with -icount shift=0, where one
TSC tick is exactly one guest instruction, run every in-kernel benchmark (kbench.h) and
print one line per figure, "BENCH <name> <value> <unit>"; also write build/bench.json.

Then boot the whole system the same way, as `make run` does, and type `bench -b` at
its shell: the benchmarks of the running system (user/bench: system call, yield,
notification and IPC between two threads, spawn + wait through the process service, a
1 MiB file written and read back through the VFS, 1 MiB read), whose TSC cycles are
instructions here: the median of five runs, the loop's own cost taken off ("sys_"
figures and file_read_1m).

Usage: bench.py --kernel build/release/minimalos.elf [--select all] [--mem 4096]
"""
import argparse
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qemu import Qemu, QEMU_EXIT  # noqa: E402
from run import iso_for, BUILD  # noqa: E402


def system_benchmarks(args):
    """The running system's benchmarks, typed at its shell under -icount: their output."""
    iso = iso_for(args.kernel, '')
    q = Qemu(iso, firmware='bios', mem='512M', smp=1, extra=['-icount', 'shift=0'],
             log_path=os.path.join(BUILD, 'bench-system.log'), name='bench-system')
    try:
        q.start()
        if not q.expect(r'/ \$ ', timeout=args.timeout):
            return 'not ok - the shell never prompted\n'
        start = len(q.buf)
        q.send(b'bench -b\r')
        if not q.expect(r'\n/ \$ ', timeout=args.timeout, start=start):
            return 'not ok - bench -b did not finish\n'
        return q.output()[start:].replace('\r\n', '\n')
    finally:
        q.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--kernel', required=True)
    ap.add_argument('--select', default='all')
    ap.add_argument('--mem', default='4096', help='MiB; the 90%% figures want a 4 GiB machine')
    ap.add_argument('--timeout', type=int, default=600)
    args = ap.parse_args()

    iso = iso_for(args.kernel, f'kbench={args.select} kbench.icount')
    os.makedirs(BUILD, exist_ok=True)
    log = os.path.join(BUILD, 'bench.log')
    q = Qemu(iso, firmware='bios', mem=f'{args.mem}M', smp=1, extra=['-icount', 'shift=0'],
             log_path=log, name='bench')
    try:
        q.start()
        code = q.wait(args.timeout)
    finally:
        q.stop()
    out = q.output().replace('\r\n', '\n')
    if args.select == 'all':
        out += '\n' + system_benchmarks(args)
    figures = []
    for m in re.finditer(r'^BENCH (\S+) (\d+) (\S+)$', out, re.M):
        figures.append({'name': m.group(1), 'value': int(m.group(2)), 'unit': m.group(3)})
        print(m.group(0))
    spreads = {m.group(1): m.group(0)[2:] for m in re.finditer(r'^# (\S+): median .*$', out, re.M)}
    for f in figures:
        f['detail'] = spreads.get(f['name'], '')
    with open(os.path.join(BUILD, 'bench.json'), 'w') as fh:
        json.dump({'unit_note': 'instructions: guest instructions under QEMU -icount shift=0',
                   'figures': figures}, fh, indent=1)
    bad = re.findall(r'^not ok .*$', out, re.M)
    if code != QEMU_EXIT['pass'] or bad or not figures:
        print(f'bench: failed (exit {code}); see {os.path.relpath(log)}', file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
