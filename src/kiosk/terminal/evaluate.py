"""办事评价 (好差评) at the kiosk: the ticket number — typed, or the ticket's QR code scanned — then one of
the five official levels, chosen and confirmed; for 不满意 / 非常不满意 the reasons, an optional comment
and an optional phone for the call-back; then ``evaluation.submit`` with ``channel = "kiosk"``.

Rule: 严禁先评价、后办事 and 严禁强制好评. The ticket is looked up first (``ticket.info``); one that is not
completed is refused on screen before any level is offered (the hub refuses it too: ``not_served``).
The five levels are ``kiosk.core.evaluation.LEVELS`` exactly, in one grid of equal cells, one tone and
one style, none chosen when the page opens; a choice is shown by a mark in words (■ … 已选择) and must
be confirmed. Nothing on screen favours a level. The comment and the phone are optional (跳过); the
phone is shown only masked once entered. Everything typed is forgotten when the screen closes.

Stages: ticket → checking → level → [reasons → text → phone → review] → sending → done | failed.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from ..core import evaluation as E
from ..core.idcard import mask_numbers_in_text, valid_phone
from ..ui.choices import EqualGrid
from ..ui.keys import LetterKeyboard, NumericKeypad
from ..ui.paging import ListItem, PagedList
from ..ui.pinyin import PinyinKeyboard
from ..ui.screen import Reset, Transition
from ..ui.theme import Mode
from ..ui.widget import Chosen, Column, Context, EntrySubmitted, Pressed, Row, Spacer, Widget
from ..ui.widgets import Button, Label, TextBlock
from .base import CHECKIN, TerminalScreen
from .codes import code_from_scan, mask_phone
from .messages import ReplyIn, ScanResult
from .session import QR_PREFIX
from .strings_voice import VoiceStrings

TICKET, CHECKING, LEVEL, REASONS = "ticket", "checking", "level", "reasons"
TEXT, PHONE, REVIEW = "text", "phone", "review"
SENDING, DONE, FAILED = "sending", "done", "failed"
WAITING = (CHECKING, SENDING)
_NUMBER = re.compile(r"^[A-Z][A-Z0-9]{0,7}\d{3,}$")           # today's number: C012
_TICKET_ID = re.compile(r"^\d{8}-[A-Z][A-Z0-9]{0,7}\d{3,}$")   # a ticket id: 20261129-C012
HUB_WORDED = frozenset({"unknown_ticket", "too_late", "bad_phone", "too_long", "missing_field", "bad_value"})


class LevelGrid(EqualGrid):
    """The five levels: cells of exactly one size, so no level is bigger than another."""


def ticket_from_scan(text: str, site: str) -> str | None:
    """The ticket id in a scanned ``HT1|<site>|<ticket id>[|<token>]``, or None (another code, another centre)."""
    parts = [p.strip() for p in text.strip().split("|")]
    if len(parts) not in (3, 4) or parts[0].upper() != QR_PREFIX or parts[1] != site:
        return None
    ref = parts[2].upper()
    return ref if _TICKET_ID.match(ref) or _NUMBER.match(ref) else None


def token_from_scan(text: str) -> str:
    """The ticket's secret token in a scanned ticket QR ("" in an older QR without one)."""
    parts = [p.strip() for p in text.strip().split("|")]
    return parts[3] if len(parts) == 4 else ""


class EvaluateScreen(TerminalScreen):
    hub_worded = frozenset(HUB_WORDED)
    takes_scans: ClassVar[bool] = True

    def __init__(self, session) -> None:
        super().__init__(session)
        self.v = VoiceStrings()

    def startup(self, data: Any) -> None:
        self._forget()
        ref = data.get("ticket") if isinstance(data, dict) else None
        if ref:
            self._check(str(ref))

    def _forget(self) -> None:
        self.stage = TICKET
        self.ref = ""            # as typed or scanned
        self.token = ""          # the ticket's secret, when its QR was scanned
        self.number = ""         # as the hub names it
        self.entry_error = ""
        self.level: int | None = None
        self.reasons: list[str] = []
        self.text = ""
        self.phone = ""
        self.note = ""           # a problem with what was entered, said in words
        self.txn: str | None = None
        self.op = ""
        self.sent_at = 0.0
        self.result: dict[str, Any] = {}
        self.reason = ""

    def cleanup(self) -> None:
        self._forget()  # the comment and the phone go with the screen

    def _go(self, stage: str) -> None:
        self.stage = stage
        self.invalidate()

    # ---- text --------------------------------------------------------------------------------------
    def title(self) -> str:
        v = self.v
        return {TICKET: v.eval_ticket_title, CHECKING: v.eval_ticket_title, LEVEL: v.eval_level_title,
                REASONS: v.eval_reasons_title, TEXT: v.eval_text_title, PHONE: v.eval_phone_title,
                REVIEW: v.eval_review_title, SENDING: v.eval_review_title, DONE: v.eval_done_title,
                FAILED: v.eval_failed_title}[self.stage]

    def has_back(self) -> bool:
        return self.stage in (LEVEL, REASONS, TEXT, PHONE, REVIEW, FAILED)

    def back(self) -> Transition | None:
        before = {LEVEL: TICKET, REASONS: LEVEL, TEXT: REASONS, PHONE: TEXT, REVIEW: PHONE}
        self.txn, self.note = None, ""
        self._go(before.get(self.stage, TICKET))
        return None

    def ticket_rows(self) -> tuple[str, ...]:
        letters = "".join(sorted({c.id[0] for c in self.s.cfg.hall.categories if c.id[:1].isalpha()}))
        return (letters or "ABCDEF", "1234567890")

    # ---- bodies ------------------------------------------------------------------------------------
    def body(self, ctx: Context) -> Widget:
        return {TICKET: self._ticket, CHECKING: self._waiting, LEVEL: self._level, REASONS: self._reasons,
                TEXT: self._text, PHONE: self._phone, REVIEW: self._review, SENDING: self._waiting,
                DONE: self._done, FAILED: self._failed}[self.stage](ctx)

    def _waiting(self, ctx: Context) -> Widget:
        text = self.v.eval_checking if self.stage == CHECKING else self.v.sending
        return Column("eval-wait", [Spacer("wait-top", flex=1), Label("eval-waiting", text, style="title",
                                                                      align="center"),
                                    Spacer("wait-bottom", flex=1)], flex=1)

    def _ticket(self, ctx: Context) -> Widget:
        v = self.v
        kb = LetterKeyboard("ticket-kb", rows=self.ticket_rows(), value=self.ref, max_length=13)
        hint = TextBlock("ticket-error", self.entry_error, fill="warning", tone="on_warning") if self.entry_error \
            else TextBlock("ticket-hint", v.eval_ticket_hint, tone="text_muted")
        if self.landscape:
            return Row("eval-ticket", [Column("ticket-main", [kb, Spacer("kb-end", flex=1)], flex=3),
                                       Column("ticket-side", [hint, Spacer("side-end", flex=1)], flex=2)], flex=1)
        return Column("eval-ticket", [hint, kb, Spacer("ticket-end", flex=1)], flex=1)

    def level_label(self, level: int) -> str:
        label = E.LEVEL_LABELS[level]
        return self.v.selected.format(label=label) if level == self.level else self.v.unselected.format(label=label)

    def _level(self, ctx: Context) -> Widget:
        v = self.v
        # one grid: every level gets the same cell, tone and text style; the order is the official one
        buttons = [Button(f"level-{n}", self.level_label(n), value=n, tone="primary" if n == self.level
                          else "secondary", choice=True, style="title") for n, _ in E.LEVELS]
        grid = LevelGrid("levels", buttons, cols=5 if self.landscape else 1, flex=1)
        chosen = self.level is not None
        confirm = Button("eval-confirm", v.eval_confirm if chosen else v.eval_confirm_wait, icon="✔" if chosen
                         else None, enabled=chosen, tone="primary")
        return Column("eval-level", [
            TextBlock("eval-for", v.eval_level_for.format(number=self.number or self.ref), style="title"),
            grid,
            TextBlock("eval-note", v.eval_level_note, tone="text_muted"),
            confirm,
        ], flex=1)

    def _reasons(self, ctx: Context) -> Widget:
        v = self.v
        items = [ListItem(label=v.selected.format(label=label) if rid in self.reasons
                          else v.unselected.format(label=label), value=rid) for rid, label in E.BAD_REASONS.items()]
        cols = 1 if self.mode is Mode.LARGE and not self.landscape else 2
        parts: list[Widget] = []
        if self.note:
            parts.append(TextBlock("reasons-error", self.note, fill="warning", tone="on_warning"))
        parts += [PagedList("reasons", items, per_page=8, columns=cols, flex=1, stretch=True, max_stretch=1.8),
                  Button("reasons-done", v.next, icon="▶", tone="primary")]
        return Column("eval-reasons", parts, flex=1)

    def _skip_row(self, id: str) -> Row:
        return Row(f"{id}-row", [Spacer(f"{id}-space", flex=2), Button(id, self.v.skip, icon="▶", tone="secondary")])

    def _text(self, ctx: Context) -> Widget:
        v = self.v
        kb = PinyinKeyboard("eval-text-kb", table=self.s.pinyin_table(), value=self.text, max_length=E.TEXT_MAX, lines=2, punctuation=True,
                            beside=self.landscape, hint=v.eval_text_hint, flex=1, **v.pinyin())
        return Column("eval-text", [self._skip_row("text-skip"), kb], flex=1)

    def _phone(self, ctx: Context) -> Widget:
        v = self.v
        pad = NumericKeypad("eval-phone", value=self.phone, max_length=12)
        hint = TextBlock("eval-phone-error", v.phone_bad, fill="warning", tone="on_warning") if self.note \
            else TextBlock("eval-phone-note", v.phone_note, tone="text_muted")
        skip = self._skip_row("phone-skip")
        if self.landscape:
            return Row("eval-phone-body", [pad, Column("eval-phone-side", [hint, skip, Spacer("ps-end", flex=1)])],
                       flex=1)
        return Column("eval-phone-body", [hint, pad, skip, Spacer("phone-end", flex=1)], flex=1)

    def summary(self) -> str:
        v, t = self.v, self.s.strings
        assert self.level is not None
        lines = [v.eval_done.format(number=self.number or self.ref, label=E.label(self.level)),
                 "、".join(E.reason_labels(self.reasons))]
        if self.text:
            lines.append(v.fb_line_text.format(text=mask_numbers_in_text(self.text)))
        lines.append(t.line_phone.format(phone=mask_phone(self.phone) if self.phone else v.none))
        return "\n".join(lines)

    def _review(self, ctx: Context) -> Widget:
        return Column("eval-review", [
            TextBlock("eval-summary", self.summary(), style="title", fill="surface"),
            Button("eval-submit", self.v.eval_confirm, icon="✔", tone="primary"),
            Spacer("review-end", flex=1),
        ], flex=1)

    def _done(self, ctx: Context) -> Widget:
        v, r = self.v, self.result
        parts: list[Widget] = [TextBlock("eval-done", v.eval_done.format(number=r.get("number", self.ref),
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
                                  reason=self.reason, can_retry=bool(self.txn))

    # ---- behaviour ---------------------------------------------------------------------------------
    def _send(self, op: str, args: dict[str, Any], stage: str, txn: str | None = None) -> None:
        self.op = op
        self.send_request(op, args, stage, txn)

    def _check(self, ref: str) -> None:
        ref = ref.strip().upper()
        self.ref, self.level, self.reasons, self.text, self.phone, self.note = ref, None, [], "", "", ""
        self.token = ""
        if not (_NUMBER.match(ref) or _TICKET_ID.match(ref)):
            self.entry_error = self.v.eval_ticket_bad
            self._go(TICKET)
            return
        self.entry_error = ""
        self._send("ticket.info", {"ticket": ref}, CHECKING)

    def args(self) -> dict[str, Any]:
        assert self.level is not None
        out: dict[str, Any] = {"ticket": self.ref, "level": self.level, "reasons": list(self.reasons),
                               "channel": "kiosk"}
        if self.text.strip():
            out["text"] = self.text.strip()
        if self.phone:
            out["phone"] = self.phone
        if self.token:
            out["token"] = self.token
        return out

    def _submit(self) -> None:
        a = self.args()
        try:  # the same rules the hub applies, said before anything is sent
            E.validate(level=a["level"], reasons=a["reasons"], text=a.get("text"), phone=a.get("phone"))
        except E.EvaluationError as exc:
            self.reason = exc.message
            self._go(FAILED)
            return
        self._send("evaluation.submit", a, SENDING)

    def _fail(self, code: str, message: str = "") -> None:
        v = self.v
        self.reason = self.refusal(code, message, v.errors, v.error_other)
        self._go(FAILED)

    def _answer(self, msg: ReplyIn) -> None:
        rep, op = msg.reply, self.op
        self.txn = None
        result = rep.result if isinstance(rep.result, dict) else {}
        if op == "ticket.info":
            if rep.ok:
                self.number = str(result.get("number") or self.ref)
                if result.get("state") != "completed":
                    self._fail("not_served")
                    return
                self._go(LEVEL)
            elif _TICKET_ID.match(self.ref):
                self._go(LEVEL)  # an earlier day's ticket: the hub's event log decides at submit
            else:
                self._fail("unknown_ticket")
            return
        if not rep.ok:
            code = rep.code or "error"
            self._fail(code, rep.message or "")
            return
        self.result = result
        self.text = self.phone = ""
        self._go(DONE)

    def on(self, message: Any) -> Transition | None:
        if isinstance(message, ReplyIn):
            if self.txn and message.reply.txn == self.txn and self.stage in (*WAITING, FAILED):
                self._answer(message)
            return None
        if isinstance(message, ScanResult):
            return self._scanned(message.text)
        if isinstance(message, EntrySubmitted):
            return self._on_entry(message.widget_id, message.value)
        if isinstance(message, Chosen) and message.widget_id == "reasons" and self.stage == REASONS:
            rid = message.value
            self.reasons = [r for r in self.reasons if r != rid] if rid in self.reasons else [*self.reasons, rid]
            self.note = ""
            self.invalidate()
        elif isinstance(message, Pressed):
            self._on_press(message)
        return None

    def _scanned(self, text: str) -> Transition | None:
        if self.stage in WAITING:
            return None
        ref = ticket_from_scan(text, self.s.cfg.site_id)
        if ref:
            self._check(ref)
            self.token = token_from_scan(text)
            return None
        code = code_from_scan(text, self.s.cfg.site_id)
        return Reset(key=CHECKIN, data={"code": code}) if code else None

    def _on_entry(self, wid: str, value: str) -> Transition | None:
        if wid == "ticket-kb" and self.stage == TICKET:
            self._check(value)
        elif wid == "eval-text-kb" and self.stage == TEXT:
            self.text = value
            self._go(PHONE)
        elif wid == "eval-phone" and self.stage == PHONE:
            self.phone = value
            if value and valid_phone(value) is None:
                self.note = self.v.phone_bad
                self.invalidate()
            else:
                self.note = ""
                self._go(REVIEW)
        return None

    def _on_press(self, message: Pressed) -> None:
        wid = message.widget_id
        if wid.startswith("level-") and self.stage == LEVEL:
            self.level = int(message.value)
            self.invalidate()
        elif wid == "eval-confirm" and self.stage == LEVEL and self.level is not None:
            if E.is_bad(self.level):
                self._go(REASONS)
            else:
                self.reasons = []
                self._submit()
        elif wid == "reasons-done" and self.stage == REASONS:
            if not self.reasons:
                self.note = E.MSG_NEED_REASON
                self.invalidate()
            else:
                self._go(TEXT)
        elif wid == "text-skip" and self.stage == TEXT:
            self.text = ""
            self._go(PHONE)
        elif wid == "phone-skip" and self.stage == PHONE:
            self.phone, self.note = "", ""
            self._go(REVIEW)
        elif wid == "eval-submit" and self.stage == REVIEW:
            self._submit()
        elif wid == "eval-retry" and self.stage == FAILED and self.txn:
            self._send(self.op, self.args() if self.op == "evaluation.submit" else {"ticket": self.ref},
                       SENDING if self.op == "evaluation.submit" else CHECKING, txn=self.txn)

    def tick(self, now: float) -> Transition | None:
        if self.stage in WAITING and now - self.sent_at >= self.s.settings.reply_timeout:
            self._fail("timeout")  # self.txn stays: a late reply is still taken, 重试 sends it again
        return None
