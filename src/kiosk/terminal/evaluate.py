"""办事评价 (好差评) at the kiosk: the view of :class:`kiosk.terminal.flows.evaluate.EvaluateFlow` (the ticket
looked up first, the five official levels, reasons, comment, phone, ``evaluation.submit`` with
``channel = "kiosk"``).

Rule: 严禁先评价、后办事 and 严禁强制好评. The five levels are ``kiosk.core.evaluation.LEVELS`` exactly, in one
grid of equal cells, one tone and one style, none chosen when the page opens; a choice is shown by a mark
in words (■ … 已选择) and must be confirmed. Nothing on screen favours a level. The phone is shown only
masked once entered. A ticket QR scanned here is evaluated; a booking QR opens 预约签到.
"""

from __future__ import annotations

from typing import Any, ClassVar

from ..core import evaluation as E
from ..core.idcard import mask_numbers_in_text
from ..protocol import links
from ..protocol.links import ScannedTicket
from ..ui.choices import EqualGrid
from ..ui.keys import LetterKeyboard, NumericKeypad
from ..ui.paging import ListItem, PagedList
from ..ui.pinyin import PinyinKeyboard
from ..ui.screen import Reset, Transition
from ..ui.theme import Mode
from ..ui.widget import Column, Context, Row, Spacer, Widget
from ..ui.widgets import Button, Label, TextBlock
from .base import CHECKIN
from .codes import code_from_scan, mask_phone
from .flow_screen import FlowScreen
from .flows.base import Entered
from .flows.evaluate import NUMBER as _NUMBER, SCAN, TICKET_ID as _TICKET_ID, EvaluateFlow, Stage
from .messages import ScanResult
from .strings_voice import VoiceStrings

S = Stage


class LevelGrid(EqualGrid):
    """The five levels: cells of exactly one size, so no level is bigger than another."""


def ticket_from_scan(text: str, site: str, base: str = "") -> ScannedTicket | None:
    """The ticket in a scanned ``<base>/t/<token>`` (the token only) or ``HT1|<site>|<ticket id>[|<token>]``;
    None for another code or another centre's."""
    found = links.scanned_ticket(text, site=site, base=base)
    if found is None or (found.ref and not (_TICKET_ID.match(found.ref) or _NUMBER.match(found.ref))):
        return None
    return found if found.ref or found.token else None


class EvaluateScreen(FlowScreen):
    takes_scans: ClassVar[bool] = True
    flow: EvaluateFlow

    def __init__(self, session) -> None:
        super().__init__(session)
        self.v = VoiceStrings()

    def make_flow(self, data: Any) -> EvaluateFlow:
        return EvaluateFlow(reply_timeout=self.s.settings.reply_timeout, errors=self.v.errors,
                            other=self.v.error_other)

    def startup(self, data: Any) -> None:
        super().startup(data)
        ref = data.get("ticket") if isinstance(data, dict) else None
        if ref:
            self.feed(Entered("ticket-kb", str(ref)))

    def on(self, message: Any) -> Transition | None:
        if isinstance(message, ScanResult):
            if self.flow.stage in (S.CHECKING, S.SENDING):
                return None
            base = self.s.cfg.phone_base
            found = ticket_from_scan(message.text, self.s.cfg.site_id, base)
            if found:
                self.feed(Entered(SCAN, found.ref, extra=found.token))
                return None
            code = code_from_scan(message.text, self.s.cfg.site_id, base)
            return Reset(key=CHECKIN, data={"code": code}) if code else None
        return super().on(message)

    # ---- text --------------------------------------------------------------------------------------
    def title(self) -> str:
        v = self.v
        return {S.TICKET: v.eval_ticket_title, S.CHECKING: v.eval_ticket_title, S.LEVEL: v.eval_level_title,
                S.REASONS: v.eval_reasons_title, S.TEXT: v.eval_text_title, S.PHONE: v.eval_phone_title,
                S.REVIEW: v.eval_review_title, S.SENDING: v.eval_review_title, S.DONE: v.eval_done_title,
                S.FAILED: v.eval_failed_title}[self.flow.stage]

    def ticket_rows(self) -> tuple[str, ...]:
        letters = "".join(sorted({c.id[0] for c in self.s.cfg.hall.categories if c.id[:1].isalpha()}))
        return (letters or "ABCDEF", "1234567890")

    # ---- bodies ------------------------------------------------------------------------------------
    def body(self, ctx: Context) -> Widget:
        return {S.TICKET: self._ticket, S.CHECKING: self._waiting, S.LEVEL: self._level, S.REASONS: self._reasons,
                S.TEXT: self._text, S.PHONE: self._phone, S.REVIEW: self._review, S.SENDING: self._waiting,
                S.DONE: self._done, S.FAILED: self._failed}[self.flow.stage](ctx)

    def _waiting(self, ctx: Context) -> Widget:
        text = self.v.eval_checking if self.flow.stage is S.CHECKING else self.v.sending
        return Column("eval-wait", [Spacer("wait-top", flex=1), Label("eval-waiting", text, style="title",
                                                                      align="center"),
                                    Spacer("wait-bottom", flex=1)], flex=1)

    def _ticket(self, ctx: Context) -> Widget:
        v = self.v
        kb = LetterKeyboard("ticket-kb", rows=self.ticket_rows(), value=self.flow.ref, max_length=13)
        hint = TextBlock("ticket-error", v.eval_ticket_bad, fill="warning", tone="on_warning") if self.flow.entry_error \
            else TextBlock("ticket-hint", v.eval_ticket_hint, tone="text_muted")
        if self.landscape:
            return Row("eval-ticket", [Column("ticket-main", [kb, Spacer("kb-end", flex=1)], flex=3),
                                       Column("ticket-side", [hint, Spacer("side-end", flex=1)], flex=2)], flex=1)
        return Column("eval-ticket", [hint, kb, Spacer("ticket-end", flex=1)], flex=1)

    def level_label(self, level: int) -> str:
        label = E.LEVEL_LABELS[level]
        return self.v.selected.format(label=label) if level == self.flow.level else self.v.unselected.format(label=label)

    def _level(self, ctx: Context) -> Widget:
        v = self.v
        # one grid: every level gets the same cell, tone and text style; the order is the official one
        buttons = [Button(f"level-{n}", self.level_label(n), value=n, tone="primary" if n == self.flow.level
                          else "secondary", choice=True, style="title") for n, _ in E.LEVELS]
        grid = LevelGrid("levels", buttons, cols=5 if self.landscape else 1, flex=1)
        chosen = self.flow.level is not None
        confirm = Button("eval-confirm", v.eval_confirm if chosen else v.eval_confirm_wait, icon="✔" if chosen
                         else None, enabled=chosen, tone="primary")
        return Column("eval-level", [
            TextBlock("eval-for", v.eval_level_for.format(number=self.flow.number or self.flow.ref), style="title"),
            grid,
            TextBlock("eval-note", v.eval_level_note, tone="text_muted"),
            confirm,
        ], flex=1)

    def _reasons(self, ctx: Context) -> Widget:
        v = self.v
        items = [ListItem(label=v.selected.format(label=label) if rid in self.flow.reasons
                          else v.unselected.format(label=label), value=rid) for rid, label in E.BAD_REASONS.items()]
        cols = 1 if self.mode is Mode.LARGE and not self.landscape else 2
        parts: list[Widget] = []
        if self.flow.note:
            parts.append(TextBlock("reasons-error", E.MSG_NEED_REASON, fill="warning", tone="on_warning"))
        parts += [PagedList("reasons", items, per_page=8, columns=cols, flex=1, stretch=True, max_stretch=1.8),
                  Button("reasons-done", v.next, icon="▶", tone="primary")]
        return Column("eval-reasons", parts, flex=1)

    def _skip_row(self, id: str) -> Row:
        return Row(f"{id}-row", [Spacer(f"{id}-space", flex=2), Button(id, self.v.skip, icon="▶", tone="secondary")])

    def _text(self, ctx: Context) -> Widget:
        v = self.v
        kb = PinyinKeyboard("eval-text-kb", table=self.s.pinyin_table(), value=self.flow.text, max_length=E.TEXT_MAX, lines=2, punctuation=True,
                            beside=self.landscape, hint=v.eval_text_hint, flex=1, **v.pinyin())
        return Column("eval-text", [self._skip_row("text-skip"), kb], flex=1)

    def _phone(self, ctx: Context) -> Widget:
        v = self.v
        pad = NumericKeypad("eval-phone", value=self.flow.phone, max_length=12)
        hint = TextBlock("eval-phone-error", v.phone_bad, fill="warning", tone="on_warning") if self.flow.phone_error \
            else TextBlock("eval-phone-note", v.phone_note, tone="text_muted")
        skip = self._skip_row("phone-skip")
        if self.landscape:
            return Row("eval-phone-body", [pad, Column("eval-phone-side", [hint, skip, Spacer("ps-end", flex=1)])],
                       flex=1)
        return Column("eval-phone-body", [hint, pad, skip, Spacer("phone-end", flex=1)], flex=1)

    def summary(self) -> str:
        v, t = self.v, self.s.strings
        assert self.flow.level is not None
        lines = [v.eval_done.format(number=self.flow.number or self.flow.ref, label=E.label(self.flow.level)),
                 "、".join(E.reason_labels(self.flow.reasons))]
        if self.flow.text:
            lines.append(v.fb_line_text.format(text=mask_numbers_in_text(self.flow.text)))
        lines.append(t.line_phone.format(phone=mask_phone(self.flow.phone) if self.flow.phone else v.none))
        return "\n".join(lines)

    def _review(self, ctx: Context) -> Widget:
        return Column("eval-review", [
            TextBlock("eval-summary", self.summary(), style="title", fill="surface"),
            Button("eval-submit", self.v.eval_confirm, icon="✔", tone="primary"),
            Spacer("review-end", flex=1),
        ], flex=1)

    def _done(self, ctx: Context) -> Widget:
        v, r = self.v, self.flow.result
        parts: list[Widget] = [TextBlock("eval-done", v.eval_done.format(number=r.get("number", self.flow.ref),
                                                                         label=r.get("label", "")), style="title",
                                         fill="surface")]
        if r.get("case"):
            callback = v.eval_done_callback.format(phone=r["phone"]) if r.get("phone") else ""
            parts.append(TextBlock("eval-case", v.eval_done_case.format(callback=callback), fill="info",
                                   tone="on_info"))
        parts += [TextBlock("eval-thanks", v.eval_thanks), Spacer("done-end", flex=1)]
        return Column("eval-finished", parts, flex=1)

    def _failed(self, ctx: Context) -> Widget:
        return self.failure_panel("eval-error", "eval-retry", "eval-failed", self.v.failed_phone, self.v.retry,
                                  reason=self.flow.reason, can_retry=self.flow.txn is not None)
