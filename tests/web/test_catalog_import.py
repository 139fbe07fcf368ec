"""主任 · 事项目录 in chromium against a real mosquitto and the real hub serving the shipped catalogue: the
director uploads the city's CSV, sees the counts and the difference from the catalogue the hall shows,
confirms, and the retained ``catalog`` every kiosk reads carries the new items (a GBK file from Excel
too); a bad file shows its rows' errors in Chinese and nothing is sent; a window login cannot import and
a confirmation without the form's CSRF token is refused."""

from __future__ import annotations

from playwright.sync_api import expect

from kiosk.loaders.catalog_install import current_dir

from ..mqtt_helpers import wait_until
from .conftest import REPO, login, shot

SAMPLE = (REPO / "config" / "catalog" / "sample_import.csv").read_text(encoding="utf-8-sig")


def ids(message: dict) -> set[str]:
    return {i["id"] for i in message["catalog"]["items"]}


def upload(page, data: bytes, name: str = "事项目录.csv") -> None:
    page.goto("/director/catalog")
    page.set_input_files("#catalog-file", files=[{"name": name, "mimeType": "text/csv", "buffer": data}])
    page.click("#catalog-check")
    page.wait_for_load_state()


def edited(text: str) -> str:
    """The sample with row 2's 法定时限 changed, row 6 removed and a new item added."""
    lines = text.splitlines()
    header = lines[0].split(",")
    row2 = lines[1].split(",")
    row2[header.index("法定时限")] = "30"
    new = lines[2].split(",")
    new[header.index("事项编码")] = "sj-coop-change"
    new[header.index("事项名称")] = "农民专业合作社变更登记"
    return "\n".join([lines[0], ",".join(row2), *lines[2:5], ",".join(new)]) + "\n"


def test_the_director_imports_a_catalogue_the_kiosks_receive(web_hall, open_page, live_terminal):
    web_hall.add_staff("lina", "director", full_name="李娜")
    kiosk = web_hall.recorder("catalog", device="kiosk-1")
    shipped = kiosk.wait_for("catalog", timeout=30)
    assert len(shipped["catalog"]["items"]) > 40 and "ga-hkb-reissue" not in ids(shipped)
    terminal = live_terminal(web_hall.broker.port, device_id="kiosk-2")  # the self-service terminal itself
    terminal.run_until(lambda: terminal.terminal.session.catalog is not None, timeout=30,
                       what="the kiosk has the catalogue")
    assert terminal.terminal.session.catalog.get("ga-hkb-reissue") is None
    page = open_page()
    login(page, "lina")
    page.goto("/director/catalog")
    expect(page.locator("#current")).to_contain_text(str(len(shipped["catalog"]["items"])))
    shot(page, "director-catalog")
    upload(page, SAMPLE.encode("utf-8-sig"))
    expect(page.locator("#preview-items")).to_have_text("5")
    expect(page.locator("#diff-added")).to_have_text("5")
    expect(page.locator("#diff-removed")).to_have_text(str(len(shipped["catalog"]["items"])))
    assert kiosk.on("catalog") == [shipped]  # a preview sends nothing
    page.click("#catalog-confirm")
    expect(page.locator("#flash.good")).to_contain_text("共 5 项")
    got = kiosk.wait_for("catalog", lambda m: "ga-hkb-reissue" in ids(m), timeout=30)
    assert len(got["catalog"]["items"]) == 5
    terminal.run_until(lambda: terminal.terminal.session.catalog.get("ga-hkb-reissue") is not None,
                       timeout=30, what="the new item on the kiosk")
    assert len(terminal.terminal.session.catalog) == 5
    entry = next(e for e in web_hall.audit(who="lina") if e["action"] == "catalog_import")
    assert entry["detail"]["added"] == 5 and entry["detail"]["items"] == 5, entry

    # a second import, saved by Excel as GBK, on the counter-size monitor: a real difference to review
    page.set_viewport_size({"width": 1280, "height": 800})
    upload(page, edited(SAMPLE).encode("gbk"), "事项目录-GBK.csv")
    expect(page.locator("#diff-added")).to_have_text("1")
    expect(page.locator("#diff-removed")).to_have_text("1")
    expect(page.locator("#diff-changed")).to_have_text("1")
    changed = page.locator("#catalog-diff tr.changed")
    expect(changed).to_contain_text("ga-hkb-reissue")
    expect(changed).to_contain_text("法定时限")
    expect(page.locator("#catalog-diff tr.added")).to_contain_text("农民专业合作社变更登记")
    shot(page, "director-catalog-preview")
    page.set_viewport_size({"width": 1920, "height": 1080})
    shot(page, "director-catalog-preview")
    token = page.locator("#confirm-form input[name=token]").get_attribute("value")
    csrf = page.locator("body").get_attribute("data-csrf")
    page.click("#catalog-confirm")
    expect(page.locator("#flash.good")).to_be_visible()
    got = kiosk.wait_for("catalog", lambda m: "sj-coop-change" in ids(m), timeout=30)
    item = next(i for i in got["catalog"]["items"] if i["id"] == "ga-hkb-reissue")
    assert item["time_limit_days"] == 30 and item["name"] == "居民户口簿补领（换领）"  # decoded from GBK
    again = page.request.post("/director/catalog/confirm", multipart={"csrf": csrf, "token": token})
    assert again.status == 409 and "预览已过期" in again.text()  # one preview, one import


def test_a_bad_file_shows_its_rows_and_changes_nothing(web_hall, open_page):
    web_hall.add_staff("lina", "director")
    kiosk = web_hall.recorder("catalog", device="kiosk-1")
    shipped = kiosk.wait_for("catalog", timeout=30)
    lines = SAMPLE.splitlines()
    header = lines[0].split(",")
    bad = lines[2].split(",")
    bad[header.index("法定时限")] = "十五天"
    bad[header.index("队列类别")] = "X"
    text = "\n".join([lines[0], lines[1], ",".join(bad), lines[1]]) + "\n"  # row 4 repeats row 2's id
    page = open_page("1280x800")
    login(page, "lina")
    upload(page, text.encode("gb18030"))
    errors = page.locator("#catalog-errors")
    expect(errors).to_contain_text("第3行")
    table = errors.inner_text()
    assert "法定时限" in table and "队列类别" in table and "第4行" in table and "与第2行重复" in table, table
    expect(page.locator("#catalog-confirm")).to_have_count(0)
    shot(page, "director-catalog-errors")
    page.set_viewport_size({"width": 1920, "height": 1080})
    shot(page, "director-catalog-errors")
    for data, says in ((b"", "文件为空"), (b"PK\x03\x04\x14\x00\x06\x00\x00\x00!\x00", "不是 CSV 文本文件"),
                       (("名称,编码\n甲,1\n").encode("utf-8"), "缺少该列"),
                       (b"a," * 300_000, "文件太大")):
        upload(page, data)
        expect(page.locator("#catalog-errors, #flash.bad").first).to_contain_text(says)
    page.goto("/director/catalog")
    page.set_input_files("#catalog-file", files=[])
    page.click("#catalog-check")
    expect(page.locator("#flash.bad")).to_contain_text("请选择")
    assert kiosk.on("catalog") == [shipped] and current_dir(web_hall.tmp / "state") is None
    assert any(e["action"] == "catalog_check_refused" for e in web_hall.audit(who="lina"))


def test_a_window_login_cannot_import_and_a_confirmation_needs_the_csrf_token(web_hall, open_page):
    web_hall.add_staff("lina", "director")
    web_hall.add_staff("wang", "window", ("w1",))
    kiosk = web_hall.recorder("catalog", device="kiosk-1")
    shipped = kiosk.wait_for("catalog", timeout=30)
    director = open_page()
    login(director, "lina")
    upload(director, SAMPLE.encode("utf-8"))
    token = director.locator("#confirm-form input[name=token]").get_attribute("value")
    forged = director.request.post("/director/catalog/confirm", multipart={"token": token})  # no CSRF token
    assert forged.status == 403 and "页面已过期或来源不明" in forged.text()
    window = open_page()
    login(window, "wang")
    window.goto("/director/catalog")
    expect(window.locator("#message")).to_contain_text("没有此页面的权限")
    csrf = window.locator("body").get_attribute("data-csrf")
    as_window = window.request.post("/director/catalog/confirm", multipart={"csrf": csrf, "token": token})
    assert as_window.status == 403 and "没有此页面的权限" in as_window.text()
    assert kiosk.on("catalog") == [shipped] and current_dir(web_hall.tmp / "state") is None
    director.click("#catalog-confirm")  # the director's own confirmation still works afterwards
    expect(director.locator("#flash.good")).to_be_visible()
    wait_until(lambda: current_dir(web_hall.tmp / "state") is not None, 30, "the import installed")
