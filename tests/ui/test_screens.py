"""Sample screens with every widget, in both modes and orientations: PNGs + clean layout checks."""

import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.ui.demo import SCREENS
from kiosk.ui.pilot import Pilot
from kiosk.ui.theme import Mode

from .conftest import SHOTS

COMBOS = [(key, mode, orient) for key in ("gallery", "keys") for mode in Mode
          for orient in ("portrait", "landscape")]


@pytest.mark.parametrize("key, mode, orientation", COMBOS)
def test_sample_screens_render_cleanly(key, mode, orientation):
    with Pilot.start(SCREENS, key, mode=mode, orientation=orientation) as p:
        problems = p.check_layout()
        p.screenshot(SHOTS / f"{key}-{mode.value}-{orientation}.png")  # compared with its golden
        assert problems == [], "\n".join(map(str, problems))
        texts = p.visible_texts()
        assert texts and all(t.strip() for t in texts)


def test_gallery_covers_every_widget_kind():
    from kiosk.ui import keys, paging, widgets

    kinds = set()
    for key in ("gallery", "keys"):
        with Pilot.start(SCREENS, key) as p:
            kinds |= {type(w) for w in p.root.walk()}
    for cls in (widgets.Label, widgets.TextBlock, widgets.Button, widgets.StatusBanner, widgets.Countdown,
                widgets.QRImage, paging.PagedList, keys.NumericKeypad, keys.LetterKeyboard):
        assert cls in kinds, cls


def test_flow_choose_confirm_modal_and_back():
    with Pilot.start(SCREENS, "gallery", mode=Mode.LARGE) as p:
        p.tap("services-item-1")
        assert p.app.top.key == "confirm" and p.text_of("dialog-item") == "医保缴费"
        assert p.check_layout() == []
        p.screenshot(SHOTS / "confirm-large-portrait.png")
        p.tap("yes")
        gallery = p.app.top
        assert gallery.key == "gallery" and gallery.confirmed is True
        assert "已选择：医保缴费" in p.text_of("intro")
        p.tap("keys")
        p.tap("idpad-key-3")
        p.tap("back")
        assert p.app.top.key == "gallery"


def test_import_does_not_touch_pygame():
    code = ("import kiosk.ui, kiosk.ui.pilot, kiosk.ui.demo, pygame;"
            "assert not pygame.display.get_init() and not pygame.font.get_init()")
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)


def test_modules_are_small_and_documented():
    import kiosk.ui

    pkg = Path(kiosk.ui.__file__).parent
    for module in pkg.glob("*.py"):
        source = module.read_text(encoding="utf-8")
        assert len(source.splitlines()) <= 600, module
        assert source.lstrip().startswith('"""'), module
