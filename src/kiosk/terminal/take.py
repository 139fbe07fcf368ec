"""取号: the view of :class:`kiosk.terminal.flows.take.TakeFlow` (the stages, the hub, the printer and
what happens to every issued ticket are documented and decided there).

Rule: this module only draws the flow's state; every tap, reply, printer answer and tick goes to the
flow through :class:`~kiosk.terminal.flow_screen.FlowScreen`, which carries the flow's effects out.
"""

from __future__ import annotations

import itertools
from typing import Any, ClassVar

from ..core.model import Category
from ..ui.paging import ListItem, PagedList
from ..ui.screen import Replace, Transition
from ..ui.theme import Mode
from ..ui.widget import Column, Context, Grid, Pressed, Row, Spacer, Widget
from ..ui.widgets import Button, Label, QRImage, TextBlock
from .base import BOOK
from .codes import ticket_qr
from .flow_screen import FlowScreen
from .flows.take import REPRINT_SECONDS, Printer, Stage, TakeFlow

GROUPS = ("domain", "comprehensive", "complaint")
S = Stage
_JOBS = itertools.count(1)  # print job tags, unique in this process
LATE_BOOK = "late-book"

__all__ = ["TakeNumberScreen", "REPRINT_SECONDS"]


class TakeNumberScreen(FlowScreen):
    watches: ClassVar[frozenset[str]] = frozenset({"board", "idcard"})
    flow: TakeFlow

    def make_flow(self, data: Any) -> TakeFlow:
        p, t = self.s.printer, self.t
        return TakeFlow(reply_timeout=self.s.settings.reply_timeout, errors=t.error_codes, other=t.error_other,
                        printer=Printer(p.present, p.check_deadline, p.print_deadline),
                        tags=lambda: f"take-{next(_JOBS)}",
                        priority_age=self.s.idcard.priority_age if self.s.idcard.present else None)

    # ---- text ------------------------------------------------------------------------------------
    def title(self) -> str:
        t = self.t
        return {S.CHOOSE: t.take_title, S.FIND: t.find_title, S.CONFIRM: t.confirm_title, S.ISSUING: t.confirm_title,
                S.TICKET: t.ticket_title, S.FAILED: t.failed_title, S.LATE: t.late_title,
                S.CHECKING: t.confirm_title, S.NOPRINT: t.printer_problem_title, S.PRINTING: t.ticket_title,
                S.PRINT_FAILED: t.print_failed_title, S.CANCELLED: t.print_cancelled_title}[self.flow.stage]

    def waiting_text(self, cid: str) -> str:
        n = self.s.waiting(cid)
        return self.t.waiting_unknown if n is None else self.t.waiting_count.format(n=n)

    # ---- bodies ----------------------------------------------------------------------------------
    def body(self, ctx: Context) -> Widget:
        return {S.CHOOSE: self._choose, S.FIND: self._find, S.CONFIRM: self._confirm, S.ISSUING: self._issuing, S.TICKET: self._ticket,
                S.FAILED: self._failed, S.LATE: self._late, S.CHECKING: self._issuing, S.NOPRINT: self._noprint,
                S.PRINTING: self._issuing, S.PRINT_FAILED: self._print_failed,
                S.CANCELLED: self._cancelled}[self.flow.stage](ctx)

    def _late(self, ctx: Context) -> Widget:
        t = self.t
        return Column("late", [
            TextBlock("late-body", self.flow.reason, style="title", fill="warning", tone="on_warning"),
            Button("late-accept", t.late_accept, icon="✔", choice=True),
            Button(LATE_BOOK, t.late_book, icon="▶", tone="secondary", choice=True),
            TextBlock("late-note", t.late_note, tone="text_muted"),
            Spacer("late-end", flex=1),
        ], flex=1)

    def on(self, message: Any) -> Transition | None:
        if isinstance(message, Pressed) and message.widget_id == LATE_BOOK:
            return Replace(key=BOOK)  # the hub said 可改为预约: booking, in place of this screen
        return super().on(message)

    def _card_note(self) -> list[Widget]:
        """What the card said (绿色通道 by age, or why it was not read), else the invitation to use it."""
        t, f = self.t, self.flow
        age = self.s.idcard.priority_age
        if f.card == "aged":
            return [TextBlock("card-note", t.card_aged, fill="ok", tone="on_ok")]
        if f.card == "young":
            return [TextBlock("card-note", t.card_young.format(age=age), fill="info", tone="on_info")]
        if f.card:
            return [TextBlock("card-note", t.card_problems.get(f.card, t.card_problems["pulled"]),
                              fill="warning", tone="on_warning")]
        if self.s.cards_ready:
            return [TextBlock("card-hint", t.card_take_hint.format(age=age), tone="text_muted")]
        return []

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
        note = self._card_note()
        if self.landscape and note and isinstance(parts[-1], Button):  # no spare height: beside 不知道选哪个
            parts[-1] = Row("find-row", [parts[-1], *note])
            note = []
        if self.landscape and len(parts) == 2:
            return Column("choose", [Row("choose-row", parts), *note, Spacer("choose-end", flex=1)], flex=1)
        return Column("choose", [*parts, *note, Spacer("choose-end", flex=1)], flex=1)

    def _find(self, ctx: Context) -> Widget:
        items = [ListItem(label=task, value=c.id) for c in self.s.cfg.hall.categories for task in c.tasks]
        cols = 2 if self.landscape and self.mode is not Mode.LARGE else 1
        return Column("find", [PagedList("find-tasks", items, per_page=8, columns=cols, flex=1, style="title")],
                      flex=1)

    def _confirm(self, ctx: Context) -> Widget:
        t = self.t
        f = self.flow
        assert f.category is not None
        n = self.s.waiting(f.category)
        return Column("confirm", [
            TextBlock("confirm-category", t.confirm_category.format(name=self.s.category_name(f.category)),
                      style="title", fill="surface"),
            TextBlock("confirm-waiting", t.waiting_unknown if n is None else t.confirm_waiting.format(n=n)),
            *self._card_note(),
            Button("green", t.green_on if f.priority else t.green_off, tone="primary" if f.priority
                   else "secondary", choice=True),
            TextBlock("green-note", t.green_note, tone="text_muted"),
            Button("take-confirm", t.take_confirm, icon="✔", choice=True),
            Spacer("confirm-end", flex=1),
        ], flex=1)

    def problem_text(self) -> str:
        return self.t.printer_problems.get(self.flow.problem) or self.t.printer_problems["offline"]

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
        t, r = self.t, self.flow.result or {}
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
        text = {S.CHECKING: self.t.printer_checking, S.PRINTING: self.t.printing}.get(self.flow.stage, self.t.issuing)
        return Column("issuing", [Spacer("issuing-top", flex=1),
                                  Label("issuing-text", text, style="title", align="center"),
                                  Spacer("issuing-bottom", flex=1)], flex=1)

    def _ticket(self, ctx: Context) -> Widget:
        t, r = self.t, self.flow.result or {}
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
        qr = QRImage("ticket-qr", ticket_qr(self.s.cfg.site_id, str(r.get("ticket", "")), r.get("token"), self.s.cfg.phone_base), caption=t.ticket_qr_caption,
                     flex=2)
        if self.landscape:
            return Row("ticket", [Column("ticket-info", info, flex=3), qr], flex=1)
        # a QR code about a third of the width: big enough to scan, small beside the number
        qr_row = Row("ticket-qr-row", [Spacer("qr-left", flex=1), qr, Spacer("qr-right", flex=1)], flex=1)
        return Column("ticket", [*info, qr_row, Spacer("ticket-end", flex=0.3)], flex=1)

    def _print_part(self) -> list[Widget]:
        t = self.t
        f = self.flow
        if f.printed_at is None:
            if not self.s.printer.present:
                return []
            return [TextBlock("ticket-photo", t.on_screen_note, fill="info", tone="on_info", align="center")]
        if f.reprint == "failed":
            note = t.reprint_failed.format(problem=self.problem_text())
        else:
            note = t.printed_note
        if f.reprint == "printing":
            label, enabled = t.reprinting, False
        else:
            label, enabled = (t.reprint, True) if f.reprint_open(self.now) else (t.reprint_closed, False)
        return [Row("ticket-print", [
            TextBlock("ticket-printed", note, fill="info", tone="on_info", flex=3),
            Button("reprint", label, icon="↻", tone="secondary", enabled=enabled, flex=2),
        ])]

    def _failed(self, ctx: Context) -> Widget:
        t = self.t
        return Column("failed", [
            TextBlock("failed-body", t.failed_body, style="title", fill="warning", tone="on_warning"),
            TextBlock("failed-phone", t.failed_phone.format(phone=self.s.phone_for_help()), style="title"),
            TextBlock("failed-reason", t.failed_reason.format(reason=self.flow.reason), tone="text_muted"),
            Button("retry", t.retry, icon="↻", tone="secondary", choice=True),
            Spacer("failed-end", flex=1),
        ], flex=1)
