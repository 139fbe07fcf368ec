"""政务公开: the view of :class:`kiosk.terminal.flows.open_gov.OpenGovFlow` — the pages staff publish with ``kiosk content`` (公示公告, 权责清单, 政策文件, 工作流程图) and the
built-in 政务服务事项清单 made from the catalogue, each read as a paged document.

Rule: the pages are the session's copy of the retained ``content/+`` topics, parsed by :mod:`kiosk.protocol.content`
(the same parser as the wall display), so a page appears or disappears here as soon as it is published or
removed. Nothing is scrolled or clipped: text is a :class:`~kiosk.ui.document.PagedDocument` turned with
上一页/下一页, a picture is scaled to fit the screen with its aspect ratio kept. A page removed while it is
open sends the resident back to the list with a short note. The screen ends with a way to 政府信息公开申请.
Which page is open lives in the flow; the page the list was on and the decoded pictures are the view's own.
"""

from __future__ import annotations

import io
import logging
from datetime import datetime
from typing import Any, ClassVar

import pygame

from ..protocol.content import ContentPage, markdown_text, table
from ..ui.document import Block, PagedDocument
from ..ui.paging import ListItem, PagedList
from ..ui.screen import Push, Transition
from ..ui.theme import Mode
from ..ui.widget import Chosen, Column, Context, Pressed, Rect, Row, Widget
from ..ui.widgets import Button, TextBlock
from .flow_screen import FlowScreen
from .flows.open_gov import CATALOG_ID, LIST_ID, Gone, OpenGovFlow, Stage
from .strings_voice import DISCLOSURE, VoiceStrings

log = logging.getLogger(__name__)

LIST, PAGE = Stage.LIST, Stage.PAGE
CATALOG = "catalog"  # the built-in page's section key
KIND_ORDER = ("notice", "list", "policy", "image")
APPLY_ID = "gk-apply"


class Picture(Widget):
    """A decoded picture scaled to fit its box (aspect ratio kept), centred; scaled once per size."""

    def __init__(self, id: str, image: pygame.Surface, *, flex: float = 1.0) -> None:
        super().__init__(id, flex=flex)
        self.image = image
        self.image_rect = Rect(0, 0, 0, 0)
        self._scaled: pygame.Surface | None = None

    def _layout(self, ctx: Context) -> None:
        sw, sh = self.image.get_size()
        k = min(self.rect.width / max(1, sw), self.rect.height / max(1, sh))
        w, h = max(1, int(sw * k)), max(1, int(sh * k))
        self.image_rect = Rect(self.rect.centerx - w // 2, self.rect.centery - h // 2, w, h)
        if self._scaled is None or self._scaled.get_size() != (w, h):
            self._scaled = pygame.transform.smoothscale(self.image, (w, h))

    def _draw(self, surface: pygame.Surface, ctx: Context) -> None:
        if self._scaled is not None:
            surface.blit(self._scaled, self.image_rect)

    def problems(self, ctx: Context) -> list[str]:
        return [] if self.rect.contains(self.image_rect) else ["the picture is larger than its box"]


class OpenGovScreen(FlowScreen):
    watches: ClassVar[frozenset[str]] = frozenset({"content", "catalog"})
    flow: OpenGovFlow

    def startup(self, data: Any) -> None:
        self.list_page = 0  # so 上一步 from a page returns to the same page of the list
        self._images: dict[tuple[str, float], pygame.Surface | None] = {}  # decoded once per publication
        super().startup(data)

    def make_flow(self, data: Any) -> OpenGovFlow:
        return OpenGovFlow()

    @property
    def page_id(self) -> str:
        return self.flow.page_id

    # ---- what there is ---------------------------------------------------------------------------
    def pages(self) -> list[ContentPage]:
        """Published pages: by kind (notices first), newest first within a kind."""
        order = {k: i for i, k in enumerate(KIND_ORDER)}
        return sorted(self.s.content.values(), key=lambda p: (order.get(p.kind, 99), -p.published_at, p.id))

    def section(self, kind: str) -> str:
        return self.t.open_sections.get(kind, kind)

    def page_title(self, page: ContentPage) -> str:
        return page.title or self.section(page.kind)

    def current(self) -> ContentPage | None:
        return self.s.content.get(self.page_id)

    def choices(self) -> list[ListItem]:
        t = self.t
        out = []
        for p in self.pages():
            d = datetime.fromtimestamp(p.published_at, self.s.tz) if p.published_at else None
            date = t.open_date.format(month=d.month, day=d.day) if d else ""
            out.append(ListItem(label=t.open_choice.format(title=self.page_title(p), section=self.section(p.kind),
                                                         date=date).strip(),
                                value=p.id, icon=t.open_icons.get(p.kind)))
        cat = self.s.catalog
        if cat is not None and len(cat):
            out.append(ListItem(label=t.open_catalog_choice.format(title=self.section(CATALOG), n=len(cat)),
                                value=CATALOG_ID, icon=t.open_icons.get(CATALOG)))
        return out

    # ---- navigation ------------------------------------------------------------------------------
    def _open_missing(self) -> bool:
        """The page being read is no longer there (removed, or the catalogue is gone)."""
        if self.flow.stage is not PAGE:
            return False
        if self.page_id == CATALOG_ID:
            return self.s.catalog is None
        return self.current() is None

    def title(self) -> str:
        if self.flow.stage is PAGE and not self._open_missing():
            if self.page_id == CATALOG_ID:
                return self.section(CATALOG)
            page = self.current()
            assert page is not None
            return self.page_title(page)
        return self.t.open_title

    # ---- bodies ----------------------------------------------------------------------------------
    def body(self, ctx: Context) -> Widget:
        if self._open_missing():
            self.flow.handle(Gone(), self.now)
            self._seen = self.flow.version  # being drawn now
        if self.flow.stage is PAGE:
            return self._page(ctx)
        return self._list(ctx)

    def _list(self, ctx: Context) -> Widget:
        t, v = self.t, VoiceStrings()
        items = self.choices()
        parts: list[Widget] = []
        if self.flow.gone:
            parts.append(TextBlock("gk-gone", t.open_gone, fill="warning", tone="on_warning"))
        if not items:
            parts.append(TextBlock("gk-empty", t.open_nothing, style="title", fill="info", tone="on_info",
                                   valign="center", flex=1))
        else:
            if not self.s.content:
                parts.append(TextBlock("gk-empty", t.open_empty, fill="info", tone="on_info"))
            large = self.mode is Mode.LARGE
            cols = 2 if self.landscape and not large else 1
            parts.append(PagedList(LIST_ID, items, per_page=6 if large else 8, columns=cols, page=self.list_page,
                                   flex=1, stretch=True, max_stretch=1.6))
        wide = 1.0 if self.landscape else 0.0  # side by side in a Row (flex = width), stacked otherwise
        apply = Button(APPLY_ID, v.menu_apply, tone="secondary", flex=wide)
        note = TextBlock("gk-apply-note", t.open_apply_note, valign="center", flex=wide)
        parts.append(Row("gk-apply-row", [note, apply]) if self.landscape else
                     Column("gk-apply-box", [note, apply]))
        return Column("gk-list", parts, flex=1)

    def _meta(self, page: ContentPage) -> TextBlock:
        d = datetime.fromtimestamp(page.published_at, self.s.tz)
        text = self.t.open_published.format(section=self.section(page.kind), year=d.year, month=d.month, day=d.day)
        return TextBlock("gk-meta", text, tone="text_muted")

    def _page(self, ctx: Context) -> Widget:
        if self.page_id == CATALOG_ID:
            return PagedDocument("gk-doc-catalog", self.catalog_blocks(), flex=1)
        page = self.current()
        assert page is not None
        head: list[Widget] = [self._meta(page)] if page.published_at else []
        if page.kind == "image":
            image = self._image(page)
            shown: Widget = Picture("gk-picture", image) if image is not None else \
                TextBlock("gk-picture-bad", self.t.open_image_bad, fill="warning", tone="on_warning")
            return Column("gk-page", [*head, shown], flex=1)
        blocks = self.table_blocks(page) if page.kind == "list" else self.text_blocks(page)
        return Column("gk-page", [*head, PagedDocument(f"gk-doc-{page.id}", blocks, flex=1)], flex=1)

    # ---- documents -------------------------------------------------------------------------------
    def text_blocks(self, page: ContentPage) -> list[Block]:
        """A notice or policy: one block per line; Markdown headings become headings."""
        out: list[Block] = []
        for line in page.body.splitlines():
            s = line.strip()
            if not s:
                continue
            text = markdown_text(s, self.t.open_bullet)
            if s.startswith("#"):
                out.append(Block(text=text, fill="info", tone="on_info", keep_with_next=True))
            elif text:
                out.append(Block(text=text))
        return out or [Block(text=" ")]

    def table_blocks(self, page: ContentPage) -> list[Block]:
        """A 权责清单: each row one block, every cell named by its column (a table would not fit the
        width of a portrait screen in large print)."""
        t = self.t
        header, rows = table(page.body)
        out = []
        for row in rows:
            if header:
                lines = [t.open_cell.format(header=h, cell=c) for h, c in zip(header, row) if c]
                lines += [c for c in row[len(header):] if c]
                text = "\n".join(lines)
            else:
                text = t.open_bullet + t.open_cell_sep.join(c for c in row if c)
            out.append(Block(text=text or " ", fill="surface"))
        return out or [Block(text=" ")]

    def catalog_blocks(self) -> list[Block]:
        t, cat = self.t, self.s.catalog
        assert cat is not None

        out = [Block(text=t.open_catalog_intro.format(n=len(cat)), fill="info", tone="on_info")]
        for i, item in enumerate(cat.items, 1):
            out.append(Block(text=t.open_catalog_item.format(
                index=i, name=item.name, department=item.department,
                limit=t.day_count(item.time_limit_days, item.time_limit_unit),
                promised=t.day_count(item.promised_days)), fill="surface"))
        return out

    def _image(self, page: ContentPage) -> pygame.Surface | None:
        key = (page.id, page.published_at)
        if key not in self._images:
            if len(self._images) > 4:  # only the pictures opened lately stay decoded
                self._images.clear()
            try:
                self._images[key] = pygame.image.load(io.BytesIO(page.image)).convert()
            except (pygame.error, ValueError, OSError) as exc:
                log.warning("cannot decode the picture of content page %s: %s", page.id, exc)
                self._images[key] = None
        return self._images[key]

    # ---- behaviour -------------------------------------------------------------------------------
    def on(self, message: Any) -> Transition | None:
        if isinstance(message, Pressed) and message.widget_id == APPLY_ID:
            return Push(key=DISCLOSURE)  # to another screen: not the flow's business
        if isinstance(message, Chosen) and message.widget_id == LIST_ID:
            shown = self.root.find(LIST_ID) if self.root else None
            if isinstance(shown, PagedList):
                self.list_page = shown.page
        return super().on(message)
