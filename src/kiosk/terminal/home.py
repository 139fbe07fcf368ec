"""Home: the centre's name, date and time, whether the hall is open, and the big choices.

Rule: the home follows the retained ``mode``. During walk-in hours (and while the mode is unknown) it is
the hall's home with 取号. Outside them — ``closed``, ``holiday``, and ``appointment_only`` for
walk-ins — it is the 24-hour self-service zone: a banner with the next opening, no 取号, the choices
that work without staff (办事指南, 预约办理, and 预约签到 in an appointment session), the on-duty phone
and the online channel's QR code. A new ``mode`` rebuilds it, so the hall's home comes back by itself
at opening. Both homes offer 办事评价, 办不成事反映, 政府信息公开申请 and 政务公开 (the published pages and the
事项清单). After an idle reset the terminal drops back to its default mode here.

Layout: a public kiosk's home — 取号 is the dominant tile across the width, every other choice a tile
with a picture (:mod:`kiosk.ui.icons`). In standard mode everything is on one screen; in 长辈模式 (at
most six choices a page) the most used come first — 取号, 办事指南, 帮办代办, 服务电话, 办事评价 — and
the rest are one swipe or 下一页 away.
"""

from __future__ import annotations

from typing import Any, ClassVar

from ..ui.paging import ListItem
from ..ui.screen import Push, SetMode, Transition
from ..ui.theme import Mode
from ..ui.links import configured
from ..ui.tiles import TileMenu
from ..ui.widget import Chosen, Column, Context, Row, Widget
from ..ui.widgets import QRImage, TextBlock
from .base import BOOK, CHECKIN, GUIDES, HELP, OPEN_GOV, PHONES, TAKE, TerminalScreen
from .strings_voice import DISCLOSURE, EVALUATE, FEEDBACK, VoiceStrings


class HomeScreen(TerminalScreen):
    watches: ClassVar[frozenset[str]] = frozenset({"mode"})
    is_home: ClassVar[bool] = True

    def startup(self, data: Any) -> None:
        self._reset_mode = bool(isinstance(data, dict) and data.get("idle"))

    def title(self) -> str:
        return self.t.after_title if self.s.after_hours else self.t.welcome

    # ---- the hall's home ---------------------------------------------------------------------------
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

    def _public(self) -> list[ListItem]:
        """The citizen's-voice choices after 评价 (办不成事反映, 政务公开, 信息公开申请)."""
        t, v = self.t, VoiceStrings()
        return [ListItem(label=v.menu_feedback, value=FEEDBACK, icon=v.icon_feedback),
                ListItem(label=t.menu_disclosure, value=OPEN_GOV, icon=t.icon_open),
                ListItem(label=v.menu_apply, value=DISCLOSURE, icon=v.icon_apply)]

    def _evaluate(self) -> ListItem:
        v = VoiceStrings()
        return ListItem(label=v.menu_evaluate, value=EVALUATE, icon=v.icon_evaluate)

    def items(self) -> list[ListItem]:
        """Most used first: what a page of 长辈模式 shows first is what most visitors came for."""
        t = self.t
        if self.s.after_hours:
            return self.after_items()
        checkin = [ListItem(label=t.menu_checkin, value=CHECKIN, icon=t.icon_checkin)] if self.s.checkin_open else []
        return [
            ListItem(label=t.menu_take, value=TAKE, icon=t.icon_take, note=t.take_note),
            ListItem(label=t.menu_guides, value=GUIDES, icon=t.icon_guides),
            ListItem(label=t.menu_help, value=HELP, icon=t.icon_help),
            ListItem(label=t.menu_phones, value=PHONES, icon=t.icon_phones),
            self._evaluate(),
            *checkin,
            ListItem(label=t.menu_appointment, value=BOOK, icon=t.icon_appointment),
            *self._public(),
        ]

    # ---- the 24-hour self-service zone --------------------------------------------------------------
    def after_items(self) -> list[ListItem]:
        t = self.t
        checkin = [ListItem(label=t.menu_checkin, value=CHECKIN, icon=t.icon_checkin)] if self.s.checkin_open else []
        return [
            *checkin,
            ListItem(label=t.menu_appointment, value=BOOK, icon=t.icon_appointment),
            ListItem(label=t.menu_guides, value=GUIDES, icon=t.icon_guides),
            self._evaluate(),
            *self._public(),
        ]

    def after_text(self) -> str:
        t, m = self.t, self.s.mode or {}
        label, nxt = m.get("label") or "", m.get("next_open_text")
        if m.get("state") == "appointment_only":
            return t.after_appointment_only.format(label=label, next=nxt or "—")
        if nxt:
            return t.after_banner.format(label=label, next=nxt)
        return t.after_banner_no_next.format(label=label)

    def phones_text(self) -> str:
        t, p = self.t, self.s.cfg.phones
        hotline = p.hotline or "12345"
        if p.on_duty:
            return t.after_phones.format(on_duty=p.on_duty, hotline=hotline)
        return t.after_hotline_only.format(hotline=hotline)

    def _after_body(self, ctx: Context) -> Widget:
        t = self.t
        large = self.mode is Mode.LARGE
        banner = TextBlock("after-banner", self.after_text(), style="title", fill="warning", tone="on_warning")
        cols = 2 if large or self.landscape else 3
        menu = TileMenu("menu", self.after_items(), per_page=12, columns=cols, flex=1)
        phones = TextBlock("after-phones", self.phones_text(), style="title", fill="surface", valign="center",
                           flex=0 if self.landscape else 3)
        # the online channel's QR only once its address is configured (never a placeholder to the public)
        qr = QRImage("after-online", self.s.settings.online_url, caption=t.after_online_caption,
                     flex=1 if self.landscape else 2) if configured(self.s.settings.online_url) else None
        info = [phones, qr] if qr is not None else [phones]
        if self.landscape:
            return Row("after-body", [Column("after-main", [banner, menu], flex=3),
                                      Column("after-side", info, flex=2)], flex=1)
        return Column("after-body", [banner, menu, Row("after-info", info)], flex=1)

    # ---- frame ---------------------------------------------------------------------------------------
    def body(self, ctx: Context) -> Widget:
        if self.s.after_hours:
            return self._after_body(ctx)
        large = self.mode is Mode.LARGE
        cols = (3 if self.landscape else 2) if large else (5 if self.landscape else 3)
        return Column("home-body", [
            TextBlock("hall-mode", self.hall_text(), fill="info", tone="on_info"),
            TileMenu("menu", self.items(), hero=True, per_page=12, columns=cols, flex=1),
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
