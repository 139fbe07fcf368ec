"""预约签到: type the booking code on a keyboard of the code alphabet — or scan the booking QR — and get
a ticket on screen, like 取号.

Rule: the code is sent as typed (the hub accepts lower case, spaces and dashes); only its shape is
checked here. A scanner's :class:`ScanResult` is taken on this screen as well as on any other (which
opens this screen with the code). A late reply is still shown; 重试 repeats the request with the same
txn, so the hub answers with the same ticket and never issues a second one. A shown ticket is reported
with ``ticket.delivered`` (``how = "on_screen"``). The reply's ``note`` says whether the ticket went
ahead of walk-ins (on time) or follows the walk-in order (early, late) — in words, with a fill.

Stages: enter → sending → ticket | failed.
"""

from __future__ import annotations

from typing import Any, ClassVar

from ..ui.keys import LetterKeyboard
from ..ui.screen import Transition
from ..ui.widget import Column, Context, EntrySubmitted, Pressed, Row, Spacer, Widget
from ..ui.widgets import Button, Label, QRImage, TextBlock
from .base import TerminalScreen
from .codes import CODE_ROWS, code_from_scan, plausible_code
from .messages import ReplyIn, ScanResult

ENTER, SENDING, TICKET, FAILED = "enter", "sending", "ticket", "failed"
HUB_WORDED = frozenset({"unknown_appointment", "appointment_used", "appointment_cancelled", "appointment_expired",
                        "not_today", "hall_closed"})


class CheckinScreen(TerminalScreen):
    hub_worded = frozenset(HUB_WORDED)
    takes_scans: ClassVar[bool] = True

    def startup(self, data: Any) -> None:
        self.stage = ENTER
        self.code = ""
        self.entry_error = ""
        self.txn: str | None = None
        self.sent_at = 0.0
        self.result: dict[str, Any] = {}
        self.reason = ""
        scanned = data.get("code") if isinstance(data, dict) else None
        if scanned:
            self._submit(str(scanned))

    def _go(self, stage: str) -> None:
        self.stage = stage
        self.invalidate()

    def title(self) -> str:
        t = self.t
        return {ENTER: t.checkin_title, SENDING: t.checkin_title, TICKET: t.checkin_done_title,
                FAILED: t.checkin_failed_title}[self.stage]

    def has_back(self) -> bool:
        return self.stage == FAILED

    def back(self) -> Transition | None:
        self.txn = None
        self._go(ENTER)
        return None

    # ---- bodies ----------------------------------------------------------------------------------
    def body(self, ctx: Context) -> Widget:
        return {ENTER: self._enter, SENDING: self._sending, TICKET: self._ticket, FAILED: self._failed}[self.stage](ctx)

    def _enter(self, ctx: Context) -> Widget:
        t = self.t
        kb = LetterKeyboard("code-kb", rows=CODE_ROWS, value=self.code, max_length=8)
        hint = TextBlock("code-error", self.entry_error, fill="warning", tone="on_warning") if self.entry_error \
            else TextBlock("code-hint", t.checkin_hint, tone="text_muted")
        if self.landscape:
            return Row("checkin-enter", [Column("checkin-kb", [kb, Spacer("kb-end", flex=1)], flex=3),
                                         Column("checkin-side", [hint, Spacer("side-end", flex=1)], flex=2)],
                       flex=1)
        return Column("checkin-enter", [hint, kb, Spacer("enter-end", flex=1)], flex=1)

    def _sending(self, ctx: Context) -> Widget:
        return Column("checkin-wait", [Spacer("wait-top", flex=1),
                                       Label("checkin-sending", self.t.checkin_sending, style="title", align="center"),
                                       Spacer("wait-bottom", flex=1)], flex=1)

    def _ticket(self, ctx: Context) -> Widget:
        t, r = self.t, self.result
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
            TextBlock("checkin-slot", t.checkin_slot.format(code=appt.get("code", self.code),
                                                            start=appt.get("start", ""), end=appt.get("end", "")),
                      tone="text_muted"),
            TextBlock("ticket-where", t.where_wait.format(windows=self.s.windows_for(str(r.get("category", "")))),
                      fill="surface"),
        ]
        qr = QRImage("ticket-qr", self.s.qr_for_ticket(str(r.get("ticket", "")), r.get("token")), caption=t.ticket_qr_caption,
                     flex=2)
        if self.landscape:
            return Row("checkin-ticket", [Column("ticket-info", info, flex=3), qr], flex=1)
        qr_row = Row("ticket-qr-row", [Spacer("qr-left", flex=1), qr, Spacer("qr-right", flex=1)], flex=1)
        return Column("checkin-ticket", [*info, qr_row, Spacer("ticket-end", flex=0.3)], flex=1)

    def _failed(self, ctx: Context) -> Widget:
        t = self.t
        parts: list[Widget] = [
            TextBlock("checkin-error", self.reason, style="title", fill="warning", tone="on_warning"),
            TextBlock("checkin-error-phone", t.failed_phone.format(phone=self.s.phone_for_help())),
        ]
        if self.txn:
            parts.append(Button("checkin-retry", t.retry_same, icon="↻", tone="secondary", choice=True))
        parts.append(Spacer("failed-end", flex=1))
        return Column("checkin-failed", parts, flex=1)

    # ---- behaviour -------------------------------------------------------------------------------
    def _submit(self, code: str, txn: str | None = None) -> None:
        self.code = code
        if not plausible_code(code):
            self.entry_error = self.t.checkin_bad
            self._go(ENTER)
            return
        self.entry_error = ""
        self.send_request("appointment.checkin", {"code": code}, SENDING, txn)

    def _fail(self, code: str, message: str = "") -> None:
        t = self.t
        self.reason = self.refusal(code, message, t.appointment_errors, t.error_other)
        self._go(FAILED)

    def on(self, message: Any) -> Transition | None:
        if isinstance(message, ReplyIn):
            rep = message.reply
            if self.txn and rep.txn == self.txn and self.stage in (SENDING, FAILED):
                self.txn = None
                if not rep.ok or not isinstance(rep.result, dict):
                    self._fail(rep.code or "error", rep.message or "")
                    return None
                self.result = rep.result
                if rep.result.get("ticket"):
                    self.s.request("ticket.delivered", {"ticket": rep.result["ticket"], "how": "on_screen"})
                self._go(TICKET)
        elif isinstance(message, ScanResult):
            if self.stage == SENDING:
                return None
            code = code_from_scan(message.text, self.s.cfg.site_id)
            if code:
                self._submit(code)
            else:
                self.entry_error = self.t.checkin_bad_scan
                self._go(ENTER)
        elif isinstance(message, EntrySubmitted) and message.widget_id == "code-kb" and self.stage == ENTER:
            self._submit(message.value)
        elif isinstance(message, Pressed) and message.widget_id == "checkin-retry" and self.stage == FAILED \
                and self.txn:
            self._submit(self.code, txn=self.txn)
        return None

    def tick(self, now: float) -> Transition | None:
        if self.stage == SENDING and now - self.sent_at >= self.s.settings.reply_timeout:
            self._fail("timeout")  # self.txn stays: a late reply is still shown, 重试 repeats it
        return None
