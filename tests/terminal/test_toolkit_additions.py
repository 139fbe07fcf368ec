"""The kiosk.ui additions the terminal relies on: PagedDocument, Reset, last_input, stretched lists."""

from __future__ import annotations

from kiosk.ui.document import Block, PagedDocument, QRBlock
from kiosk.ui.paging import ListItem, PagedList
from kiosk.ui.pilot import Pilot
from kiosk.ui.screen import Push, Reset, Screen
from kiosk.ui.theme import Mode
from kiosk.ui.widget import Column, Pressed
from kiosk.ui.widgets import Button

LONG = "。".join(["办理社会保障卡需要携带本人居民身份证原件"] * 250)


class Doc(Screen):
    def build(self, ctx):
        return Column("root", [PagedDocument("doc", [Block(text="一、材料", fill="info", tone="on_info",
                                                           keep_with_next=True), Block(text=LONG),
                                                     QRBlock(data="ehb://tianmen/item/x", caption="扫码")])],
                      padded=True)


class Deep(Screen):
    def build(self, ctx):
        return Column("root", [Button("deeper", "下一层"), Button("reset", "返回首页"),
                               PagedList("list", [ListItem(label=str(i)) for i in range(3)], stretch=True)],
                      padded=True)

    def handle(self, message):
        if isinstance(message, Pressed) and message.widget_id == "deeper":
            return Push(key="deep")
        if isinstance(message, Pressed) and message.widget_id == "reset":
            return Reset(key="doc")
        return None


def test_a_long_block_is_split_across_pages_without_clipping():
    for mode in Mode:
        with Pilot.start({"doc": Doc}, "doc", mode=mode) as p:
            doc = p.widget("doc")
            assert doc.page_count >= 2
            seen = 0
            while True:
                assert p.check_layout() == []
                seen += 1
                if not p.widget("doc-next").enabled:
                    break
                p.tap("doc-next")
            assert seen == doc.page_count
            assert any(w.id.startswith("doc-b") and type(w).__name__ == "QRImage" for w in p.root.walk())


def test_reset_clears_the_stack_and_last_input_is_recorded():
    with Pilot.start({"doc": Doc, "deep": Deep}, "deep") as p:
        p.tap("deeper")
        p.tap("deeper")
        assert len(p.app.stack) == 3 and p.app.last_input is not None
        p.tap("reset")
        assert [s.key for s in p.app.stack] == ["doc"]


def test_a_stretched_list_fills_its_height():
    with Pilot.start({"deep": Deep}, "deep") as p:
        item = p.widget("list-item-0")
        assert item.rect.height > p.app.theme.target_min * 1.5
        assert p.check_layout() == []
