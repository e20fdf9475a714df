"""One QEMU guest for the test runner: start, watch the console, type, wait, stop.

The console is the serial port on QEMU's stdio (or, for machines without a UART, the
isa-debugcon port), read by a thread into a buffer and a log file. isa-debug-exit lets
the kernel end QEMU with a code (kernel/include/qemu.h); QEMU_EXIT maps them. A monitor
socket is always open, for tests that send keys or take screenshots.
"""
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time

# isa-debug-exit: a write of v makes QEMU exit with (v << 1) | 1.
QEMU_EXIT = {'pass': (0x10 << 1) | 1, 'fail': (0x11 << 1) | 1, 'panic': (0x12 << 1) | 1}

OVMF_CODE = '/usr/share/OVMF/OVMF_CODE_4M.fd'
OVMF_VARS = '/usr/share/OVMF/OVMF_VARS_4M.fd'


class Qemu:
    def __init__(self, iso, firmware='bios', mem='256M', smp=1, extra=(), serial=True,
                 log_path=None, name='guest'):
        self.iso, self.firmware, self.mem, self.smp = iso, firmware, mem, smp
        self.extra, self.serial, self.log_path, self.name = list(extra), serial, log_path, name
        self.proc = None
        self.buf = bytearray()
        self.cond = threading.Condition()
        self.tmp = tempfile.mkdtemp(prefix='mnos-qemu-')
        self.monitor_path = os.path.join(self.tmp, 'monitor.sock')

    def command(self):
        args = ['qemu-system-x86_64', '-machine', 'q35', '-cpu', 'max',
                '-m', str(self.mem), '-smp', str(self.smp),
                '-cdrom', self.iso, '-boot', 'd', '-display', 'none', '-nic', 'none',
                '-no-reboot', '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04',
                '-monitor', f'unix:{self.monitor_path},server=on,wait=off']
        if self.serial:
            args += ['-serial', 'stdio']
        else:
            args += ['-serial', 'none', '-debugcon', 'stdio']
        if self.firmware == 'uefi':
            vars_copy = os.path.join(self.tmp, 'OVMF_VARS.fd')
            shutil.copyfile(OVMF_VARS, vars_copy)
            args += ['-drive', f'if=pflash,format=raw,readonly=on,file={OVMF_CODE}',
                     '-drive', f'if=pflash,format=raw,file={vars_copy}']
        return args + self.extra

    def start(self):
        self.log = open(self.log_path, 'wb') if self.log_path else None
        self.log_cmd = ' '.join(self.command())
        if self.log:
            self.log.write(f'# {self.log_cmd}\n'.encode())
        self.stderr = open(os.path.join(self.tmp, 'stderr'), 'wb+')
        self.proc = subprocess.Popen(self.command(), stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=self.stderr)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        fd = self.proc.stdout.fileno()
        while True:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            with self.cond:
                self.buf += chunk
                self.cond.notify_all()
            if self.log:
                self.log.write(chunk)
                self.log.flush()

    def output(self):
        with self.cond:
            return self.buf.decode('utf-8', 'replace')

    def expect(self, pattern, timeout=30, start=0):
        """Wait until pattern (a regex) appears in the output after offset start; returns
        the match, or None on timeout or if QEMU ends first."""
        rx = re.compile(pattern.encode() if isinstance(pattern, str) else pattern, re.M)
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                m = rx.search(self.buf, start)
                if m:
                    return m
                left = deadline - time.monotonic()
                if left <= 0 or (self.proc.poll() is not None and not self.reader.is_alive()):
                    return None
                self.cond.wait(min(left, 0.2))

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def monitor(self, cmd, timeout=10):
        """Run a human-monitor command; returns its text output."""
        deadline = time.monotonic() + timeout
        while not os.path.exists(self.monitor_path):
            if time.monotonic() > deadline:
                raise TimeoutError('no monitor socket')
            time.sleep(0.05)
        with socket.socket(socket.AF_UNIX) as s:
            s.connect(self.monitor_path)
            s.settimeout(timeout)
            s.sendall(cmd.encode() + b'\n')
            data = b''
            # The monitor echoes the command and prints a new "(qemu) " prompt when done.
            while data.count(b'(qemu)') < 2:
                part = s.recv(65536)
                if not part:
                    break
                data += part
        return data.decode('utf-8', 'replace')

    def wait(self, timeout):
        """Exit code, or None if QEMU had to be killed at the timeout."""
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            code = None
        self.reader.join(5)
        return code

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.log:
            self.stderr.seek(0)
            err = self.stderr.read()
            if err:
                self.log.write(b'\n# qemu stderr:\n' + err)
            self.log.close()
            self.log = None
        shutil.rmtree(self.tmp, ignore_errors=True)
