"""On-screen keypads: NumericKeypad (ID numbers, phone numbers) and LetterKeyboard.

Rule: a keypad owns only its entry text. Key buttons bubble :class:`Pressed`
to the keypad, which consumes it and emits :class:`EntryChanged` or, on 确定,
:class:`EntrySubmitted` — the screen decides what the entry means.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pygame

from kiosk.ui.widget import (Column, Context, EntryChanged, EntrySubmitted, Grid, Message, Pressed,
                             Rect, Row, Widget, draw_box, draw_runs, fit_text, place_text,
                             text_height)
from kiosk.ui.widgets import Button

DELETE, CLEAR, CONFIRM = "del", "clear", "ok"


def group_digits(text: str, groups: Sequence[int]) -> str:
    """``text`` cut into groups for the eye: an ID number with (6, 8, 4) reads 420102 19800101 123X —
    place, birth date, serial — instead of one unbroken run of 18 digits. Extra characters go last."""
    if not groups:
        return text
    out, i = [], 0
    for n in groups:
        if i >= len(text):
            break
        out.append(text[i:i + n])
        i += n
    if i < len(text):
        out.append(text[i:])
    return " ".join(out)


#: Groups of a resident ID number: 6-digit place code, 8-digit birth date, 3-digit serial + check digit.
ID_GROUPS = (6, 8, 4)


class EntryField(Widget):
    """The read-only box above a keypad showing what has been typed (or a hint)."""

    def __init__(self, id: str, value: str = "", *, mask: bool = False,
                 groups: Sequence[int] = ()) -> None:
        super().__init__(id)
        self.value, self.mask, self.groups = value, mask, tuple(groups)

    def shown(self, ctx: Context) -> str:
        if not self.value:
            return ctx.strings.empty_entry
        return "•" * len(self.value) if self.mask else group_digits(self.value, self.groups)

    def measure(self, width: int, ctx: Context) -> int:
        pad = ctx.theme.padding
        return max(ctx.theme.target_min, text_height("8", width - 2 * pad, ctx, "body") + 2 * pad)

    def _layout(self, ctx: Context) -> None:
        c = ctx.theme.colors
        self._fill = c.surface
        pad = ctx.theme.padding
        box = self.rect.inflate(-2 * pad, -2 * pad)
        text = self.shown(ctx)
        tone = c.text if self.value else c.text_muted
        place_text(self, text, fit_text(text, box, ctx, max_lines=1), box, tone, c.surface,
                   valign="center")

    def _draw(self, surface: pygame.Surface, ctx: Context) -> None:
        draw_box(surface, self.rect, self._fill, ctx, border=ctx.theme.colors.border)
        draw_runs(self, surface, ctx)


class _Keypad(Column):
    """Shared behaviour: entry state, key handling, state carried across rebuilds."""

    def __init__(self, id: str, *, value: str = "", max_length: int = 18, mask: bool = False,
                 groups: Sequence[int] = (), flex: float = 0.0) -> None:
        super().__init__(id, [], flex=flex)
        self.value, self.max_length, self.mask, self.groups = value, max_length, mask, tuple(groups)

    def key_id(self, key: str) -> str:
        return f"{self.id}-key-{key}"

    def _keys(self, ctx: Context) -> list[Widget]:
        raise NotImplementedError

    def _build(self, ctx: Context) -> None:
        self.children = [EntryField(f"{self.id}-entry", self.value, mask=self.mask, groups=self.groups),
                         *self._keys(ctx)]

    def measure(self, width: int, ctx: Context) -> int:
        self._build(ctx)
        return super().measure(width, ctx)

    def _layout(self, ctx: Context) -> None:
        self._build(ctx)
        super()._layout(ctx)

    def on_message(self, message: Message, ctx: Context) -> list[Message]:
        if not isinstance(message, Pressed) or not message.widget_id.startswith(f"{self.id}-key-"):
            return [message]
        key = message.value
        if key == CONFIRM:
            return [EntrySubmitted(widget_id=self.id, value=self.value)]
        if key == DELETE:
            new = self.value[:-1]
        elif key == CLEAR:
            new = ""
        else:
            new = (self.value + key)[: self.max_length]
        if new == self.value:
            return []
        self.value = new
        self.dirty = True
        return [EntryChanged(widget_id=self.id, value=new)]

    def get_state(self) -> Any:
        return self.value

    def set_state(self, state: Any) -> None:
        self.value = state


class NumericKeypad(_Keypad):
    """Digits 0–9, 删除, optional extra key (e.g. ``"X"`` for ID numbers, else 清空), and 确定."""

    def __init__(self, id: str, *, extra_key: str | None = None, **kw: Any) -> None:
        super().__init__(id, **kw)
        self.extra_key = extra_key

    def _keys(self, ctx: Context) -> list[Widget]:
        s = ctx.strings

        def key(label: str, value: str, tone: str = "secondary") -> Button:
            return Button(self.key_id(value), label, value=value, tone=tone)

        digits = [key(d, d) for d in "123456789"]
        extra = key(self.extra_key, self.extra_key) if self.extra_key else key(s.clear, CLEAR)
        grid = Grid(f"{self.id}-grid", [*digits, extra, key("0", "0"), key(s.delete, DELETE)], cols=3)
        return [grid, key(s.confirm, CONFIRM, tone="primary")]


class _KeyRow(Widget):
    """One keyboard row: equal-width keys of a shared width, centred."""

    def __init__(self, id: str, keys: list[Button], key_width_of: Any) -> None:
        super().__init__(id)
        self.children = list(keys)
        self._key_width_of = key_width_of

    def measure(self, width: int, ctx: Context) -> int:
        kw = self._key_width_of(width, ctx)
        return max((k.measure(kw, ctx) for k in self.children), default=0)

    def _layout(self, ctx: Context) -> None:
        gap = ctx.theme.spacing
        kw = self._key_width_of(self.rect.width, ctx)
        total = len(self.children) * kw + gap * (len(self.children) - 1)
        x = self.rect.centerx - total // 2
        for k in self.children:
            k.backdrop = self.backdrop
            k.layout(Rect(x, self.rect.y, kw, self.rect.height), ctx)
            x += kw + gap


class LetterKeyboard(_Keypad):
    """A–Z in QWERTY rows plus 删除 / 清空 / 确定 (licence plates, codes).

    ``rows`` replaces the letter rows, e.g. digits and letters of a code alphabet that leaves out
    look-alike characters; every character of every row becomes a key.
    """

    ROWS = ("QWERTYUIOP", "ASDFGHJKL", "ZXCVBNM")

    def __init__(self, id: str, *, rows: Sequence[str] | None = None, **kw: Any) -> None:
        super().__init__(id, **kw)
        self.rows = tuple(rows) if rows else self.ROWS

    def _key_width(self, width: int, ctx: Context) -> int:
        widest = max(len(r) for r in self.rows)
        return (width - ctx.theme.spacing * (widest - 1)) // widest

    def _keys(self, ctx: Context) -> list[Widget]:
        s = ctx.strings
        rows: list[Widget] = []
        for i, letters in enumerate(self.rows):
            # capitals on the keys even when lower case is typed: taller glyphs, as on a real keyboard
            keys = [Button(self.key_id(ch), ch.upper(), value=ch, tone="secondary") for ch in letters]
            rows.append(_KeyRow(f"{self.id}-row{i}", keys, self._key_width))
        actions = Row(f"{self.id}-actions", [
            Button(self.key_id(DELETE), s.delete, value=DELETE, tone="secondary"),
            Button(self.key_id(CLEAR), s.clear, value=CLEAR, tone="secondary"),
            Button(self.key_id(CONFIRM), s.confirm, value=CONFIRM, tone="primary", flex=2),
        ])
        return [*rows, actions]


__all__ = ["EntryField", "NumericKeypad", "LetterKeyboard", "DELETE", "CLEAR", "CONFIRM"]
