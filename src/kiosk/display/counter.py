"""The screen above one counter (``kiosk display --layout window --window w3``): the window's number and
name, the ticket at the counter as large as the panel allows, its state, 暂停 with its reason, the staff
member on duty (亮证亮牌: photo, name, 工号 — only when a staff console has said who it is), an offline
marker, and a short flash when this window calls.

Rule: a view of :class:`HallState` for one window plus the optional retained ``window/<w>/staff``; like the
wall screen it reads time only through ``update(now)`` and the injected wall clock. Without a staff message
the staff block is simply absent — never a placeholder name. Panels from 800×480 to 1920×480: a strip
(wider than 2.5:1) puts the window, the number and the staff side by side; a small panel stacks them.
"""

from __future__ import annotations

import logging
from typing import Any

from ..bus.client import Inbound
from ..protocol import ProtocolError, decode_json
from ..protocol.counter import Staff, decode_staff
from ..ui.widget import Context, Widget
from .screen import WallScreen
from .widgets import CallBanner, HBox, Panel, Picture, Text

log = logging.getLogger(__name__)

FLASH_S = 4.0  # "briefly": the wall board flashes longer, this panel is right in front of the visitor


class CounterScreen(WallScreen):
    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.window = self.settings.window
        self.staff: Staff | None = None
        self.staff_serial = 0

    def handle(self, message: Any) -> None:
        if isinstance(message, Inbound) and message.topic:
            kind, arg = self.state.topics.parse(message.topic)
            if kind == "window_staff":
                if arg == self.window:
                    self._staff(message.payload)
                return None
            if kind == "call":  # only this window's calls flash here
                try:
                    if decode_json(message.payload).get("window") != self.window:
                        return None
                except ProtocolError:
                    return None
        return super().handle(message)

    def _staff(self, payload: bytes) -> None:
        try:
            self.staff = decode_staff(payload) if payload else None
        except ProtocolError as exc:
            log.warning("ignored the staff of window %s: %s", self.window, exc)
            return
        self.staff_serial += 1
        self.invalidate()

    # ---- pieces ----------------------------------------------------------------------------------
    def _status(self, w: dict[str, Any]) -> tuple[str, str, str, str]:
        """(number, state line, fill, tone) of the window, as the wall board words them."""
        s = self.s
        ticket = w.get("ticket") if isinstance(w.get("ticket"), dict) else None
        status = w.get("status")
        number = str(ticket["number"]) if ticket and status != "closed" else s.window_no_ticket
        if status == "closed":
            return number, s.window_closed, "disabled", "on_disabled"
        if status == "paused":
            reason = str(w.get("reason") or "")[:30]
            return number, (s.window_paused.format(reason=reason) if reason else s.window_paused_plain), \
                "warning", "on_warning"
        if ticket is None:
            return number, s.window_idle, "secondary", "on_secondary"
        if ticket.get("state") == "called":
            return number, s.window_called, "primary", "on_primary"
        return number, s.window_serving, "secondary", "on_secondary"

    def _flash_from(self, number: str) -> float | None:
        call = self.state.last_call
        if call and call.get("window") == self.window and call.get("number") == number:
            return self.state.call_mono
        return None

    def staff_block(self, *, stacked: bool) -> Widget | None:
        st = self.staff
        if st is None:
            return None
        photo = Picture("staff-photo", ("staff", self.staff_serial), st.photo, flex=1) if st.photo else None
        align = "left" if stacked else "center"
        words = [Text("staff-name", st.name, style="title", max_lines=1, align=align, flex=1),
                 Text("staff-no", self.s.counter_staff_no.format(staff_no=st.staff_no), style="body",
                      tone="text_muted", max_lines=1, align=align, flex=1)]
        if not stacked:  # a strip: the photo above the words, which get the block's whole width
            return Panel("staff", [p for p in (photo, *words) if p is not None], fill="surface", padded=True,
                         spacing=0, flex=1.6)
        text = Panel("staff-text", words, spacing=0, flex=2)
        return HBox("staff", [p for p in (photo, text) if p is not None], fill="surface", padded=True, flex=1.4)

    def build(self, ctx: Context) -> Widget:
        self.rebuilds += 1
        w_px, h_px = ctx.size
        strip = w_px / h_px > 2.5
        w = self.state.windows.get(self.window) or {}
        number, line, fill, tone = self._status(w)
        title = self.s.window_title.format(number=w.get("number", "?")) if w else self.window
        name = str(w.get("name") or "")
        offline = self.offline_bar()
        if offline is not None:
            offline = Text("offline", self.s.counter_offline.format(since=self._since()), style="small",
                           fill="error", tone="on_error", align="center", max_lines=1)
        big = CounterNumber("ticket", number=number, line=line, fill=fill, tone=tone,
                            flash_from=self._flash_from(number), flash_s=FLASH_S,
                            period=self.settings.flash_period_s, now=self.now, flex=4)
        staff = self.staff_block(stacked=not strip)
        if strip:  # side by side
            head = Panel("head", [Text("win-title", title, style="title", scale=1.6, max_lines=1, align="center",
                                       flex=3),
                                  Text("win-name", name, style="body", tone="text_muted", max_lines=1, align="center",
                                       flex=2)], fill="surface", padded=True, spacing=0, flex=1.2)
            body: Widget = HBox("body", [p for p in (head, big, staff) if p is not None], flex=1)
        else:
            head = Panel("head", [Text("win-title", title, style="title", scale=1.6, max_lines=1, align="center",
                                       flex=3),
                                  Text("win-name", name, style="body", tone="text_muted", max_lines=1, align="center",
                                       flex=2)], fill="surface", padded=True, spacing=0, flex=1.2)
            top = [p for p in (head, staff) if p is not None]
            body = Panel("body", [HBox("top", top, flex=1), big], flex=1, spacing=None)
            big.flex = 2
        return Panel("root", [p for p in (offline, body) if p is not None], padded=True)

    def _since(self) -> str:
        link = self.state.link
        return self._local(link.since_wall or self.wall_now).strftime("%H:%M")


class CounterNumber(CallBanner):
    """The ticket at the counter, as large as its box allows, with its state below. For ``flash_s`` after
    this window calls it alternates inverted (with a thick frame) and plain, so the change is a change of
    shape and brightness, not only of colour (the phases and their timing are the wall board's)."""

    def __init__(self, id: str, *, number: str, line: str, fill: str, tone: str, flash_from: float | None,
                 flash_s: float, period: float, now: float, flex: float = 0.0) -> None:
        Widget.__init__(self, id, flex=flex)
        self.number, self.line, self.fill_role, self.tone = number, line, fill, tone
        self.flash_from, self.flash_s, self.period = flash_from, flash_s, period
        self.phase = self._phase(now)

    def _layout(self, ctx: Context) -> None:
        inverted = self.phase == 1
        c = ctx.theme.colors
        self._fill = c.primary if inverted else c.surface
        ntone = "on_primary" if inverted else "text"
        number = Text(f"{self.id}-number", self.number, style="display", scale=6.0, tone=ntone, align="center",
                      max_lines=1, flex=3)
        # on a small panel the state line gets a larger share: 请到窗口 must read from the waiting seats too
        state = Text(f"{self.id}-state", self.line, style="title", tone=self.tone, fill=self.fill_role,
                     align="center", max_lines=1, flex=1.0 if ctx.size[0] > 2.5 * ctx.size[1] else 2.0)
        inner = Panel(f"{self.id}-col", [number, state], padded=True, spacing=None)
        inner.backdrop = self._fill
        inner.layout(self.rect, ctx)
        self.children = [inner]
