"""The in-guest test matrix: one QEMU boot per entry (tests/run.py runs them).

Keys: name; firmware ('bios' | 'uefi'); mem; smp; cmdline (the kernel command line:
ktest= selects tests, expect.* tells the tests what machine they are on); gfxpayload
(GRUB video mode); serial (False: no UART, console on debugcon); initramfs (True: the
build's, the default; False: no module; a path: that archive as the module); qemu_args;
timeout (s);
expect ('pass': KTAP with isa-debug-exit, or 'panic'); must_match / must_not_match
(regexes over the console output from the banner on); interact (functions given the
running Qemu, in order, for tests that type or look at the screen: each may return a
list of (test id, ok, detail), reported as results "<config>/<test id>");
kernel ('ubsan': the UBSan build's kernel and initramfs, tests/run.py --ubsan-kernel);
ubsan_expect (regexes, each matching a whole sanitizer report the boot may show: any
other report fails it; by default the self-test's when the command line runs it,
ubsan_allowed) and ubsan_required (True: each must match a report shown).
"""
import os
import re

import screen

TIMEOUT_BIOS = 180
TIMEOUT_UEFI = 240   # OVMF alone takes ~4 s under TCG, more on a loaded machine


# The kernel's sanitizer self-test (ubsan.reports_each_kind_of_undefined_behaviour,
# tests/kernel/test_panic.c) makes these reports on purpose and logs them; in a UBSan
# build a boot that runs it shows them. Any other report fails a boot (tests/run.py).
UBSAN_SELFTEST = [r'ubsan: ' + kind + r' at tests/kernel/test_panic\.c:\d+:\d+'
                  for kind in ('signed addition overflow', 'misaligned access',
                               'shift out of bounds', 'array index out of bounds')]


def ubsan_allowed(cfg):
    """The reports a boot may show: its 'ubsan_expect', or else the self-test's if its
    command line runs the self-test (ktest= with all, or a ubsan test)."""
    if 'ubsan_expect' in cfg:
        return cfg['ubsan_expect']
    m = re.search(r'(?:^| )ktest=(\S+)', cfg['cmdline'])
    runs = m and any(s == 'all' or s.startswith('ubsan') for s in m.group(1).split(','))
    return UBSAN_SELFTEST if runs else []


def _cfg(name, firmware='bios', mem=256, fb='1024x768x32', serial=True, select='all',
         cmdline_extra='', **kw):
    # Every boot runs under QEMU's TCG: expect.hv=tcg.
    expect = f'expect.mem={mem} expect.fw={firmware} expect.fb={fb} ' \
             f'expect.serial={1 if serial else 0} expect.cpus={kw.get("smp", 1)} ' \
             f'expect.hv=tcg {cmdline_extra}'
    c = dict(name=name, firmware=firmware, mem=f'{mem}M', serial=serial,
             cmdline=f'ktest={select} {expect}'.strip(),
             timeout=TIMEOUT_UEFI if firmware == 'uefi' else TIMEOUT_BIOS)
    c.update(kw)
    return c


def type_ping(q):
    """Answer the serial-input test: type a line when the kernel asks for it."""
    if q.expect(r'^# ktest: serial input ready', timeout=TIMEOUT_UEFI):
        q.send('ping\n')


def type_ctest(q):
    """Answer the ring-3 test client (user/ctest): type a line when it asks for one."""
    if q.expect(r'^# ctest: type a line', timeout=TIMEOUT_UEFI):
        q.send('ping\r')


# What the framebuffer console (user/fbcon) must show by the time ctest waits for its
# typed line: its own first line, and the line ctest wrote through it (in colour).
FBCON_SCREEN = [('screen.fbcon_banner', r'^fbcon: \d+x\d+ text console$'),
                ('screen.client_line', r'^ctest: written on the framebuffer$')]


def fbcon_screen(q):
    """Read the framebuffer back (tests/screen.py) while ctest waits for its typed line,
    so QEMU cannot end first; each line of FBCON_SCREEN is a test of its own."""
    if not q.expect(r'^# ctest: type a line', timeout=TIMEOUT_UEFI):
        return [(tid, False, 'ctest never asked for its line: no screen was taken')
                for tid, _ in FBCON_SCREEN]
    results = []
    for tid, pattern in FBCON_SCREEN:
        rows, m = screen.wait_for_text(q, pattern, timeout=30)
        results.append((tid, m is not None,
                        '' if m else f'no row of the screen matches /{pattern}/; it shows:\n'
                        + screen.format_rows(rows)))
    return results


def init_cfg(name, **kw):
    """Boot to init (no in-kernel tests): init starts the services of etc/init.conf and
    the test client of etc/init-test.conf, which reports KTAP through the ring-3
    console and ends QEMU. The framebuffer console is read back from the screen."""
    c = _cfg(name, mem=512, interact=[fbcon_screen, type_ctest], **kw)
    c['cmdline'] = 'init.test init.qemu_exit'
    c['must_match'] = [r'^console: COM1 driver ready$', r'^ctest: hello through the console$',
                       r"^ctest: read 'ping'$", r'^ctest: the console is back$',
                       r'^ctest: written again$', r'^ftest: written to fd 1$',
                       r'^ftest: written to stdout$']
    return c


def shell_cfg(name, **kw):
    """Boot as `make run` does (no test command line) and drive the shell
    (tests/shell_session.py)."""
    import shell_session
    c = _cfg(name, mem=512, expect='session', session=shell_session.session, **kw)
    c['cmdline'] = ''
    return c


# The keyboard driver end to end (docs/DRIVERS.md): keys pressed on the PS/2 keyboard
# through the QEMU monitor, each followed by the events the driver decoded, which with
# kbd.echo it reads back through its own service and prints on the serial line as
# "kbd: press|release <key> mods=<mods> ch=<char> bytes=<what a terminal sends, hex>".
KBD_KEYS = [
    ('a', ["press a mods=none ch='a' bytes=61", "release a mods=none ch=none bytes=none"]),
    ('shift-a', ['press lshift mods=shift ch=none bytes=none',
                 "press a mods=shift ch='A' bytes=41",
                 'release a mods=shift ch=none bytes=none',
                 'release lshift mods=none ch=none bytes=none']),
    ('ctrl-c', ['press lctrl mods=ctrl ch=none bytes=none',
                "press c mods=ctrl ch='c' bytes=03",
                'release c mods=ctrl ch=none bytes=none',
                'release lctrl mods=none ch=none bytes=none']),
    ('ctrl_r-d', ['press rctrl mods=ctrl ch=none bytes=none',
                  "press d mods=ctrl ch='d' bytes=04",
                  'release d mods=ctrl ch=none bytes=none',
                  'release rctrl mods=none ch=none bytes=none']),
    ('up', ['press up mods=none ch=none bytes=1b5b41', 'release up mods=none ch=none bytes=none']),
    ('left', ['press left mods=none ch=none bytes=1b5b44']),
    ('home', ['press home mods=none ch=none bytes=1b5b48']),
    ('end', ['press end mods=none ch=none bytes=1b5b46']),
    ('insert', ['press insert mods=none ch=none bytes=1b5b327e']),
    ('delete', ['press delete mods=none ch=none bytes=1b5b337e']),
    ('pgup', ['press pgup mods=none ch=none bytes=1b5b357e']),
    ('pgdn', ['press pgdn mods=none ch=none bytes=1b5b367e']),
    ('caps_lock', ['press capslock mods=caps ch=none bytes=none',
                   'release capslock mods=caps ch=none bytes=none']),
    ('a', ["press a mods=caps ch='A' bytes=41"]),
    ('1', ["press 1 mods=caps ch='1' bytes=31"]),
    ('caps_lock', ['press capslock mods=none ch=none bytes=none']),
    ('shift-1', ["press 1 mods=shift ch='!' bytes=21"]),
    ('alt_r-x', ['press ralt mods=alt ch=none bytes=none', "press x mods=alt ch='x' bytes=1b78",
                 'release ralt mods=none ch=none bytes=none']),
    ('kp_enter', ['press kp_enter mods=none ch=none bytes=0d']),
    ('kp_divide', ["press kp_slash mods=none ch='/' bytes=2f"]),
    ('kp_7', ["press kp_7 mods=none ch='7' bytes=37"]),
    ('pause', ['press pause mods=none ch=none bytes=none',
               'release pause mods=none ch=none bytes=none']),
    ('print', ['press print mods=none ch=none bytes=none',
               'release print mods=none ch=none bytes=none']),
    ('b', ["press b mods=none ch='b' bytes=62"]),
    ('ret', ['press enter mods=none ch=none bytes=0d']),
    ('backspace', ['press backspace mods=none ch=none bytes=7f']),
    ('tab', ['press tab mods=none ch=none bytes=09']),
    ('esc', ['press esc mods=none ch=none bytes=1b']),
    ('f5', ['press f5 mods=none ch=none bytes=1b5b31357e']),
]


def kbd_line(text):
    """The echo line of one event (the serial line ends lines with CR LF)."""
    return r'^kbd: ' + re.escape(text) + r'\r?$'


def press_keys(q):
    """Press KBD_KEYS on the PS/2 keyboard once the driver is ready, each after the
    events of the one before have been printed."""
    if not q.expect(r'^kbd: PS/2 keyboard ready', timeout=60):
        return
    for keys, lines in KBD_KEYS:
        start = len(q.buf)
        q.monitor(f'sendkey {keys}')
        if not q.expect(kbd_line(lines[-1]), timeout=20, start=start):
            return          # must_match says what is missing


def shell_screen_cfg(name, **kw):
    """Boot as `make run` does but with debug.serial: the kernel keeps COM1, so the shell
    is on the keyboard and the screen alone (tests/shell_session.py, screen_session)."""
    import shell_session
    c = _cfg(name, mem=512, expect='session', session=shell_session.screen_session, **kw)
    c['cmdline'] = 'debug.serial'
    return c


def kbd_cfg(name, **kw):
    """An init boot whose driver echoes key events (kbd.echo): the keys of KBD_KEYS must
    come out as their events, in order. ctest then runs as in init_cfg and ends QEMU."""
    c = init_cfg(name, **kw)
    c['cmdline'] += ' kbd.echo'
    c['interact'] = [press_keys, type_ctest]
    lines = [line for _, group in KBD_KEYS for line in group]
    # Each event on its own (a clear message for the first missing), then all of them in
    # this order, with nothing but other programs' lines between (each step atomic: the
    # first match of a line is the one to go on from, and a failure cannot backtrack
    # through every combination of earlier ones).
    c['must_match'] = c['must_match'] + [r'^kbd: PS/2 keyboard ready$'] + \
        [kbd_line(line) for line in lines] + \
        [kbd_line(lines[0]) + ''.join(r'(?>\n(?:.*\n)*?kbd: ' + re.escape(line) + r'$)'
                                      for line in lines[1:])]
    c['must_not_match'] = [r'^kbd: (press|release) \?']
    return c


def overflow_cfg(name, test, rsp):
    """A test that overflows a kernel stack: the double fault's report must say the RSP
    (matching rsp, hex digits) is in a stack's guard page, and show the recursion."""
    return dict(_cfg(name, select=test), expect='panic',
                must_match=[r'KERNEL PANIC on CPU \d: double fault \(#DF, vector 8\) in kernel '
                            rf'mode at 0x[0-9a-f]+; kernel stack overflow: RSP 0x{rsp} is in '
                            r"a stack's guard page",
                            r'recurse\+0x'])


PANIC_REPORT = [
    r'^\*\*\* KERNEL PANIC on CPU 0: panic self-test at depth 3$',
    r'^RIP [0-9a-f]{16}  RSP [0-9a-f]{16}',
    r'^CR0 [0-9a-f]{16}',
    # The backtrace names each caller, innermost first.
    r'Backtrace:\n(.*\n)*?.*panic_selftest_level3\+0x[0-9a-f]+\n.*panic_selftest_level2\+0x'
    r'[0-9a-f]+\n.*panic_selftest_level1\+0x[0-9a-f]+\n.*ktest_fn_panic_backtrace\+0x'
    r'[0-9a-f]+\n.*ktest_run\+0x[0-9a-f]+\n.*kmain\+0x',
]

MEMORY_TESTS = 'boot.*,pmm.*,vmm.*,heap.*'
# Takes every frame of the machine: a few seconds, so in two boots (one CPU, two).
EXHAUSTION = 'utest.exhaustion_while_another_process_does_ipc'
# Ten seconds of every CPU at once (torture.seconds=N for longer): on four CPUs; and
# three seconds of the same from ring 3, through the system calls.
TORTURE = 'torture.capabilities_ipc_threads_and_mappings_on_every_cpu'
RING3_TORTURE = 'utest.smp_torture_from_ring3'

CONFIGS = [
    _cfg('bios', mem=512, select=f'all,serial.receive_interrupt,{EXHAUSTION}',
         interact=[type_ping]),
    _cfg('uefi', firmware='uefi', mem=512, select='all,serial.receive_interrupt',
         interact=[type_ping]),
    _cfg('bios-smp2', mem=512, smp=2, select=f'all,serial.receive_interrupt,{EXHAUSTION}',
         interact=[type_ping]),
    _cfg('bios-smp4', mem=512, smp=4, select=f'all,{TORTURE},{RING3_TORTURE}'),
    _cfg('uefi-smp4', firmware='uefi', mem=512, smp=4, select='all'),
    # The UBSan build (make UBSAN=1, in build/ubsan; `make test UBSAN=1` runs every boot
    # so): the kernel's tests and the user-mode tests on two CPUs, which must show the
    # kernel self-test's reports and no other; both tortures on four, whose races reach
    # paths no single-threaded test does; init with its services and test clients,
    # and the shell with its commands, all built with libmnos; and a report outside the
    # self-test, a panic the harness must recognize.
    _cfg('ubsan-bios-smp2', mem=512, smp=2,
         select=f'all,serial.receive_interrupt,{EXHAUSTION}', interact=[type_ping],
         kernel='ubsan', ubsan_required=True),
    _cfg('ubsan-bios-smp4', mem=512, smp=4, select=f'boot.*,{TORTURE},{RING3_TORTURE}',
         kernel='ubsan'),
    init_cfg('ubsan-bios-init', kernel='ubsan'),
    shell_cfg('ubsan-bios-shell', kernel='ubsan'),
    dict(_cfg('ubsan-bios-panic', select='ubsan.report_panics'), expect='panic',
         kernel='ubsan', ubsan_required=True,
         ubsan_expect=[r'ubsan: signed addition overflow at tests/kernel/test_panic\.c:'
                       r'\d+:\d+'],
         must_match=[r'KERNEL PANIC on CPU 0: ubsan: signed addition overflow at '
                     r'tests/kernel/test_panic\.c:\d+:\d+$']),
    _cfg('bios-64m', mem=64, select=MEMORY_TESTS),
    _cfg('uefi-64m', firmware='uefi', mem=64, select=MEMORY_TESTS),
    _cfg('bios-4g', mem=4096, select=MEMORY_TESTS),
    _cfg('uefi-4g', firmware='uefi', mem=4096, select=MEMORY_TESTS),
    _cfg('bios-24bpp', fb='800x600x24', gfxpayload='800x600x24', select='fbcon.*,boot.*'),
    _cfg('bios-novga', fb='none', qemu_args=['-vga', 'none'], select='boot.*,fbcon.*',
         must_match=[r'warning: fbcon: .*; serial console only$']),
    _cfg('bios-noserial', serial=False, select='boot.*',
         must_match=[r'serial: no 16550 UART at COM1']),
    # The initramfs missing, or malformed (a corpus archive with a stale checksum in its
    # second header): the kernel says so and boots on without one.
    _cfg('bios-noinitramfs', select='boot.*,initramfs.*', initramfs=False,
         cmdline_extra='expect.initramfs=0',
         must_match=[r"warning: initramfs: no boot module named 'initramfs' \(0 other "
                     r"modules\): no initramfs$"]),
    _cfg('bios-badinitramfs', select='boot.*,initramfs.*',
         initramfs='tests/tar/checksum_stale.tar', cmdline_extra='expect.initramfs=0',
         must_match=[r'error: initramfs: malformed archive \(header checksum does not '
                     r'match at offset 512\): not used$']),
    # Every benchmark once, with few iterations, so they never rot (make bench runs them
    # for real, under -icount).
    dict(_cfg('bios-bench-smoke'), cmdline='kbench=all kbench.iters=10',
         must_match=[r'^BENCH pmm_alloc_free \d+ tsc-ticks$']),
    # Those that need four CPUs (skipped in the boot above), on four.
    dict(_cfg('bios-bench-smoke-smp4', smp=4),
         cmdline='kbench=ipc_cross_cpu,ipc_pairs_* kbench.iters=10',
         must_match=[r'^BENCH ipc_cross_cpu \d+ tsc-ticks$', r'^BENCH ipc_pairs_4 \d+ tsc-ticks$']),
    init_cfg('bios-init'),
    init_cfg('uefi-init-smp4', firmware='uefi', smp=4),
    shell_cfg('bios-shell'),
    shell_cfg('uefi-shell', firmware='uefi', smp=2),
    shell_screen_cfg('bios-shell-screen'),
    kbd_cfg('bios-kbd'),
    dict(_cfg('bios-panic', select='panic.backtrace'), expect='panic',
         must_match=PANIC_REPORT),
    dict(_cfg('bios-stack-canary', select='panic.stack_canary_overwritten'), expect='panic',
         must_match=[r'KERNEL PANIC on CPU 0: stack protector: the canary of the function '
                     r'returning to 0x[0-9a-f]+ was overwritten']),
    # The fuzzer finds a bug planted in the kernel for the purpose, and the harness
    # notices: a panic, where every other boot expects none.
    dict(_cfg('bios-sfuzz-planted', select='sfuzz.*', smp=2,
              cmdline_extra='fuzz.planted_bug sfuzz.plant'), expect='panic',
         must_match=[r'KERNEL PANIC on CPU \d: fuzz: the planted bug was reached']),
    # A kernel stack overflow: on the boot stack (a static guard page in boot.S), and on
    # a kernel thread's (in the stack area, 0xffffc020...: kstack_alloc's slots).
    overflow_cfg('bios-stack-overflow', 'trap.stack_overflow_double_faults', '[0-9a-f]+'),
    overflow_cfg('bios-kstack-overflow', 'trap.thread_stack_overflow_double_faults',
                 'ffffc02[0-9a-f]+'),
    dict(_cfg('bios-pmm-double-free', select='pmm.double_free_panics'), expect='panic',
         must_match=[r'KERNEL PANIC on CPU 0: pmm: freeing 1 frame\(s\) at 0x[0-9a-f]+: '
                     r'is not allocated \(double free\?\)']),
    dict(_cfg('bios-heap-double-free', select='heap.double_free_panics'), expect='panic',
         must_match=[r'KERNEL PANIC on CPU 0: heap: kfree\(0x[0-9a-f]+\): double free '
                     r'\(64-byte size class\)']),
]


# `make fuzz`: only the system-call fuzzer, long, on 4 CPUs (MNOS_SFUZZ_CALLS calls each
# from two processes); it prints how many calls a second it made.
if os.environ.get('MNOS_SFUZZ_CALLS'):
    CONFIGS = [_cfg('sfuzz-long', mem=512, smp=4, select='sfuzz.*', timeout=3600,
                    cmdline_extra=f"sfuzz.calls={int(os.environ['MNOS_SFUZZ_CALLS'])} "
                                  f"sfuzz.seed={int(os.environ.get('MNOS_SFUZZ_SEED', '1'))}")]
