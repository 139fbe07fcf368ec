"""取号: choose a service category, optionally 绿色通道, confirm, and get a ticket on screen.

Rule: the screen never freezes. It waits for the hub's reply at most ``reply_timeout`` seconds (and not
at all when the bus is down) and then tells the resident to go to the consultation desk. A ticket that
is issued after that — the request was already on its way — is voided by the session when its late
reply arrives (reason ``kiosk_timeout``); so is one whose screen was left while waiting. A shown ticket
is reported to the hub with ``ticket.delivered`` (``how = "on_screen"``).

When the hub warns that the predicted wait runs past closing time (``past_closing``) the resident is
asked first and may take the ticket anyway (``accept_late``); outside walk-in hours (``hall_closed``)
the hub's own explanation is shown.

Stages: choose → confirm → issuing → ticket | late → issuing | failed.
"""

from __future__ import annotations

from typing import Any, ClassVar

from ..core.model import Category
from ..ui.screen import Transition
from ..ui.widget import Column, Context, Grid, Pressed, Row, Spacer, Widget
from ..ui.widgets import Button, Label, QRImage, TextBlock
from .base import TerminalScreen
from .messages import ReplyIn

GROUPS = ("domain", "comprehensive", "complaint")
CHOOSE, CONFIRM, ISSUING, TICKET, FAILED, LATE = "choose", "confirm", "issuing", "ticket", "failed", "late"
HUB_WORDED = ("hall_closed", "past_closing")  # refusals whose message the hub writes for residents


class TakeNumberScreen(TerminalScreen):
    watches: ClassVar[frozenset[str]] = frozenset({"board"})

    def startup(self, data: Any) -> None:
        self.stage = CHOOSE
        self.category: str | None = None
        self.priority = False
        self.txn: str | None = None
        self.sent_at = 0.0
        self.result: dict[str, Any] | None = None
        self.reason = ""
        self.accept_late = False

    def cleanup(self) -> None:
        if self.stage == ISSUING:
            self.s.abandon(self.txn)

    # ---- text ------------------------------------------------------------------------------------
    def title(self) -> str:
        t = self.t
        return {CHOOSE: t.take_title, CONFIRM: t.confirm_title, ISSUING: t.confirm_title,
                TICKET: t.ticket_title, FAILED: t.failed_title, LATE: t.late_title}[self.stage]

    def waiting_text(self, cid: str) -> str:
        n = self.s.waiting(cid)
        return self.t.waiting_unknown if n is None else self.t.waiting_count.format(n=n)

    def has_back(self) -> bool:
        return self.stage in (CONFIRM, FAILED, LATE)

    def back(self) -> Transition | None:
        self._go(CHOOSE)
        return None

    def _go(self, stage: str) -> None:
        self.stage = stage
        self.invalidate()

    # ---- bodies ----------------------------------------------------------------------------------
    def body(self, ctx: Context) -> Widget:
        return {CHOOSE: self._choose, CONFIRM: self._confirm, ISSUING: self._issuing, TICKET: self._ticket,
                FAILED: self._failed, LATE: self._late}[self.stage](ctx)

    def _late(self, ctx: Context) -> Widget:
        t = self.t
        return Column("late", [
            TextBlock("late-body", self.reason, style="title", fill="warning", tone="on_warning"),
            Button("late-accept", t.late_accept, icon="✔", choice=True),
            TextBlock("late-note", t.late_note, tone="text_muted"),
            Spacer("late-end", flex=1),
        ], flex=1)

    def _category_button(self, c: Category) -> Button:
        label = self.t.category_button.format(name=c.name, waiting=self.waiting_text(c.id))
        return Button(f"cat-{c.id}", label, value=c.id, tone="secondary", choice=True, style="title")

    def _choose(self, ctx: Context) -> Widget:
        t = self.t
        groups: list[tuple[str, list[Category]]] = []
        for g in (*GROUPS, *sorted({c.group for c in self.s.cfg.hall.categories} - set(GROUPS))):
            cats = [c for c in self.s.cfg.hall.categories if c.group == g]
            if cats:
                groups.append((g, cats))
        wide = [(g, cs) for g, cs in groups if len(cs) > 1]
        single = [(g, cs) for g, cs in groups if len(cs) == 1]

        def section(g: str, cats: list[Category], cols: int) -> Column:
            return Column(f"group-{g}", [
                Label(f"group-{g}-name", t.group_names.get(g, g), tone="text_muted"),
                Grid(f"group-{g}-grid", [self._category_button(c) for c in cats], cols=cols),
            ])

        parts: list[Widget] = [section(g, cs, 2) for g, cs in wide]
        if single:
            parts.append(Row("group-singles", [section(g, cs, 1) for g, cs in single]))
        if self.landscape and len(parts) == 2:
            return Column("choose", [Row("choose-row", parts), Spacer("choose-end", flex=1)], flex=1)
        return Column("choose", [*parts, Spacer("choose-end", flex=1)], flex=1)

    def _confirm(self, ctx: Context) -> Widget:
        t = self.t
        assert self.category is not None
        n = self.s.waiting(self.category)
        return Column("confirm", [
            TextBlock("confirm-category", t.confirm_category.format(name=self.s.category_name(self.category)),
                      style="title", fill="surface"),
            TextBlock("confirm-waiting", t.waiting_unknown if n is None else t.confirm_waiting.format(n=n)),
            Button("green", t.green_on if self.priority else t.green_off, tone="primary" if self.priority
                   else "secondary", choice=True),
            TextBlock("green-note", t.green_note, tone="text_muted"),
            Button("take-confirm", t.take_confirm, icon="✔", choice=True),
            Spacer("confirm-end", flex=1),
        ], flex=1)

    def _issuing(self, ctx: Context) -> Widget:
        return Column("issuing", [Spacer("issuing-top", flex=1),
                                  Label("issuing-text", self.t.issuing, style="title", align="center"),
                                  Spacer("issuing-bottom", flex=1)], flex=1)

    def _ticket(self, ctx: Context) -> Widget:
        t, r = self.t, self.result or {}
        cat = r.get("category_name") or self.s.category_name(r.get("category", ""))
        if r.get("priority"):
            cat += t.ticket_priority
        eta_s = r.get("eta_s")
        if eta_s is None:
            eta = t.eta_none
        elif eta_s < 60:
            eta = t.eta_now
        else:
            eta = t.eta.format(minutes=round(eta_s / 60))
        info = [
            Label("ticket-number", str(r.get("number", "")), style="display", align="center"),
            Label("ticket-category", cat, style="title", align="center"),
            TextBlock("ticket-ahead", t.people_ahead.format(n=r.get("people_ahead", 0)), style="title",
                      align="center"),
            TextBlock("ticket-eta", eta, align="center"),
            TextBlock("ticket-where", t.where_wait.format(windows=self.s.windows_for(r.get("category", ""))),
                      fill="surface"),
        ]
        qr = QRImage("ticket-qr", self.s.qr_for_ticket(str(r.get("ticket", ""))), caption=t.ticket_qr_caption,
                     flex=2)
        if self.landscape:
            return Row("ticket", [Column("ticket-info", info, flex=3), qr], flex=1)
        # a QR code about a third of the width: big enough to scan, small beside the number
        qr_row = Row("ticket-qr-row", [Spacer("qr-left", flex=1), qr, Spacer("qr-right", flex=1)], flex=1)
        return Column("ticket", [*info, qr_row, Spacer("ticket-end", flex=0.3)], flex=1)

    def _failed(self, ctx: Context) -> Widget:
        t = self.t
        return Column("failed", [
            TextBlock("failed-body", t.failed_body, style="title", fill="warning", tone="on_warning"),
            TextBlock("failed-phone", t.failed_phone.format(phone=self.s.phone_for_help()), style="title"),
            TextBlock("failed-reason", t.failed_reason.format(reason=self.reason), tone="text_muted"),
            Button("retry", t.retry, icon="↻", tone="secondary", choice=True),
            Spacer("failed-end", flex=1),
        ], flex=1)

    # ---- behaviour -------------------------------------------------------------------------------
    def _fail(self, code: str, message: str = "") -> None:
        codes = self.t.error_codes
        if code in HUB_WORDED and message:
            self.reason = message
        else:
            self.reason = codes.get(code) or self.t.error_other.format(code=code)
        self.txn = None
        self._go(FAILED)

    def on(self, message: Any) -> Transition | None:
        if isinstance(message, Pressed):
            wid = message.widget_id
            if wid.startswith("cat-") and self.stage == CHOOSE:
                self.category, self.priority = message.value, False
                self._go(CONFIRM)
            elif wid == "green" and self.stage == CONFIRM:
                self.priority = not self.priority
                self.invalidate()
            elif wid == "take-confirm" and self.stage == CONFIRM:
                self.accept_late = False
                self._issue()
            elif wid == "late-accept" and self.stage == LATE:
                self.accept_late = True
                self._issue()
            elif wid == "retry":
                self._go(CHOOSE)
        elif isinstance(message, ReplyIn) and self.txn and message.reply.txn == self.txn \
                and self.stage == ISSUING:
            rep = message.reply
            if not rep.ok and rep.code == "past_closing" and not self.accept_late:
                self.reason = rep.message or self.t.error_codes["past_closing"]
                self.txn = None
                self._go(LATE)
                return None
            if not rep.ok or not isinstance(rep.result, dict):
                self._fail(rep.code or "error", rep.message or "")
                return None
            self.result = rep.result
            self.txn = None
            self.s.request("ticket.delivered", {"ticket": rep.result["ticket"], "how": "on_screen"})
            self._go(TICKET)
        return None

    def _issue(self) -> None:
        assert self.category is not None
        args = {"category": self.category, "priority": self.priority, "large_print": self.mode.value == "large"}
        if self.accept_late:
            args["accept_late"] = True
        self.txn = self.s.request("ticket.issue", args)
        if self.txn is None:
            self._fail("offline")
            return
        self.sent_at = self.now
        self._go(ISSUING)

    def tick(self, now: float) -> Transition | None:
        if self.stage == ISSUING and now - self.sent_at >= self.s.settings.reply_timeout:
            self.s.abandon(self.txn)
            self._fail("timeout")
        return None
