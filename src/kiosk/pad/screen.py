"""The pad's one screen: a view of :class:`PadFlow`'s state, and the bus messages turned into its events.

Rule: the screen decides nothing about ratings — it turns taps and bus messages into flow events, draws
``flow.state`` and hands ``Submit`` effects to ``send``. Time comes from ``update(now)`` and the injected
wall clock (read once per frame, for the business day and "offline since"). A malformed message is logged
once and changes nothing on screen.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from ..bus.client import Inbound
from ..core import evaluation as E
from ..protocol import ProtocolError, Topics, decode_json, decode_reply
from ..protocol.counter import Staff, decode_offer, decode_staff
from ..ui.choices import EqualGrid
from ..ui.photo import Photo
from ..ui.screen import Screen
from ..ui.widget import Column, Context, Pressed, Row, Spacer, Widget
from ..ui.widgets import Button, Label, TextBlock
from . import flow as F
from .strings import PadStrings

log = logging.getLogger(__name__)
S = F.Stage


@dataclass(frozen=True, slots=True, kw_only=True)
class Counter:
    """The window this pad stands at, from the config (the window state may add its status)."""

    id: str
    number: int
    name: str
    tz: ZoneInfo


class PadScreen(Screen):
    def __init__(self, *, counter: Counter, topics: Topics, device_id: str, wall: Callable[[], float],
                 send: Callable[[F.Submit], Any] | None = None, flow: F.PadFlow | None = None,
                 strings: PadStrings = PadStrings(), offline_grace_s: float = 2.0) -> None:
        super().__init__()
        self.counter, self.topics, self.device_id, self.wall = counter, topics, device_id, wall
        self.send = send
        self.flow = flow or F.PadFlow()
        self.s = strings
        self.offline_grace_s = offline_grace_s
        self.reply_topic = topics.reply(device_id)
        self.staff: Staff | None = None
        self.window_status = "open"
        self.note = ""                # a refusal of the flow, said in words (never state)
        self.connected = False
        self.hub_online: bool | None = None
        self.offline_since: tuple[float, float] | None = None  # (wall, mono)
        self.marker = False
        self.now = 0.0
        self.wall_now = wall()
        self._bad_logged: set[str] = set()
        self.landscape = True
        self.reason_page = 0

    # ---- feeding the flow --------------------------------------------------------------------------
    def apply(self, event: F.Event) -> bool:
        """Hand one event to the flow and carry out its effects; True if the picture changed."""
        before = self.flow.state
        try:
            effects = self.flow.handle(event, self.now)
        except F.PadRefused as exc:
            if exc.code == "need_reason":
                self.note = exc.message
                self.invalidate()
                return True
            return False
        for eff in effects:
            if self.send is not None:
                self.send(eff)
        after = self.flow.state
        if _drawn(before) != _drawn(after):
            if after.stage is not before.stage:
                self.note = ""
                self.reason_page = 0
            self.invalidate()
            return True
        return False

    def day(self) -> str:
        return datetime.fromtimestamp(self.wall_now, self.counter.tz).date().isoformat()

    def handle(self, message: Any) -> None:
        if isinstance(message, Inbound):
            self._inbound(message)
        elif isinstance(message, Pressed):
            self._pressed(message)
        return None

    def _inbound(self, m: Inbound) -> None:
        self.wall_now = self.wall()
        if not m.topic:
            if m.connected is not None:
                self._link(connected=m.connected)
            return
        if m.topic == self.reply_topic:
            try:
                r = decode_reply(m.payload)
            except ProtocolError:
                return
            self.apply(F.Replied(txn=r.txn, ok=r.ok, code=r.code or "", message=r.message or ""))
            return
        kind, arg = self.topics.parse(m.topic)
        try:
            if kind == "window_evaluation" and arg == self.counter.id:
                if not m.payload:
                    self.apply(F.Withdrawn())
                    return
                offer = decode_offer(m.payload)
                if offer.ticket is None:
                    self.apply(F.Withdrawn())
                else:
                    day = datetime.fromtimestamp(offer.at, self.counter.tz).date().isoformat()
                    self.apply(F.Offered(ticket=offer.ticket, number=offer.number or "", day=day))
            elif kind == "window_staff" and arg == self.counter.id:
                self.staff = decode_staff(m.payload) if m.payload else None
                self.invalidate()
            elif kind == "window_state" and arg == self.counter.id and m.payload:
                status = decode_json(m.payload).get("status")
                if isinstance(status, str) and status != self.window_status:
                    self.window_status = status
                    self.invalidate()
            elif kind == "availability" and arg == "hub":
                self._link(hub=m.payload.strip() != b"offline")
        except ProtocolError as exc:
            if m.topic not in self._bad_logged:
                self._bad_logged.add(m.topic)
                log.warning("ignored %s: %s", m.topic, exc)

    def _link(self, *, connected: bool | None = None, hub: bool | None = None) -> None:
        was = self.offline
        if connected is not None:
            self.connected = connected
        if hub is not None:
            self.hub_online = hub
        if self.offline and not was:
            self.offline_since = (self.wall_now, self.now)
        elif not self.offline:
            self.offline_since = None
        self._check_marker()

    @property
    def offline(self) -> bool:
        return not self.connected or self.hub_online is False

    def start_offline(self, since_wall: float, since_mono: float) -> None:
        """Booted from the last known state: the marker shows at once, since the state was saved."""
        self.offline_since = (since_wall, since_mono)

    def _check_marker(self) -> None:
        since = self.offline_since
        shown = self.offline and since is not None and self.now - since[1] >= self.offline_grace_s
        if shown != self.marker:
            self.marker = shown
            self.invalidate()

    def _pressed(self, m: Pressed) -> None:
        wid = m.widget_id
        if wid.startswith("reason-"):
            self.apply(F.ReasonTapped(reason=str(m.value)))
        elif wid in ("reasons-prev", "reasons-next"):
            self.reason_page += -1 if wid == "reasons-prev" else 1
            self.invalidate()
        elif wid.startswith("level-"):
            self.apply(F.LevelTapped(level=int(m.value), txn=_txn()))
        elif wid == "reasons-back":
            self.apply(F.BackTapped())
        elif wid == "reasons-done":
            self.apply(F.ReasonsConfirmed(txn=_txn()))
        elif wid == "retry":
            self.apply(F.RetryTapped())
        elif wid == "close":
            self.apply(F.DoneTapped())

    def on_input(self, now: float) -> None:
        self.now = now
        self.apply(F.Touched())

    def update(self, now: float, dt: float) -> None:
        self.now = now
        self.wall_now = self.wall()
        if self.offline_since is None and self.offline:
            self.offline_since = (self.wall_now, now)
        self.apply(F.Tick(day=self.day()))
        self._check_marker()
        return None

    # ---- drawing -----------------------------------------------------------------------------------
    def build(self, ctx: Context) -> Widget:
        w, h = ctx.size
        self.landscape = w > h
        st = self.flow.state
        body = {S.IDLE: self._idle, S.LEVELS: self._levels, S.REASONS: self._reasons, S.SENDING: self._sending,
                S.THANKS: self._thanks, S.FAILED: self._failed}[st.stage](ctx)
        parts = [p for p in (self._offline_bar(), body) if p is not None]
        return Column("root", parts, padded=True)

    def _offline_bar(self) -> Widget | None:
        if not self.marker or self.offline_since is None:
            return None
        since = datetime.fromtimestamp(self.offline_since[0], self.counter.tz).strftime("%H:%M")
        return Label("offline", self.s.offline.format(since=since), fill="error", tone="on_error", align="center",
                     max_lines=1)

    def _window_title(self) -> str:
        return f"{self.s.window_title.format(number=self.counter.number)} {self.counter.name}"

    def _idle(self, ctx: Context) -> Widget:
        s, st = self.s, self.staff
        title = Label("idle-window", self._window_title(), style="display", align="center", max_lines=1, flex=1)
        closed = Label("idle-closed", s.closed, style="title", fill="warning", tone="on_warning", align="center",
                       max_lines=1) if self.window_status in ("paused", "closed") else None
        # flexible shares, one line each, shrinking to the width: a 7-inch pad in large print has little room
        welcome = Label("idle-welcome", s.welcome, tone="text_muted", align="center",
                        max_lines=1 if self.landscape else 3, flex=0.4 if self.landscape else 0.7)
        if st is None:
            parts = [Spacer("idle-top", flex=0.5), title, closed, Spacer("idle-gap", flex=0.5), welcome]
            return Column("idle", [p for p in parts if p is not None], flex=1)
        # 亮证亮牌: the window, then who serves at it (photo, name, 工号) as the staff console says
        side = st.photo is not None and self.landscape  # photo beside the words; above them in portrait
        align = "left" if side else "center"
        title.align = align
        text = Column("staff-text", [p for p in (
            Spacer("staff-top", flex=0.2), title,
            Label("staff-name", s.staff_name.format(name=st.name), style="title", align=align, max_lines=1, flex=1),
            Label("staff-no", s.staff_no.format(staff_no=st.staff_no), align=align, max_lines=1, flex=1),
            closed, Spacer("staff-bottom", flex=0.2)) if p is not None], flex=3)
        if st.photo is not None and not side:
            text.children.remove(title)
            staff: Widget = Column("staff", [title, Photo("staff-photo", st.photo, flex=1.5), text], flex=1)
        elif side:
            staff = Row("staff", [Photo("staff-photo", st.photo, flex=1), text], flex=1)
        else:
            staff = Row("staff", [text], flex=1)
        return Column("idle", [staff, welcome], flex=1)

    def _heading(self, title: str, sub: str | None = None, one_line: bool = False) -> Widget:
        st = self.flow.state
        sub = sub if sub is not None else self.s.rate_ticket.format(number=st.number or "", window=self.counter.number)
        if one_line:
            return Row("heading", [Label("title", title, max_lines=1, flex=7),
                                   Label("ticket", sub, tone="text_muted", align="right", max_lines=1, flex=4)])
        return Column("heading", [Label("title", title, style="title", max_lines=1),
                                  Label("ticket", sub, tone="text_muted", max_lines=1)])

    def _level_style(self, ctx: Context) -> str:
        """The largest text style at which every level fits its cell: one size for all five."""
        t = ctx.theme
        cols = 3 if self.landscape else 1
        cell = (ctx.size[0] - 2 * t.padding - (cols - 1) * t.spacing) // cols - 2 * t.padding
        longest = max((label for _, label in E.LEVELS), key=len)
        for style in ("title", "body"):
            if ctx.fonts.get(t.text_size(style)).size(longest)[0] <= cell:
                return style
        return "small"

    def _levels(self, ctx: Context) -> Widget:
        # one grid: the same cell, tone and style for every level, in the official order, none chosen
        style = self._level_style(ctx)
        buttons: list[Widget] = [Button(f"level-{n}", label, value=n, tone="secondary", choice=True, style=style)
                                 for n, label in E.LEVELS]
        if self.landscape:  # one heading line leaves two rows of full-size targets even on a 7-inch pad
            # the sixth cell of the 3×2 grid says how it works, where a button seems to be missing otherwise
            buttons.append(TextBlock("hint", self.s.rate_hint_cell, style=style, tone="text_muted", align="center"))
            grid = EqualGrid("levels", buttons, cols=3, flex=1)
            sub = self.s.rate_ticket_short.format(number=self.flow.state.number or "")
            return Column("rate", [self._heading(self.s.rate_title, sub, one_line=True), grid], flex=1)
        grid = EqualGrid("levels", buttons, cols=1, flex=1)
        return Column("rate", [self._heading(self.s.rate_title), grid,
                               Label("hint", self.s.rate_hint, tone="text_muted", align="center", max_lines=1)],
                      flex=1)

    def reasons_columns(self, ctx: Context) -> int:
        return 2 if self.landscape and ctx.theme.max_choices > 6 else 1

    def reasons_per_page(self, ctx: Context, fixed: list[Widget]) -> int:
        """As many one-line chips as fit at touch height under the heading and above the buttons (measured,
        not guessed), never more than the mode allows on one page."""
        t = ctx.theme
        width = ctx.size[0] - 2 * t.padding
        used = sum(w.measure(width, ctx) for w in fixed) + len(fixed) * t.spacing
        room = ctx.size[1] - 2 * t.padding - used
        rows = max(1, int((room + t.spacing) // (t.target_min + t.spacing)))
        return max(1, min(t.max_choices, rows * self.reasons_columns(ctx)))

    def _reasons(self, ctx: Context) -> Widget:
        s, st = self.s, self.flow.state
        reasons = list(E.BAD_REASONS.items())
        cols = self.reasons_columns(ctx)

        def fixed(page: int, pages: int) -> tuple[list[Widget], list[Widget]]:
            sub = s.reasons_status.format(n=len(st.reasons), page=page + 1, pages=pages)
            top: list[Widget] = [self._heading(s.reasons_title, sub, one_line=self.landscape)]
            if self.note:
                top.append(Label("reasons-note", self.note, fill="warning", tone="on_warning", max_lines=1))
            prev = Button("reasons-prev", s.prev_page, tone="secondary", enabled=page > 0)
            nxt = Button("reasons-next", s.next_page, tone="secondary", enabled=page < pages - 1)
            back = Button("reasons-back", s.back, tone="secondary")
            done = Button("reasons-done", s.submit, tone="primary", enabled=bool(st.reasons), flex=1.5)
            bottom: list[Widget] = [Row("reasons-actions", [back, prev, nxt, done])] if self.landscape else \
                [Row("reasons-nav", [prev, nxt]), Row("reasons-actions", [back, done])]
            return top, bottom

        per = self.reasons_per_page(ctx, [w for part in fixed(0, 9) for w in part])
        pages = -(-len(reasons) // per)
        self.reason_page = max(0, min(self.reason_page, pages - 1))
        first = self.reason_page * per
        chips = [Button(f"reason-{rid}", (s.reason_on if rid in st.reasons else s.reason_off).format(label=label),
                        value=rid, tone="primary" if rid in st.reasons else "secondary", choice=True)
                 for rid, label in reasons[first:first + per]]
        chips += [Spacer(f"reason-pad-{i}") for i in range(per - len(chips))]
        top, bottom = fixed(self.reason_page, pages)
        return Column("reasons-page", [*top, EqualGrid("reasons", chips, cols=cols, flex=1), *bottom], flex=1)

    def _centred(self, id: str, title: str, line: str, buttons: list[Widget] = ()) -> Widget:
        # the big title takes a flexible share (it shrinks to one line); the line below wraps at its size
        parts: list[Widget] = [Spacer(f"{id}-top", flex=0.5),
                               Label(f"{id}-title", title, style="display", align="center", max_lines=1, flex=1),
                               TextBlock(f"{id}-line", line, align="center", shrink=True),
                               Spacer(f"{id}-bottom", flex=0.5)]
        if buttons:
            parts.append(Row(f"{id}-actions", list(buttons)))
        return Column(id, parts, flex=1)

    def _sending(self, ctx: Context) -> Widget:
        st = self.flow.state
        return self._centred("sending", E.LEVEL_LABELS.get(st.level or 0, ""), self.s.sending)

    def _thanks(self, ctx: Context) -> Widget:
        st = self.flow.state
        bad = st.level is not None and E.is_bad(st.level)
        return self._centred("thanks", self.s.thanks_title, self.s.thanks_bad if bad else self.s.thanks_good,
                             [Button("close", self.s.close, tone="secondary")])

    def _failed(self, ctx: Context) -> Widget:
        st = self.flow.state
        line = self.s.failed_timeout if st.error_code == "timeout" or not st.error else st.error
        buttons: list[Widget] = [Button("close", self.s.close, tone="secondary")]
        if st.retryable:
            buttons.append(Button("retry", self.s.retry, icon="↻", tone="primary"))
        return self._centred("failed", self.s.failed_title, line, buttons)


def _drawn(s: F.PadState) -> tuple:
    """What the picture depends on (not the timers)."""
    return (s.stage, s.ticket, s.level, s.reasons, s.error_code, s.error)


def _txn() -> str:
    return "pad-" + secrets.token_hex(8)
