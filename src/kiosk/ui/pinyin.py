"""拼音输入: an on-screen pinyin keyboard for names, addresses and free text typed in Chinese.

Rule: the terminal never imports pypinyin (it costs ~55 MB). The candidates come from a compact table,
``kiosk/data/pinyin_candidates.json``, built once from pypinyin's dictionaries by :func:`build_table`
(``python -m kiosk.ui.pinyin`` rewrites it) and read lazily the first time a keyboard shows candidates.

The table: for every toneless syllable (``ü`` typed as ``v``) the characters that can be read so, in
this order — characters of GB 2312 level 1 (the 3,755 common ones), then level 2, then the rest of GBK
(characters outside GBK are left out: the kiosk font may not draw them); within a level, characters
that occur more often with this reading in pypinyin's phrase dictionary come first; ties by whether
the syllable is the character's first reading, then by code point. Words: phrases of that dictionary
of 2–3 common characters, keyed by their syllables joined with ``'``.

The widget owns its text and the letters being typed; keys bubble :class:`Pressed` to it and it emits
:class:`EntryChanged` / :class:`EntrySubmitted` like the other keypads. Tapping a candidate appends it
and consumes the syllables it stands for. Candidates are paged (上一页/下一页), at most the theme's
``max_choices`` on a page (6 in large print).
"""

from __future__ import annotations

import functools
import json
import math
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.ui.keys import _KeyRow  # _KeyRow: the keypads' centred equal-width key row
from kiosk.ui.paging import PageLabel
from kiosk.ui.widget import (Column, Context, EntryChanged, EntrySubmitted, Grid, Message, Pressed, Rect, Row,
                             Spacer, Widget, draw_box, draw_runs, fit_text, place_text, text_height)
from kiosk.ui.widgets import Button

TABLE_PATH = Path(__file__).resolve().parents[1] / "data" / "pinyin_candidates.json"
TABLE_FORMAT = 1
MAX_LETTERS = 30
GROW = 1.5  # key rows may grow to this many times their measured height when there is room
DELETE, CLEAR, CONFIRM, PREV, NEXT = "del", "clear", "ok", "prev", "next"
LETTER_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
DIGITS = "1234567890"
PUNCTUATION = ("，", "。")


# ------------------------------------------------------------------ the candidate table

def plain_syllable(reading: str) -> str:
    """zhāng → zhang, lǜ → lv: a pypinyin reading without its tone, as typed on the keyboard."""
    s = unicodedata.normalize("NFKD", reading.strip().lower()).replace("u\u0308", "v")
    return "".join(ch for ch in s if not unicodedata.combining(ch))


def char_level(ch: str) -> int | None:
    """0: GB 2312 level 1, 1: level 2, 2: other GBK, None: outside GBK."""
    try:
        b = ch.encode("gb2312")
        return 0 if b[0] < 0xD8 else 1
    except UnicodeEncodeError:
        pass
    try:
        ch.encode("gbk")
    except UnicodeEncodeError:
        return None
    return 2


def build_table() -> dict[str, Any]:
    """The candidate table from pypinyin's dictionaries (see the module docstring for the order)."""
    import pypinyin
    from pypinyin.phrases_dict import phrases_dict
    from pypinyin.pinyin_dict import pinyin_dict

    counts: dict[tuple[str, str], int] = {}
    for phrase, readings in phrases_dict.items():
        for ch, r in zip(phrase, readings):
            key = (ch, plain_syllable(r[0]))
            counts[key] = counts.get(key, 0) + 1
    ranked: dict[str, list[tuple[tuple[int, int, int, int], str]]] = {}
    for cp, readings in pinyin_dict.items():
        ch = chr(cp)
        level = char_level(ch)
        if level is None or unicodedata.category(ch) != "Lo":
            continue
        seen: set[str] = set()
        for i, r in enumerate(readings.split(",")):
            syl = plain_syllable(r)
            if not syl.isascii() or not syl.isalpha() or syl in seen:
                continue
            seen.add(syl)
            ranked.setdefault(syl, []).append(((level, -counts.get((ch, syl), 0), min(i, 1), cp), ch))
    chars = {syl: "".join(ch for _, ch in sorted(v)) for syl, v in sorted(ranked.items())}
    words: dict[str, list[tuple[int, str]]] = {}
    for phrase, readings in phrases_dict.items():
        if not 2 <= len(phrase) <= 3 or len(readings) != len(phrase) or any(char_level(c) != 0 for c in phrase):
            continue
        sylls = [plain_syllable(r[0]) for r in readings]
        if not all(s in chars for s in sylls):
            continue
        score = sum(counts.get((c, s), 0) for c, s in zip(phrase, sylls))
        words.setdefault("'".join(sylls), []).append((-score, phrase))
    return {"format": TABLE_FORMAT, "source": f"pypinyin {pypinyin.__version__}", "chars": chars,
            "words": {k: [w for _, w in sorted(v)] for k, v in sorted(words.items())}}


def write_table(path: Path = TABLE_PATH) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(build_table(), ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return path


@dataclass(frozen=True, slots=True, kw_only=True)
class Candidate:
    text: str
    consumes: int  # letters taken from the start of the typed pinyin


class PinyinTable:
    """Syllables → ordered characters and words; splits typed letters into syllables."""

    def __init__(self, chars: dict[str, str], words: dict[str, list[str]]) -> None:
        self.chars, self.words = chars, words
        self.syllables = frozenset(chars)
        self.longest = max((len(s) for s in chars), default=0)
        self._prefixes = frozenset(s[:i] for s in chars for i in range(1, len(s) + 1))

    @classmethod
    def from_file(cls, path: Path = TABLE_PATH) -> "PinyinTable":
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != TABLE_FORMAT:
            raise ValueError(f"{path}: unknown pinyin table format {data.get('format')!r}")
        return cls(data["chars"], data["words"])

    def segment(self, letters: str) -> list[str]:
        """``zhangsan`` → [zhang, san]; the last piece may be the start of a syllable (``zh``).
        Longest syllables first, backing off when the rest does not split; [] when nothing fits."""

        @functools.cache
        def split(i: int) -> tuple[str, ...] | None:
            if i == len(letters):
                return ()
            for n in range(min(self.longest, len(letters) - i), 0, -1):
                piece = letters[i:i + n]
                if piece in self.syllables:
                    rest = split(i + n)
                    if rest is not None:
                        return (piece, *rest)
            return (letters[i:],) if letters[i:] in self._prefixes else None

        return list(split(0) or ())

    def chars_for(self, piece: str) -> str:
        """Characters of a syllable, or — for the start of one — of every syllable it begins, merged
        rank by rank (each syllable's commonest first)."""
        if piece in self.chars:
            return self.chars[piece]
        lists = [self.chars[s] for s in sorted(self.syllables) if s.startswith(piece)]
        out: dict[str, None] = {}
        for rank in range(max((len(x) for x in lists), default=0)):
            for x in lists:
                if rank < len(x):
                    out.setdefault(x[rank])
        return "".join(out)

    def candidates(self, letters: str) -> list[Candidate]:
        """Words for the longest run of typed syllables first, then characters for the first one."""
        pieces = self.segment(letters)
        if not pieces:
            return []
        out: list[Candidate] = []
        full = [p for p in pieces if p in self.syllables]
        for n in range(len(full), 1, -1):
            if full[:n] != pieces[:n]:
                continue
            used = sum(map(len, pieces[:n]))
            out += [Candidate(text=w, consumes=used) for w in self.words.get("'".join(pieces[:n]), ())]
        out += [Candidate(text=c, consumes=len(pieces[0])) for c in self.chars_for(pieces[0])]
        return out


    def readings(self) -> dict[str, list[str]]:
        """Character → its syllables (every reading the table lists it under)."""
        out: dict[str, list[str]] = {}
        for syl, chars in self.chars.items():
            for ch in chars:
                out.setdefault(ch, []).append(syl)
        return out

    def with_lexicon(self, words: Iterable[str], *, max_readings: int = 8) -> "PinyinTable":
        """A table where the hall's own words come first: each word (黄潭, 低保, a village's name) is the
        first candidate for its syllables, and each of its characters the first for its own syllable —
        so 潭 is offered at once for ``tan`` in 黄潭镇, not on page 3. Readings come from the table itself."""
        chars = dict(self.chars)
        extra: dict[str, list[str]] = {}
        readings = self.readings()
        promoted: dict[str, list[str]] = {}
        for word in dict.fromkeys(w.strip() for w in words):
            han = [ch for ch in word if ch in readings]
            if not han or len(han) != len(word):
                continue
            combos: list[tuple[str, ...]] = [()]
            for ch in han:
                combos = [c + (r,) for c in combos for r in readings[ch]][:max_readings]
                for r in readings[ch]:
                    promoted.setdefault(r, [])
                    if ch not in promoted[r]:
                        promoted[r].append(ch)
            if len(han) > 1:
                for combo in combos:
                    extra.setdefault("'".join(combo), []).append(word)
        for syl, first in promoted.items():
            chars[syl] = "".join(first) + "".join(c for c in chars[syl] if c not in first)
        merged = dict(self.words)
        for key, ws in extra.items():
            merged[key] = ws + [w for w in merged.get(key, ()) if w not in ws]
        return PinyinTable(chars, merged)


@functools.cache
def default_table() -> PinyinTable:
    """Read once, on first use (not at import: most visitors never open a pinyin keyboard)."""
    return PinyinTable.from_file()


# ------------------------------------------------------------------ the widget

class _Composition(Widget):
    """The box above the keys: the text so far (its last lines when long) and the pinyin being typed."""

    def __init__(self, id: str, value: str, letters: str, *, lines: int, hint: str) -> None:
        super().__init__(id)
        self.value, self.letters, self.lines, self.hint = value, letters, lines, hint

    def _pitch(self, ctx: Context) -> int:
        return round(ctx.theme.text_body * ctx.theme.line_spacing)

    def measure(self, width: int, ctx: Context) -> int:
        pad = ctx.theme.padding
        one = text_height("tai", width - 2 * pad, ctx, "body")  # the pinyin line under the text lines
        return max(ctx.theme.target_min, self.lines * self._pitch(ctx) + one + 2 * pad)

    def _layout(self, ctx: Context) -> None:
        c, pad = ctx.theme.colors, ctx.theme.padding
        self._fill = c.surface
        box = self.rect.inflate(-2 * pad, -2 * pad)
        one = text_height("8", box.width, ctx, "body")
        top = Rect(box.x, box.y, box.width, box.height - one)
        bottom = Rect(box.x, box.bottom - one, box.width, one)
        text = self.value or self.hint or ctx.strings.empty_entry
        tone = c.text if self.value else c.text_muted
        lay = fit_text(text, top, ctx, shrink=False)
        if lay.overflow and self.value:  # show the end of a long text: that is where typing goes on
            tail = "\n".join(lay.lines[-self.lines:])
            lay = fit_text(tail, top, ctx, shrink=False)
            text = tail
        place_text(self, text, lay, top, tone, c.surface)
        if self.letters:
            shown = "'".join(default_table().segment(self.letters)) or self.letters
            place_text(self, shown, fit_text(shown, bottom, ctx, max_lines=1), bottom, c.primary, c.surface)

    def _draw(self, surface, ctx: Context) -> None:
        draw_box(surface, self.rect, self._fill, ctx, border=ctx.theme.colors.border)
        draw_runs(self, surface, ctx)


class _Candidates(Widget):
    """A fixed-height block of candidate buttons (``cols`` × ``rows``) and its page buttons, so the
    keys below never move while typing; a hint when nothing is typed."""

    def __init__(self, id: str, owner: "PinyinKeyboard", cols: int, rows: int, hint: str) -> None:
        super().__init__(id)
        self.owner, self.cols, self.rows, self.hint = owner, cols, rows, hint

    def _cell_h(self, ctx: Context) -> int:
        return max(ctx.theme.target_min, text_height("字", 100, ctx, "title") + 2 * ctx.theme.padding)

    def measure(self, width: int, ctx: Context) -> int:
        gap = ctx.theme.spacing
        return self.rows * (self._cell_h(ctx) + gap) + ctx.theme.target_min

    def _layout(self, ctx: Context) -> None:
        gap, o, s = ctx.theme.spacing, self.owner, ctx.strings
        # cells share whatever height the block was given (it may be stretched beyond its measure)
        cell_h = max(self._cell_h(ctx), (self.rect.height - ctx.theme.target_min) // self.rows - gap)
        cands, per = o.current(), self.cols * self.rows
        self.children = []
        if not cands:
            c = ctx.theme.colors
            text = o.no_match if o.letters else self.hint
            place_text(self, text, fit_text(text, self.rect, ctx), self.rect, c.text_muted, self.backdrop,
                       align="center", valign="center")
            return
        pages = max(1, math.ceil(len(cands) / per))
        o.page = min(o.page, pages - 1)
        first = o.page * per
        shown = [Button(o.key_id(f"cand-{i}"), cands[i].text, value=("cand", i), tone="secondary", style="title")
                 for i in range(first, min(first + per, len(cands)))]
        grid = Grid(f"{self.id}-grid", shown, cols=self.cols)
        grid.backdrop = self.backdrop
        rows = math.ceil(len(shown) / self.cols)
        grid.layout(Rect(self.rect.x, self.rect.y, self.rect.width, rows * (cell_h + gap) - gap), ctx)
        nav = Row(f"{self.id}-nav", [
            Button(o.key_id(PREV), s.prev_page, icon="◀", value=PREV, tone="secondary", enabled=o.page > 0),
            PageLabel(f"{self.id}-page", s.page_of.format(page=o.page + 1, pages=pages)),
            Button(o.key_id(NEXT), s.next_page, icon="▶", value=NEXT, tone="secondary", enabled=o.page < pages - 1),
        ])
        nav.backdrop = self.backdrop
        nav.layout(Rect(self.rect.x, self.rect.bottom - ctx.theme.target_min, self.rect.width,
                        ctx.theme.target_min), ctx)
        self.children = [grid, nav]
        for child in self.children:
            child.parent = self

    def _draw(self, surface, ctx: Context) -> None:
        draw_runs(self, surface, ctx)


class PinyinKeyboard(Column):
    """Letter keys, digits (``digits``), optional ，。 (``punctuation``), 删除 / 清空 / 确定, and the
    candidates — above the keys, or ``beside`` them (landscape). ``lines`` is how many lines of the text
    the box shows. 确定 and the digits wait while pinyin is being typed: pick a character first."""

    def __init__(self, id: str, *, value: str = "", max_length: int = 100, lines: int = 1, digits: bool = True,
                 punctuation: bool = False, beside: bool = False, hint: str = "", candidate_hint: str = "",
                 no_match: str = "", table: PinyinTable | None = None, flex: float = 0.0) -> None:
        super().__init__(id, [], flex=flex)
        self.value, self.max_length, self.lines = value, max_length, lines
        self.digits, self.punctuation, self.beside = digits, punctuation, beside
        self.hint, self.candidate_hint, self.no_match = hint, candidate_hint, no_match
        self._table = table
        self.letters = ""
        self.page = 0

    # ---- composing (no pygame needed) -------------------------------------------------------------
    @property
    def table(self) -> PinyinTable:
        if self._table is None:
            self._table = default_table()
        return self._table

    def key_id(self, key: str) -> str:
        return f"{self.id}-key-{key}"

    def current(self) -> list[Candidate]:
        return self.table.candidates(self.letters) if self.letters else []

    def per_page(self, ctx: Context) -> tuple[int, int]:
        """(columns, rows) of the candidate block: never more than ``max_choices`` on a page."""
        cols = 2 if self.beside else (3 if ctx.theme.max_choices <= 6 else 4)
        return cols, max(1, ctx.theme.max_choices // cols)

    def press(self, key: Any) -> list[Message]:
        """Apply one key (also what a test may call directly); returns the messages to pass up."""
        before = self.value
        if key == CONFIRM:
            return [] if self.letters else [EntrySubmitted(widget_id=self.id, value=self.value)]
        if key in (PREV, NEXT):
            self.page = max(0, self.page + (-1 if key == PREV else 1))
        elif isinstance(key, tuple) and key[0] == "cand":
            cands = self.current()
            if key[1] < len(cands):
                cand = cands[key[1]]
                self.value = (self.value + cand.text)[: self.max_length]
                self.letters, self.page = self.letters[cand.consumes:], 0
        elif key == DELETE:
            if self.letters:
                self.letters, self.page = self.letters[:-1], 0
            else:
                self.value = self.value[:-1]
        elif key == CLEAR:
            self.value, self.letters, self.page = "", "", 0
        elif isinstance(key, str) and key.isascii() and key.isalpha():
            if len(self.letters) < MAX_LETTERS:
                self.letters, self.page = self.letters + key, 0
        elif isinstance(key, str) and not self.letters:
            self.value = (self.value + key)[: self.max_length]
        self.dirty = True
        return [EntryChanged(widget_id=self.id, value=self.value)] if self.value != before else []

    def on_message(self, message: Message, ctx: Context) -> list[Message]:
        if not isinstance(message, Pressed) or not message.widget_id.startswith(f"{self.id}-key-"):
            return [message]
        return self.press(message.value)

    def get_state(self) -> Any:
        return (self.value, self.letters, self.page)

    def set_state(self, state: Any) -> None:
        self.value, self.letters, self.page = state

    # ---- layout -------------------------------------------------------------------------------------
    def _key_width(self, width: int, ctx: Context) -> int:
        return (width - ctx.theme.spacing * 9) // 10

    def _keys(self, ctx: Context) -> list[Widget]:
        s, composing = ctx.strings, bool(self.letters)

        def key(label: str, value: str, **kw: Any) -> Button:
            return Button(self.key_id(value), label, value=value, tone=kw.pop("tone", "secondary"), **kw)

        rows: list[Widget] = [_KeyRow(f"{self.id}-row{i}", [key(ch.upper(), ch) for ch in letters], self._key_width)
                              for i, letters in enumerate(LETTER_ROWS)]
        if self.digits:
            rows.insert(0, _KeyRow(f"{self.id}-digits", [key(d, d, enabled=not composing) for d in DIGITS],
                                   self._key_width))
        actions: list[Widget] = [key(p, p, enabled=not composing) for p in PUNCTUATION] if self.punctuation else []
        actions += [key(s.delete, DELETE), key(s.clear, CLEAR),
                    key(s.confirm, CONFIRM, tone="primary", enabled=not composing, flex=2)]
        return [*rows, Row(f"{self.id}-actions", actions)]

    def _build(self, ctx: Context) -> None:
        cols, rows = self.per_page(ctx)
        entry = _Composition(f"{self.id}-entry", self.value, self.letters, lines=self.lines, hint=self.hint)
        cands = _Candidates(f"{self.id}-cands", self, cols, rows, self.candidate_hint)
        if self.beside:
            cands.flex = 1.0
            self._main = Column(f"{self.id}-main", [entry, *self._keys(ctx)], flex=3)
            self.children = [Row(f"{self.id}-split", [self._main, Column(f"{self.id}-side", [cands], flex=2)],
                                 flex=1)]
        else:
            self._main = self
            self.children = [entry, cands, *self._keys(ctx)]

    def measure(self, width: int, ctx: Context) -> int:
        self._build(ctx)
        return super().measure(width, ctx)

    def _layout(self, ctx: Context) -> None:
        self._build(ctx)
        # short of height (large print, landscape): the text box shows fewer of its last lines
        while self.lines > 1 and self._natural(ctx) > self.rect.height:
            self.lines -= 1
            self._build(ctx)
        if self.beside:
            width = (self.rect.width - ctx.theme.spacing) * 3 // 5
            self._stretch(self._main.children, self.rect.height, width, ctx)
        else:
            self._stretch(self.children, self.rect.height, self.rect.width, ctx)
        super()._layout(ctx)

    def _natural(self, ctx: Context) -> int:
        gap = ctx.theme.spacing
        kids = self._main.children
        width = (self.rect.width - gap) * 3 // 5 if self.beside else self.rect.width
        return sum(c.measure(width, ctx) for c in kids) + gap * (len(kids) - 1)

    @staticmethod
    def _stretch(children: list[Widget], height: int, width: int, ctx: Context) -> None:
        """Given more height than needed, let the key rows (and candidates) grow by up to ``GROW`` —
        bigger keys for unsteady fingers — and leave the rest empty below."""
        gap = ctx.theme.spacing
        natural = [c.measure(width, ctx) for c in children]
        free = height - natural[0] - gap * len(children)  # one more gap: the spacer below
        rows = sum(natural[1:])
        if free <= rows:
            return
        grow = min(GROW, free / rows)
        for c, h in zip(children[1:], natural[1:]):
            c.flex = h * grow
        children.append(Spacer("pinyin-rest", flex=max(0.0, free - rows * grow)))


def main(argv: Sequence[str] | None = None) -> int:
    path = write_table(Path(argv[0]) if argv else TABLE_PATH)
    print(f"wrote {path} ({path.stat().st_size // 1024} KiB)")
    return 0


__all__ = ["Candidate", "PinyinKeyboard", "PinyinTable", "build_table", "default_table", "plain_syllable",
           "write_table"]

if __name__ == "__main__":
    import sys

    raise SystemExit(main(sys.argv[1:]))
