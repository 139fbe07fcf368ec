"""办不成事反映: the view of :class:`kiosk.terminal.flows.feedback.FeedbackFlow` (the item, what went wrong,
a note and a phone, and in walk-in hours a number for the 办不成事反映窗口).

Rule: the catalogue is the session's retained one (as 办事指南); until it arrives only 其他 / 不确定 is
offered. Everything typed lives in the flow and is forgotten when the screen closes; the phone is shown
only masked.
"""

from __future__ import annotations

from typing import Any

from ..core.idcard import mask_numbers_in_text
from ..ui.keys import LetterKeyboard, NumericKeypad
from ..ui.paging import ListItem, PagedList
from ..ui.pinyin import PinyinKeyboard
from ..ui.theme import Mode
from ..ui.widget import Column, Context, EntryChanged, Row, Spacer, Widget
from ..ui.widgets import Button, Label, TextBlock
from .codes import mask_phone
from .flow_screen import FlowScreen
from .flows.base import Entered
from .flows.feedback import FeedbackFlow, Stage
from .strings_voice import VoiceStrings

S = Stage


class FeedbackScreen(FlowScreen):
    flow: FeedbackFlow

    def __init__(self, session) -> None:
        super().__init__(session)
        self.v = VoiceStrings()

    def make_flow(self, data: Any) -> FeedbackFlow:
        return FeedbackFlow(reply_timeout=self.s.settings.reply_timeout, errors=self.v.errors,
                            other=self.v.error_other)

    def on(self, message: Any):
        if isinstance(message, EntryChanged) and message.widget_id == "fb-kb":  # the search as it is typed
            self.feed(Entered(message.widget_id, message.value))
            return None
        return super().on(message)

    # ---- text --------------------------------------------------------------------------------------
    def title(self) -> str:
        v = self.v
        return {S.ITEM: v.fb_item_title, S.DEPT: self.flow.department, S.SEARCH: v.fb_search_title,
                S.OWN: v.fb_item_text_title, S.PROBLEM: v.fb_problem_title, S.TEXT: v.fb_text_title,
                S.PHONE: v.fb_phone_title, S.REVIEW: v.fb_confirm_title, S.SENDING: v.fb_confirm_title,
                S.DONE: v.fb_done_title, S.FAILED: v.fb_failed_title}[self.flow.stage]

    def item_name(self) -> str:
        cat = self.s.catalog
        item = cat.get(self.flow.item_id) if cat is not None and self.flow.item_id else None
        return item.name if item else self.flow.item_text

    @property
    def offers_ticket(self) -> bool:
        return not self.s.after_hours

    # ---- bodies ------------------------------------------------------------------------------------
    def _columns(self) -> int:
        if self.mode is Mode.LARGE:
            return 2 if self.landscape else 1
        return 3 if self.landscape else 2

    def body(self, ctx: Context) -> Widget:
        return {S.ITEM: self._item, S.DEPT: self._dept, S.SEARCH: self._search, S.OWN: self._own,
                S.PROBLEM: self._problem, S.TEXT: self._text, S.PHONE: self._phone, S.REVIEW: self._review,
                S.SENDING: self._waiting, S.DONE: self._done, S.FAILED: self._failed}[self.flow.stage](ctx)

    def _item(self, ctx: Context) -> Widget:
        v, cat = self.v, self.s.catalog
        parts: list[Widget] = [Row("fb-item-ways", [
            Button("fb-other", v.fb_item_other, icon="？", tone="primary", choice=True),
            *([Button("fb-search", v.fb_search, icon="○", tone="secondary", choice=True)] if cat else []),
        ])]
        if cat is not None:
            items = [ListItem(label=name, value=name) for name in cat.by_department]
            parts.append(PagedList("fb-depts", items, per_page=ctx.theme.max_choices - 2, columns=self._columns(),
                                   flex=1, stretch=True, max_stretch=1.6))
        else:
            parts.append(Spacer("fb-item-end", flex=1))
        return Column("fb-item", parts, flex=1)

    def _item_list(self, id: str, items: list[Any]) -> PagedList:
        return PagedList(id, [ListItem(label=i.name, value=i.id) for i in items], per_page=8,
                         columns=1 if self.landscape and id == "fb-results" else self._columns(), flex=1,
                         stretch=True, max_stretch=1.6)

    def _dept(self, ctx: Context) -> Widget:
        cat = self.s.catalog
        return self._item_list("fb-items", list(cat.by_department.get(self.flow.department, ())) if cat else [])

    def _search(self, ctx: Context) -> Widget:
        v, cat = self.v, self.s.catalog
        kb = LetterKeyboard("fb-kb", value=self.flow.query, max_length=12)
        found = cat.search(self.flow.query) if cat is not None and self.flow.query else []
        if not self.flow.query:
            results: Widget = TextBlock("fb-search-hint", v.fb_search_hint, tone="text_muted", flex=1)
        elif found:
            results = self._item_list("fb-results", found)
        else:
            results = TextBlock("fb-search-none", v.fb_search_none, fill="warning", tone="on_warning")
        if self.landscape:
            return Row("fb-search-body", [Column("fb-kb-col", [kb, Spacer("kb-end", flex=1)], flex=3),
                                          Column("fb-results-col", [results], flex=2)], flex=1)
        return Column("fb-search-body", [kb, results], flex=1)

    def _skip_row(self, id: str) -> Row:
        return Row(f"{id}-row", [Spacer(f"{id}-space", flex=2), Button(id, self.v.skip, icon="▶", tone="secondary")])

    def _own(self, ctx: Context) -> Widget:
        kb = PinyinKeyboard("fb-item-kb", table=self.s.pinyin_table(), value=self.flow.item_text, max_length=100, beside=self.landscape, flex=1,
                            **self.v.pinyin())
        return Column("fb-own", [self._skip_row("own-skip"), kb], flex=1)

    def _problem(self, ctx: Context) -> Widget:
        cols = 2 if self.landscape else 1
        items = [ListItem(label=p, value=p) for p in self.v.fb_problems]
        return PagedList("fb-problems", items, per_page=6, columns=cols, flex=1, stretch=True, max_stretch=1.6)

    def _text(self, ctx: Context) -> Widget:
        kb = PinyinKeyboard("fb-text-kb", table=self.s.pinyin_table(), value=self.flow.text, max_length=300, lines=2, punctuation=True,
                            beside=self.landscape, flex=1, **self.v.pinyin())
        return Column("fb-text", [self._skip_row("text-skip"), kb], flex=1)

    def _phone(self, ctx: Context) -> Widget:
        v = self.v
        pad = NumericKeypad("fb-phone", value=self.flow.phone, max_length=12)
        hint = TextBlock("fb-phone-error", v.phone_bad, fill="warning", tone="on_warning") if self.flow.phone_error \
            else TextBlock("fb-phone-note", v.phone_note, tone="text_muted")
        skip = self._skip_row("phone-skip")
        if self.landscape:
            return Row("fb-phone-body", [pad, Column("fb-phone-side", [hint, skip, Spacer("ps-end", flex=1)])], flex=1)
        return Column("fb-phone-body", [hint, pad, skip, Spacer("phone-end", flex=1)], flex=1)

    def summary(self) -> str:
        v = self.v
        lines = [v.fb_line_item.format(item=self.item_name() or v.fb_item_other),
                 v.fb_line_problem.format(problem=self.flow.problem)]
        if self.flow.text.strip():
            lines.append(v.fb_line_text.format(text=mask_numbers_in_text(self.flow.text.strip())))
        lines.append(v.fb_line_phone.format(phone=mask_phone(self.flow.phone) if self.flow.phone else v.none))
        return "\n".join(lines)

    def _review(self, ctx: Context) -> Widget:
        v = self.v
        parts: list[Widget] = [TextBlock("fb-summary", self.summary(), fill="surface")]
        if self.offers_ticket:
            parts += [Label("fb-ticket-q", v.fb_ticket_title, style="title", align="left"),
                      Button("fb-ticket", v.fb_ticket_on if self.flow.want_ticket else v.fb_ticket_off,
                             tone="primary" if self.flow.want_ticket else "secondary"),
                      TextBlock("fb-ticket-note", v.fb_ticket_note, tone="text_muted")]
        parts += [Button("fb-submit", v.fb_submit, icon="✔", tone="primary", value=self.offers_ticket), Spacer("review-end", flex=1)]
        return Column("fb-review", parts, flex=1)

    def _waiting(self, ctx: Context) -> Widget:
        return Column("fb-wait", [Spacer("wait-top", flex=1),
                                  Label("fb-sending", self.v.sending, style="title", align="center"),
                                  Spacer("wait-bottom", flex=1)], flex=1)

    def _done(self, ctx: Context) -> Widget:
        v, r = self.v, self.flow.result
        parts: list[Widget] = [TextBlock("fb-case", v.fb_case.format(case=r.get("case", ""),
                                                                     deadline=r.get("deadline", "")),
                                         style="title", fill="surface")]
        ticket = r.get("ticket") if isinstance(r.get("ticket"), dict) else None
        if ticket:
            windows = self.s.windows_for(str(ticket.get("category", "")))
            parts += [Label("fb-ticket-label", v.fb_ticket_number, align="center"),
                      Label("ticket-number", str(ticket.get("number", "")), style="display", align="center"),
                      TextBlock("ticket-ahead", v.fb_ahead.format(n=ticket.get("people_ahead", 0)), style="title",
                                align="center"),
                      TextBlock("ticket-where", v.fb_where.format(windows=windows), fill="info", tone="on_info")]
        parts.append(Spacer("done-end", flex=1))
        return Column("fb-finished", parts, flex=1)

    def _failed(self, ctx: Context) -> Widget:
        return self.failure_panel("fb-error", "fb-retry", "fb-failed", self.v.failed_phone, self.v.retry,
                                  reason=self.flow.reason, can_retry=self.flow.txn is not None)
