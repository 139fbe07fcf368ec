"""The one screen of the wall display: board, disclosure or both, a closed notice, or nothing.

Rule: the screen turns :class:`HallState` into a widget tree and nothing more. Bus messages reach it
through the app inbox (``handle``); time only through ``update(now)`` and the injected wall clock,
read once per frame. A rebuild happens when the state, the minute, the blank schedule or the offline
marker changes; flashes, the ticker and the page rotation redraw through their own widgets.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from ..bus.client import Inbound
from ..config import Phones
from ..protocol.content import markdown_text
from ..ui.links import configured
from ..ui.screen import Screen
from ..ui.widget import Column, Context, Grid, Spacer, Widget
from .pages import DisclosurePane, sources
from .settings import DisplaySettings
from .state import HallState
from .strings import DisplayStrings
from .widgets import CachedQR, CallBanner, HBox, Panel, Text, Ticker


@dataclass(frozen=True, slots=True, kw_only=True)
class Hall:
    """What the screen shows about the hall that does not come over the bus."""

    name: str
    phones: Phones
    tz: ZoneInfo


class WallScreen(Screen):
    def __init__(self, *, state: HallState, settings: DisplaySettings, hall: Hall, wall: Callable[[], float],
                 strings: DisplayStrings = DisplayStrings(), announce: Callable[[dict], Any] | None = None) -> None:
        super().__init__()
        self.state, self.settings, self.hall, self.wall, self.s = state, settings, hall, wall, strings
        self.announce = announce
        self.now = 0.0
        self.wall_now = wall()
        self.minute = -1
        self.blank = False
        self.marker = False
        self.started = False
        self.rebuilds = 0
        self._qr_matrix: list[list[bool]] | None = None

    # ---- input -----------------------------------------------------------------------------------
    def handle(self, message: Any) -> None:
        if not isinstance(message, Inbound):
            return None
        self.wall_now = self.wall()  # "offline since" must be the moment it happened, not the last frame
        if not message.topic:
            if message.connected is not None:
                self.state.connection(message.connected, self.wall_now, self.now)
                self._check_marker()
            return None
        change = self.state.apply(message.topic, message.payload, self.wall_now, self.now)
        if change == "call" and self.announce is not None and self.state.last_call is not None:
            self.announce(self.state.last_call)
        if change == "link":
            self._check_marker()
        elif change:
            self.invalidate()
        return None

    def update(self, now: float, dt: float) -> None:
        self.now = now
        self.wall_now = self.wall()
        if not self.started:
            self.started = True
            self.state.start(self.wall_now, now)
        minute = int(self.wall_now // 60)
        if minute != self.minute:
            self.minute = minute
            self.invalidate()
            local = datetime.fromtimestamp(self.wall_now, self.hall.tz).time()
            self.blank = any(span.contains(local) for span in self.settings.blank)
        self._check_marker()
        return None

    def _check_marker(self) -> None:
        link = self.state.link
        shown = link.offline and link.since_mono is not None and \
            self.now - link.since_mono >= self.settings.offline_grace_s
        if shown != self.marker:
            self.marker = shown
            self.invalidate()

    # ---- pieces ----------------------------------------------------------------------------------
    def _local(self, ts: float) -> datetime:
        return datetime.fromtimestamp(ts, self.hall.tz)

    def _clock(self) -> str:
        d = self._local(self.wall_now)
        return self.s.clock.format(month=d.month, day=d.day, weekday=self.s.weekdays[d.weekday()],
                                   hh=f"{d:%H}", mm=f"{d:%M}")

    def _mode_line(self) -> str:
        """The hall's mode and the day's hours. The hub republishes the mode at each boundary (``until``); a
        display that missed it (offline, or the hub down) must not go on saying 办公中 after closing time, so
        past ``until`` the label is left out, and the hours too once the mode's day is over."""
        mode = self.state.mode or {}
        until = mode.get("until")
        stale = type(until) in (int, float) and self.wall_now >= until
        today = mode.get("day") == self._local(self.wall_now).date().isoformat()
        sessions = [x for x in mode.get("sessions", []) if isinstance(x, str)] if today or not stale else []
        hours = self.s.hours.format(sessions="  ".join(sessions)) if sessions else self.s.hours_unknown
        label = None if stale else mode.get("label")
        return f"{label} · {hours}" if isinstance(label, str) and label else hours

    def header(self, *, portrait: bool, title: str | None = None) -> Widget:
        name = (self.state.board or {}).get("name") or self.hall.name or self.s.hall_default
        name = f"{name} · {title}" if title else name
        tone = "on_secondary"
        left = Text("hdr-name", name, style="title", tone=tone, max_lines=1, flex=3)
        clock = Text("hdr-clock", self._clock(), style="body", tone=tone, align="right", max_lines=1, flex=2)
        mode = Text("hdr-mode", self._mode_line(), style="body", tone=tone, align="left" if portrait else "center",
                    max_lines=1, flex=4)
        if portrait:
            return Panel("header", [HBox("hdr-top", [left, clock]), mode], fill="secondary", padded=True,
                         spacing=0)
        return HBox("header", [left, mode, clock], fill="secondary", padded=True)

    def offline_bar(self) -> Widget | None:
        if not self.marker:
            return None
        link = self.state.link
        since = self._local(link.since_wall or self.wall_now).strftime("%H:%M")
        words = self.s.hub_offline if link.connected else self.s.offline
        return Text("offline", "× " + words.format(since=since), style="body", fill="error", tone="on_error",
                    align="center", max_lines=1)

    def call_banner(self, flex: float, scale: float = 2.4) -> Widget:
        latest = self.state.latest()
        s = self.s
        if latest is None:
            number, line, flash = s.call_none, " ", None
        else:
            number = str(latest["number"])
            line = s.call_to_window.format(window=latest.get("window_number", "?"))
            flash = self.state.call_mono if self.state.last_call and \
                self.state.last_call.get("number") == number else None
        caption = s.call_please + ("　" + s.call_recall if latest and latest.get("recall") else "")
        return CallBanner("call", caption=caption, number=number, window_line=line, flash_from=flash,
                          flash_s=self.settings.flash_s, period=self.settings.flash_period_s, now=self.now,
                          flex=flex, number_scale=scale)

    def recent_panel(self, flex: float, cols: int, limit: int | None = None, style: str = "title") -> Widget:
        n = min(self.settings.recent_calls, limit or self.settings.recent_calls)
        rows = [Text(f"recent-{i}", self.s.recent_row.format(number=r["number"], window=r.get("window_number", "?")),
                     style=style, max_lines=1)
                for i, r in enumerate(self.state.recent()[1:n + 1])]
        grid = Grid("recent-grid", rows, cols=cols, flex=1)
        return Panel("recent", [Text("recent-title", self.s.recent_title, style="body", tone="text_muted",
                                     max_lines=1), grid], fill="surface", padded=True, flex=flex)

    def window_tile(self, w: dict[str, Any], compact: bool = False) -> Widget:
        s, wid = self.s, str(w.get("window", "?"))
        ticket = w.get("ticket") if isinstance(w.get("ticket"), dict) else None
        status = w.get("status")
        title = f"{s.window_title.format(number=w.get('number', '?'))} {w.get('name', '')}"
        number = str(ticket["number"]) if ticket and status != "closed" else s.window_no_ticket
        if status == "closed":
            line, fill, tone = s.window_closed, "disabled", "on_disabled"
        elif status == "paused":
            reason = str(w.get("reason") or "")[:12 if compact else 30]
            line = s.window_paused.format(reason=reason) if reason else s.window_paused_plain
            fill, tone = "warning", "on_warning"
        elif ticket is None:
            line, fill, tone = s.window_idle, "secondary", "on_secondary"
        elif ticket.get("state") == "called":
            line, fill, tone = s.window_called, "primary", "on_primary"
        else:
            line, fill, tone = s.window_serving, "secondary", "on_secondary"
        if compact:  # short tiles: window number and status share the top line, the ticket below
            big = Text(f"win-{wid}-number", number, style="display", scale=0.9, max_lines=1, align="center", flex=1)
            if status == "paused" and w.get("reason"):  # the reason matters more than the number on hold
                line = s.window_paused_plain
                big = Text(f"win-{wid}-number", str(w["reason"])[:30], style="body", max_lines=2, align="center",
                           flex=1)
            return Panel(f"win-{wid}", [
                HBox(f"win-{wid}-top", [
                    Text(f"win-{wid}-title", s.window_title.format(number=w.get("number", "?")), style="small",
                         tone="text_muted", max_lines=1, flex=2),
                    Text(f"win-{wid}-status", line, style="small", tone=tone, fill=fill, max_lines=1,
                         align="center", flex=3)]),
                big,
            ], fill="surface", border="border", padded=True, spacing=0)
        big = Text(f"win-{wid}-number", number, style="display", scale=0.9, max_lines=1, align="center", flex=1)
        if status == "paused" and w.get("reason"):  # the reason in full where the number would be, not squeezed
            line = s.window_paused_plain
            big = Text(f"win-{wid}-number", str(w["reason"])[:30], style="body", max_lines=2, align="center", flex=1)
        return Panel(f"win-{wid}", [
            Text(f"win-{wid}-title", title, style="body", tone="text_muted", max_lines=1, align="center"),
            big,
            Text(f"win-{wid}-status", line, style="body", tone=tone, fill=fill, max_lines=1, align="center"),
        ], fill="surface", border="border", padded=True, spacing=0)

    def windows_grid(self, flex: float, cols: int = 3, compact: bool = False) -> Widget:
        tiles = [self.window_tile(w, compact) for w in self.state.window_list()]
        if not tiles:
            return Text("windows-wait", self.s.connecting, style="title", tone="text_muted", align="center",
                        flex=flex)
        return Grid("windows", tiles, cols=cols, flex=flex)

    def waiting_panel(self, cols: int) -> Widget:
        chips = [Text(f"wait-{c.get('category')}", self.s.waiting_chip.format(
            category=c.get("category", ""), name=c.get("name", ""), waiting=c.get("waiting", 0)),
            style="body", fill="secondary", tone="on_secondary", max_lines=1, align="center")
            for c in self.state.categories()]
        return Panel("waiting", [Text("waiting-title", self.s.waiting_title, style="body", tone="text_muted",
                                      max_lines=1), Grid("waiting-grid", chips, cols=cols)], spacing=None)

    def phones(self, id: str = "phones") -> list[Widget]:
        p, s = self.hall.phones, self.s
        lines = [(s.consultation, p.consultation), (s.complaint, p.complaint), (s.hotline, p.hotline)]
        return [Text(f"{id}-{i}", tpl.format(phone=num), style="body", max_lines=1)
                for i, (tpl, num) in enumerate(lines) if num]

    def phones_line(self, id: str = "phones-line") -> Widget:
        return Text(id, "　　".join(t.text for t in self.phones(id)), style="body", tone="text_muted",
                    align="center", max_lines=1)

    def qr(self, flex: float) -> Widget | None:
        """The 一码通评 code, or nothing while ``evaluation_url`` is still a placeholder: a QR code that
        leads nowhere must not be shown to the public."""
        if not configured(self.settings.evaluation_url):
            return None
        if self._qr_matrix is None:
            self._qr_matrix = CachedQR.matrix(self.settings.evaluation_url)
        return CachedQR("qr", self.settings.evaluation_url, caption=self.s.evaluation, flex=flex,
                        matrix=self._qr_matrix)

    def info_row(self, flex: float, qr_flex: float = 1.0) -> Widget:
        return HBox("info", _present(self.qr(qr_flex), Column("phones", [Spacer("ph-top", flex=1), *self.phones(),
                                                               Spacer("ph-bot", flex=1)], flex=2)), flex=flex)

    def ticker(self) -> Widget | None:
        s = self.s
        items = [s.ticker_item.format(title=p.title, body=ticker_text(p.body)) if p.title
                 else ticker_text(p.body) for p in self.state.notices()]
        text = s.ticker_gap.join(i[:400] for i in items if i.strip())
        if not text:
            return None
        return Ticker("ticker", text, gap=s.ticker_gap, cps=self.settings.ticker_cps)

    def disclosure(self, flex: float, text_scale: float = 1.0) -> Widget:
        items = sources(self.state, self.s, page_dwell=self.settings.page_dwell_s,
                        catalog_dwell=self.settings.catalog_dwell_s)
        return DisclosurePane("disclosure", items, self.s, flex=flex, text_scale=text_scale)

    def closed_panel(self, flex: float) -> Widget:
        mode, s = self.state.mode or {}, self.s
        when = mode.get("next_open_text")
        parts: list[Widget] = [
            Spacer("closed-top", flex=1),
            Text("closed-label", s.closed_title.format(label=mode.get("label") or ""), style="title", scale=2.0,
                 align="center", max_lines=2),
            Text("closed-next", s.closed_next.format(when=when) if isinstance(when, str) and when
                 else s.closed_next_unknown, style="title", scale=1.3, tone="primary", align="center", max_lines=2),
            Spacer("closed-mid", flex=1),
            *self.phones("closed-ph"),
        ]
        if self.hall.phones.on_duty:
            parts.append(Text("closed-duty", s.on_duty.format(phone=self.hall.phones.on_duty), style="body",
                              max_lines=1))
        return Panel("closed", parts, fill="surface", padded=True, flex=flex)

    # ---- whole screens ---------------------------------------------------------------------------
    def build(self, ctx: Context) -> Widget:
        self.rebuilds += 1
        if self.blank:
            return Column("root", [Spacer("blank", flex=1)])
        w, h = ctx.size
        portrait = h > w
        layout = self.settings.layout
        title = self.s.disclosure_title if layout == "disclosure" else None
        parts: list[Widget | None] = [self.header(portrait=portrait, title=title), self.offline_bar()]
        if self.state.closed:
            body = self.closed_panel(flex=1)
            if layout != "board":
                body = (Column if portrait else HBox)("body", [body, self.disclosure(flex=1.3)], flex=1)
            parts += [body, self.ticker()]
        elif layout == "board":
            parts += self._board(portrait) + [self.ticker()]
        elif layout == "disclosure":
            parts += [self.disclosure(flex=1, text_scale=1.3), self.phones_line("footer")]
        else:
            parts += self._combined(portrait) + [self.ticker()]
        return Column("root", [p for p in parts if p is not None], padded=True)

    def _board(self, portrait: bool) -> list[Widget]:
        if portrait:
            return [self.call_banner(flex=3),
                    self.windows_grid(flex=5),
                    HBox("lower", _present(self.recent_panel(flex=3, cols=2), self.qr(flex=1.2)), flex=2.2),
                    self.waiting_panel(cols=3),
                    self.phones_line()]
        left = Column("left", [self.call_banner(flex=5), self.recent_panel(flex=4, cols=2), self.info_row(flex=3)],
                      flex=2)
        right = Column("right", [self.windows_grid(flex=1), self.waiting_panel(cols=3)], flex=3)
        return [HBox("body", [left, right], flex=1)]

    def _combined(self, portrait: bool) -> list[Widget]:
        if portrait:
            return [HBox("top", [self.call_banner(flex=3, scale=1.8), self.recent_panel(flex=2, cols=1, limit=4, style="body")], flex=2.2),
                    self.windows_grid(flex=3, compact=True),
                    self.waiting_panel(cols=3),
                    HBox("lower", _present(self.disclosure(flex=3), self.qr(flex=1)), flex=3.2),
                    self.phones_line()]
        left = Column("left", [HBox("top", [self.call_banner(flex=3, scale=1.8), self.recent_panel(flex=2, cols=1, limit=4, style="body")],
                                    flex=3),
                               self.windows_grid(flex=4, compact=True), self.waiting_panel(cols=3)], flex=11)
        right = Column("right", [self.disclosure(flex=1), self.info_row(flex=0.35, qr_flex=0.8)], flex=8)
        return [HBox("body", [left, right], flex=1)]


def _present(*widgets: Widget | None) -> list[Widget]:
    return [w for w in widgets if w is not None]


def ticker_text(body: str) -> str:
    """A notice's Markdown as one running line: no list dashes, heading hashes or emphasis marks."""
    lines = [line.strip() for line in markdown_text(body, "").splitlines()]
    return re.sub(r"\*\*|__|`", "", "　".join(line for line in lines if line))
