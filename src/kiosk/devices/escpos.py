"""ESC/POS: build command bytes and parse a byte stream back into commands.

Rule: pure. Bytes in, commands out (and the reverse); no ports, no files, no
clock. The printer driver, the fake printer and the tests all share this one
description of the protocol, so the builder and the parser cannot drift apart.

Text outside Chinese mode is sent in code page PC437 (the printer's default
after ``ESC @``); inside Chinese mode (``FS &`` … ``FS .``) it is GB18030.
GB18030 never uses a byte below 0x30 inside a character, so control bytes
always delimit a text run unambiguously.
"""

from __future__ import annotations

import codecs
import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Union

if TYPE_CHECKING:  # Pillow is only needed by the raster helpers.
    from PIL import Image

LF = b"\n"
ESC = 0x1B
GS = 0x1D
FS = 0x1C
DLE = 0x10
EOT = 0x04

CHINESE_ENCODING = "gb18030"
SINGLE_BYTE_ENCODING = "cp437"

# Raster bands: many printers buffer only a few KB, so a tall image is sent
# as several GS v 0 blocks of at most this many dot rows.
RASTER_BAND_ROWS = 256


class Align(enum.IntEnum):
    LEFT = 0
    CENTER = 1
    RIGHT = 2


class QrErrorLevel(enum.IntEnum):
    L = 48
    M = 49
    Q = 50
    H = 51


# --------------------------------------------------------------------------
# Parsed commands
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Init:
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class SetAlign:
    align: Align


@dataclass(frozen=True, slots=True, kw_only=True)
class SetBold:
    on: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class SetSize:
    width: int  # magnification 1..8
    height: int


@dataclass(frozen=True, slots=True, kw_only=True)
class SetChineseMode:
    on: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Text:
    text: str
    chinese: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class LineFeed:
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class Feed:
    lines: int


@dataclass(frozen=True, slots=True, kw_only=True)
class QrModel:
    model: int  # 1, 2 or 3 (micro)


@dataclass(frozen=True, slots=True, kw_only=True)
class QrSize:
    module_dots: int


@dataclass(frozen=True, slots=True, kw_only=True)
class QrError:
    level: QrErrorLevel


@dataclass(frozen=True, slots=True, kw_only=True)
class QrStore:
    data: bytes


@dataclass(frozen=True, slots=True, kw_only=True)
class QrPrint:
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class Cut:
    partial: bool
    feed: int  # dots fed before the cut (GS V 65/66 n); 0 otherwise


@dataclass(frozen=True, slots=True, kw_only=True)
class Raster:
    mode: int
    width_bytes: int
    height: int
    data: bytes

    @property
    def width_dots(self) -> int:
        return self.width_bytes * 8


@dataclass(frozen=True, slots=True, kw_only=True)
class StatusRequest:
    n: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Unknown:
    raw: bytes


@dataclass(frozen=True, slots=True, kw_only=True)
class Truncated:
    """Bytes at the end of a stream that did not form a whole command."""

    raw: bytes


Command = Union[
    Init, SetAlign, SetBold, SetSize, SetChineseMode, Text, LineFeed, Feed,
    QrModel, QrSize, QrError, QrStore, QrPrint, Cut, Raster, StatusRequest,
    Unknown, Truncated,
]


# --------------------------------------------------------------------------
# Builder: one function per command, each returns bytes
# --------------------------------------------------------------------------


def init() -> bytes:
    return bytes((ESC, 0x40))


def align(value: Align) -> bytes:
    return bytes((ESC, 0x61, int(value)))


def bold(on: bool) -> bytes:
    return bytes((ESC, 0x45, 1 if on else 0))


def size(width: int = 1, height: int = 1) -> bytes:
    if not (1 <= width <= 8 and 1 <= height <= 8):
        raise ValueError(f"character magnification must be 1..8, got {width}x{height}")
    return bytes((GS, 0x21, ((width - 1) << 4) | (height - 1)))


def chinese_on() -> bytes:
    return bytes((FS, 0x26))


def chinese_off() -> bytes:
    return bytes((FS, 0x2E))


def encode_text(text: str, *, chinese: bool) -> bytes:
    """Encode printable text; control characters are refused, not smuggled."""
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in text):
        raise ValueError(f"control character in printable text: {text!r}")
    if chinese:
        return text.encode(CHINESE_ENCODING)
    return text.encode(SINGLE_BYTE_ENCODING, errors="replace")


def line(text: str, *, chinese: bool = True) -> bytes:
    return encode_text(text, chinese=chinese) + LF


def feed(lines: int) -> bytes:
    if not 0 <= lines <= 255:
        raise ValueError(f"feed lines must be 0..255, got {lines}")
    return bytes((ESC, 0x64, lines))


def cut(*, partial: bool = True, feed_dots: int = 0) -> bytes:
    if feed_dots:
        if not 0 <= feed_dots <= 255:
            raise ValueError(f"cut feed must be 0..255 dots, got {feed_dots}")
        return bytes((GS, 0x56, 66 if partial else 65, feed_dots))
    return bytes((GS, 0x56, 1 if partial else 0))


def status_request(n: int) -> bytes:
    if n not in (1, 2, 3, 4):
        raise ValueError(f"DLE EOT n must be 1..4, got {n}")
    return bytes((DLE, EOT, n))


def _qr_function(fn: int, payload: bytes) -> bytes:
    length = len(payload) + 2  # cn + fn count towards pL/pH
    return bytes((GS, 0x28, 0x6B, length & 0xFF, length >> 8, 0x31, fn)) + payload


def qr(data: str, *, module_dots: int = 6, level: QrErrorLevel = QrErrorLevel.M,
       model: int = 2) -> bytes:
    """Native QR code: select model, module size, error level, store, print."""
    if model not in (1, 2):
        raise ValueError(f"QR model must be 1 or 2, got {model}")
    if not 1 <= module_dots <= 16:
        raise ValueError(f"QR module size must be 1..16 dots, got {module_dots}")
    payload = data.encode("utf-8")
    if len(payload) > 7089:
        raise ValueError(f"QR payload too long: {len(payload)} bytes")
    return b"".join((
        _qr_function(0x41, bytes((48 + model, 0))),
        _qr_function(0x43, bytes((module_dots,))),
        _qr_function(0x45, bytes((int(level),))),
        _qr_function(0x50, b"\x30" + payload),
        _qr_function(0x51, b"\x30"),
    ))


def raster(image: "Image.Image", *, band_rows: int = RASTER_BAND_ROWS) -> bytes:
    """GS v 0 blocks from a Pillow image (converted to 1-bit; black prints)."""
    img = image.convert("1")
    width, height = img.size
    width_bytes = (width + 7) // 8
    if width_bytes > 0xFFFF or height == 0:
        raise ValueError(f"cannot rasterise a {width}x{height} image")
    if width % 8:
        padded = _blank_1bit(width_bytes * 8, height)
        padded.paste(img, (0, 0))
        img = padded
    # In Pillow mode "1" a set bit is white; on paper a set bit is black.
    packed = bytes(b ^ 0xFF for b in img.tobytes())
    out = bytearray()
    for top in range(0, height, band_rows):
        rows = min(band_rows, height - top)
        out += bytes((GS, 0x76, 0x30, 0, width_bytes & 0xFF, width_bytes >> 8,
                      rows & 0xFF, rows >> 8))
        out += packed[top * width_bytes:(top + rows) * width_bytes]
    return bytes(out)


def _blank_1bit(width: int, height: int) -> "Image.Image":
    from PIL import Image

    return Image.new("1", (width, height), 1)


def raster_image(commands: Iterable[Command]) -> "Image.Image":
    """Stack every Raster command of a parsed stream into one 1-bit image."""
    from PIL import Image

    bands = [c for c in commands if isinstance(c, Raster)]
    if not bands:
        raise ValueError("no raster image in the stream")
    width_bytes = bands[0].width_bytes
    if any(b.width_bytes != width_bytes for b in bands):
        raise ValueError("raster bands of different widths")
    data = b"".join(b.data for b in bands)
    height = sum(b.height for b in bands)
    inverted = bytes(b ^ 0xFF for b in data)
    return Image.frombytes("1", (width_bytes * 8, height), inverted)


# --------------------------------------------------------------------------
# Parser
# --------------------------------------------------------------------------

# Fixed-length commands: prefix -> number of parameter bytes. Commands that
# matter to us get a constructor in _DECODERS; the rest parse as Unknown so a
# stream from any driver stays in step.
_FIXED: dict[bytes, int] = {
    b"\x1b@": 0, b"\x1ba": 1, b"\x1bE": 1, b"\x1bd": 1, b"\x1b!": 1, b"\x1b-": 1,
    b"\x1bM": 1, b"\x1bt": 1, b"\x1bJ": 1, b"\x1b2": 0, b"\x1b3": 1, b"\x1bG": 1,
    b"\x1bR": 1, b"\x1b{": 1, b"\x1bV": 1, b"\x1bp": 3, b"\x1b$": 2, b"\x1b\\": 2,
    b"\x1be": 1, b"\x1bc3": 1, b"\x1bc4": 1, b"\x1bc5": 1,
    b"\x1d!": 1, b"\x1dB": 1, b"\x1dh": 1, b"\x1dw": 1, b"\x1dH": 1, b"\x1df": 1,
    b"\x1da": 1, b"\x1dL": 2, b"\x1dW": 2, b"\x1dI": 1, b"\x1dr": 1,
    b"\x1c&": 0, b"\x1c.": 0, b"\x1c!": 1, b"\x1cC": 1, b"\x1cW": 1, b"\x1c-": 1,
    b"\x10\x04": 1, b"\x10\x05": 1, b"\x10\x14": 3,
}

_DECODERS = {
    b"\x1b@": lambda p: Init(),
    b"\x1ba": lambda p: SetAlign(align=Align(p[0] % 48 if p[0] >= 48 else p[0])),
    b"\x1bE": lambda p: SetBold(on=bool(p[0] & 1)),
    b"\x1bd": lambda p: Feed(lines=p[0]),
    b"\x1d!": lambda p: SetSize(width=(p[0] >> 4 & 7) + 1, height=(p[0] & 7) + 1),
    b"\x1c&": lambda p: SetChineseMode(on=True),
    b"\x1c.": lambda p: SetChineseMode(on=False),
    b"\x10\x04": lambda p: StatusRequest(n=p[0]),
}

_QR_DECODERS = {
    0x41: lambda d: QrModel(model=d[0] - 48),
    0x43: lambda d: QrSize(module_dots=d[0]),
    0x45: lambda d: QrError(level=QrErrorLevel(d[0])),
    0x50: lambda d: QrStore(data=bytes(d[1:])),
    0x51: lambda d: QrPrint(),
}

_PREFIX_BYTES = frozenset((ESC, GS, FS, DLE))
_NEED_MORE = None


def _is_text_byte(b: int) -> bool:
    return b >= 0x20


class Parser:
    """Incremental parser: ``feed()`` chunks as they arrive, get whole commands.

    A text run is emitted once a control byte ends it (or on ``flush()``), so a
    GB18030 character split across two reads is never decoded in halves.
    """

    def __init__(self) -> None:
        self._buf = bytearray()
        self.chinese = False

    def feed(self, data: bytes) -> list[Command]:
        self._buf += data
        out: list[Command] = []
        pos = 0
        buf = self._buf
        while pos < len(buf):
            result = self._parse_one(buf, pos)
            if result is _NEED_MORE:
                break
            cmd, pos = result
            if isinstance(cmd, SetChineseMode):
                self.chinese = cmd.on
            elif isinstance(cmd, Init):
                self.chinese = False
            out.append(cmd)
        del buf[:pos]
        return out

    def flush(self) -> list[Command]:
        """End of stream: emit a pending text run, report any partial command."""
        if not self._buf:
            return []
        rest = bytes(self._buf)
        self._buf.clear()
        if all(_is_text_byte(b) for b in rest):
            return [self._text(rest)]
        return [Truncated(raw=rest)]

    def _text(self, raw: bytes) -> Text:
        encoding = CHINESE_ENCODING if self.chinese else SINGLE_BYTE_ENCODING
        return Text(text=raw.decode(encoding, errors="replace"), chinese=self.chinese)

    def _parse_one(self, buf: bytearray, pos: int):
        b = buf[pos]
        if _is_text_byte(b):
            end = pos
            while end < len(buf) and _is_text_byte(buf[end]):
                end += 1
            if end == len(buf):
                return _NEED_MORE
            return self._text(bytes(buf[pos:end])), end
        if b == 0x0A:
            return LineFeed(), pos + 1
        if b not in _PREFIX_BYTES:
            return Unknown(raw=bytes((b,))), pos + 1
        if pos + 1 >= len(buf):
            return _NEED_MORE
        prefix = bytes(buf[pos:pos + 2])
        if prefix == b"\x1dV":
            return self._parse_cut(buf, pos)
        if prefix == b"\x1d(":
            return self._parse_gs_paren(buf, pos)
        if prefix == b"\x1dv":
            return self._parse_raster(buf, pos)
        if prefix == b"\x1bc":
            prefix = bytes(buf[pos:pos + 3])
            if len(prefix) < 3:
                return _NEED_MORE
        nparams = _FIXED.get(prefix)
        if nparams is None:
            return Unknown(raw=prefix), pos + len(prefix)
        end = pos + len(prefix) + nparams
        if end > len(buf):
            return _NEED_MORE
        params = bytes(buf[pos + len(prefix):end])
        decoder = _DECODERS.get(prefix)
        if decoder is None:
            return Unknown(raw=bytes(buf[pos:end])), end
        try:
            return decoder(params), end
        except ValueError:
            return Unknown(raw=bytes(buf[pos:end])), end

    @staticmethod
    def _parse_cut(buf: bytearray, pos: int):
        if pos + 2 >= len(buf):
            return _NEED_MORE
        m = buf[pos + 2]
        if m in (0, 1, 48, 49):
            return Cut(partial=m in (1, 49), feed=0), pos + 3
        if m in (65, 66):
            if pos + 3 >= len(buf):
                return _NEED_MORE
            return Cut(partial=m == 66, feed=buf[pos + 3]), pos + 4
        return Unknown(raw=bytes(buf[pos:pos + 3])), pos + 3

    @staticmethod
    def _parse_gs_paren(buf: bytearray, pos: int):
        # GS ( fn pL pH <pL + 256*pH bytes>
        if pos + 5 > len(buf):
            return _NEED_MORE
        length = buf[pos + 3] | buf[pos + 4] << 8
        end = pos + 5 + length
        if end > len(buf):
            return _NEED_MORE
        body = bytes(buf[pos + 5:end])
        if buf[pos + 2] == 0x6B and length >= 2 and body[0] == 0x31:
            decoder = _QR_DECODERS.get(body[1])
            if decoder is not None:
                try:
                    return decoder(body[2:]), end
                except (IndexError, ValueError):
                    pass
        return Unknown(raw=bytes(buf[pos:end])), end

    @staticmethod
    def _parse_raster(buf: bytearray, pos: int):
        # GS v 0 m xL xH yL yH d1..dk, k = x * y
        if pos + 8 > len(buf):
            return _NEED_MORE
        if buf[pos + 2] != 0x30:
            return Unknown(raw=bytes(buf[pos:pos + 3])), pos + 3
        width_bytes = buf[pos + 4] | buf[pos + 5] << 8
        height = buf[pos + 6] | buf[pos + 7] << 8
        end = pos + 8 + width_bytes * height
        if end > len(buf):
            return _NEED_MORE
        return Raster(mode=buf[pos + 3], width_bytes=width_bytes, height=height,
                      data=bytes(buf[pos + 8:end])), end


def parse(data: bytes) -> list[Command]:
    """Parse a complete stream."""
    parser = Parser()
    return parser.feed(data) + parser.flush()


@dataclass(frozen=True, slots=True, kw_only=True)
class PrintedLine:
    """One line of text as the printer would print it, with its style."""

    text: str
    align: Align
    bold: bool
    width: int
    height: int


class LineAssembler:
    """Track style and collect text into printed lines (blank feeds ignored)."""

    def __init__(self) -> None:
        self.lines: list[PrintedLine] = []
        self._reset_style()
        self._pending: list[str] = []

    def _reset_style(self) -> None:
        self._align, self._bold, self._width, self._height = Align.LEFT, False, 1, 1

    def add(self, cmd: Command) -> None:
        if isinstance(cmd, Init):
            self._pending.clear()
            self._reset_style()
        elif isinstance(cmd, SetAlign):
            self._align = cmd.align
        elif isinstance(cmd, SetBold):
            self._bold = cmd.on
        elif isinstance(cmd, SetSize):
            self._width, self._height = cmd.width, cmd.height
        elif isinstance(cmd, Text):
            self._pending.append(cmd.text)
        elif isinstance(cmd, (LineFeed, Feed, Cut)):
            if self._pending:
                self.lines.append(PrintedLine(
                    text="".join(self._pending), align=self._align, bold=self._bold,
                    width=self._width, height=self._height))
                self._pending.clear()


def printed_lines(commands: Iterable[Command]) -> list[PrintedLine]:
    assembler = LineAssembler()
    for cmd in commands:
        assembler.add(cmd)
    return assembler.lines


def qr_payloads(commands: Iterable[Command]) -> list[str]:
    """Payloads of QR codes actually printed (stored, then a print command)."""
    stored: bytes | None = None
    out: list[str] = []
    for cmd in commands:
        if isinstance(cmd, QrStore):
            stored = cmd.data
        elif isinstance(cmd, QrPrint) and stored is not None:
            out.append(codecs.decode(stored, "utf-8", errors="replace"))
    return out
