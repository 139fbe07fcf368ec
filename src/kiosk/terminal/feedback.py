"""办不成事反映: say what could not be done — the service item (from the catalogue, by department or by
pinyin initials, or 其他 / 不确定 in one's own words), what went wrong, an optional note and phone — and,
while in the hall, take a number for the 办不成事反映窗口 in the same step (``feedback.submit``).

Rule: the catalogue is the session's retained one (as 办事指南); until it arrives only 其他 / 不确定 is
offered. The hub opens a case and, with ``want_ticket``, issues the ticket; the screen shows the case
number and its deadline, and the ticket (number, people ahead, window) when one was issued — reported
delivered ``on_screen``. Outside walk-in hours no ticket is offered. Everything typed is forgotten when
the screen closes; the phone is shown only masked.

Stages: item → (department → items | search | own words) → problem → text → phone → review → sending →
done | failed.
"""

from __future__ import annotations

from typing import Any

from ..core.idcard import mask_numbers_in_text, valid_phone
from ..ui.keys import LetterKeyboard, NumericKeypad
from ..ui.paging import ListItem, PagedList
from ..ui.pinyin import PinyinKeyboard
from ..ui.screen import Transition
from ..ui.theme import Mode
from ..ui.widget import Chosen, Column, Context, EntryChanged, EntrySubmitted, Pressed, Row, Spacer, Widget
from ..ui.widgets import Button, Label, TextBlock
from .base import TerminalScreen
from .codes import mask_phone
from .messages import ReplyIn
from .strings_voice import VoiceStrings

ITEM, DEPT, SEARCH, OWN, PROBLEM = "item", "dept", "search", "own", "problem"
TEXT, PHONE, REVIEW = "text", "phone", "review"
SENDING, DONE, FAILED = "sending", "done", "failed"
HUB_WORDED = frozenset({"missing_field", "too_long", "bad_phone", "hall_closed"})
BEFORE = {DEPT: ITEM, SEARCH: ITEM, OWN: ITEM, TEXT: PROBLEM, PHONE: TEXT, REVIEW: PHONE}


class FeedbackScreen(TerminalScreen):
    hub_worded = frozenset(HUB_WORDED)
    def __init__(self, session) -> None:
        super().__init__(session)
        self.v = VoiceStrings()

    def startup(self, data: Any) -> None:
        self._forget()

    def _forget(self) -> None:
        self.stage = ITEM
        self.department = ""
        self.query = ""
        self.item_id = ""
        self.item_text = ""
        self.problem = ""
        self.text = ""
        self.phone = ""
        self.phone_error = False
        self.want_ticket = False
        self.came_from = ITEM
        self.txn: str | None = None
        self.sent_at = 0.0
        self.result: dict[str, Any] = {}
        self.reason = ""

    def cleanup(self) -> None:
        self._forget()

    def _go(self, stage: str) -> None:
        self.stage = stage
        self.invalidate()

    # ---- text --------------------------------------------------------------------------------------
    def title(self) -> str:
        v = self.v
        return {ITEM: v.fb_item_title, DEPT: self.department, SEARCH: v.fb_search_title, OWN: v.fb_item_text_title,
                PROBLEM: v.fb_problem_title, TEXT: v.fb_text_title, PHONE: v.fb_phone_title,
                REVIEW: v.fb_confirm_title, SENDING: v.fb_confirm_title, DONE: v.fb_done_title,
                FAILED: v.fb_failed_title}[self.stage]

    def has_back(self) -> bool:
        return self.stage not in (ITEM, SENDING, DONE)

    def back(self) -> Transition | None:
        target = BEFORE.get(self.stage)
        if self.stage == PROBLEM:
            target = self.came_from
        elif self.stage == FAILED:
            target = REVIEW
        self.txn = None
        self._go(target or ITEM)
        return None

    def item_name(self) -> str:
        cat = self.s.catalog
        item = cat.get(self.item_id) if cat is not None and self.item_id else None
        return item.name if item else self.item_text

    @property
    def offers_ticket(self) -> bool:
        return not self.s.after_hours

    # ---- bodies ------------------------------------------------------------------------------------
    def _columns(self) -> int:
        if self.mode is Mode.LARGE:
            return 2 if self.landscape else 1
        return 3 if self.landscape else 2

    def body(self, ctx: Context) -> Widget:
        return {ITEM: self._item, DEPT: self._dept, SEARCH: self._search, OWN: self._own, PROBLEM: self._problem,
                TEXT: self._text, PHONE: self._phone, REVIEW: self._review, SENDING: self._waiting,
                DONE: self._done, FAILED: self._failed}[self.stage](ctx)

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
        return self._item_list("fb-items", list(cat.by_department.get(self.department, ())) if cat else [])

    def _search(self, ctx: Context) -> Widget:
        v, cat = self.v, self.s.catalog
        kb = LetterKeyboard("fb-kb", value=self.query, max_length=12)
        found = cat.search(self.query) if cat is not None and self.query else []
        if not self.query:
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
        kb = PinyinKeyboard("fb-item-kb", table=self.s.pinyin_table(), value=self.item_text, max_length=100, beside=self.landscape, flex=1,
                            **self.v.pinyin())
        return Column("fb-own", [self._skip_row("own-skip"), kb], flex=1)

    def _problem(self, ctx: Context) -> Widget:
        cols = 2 if self.landscape else 1
        items = [ListItem(label=p, value=p) for p in self.v.fb_problems]
        return PagedList("fb-problems", items, per_page=6, columns=cols, flex=1, stretch=True, max_stretch=1.6)

    def _text(self, ctx: Context) -> Widget:
        kb = PinyinKeyboard("fb-text-kb", table=self.s.pinyin_table(), value=self.text, max_length=300, lines=2, punctuation=True,
                            beside=self.landscape, flex=1, **self.v.pinyin())
        return Column("fb-text", [self._skip_row("text-skip"), kb], flex=1)

    def _phone(self, ctx: Context) -> Widget:
        v = self.v
        pad = NumericKeypad("fb-phone", value=self.phone, max_length=12)
        hint = TextBlock("fb-phone-error", v.phone_bad, fill="warning", tone="on_warning") if self.phone_error \
            else TextBlock("fb-phone-note", v.phone_note, tone="text_muted")
        skip = self._skip_row("phone-skip")
        if self.landscape:
            return Row("fb-phone-body", [pad, Column("fb-phone-side", [hint, skip, Spacer("ps-end", flex=1)])], flex=1)
        return Column("fb-phone-body", [hint, pad, skip, Spacer("phone-end", flex=1)], flex=1)

    def problem_text(self) -> str:
        return f"{self.problem}：{self.text.strip()}" if self.text.strip() else self.problem

    def summary(self) -> str:
        v = self.v
        lines = [v.fb_line_item.format(item=self.item_name() or v.fb_item_other),
                 v.fb_line_problem.format(problem=self.problem)]
        if self.text.strip():
            lines.append(v.fb_line_text.format(text=mask_numbers_in_text(self.text.strip())))
        lines.append(v.fb_line_phone.format(phone=mask_phone(self.phone) if self.phone else v.none))
        return "\n".join(lines)

    def _review(self, ctx: Context) -> Widget:
        v = self.v
        parts: list[Widget] = [TextBlock("fb-summary", self.summary(), fill="surface")]
        if self.offers_ticket:
            parts += [Label("fb-ticket-q", v.fb_ticket_title, style="title", align="left"),
                      Button("fb-ticket", v.fb_ticket_on if self.want_ticket else v.fb_ticket_off,
                             tone="primary" if self.want_ticket else "secondary"),
                      TextBlock("fb-ticket-note", v.fb_ticket_note, tone="text_muted")]
        parts += [Button("fb-submit", v.fb_submit, icon="✔", tone="primary"), Spacer("review-end", flex=1)]
        return Column("fb-review", parts, flex=1)

    def _waiting(self, ctx: Context) -> Widget:
        return Column("fb-wait", [Spacer("wait-top", flex=1),
                                  Label("fb-sending", self.v.sending, style="title", align="center"),
                                  Spacer("wait-bottom", flex=1)], flex=1)

    def _done(self, ctx: Context) -> Widget:
        v, r = self.v, self.result
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
        return self.failure_panel("fb-error", "fb-retry", "fb-failed", self.v.failed_phone, self.v.retry)

    # ---- behaviour ---------------------------------------------------------------------------------
    def args(self) -> dict[str, Any]:
        out: dict[str, Any] = {"problem": self.problem_text(), "want_ticket": self.want_ticket and self.offers_ticket}
        if self.item_id:
            out["item"] = self.item_id
        elif self.item_text.strip():
            out["item_text"] = self.item_text.strip()
        if self.phone:
            out["phone"] = self.phone
        return out

    def _send(self, txn: str | None = None) -> None:
        self.send_request("feedback.submit", self.args(), SENDING, txn)

    def _fail(self, code: str, message: str = "") -> None:
        v = self.v
        self.reason = self.refusal(code, message, v.errors, v.error_other)
        self._go(FAILED)

    def _answer(self, msg: ReplyIn) -> None:
        rep = msg.reply
        self.txn = None
        if not rep.ok or not isinstance(rep.result, dict):
            self._fail(rep.code or "error", rep.message or "")
            return
        self.result = rep.result
        ticket = rep.result.get("ticket")
        if isinstance(ticket, dict) and ticket.get("ticket"):
            self.s.request("ticket.delivered", {"ticket": ticket["ticket"], "how": "on_screen"})
        self.text = self.phone = self.item_text = ""  # on screen now: the case number and the ticket only
        self._go(DONE)

    def _choose_item(self, item_id: str) -> None:
        self.came_from, self.item_id, self.item_text = self.stage, item_id, ""
        self._go(PROBLEM)

    def on(self, message: Any) -> Transition | None:
        if isinstance(message, ReplyIn):
            if self.txn and message.reply.txn == self.txn and self.stage in (SENDING, FAILED):
                self._answer(message)
        elif isinstance(message, Chosen):
            wid, value = message.widget_id, message.value
            if wid == "fb-depts" and self.stage == ITEM:
                self.department = value
                self._go(DEPT)
            elif wid in ("fb-items", "fb-results") and self.stage in (DEPT, SEARCH):
                self._choose_item(value)
            elif wid == "fb-problems" and self.stage == PROBLEM:
                self.problem = value
                self._go(TEXT)
        elif isinstance(message, EntryChanged) and message.widget_id == "fb-kb":
            self.query = message.value
            self.invalidate()
        elif isinstance(message, EntrySubmitted):
            self._on_entry(message.widget_id, message.value)
        elif isinstance(message, Pressed):
            self._on_press(message.widget_id)
        return None

    def _on_entry(self, wid: str, value: str) -> None:
        if wid == "fb-item-kb" and self.stage == OWN:
            self.came_from, self.item_id, self.item_text = OWN, "", value
            self._go(PROBLEM)
        elif wid == "fb-text-kb" and self.stage == TEXT:
            self.text = value
            self._go(PHONE)
        elif wid == "fb-phone" and self.stage == PHONE:
            self.phone = value
            self.phone_error = bool(value) and valid_phone(value) is None
            self._go(PHONE if self.phone_error else REVIEW)

    def _on_press(self, wid: str) -> None:
        if wid == "fb-other" and self.stage == ITEM:
            self.item_id = ""
            self._go(OWN)
        elif wid == "fb-search" and self.stage == ITEM:
            self._go(SEARCH)
        elif wid == "own-skip" and self.stage == OWN:
            self.came_from, self.item_id, self.item_text = OWN, "", ""
            self._go(PROBLEM)
        elif wid == "text-skip" and self.stage == TEXT:
            self.text = ""
            self._go(PHONE)
        elif wid == "phone-skip" and self.stage == PHONE:
            self.phone, self.phone_error = "", False
            self._go(REVIEW)
        elif wid == "fb-ticket" and self.stage == REVIEW:
            self.want_ticket = not self.want_ticket
            self.invalidate()
        elif wid == "fb-submit" and self.stage == REVIEW:
            self._send()
        elif wid == "fb-retry" and self.stage == FAILED and self.txn:
            self._send(txn=self.txn)

    def tick(self, now: float) -> Transition | None:
        if self.stage == SENDING and now - self.sent_at >= self.s.settings.reply_timeout:
            self._fail("timeout")  # self.txn stays: a late reply is still taken, 重试 sends it again
        return None
