"""办事指南: the view of :class:`kiosk.terminal.flows.guides.GuidesFlow` — find a service item by department,
by life event or by pinyin, and read its guide.

Rule: everything comes from the retained ``catalog`` topic (kept by the session); until it arrives
the screen says 正在加载… . A guide shows the whole 一次性告知 list of materials, steps, 法定/承诺时限,
fees, window, basis and — for items that can be done online — a QR code of the online link; a long
guide is paged with 上一页/下一页, never scrolled or clipped. Where the person is lives in the flow; the
page each list was on (so 上一步 from a guide returns to the same page) is the view's own.
"""

from __future__ import annotations

from typing import Any, ClassVar

from ..core.catalog import ServiceItem
from ..ui.document import Block, PagedDocument, QRBlock
from ..ui.keys import LetterKeyboard
from ..ui.paging import ListItem, PagedList
from ..ui.screen import Transition
from ..ui.theme import Mode
from ..ui.widget import Chosen, Column, Context, EntryChanged, Row, Spacer, Widget
from ..ui.widgets import Button, Label, TextBlock
from .flow_screen import FlowScreen
from .flows.base import Entered
from .flows.guides import Gone, GuidesFlow, Stage

S = Stage
HOW, DEPTS, EVENTS, ITEMS, SEARCH, DETAIL = S.HOW, S.DEPTS, S.EVENTS, S.ITEMS, S.SEARCH, S.DETAIL


class GuidesScreen(FlowScreen):
    watches: ClassVar[frozenset[str]] = frozenset({"catalog"})
    flow: GuidesFlow

    def startup(self, data: Any) -> None:
        self.pages: dict[str, int] = {}  # list id → page, so 上一步 from a guide returns to the same page
        super().startup(data)

    def make_flow(self, data: Any) -> GuidesFlow:
        return GuidesFlow()

    @property
    def item_id(self) -> str:
        return self.flow.item_id

    def item(self) -> ServiceItem | None:
        return self.s.catalog.get(self.flow.item_id) if self.s.catalog else None

    def title(self) -> str:
        t = self.t
        if self.s.catalog is None:
            return t.guides_title
        item = self.item() if self.flow.stage is DETAIL else None
        if item is not None:
            return item.name
        return {HOW: t.guides_how, DEPTS: t.departments_title, EVENTS: t.events_title,
                ITEMS: t.items_title.format(group=self.flow.group), SEARCH: t.search_title,
                DETAIL: t.guides_title}[self.flow.stage]

    # ---- bodies ----------------------------------------------------------------------------------
    def _columns(self) -> int:
        if self.mode is Mode.LARGE:
            return 2 if self.landscape else 1
        return 3 if self.landscape else 2

    def body(self, ctx: Context) -> Widget:
        if self.s.catalog is None:
            return Column("loading", [Spacer("loading-top", flex=1),
                                      Label("loading-text", self.t.loading, style="title", align="center"),
                                      Spacer("loading-bottom", flex=1)], flex=1)
        if self.flow.stage is DETAIL and self.item() is None:  # the item left the catalogue while it was open
            self.flow.handle(Gone(), self.now)
            self._seen = self.flow.version  # being drawn now
        return {HOW: self._how, DEPTS: self._groups, EVENTS: self._groups, ITEMS: self._items,
                SEARCH: self._search, DETAIL: self._detail}[self.flow.stage](ctx)

    def _how(self, ctx: Context) -> Widget:
        t = self.t
        return Column("how", [
            Button("how-department", t.by_department, icon="◆", tone="secondary", choice=True),
            Button("how-event", t.by_life_event, icon="◆", tone="secondary", choice=True),
            Button("how-search", t.by_search, icon="○", tone="secondary", choice=True),
            Spacer("how-end", flex=1),
        ], flex=1)

    def _groups(self, ctx: Context) -> Widget:
        cat = self.s.catalog
        assert cat is not None
        index = cat.by_department if self.flow.stage is DEPTS else cat.by_life_event
        items = [ListItem(label=self.t.count_items.format(name=k, n=len(v)), value=k) for k, v in index.items()]
        lid = f"list-{self.flow.stage.value}"
        return PagedList(lid, items, per_page=8, columns=self._columns(), page=self.pages.get(lid, 0), flex=1,
                         stretch=True, max_stretch=1.6)

    def _item_list(self, id: str, found: list[ServiceItem], columns: int | None = None) -> PagedList:
        return PagedList(id, [ListItem(label=i.name, value=i.id) for i in found], per_page=8,
                         columns=columns or self._columns(), page=self.pages.get(id, 0), flex=1,
                         stretch=True, max_stretch=1.6)

    def _items(self, ctx: Context) -> Widget:
        cat = self.s.catalog
        assert cat is not None
        index = cat.by_department if self.flow.group_kind == "department" else cat.by_life_event
        return self._item_list("list-items", list(index.get(self.flow.group, ())))

    def _search(self, ctx: Context) -> Widget:
        cat = self.s.catalog
        assert cat is not None
        query = self.flow.query
        kb = LetterKeyboard("kb", value=query, max_length=12)
        if not query:
            results: Widget = TextBlock("search-hint", self.t.search_hint, tone="text_muted", flex=1)
        else:
            found = cat.search(query)
            results = self._item_list("results", found, 1 if self.landscape else None) if found else \
                TextBlock("search-none", self.t.search_none, fill="warning", tone="on_warning")
        if self.landscape:
            return Row("search", [Column("search-kb", [kb, Spacer("kb-end", flex=1)], flex=3),
                                  Column("search-results", [results, Spacer("results-end", flex=0)], flex=2)],
                       flex=1)
        return Column("search", [kb, results, Spacer("search-end", flex=0)], flex=1)

    def guide_blocks(self, item: ServiceItem) -> list[Block | QRBlock]:
        t = self.t

        def head(text: str) -> Block:
            return Block(text=text, fill="info", tone="on_info", keep_with_next=True)

        blocks: list[Block | QRBlock] = [head(t.guide_materials)]
        for i, m in enumerate(item.materials, 1):
            copies = t.material_copies.format(n=m.copies) if m.copies > 1 else ""
            line = t.material_line.format(index=i, name=m.name, form=m.form, copies=copies)
            if m.note:
                line += t.material_note.format(note=m.note)
            blocks.append(Block(text=line))
        if item.steps:
            blocks.append(head(t.guide_steps))
            blocks += [Block(text=t.step_line.format(index=i, step=s)) for i, s in enumerate(item.steps, 1)]
        blocks.append(head(t.guide_time))
        blocks.append(Block(text=t.time_limit.format(days=t.day_count(item.time_limit_days, item.time_limit_unit))))
        blocks.append(Block(text=t.time_promised.format(days=t.day_count(item.promised_days))))
        blocks.append(Block(text=t.guide_fees.format(fees=item.fees)))
        blocks.append(Block(text=t.guide_window.format(window=item.window)))
        if item.appointment:
            booking = self.s.catalog.booking if self.s.catalog else ""
            blocks.append(Block(text=booking or t.guide_appointment))
        if item.basis:
            blocks.append(Block(text=t.guide_basis.format(basis=item.basis)))
        if item.online and item.online_url:
            blocks.append(head(t.guide_online))
            blocks.append(QRBlock(data=item.online_url, caption=t.guide_qr_caption))
        else:
            blocks.append(Block(text=t.guide_offline_only))
        return blocks

    def _detail(self, ctx: Context) -> Widget:
        item = self.item()
        assert item is not None
        return PagedDocument(f"guide-{item.id}", self.guide_blocks(item), flex=1)

    # ---- behaviour -------------------------------------------------------------------------------
    def on(self, message: Any) -> Transition | None:
        if isinstance(message, Chosen):
            shown = self.root.find(message.widget_id) if self.root else None
            if isinstance(shown, PagedList):
                self.pages[message.widget_id] = shown.page
            if message.widget_id in (f"list-{DEPTS.value}", f"list-{EVENTS.value}"):
                self.pages.pop("list-items", None)
        elif isinstance(message, EntryChanged) and message.widget_id == "kb":  # the search as it is typed
            self.pages.pop("results", None)
            old = self.root.find("results") if self.root else None
            if isinstance(old, PagedList):
                old.page = 0
                old.set_state(0)
            self.feed(Entered("kb", message.value))
            self.invalidate()
            return None
        return super().on(message)
