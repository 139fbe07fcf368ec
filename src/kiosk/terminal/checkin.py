"""预约签到: the view of :class:`kiosk.terminal.flows.checkin.CheckinFlow` (type or scan the booking code,
get a ticket on screen). The reply's ``note`` says whether the ticket went ahead of walk-ins (on time) or
follows the walk-in order (early, late) — in words, with a fill.
"""

from __future__ import annotations

from typing import Any, ClassVar

from ..ui.keys import LetterKeyboard
from ..ui.widget import Column, Context, Row, Spacer, Widget
from ..ui.widgets import Button, Label, QRImage, TextBlock
from .codes import CODE_ROWS, ticket_qr
from .flow_screen import FlowScreen
from .flows.base import Entered
from .flows.checkin import CheckinFlow, Stage

S = Stage


class CheckinScreen(FlowScreen):
    takes_scans: ClassVar[bool] = True
    watches: ClassVar[frozenset[str]] = frozenset({"idcard"})
    flow: CheckinFlow

    def make_flow(self, data: Any) -> CheckinFlow:
        t = self.t
        return CheckinFlow(site=self.s.cfg.site_id, reply_timeout=self.s.settings.reply_timeout,
                           errors=t.appointment_errors, other=t.error_other, base=self.s.cfg.phone_base)

    def startup(self, data: Any) -> None:
        super().startup(data)
        scanned = data.get("code") if isinstance(data, dict) else None
        if scanned:  # a booking QR scanned on another screen opened this one
            self.feed(Entered("code-kb", str(scanned)))

    def title(self) -> str:
        t = self.t
        return {S.ENTER: t.checkin_title, S.SENDING: t.checkin_title, S.TICKET: t.checkin_done_title,
                S.FAILED: t.checkin_failed_title}[self.flow.stage]

    # ---- bodies ----------------------------------------------------------------------------------
    def body(self, ctx: Context) -> Widget:
        return {S.ENTER: self._enter, S.SENDING: self._sending, S.TICKET: self._ticket,
                S.FAILED: self._failed}[self.flow.stage](ctx)

    def _enter(self, ctx: Context) -> Widget:
        t, f = self.t, self.flow
        kb = LetterKeyboard("code-kb", rows=CODE_ROWS, value=f.code, max_length=8)
        error = {"bad": t.checkin_bad, "bad_scan": t.checkin_bad_scan}.get(f.entry_error, "")
        if f.entry_error.startswith("card_"):
            error = t.card_problems.get(f.entry_error[5:], t.card_problems["pulled"])
        hint_text = t.checkin_hint + ("\n" + t.checkin_card_hint if self.s.cards_ready else "")
        hint = TextBlock("code-error", error, fill="warning", tone="on_warning") if error \
            else TextBlock("code-hint", hint_text, tone="text_muted")
        if self.landscape:
            return Row("checkin-enter", [Column("checkin-kb", [kb, Spacer("kb-end", flex=1)], flex=3),
                                         Column("checkin-side", [hint, Spacer("side-end", flex=1)], flex=2)],
                       flex=1)
        return Column("checkin-enter", [hint, kb, Spacer("enter-end", flex=1)], flex=1)

    def _sending(self, ctx: Context) -> Widget:
        return Column("checkin-wait", [Spacer("wait-top", flex=1),
                                       Label("checkin-sending", self.t.checkin_card_sending if self.flow.by_card
                                             else self.t.checkin_sending, style="title", align="center"),
                                       Spacer("wait-bottom", flex=1)], flex=1)

    def _ticket(self, ctx: Context) -> Widget:
        t, r = self.t, self.flow.result
        appt = r.get("appointment") if isinstance(r.get("appointment"), dict) else {}
        on_time = appt.get("placement") == "on_time"
        cat = r.get("category_name") or self.s.category_name(str(r.get("category", "")))
        info: list[Widget] = [
            Label("ticket-number", str(r.get("number", "")), style="display", align="center"),
            Label("ticket-category", cat, style="title", align="center"),
            TextBlock("ticket-ahead", t.people_ahead.format(n=r.get("people_ahead", 0)), style="title",
                      align="center"),
            TextBlock("checkin-note", str(r.get("note") or ""), fill="ok" if on_time else "warning",
                      tone="on_ok" if on_time else "on_warning"),
            TextBlock("checkin-slot", t.checkin_slot.format(code=appt.get("code", self.flow.code),
                                                            start=appt.get("start", ""), end=appt.get("end", "")),
                      tone="text_muted"),
            TextBlock("ticket-where", t.where_wait.format(windows=self.s.windows_for(str(r.get("category", "")))),
                      fill="surface"),
        ]
        qr = QRImage("ticket-qr", ticket_qr(self.s.cfg.site_id, str(r.get("ticket", "")), r.get("token"), self.s.cfg.phone_base), caption=t.ticket_qr_caption,
                     flex=2)
        if self.landscape:
            return Row("checkin-ticket", [Column("ticket-info", info, flex=3), qr], flex=1)
        qr_row = Row("ticket-qr-row", [Spacer("qr-left", flex=1), qr, Spacer("qr-right", flex=1)], flex=1)
        return Column("checkin-ticket", [*info, qr_row, Spacer("ticket-end", flex=0.3)], flex=1)

    def _failed(self, ctx: Context) -> Widget:
        t = self.t
        parts: list[Widget] = [
            TextBlock("checkin-error", self.flow.reason, style="title", fill="warning", tone="on_warning"),
            TextBlock("checkin-error-phone", t.failed_phone.format(phone=self.s.phone_for_help())),
        ]
        if self.flow.txn:
            parts.append(Button("checkin-retry", t.retry_same, icon="↻", tone="secondary", choice=True))
        parts.append(Spacer("failed-end", flex=1))
        return Column("checkin-failed", parts, flex=1)
