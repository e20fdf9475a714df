"""What the framebuffer shows, as text: a QEMU screendump decoded back into rows.

The guest draws text in 8x16 cells with the font the build converts from Debian's
console-setup package (tools/psf2c.py, the same file and the same Latin-1 table). A
screendump is a PPM (P6) picture of the display; each cell of it is matched against the
font's glyphs: the cell's background is its most common colour, its foreground every
pixel that differs, so text in any colour (and the console's reverse-video cursor) reads
the same. Cells that match no glyph read as U+FFFD.

    rows = screen.screen_text(q)                     # q: a running tests/qemu.Qemu
    rows, m = screen.wait_for_text(q, r'fbcon: \\d+x\\d+ text console', timeout=30)
"""
import collections
import os
import re
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, 'tools'))
import psf2c  # noqa: E402

FONT_PSF = '/usr/share/consolefonts/Lat15-VGA16.psf.gz'     # as in the Makefile
CELL_W, CELL_H = 8, 16
UNKNOWN = '\ufffd'


class Font:
    """Glyph bitmaps (16 bytes, one a pixel row) to the character they draw."""

    def __init__(self, path=FONT_PSF):
        glyphs = psf2c.latin1_glyphs(path)
        self.chars = {}
        # Several code points may share a glyph (controls are blanks, some letters
        # look alike): the first of printable ASCII, then Latin-1, wins.
        for cp in list(range(0x20, 0x7f)) + list(range(0xa0, 0x100)):
            self.chars.setdefault(glyphs[cp], chr(cp))
        self.chars[bytes(CELL_H)] = ' '

    def char(self, bitmap):
        c = self.chars.get(bitmap)
        if c is None:
            # A glyph with more pixels set than clear, drawn where the background is
            # the minority: the other way round.
            c = self.chars.get(bytes(b ^ 0xff for b in bitmap), UNKNOWN)
        return c


_font = None


def font():
    global _font
    if _font is None:
        _font = Font()
    return _font


def read_ppm(path):
    """(width, height, pixels) of a binary PPM: pixels is 3 bytes (R, G, B) a pixel."""
    with open(path, 'rb') as f:
        data = f.read()
    fields, pos = [], 0
    while len(fields) < 4:
        while pos < len(data) and data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b'#':                   # a comment, to the line's end
            pos = data.index(b'\n', pos)
            continue
        end = pos
        while end < len(data) and not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    if fields[0] != b'P6':
        raise ValueError(f'{path}: not a binary PPM ({fields[0]!r})')
    width, height, maxval = (int(x) for x in fields[1:])
    if maxval != 255:
        raise ValueError(f'{path}: {maxval} levels a channel, not 255')
    pixels = data[pos + 1:pos + 1 + width * height * 3]     # one whitespace byte first
    if len(pixels) != width * height * 3:
        raise ValueError(f'{path}: {len(pixels)} bytes of pixels, not {width * height * 3}')
    return width, height, pixels


def decode(width, height, pixels, fnt=None):
    """The text of every row of cells (trailing blanks dropped)."""
    fnt = fnt or font()
    cols, nrows = width // CELL_W, height // CELL_H
    line = width * 3
    out = []
    for r in range(nrows):
        lines = [pixels[(r * CELL_H + y) * line:(r * CELL_H + y + 1) * line]
                 for y in range(CELL_H)]
        text = []
        for c in range(cols):
            a, b = c * CELL_W * 3, (c + 1) * CELL_W * 3
            cell = [ln[a:b] for ln in lines]
            first = cell[0]
            if first == first[:3] * CELL_W and all(s == first for s in cell):
                text.append(' ')                        # one colour: blank
                continue
            counts = collections.Counter(s[i:i + 3] for s in cell for i in range(0, len(s), 3))
            bg = counts.most_common(1)[0][0]
            bitmap = bytes(sum(0x80 >> (i // 3) for i in range(0, len(s), 3)
                               if s[i:i + 3] != bg) for s in cell)
            text.append(fnt.char(bitmap))
        out.append(''.join(text).rstrip(' '))
    return out


def screen_text(q, name='screen.ppm'):
    """Take a screendump of the running guest q and return its rows of text."""
    path = os.path.join(q.tmp, name)
    if os.path.exists(path):
        os.unlink(path)
    reply = q.monitor(f'screendump {path}')
    if not os.path.exists(path):
        raise RuntimeError(f'screendump wrote nothing: {reply.strip()!r}')
    return decode(*read_ppm(path))


def format_rows(rows):
    """The screen's non-blank rows for a failure message, or a word for a blank one."""
    return '\n'.join(f'  |{r}' for r in rows if r) or '  (a blank screen)'


def wait_for_text(q, pattern, timeout=30, interval=0.5):
    """Take screendumps until a row matches pattern (a regex) or timeout seconds have
    passed: (rows of the last screen, the match or None)."""
    rx = re.compile(pattern)
    deadline = time.monotonic() + timeout
    while True:
        rows = screen_text(q)
        for row in rows:
            m = rx.search(row)
            if m:
                return rows, m
        if time.monotonic() >= deadline or q.proc.poll() is not None:
            return rows, None
        time.sleep(interval)


def main():
    """screen.py FILE.ppm: print the text a screendump shows (for debugging)."""
    for row in decode(*read_ppm(sys.argv[1])):
        print(row)


if __name__ == '__main__':
    main()
