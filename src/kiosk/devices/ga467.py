"""The second-generation resident ID card reader's serial framing (GA 467): bytes to values, values to bytes.

Rule: sans-I/O. Nothing here opens a port or reads a clock; ``idreader`` owns the port and uses these
functions, and ``kiosk idcard test`` prints what they decode. Bad bytes from the line never raise out of
:class:`Deframer`: a frame that cannot be a frame becomes a :class:`BrokenFrame` and the deframer hunts
for the next preamble.

Layout (every frame, both directions)::

    AA AA AA 96 69      preamble
    LEN (2, big-endian) the number of bytes after LEN, checksum included
    to the reader:      CMD  PARA  DATA…  CHK
    from the reader:    SW1  SW2   SW3    DATA…  CHK

``CHK`` is the XOR of every byte after the preamble up to the checksum (LEN included). ``SW3`` is the
result code: ``90`` success, ``9F`` card found, anything else a failure named in :data:`RESULT_NAMES`.

The base message (read ``30 01``) carries DATA = text length (2, BE) + photo length (2, BE) + text
(256 bytes, UCS-2 little-endian, space padded) + photo (1,024 bytes, a compressed image the kiosk never
decodes: :func:`decode_base` drops it at once).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date

from .errors import DeviceError

PREAMBLE = b"\xAA\xAA\xAA\x96\x69"
MAX_LENGTH = 4096  # the largest LEN accepted (a base message with fingerprint is under 2,400)
MIN_REPLY_LENGTH = 4  # SW1 SW2 SW3 CHK


class Command(enum.Enum):
    """(CMD, PARA) of the commands the kiosk sends."""

    STATUS = (0x11, 0xFF)
    RESET = (0x10, 0xFF)
    FIND = (0x20, 0x01)
    SELECT = (0x20, 0x02)
    READ_BASE = (0x30, 0x01)


OK = 0x90
FOUND = 0x9F

# Every result code of the reader, named for the log and the technician (the visitor sees the terminal's
# own words, chosen by what the failure means for them).
RESULT_NAMES: dict[int, str] = {
    0x90: "操作成功",
    0x9F: "找到卡",
    0x10: "读卡器收到的数据校验和错误",
    0x11: "读卡器收到的数据长度错误",
    0x21: "读卡器收到的命令错误",
    0x23: "越权操作",
    0x24: "读卡器无法识别的错误",
    0x31: "卡认证读卡器失败",
    0x32: "读卡器认证卡失败",
    0x33: "信息验证错误",
    0x40: "无法识别的卡类型",
    0x41: "读卡操作失败",
    0x47: "取随机数失败",
    0x60: "安全模块自检失败",
    0x66: "安全模块未经授权",
    0x80: "寻卡失败（没有放卡）",
    0x81: "选卡失败",
    0x91: "卡中没有此项内容",
}


def result_name(code: int) -> str:
    return RESULT_NAMES.get(code, f"未知结果码 {code:02X}")


def checksum(body: bytes) -> int:
    """XOR of ``body`` (LEN and everything after it, up to the checksum)."""
    x = 0
    for b in body:
        x ^= b
    return x


def encode_command(command: Command, data: bytes = b"") -> bytes:
    """A frame to the reader."""
    cmd, para = command.value
    length = 2 + len(data) + 1
    body = length.to_bytes(2, "big") + bytes((cmd, para)) + data
    return PREAMBLE + body + bytes((checksum(body),))


@dataclass(frozen=True, slots=True)
class Reply:
    """One well-formed frame from the reader."""

    sw1: int
    sw2: int
    sw3: int
    data: bytes = field(repr=False)  # a base message: never in a log line

    @property
    def ok(self) -> bool:
        return self.sw3 in (OK, FOUND)

    @property
    def name(self) -> str:
        return result_name(self.sw3)


@dataclass(frozen=True, slots=True)
class BrokenFrame:
    """Bytes that started like a frame and were not one (``why``: ``checksum``, ``length``)."""

    why: str
    skipped: int  # how many bytes were given up


class Deframer:
    """Frames from the reader out of a byte stream fed in pieces of any size.

    ``feed`` returns the frames (``Reply`` or ``BrokenFrame``) completed by the new bytes; noise between
    frames is dropped and counted in ``noise``. ``pending`` says whether a frame is half received (what a
    timeout should call a broken frame)."""

    def __init__(self, max_length: int = MAX_LENGTH) -> None:
        self.max_length = max_length
        self._buf = bytearray()
        self.noise = 0

    @property
    def pending(self) -> bool:
        return len(self._buf) > 0

    def reset(self) -> None:
        self._buf.clear()

    def feed(self, chunk: bytes) -> list[Reply | BrokenFrame]:
        self._buf += chunk
        out: list[Reply | BrokenFrame] = []
        while True:
            start = self._buf.find(PREAMBLE)
            if start < 0:
                # keep a tail that may be the start of a preamble split across reads
                keep = next((k for k in range(min(len(PREAMBLE) - 1, len(self._buf)), 0, -1)
                             if self._buf.endswith(PREAMBLE[:k])), 0)
                self.noise += len(self._buf) - keep
                del self._buf[:len(self._buf) - keep]
                return out
            if start:
                self.noise += start
                del self._buf[:start]
            if len(self._buf) < len(PREAMBLE) + 2:
                return out
            length = int.from_bytes(self._buf[5:7], "big")
            if length < MIN_REPLY_LENGTH or length > self.max_length:
                out.append(BrokenFrame("length", len(PREAMBLE)))
                del self._buf[:len(PREAMBLE)]  # hunt for the next preamble from here
                continue
            end = 7 + length
            if len(self._buf) < end:
                return out
            body = bytes(self._buf[5:end - 1])
            if checksum(body) != self._buf[end - 1]:
                out.append(BrokenFrame("checksum", end))
                del self._buf[:end]
                continue
            out.append(Reply(body[2], body[3], body[4], body[5:]))
            del self._buf[:end]


# ---- the base message --------------------------------------------------------------------------------
# (field, bytes) in order; UCS-2 little-endian, padded with spaces. 256 bytes in all.
TEXT_LAYOUT: tuple[tuple[str, int], ...] = (
    ("name", 30), ("gender", 2), ("nation", 4), ("birth", 16), ("address", 70), ("id_number", 36),
    ("authority", 30), ("valid_from", 16), ("valid_to", 16), ("reserved", 36),
)
TEXT_BYTES = sum(n for _, n in TEXT_LAYOUT)
PHOTO_BYTES = 1024

# GB/T 2261.1 sex codes
GENDERS = {"0": "未知", "1": "男", "2": "女", "9": "未说明"}
# GB 3304 nationality codes as printed on the card (民族)
NATIONS = dict(enumerate((
    "汉", "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶", "白", "土家",
    "哈尼", "哈萨克", "傣", "黎", "傈僳", "佤", "畲", "高山", "拉祜", "水", "东乡", "纳西", "景颇",
    "柯尔克孜", "土", "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯", "阿昌", "普米",
    "塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安", "裕固", "京", "塔塔尔", "独龙",
    "鄂伦春", "赫哲", "门巴", "珞巴", "基诺"), start=1))
NATIONS.update({97: "其他", 98: "外国血统中国籍人士"})


class BadMessage(DeviceError, ValueError):
    """A base message that cannot be a card's (its text says what is wrong, never what the card holds)."""


@dataclass(frozen=True, slots=True)
class BaseMessage:
    """The text of a card. The ID number is left out of ``repr`` so no log line can carry it."""

    name: str
    gender: str        # 男 / 女 / …
    nation: str        # 汉 / 回 / …
    birth: date
    address: str
    id_number: str = field(repr=False)
    authority: str = ""
    valid_from: str = ""
    valid_to: str = ""  # YYYYMMDD or 长期


def _text(raw: bytes) -> str:
    return raw.decode("utf-16-le", errors="strict").rstrip(" \x00")


def decode_text(text: bytes) -> dict[str, str]:
    """The 256 text bytes → raw field strings by the layout."""
    if len(text) != TEXT_BYTES:
        raise BadMessage(f"text is {len(text)} bytes, not {TEXT_BYTES}")
    out, at = {}, 0
    for name, size in TEXT_LAYOUT:
        try:
            out[name] = _text(text[at:at + size])
        except UnicodeDecodeError:
            raise BadMessage(f"field {name} is not UCS-2 text") from None
        at += size
    return out


def decode_base(data: bytes) -> BaseMessage:
    """The DATA of a read-base-message reply → the card's text; the photo is dropped undecoded."""
    if len(data) < 4:
        raise BadMessage("base message shorter than its length header")
    text_len, photo_len = int.from_bytes(data[0:2], "big"), int.from_bytes(data[2:4], "big")
    if text_len != TEXT_BYTES or len(data) < 4 + text_len + photo_len:
        raise BadMessage(f"base message lengths {text_len}+{photo_len} do not fit {len(data) - 4} bytes")
    f = decode_text(bytes(data[4:4 + text_len]))  # the photo bytes are never copied out of ``data``
    gender = GENDERS.get(f["gender"])
    if gender is None:
        raise BadMessage("unknown gender code")
    try:
        nation = NATIONS[int(f["nation"])] if f["nation"].isdigit() else None
    except KeyError:
        nation = None
    if nation is None:
        raise BadMessage("unknown nation code")
    b = f["birth"]
    try:
        if len(b) != 8 or not b.isdigit():
            raise ValueError
        birth = date(int(b[:4]), int(b[4:6]), int(b[6:]))
    except ValueError:
        raise BadMessage("birth date is not YYYYMMDD") from None
    if not f["name"] or not f["id_number"]:
        raise BadMessage("name or ID number empty")
    return BaseMessage(name=f["name"], gender=gender, nation=nation, birth=birth, address=f["address"],
                       id_number=f["id_number"].upper(), authority=f["authority"], valid_from=f["valid_from"],
                       valid_to=f["valid_to"])
