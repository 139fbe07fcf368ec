"""Queue tickets: what is printed, laid out once, rendered two ways.

Rule: ``ticket_blocks()`` is the single layout of a ticket; ``render_text``
(the printer's own GB18030 font, small and fast over 9600 baud) and
``render_raster`` (Pillow + a CJK TrueType font, for printers without a
Chinese font) both draw exactly those blocks. Every Chinese string comes from
the ``TicketPrint`` fields or from ``STRINGS`` below; none elsewhere.
No I/O except reading the font file handed to ``render_raster``.
"""

from __future__ import annotations

import enum
import functools
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from kiosk.devices import escpos

STRINGS = {
    "people_ahead": "您前面还有 {n} 人等候",
    "eta": "预计等候约 {m} 分钟",
    "eta_unknown": "等候时间暂无法估计",
    "issued_at": "取号时间 {t}",
    "scan_hint": "扫码查看排队进度",
}
TIME_FORMAT = "%Y-%m-%d %H:%M"

# Font A is 12x24 dots: 32 half-width columns on 58 mm paper, 48 on 80 mm.
PAPER_DOTS = {58: 384, 80: 576}
COLUMN_DOTS = 12


class Style(enum.Enum):
    TITLE = "title"
    CATEGORY = "category"
    NUMBER = "number"
    BODY = "body"
    SMALL = "small"
    RULE = "rule"        # a separator line
    QR = "qr"


@dataclass(frozen=True, slots=True, kw_only=True)
class TicketPrint:
    centre_name: str
    category_name: str
    ticket_number: str
    people_ahead: int
    eta_minutes: int | None
    issued_at: datetime
    wait_at: str          # where to wait, e.g. "请在一楼B区等候叫号"
    missed_rule: str      # the 过号 rule
    qr_payload: str
    large_print: bool = False

    def __post_init__(self) -> None:
        if not self.ticket_number or not self.ticket_number.isascii():
            raise ValueError(f"ticket_number must be non-empty ASCII, got {self.ticket_number!r}")
        if self.people_ahead < 0:
            raise ValueError(f"people_ahead must be >= 0, got {self.people_ahead}")
        if self.eta_minutes is not None and self.eta_minutes < 0:
            raise ValueError(f"eta_minutes must be >= 0 or None, got {self.eta_minutes}")


@dataclass(frozen=True, slots=True, kw_only=True)
class Block:
    text: str
    style: Style
    align: escpos.Align = escpos.Align.CENTER


def ticket_blocks(ticket: TicketPrint) -> list[Block]:
    """The ticket, top to bottom."""
    left, centre = escpos.Align.LEFT, escpos.Align.CENTER
    eta = (STRINGS["eta"].format(m=ticket.eta_minutes) if ticket.eta_minutes is not None
           else STRINGS["eta_unknown"])
    return [
        Block(text=ticket.centre_name, style=Style.TITLE),
        Block(text=ticket.category_name, style=Style.CATEGORY),
        Block(text=ticket.ticket_number, style=Style.NUMBER),
        Block(text=STRINGS["people_ahead"].format(n=ticket.people_ahead), style=Style.BODY),
        Block(text=eta, style=Style.BODY),
        Block(text="", style=Style.RULE),
        Block(text=ticket.wait_at, style=Style.BODY, align=left),
        Block(text=ticket.missed_rule, style=Style.SMALL, align=left),
        Block(text=ticket.qr_payload, style=Style.QR, align=centre),
        Block(text=STRINGS["scan_hint"], style=Style.SMALL),
        Block(text=STRINGS["issued_at"].format(t=ticket.issued_at.strftime(TIME_FORMAT)),
              style=Style.SMALL),
    ]


# --------------------------------------------------------------------------
# Text rendering (printer font)
# --------------------------------------------------------------------------

# style -> (width, height, bold) magnification, normal and large print.
TEXT_STYLES = {
    False: {Style.TITLE: (1, 1, True), Style.CATEGORY: (1, 2, True), Style.NUMBER: (4, 4, True),
            Style.BODY: (1, 1, False), Style.SMALL: (1, 1, False), Style.RULE: (1, 1, False)},
    True: {Style.TITLE: (1, 2, True), Style.CATEGORY: (2, 2, True), Style.NUMBER: (6, 6, True),
           Style.BODY: (2, 2, True), Style.SMALL: (1, 2, False), Style.RULE: (1, 1, False)},
}
QR_MODULE_DOTS = {(58, False): 6, (58, True): 7, (80, False): 8, (80, True): 9}


def display_columns(text: str) -> int:
    """Half-width columns the printer uses for ``text`` (CJK counts two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def wrap_columns(text: str, columns: int) -> list[str]:
    """Break ``text`` into lines of at most ``columns`` half-width columns."""
    lines: list[str] = []
    current, used = "", 0
    for ch in text:
        w = 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        if used + w > columns and current:
            lines.append(current.rstrip())
            current, used = "", 0
            if ch == " ":
                continue
        current += ch
        used += w
    if current.strip():
        lines.append(current.rstrip())
    return lines


def render_text(ticket: TicketPrint, paper_width_mm: int = 58) -> bytes:
    """ESC/POS bytes printing the ticket in the printer's Chinese font."""
    if paper_width_mm not in PAPER_DOTS:
        raise ValueError(f"paper_width_mm must be 58 or 80, got {paper_width_mm}")
    columns = PAPER_DOTS[paper_width_mm] // COLUMN_DOTS
    styles = TEXT_STYLES[ticket.large_print]
    out = [escpos.init(), escpos.chinese_on()]
    for block in ticket_blocks(ticket):
        out.append(escpos.align(block.align))
        if block.style is Style.QR:
            out.append(escpos.qr(block.text,
                                 module_dots=QR_MODULE_DOTS[paper_width_mm, ticket.large_print]))
            out.append(escpos.LF)
            continue
        if block.style is Style.RULE:
            out.append(escpos.line("-" * columns))
            continue
        width, height, is_bold = styles[block.style]
        text_columns = max(1, display_columns(block.text))
        if block.style is Style.NUMBER:
            # Shrink a long number rather than wrap it.
            width = height = max(1, min(width, columns // text_columns))
        elif width * text_columns > columns:
            # Narrow the characters (keeping their height) before wrapping.
            width = max(1, min(width, columns // text_columns))
        out.append(escpos.bold(is_bold))
        out.append(escpos.size(width, height))
        for text in wrap_columns(block.text, columns // width):
            out.append(escpos.line(text))
        out.append(escpos.size(1, 1))
        out.append(escpos.bold(False))
    out += [escpos.feed(3), escpos.chinese_off(), escpos.cut(partial=True)]
    return b"".join(out)


# --------------------------------------------------------------------------
# Raster rendering (Pillow, CJK TrueType font)
# --------------------------------------------------------------------------

# style -> font pixel size on 384-dot paper (scaled for wider paper).
RASTER_PX = {
    False: {Style.TITLE: 28, Style.CATEGORY: 34, Style.NUMBER: 110, Style.BODY: 26,
            Style.SMALL: 22},
    True: {Style.TITLE: 32, Style.CATEGORY: 44, Style.NUMBER: 150, Style.BODY: 36,
           Style.SMALL: 28},
}
RASTER_MARGIN = 8
LINE_GAP = 6


@functools.lru_cache(maxsize=32)
def _font(font_path: str, px: int):
    from PIL import ImageFont

    return ImageFont.truetype(font_path, px)


def _wrap_pixels(text: str, font, max_width: int) -> list[str]:
    lines: list[str] = []
    current = ""
    for ch in text:
        if current and font.getlength(current + ch) > max_width:
            lines.append(current.rstrip())
            current = "" if ch == " " else ch
        else:
            current += ch
    if current.strip():
        lines.append(current.rstrip())
    return lines


def render_image(ticket: TicketPrint, font_path: str, paper_width_dots: int = 384):
    """The ticket as a 1-bit Pillow image exactly ``paper_width_dots`` wide."""
    import segno
    from PIL import Image, ImageDraw

    if paper_width_dots <= 2 * RASTER_MARGIN or paper_width_dots % 8:
        raise ValueError(f"paper_width_dots must be a positive multiple of 8, got {paper_width_dots}")
    scale = paper_width_dots / 384
    sizes = RASTER_PX[ticket.large_print]
    inner = paper_width_dots - 2 * RASTER_MARGIN
    # Lay out first (items of (kind, payload, x, y, height)), then draw once.
    items: list[tuple] = []
    y = RASTER_MARGIN
    for block in ticket_blocks(ticket):
        if block.style is Style.RULE:
            items.append(("rule", None, RASTER_MARGIN, y + LINE_GAP, 2))
            y += 2 * LINE_GAP + 2
            continue
        if block.style is Style.QR:
            matrix = segno.make(block.text, error="m").matrix
            modules = len(matrix) + 8  # 4-module quiet zone each side
            module_px = max(1, int(inner * (0.65 if ticket.large_print else 0.55)) // modules)
            side = modules * module_px
            items.append(("qr", (matrix, module_px), (paper_width_dots - side) // 2, y, side))
            y += side + LINE_GAP
            continue
        px = max(10, round(sizes[block.style] * scale))
        font = _font(font_path, px)
        while block.style is Style.NUMBER and font.getlength(block.text) > inner and px > 10:
            px -= 4
            font = _font(font_path, px)
        ascent, descent = font.getmetrics()
        for text in _wrap_pixels(block.text, font, inner):
            width = font.getlength(text)
            if block.align is escpos.Align.CENTER:
                x = (paper_width_dots - width) / 2
            elif block.align is escpos.Align.RIGHT:
                x = paper_width_dots - RASTER_MARGIN - width
            else:
                x = RASTER_MARGIN
            items.append(("text", (text, font), x, y, ascent + descent))
            y += ascent + descent + LINE_GAP
    height = y + RASTER_MARGIN
    img = Image.new("L", (paper_width_dots, height), 255)
    draw = ImageDraw.Draw(img)
    for kind, payload, x, top, h in items:
        if kind == "rule":
            draw.rectangle((RASTER_MARGIN, top, paper_width_dots - RASTER_MARGIN, top + h - 1), fill=0)
        elif kind == "qr":
            matrix, module_px = payload
            for row_i, row in enumerate(matrix):
                for col_i, dark in enumerate(row):
                    if dark:
                        x0 = x + (col_i + 4) * module_px
                        y0 = top + (row_i + 4) * module_px
                        draw.rectangle((x0, y0, x0 + module_px - 1, y0 + module_px - 1), fill=0)
        else:
            text, font = payload
            draw.text((x, top), text, font=font, fill=0)
    # A plain threshold keeps CJK strokes crisp; dithering greys them.
    return img.point(lambda v: 255 if v >= 128 else 0).convert("1", dither=Image.Dither.NONE)


def render_raster(ticket: TicketPrint, font_path: str, paper_width_dots: int = 384) -> bytes:
    """ESC/POS bytes printing the ticket as a GS v 0 raster image."""
    image = render_image(ticket, font_path, paper_width_dots)
    return b"".join((escpos.init(), escpos.raster(image), escpos.feed(3),
                     escpos.cut(partial=True)))
