#!/usr/bin/env python3
"""make bench: boot the benchmark kernel under QEMU TCG with -icount shift=0, where one
TSC tick is exactly one guest instruction, run every in-kernel benchmark (kbench.h) and
print one line per figure, "BENCH <name> <value> <unit>"; also write build/bench.json.
Those that need several CPUs (ipc_cross_cpu, ipc_pairs_*) run in a second boot with
four: -icount makes TCG run the CPUs in turn, one at a time, and the TSC counts the
instructions of all of them (docs/PERFORMANCE.md).

Then boot the whole system the same way, as `make run` does, and type `bench -b` at
its shell. bench prints boot_to_init and boot_to_shell too: the instructions from the
kernel's first to init's first and to the shell's first prompt, from TSC stamps taken
then (the kernel's, and the shell's, which it passes to its programs). A last boot
without -icount gives the same two in wall time (boot_to_*_wall, in microseconds).
The other figures of bench -b are the benchmarks of the running system (user/bench:
system call, yield, notification and IPC between two threads, spawn + wait through the
process service, a 1 MiB file written and read back through the VFS, 1 MiB read),
whose TSC cycles are instructions here: the median of five runs, the loop's own cost taken off ("sys_"
figures, spawn_exit_wait and file_read_1m).

Usage: bench.py --kernel build/release/minimalos.elf [--select all] [--mem 4096] [--smp 1]
"""
import argparse
import json
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qemu import Qemu, QEMU_EXIT  # noqa: E402
from run import iso_for, BUILD  # noqa: E402

# The in-kernel benchmarks that need several CPUs (KBENCH_CPUS), and the CPUs of their boot.
SMP_SELECT = 'ipc_cross_cpu,ipc_pairs_*'
SMP_CPUS = 4


def system_benchmarks(args, icount=True, command=b'bench -b'):
    """The whole system booted as `make run` boots it, and command typed at its shell:
    (what it printed, or a "not ok" line; the wall time from QEMU's start to the
    kernel's banner and to the prompt, in seconds)."""
    iso = iso_for(args.kernel, '')
    name = 'bench-system' if icount else 'bench-wall'
    q = Qemu(iso, firmware='bios', mem='512M', smp=1,
             extra=['-icount', 'shift=0'] if icount else [],
             log_path=os.path.join(BUILD, f'{name}.log'), name=name)
    try:
        t0 = time.monotonic()
        q.start()
        banner = q.expect(r'MinimalOS \d', timeout=args.timeout)
        t_banner = time.monotonic() - t0
        if not banner or not q.expect(r'/ \$ ', timeout=args.timeout):
            return 'not ok - the shell never prompted\n', ()
        t_prompt = time.monotonic() - t0
        start = len(q.buf)
        q.send(command + b'\r')
        if not q.expect(r'\n/ \$ ', timeout=args.timeout, start=start):
            return f'not ok - {command.decode()} did not finish\n', ()
        return q.output()[start:].replace('\r\n', '\n'), (t_banner, t_prompt)
    finally:
        q.stop()


def wall_boot_times(args):
    """boot_to_init and boot_to_shell in wall time, under plain TCG (no -icount, so the
    TSC runs with the host's clock): from the kernel's own stamps, and as the harness saw
    the kernel's banner and the prompt. Reported, never asserted: they vary with the
    machine's load. BENCH and detail lines for the figures <name>_wall."""
    out, (t_banner, t_prompt) = system_benchmarks(args, icount=False, command=b'bench -b boot')
    lines = []
    for name in ('boot_to_init', 'boot_to_shell'):
        m = re.search(rf'^# {name}: .* (\d+) us$', out, re.M)
        if not m:
            lines.append(f'not ok - no {name} stamp in the plain TCG boot')
            continue
        lines.append(f'BENCH {name}_wall {m.group(1)} us')
        lines.append(f'# {name}_wall: plain TCG, from the kernel\'s TSC stamps; the harness '
                     f'saw the kernel banner {t_banner * 1000:.0f} ms and the prompt '
                     f'{t_prompt * 1000:.0f} ms after starting QEMU (firmware and GRUB '
                     f'included), {(t_prompt - t_banner) * 1000:.0f} ms apart')
    return '\n'.join(lines) + '\n'


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
    ap.add_argument('--smp', type=int, default=1,
                    help='CPUs of the boot that runs --select (e.g. 4 for ipc_cross_cpu alone)')
    args = ap.parse_args()

    os.makedirs(BUILD, exist_ok=True)
    log = os.path.join(BUILD, 'bench.log')
    code, out = kernel_benchmarks(args, args.select, args.smp, f'{args.mem}M', 'bench')
    bad_boots = [] if code == QEMU_EXIT['pass'] else [f'bench (exit {code})']
    # The benchmarks that want several CPUs (skipped above): a boot of SMP_CPUS, where
    # -icount runs the CPUs one at a time and the TSC counts all their instructions.
    if args.select == 'all':
        code, smp_out = kernel_benchmarks(args, SMP_SELECT, SMP_CPUS, '512M', 'bench-smp')
        out += '\n' + smp_out
        if code != QEMU_EXIT['pass']:
            bad_boots.append(f'bench-smp (exit {code})')
        out += '\n' + system_benchmarks(args)[0] + '\n' + wall_boot_times(args)
    figures = []
    for m in re.finditer(r'^BENCH (\S+) (\d+) (\S+)$', out, re.M):
        figures.append({'name': m.group(1), 'value': int(m.group(2)), 'unit': m.group(3)})
        print(m.group(0))
    spreads = {m.group(1): m.group(0)[2:] for m in re.finditer(r'^# (\S+): .*$', out, re.M)}
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
