"""Widgets through the Pilot: paged list, keypads, QR, banners, layout maths."""

import pytest

from kiosk.ui.demo import SCREENS
from kiosk.ui.errors import PilotError, UIError
from kiosk.ui.paging import ListItem, PagedList
from kiosk.ui.pilot import Pilot
from kiosk.ui.screen import Screen
from kiosk.ui.theme import Mode
from kiosk.ui.widget import (Chosen, Column, EntryChanged, EntrySubmitted, PageChanged, Rect, grid_rects,
                             row_rects, split)
from kiosk.ui.widgets import QRImage, StatusBanner


class Recorder(Screen):
    """Builds whatever widget tree the test gives it and records every message."""

    tree = None

    def __init__(self):
        super().__init__()
        self.messages = []

    def build(self, ctx):
        return Column("root", type(self).tree(), padded=True)

    def handle(self, message):
        self.messages.append(message)
        return None


def start(tree, **kw):
    screen = type("S", (Recorder,), {"tree": staticmethod(tree)})
    return Pilot.start({"s": screen}, "s", **kw)


SERVICES = [ListItem(label=f"业务{i}", value=f"svc-{i}") for i in range(14)]


@pytest.mark.parametrize("mode, per_page", [(Mode.NORMAL, 10), (Mode.LARGE, 6)])
def test_paged_list_pages_and_choices(mode, per_page):
    with start(lambda: [PagedList("list", SERVICES, per_page=10, flex=1)], mode=mode) as p:
        shown = [w for w in p.root.walk() if w.choice]
        assert len(shown) == per_page
        assert p.text_of("list-page") == f"第 1/{-(-14 // per_page)} 页"
        assert not p.widget("list-prev").enabled
        p.tap("list-next")
        assert p.app.top.messages[-1] == PageChanged(widget_id="list", page=1, pages=-(-14 // per_page))
        assert p.exists(f"list-item-{per_page}") and not p.exists("list-item-0")
        p.tap(f"list-item-{per_page + 1}")
        assert p.app.top.messages[-1] == Chosen(widget_id="list", index=per_page + 1,
                                                value=f"svc-{per_page + 1}")
        assert p.check_layout() == []


def test_paged_list_page_size_shrinks_to_the_height():
    with start(lambda: [PagedList("list", SERVICES, per_page=6, flex=0)]) as p:
        lst = p.widget("list")
        assert lst.page_size <= 6 and p.check_layout() == []


def test_short_list_has_no_page_buttons():
    with start(lambda: [PagedList("list", SERVICES[:3], flex=1)]) as p:
        assert not p.exists("list-next") and p.check_layout() == []


def test_disabled_button_emits_nothing():
    with start(lambda: [PagedList("list", SERVICES, flex=1)]) as p:
        p.tap("list-prev")
        assert p.app.top.messages == []


def test_numeric_keypad_entry_and_submit():
    from kiosk.ui.keys import NumericKeypad

    with start(lambda: [NumericKeypad("pad", extra_key="X", max_length=3)], mode=Mode.LARGE) as p:
        for key in ("1", "2", "X", "9"):
            p.tap(f"pad-key-{key}")
        assert p.text_of("pad-entry") == "12X"
        p.tap("pad-key-del")
        assert p.text_of("pad-entry") == "12"
        p.tap("pad-key-ok")
        msgs = p.app.top.messages
        assert msgs[-1] == EntrySubmitted(widget_id="pad", value="12")
        assert EntryChanged(widget_id="pad", value="12X") in msgs
        assert p.check_layout() == []


def test_letter_keyboard_clear_and_state_survives_mode_switch():
    from kiosk.ui.keys import LetterKeyboard

    with start(lambda: [LetterKeyboard("kb")]) as p:
        p.tap("kb-key-Q")
        p.tap("kb-key-M")
        assert p.text_of("kb-entry") == "QM"
        p.app.set_mode(Mode.LARGE)
        p.frames(1)
        assert p.text_of("kb-entry") == "QM"
        p.tap("kb-key-clear")
        assert p.text_of("kb-entry") == "请输入"
        assert p.check_layout() == []


def test_status_banner_has_icon_and_words_not_just_colour():
    with start(lambda: [StatusBanner("banner", "网络已断开", level="error")]) as p:
        texts = p.text_of("banner")
        assert "×" in texts and "故障：网络已断开" in texts
    with pytest.raises(ValueError):
        StatusBanner("b", "x", level="purple")


def test_qr_image_renders_whole_pixel_modules_and_flags_tiny_codes():
    with start(lambda: [QRImage("qr", "https://example.invalid/a", caption="扫码")]) as p:
        qr = p.widget("qr")
        assert qr.module_px >= QRImage.MIN_MODULE_PX
        assert qr.image_rect.width == qr.module_px * qr.modules
        surf = p.app.surface
        x, y = qr.image_rect.topleft
        finder = (x + 4 * qr.module_px + 1, y + 4 * qr.module_px + 1)  # inside the top-left finder
        assert surf.get_at(finder)[:3] == p.app.theme.colors.text
    with start(lambda: [QRImage("qr", "x" * 200)]) as p:
        p.widget("qr").layout(Rect(0, 0, 60, 60), p.app.ctx)
        assert p.widget("qr").problems(p.app.ctx)
    with pytest.raises(UIError):
        QRImage("qr", "x" * 5000)


def test_pilot_errors():
    with start(lambda: [StatusBanner("banner", "正常", level="ok")]) as p:
        with pytest.raises(PilotError):
            p.widget("nope")
        with pytest.raises(PilotError):
            p.tap("banner")
        with pytest.raises(PilotError):
            p.wait_until(lambda: False, max_frames=3)


def test_layout_maths():
    parts = split(100, [1, 1, 1], 5)
    assert [s for _, s in parts] == [30, 30, 30] and parts[-1][0] + parts[-1][1] == 100
    assert sum(s for _, s in split(101, [2, 1], 3)) == 98
    rects = row_rects(Rect(10, 0, 100, 20), [1, 3], 0)
    assert rects[0].width == 25 and rects[1].right == 110
    cells = grid_rects(Rect(0, 0, 300, 200), 5, 3, 10)
    assert len(cells) == 5 and cells[3].top == cells[4].top > cells[0].bottom
    assert not any(a.colliderect(b) for i, a in enumerate(cells) for b in cells[i + 1:])


def test_gallery_widget_ids_are_unique():
    with Pilot.start(SCREENS, "gallery") as p:
        ids = [w.id for w in p.root.walk()]
        assert len(ids) == len(set(ids))


@pytest.mark.parametrize("rotation, window_scale", [(0, 1.0), (90, 1.0), (270, 0.5)])
@pytest.mark.parametrize("mode", list(Mode))
def test_a_swipe_pages_the_list_like_its_buttons(mode, rotation, window_scale):
    """Finger events dragged across the list turn it exactly as 下一页/上一页 do, in any mounting."""
    def pages_seen(turn):
        with start(lambda: [PagedList("list", SERVICES, per_page=10, flex=1)], mode=mode, rotation=rotation,
                   window_scale=window_scale) as p:
            out = []
            for step in ("next", "next", "next", "prev"):
                turn(p, step)
                out.append((p.widget("list").page, [w.id for w in p.root.walk() if w.choice],
                            p.text_of("list-page")))
            return out, [m for m in p.app.top.messages]
    by_buttons = pages_seen(lambda p, step: p.tap(f"list-{step}"))
    by_swipe = pages_seen(lambda p, step: p.swipe("list-items", "left" if step == "next" else "right"))
    by_vertical = pages_seen(lambda p, step: p.swipe("list-items", "up" if step == "next" else "down"))
    assert by_swipe == by_buttons == by_vertical
    assert [m.page for m in by_buttons[1]] == ([1, 0] if mode is Mode.NORMAL else [1, 2, 1])


def test_a_short_or_diagonal_drag_is_not_a_swipe_and_a_swipe_is_never_a_tap():
    with start(lambda: [PagedList("list", SERVICES, per_page=10, flex=1)]) as p:
        p.swipe("list-item-0", "left", mm=8)  # shorter than a swipe: a shaky tap on the item
        assert p.widget("list").page == 0
        assert p.app.top.messages == [Chosen(widget_id="list", index=0, value="svc-0")]
        p.swipe("list-item-1", "left", mm=40)  # starts on an item: pages, does not choose it
        assert p.widget("list").page == 1
        assert p.app.top.messages[1:] == [PageChanged(widget_id="list", page=1, pages=2)]


def test_swipe_step_maths():
    from kiosk.ui.touch import swipe_step
    assert swipe_step((500, 500), (400, 510), 60) == 1
    assert swipe_step((500, 500), (600, 490), 60) == -1
    assert swipe_step((500, 500), (505, 380), 60) == 1
    assert swipe_step((500, 500), (500, 620), 60) == -1
    assert swipe_step((500, 500), (540, 500), 60) == 0      # too short
    assert swipe_step((500, 500), (600, 600), 60) == 0      # diagonal: neither axis dominates


def test_id_numbers_are_shown_in_groups_of_6_8_4():
    from kiosk.ui.keys import ID_GROUPS, NumericKeypad, group_digits
    assert group_digits("42010219800101123X", ID_GROUPS) == "420102 19800101 123X"
    assert group_digits("4201021980", ID_GROUPS) == "420102 1980"  # while typing
    assert group_digits("13812345678", ()) == "13812345678"
    with start(lambda: [NumericKeypad("pad", extra_key="X", groups=ID_GROUPS)], mode=Mode.LARGE) as p:
        for key in "42010219800101123X":
            p.tap(f"pad-key-{key}")
        assert p.text_of("pad-entry") == "420102 19800101 123X"
        assert p.widget("pad").value == "42010219800101123X"  # the value itself has no spaces
        assert p.check_layout() == []
