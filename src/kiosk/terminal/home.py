"""Home: the centre's name, date and time, whether the hall is open, and the big choices.

Rule: placeholders for features still to come (预约, 评价, 政务公开) are shown disabled with their
"即将开放" label, so the layout does not jump when they arrive. After an idle reset the terminal drops
back to its default mode here.
"""

from __future__ import annotations

from typing import Any, ClassVar

from ..ui.paging import ListItem, PagedList
from ..ui.screen import Push, SetMode, Transition
from ..ui.theme import Mode
from ..ui.widget import Chosen, Column, Context, Widget
from ..ui.widgets import TextBlock
from .base import GUIDES, HELP, PHONES, TAKE, TerminalScreen


class HomeScreen(TerminalScreen):
    watches: ClassVar[frozenset[str]] = frozenset({"mode"})
    is_home: ClassVar[bool] = True

    def startup(self, data: Any) -> None:
        self._reset_mode = bool(isinstance(data, dict) and data.get("idle"))

    def title(self) -> str:
        return self.t.welcome

    def hall_text(self) -> str:
        t, m = self.t, self.s.mode
        if not m:
            return t.mode_unknown
        label = m.get("label") or ""
        if m.get("state") != "open" and m.get("next_open_text"):
            return t.mode_next_open.format(label=label, next=m["next_open_text"])
        sessions = m.get("sessions") or []
        if sessions:
            return t.mode_sessions.format(label=label, sessions="、".join(map(str, sessions)))
        return label

    def items(self) -> list[ListItem]:
        t = self.t
        return [
            ListItem(label=t.menu_take, value=TAKE, icon=t.icon_take),
            ListItem(label=t.menu_guides, value=GUIDES, icon=t.icon_guides),
            ListItem(label=t.menu_help, value=HELP, icon=t.icon_help),
            ListItem(label=t.menu_phones, value=PHONES, icon=t.icon_phones),
            ListItem(label=t.menu_appointment, value=None, icon=t.icon_soon, enabled=False),
            ListItem(label=t.menu_evaluation, value=None, icon=t.icon_soon, enabled=False),
            ListItem(label=t.menu_disclosure, value=None, icon=t.icon_soon, enabled=False),
        ]

    def body(self, ctx: Context) -> Widget:
        large = self.mode is Mode.LARGE
        cols = (2 if self.landscape else 1) if large else (3 if self.landscape else 2)
        return Column("home-body", [
            TextBlock("hall-mode", self.hall_text(), fill="info", tone="on_info"),
            PagedList("menu", self.items(), per_page=8, columns=cols, flex=1, style="title",
                      stretch=True, max_stretch=4.0),
        ], flex=1)

    def on(self, message: Any) -> Transition | None:
        if isinstance(message, Chosen) and message.widget_id == "menu" and message.value:
            return Push(key=message.value)
        return None

    def tick(self, now: float) -> Transition | None:
        if self._reset_mode:
            self._reset_mode = False
            if self.mode is not self.s.default_mode:
                return SetMode(mode=self.s.default_mode)
        return None
