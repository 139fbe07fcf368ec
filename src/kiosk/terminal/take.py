"""取号: choose a service category, optionally 绿色通道, confirm, and get a ticket on screen.

Rule: the screen never freezes. It waits for the hub's reply at most ``reply_timeout`` seconds (and not
at all when the bus is down) and then tells the resident to go to the consultation desk. A ticket that
is issued after that — the request was already on its way — is voided by the session when its late
reply arrives (reason ``kiosk_timeout``); so is one whose screen was left while waiting. A shown ticket
is reported to the hub with ``ticket.delivered`` (``how = "on_screen"``).

When the hub warns that the predicted wait runs past closing time (``past_closing``) the resident is
asked first and may take the ticket anyway (``accept_late``); outside walk-in hours (``hall_closed``)
the hub's own explanation is shown.

With a ticket printer (``[printer] port``) the printer is asked first (checking): one that cannot print
is said so *before* a number is taken (noprint), offering the on-screen ticket to photograph. After the
hub issues the number the ticket is printed (printing) and the printer asked again; a printed ticket is
reported ``how = "printed"`` and can be printed again for ``REPRINT_SECONDS``. When printing fails the
resident keeps the number on screen (``on_screen``) or gives it up (``ticket.void``, reason
``printer_failed``) — so the queue only holds tickets somebody has. Every printer wait has a deadline.

Categories are shown in the words visitors use (``plain`` in the config: 社保 / 就业 / 退休), and
不知道选哪个？ opens a list of what people come to do (``tasks``: 办身份证 …) that picks the category.

Stages: choose [→ find] → confirm → [checking → noprint →] issuing → [printing → print_failed → cancelled |]
ticket | late → issuing | failed.
"""

from __future__ import annotations

import itertools
from typing import Any, ClassVar

from ..core.model import Category
from ..ui.screen import Transition
from ..ui.paging import ListItem, PagedList
from ..ui.widget import Chosen, Column, Context, Grid, Pressed, Row, Spacer, Widget
from ..ui.theme import Mode
from ..ui.widgets import Button, Label, QRImage, TextBlock
from .base import TerminalScreen
from .devices import PrinterChecked, PrintFinished
from .messages import ReplyIn

GROUPS = ("domain", "comprehensive", "complaint")
CHOOSE, CONFIRM, ISSUING, TICKET, FAILED, LATE = "choose", "confirm", "issuing", "ticket", "failed", "late"
FIND = "find"  # 不知道选哪个？: by what the visitor wants to do
CHECKING, NOPRINT, PRINTING, PRINT_FAILED, CANCELLED = "checking", "noprint", "printing", "print_failed", "cancelled"
REPRINT_SECONDS = 60.0  # 重新打印 is offered this long after the ticket printed
_JOBS = itertools.count(1)  # print job tags, unique in this process
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
        self.on_screen = False  # the resident chose the on-screen ticket
        self.print_tag = ""  # the print / status job this screen waits for
        self.print_sent = 0.0
        self.printed_at: float | None = None
        self.reprint = ""  # "", "printing" or "failed"
        self.problem = ""  # the printer state that stopped printing
        self._reprint_drawn_open = False

    def cleanup(self) -> None:
        if self.stage == ISSUING:
            self.s.abandon(self.txn)
        elif self.stage == PRINTING:
            self.s.leave_print(self.print_tag, self.ticket_id)
        elif self.stage == PRINT_FAILED:
            self.s.void(self.ticket_id, "printer_failed")  # walked away without choosing

    @property
    def ticket_id(self) -> str:
        return str((self.result or {}).get("ticket", ""))

    # ---- text ------------------------------------------------------------------------------------
    def title(self) -> str:
        t = self.t
        return {CHOOSE: t.take_title, FIND: t.find_title, CONFIRM: t.confirm_title, ISSUING: t.confirm_title,
                TICKET: t.ticket_title, FAILED: t.failed_title, LATE: t.late_title, CHECKING: t.confirm_title,
                NOPRINT: t.printer_problem_title, PRINTING: t.ticket_title, PRINT_FAILED: t.print_failed_title,
                CANCELLED: t.print_cancelled_title}[self.stage]

    def waiting_text(self, cid: str) -> str:
        n = self.s.waiting(cid)
        return self.t.waiting_unknown if n is None else self.t.waiting_count.format(n=n)

    def has_back(self) -> bool:
        return self.stage in (FIND, CONFIRM, FAILED, LATE, NOPRINT)

    def back(self) -> Transition | None:
        self._go(CHOOSE)
        return None

    def _go(self, stage: str) -> None:
        self.stage = stage
        self.invalidate()

    # ---- bodies ----------------------------------------------------------------------------------
    def body(self, ctx: Context) -> Widget:
        return {CHOOSE: self._choose, FIND: self._find, CONFIRM: self._confirm, ISSUING: self._issuing, TICKET: self._ticket,
                FAILED: self._failed, LATE: self._late, CHECKING: self._issuing, NOPRINT: self._noprint,
                PRINTING: self._issuing, PRINT_FAILED: self._print_failed, CANCELLED: self._cancelled}[self.stage](ctx)

    def _late(self, ctx: Context) -> Widget:
        t = self.t
        return Column("late", [
            TextBlock("late-body", self.reason, style="title", fill="warning", tone="on_warning"),
            Button("late-accept", t.late_accept, icon="✔", choice=True),
            TextBlock("late-note", t.late_note, tone="text_muted"),
            Spacer("late-end", flex=1),
        ], flex=1)

    def _category_button(self, c: Category) -> Button:
        label = self.t.category_button.format(name=c.plain or c.name, waiting=self.waiting_text(c.id))
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
        if any(c.tasks for c in self.s.cfg.hall.categories):
            parts.append(Button("take-find", t.take_find, icon="?", tone="secondary", style="title"))
        if self.landscape and len(parts) == 2:
            return Column("choose", [Row("choose-row", parts), Spacer("choose-end", flex=1)], flex=1)
        return Column("choose", [*parts, Spacer("choose-end", flex=1)], flex=1)

    def _find(self, ctx: Context) -> Widget:
        items = [ListItem(label=task, value=c.id) for c in self.s.cfg.hall.categories for task in c.tasks]
        cols = 2 if self.landscape and self.mode is not Mode.LARGE else 1
        return Column("find", [PagedList("find-tasks", items, per_page=8, columns=cols, flex=1, style="title")],
                      flex=1)

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

    def problem_text(self) -> str:
        return self.t.printer_problems.get(self.problem) or self.t.printer_problems["offline"]

    def _noprint(self, ctx: Context) -> Widget:
        t = self.t
        return Column("noprint", [
            TextBlock("noprint-body", t.printer_problem_body.format(problem=self.problem_text()), style="title",
                      fill="warning", tone="on_warning"),
            Button("print-on-screen", t.printer_on_screen, icon="✔", choice=True),
            TextBlock("noprint-desk", t.printer_problem_desk, tone="text_muted"),
            Spacer("noprint-end", flex=1),
        ], flex=1)

    def _print_failed(self, ctx: Context) -> Widget:
        t, r = self.t, self.result or {}
        return Column("print-failed", [
            TextBlock("print-failed-body", t.print_failed_body.format(number=r.get("number", ""),
                                                                      problem=self.problem_text()),
                      style="title", fill="warning", tone="on_warning"),
            Button("print-keep", t.print_keep, icon="✔", choice=True),
            Button("print-cancel", t.print_cancel, icon="✖", tone="secondary", choice=True),
            TextBlock("print-cancel-note", t.print_cancel_note, tone="text_muted"),
            Spacer("print-failed-end", flex=1),
        ], flex=1)

    def _cancelled(self, ctx: Context) -> Widget:
        t = self.t
        return Column("cancelled", [
            TextBlock("cancelled-body", t.print_cancelled, style="title", fill="warning", tone="on_warning"),
            TextBlock("cancelled-phone", t.failed_phone.format(phone=self.s.phone_for_help()), style="title"),
            Spacer("cancelled-end", flex=1),
        ], flex=1)

    def _issuing(self, ctx: Context) -> Widget:
        text = {CHECKING: self.t.printer_checking, PRINTING: self.t.printing}.get(self.stage, self.t.issuing)
        return Column("issuing", [Spacer("issuing-top", flex=1),
                                  Label("issuing-text", text, style="title", align="center"),
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
            *self._print_part(),
        ]
        qr = QRImage("ticket-qr", self.s.qr_for_ticket(str(r.get("ticket", "")), r.get("token")), caption=t.ticket_qr_caption,
                     flex=2)
        if self.landscape:
            return Row("ticket", [Column("ticket-info", info, flex=3), qr], flex=1)
        # a QR code about a third of the width: big enough to scan, small beside the number
        qr_row = Row("ticket-qr-row", [Spacer("qr-left", flex=1), qr, Spacer("qr-right", flex=1)], flex=1)
        return Column("ticket", [*info, qr_row, Spacer("ticket-end", flex=0.3)], flex=1)

    def reprint_open(self) -> bool:
        return self.printed_at is not None and self.now - self.printed_at < REPRINT_SECONDS

    def _print_part(self) -> list[Widget]:
        t = self.t
        if self.printed_at is None:
            if not self.s.printer.present:
                return []
            return [TextBlock("ticket-photo", t.on_screen_note, fill="info", tone="on_info", align="center")]
        if self.reprint == "failed":
            note = t.reprint_failed.format(problem=self.problem_text())
        else:
            note = t.printed_note
        if self.reprint == "printing":
            label, enabled = t.reprinting, False
        else:
            label, enabled = (t.reprint, True) if self.reprint_open() else (t.reprint_closed, False)
        self._reprint_drawn_open = enabled
        return [Row("ticket-print", [
            TextBlock("ticket-printed", note, fill="info", tone="on_info", flex=3),
            Button("reprint", label, icon="↻", tone="secondary", enabled=enabled, flex=2),
        ])]

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
            elif wid == "take-find" and self.stage == CHOOSE:
                self._go(FIND)
            elif wid == "green" and self.stage == CONFIRM:
                self.priority = not self.priority
                self.invalidate()
            elif wid == "take-confirm" and self.stage == CONFIRM:
                self.accept_late = self.on_screen = False
                self._check_printer()
            elif wid == "late-accept" and self.stage == LATE:
                self.accept_late = True
                self._issue()
            elif wid == "retry":
                self._go(CHOOSE)
            elif wid == "print-on-screen" and self.stage == NOPRINT:
                self.on_screen = True
                self._issue()
            elif wid == "print-keep" and self.stage == PRINT_FAILED:
                self._deliver_on_screen()
            elif wid == "print-cancel" and self.stage == PRINT_FAILED:
                self.s.void(self.ticket_id, "printer_failed")
                self._go(CANCELLED)
            elif wid == "reprint" and self.stage == TICKET and self.reprint_open() and self.reprint != "printing":
                self.reprint = "printing"
                self._print()
                self.invalidate()
        elif isinstance(message, Chosen) and message.widget_id == "find-tasks" and self.stage == FIND:
            self.category, self.priority = message.value, False
            self._go(CONFIRM)
        elif isinstance(message, (PrinterChecked, PrintFinished)) and message.tag == self.print_tag:
            self._printer_answer(message)
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
            if self.s.printer.present and not self.on_screen:
                self._print()
                self._go(PRINTING)
            else:
                self._deliver_on_screen()
        return None

    # ---- the printer -----------------------------------------------------------------------------
    def _tag(self) -> str:
        self.print_tag = f"take-{next(_JOBS)}"
        self.print_sent = self.now
        return self.print_tag

    def _check_printer(self) -> None:
        if not self.s.printer.present or not self.s.connected:
            self._issue()  # no printer: on screen as always; offline: the desk, at once
            return
        self.s.printer.check(self._tag())
        self._go(CHECKING)

    def _print(self) -> None:
        doc = self.s.ticket_document(self.result or {}, large=self.mode is Mode.LARGE)
        self.s.printer.print(self._tag(), doc)

    def _printed(self) -> None:
        self.printed_at = self.now
        self.s.request("ticket.delivered", {"ticket": self.ticket_id, "how": "printed"})
        self._go(TICKET)

    def _deliver_on_screen(self) -> None:
        self.on_screen = True
        self.s.request("ticket.delivered", {"ticket": self.ticket_id, "how": "on_screen"})
        self._go(TICKET)

    def _printer_answer(self, msg: PrinterChecked | PrintFinished) -> None:
        if isinstance(msg, PrinterChecked):
            if self.stage == CHECKING:
                if msg.state.ready:
                    self._issue()
                else:
                    self.problem = msg.state.value
                    self._go(NOPRINT)
            return
        if self.stage in (PRINTING, PRINT_FAILED):  # a late success after the deadline still counts
            if msg.ok:
                self._printed()
            elif self.stage == PRINTING:
                self.problem = msg.state.value
                self._go(PRINT_FAILED)
        elif self.stage == TICKET and self.reprint == "printing":
            self.reprint = "" if msg.ok else "failed"
            self.problem = "" if msg.ok else msg.state.value
            self.invalidate()

    def _issue(self) -> None:
        assert self.category is not None
        args = {"category": self.category, "priority": self.priority, "large_print": self.mode.value == "large"}
        if self.accept_late:
            args["accept_late"] = True
        self.send_request("ticket.issue", args, ISSUING)

    def tick(self, now: float) -> Transition | None:
        if self.stage == ISSUING and now - self.sent_at >= self.s.settings.reply_timeout:
            self.s.abandon(self.txn)
            self._fail("timeout")
        waited, printer = now - self.print_sent, self.s.printer
        if self.stage == CHECKING and waited >= printer.check_deadline:
            self.problem = "offline"
            self._go(NOPRINT)
        elif self.stage == PRINTING and waited >= printer.print_deadline:
            self.problem = "offline"
            self._go(PRINT_FAILED)
        elif self.stage == TICKET and self.reprint == "printing" and waited >= printer.print_deadline:
            self.reprint, self.problem = "failed", "offline"
            self.invalidate()
        elif self.stage == TICKET and self._reprint_drawn_open and not self.reprint_open():
            self.invalidate()  # 重新打印 turns disabled after REPRINT_SECONDS
        return None
