"""CJK-aware text layout: font cache, line breaking with kinsoku, fit-to-box.

Rules:
* A line may break between any two CJK characters, at spaces (which are then
  dropped), and around punctuation — but Latin words and numbers (a masked one
  too: 138****5678) stay whole unless a single word is wider than the box.
* Kinsoku: a line never starts with closing punctuation (，。、；：？！）」》】’” …)
  and never ends with opening punctuation (（「《【‘“ …); the offending character
  is carried to the next line together with its neighbour.
* Words stay whole: a number keeps its counter (3号, 21 分钟 → 21分钟 stays with 分), the hall's
  own words (:data:`WORDS`: 窗口, 人社, 评价, 办理 …) are never cut in the middle, and a numbered window
  is one name: "3号人社窗口" and "5号窗口" move to the next line whole. A paragraph never ends on a
  lone character (an orphan "办"): the last line takes the word before it along.
* Nothing is clipped silently: :func:`layout` reports ``overflow`` when the text
  is wider or taller than the box, and :func:`fit` shrinks only down to a floor.
* No pygame work at import; fonts load lazily through an explicit
  :class:`FontCache` once ``pygame.font`` is initialised.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kiosk.ui.errors import FontError, TextOverflowError

Measure = Callable[[str], int]

CLOSING = frozenset("，。、；：？！）」』》〉】〕］｝〗’”…‥·・ー〜～％‰℃,.;:!?)]}>%")
OPENING = frozenset("（「『《〈【〔［｛〖‘“([{<¥￥$#")
_WORD = re.compile(r"[A-Za-z0-9\u00C0-\u024F\uFF10-\uFF19\uFF21-\uFF3A\uFF41-\uFF5A]+"
                   r"(?:(?:[.:/\-_'@+]|\*+)[A-Za-z0-9\u00C0-\u024F]+)*\**")  # masked: 138****5678, 4201**


#: Words of the hall's screens that a line must not cut (the UI's vocabulary; longest match first).
WORDS = frozenset("""
窗口 人社 医保 社保 公安 户口 市场 监管 综合 业务 办理 办事 评价 扫码 政务 公开 服务 中心 便民 身份证 营业执照
预约 签到 取号 号码 咨询 电话 投诉 热线 指南 帮办 代办 信息 申请 反映 不成 系统 维护 等候 分钟 小时 小票 缴费
医疗 保险 居民 城乡 长辈 模式 标准 首页 上一步 下一步 往前翻 往后翻 确认 提交 返回 继续 打印 工作 人员 值班
大厅 前面 还有 预计 请到 请在 就座 留意 叫号 语音 屏幕 二维码 手机 网上 鄂汇办 天门 黄潭 低保 五保 养老 退休
工作日 时间 今日 明天 办公 下班 上班 开放 暂停 现场 自助 设备 故障 材料 证件 原件 复印件 姓名 地址 联系 邮箱
邮寄 领取 纸质 电子 内容 用途 描述 期限 答复 延长 登记 日期 编号 进度 查询 结果 满意 不满意 非常 一般 原因
问题 窗口办理 人社窗口 医保窗口 公安窗口 综合窗口 市场监管窗口 办不成事 办不成事反映 政府信息公开 一码通评
""".split())
_MAX_WORD = max(map(len, WORDS))
_COUNTERS = frozenset("号人位个分秒天日月年点页次张份元岁")
_NUMBERED = re.compile(r"[0-9]+号")


def _is_cjk_char(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def _glue_words(items: list[str]) -> list[str]:
    """Merge clusters that together spell a word of :data:`WORDS`, or a number and its counter."""
    out: list[str] = []
    i, n = 0, len(items)
    while i < n:
        cur = items[i]
        if len(cur) == 1 and _is_cjk_char(cur):
            for k in range(min(_MAX_WORD, n - i), 1, -1):
                parts = items[i:i + k]
                if all(len(p) == 1 for p in parts[:-1]) and "".join(parts).rstrip("".join(CLOSING)) in WORDS:
                    cur = "".join(parts)
                    i += k - 1
                    break
        if out and out[-1][-1:].isdigit() and cur[:1] in _COUNTERS:
            out[-1] += cur
        elif out and _NUMBERED.fullmatch(out[-1]) and cur.rstrip("".join(CLOSING)).endswith("窗口") \
                and cur.rstrip("".join(CLOSING)) in WORDS:
            out[-1] += cur  # a numbered window is one name: 3号人社窗口, 5号窗口
        else:
            out.append(cur)
        i += 1
    return out


def _is_space(ch: str) -> bool:
    return ch in " \t\u3000"


def _atoms(paragraph: str) -> list[str]:
    """Split a paragraph into atoms: Latin words/numbers, spaces runs, single chars."""
    out: list[str] = []
    i, n = 0, len(paragraph)
    while i < n:
        m = _WORD.match(paragraph, i)
        if m:
            out.append(m.group())
            i = m.end()
        elif _is_space(paragraph[i]):
            j = i
            while j < n and _is_space(paragraph[j]):
                j += 1
            out.append(paragraph[i:j])
            i = j
        else:
            out.append(paragraph[i])
            i += 1
    return out


def clusters(paragraph: str) -> list[str]:
    """Group atoms into units that must not be split across lines.

    Closing punctuation glues to what precedes it and opening punctuation to
    what follows (spaces in between are glued too, so no break can separate
    them); other space runs are clusters of their own — the break opportunities.
    """
    result: list[str] = []
    glue_next = False
    for atom in _atoms(paragraph):
        if _is_space(atom[0]):
            if glue_next and result:
                result[-1] += atom
            else:
                result.append(atom)
            continue
        if atom[0] in CLOSING and len(result) >= 2 and _is_space(result[-1][0]):
            space = result.pop()
            result[-1] += space
        if result and not _is_space(result[-1][0]) and (glue_next or atom[0] in CLOSING):
            result[-1] += atom
        else:
            result.append(atom)
        glue_next = atom[-1] in OPENING
    return _glue_words(result)


def _split_wide(cluster: str, width: int, measure: Measure) -> list[str]:
    """Break one over-wide cluster at character level, honouring kinsoku when possible."""
    pieces: list[str] = []
    rest = cluster
    while len(rest) > 1 and measure(rest) > width:
        # longest prefix that fits, then step back to a kinsoku-legal cut
        cut = 1
        while cut < len(rest) and measure(rest[:cut + 1]) <= width:
            cut += 1
        legal = cut
        while legal > 0 and (rest[legal] in CLOSING or rest[legal - 1] in OPENING):
            legal -= 1
        if legal == 0:
            # no legal cut inside the box: take the smallest legal piece, over-wide
            legal = cut
            while legal < len(rest) and (rest[legal] in CLOSING or rest[legal - 1] in OPENING):
                legal += 1
        pieces.append(rest[:legal])
        rest = rest[legal:]
    if rest:
        pieces.append(rest)
    return pieces


def break_lines(text: str, width: int, measure: Measure) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` pixels where possible.

    ``measure(s)`` returns the pixel width of ``s``. Hard newlines are kept.
    Spaces at a break are dropped (leading indentation of a paragraph is kept).
    A line is wider than ``width`` only when it is one piece that cannot
    legally be broken (e.g. a long run of punctuation).
    """
    lines: list[str] = []
    for paragraph in text.split("\n"):
        first = len(lines)
        current = ""
        for cl in clusters(paragraph):
            if _is_space(cl[0]):
                if current or len(lines) == first:
                    current += cl
                continue
            candidate = current + cl
            if measure(candidate) <= width:
                current = candidate
                continue
            number = _NUMBERED.match(cl)
            if number and measure(cl) > width and measure(cl[number.end():]) <= width \
                    and measure(current + number.group()) <= width:
                # a numbered window wider than a whole line breaks where it would have without the rule
                lines.append(_rstrip(current + number.group()))
                current = cl[number.end():]
                continue
            if current.strip():
                lines.append(_rstrip(current))
                current = ""
            if measure(cl) <= width:
                current = cl
                continue
            *full, current = _split_wide(cl, width, measure)
            lines.extend(full)
        if current.strip() or len(lines) == first:
            lines.append(_rstrip(current))
        _no_orphan(lines, first, width, measure, paragraph)
    return lines


def _no_orphan(lines: list[str], first: int, width: int, measure: Measure, paragraph: str) -> None:
    """A paragraph's last line of one lone Chinese character takes the character before it along.

    Only when the two stood together in the text: a space dropped at the break stays a break; and never
    when that would leave the line before empty or start the last line with closing punctuation (a piece
    that began the paragraph after a space, such as " .、").
    """
    if len(lines) - first < 2:
        return
    last, prev = lines[-1], lines[-2]
    if len(last.rstrip("".join(CLOSING))) != 1 or not _is_cjk_char(last[0]):
        return
    parts = clusters(prev)
    moved = parts[-1] if len(parts) > 1 else ""
    if not moved or _is_space(moved[0]) or moved[0] in CLOSING or measure(moved + last) > width:
        return
    if not _rstrip(paragraph).endswith(moved + last):
        return
    rest = _rstrip(prev[:len(prev) - len(moved)])
    if not rest.strip():
        return
    lines[-2], lines[-1] = rest, moved + last


def _rstrip(s: str) -> str:
    return s.rstrip(" \t\u3000")


@dataclass(frozen=True, slots=True, kw_only=True)
class TextLayout:
    """Lines of text measured for one font and box."""

    lines: tuple[str, ...]
    width: int          # widest line, px
    height: int         # total height, px
    line_pitch: int     # distance between baselines, px
    font_size: int
    overflow: bool      # wider or taller than the box

    def raise_if_overflow(self) -> "TextLayout":
        if self.overflow:
            raise TextOverflowError(f"text does not fit: {''.join(self.lines)[:40]!r}")
        return self


class FontCache:
    """Loads one font file lazily, one :class:`pygame.font.Font` per pixel size.

    Create it anywhere; it touches pygame only on first :meth:`get`, which
    must happen after ``pygame.font.init()`` (``pygame.init()`` does that).
    """

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._fonts: dict[int, object] = {}

    def get(self, size: int):
        size = max(1, int(size))
        font = self._fonts.get(size)
        if font is None:
            import pygame

            if not pygame.font.get_init():
                raise FontError("pygame.font is not initialised; call pygame.init() first")
            try:
                font = pygame.font.Font(self.path, size)
            except (FileNotFoundError, OSError, pygame.error) as exc:
                raise FontError(f"cannot load font {self.path!r} at {size}px: {exc}") from exc
            self._fonts[size] = font
        return font

    def clear(self) -> None:
        self._fonts.clear()


def line_pitch(font, size: int, line_spacing: float) -> int:
    return max(font.get_height(), round(size * line_spacing))


def layout(text: str, font, width: int, max_height: int | None = None, *,
           size: int | None = None, line_spacing: float = 1.0) -> TextLayout:
    """Wrap ``text`` to ``width`` with ``font``; flag ``overflow`` if it does not fit.

    ``size`` is the font's pixel size (for the line pitch); it defaults to the
    font height. Height counts full pitch between lines and one glyph height
    for the last line.
    """
    size = size or font.get_height()
    measure = lambda s: font.size(s)[0]  # noqa: E731
    lines = break_lines(text, max(1, width), measure)
    pitch = line_pitch(font, size, line_spacing)
    widest = max((measure(line) for line in lines), default=0)
    height = (len(lines) - 1) * pitch + font.get_height() if lines else 0
    overflow = widest > width or (max_height is not None and height > max_height)
    return TextLayout(lines=tuple(lines), width=widest, height=height, line_pitch=pitch,
                      font_size=size, overflow=overflow)


def reading_glyph(ch: str) -> bool:
    """Letters, digits and CJK characters: what a reader must make out (not punctuation or symbols)."""
    return unicodedata.category(ch)[0] in "LN"


@lru_cache(maxsize=65536)
def _ink(font, ch: str) -> tuple[int, int] | None:
    m = font.metrics(ch)[0]
    return None if m is None else (m[2], m[3])


def glyph_height(text: str, font) -> int:
    """Ink height of ``text``'s reading glyphs as ``font`` renders them: lowest bottom to highest top."""
    lo = hi = None
    for ch in set(text):
        if not reading_glyph(ch) or (ink := _ink(font, ch)) is None:
            continue
        lo = ink[0] if lo is None else min(lo, ink[0])
        hi = ink[1] if hi is None else max(hi, ink[1])
    return 0 if lo is None or hi is None else hi - lo


GLYPH_REFERENCE = "国"   # a full-height Chinese character: the height every size token is meant for
LATIN_REFERENCE = "0"    # digits and capitals share this height (~0.73 em)


@lru_cache(maxsize=8)
def _latin_scale(fonts: FontCache) -> float:
    probe = fonts.get(100)
    return max(1.0, glyph_height(GLYPH_REFERENCE, probe) / max(1, glyph_height(LATIN_REFERENCE, probe)))


def glyph_scale(text: str, fonts: FontCache) -> float:
    """How much larger than its style a run without Chinese is drawn, so that its digits and capitals
    stand as tall as Chinese characters at that style (a digit is ~0.73 em high, 国 ~0.87 em). One
    factor for every such run, so a row of keys or a ticket number never mixes sizes."""
    if not text or any(_is_cjk(ch) for ch in text) or not any(reading_glyph(ch) for ch in text):
        return 1.0
    return _latin_scale(fonts)


def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def fit(text: str, fonts: FontCache, width: int, height: int, *, size: int, min_size: int,
        line_spacing: float = 1.0, max_lines: int | None = None) -> TextLayout:
    """Largest layout from ``size`` down to ``min_size`` that fits ``width``×``height``.

    Sizes are for Chinese text; a run of only letters and digits is drawn :func:`glyph_scale` larger
    (both ``size`` and ``min_size``) so what the eye sees is as tall. Returns the ``min_size`` layout
    with ``overflow=True`` when even that does not fit (or needs more than ``max_lines`` lines).
    """
    scale = glyph_scale(text, fonts)
    if scale != 1.0:
        size, min_size = round(size * scale), round(min_size * scale)
    s = max(size, min_size)
    while True:
        lay = layout(text, fonts.get(s), width, height, size=s, line_spacing=line_spacing)
        too_many = max_lines is not None and len(lay.lines) > max_lines
        if not lay.overflow and not too_many:
            return lay
        if s <= min_size:
            if too_many and not lay.overflow:
                lay = TextLayout(lines=lay.lines, width=lay.width, height=lay.height,
                                 line_pitch=lay.line_pitch, font_size=lay.font_size, overflow=True)
            return lay
        s = max(min_size, s - max(1, s // 12))
