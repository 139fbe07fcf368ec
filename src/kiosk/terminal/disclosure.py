"""政府信息公开申请: the official application form, field by field, on the kiosk — applicant type, name,
ID type and number, phone, address, the information wanted, its purpose, form and delivery (and the
e-mail address for delivery by e-mail) — a review page, ``disclosure.apply``, and the receipt on screen:
application number, date received and the statutory reply deadline.

Rule: each field is checked here before the form is sent, with the same checks the hub applies
(``kiosk.core.idcard``: a resident ID's check digit and birth date, a credit code's check character,
phones, e-mail); a mistake is said in words naming the field and nothing typed is repeated in it. The
review page shows personal data masked only (张*三, 420***********1234, 138****5678). Everything typed is
forgotten when the form is submitted and when the screen closes (idle reset, 返回首页). The receipt's
dates come from the hub (working days of the hall calendar).

Stages: one per field (``FIELDS``), then review → sending → done | failed.
"""

from __future__ import annotations

from typing import Any

from ..core.idcard import (USCC_CHARS, mask_address, mask_email, mask_id, mask_numbers_in_text,
                           resident_id_problem, valid_email, valid_passport, valid_phone, valid_uscc)
from ..ui.document import Block, PagedDocument
from ..ui.keys import ID_GROUPS, LetterKeyboard, NumericKeypad, group_digits
from ..ui.paging import ListItem, PagedList
from ..ui.pinyin import PinyinKeyboard
from ..ui.screen import Transition
from ..ui.theme import Mode
from ..ui.widget import Chosen, Column, Context, EntrySubmitted, Pressed, Row, Spacer, Widget
from ..ui.widgets import Button, Label, TextBlock
from .base import RequestScreen
from .codes import mask_phone
from .devices import BookingSlip, PrintFinished
from .messages import ReplyIn
from .strings_voice import VoiceStrings

# The form's fields in the order asked; "email" only for delivery by e-mail.
FIELDS = ("applicant_type", "name", "id_type", "id_number", "phone", "address", "info_description", "purpose",
          "form", "delivery", "email")
REVIEW, SENDING, DONE, FAILED = "review", "sending", "done", "failed"
PINYIN_FIELDS = {"name": (1, 100), "address": (1, 200), "info_description": (3, 500), "purpose": (2, 200)}
OPTIONAL = frozenset({"purpose"})
USCC_LETTERS = USCC_CHARS[10:]
ORG_ROWS = ("1234567890", USCC_LETTERS[:7], USCC_LETTERS[7:14], USCC_LETTERS[14:])
PASSPORT_ROWS = ("1234567890", "QWERTYUIOP", "ASDFGHJKL", "ZXCVBNM")
EMAIL_ROWS = ("1234567890", "qwertyuiop", "asdfghjkl@", "zxcvbnm._-")
HUB_WORDED = frozenset({"missing_field", "bad_value", "too_long", "bad_id_number", "bad_phone", "bad_email"})


def mask_name(name: str) -> str:
    """张*三 — the first and the last character stay readable (张* for a two-character name)."""
    name = name.strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


class DisclosureScreen(RequestScreen):
    hub_worded = frozenset(HUB_WORDED)
    def __init__(self, session) -> None:
        super().__init__(session)
        self.v = VoiceStrings()

    def startup(self, data: Any) -> None:
        self._forget()

    def _forget(self) -> None:
        """Drop every field typed (after submit, on idle reset, on leaving)."""
        self.stage = FIELDS[0]
        self.form: dict[str, str] = {}
        self.error = ""
        self.txn: str | None = None
        self.sent_at = 0.0
        self.sent: dict[str, Any] | None = None
        self.result: dict[str, Any] = {}
        self.reason = ""

    def cleanup(self) -> None:
        self._forget()

    # ---- the form ----------------------------------------------------------------------------------
    @property
    def kind(self) -> str:
        return self.form.get("applicant_type", "citizen")

    def id_type(self) -> str:
        return self.form.get("id_type") or ("resident_id" if self.kind == "citizen" else "org_code")

    def steps(self) -> list[str]:
        return [f for f in FIELDS if f != "email" or self.form.get("delivery") == "email"]

    def label(self, field: str) -> str:
        return self.v.gk_labels[field]

    def title(self) -> str:
        v = self.v
        titles = {"applicant_type": v.gk_type_title, "name": v.gk_name_title if self.kind == "citizen"
                  else v.gk_org_name_title, "id_type": v.gk_id_type_title,
                  "id_number": v.gk_id_title.format(id_type=v.gk_id_types[self.kind][self.id_type()]),
                  "phone": v.gk_phone_title, "address": v.gk_address_title, "info_description": v.gk_desc_title,
                  "purpose": v.gk_purpose_title, "form": v.gk_form_title, "delivery": v.gk_delivery_title,
                  "email": v.gk_email_title, REVIEW: v.gk_review_title, SENDING: v.gk_review_title,
                  DONE: v.gk_done_title, FAILED: v.gk_failed_title}
        return titles[self.stage]

    def has_back(self) -> bool:
        return self.stage not in (FIELDS[0], SENDING, DONE)

    def back(self) -> Transition | None:
        steps = self.steps()
        self.error, self.txn = "", None
        if self.stage in (REVIEW, FAILED):
            self._go(steps[-1] if self.stage == REVIEW else REVIEW)
        elif self.stage in steps:
            self._go(steps[max(0, steps.index(self.stage) - 1)])
        return None

    def _advance(self, field: str, value: str) -> None:
        self.form[field] = value
        self.error = ""
        steps = self.steps()
        self._go(steps[steps.index(field) + 1] if steps.index(field) + 1 < len(steps) else REVIEW)

    def problem(self, field: str, value: str) -> str | None:
        """Why ``value`` cannot go in ``field`` (a message naming the field), or None."""
        v, value = self.v, value.strip()
        say = lambda text: v.gk_line.format(label=self.label(field), value=text)  # noqa: E731
        if not value:
            return None if field in OPTIONAL else say(v.gk_required.format(field=""))
        if field == "id_number":
            kind = self.id_type()
            if kind == "resident_id":
                p = resident_id_problem(value)
                return say(v.gk_id_problems[p]) if p else None
            if kind == "org_code":
                return None if valid_uscc(value) else say(v.gk_id_problems["uscc"])
            if kind == "passport":
                return None if valid_passport(value) else say(v.gk_id_problems["passport"])
        if field == "phone" and valid_phone(value) is None:
            return say(v.phone_bad)
        if field == "email" and valid_email(value) is None:
            return say(v.gk_email_bad)
        return None

    def _enter(self, field: str, value: str) -> None:
        problem = self.problem(field, value)
        if problem:
            self.form[field] = value  # kept in the box to correct, never repeated in the message
            self.error = problem
            self.invalidate()
            return
        self._advance(field, value.strip().upper() if field == "id_number" else value.strip())

    # ---- bodies ------------------------------------------------------------------------------------
    def body(self, ctx: Context) -> Widget:
        if self.stage == REVIEW:
            return self._review(ctx)
        if self.stage == SENDING:
            return Column("gk-wait", [Spacer("wait-top", flex=1),
                                      Label("gk-sending", self.v.sending, style="title", align="center"),
                                      Spacer("wait-bottom", flex=1)], flex=1)
        if self.stage == DONE:
            return self._done(ctx)
        if self.stage == FAILED:
            return self._failed(ctx)
        return self._field(self.stage, ctx)

    def _note(self, default: str = "") -> Widget | None:
        if self.error:
            return TextBlock("gk-error", self.error, fill="warning", tone="on_warning")
        return TextBlock("gk-note", default, tone="text_muted") if default else None

    def _choices(self, field: str) -> list[ListItem]:
        v = self.v
        if field == "applicant_type":
            return [ListItem(label=label, value=k) for k, label in v.gk_types.items()]
        if field == "id_type":
            return [ListItem(label=label, value=k) for k, label in v.gk_id_types[self.kind].items()]
        if field == "form":
            return [ListItem(label=label, value=k) for k, label in v.gk_forms.items()]
        paper = self.form.get("form") == "paper"
        return [ListItem(label=f"{label}（{v.gk_paper_no_email}）" if k == "email" and paper else label, value=k,
                         enabled=not (k == "email" and paper)) for k, label in v.gk_deliveries.items()]

    def _field(self, field: str, ctx: Context) -> Widget:
        v, value = self.v, self.form.get(field, "")
        kid = f"gk-{field}"
        parts: list[Widget] = []
        if field in ("applicant_type", "id_type", "form", "delivery"):
            note = self._note(v.gk_intro if field == "applicant_type" else "")
            lst = PagedList(kid, self._choices(field), per_page=6, columns=1, flex=1, stretch=True, max_stretch=1.6,
                            style="title")
            return Column(f"{kid}-body", [*([note] if note else []), lst], flex=1)
        if field in PINYIN_FIELDS:
            lines, limit = PINYIN_FIELDS[field]
            note = self._note()
            if field in OPTIONAL:
                parts.append(Row(f"{kid}-skip-row", [*([note] if note else [Spacer(f"{kid}-sp", flex=2)]),
                                                     Button(f"{kid}-skip", v.skip, icon="▶", tone="secondary")]))
            elif note:
                parts.append(note)
            parts.append(PinyinKeyboard(f"{kid}-kb", table=self.s.pinyin_table(), value=value, max_length=limit, lines=lines,
                                        punctuation=field in ("info_description", "purpose"), beside=self.landscape,
                                        hint=v.gk_desc_hint if field == "info_description" else "", flex=1,
                                        **v.pinyin()))
            return Column(f"{kid}-body", parts, flex=1)
        if field == "phone" or (field == "id_number" and self.id_type() == "resident_id"):
            pad = NumericKeypad(f"{kid}-kb", value=value, max_length=18 if field == "id_number" else 12,
                                extra_key="X" if field == "id_number" else None,
                                groups=ID_GROUPS if field == "id_number" else ())
        else:
            rows = EMAIL_ROWS if field == "email" else ORG_ROWS if self.id_type() == "org_code" else PASSPORT_ROWS
            pad = LetterKeyboard(f"{kid}-kb", rows=rows, value=value, max_length=60 if field == "email" else 20)
        note = self._note()
        if self.landscape:
            side = Column(f"{kid}-side", [*([note] if note else []), Spacer(f"{kid}-side-end", flex=1)], flex=2)
            return Row(f"{kid}-body", [Column(f"{kid}-main", [pad, Spacer(f"{kid}-end", flex=1)], flex=3), side],
                       flex=1)
        return Column(f"{kid}-body", [*([note] if note else []), pad, Spacer(f"{kid}-end", flex=1)], flex=1)

    def masked(self, field: str) -> str:
        v, value = self.v, self.form.get(field, "")
        if field == "applicant_type":
            return v.gk_types[self.kind]
        if field == "id_type":
            return v.gk_id_types[self.kind][self.id_type()]
        if field == "form":
            return v.gk_forms.get(value, "")
        if field == "delivery":
            return v.gk_deliveries.get(value, "")
        if not value:
            return v.none
        if field == "id_number" and len(value) == 18:
            return group_digits(mask_id(value), ID_GROUPS)  # 420*** ******** 1234, as on the keypad
        return {"name": mask_name, "id_number": mask_id, "phone": mask_phone, "address": mask_address,
                "email": mask_email}.get(field, mask_numbers_in_text)(value)

    def _review(self, ctx: Context) -> Widget:
        v = self.v
        blocks = [Block(text=v.gk_line.format(label=self.label(f), value=self.masked(f))) for f in self.steps()]
        return Column("gk-review", [
            PagedDocument("gk-summary", blocks, flex=1),
            Row("gk-review-actions", [Button("gk-edit", v.gk_edit, icon="↺", tone="secondary"),
                                      Button("gk-submit", v.gk_submit, icon="✔", tone="primary")]),
        ], flex=1)

    def _done(self, ctx: Context) -> Widget:
        v, r = self.v, self.result
        blocks = [Block(text=v.gk_received.format(received=r.get("received", "")), style="title"),
                  Block(text=v.gk_reply_due.format(reply_due=r.get("reply_due", "")), style="title",
                        fill="info", tone="on_info"),
                  Block(text=v.gk_extended.format(extended_due=r.get("extended_due", ""))),
                  Block(text=v.gk_statute, tone="text_muted"),
                  Block(text=v.gk_receipt_note)]
        if getattr(self, "receipt_printed", False):
            blocks.insert(0, Block(text=v.gk_slip_printed, fill="info", tone="on_info"))
        return Column("gk-receipt", [
            Label("gk-number-label", v.gk_number_label, align="center"),
            Label("gk-number", str(r.get("application", "")), style="display", align="center"),
            PagedDocument("gk-receipt-text", blocks, flex=1),
        ], flex=1)

    def _failed(self, ctx: Context) -> Widget:
        return self.failure_panel("gk-failed", "gk-retry", "gk-failed-body", self.v.failed_phone, self.v.retry,
                                  reason=self.reason, can_retry=bool(self.txn))

    # ---- behaviour ---------------------------------------------------------------------------------
    def args(self) -> dict[str, Any]:
        f = self.form
        out = {"applicant_type": self.kind, "id_type": self.id_type(), **{k: f[k] for k in (
            "name", "id_number", "phone", "address", "info_description", "form", "delivery") if k in f}}
        if f.get("purpose"):
            out["purpose"] = f["purpose"]
        if f.get("delivery") == "email":
            out["email"] = f.get("email", "")
        return out

    def _send(self, args: dict[str, Any], txn: str | None = None) -> None:
        self.sent = args
        self.send_request("disclosure.apply", args, SENDING, txn)

    def _fail(self, code: str, message: str = "") -> None:
        v = self.v
        self.reason = self.refusal(code, message, v.errors, v.error_other)
        self._go(FAILED)

    def _answer(self, msg: ReplyIn) -> None:
        rep = msg.reply
        self.txn = None
        if not rep.ok or not isinstance(rep.result, dict):
            self.sent = None
            self._fail(rep.code or "error", rep.message or "")
            return
        self._forget()  # the receipt holds only what the hub masked
        self.result = rep.result
        self._go(DONE)
        self._print_receipt()

    def _print_receipt(self) -> None:
        """The receipt on paper when the printer last said it is ready; the screen shows it either way."""
        printer, r, v = self.s.printer, self.result, self.v
        self.receipt_tag, self.receipt_printed = "", False
        if not printer.present or not self.s.printer_state.ready:
            return
        number = str(r.get("application", ""))
        slip = BookingSlip(
            centre_name=self.s.cfg.name, title=v.gk_slip_title, code_label=v.gk_number_label, code=number,
            lines=(v.gk_received.format(received=r.get("received", "")),
                   v.gk_reply_due.format(reply_due=r.get("reply_due", "")),
                   v.gk_extended.format(extended_due=r.get("extended_due", "")), v.gk_statute),
            qr_payload=f"HTGK|{self.s.cfg.site_id}|{number}", qr_caption=v.gk_slip_qr,
            large_print=self.mode is Mode.LARGE)
        if printer.can_print(slip):
            self.receipt_tag = f"gk-{number}"
            printer.print(self.receipt_tag, slip)

    def on(self, message: Any) -> Transition | None:
        if isinstance(message, PrintFinished):
            if message.tag and message.tag == getattr(self, "receipt_tag", "") and message.ok:
                self.receipt_printed = True
                self.invalidate()
            return None
        if isinstance(message, ReplyIn):
            if self.txn and message.reply.txn == self.txn and self.stage in (SENDING, FAILED):
                self._answer(message)
        elif isinstance(message, Chosen) and message.widget_id == f"gk-{self.stage}":
            if self.stage == "applicant_type" and message.value != self.form.get("applicant_type"):
                self.form.pop("id_type", None)  # the ID types differ for organisations
            if self.stage == "form" and message.value == "paper" and self.form.get("delivery") == "email":
                self.form.pop("delivery", None)
            self._advance(self.stage, message.value)
        elif isinstance(message, EntrySubmitted) and message.widget_id == f"gk-{self.stage}-kb":
            self._enter(self.stage, message.value)
        elif isinstance(message, Pressed):
            wid = message.widget_id
            if wid == f"gk-{self.stage}-skip" and self.stage in OPTIONAL:
                self._advance(self.stage, "")
            elif wid == "gk-edit" and self.stage == REVIEW:
                self._go(FIELDS[0])
            elif wid == "gk-submit" and self.stage == REVIEW:
                self._send(self.args())
            elif wid == "gk-retry" and self.stage == FAILED and self.txn and self.sent is not None:
                self._send(self.sent, txn=self.txn)
        return None

    def tick(self, now: float) -> Transition | None:
        if self.stage == SENDING and now - self.sent_at >= self.s.settings.reply_timeout:
            self._fail("timeout")  # self.txn stays: a late reply is still taken, 重试 sends it again
        return None
