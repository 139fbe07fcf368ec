"""The director's file fields in chromium (whose only UI language here is English, as on a hall PC without
Chinese browser locales): the page says 选择文件 and 未选择文件 itself and the browser's "Choose File" is not
drawn; a click on the page's button opens the file chooser, the chosen file's name is shown, and the file
reaches the server (the catalogue's preview counts its rows, the notice's preview shows the picture); the
field is reached with the keyboard and its focus is drawn on the page's button."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from .conftest import REPO, login, shot

SAMPLE = (REPO / "config" / "catalog" / "sample_import.csv").read_bytes()


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 40), (11, 79, 138)).save(buf, "PNG")
    return buf.getvalue()


CASES = {
    "catalog": ("/director/catalog", "catalog-file", "二〇二六年十二月事项目录（镇政务服务办）.csv", "text/csv", SAMPLE,
                "#catalog-check", "#preview-items", "5"),
    "content": ("/director/content", "content-image", "办事流程图.png", "image/png", _png(),
                "#content-preview", "#preview img", None),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_file_field_speaks_the_halls_language_and_sends_the_file(web_hall, open_page, case):
    path, field, name, mime, data, submit, result, expected = CASES[case]
    web_hall.add_staff("lina", "director", full_name="李娜")
    page = open_page("1280x800")
    login(page, "lina")
    page.goto(path)
    label = page.locator(f"label.file:has(#{field})")
    expect(label.locator(".button")).to_have_text("选择文件")
    expect(page.locator(f"#{field}-name")).to_have_text("未选择文件")
    box = page.locator(f"#{field}").bounding_box()
    assert box is not None and box["width"] <= 1 and box["height"] <= 1, box  # the browser's widget is not drawn
    assert "Choose" not in label.inner_text() and "No file" not in label.inner_text()

    # the keyboard reaches the field, and the focus is drawn on the page's button
    page.focus(f"#{field}")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == field
    assert page.evaluate(f"getComputedStyle(document.querySelector('#{field} + .button')).outlineStyle") == "solid"
    shot(page, f"director-{case}-file-focus")

    with page.expect_file_chooser() as chooser:
        label.locator(".button").click()
    chooser.value.set_files(files=[{"name": name, "mimeType": mime, "buffer": data}])
    expect(page.locator(f"#{field}-name")).to_have_text(name)
    shot(page, f"director-{case}-file-chosen")
    if case == "content":
        page.fill("#content-id", "flow-chart")
    page.click(submit)
    page.wait_for_load_state()
    if expected is None:
        expect(page.locator(result)).to_be_visible()
    else:
        expect(page.locator(result)).to_have_text(expected)
