"""The large-print idle warning: a countdown with 继续 before the terminal returns home.

Rule: a modal; pops with ``"home"`` when the countdown ends and ``"stay"`` on 继续 — the screen
below decides what that means (see ``TerminalScreen.handle``).
"""

from __future__ import annotations

from typing import Any

from ..ui.screen import Pop, Transition
from ..ui.widget import Column, Context, CountdownExpired, Pressed, Spacer, Widget
from ..ui.widgets import Button, Countdown, Label
from .base import TerminalScreen


class IdleScreen(TerminalScreen):
    modal = True

    def startup(self, data: Any) -> None:
        self.seconds = float(data or 10)

    def build(self, ctx: Context) -> Widget:
        self.mode = ctx.theme.mode
        t = self.t
        panel = Column("idle-panel", [
            Label("idle-title", t.idle_title, style="title", align="center"),
            Countdown("idle-countdown", self.seconds, template=t.idle_countdown, style="title"),
            Button("idle-continue", t.idle_continue, icon="▶", choice=True),
        ], fill="surface", padded=True)
        self._speak(panel)
        return Column("root", [Spacer("idle-top", flex=1), panel, Spacer("idle-bottom", flex=1)], padded=True)

    def title(self) -> str:
        return self.t.idle_title

    def on(self, message: Any) -> Transition | None:
        if isinstance(message, CountdownExpired):
            return Pop(result="home")
        if isinstance(message, Pressed) and message.widget_id == "idle-continue":
            return Pop(result="stay")
        return None

    def on_idle(self) -> Transition | None:
        return None  # the countdown is the idle handling
