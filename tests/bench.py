#!/usr/bin/env python3
"""make bench: boot the benchmark kernel under QEMU TCG with -icount shift=0, where one
TSC tick is exactly one guest instruction, run every in-kernel benchmark (kbench.h) and
print one line per figure, "BENCH <name> <value> <unit>"; also write build/bench.json.
Those that need several CPUs (ipc_cross_cpu, ipc_pairs_*) run in a second boot with
four: -icount makes TCG run the CPUs in turn, one at a time, and the TSC counts the
instructions of all of them (docs/PERFORMANCE.md).

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

# The in-kernel benchmarks that need several CPUs (KBENCH_CPUS), and the CPUs of their boot.
SMP_SELECT = 'ipc_cross_cpu,ipc_pairs_*'
SMP_CPUS = 4


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


def kernel_benchmarks(args, select, smp, mem, name):
    """The in-kernel benchmarks of select, in a boot of smp CPUs: (exit code, output)."""
    iso = iso_for(args.kernel, f'kbench={select} kbench.icount')
    q = Qemu(iso, firmware='bios', mem=mem, smp=smp, extra=['-icount', 'shift=0'],
             log_path=os.path.join(BUILD, f'{name}.log'), name=name)
    try:
        q.start()
        code = q.wait(args.timeout)
    finally:
        q.stop()
    return code, q.output().replace('\r\n', '\n')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--kernel', required=True)
    ap.add_argument('--select', default='all')
    ap.add_argument('--mem', default='4096', help='MiB; the 90%% figures want a 4 GiB machine')
    ap.add_argument('--timeout', type=int, default=600)
    args = ap.parse_args()

    os.makedirs(BUILD, exist_ok=True)
    log = os.path.join(BUILD, 'bench.log')
    code, out = kernel_benchmarks(args, args.select, 1, f'{args.mem}M', 'bench')
    bad_boots = [] if code == QEMU_EXIT['pass'] else [f'bench (exit {code})']
    # The benchmarks that want several CPUs (skipped above): a boot of SMP_CPUS, where
    # -icount runs the CPUs one at a time and the TSC counts all their instructions.
    if args.select == 'all':
        code, smp_out = kernel_benchmarks(args, SMP_SELECT, SMP_CPUS, '512M', 'bench-smp')
        out += '\n' + smp_out
        if code != QEMU_EXIT['pass']:
            bad_boots.append(f'bench-smp (exit {code})')
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
    if bad_boots or bad or not figures:
        print(f'bench: failed ({", ".join(bad_boots + bad) or "no figures"}); see '
              f'{os.path.relpath(log)}', file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
