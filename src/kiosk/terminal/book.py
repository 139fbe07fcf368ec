"""预约办理: choose a category (and, to learn what to bring, an item), a day and a slot, enter a phone
number, confirm — and get a booking code on screen, big, with a QR code to photograph.

Rule: every slot comes from the hub (``appointment.slots``); full slots stay in the list, disabled and
marked 已约满 in words. The phone number is shown only masked once entered and is forgotten when the
screen closes. A booking whose reply is late is *retried with the same txn* (重试), so the hub answers
with the very same booking and never books twice; a late reply that arrives while the failure is on
screen is shown as the result. When the last place went to someone else first (``slot_full``) the
screen offers the hub's suggested slot (``error.suggest``) as one button.

With a ticket printer whose last status was ready, the booking is also printed as a slip (预约凭条: code,
time, category, what to bring, the booking QR); the screen stays as it is either way, and says so when
the slip has come out.

Stages: category → item → loading → day → slot → phone → confirm → booking → done | full | failed.
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
from ..ui.widget import Chosen, Column, Context, EntrySubmitted, Pressed, Row, Spacer, Widget
from ..ui.widgets import Button, Label, QRImage, TextBlock
from .base import RequestScreen
from .codes import mask_phone, valid_phone
from .devices import PrintFinished
from .messages import ReplyIn

CATEGORY, ITEM, LOADING, DAY, SLOT, PHONE, CONFIRM = "category", "item", "loading", "day", "slot", "phone", "confirm"
BOOKING, DONE, FULL, FAILED = "booking", "done", "full", "failed"
WAITING = (LOADING, BOOKING)
# refusals whose message the hub words for residents (the others are said in our own words)
HUB_WORDED = frozenset({"already_booked", "not_bookable", "unknown_appointment", "not_today"})
_SLIPS = itertools.count(1)  # print job tags of booking slips


class BookScreen(RequestScreen):
    hub_worded = frozenset(HUB_WORDED)
    def startup(self, data: Any) -> None:
        self.stage = CATEGORY
        self.category = ""
        self.item_id = ""
        self.slots: list[dict[str, Any]] = []
        self.day = ""
        self.slot: dict[str, Any] = {}
        self.phone = ""
        self.phone_error = False
        self.txn: str | None = None
        self.sent: tuple[str, dict[str, Any]] | None = None  # the request in flight, for 重试
        self.sent_at = 0.0
        self.result: dict[str, Any] = {}
        self.reason = ""
        self.failed_from = CATEGORY
        self.suggest = ""
        self.slip_tag = ""
        self.slip_printed = False

    def cleanup(self) -> None:
        self.phone = ""  # personal data goes with the screen

    # ---- text ------------------------------------------------------------------------------------
    def title(self) -> str:
        t = self.t
        if self.stage == SLOT:
            return t.book_slot_title.format(day=self.s.day_text(self.day))
        return {CATEGORY: t.book_category_title, ITEM: t.book_item_title, LOADING: t.book_day_title,
                DAY: t.book_day_title, PHONE: t.book_phone_title, CONFIRM: t.book_confirm_title,
                BOOKING: t.book_confirm_title, DONE: t.book_done_title, FULL: t.full_title,
                FAILED: t.book_failed_title}[self.stage]

    def catalog_items(self) -> list[ServiceItem]:
        cat = self.s.catalog
        return list(cat.by_category.get(self.category, ())) if cat is not None else []

    def item_name(self) -> str:
        item = self.s.catalog.get(self.item_id) if self.s.catalog and self.item_id else None
        return item.name if item else ""

    def when_text(self, slot: dict[str, Any]) -> str:
        day = self.s.day_text(str(slot.get("date") or str(slot.get("slot", ""))[:10]))
        start, end = slot.get("start") or str(slot.get("slot", ""))[11:16], slot.get("end") or ""
        return self.t.book_when.format(day=day, start=start, end=end).rstrip("-")

    # ---- navigation ------------------------------------------------------------------------------
    def has_back(self) -> bool:
        return self.stage in (ITEM, DAY, SLOT, PHONE, CONFIRM, FULL, FAILED)

    def back(self) -> Transition | None:
        before = {ITEM: CATEGORY, DAY: ITEM if self.catalog_items() else CATEGORY, SLOT: DAY, PHONE: SLOT,
                  CONFIRM: PHONE, FULL: SLOT}
        target = self.failed_from if self.stage == FAILED else before.get(self.stage, CATEGORY)
        self.txn = self.sent = None
        self._go(target)
        return None

    # ---- bodies ----------------------------------------------------------------------------------
    def _columns(self) -> int:
        if self.mode is Mode.LARGE:
            return 2 if self.landscape else 1
        return 3 if self.landscape else 2

    def body(self, ctx: Context) -> Widget:
        return {CATEGORY: self._categories, ITEM: self._items, LOADING: self._waiting, DAY: self._days,
                SLOT: self._slot_list, PHONE: self._phone, CONFIRM: self._confirm, BOOKING: self._waiting,
                DONE: self._done, FULL: self._full, FAILED: self._failed}[self.stage](ctx)

    def _waiting(self, ctx: Context) -> Widget:
        text = self.t.book_loading if self.stage == LOADING else self.t.book_sending
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
        for s in self.slots:
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
        for s in self.slots:
            if s.get("date") != self.day:
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
        pad = NumericKeypad("book-phone", value=self.phone, max_length=12)
        hint = TextBlock("book-phone-error", t.visit_phone_bad, fill="warning", tone="on_warning") \
            if self.phone_error else TextBlock("book-phone-note", t.book_phone_note, tone="text_muted")
        end = Spacer("phone-end", flex=1)
        if self.landscape:
            return Row("book-phone-row", [pad, Column("book-phone-side", [hint, end])], flex=1)
        return Column("book-phone-col", [hint, pad, end], flex=1)

    def summary(self) -> str:
        t = self.t
        lines = [t.line_category.format(name=self.s.category_name(self.category))]
        if self.item_name():
            lines.append(t.line_item.format(name=self.item_name()))
        lines.append(t.line_when.format(when=self.when_text(self.slot)))
        lines.append(t.line_phone.format(phone=mask_phone(self.phone)))
        return "\n".join(lines)

    def _confirm(self, ctx: Context) -> Widget:
        return Column("book-confirm", [
            TextBlock("book-summary", self.summary(), style="title", fill="surface"),
            Button("book-submit", self.t.book_submit, icon="✔", choice=True),
            Spacer("confirm-end", flex=1),
        ], flex=1)

    def material_blocks(self) -> list[Block]:
        t, r = self.t, self.result
        blocks = [Block(text=str(r.get("checkin") or ""), fill="info", tone="on_info")] if r.get("checkin") else []
        materials = [str(m) for m in r.get("materials") or []]
        if materials:
            blocks.append(Block(text=t.materials_head, keep_with_next=True))
            blocks += [Block(text=t.material_item.format(index=i, text=m)) for i, m in enumerate(materials, 1)]
        else:
            blocks.append(Block(text=t.materials_general.format(phone=self.s.phone_for_help())))
        return blocks

    def _done(self, ctx: Context) -> Widget:
        t, r = self.t, self.result
        code = str(r.get("code", ""))
        name = r.get("category_name") or self.s.category_name(str(r.get("category", "")))
        when = t.book_when.format(day=self.s.day_text(str(r.get("date", ""))), start=r.get("start", ""),
                                  end=r.get("end", ""))
        head = [Label("done-code-label", t.code_label, align="center"),
                Label("done-code", code, style="display", align="center"),
                TextBlock("done-when", f"{when}\n{name}", style="title", align="center")]
        if self.slip_printed:
            head.append(TextBlock("done-slip", t.slip_printed, fill="info", tone="on_info", align="center"))
        qr = QRImage("done-qr", self.s.qr_for_booking(code), caption=t.book_qr_caption, flex=2)
        doc = PagedDocument("done-doc", self.material_blocks(), flex=1)
        if self.landscape:
            return Row("done", [Column("done-info", [*head, doc], flex=3), qr], flex=1)
        return Column("done", [Row("done-top", [Column("done-head", head, flex=3), qr]), doc], flex=1)

    def _full(self, ctx: Context) -> Widget:
        t = self.t
        body = t.full_body.format(when=self.when_text(self.slot), category=self.s.category_name(self.category))
        parts: list[Widget] = [TextBlock("full-body", body, style="title", fill="warning", tone="on_warning")]
        if self.suggest:
            parts += [Button("book-suggest", t.full_suggest.format(when=self.when_text(self.suggested())),
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
            TextBlock("book-error", self.reason, style="title", fill="warning", tone="on_warning"),
            TextBlock("book-error-phone", t.failed_phone.format(phone=self.s.phone_for_help())),
        ]
        if self.sent is not None:
            parts.append(Button("book-retry", t.retry_same, icon="↻", tone="secondary", choice=True))
        parts.append(Spacer("failed-end", flex=1))
        return Column("book-failed", parts, flex=1)

    # ---- behaviour -------------------------------------------------------------------------------
    def suggested(self) -> dict[str, Any]:
        found = next((s for s in self.slots if s.get("slot") == self.suggest), None)
        return found or {"slot": self.suggest, "date": self.suggest[:10], "start": self.suggest[11:16], "end": ""}

    def _send(self, op: str, args: dict[str, Any], stage: str, txn: str | None = None) -> None:
        self.failed_from = CONFIRM if stage == BOOKING else (ITEM if self.catalog_items() else CATEGORY)
        self.sent = (op, args)
        self.txn = self.s.request(op, args, txn)
        if self.txn is None:
            self.sent = None
            self._fail("offline")
            return
        self.sent_at = self.now
        self._go(stage)

    def _load_slots(self) -> None:
        self.slots = []
        self._send("appointment.slots", {"category": self.category}, LOADING)

    def _book(self, slot: dict[str, Any]) -> None:
        self.slot = slot
        args: dict[str, Any] = {"category": self.category, "slot": slot["slot"], "phone": self.phone}
        if self.item_id:
            args["items"] = [self.item_id]
        self._send("appointment.book", args, BOOKING)

    def _fail(self, code: str, message: str = "") -> None:
        t = self.t
        self.reason = self.refusal(code, message, t.appointment_errors, t.error_other)
        self._go(FAILED)

    def _answer(self, msg: ReplyIn) -> None:
        rep = msg.reply
        assert self.sent is not None
        op = self.sent[0]
        self.txn = None
        if not rep.ok:
            code = rep.code or "error"
            if op == "appointment.book" and code == "slot_full":
                self.sent = None
                self.suggest = str((msg.error or {}).get("suggest") or "")
                self._go(FULL)
            elif op == "appointment.book" and code == "bad_phone":
                self.sent, self.phone_error = None, True
                self._go(PHONE)
            else:
                self.sent = None
                self._fail(code, rep.message or "")
            return
        result = rep.result if isinstance(rep.result, dict) else {}
        self.sent = None
        if op == "appointment.slots":
            self.slots = [s for s in result.get("slots", []) if isinstance(s, dict)]
            if not self.slots:
                self.reason = self.t.book_none.format(phone=self.s.phone_for_help())
                self.failed_from = CATEGORY
                self._go(FAILED)
                return
            self._go(DAY)
        else:
            self.result = result
            self._go(DONE)
            self._print_slip()

    def _print_slip(self) -> None:
        """Print the 预约凭条 when the printer last said it is ready; otherwise the screen is the slip."""
        printer, r, t = self.s.printer, self.result, self.t
        if not printer.present or not self.s.printer_state.ready:
            return
        materials = [str(m) for m in r.get("materials") or []]
        lines = [str(r["checkin"])] if r.get("checkin") else []
        if materials:
            lines += [t.materials_head, *(t.material_item.format(index=i, text=m) for i, m in enumerate(materials, 1))]
        else:
            lines.append(t.materials_general.format(phone=self.s.phone_for_help()))
        slip = self.s.booking_slip(r, materials=lines, large=self.mode is Mode.LARGE)
        if printer.can_print(slip):
            self.slip_tag = f"book-{next(_SLIPS)}"
            printer.print(self.slip_tag, slip)

    def on(self, message: Any) -> Transition | None:
        if isinstance(message, PrintFinished):
            if message.tag == self.slip_tag and message.ok and self.stage == DONE:
                self.slip_printed = True
                self.invalidate()
            return None
        if isinstance(message, ReplyIn):
            if self.txn and message.reply.txn == self.txn and self.sent is not None \
                    and self.stage in (*WAITING, FAILED):
                self._answer(message)
            return None
        if isinstance(message, Chosen):
            wid, value = message.widget_id, message.value
            if wid == "book-cats" and self.stage == CATEGORY:
                self.category, self.item_id = value, ""
                if self.catalog_items():
                    self._go(ITEM)
                else:
                    self._load_slots()
            elif wid == "book-items" and self.stage == ITEM:
                self.item_id = value
                self._load_slots()
            elif wid == "book-days" and self.stage == DAY:
                self.day = value
                self._go(SLOT)
            elif wid == "book-slots" and self.stage == SLOT:
                self.slot = next(s for s in self.slots if s.get("slot") == value)
                self.phone_error = False
                self._go(PHONE)
        elif isinstance(message, Pressed):
            wid = message.widget_id
            if wid == "book-skip" and self.stage == ITEM:
                self.item_id = ""
                self._load_slots()
            elif wid == "book-submit" and self.stage == CONFIRM:
                self._book(self.slot)
            elif wid == "book-suggest" and self.stage == FULL and self.suggest:
                self._book(self.suggested())
            elif wid == "book-rechoose" and self.stage == FULL:
                self._load_slots()
            elif wid == "book-retry" and self.stage == FAILED and self.sent is not None:
                op, args = self.sent
                stage = LOADING if op == "appointment.slots" else BOOKING
                self._send(op, args, stage, txn=self.txn)
        elif isinstance(message, EntrySubmitted) and message.widget_id == "book-phone":
            self.phone = message.value
            self.phone_error = not valid_phone(self.phone)
            self._go(PHONE if self.phone_error else CONFIRM)
        return None

    def tick(self, now: float) -> Transition | None:
        if self.stage in WAITING and now - self.sent_at >= self.s.settings.reply_timeout:
            self._fail("timeout")  # self.txn stays: a late reply is still taken, 重试 sends it again
        return None
