#!/usr/bin/env python3
"""MinimalOS test runner: host unit tests and in-guest tests, one report.

Host tests are Criterion binaries (ASan + UBSan); each is run with --tap and every test
in it becomes one result. Guest tests boot the kernel in QEMU (TCG) once per
configuration of tests/guest_configs.py — firmware, memory, CPUs, kernel command line —
with a hard timeout, read the KTAP the kernel prints on the serial port (or debugcon) and
the exit code it gives QEMU through isa-debug-exit. Every KTAP test becomes one result
"<config>/<test>"; a boot that times out, ends with the wrong code, prints fewer results
than its plan or fails a configuration check becomes a failed "<config>/boot" result.
So does a boot whose console shows a report of the undefined-behaviour sanitizer
(`make UBSAN=1`) that its configuration does not expect. Configurations marked
kernel='ubsan' boot the UBSan build's kernel (--ubsan-kernel) and its initramfs.

The last line is always "N passed, N failed"; the exit status is non-zero if anything
failed, timed out or did not run.

Fuzzers (--fuzz BIN:SEEDS) run for --fuzz-time seconds each, seeded from a corpus kept
in the tree; each is one result "fuzz/<name>", failed if libFuzzer found anything.

Usage: run.py [--host-only | --guest-only] [--kernel ELF] [--ubsan-kernel ELF]
              [-k SUBSTRING] [-j N] [--fuzz BIN:SEEDS [--fuzz-time S]]... [HOST_BIN...]
"""
import argparse
import concurrent.futures
import hashlib
import os
import re
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qemu import Qemu, QEMU_EXIT  # noqa: E402
import guest_configs  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, 'build')
LOGS = os.path.join(BUILD, 'test-logs')

# A report of the sanitizer's runtime, as the kernel logs it (or panics with it) and as
# a user program prints it before it aborts (kernel/core/ubsan_kernel.c,
# user/lib/ubsan_user.c): "ubsan: <kind> at <file>:<line>:<column>", anywhere in a line.
UBSAN_REPORT = re.compile(r'ubsan: .+? at \S+:\d+:\d+')


def ubsan_problems(cfg, out):
    """A problem for each sanitizer report in the output that the config does not expect
    (guest_configs.ubsan_allowed: regexes a report may match whole), and, if it says
    'ubsan_required', for each of those that no report matches."""
    allowed = guest_configs.ubsan_allowed(cfg)
    reports = UBSAN_REPORT.findall(out)
    problems = [f'UBSan report: {r}' for r in reports
                if not any(re.fullmatch(p, r) for p in allowed)]
    if cfg.get('ubsan_required'):
        problems += [f'no UBSan report matches /{p}/, which this boot must show'
                     for p in allowed if not any(re.fullmatch(p, r) for r in reports)]
    return problems


class Result:
    def __init__(self, name, ok, detail='', skipped=False):
        self.name, self.ok, self.detail, self.skipped = name, ok, detail, skipped


# ---------------------------------------------------------------------------------------
# Host tests
# ---------------------------------------------------------------------------------------

def run_host_binary(path):
    name = os.path.basename(path)
    with tempfile.NamedTemporaryFile('r', suffix='.tap') as tap:
        try:
            proc = subprocess.run([path, f'--tap={tap.name}', '-j1', '--ascii', '--timeout', '120'],
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  timeout=300, text=True, errors='replace')
        except subprocess.TimeoutExpired:
            return [Result(f'host/{name}', False, 'timed out after 300 s')]
        lines = tap.read().splitlines()
    results = []
    plan = None
    detail = []
    for line in lines:
        m = re.match(r'^1\.\.(\d+)', line)
        if m:
            plan = int(m.group(1))
            continue
        m = re.match(r'^(not ok|ok) - (\S+)', line)
        if m:
            results.append(Result(f'host/{name}/{m.group(2)}', m.group(1) == 'ok'))
            detail = []
            continue
        if results and line.startswith('  ') and not results[-1].ok:
            results[-1].detail += line.strip() + '\n'
    if plan is None or len(results) != plan or (proc.returncode != 0 and all(r.ok for r in results)):
        results.append(Result(f'host/{name}', False,
                              f'exit {proc.returncode}, {len(results)} of {plan} results\n'
                              + proc.stdout[-3000:]))
    return results


def run_fuzzer(spec, seconds):
    """A libFuzzer binary for a bounded time, seeded from a corpus directory in the tree
    ("BIN:SEEDS"); one result, failed on any finding (crash, sanitizer report, timeout,
    leak) with the end of libFuzzer's report and the input it saved."""
    binary, _, seeds = spec.partition(':')
    name = os.path.basename(binary)
    work = os.path.join(BUILD, 'fuzz', 'corpus', name)   # new inputs go here, not the tree
    os.makedirs(work, exist_ok=True)
    cmd = [binary, f'-max_total_time={seconds}', '-timeout=10', '-rss_limit_mb=2048',
           '-print_final_stats=1', f'-artifact_prefix={os.path.join(BUILD, "fuzz", name)}-',
           work] + ([os.path.join(ROOT, seeds)] if seeds else [])
    try:
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              timeout=seconds + 300, text=True, errors='replace')
    except subprocess.TimeoutExpired:
        return [Result(f'fuzz/{name}', False, f'did not stop within {seconds + 300} s')]
    runs = re.search(r'stat::number_of_executed_units:\s*(\d+)', proc.stdout)
    if proc.returncode != 0 or not runs:
        return [Result(f'fuzz/{name}', False,
                       f'exit {proc.returncode}: ' + ' '.join(cmd) + '\n' + proc.stdout[-3000:])]
    r = Result(f'fuzz/{name}', True)
    r.note = f'{runs.group(1)} inputs in {seconds} s'
    return [r]


# ---------------------------------------------------------------------------------------
# Guest tests
# ---------------------------------------------------------------------------------------

# Configs that boot the same command line and archive share one ISO: build each once,
# never two at a time into the same file (the guest configs run in parallel).
ISO_LOCK = threading.Lock()


def iso_for(kernel, cmdline, gfxpayload='', initramfs=True):
    """A boot ISO with this kernel command line (and GRUB video mode), cached by content.
    With initramfs True, the archive the build packed beside the kernel (initramfs.tar) is
    its boot module, if there is one; a string names another archive (from the top of the
    tree); False boots without one."""
    if isinstance(initramfs, str):
        ramfs = os.path.join(ROOT, initramfs)
    else:
        ramfs = os.path.join(os.path.dirname(os.path.abspath(kernel)), 'initramfs.tar')
        if not initramfs or not os.path.exists(ramfs):
            ramfs = ''
    with open(kernel, 'rb') as f:
        key = f.read() + b'\0' + cmdline.encode() + b'\0' + gfxpayload.encode()
    if ramfs:
        with open(ramfs, 'rb') as f:
            key += b'\0initramfs\0' + f.read()
    with open(os.path.join(ROOT, 'scripts', 'mkiso.sh'), 'rb') as f:
        key += f.read()
    digest = hashlib.sha1(key).hexdigest()[:16]
    d = os.path.join(BUILD, 'test-iso')
    os.makedirs(d, exist_ok=True)
    iso = os.path.join(d, f'{digest}.iso')
    with ISO_LOCK:
        if not os.path.exists(iso):
            subprocess.run([os.path.join(ROOT, 'scripts', 'mkiso.sh'), iso, kernel, cmdline,
                            gfxpayload, ramfs], check=True)
    return iso


def parse_ktap(text):
    """(plan, [(ok, number, id, directive, diagnostics)]) from the lines after the banner."""
    plan = None
    results = []
    diag = []
    subtests = []
    subdiag = []
    for raw in text.splitlines():
        line = raw.rstrip('\r')
        m = re.match(r'^1\.\.(\d+)$', line)
        if m and plan is None:
            plan = int(m.group(1))
            continue
        m = re.match(r'^(not ok|ok) (\d+) (\S+)(?: # (.*))?$', line)
        if m:
            results.append((m.group(1) == 'ok', int(m.group(2)), m.group(3), m.group(4) or '',
                            '\n'.join(diag)))
            diag = []
            continue
        # A subtest (KTAP nests by four spaces): the user-mode test program reports each
        # of its tests so. Recorded as results of their own, not counted in the plan.
        m = re.match(r'^    (not ok|ok) (\d+) (\S+)(?: # (.*))?$', line)
        if m:
            subtests.append((m.group(1) == 'ok', int(m.group(2)), m.group(3),
                             m.group(4) or '', '\n'.join(subdiag)))
            subdiag = []
            continue
        if line.startswith('    # '):
            subdiag.append(line.strip())
            continue
        if line.startswith('# '):
            diag.append(line)
    return plan, results, subtests


def run_guest_config(cfg, kernel, ubsan_kernel=None):
    name = cfg['name']
    os.makedirs(LOGS, exist_ok=True)
    log_path = os.path.join(LOGS, name + '.log')
    if cfg.get('kernel') == 'ubsan':
        if not ubsan_kernel or not os.path.exists(ubsan_kernel):
            return [Result(f'{name}/boot', False, f'no UBSan kernel at {ubsan_kernel}: '
                           'build it with make UBSAN=1')]
        kernel = ubsan_kernel
    try:
        iso = iso_for(kernel, cfg.get('cmdline', ''), cfg.get('gfxpayload', ''),
                      cfg.get('initramfs', True))
    except subprocess.CalledProcessError as e:
        return [Result(f'{name}/boot', False, f'building the boot image failed: {e}')]
    q = Qemu(iso, firmware=cfg.get('firmware', 'bios'), mem=cfg.get('mem', '256M'),
             smp=cfg.get('smp', 1), extra=cfg.get('qemu_args', []),
             serial=cfg.get('serial', True), log_path=log_path, name=name)
    start = time.monotonic()
    session_results = []
    checks = []             # (test id, ok, detail) from interact steps that check
    try:
        q.start()
        for step in cfg.get('interact', []):
            try:
                checks += step(q) or []
            except Exception as e:      # a step that breaks fails its own test
                checks.append((f'interact.{step.__name__}', False,
                               f'{type(e).__name__}: {e}'))
        if cfg.get('session'):
            # A session drives the running system and judges it itself; then QEMU goes.
            session_results = cfg['session'](q, cfg.get('timeout', 60))
            code = 'session'
        else:
            code = q.wait(cfg.get('timeout', 60))
    except Exception as e:  # a session's own failure is a failed boot, not a crash
        session_results.append((f'session', False, f'{type(e).__name__}: {e}'))
        code = 'session'
    finally:
        q.stop()
    elapsed = time.monotonic() - start
    out = q.output().replace('\r\n', '\n')
    results = [Result(f'{name}/{tid}', ok, detail) for tid, ok, detail in checks]
    problems = []

    banner = out.find('MinimalOS ')
    if banner < 0:
        problems.append('the kernel banner never appeared')
    after = out[banner:] if banner >= 0 else ''

    expect = cfg.get('expect', 'pass')
    for tid, ok, detail, *note in session_results:
        results.append(Result(f'{name}/{tid}', ok, detail))
        if note:
            results[-1].note = note[0]
    if expect == 'session':
        if not session_results:
            problems.append('the session reported nothing')
    elif code is None:
        problems.append(f'timed out after {cfg.get("timeout", 60)} s')
    elif expect == 'panic':
        if code != QEMU_EXIT['panic']:
            problems.append(f'expected a panic exit ({QEMU_EXIT["panic"]}), got {code}')
    elif code not in (QEMU_EXIT['pass'], QEMU_EXIT['fail']):
        problems.append(f'QEMU exit code {code} is neither pass nor fail'
                        + (' (kernel panic)' if code == QEMU_EXIT['panic'] else ''))

    if expect not in ('panic', 'session'):
        plan, ktap, subtests = parse_ktap(after)
        for ok, _, tid, directive, diag in ktap + subtests:
            skipped = directive.upper().startswith('SKIP')
            results.append(Result(f'{name}/{tid}', ok, diag, skipped))
        if plan is None:
            problems.append('no KTAP plan line')
        elif len(ktap) < plan:
            problems.append(f'only {len(ktap)} of {plan} planned tests reported (did not run)')
        if code == QEMU_EXIT['fail'] and all(r.ok for r in results):
            problems.append('kernel reported failure but no test failed')
        if code == QEMU_EXIT['pass'] and not all(r.ok for r in results):
            problems.append('kernel reported pass but a test failed')

    for pattern in cfg.get('must_match', []):
        if not re.search(pattern, after, re.M):
            problems.append(f'output lacks /{pattern}/')
    for pattern in cfg.get('must_not_match', []):
        if re.search(pattern, after, re.M):
            problems.append(f'output has /{pattern}/')
    problems += ubsan_problems(cfg, out)

    results.append(Result(f'{name}/boot', not problems,
                          '\n'.join(problems) + f'\n(log: {os.path.relpath(log_path, ROOT)})'))
    for r in results:
        r.elapsed = elapsed
    return results


# ---------------------------------------------------------------------------------------

def report(results):
    passed = failed = 0
    for r in results:
        if r.ok:
            passed += 1
            status = 'SKIP' if r.skipped else 'PASS'
            note = getattr(r, 'note', '')
            print(f'{status} {r.name}' + (f'  ({note})' if note else ''))
        else:
            failed += 1
            print(f'FAIL {r.name}')
            for line in r.detail.strip().splitlines()[:40]:
                print(f'     {line}')
    return passed, failed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--host-only', action='store_true')
    ap.add_argument('--guest-only', action='store_true')
    ap.add_argument('--kernel', default=os.path.join(BUILD, 'minimalos.elf'))
    ap.add_argument('--ubsan-kernel', default=os.path.join(BUILD, 'ubsan', 'minimalos.elf'),
                    help="the kernel of configs marked kernel='ubsan' (make UBSAN=1)")
    ap.add_argument('-k', dest='filter', default='', help='only configs whose name contains this')
    ap.add_argument('-j', dest='jobs', type=int, default=os.cpu_count() or 2)
    ap.add_argument('--fuzz', action='append', default=[], metavar='BIN:SEEDS',
                    help='run a libFuzzer binary, seeded from a corpus directory')
    ap.add_argument('--fuzz-time', type=int, default=20, help='seconds per fuzzer')
    ap.add_argument('host_bins', nargs='*')
    args = ap.parse_args()

    results = []
    if not args.guest_only:
        for b in args.host_bins:
            results += run_host_binary(b)
        for spec in args.fuzz:
            results += run_fuzzer(spec, args.fuzz_time)
    if not args.host_only:
        configs = [c for c in guest_configs.CONFIGS if args.filter in c['name']]
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as ex:
            futures = [ex.submit(run_guest_config, c, args.kernel, args.ubsan_kernel)
                       for c in configs]
            for f in futures:
                results += f.result()

    passed, failed = report(results)
    if not results:
        failed += 1
        print('FAIL nothing ran')
    print(f'{passed} passed, {failed} failed')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
