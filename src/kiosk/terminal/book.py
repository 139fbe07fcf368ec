"""预约办理: the view of :class:`kiosk.terminal.flows.book.BookFlow` (the stages, the hub, 重试 with the same
txn, the suggested slot and the slip are decided there).

Rule: this module only draws the flow's state: every slot comes from the hub; full slots stay in the
list, disabled and marked 已约满 in words. The phone number is shown only masked once entered. The booking
code is shown big, with a QR code to photograph; the slip's words are
:func:`kiosk.terminal.documents.booking_slip`, and the screen says so when the slip has come out.
"""

from __future__ import annotations

import itertools
from typing import Any

from ..core.catalog import ServiceItem
from ..ui.document import Block, PagedDocument
from ..ui.keys import NumericKeypad
from ..ui.paging import ListItem, PagedList
from ..ui.screen import Transition
from ..ui.theme import Mode
from ..ui.widget import Column, Context, Row, Spacer, Widget
from ..ui.widgets import Button, Label, QRImage, TextBlock
from .codes import booking_qr, mask_phone
from .documents import booking_slip
from .flow_screen import FlowScreen
from .flows.base import Print
from .flows.book import BookFlow, Itemised, Stage
from .printing import Document

S = Stage
_SLIPS = itertools.count(1)  # print job tags of booking slips, unique in this process


class BookScreen(FlowScreen):
    flow: BookFlow

    def make_flow(self, data: Any) -> BookFlow:
        t = self.t
        errors = {**t.appointment_errors, "no_slots": t.book_none.format(phone=self.s.phone_for_help())}
        return BookFlow(reply_timeout=self.s.settings.reply_timeout, errors=errors, other=t.error_other,
                        tags=lambda: f"book-{next(_SLIPS)}")

    def startup(self, data: Any) -> None:
        super().startup(data)
        self._itemise()

    def _itemise(self) -> None:
        cat = self.s.catalog
        self.feed(Itemised(frozenset(c for c, items in cat.by_category.items() if items) if cat else frozenset()))

    def on_session(self, what: str) -> Transition | None:
        if what == "catalog":
            self._itemise()
        return super().on_session(what)

    def document(self, effect: Print) -> Document:
        if effect.document == "slip":
            return booking_slip(effect.facts, self.s, printed_at=self.s.wall(self.now), large=self.mode is Mode.LARGE)
        return super().document(effect)

    # ---- text ------------------------------------------------------------------------------------
    def title(self) -> str:
        t, f = self.t, self.flow
        if f.stage is S.SLOT:
            return t.book_slot_title.format(day=self.s.day_text(f.day))
        return {S.CATEGORY: t.book_category_title, S.ITEM: t.book_item_title, S.LOADING: t.book_day_title,
                S.DAY: t.book_day_title, S.PHONE: t.book_phone_title, S.CONFIRM: t.book_confirm_title,
                S.BOOKING: t.book_confirm_title, S.DONE: t.book_done_title, S.FULL: t.full_title,
                S.FAILED: t.book_failed_title, S.CARD: t.book_card_title}[f.stage]

    def catalog_items(self) -> list[ServiceItem]:
        cat = self.s.catalog
        return list(cat.by_category.get(self.flow.category, ())) if cat is not None else []

    def item_name(self) -> str:
        item = self.s.catalog.get(self.flow.item_id) if self.s.catalog and self.flow.item_id else None
        return item.name if item else ""

    def when_text(self, slot: dict[str, Any]) -> str:
        day = self.s.day_text(str(slot.get("date") or str(slot.get("slot", ""))[:10]))
        start, end = slot.get("start") or str(slot.get("slot", ""))[11:16], slot.get("end") or ""
        return self.t.book_when.format(day=day, start=start, end=end).rstrip("-")

    # ---- bodies ----------------------------------------------------------------------------------
    def _columns(self) -> int:
        if self.mode is Mode.LARGE:
            return 2 if self.landscape else 1
        return 3 if self.landscape else 2

    def body(self, ctx: Context) -> Widget:
        return {S.CATEGORY: self._categories, S.ITEM: self._items, S.LOADING: self._waiting, S.DAY: self._days,
                S.SLOT: self._slot_list, S.PHONE: self._phone, S.CONFIRM: self._confirm, S.BOOKING: self._waiting,
                S.DONE: self._done, S.FULL: self._full, S.FAILED: self._failed,
                S.CARD: self._card}[self.flow.stage](ctx)

    def _waiting(self, ctx: Context) -> Widget:
        text = self.t.book_loading if self.flow.stage is S.LOADING else self.t.book_sending
        return Column("book-wait", [Spacer("wait-top", flex=1), Label("book-waiting", text, style="title",
                                                                      align="center"),
                                    Spacer("wait-bottom", flex=1)], flex=1)

    def _categories(self, ctx: Context) -> Widget:
        items = [ListItem(label=c.name, value=c.id) for c in self.s.bookable_categories()]
        return PagedList("book-cats", items, per_page=8, columns=self._columns(), flex=1, style="title",
                         stretch=True, max_stretch=1.6)

    def _items(self, ctx: Context) -> Widget:
        per_page = ctx.theme.max_choices - 1  # the skip button is a choice too
        items = [ListItem(label=i.name, value=i.id) for i in self.catalog_items()]
        cols = 1 if self.mode is Mode.LARGE or not self.landscape else 2
        return Column("book-item", [
            Button("book-skip", self.t.book_skip_item, icon="▶", tone="primary", choice=True),
            PagedList("book-items", items, per_page=per_page, columns=cols, flex=1, stretch=True,
                      max_stretch=1.6),
        ], flex=1)

    def day_items(self) -> list[ListItem]:
        t = self.t
        days: dict[str, list[dict[str, Any]]] = {}
        for s in self.flow.slots:
            days.setdefault(str(s.get("date")), []).append(s)
        out = []
        for day, slots in days.items():
            free = sum(max(0, int(s.get("remaining", 0))) for s in slots)
            special = t.day_special if all(s.get("kind") == "appointment" for s in slots) else ""
            if any(s.get("provisional") for s in slots):
                special += t.day_provisional
            state = t.day_free.format(n=free) if free else t.day_full
            out.append(ListItem(label=t.day_choice.format(day=self.s.day_text(day), special=special, state=state),
                                value=day, icon=t.icon_free if free else t.icon_full, enabled=free > 0))
        return out

    def _days(self, ctx: Context) -> Widget:
        return PagedList("book-days", self.day_items(), per_page=8, columns=self._columns(), flex=1,
                         stretch=True, max_stretch=1.6)

    def slot_items(self) -> list[ListItem]:
        t = self.t
        out = []
        for s in self.flow.slots:
            if s.get("date") != self.flow.day:
                continue
            n = max(0, int(s.get("remaining", 0)))
            fmt = t.slot_free if n else t.slot_full
            out.append(ListItem(label=fmt.format(start=s.get("start"), end=s.get("end"), n=n), value=s.get("slot"),
                                icon=t.icon_free if n else t.icon_full, enabled=n > 0))
        return out

    def _slot_list(self, ctx: Context) -> Widget:
        return PagedList("book-slots", self.slot_items(), per_page=8, columns=self._columns(), flex=1,
                         stretch=True, max_stretch=1.6)

    def _phone(self, ctx: Context) -> Widget:
        t = self.t
        pad = NumericKeypad("book-phone", value=self.flow.phone, max_length=12)
        hint = TextBlock("book-phone-error", t.visit_phone_bad, fill="warning", tone="on_warning") \
            if self.flow.phone_error else TextBlock("book-phone-note", t.book_phone_note, tone="text_muted")
        end = Spacer("phone-end", flex=1)
        if self.landscape:
            return Row("book-phone-row", [pad, Column("book-phone-side", [hint, end])], flex=1)
        return Column("book-phone-col", [hint, pad, end], flex=1)

    def summary(self) -> str:
        t = self.t
        lines = [t.line_category.format(name=self.s.category_name(self.flow.category))]
        if self.item_name():
            lines.append(t.line_item.format(name=self.item_name()))
        lines.append(t.line_when.format(when=self.when_text(self.flow.slot)))
        lines.append(t.line_phone.format(phone=mask_phone(self.flow.phone)))
        if self.flow.card_masked:
            lines.append(t.line_card.format(id=self.flow.card_masked))
        return "\n".join(lines)

    def _confirm(self, ctx: Context) -> Widget:
        t, f = self.t, self.flow
        note = [TextBlock("book-card-note", t.card_problems.get(f.card_problem, t.card_problems["pulled"]),
                          fill="warning", tone="on_warning")] if f.card_problem else []
        return Column("book-confirm", [
            TextBlock("book-summary", self.summary(), style="title", fill="surface"), *note,
            Button("book-submit", t.book_submit, icon="✔", choice=True),
            Spacer("confirm-end", flex=1),
        ], flex=1)

    def _card(self, ctx: Context) -> Widget:
        """A card was read: attach it to the booking? Only the masked number is shown."""
        t = self.t
        return Column("book-card", [
            TextBlock("book-card-fields", t.book_card_body.format(id=self.flow.offered_masked), style="title",
                      fill="surface"),
            Button("book-card-use", t.book_card_use, icon="✔", choice=True),
            Button("book-card-skip", t.book_card_skip, icon="✖", tone="secondary", choice=True),
            Spacer("card-end", flex=1),
        ], flex=1)

    def material_blocks(self) -> list[Block]:
        t, r = self.t, self.flow.result
        blocks = [Block(text=str(r.get("checkin") or ""), fill="info", tone="on_info")] if r.get("checkin") else []
        materials = [str(m) for m in r.get("materials") or []]
        if materials:
            blocks.append(Block(text=t.materials_head, keep_with_next=True))
            blocks += [Block(text=t.material_item.format(index=i, text=m)) for i, m in enumerate(materials, 1)]
        else:
            blocks.append(Block(text=t.materials_general.format(phone=self.s.phone_for_help())))
        return blocks

    def _done(self, ctx: Context) -> Widget:
        t, r = self.t, self.flow.result
        code = str(r.get("code", ""))
        name = r.get("category_name") or self.s.category_name(str(r.get("category", "")))
        when = t.book_when.format(day=self.s.day_text(str(r.get("date", ""))), start=r.get("start", ""),
                                  end=r.get("end", ""))
        head = [Label("done-code-label", t.code_label, align="center"),
                Label("done-code", code, style="display", align="center"),
                TextBlock("done-when", f"{when}\n{name}", style="title", align="center")]
        if self.flow.slip.printed:
            head.append(TextBlock("done-slip", t.slip_printed, fill="info", tone="on_info", align="center"))
        qr = QRImage("done-qr", booking_qr(self.s.cfg.site_id, code, self.s.cfg.phone_base), caption=t.book_qr_caption, flex=2)
        doc = PagedDocument("done-doc", self.material_blocks(), flex=1)
        if self.landscape:
            return Row("done", [Column("done-info", [*head, doc], flex=3), qr], flex=1)
        return Column("done", [Row("done-top", [Column("done-head", head, flex=3), qr]), doc], flex=1)

    def _full(self, ctx: Context) -> Widget:
        t = self.t
        body = t.full_body.format(when=self.when_text(self.flow.slot), category=self.s.category_name(self.flow.category))
        parts: list[Widget] = [TextBlock("full-body", body, style="title", fill="warning", tone="on_warning")]
        if self.flow.suggest:
            parts += [Button("book-suggest", t.full_suggest.format(when=self.when_text(self.flow.suggested())),
                             icon="✔", choice=True),
                      TextBlock("full-note", t.full_suggest_note, tone="text_muted")]
        else:
            parts.append(TextBlock("full-none", t.full_none.format(phone=self.s.phone_for_help())))
        parts += [Button("book-rechoose", t.full_rechoose, icon="↻", tone="secondary", choice=True),
                  Spacer("full-end", flex=1)]
        return Column("full", parts, flex=1)

    def _failed(self, ctx: Context) -> Widget:
        t = self.t
        parts: list[Widget] = [
            TextBlock("book-error", self.flow.reason, style="title", fill="warning", tone="on_warning"),
            TextBlock("book-error-phone", t.failed_phone.format(phone=self.s.phone_for_help())),
        ]
        if self.flow.sent is not None:
            parts.append(Button("book-retry", t.retry_same, icon="↻", tone="secondary", choice=True))
        parts.append(Spacer("failed-end", flex=1))
        return Column("book-failed", parts, flex=1)
