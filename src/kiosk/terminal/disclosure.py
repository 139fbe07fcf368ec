"""政府信息公开申请: the view of :class:`kiosk.terminal.flows.disclosure.DisclosureFlow` (the fields, their
checks, the review, the hub and the receipt are decided there).

Rule: this module only draws the flow's state and words it: a failed check is said naming the field and
nothing typed is repeated in it; the review page shows personal data masked only (张*三,
420***********1234, 138****5678). The receipt's dates come from the hub (working days of the hall
calendar); its paper copy is worded by :func:`kiosk.terminal.documents.disclosure_receipt`.
"""

from __future__ import annotations

import itertools
from typing import Any, ClassVar

from ..core.idcard import USCC_CHARS, mask_address, mask_email, mask_id, mask_numbers_in_text
from ..ui.document import Block, PagedDocument
from ..ui.keys import ID_GROUPS, LetterKeyboard, NumericKeypad, group_digits
from ..ui.paging import ListItem, PagedList
from ..ui.pinyin import PinyinKeyboard
from ..ui.theme import Mode
from ..ui.widget import Column, Context, Row, Spacer, Widget
from ..ui.widgets import Button, Label, TextBlock
from .codes import mask_phone
from .documents import disclosure_receipt
from .flow_screen import FlowScreen
from .flows.base import Print
from .flows.disclosure import CARD_FIELDS, OPTIONAL, DisclosureFlow, Stage
from .printing import Document
from .strings_voice import VoiceStrings

S = Stage
PINYIN_FIELDS = {"name": (1, 100), "address": (1, 200), "info_description": (3, 500), "purpose": (2, 200)}
USCC_LETTERS = USCC_CHARS[10:]
ORG_ROWS = ("1234567890", USCC_LETTERS[:7], USCC_LETTERS[7:14], USCC_LETTERS[14:])
PASSPORT_ROWS = ("1234567890", "QWERTYUIOP", "ASDFGHJKL", "ZXCVBNM")
EMAIL_ROWS = ("1234567890", "qwertyuiop", "asdfghjkl@", "zxcvbnm._-")
_RECEIPTS = itertools.count(1)  # print job tags of receipts, unique in this process


def mask_name(name: str) -> str:
    """张*三 — the first and the last character stay readable (张* for a two-character name)."""
    name = name.strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


class DisclosureScreen(FlowScreen):
    flow: DisclosureFlow
    watches: ClassVar[frozenset[str]] = frozenset({"idcard"})

    def __init__(self, session) -> None:
        super().__init__(session)
        self.v = VoiceStrings()

    def make_flow(self, data: Any) -> DisclosureFlow:
        return DisclosureFlow(reply_timeout=self.s.settings.reply_timeout, errors=self.v.errors,
                              other=self.v.error_other, tags=lambda: f"gk-{next(_RECEIPTS)}")

    def document(self, effect: Print) -> Document:
        if effect.document == "receipt":
            return disclosure_receipt(effect.facts, centre=self.s.cfg.name, site=self.s.cfg.site_id, v=self.v,
                                      large=self.mode is Mode.LARGE)
        return super().document(effect)

    # ---- text --------------------------------------------------------------------------------------
    @property
    def form(self) -> dict[str, str]:
        return self.flow.form

    @property
    def kind(self) -> str:
        return self.flow.kind

    def id_type(self) -> str:
        return self.flow.id_type()

    def label(self, field: str) -> str:
        return self.v.gk_labels[field]

    def title(self) -> str:
        v = self.v
        titles = {S.APPLICANT_TYPE: v.gk_type_title, S.NAME: v.gk_name_title if self.kind == "citizen"
                  else v.gk_org_name_title, S.ID_TYPE: v.gk_id_type_title,
                  S.ID_NUMBER: v.gk_id_title.format(id_type=v.gk_id_types[self.kind][self.id_type()]),
                  S.PHONE: v.gk_phone_title, S.ADDRESS: v.gk_address_title, S.INFO_DESCRIPTION: v.gk_desc_title,
                  S.PURPOSE: v.gk_purpose_title, S.FORM: v.gk_form_title, S.DELIVERY: v.gk_delivery_title,
                  S.EMAIL: v.gk_email_title, S.REVIEW: v.gk_review_title, S.SENDING: v.gk_review_title,
                  S.DONE: v.gk_done_title, S.FAILED: v.gk_failed_title, S.CARD: self.t.card_use_title}
        return titles[self.flow.stage]

    def error_text(self) -> str:
        """The failed check of the field on screen, in words naming the field (never what was typed)."""
        v, error = self.v, self.flow.error
        if not error:
            return ""
        words = {"required": v.gk_required.format(field=""), "phone": v.phone_bad, "email": v.gk_email_bad}
        return v.gk_line.format(label=self.label(self.flow.field), value=words.get(error) or v.gk_id_problems[error])

    # ---- bodies ------------------------------------------------------------------------------------
    def body(self, ctx: Context) -> Widget:
        if self.flow.stage is S.REVIEW:
            return self._review(ctx)
        if self.flow.stage is S.SENDING:
            return Column("gk-wait", [Spacer("wait-top", flex=1),
                                      Label("gk-sending", self.v.sending, style="title", align="center"),
                                      Spacer("wait-bottom", flex=1)], flex=1)
        if self.flow.stage is S.DONE:
            return self._done(ctx)
        if self.flow.stage is S.FAILED:
            return self._failed(ctx)
        if self.flow.stage is S.CARD:
            return self._card(ctx)
        return self._field(self.flow.field, ctx)

    def _card(self, ctx: Context) -> Widget:
        """What the card would fill, masked as on the review page, and the choice."""
        t, card = self.t, self.flow.card or {}
        lines = [t.card_line_name.format(name=mask_name(card.get("name", ""))),
                 t.card_line_id.format(id=group_digits(mask_id(card.get("id_number", "")), ID_GROUPS)),
                 t.card_line_address.format(address=mask_address(card.get("address", "")))]
        return Column("gk-card", [
            TextBlock("gk-card-fields", "\n".join(lines), style="title", fill="surface"),
            Button("gk-card-use", t.card_use, icon="✔", choice=True),
            Button("gk-card-skip", t.card_skip, icon="✖", tone="secondary", choice=True),
            Spacer("gk-card-end", flex=1)], flex=1)

    def _note(self, default: str = "") -> Widget | None:
        if self.flow.error:
            return TextBlock("gk-error", self.error_text(), fill="warning", tone="on_warning")
        f, t = self.flow, self.t
        if f.card_problem and f.field in CARD_FIELDS:
            return TextBlock("gk-card-note", t.card_problems.get(f.card_problem, t.card_problems["pulled"]),
                             fill="warning", tone="on_warning")
        if not default and f.field == "name" and self.kind == "citizen" and self.s.cards_ready:
            default = t.card_form_hint
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
        blocks = [Block(text=v.gk_line.format(label=self.label(f), value=self.masked(f))) for f in self.flow.steps()]
        return Column("gk-review", [
            PagedDocument("gk-summary", blocks, flex=1),
            Row("gk-review-actions", [Button("gk-edit", v.gk_edit, icon="↺", tone="secondary"),
                                      Button("gk-submit", v.gk_submit, icon="✔", tone="primary")]),
        ], flex=1)

    def _done(self, ctx: Context) -> Widget:
        v, r = self.v, self.flow.result
        blocks = [Block(text=v.gk_received.format(received=r.get("received", "")), style="title"),
                  Block(text=v.gk_reply_due.format(reply_due=r.get("reply_due", "")), style="title",
                        fill="info", tone="on_info"),
                  Block(text=v.gk_extended.format(extended_due=r.get("extended_due", ""))),
                  Block(text=v.gk_statute, tone="text_muted"),
                  Block(text=v.gk_receipt_note)]
        if self.flow.receipt.printed:
            blocks.insert(0, Block(text=v.gk_slip_printed, fill="info", tone="on_info"))
        return Column("gk-receipt", [
            Label("gk-number-label", v.gk_number_label, align="center"),
            Label("gk-number", str(r.get("application", "")), style="display", align="center"),
            PagedDocument("gk-receipt-text", blocks, flex=1),
        ], flex=1)

    def _failed(self, ctx: Context) -> Widget:
        return self.failure_panel("gk-failed", "gk-retry", "gk-failed-body", self.v.failed_phone, self.v.retry,
                                  reason=self.flow.reason, can_retry=self.flow.txn is not None)
