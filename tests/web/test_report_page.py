"""主任 · 报表 as production builds it: a real hub serves tickets, ``kiosk report publish`` (the command
kiosk-report.service runs on the hub box) reads the hub's database and publishes today's and this month's
report retained on hub/report/*; the director opens 报表 in chromium, sees the figures framed, and downloads
the HTML and a CSV, whose contents are the report's."""

from __future__ import annotations

import csv
import io
import subprocess
import sys

from playwright.sync_api import expect

from .conftest import REPO, login, shot


def publish(web_hall) -> str:
    r = subprocess.run([sys.executable, "-m", "kiosk", "report", "publish", "--config", str(web_hall.config)],
                       capture_output=True, text=True, timeout=120, cwd=REPO)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


def test_the_director_sees_and_downloads_the_published_report(web_hall, open_page):
    web_hall.add_staff("lina", "director", full_name="李娜")
    page = open_page()
    login(page, "lina")
    page.goto("/director/report")
    expect(page.locator("#report-none")).to_be_visible()  # nothing published yet: said, not an error

    rec = web_hall.recorder("board", device="kiosk-1")
    for cat in "AAC":
        assert rec.call("ticket.issue", category=cat)["ok"]
    out = publish(web_hall)
    assert "published hub/report/day" in out and "published hub/report/month" in out

    page.goto("/director/report")
    expect(page.locator("#report-built")).to_contain_text("生成时间")
    frame = page.frame_locator("#report-frame")
    expect(frame.locator("body")).to_contain_text("3")
    text = frame.locator("body").inner_text()
    assert "取号" in text or "发号" in text, text[:500]
    shot(page, "director-report")
    page.set_viewport_size({"width": 1280, "height": 800})
    shot(page, "director-report")

    with page.expect_download() as dl:
        page.click("#download-html")
    html = open(dl.value.path(), encoding="utf-8").read()
    assert dl.value.suggested_filename.startswith("report-") and dl.value.suggested_filename.endswith(".html")
    assert "<table" in html and text.split("\n")[0].strip() in html

    page.click("#report-csv summary")
    link = page.locator("[data-csv$='-summary-totals.csv']")
    name = link.get_attribute("data-csv")
    with page.expect_download() as dl:
        link.click()
    assert dl.value.suggested_filename == name
    rows = list(csv.reader(io.StringIO(open(dl.value.path(), encoding="utf-8-sig").read())))
    issued = [r for r in rows if r and r[0].startswith("取号")]
    assert issued and issued[0][-1] == "3", rows

    page.goto("/director/report?period=month")
    expect(page.locator("#report-card h2")).to_contain_text("本月报表")
    assert [a["action"] for a in web_hall.audit()].count("report_download") == 2


def test_report_downloads_are_the_directors_only(web_hall, open_page):
    web_hall.add_staff("wang", "window", windows=("w1",))
    publish(web_hall)
    page = open_page()
    login(page, "wang")
    r = page.request.get("/director/report/day.html")
    assert r.status in (403, 404) or "login" in r.url, r.status
    assert b"<table" not in r.body()
