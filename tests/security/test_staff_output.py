"""What visitors type reaches staff terminals, reports and spreadsheets inert: escape sequences, C1
controls, bidi overrides and lone surrogates are shown as ``\\uXXXX``; CSV cells that a spreadsheet would
evaluate (= + - @ tab CR) start with an apostrophe. Planted through the real hub, read back with the
real staff tools."""

from __future__ import annotations

import csv
import subprocess
import sys

import pytest

from kiosk.core.textsafe import csv_cell, one_line, printable

from ..conftest import HALL_CONFIG, REPO
from ..test_voice_disclosure import FORM

CLEAR = "\x1b[2J\x1b[H"  # clears the staff member's terminal
TITLE = "\x1b]0;已处理\x07"  # rewrites the window title
C1 = "\x9b31m"  # CSI as one C1 byte
RLO = "\u202e"  # right-to-left override: shows text reversed
HYPERLINK = '=HYPERLINK("http://x/","查看")'
UNSAFE = ("\x1b", "\x9b", "\x07", "\u202e", "\u2066", "\r", "\ud800")


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kiosk", *args], capture_output=True, text=True, cwd=REPO,
                          timeout=60, encoding="utf-8", errors="surrogateescape")


def assert_inert(text: str) -> None:
    found = [repr(c) for c in UNSAFE if c in text]
    assert not found, f"raw {found} in staff output"


@pytest.mark.parametrize("raw,shown", [
    ("a\x1b[2Jb", "a\\u001b[2Jb"), ("\x9b31m", "\\u009b31m"), ("x\u202ey", "x\\u202ey"),
    ("\u2066z\u2069", "\\u2066z\\u2069"), ("\ud800", "\\ud800"), ("a\rb", "a\\u000db"), ("\x00", "\\u0000"),
    ("\U000e0041", "\\U000e0041"), ("a\u2028b", "a\\u2028b"), ("黄潭镇 便民", "黄潭镇 便民"),
])
def test_each_class_of_unsafe_character_is_shown_not_obeyed(raw, shown):
    assert printable(raw) == shown
    assert one_line(raw + "\n") == shown + "\\u000a"
    assert printable("a\tb\nc") == "a\tb\nc"  # a tool's own layout stays


@pytest.mark.parametrize("cell", ["=1+1", "+86 138", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "＝1＋1", HYPERLINK])
def test_formula_cells_are_neutralised(cell):
    out = csv_cell(cell)
    assert out.startswith("'") and out[1:] == printable(cell)


def test_plain_cells_and_numbers_pass_unchanged():
    assert csv_cell("张小三") == "张小三" and csv_cell(-3) == -3 and csv_cell(None) is None and csv_cell("") == ""


def test_help_request_with_escape_sequences_prints_inert(hub, recorder, broker):
    kiosk = recorder()
    note = f"{CLEAR}{TITLE}{C1}请帮忙{RLO}abc"  # (lone surrogates are refused at intake)
    rep = kiosk.call("help.request", kind="desk", where="自助区", note=note[:200], group="老人")
    assert rep["ok"], rep
    r = run("alerts", "--config", str(HALL_CONFIG), "--broker", f"127.0.0.1:{broker.port}")
    assert r.returncode == 0, r.stderr
    assert "请帮忙" in r.stdout and "\\u001b[2J" in r.stdout and "\\u202eabc" in r.stdout
    assert_inert(r.stdout)
    assert_inert(r.stderr)


def test_applications_export_neutralises_formulas(hub, recorder, broker, tmp_path):
    kiosk = recorder()
    form = {**FORM, "name": HYPERLINK, "purpose": f"@SUM(1){CLEAR}", "info_description": "-1+1 的公告"}
    rep = kiosk.call("disclosure.apply", **form)
    assert rep["ok"], rep
    out = tmp_path / "apps.csv"
    args = ("applications", "--config", str(HALL_CONFIG), "--broker", f"127.0.0.1:{broker.port}")
    r = run(*args, "--export", str(out))
    assert r.returncode == 0, r.stderr
    rows = list(csv.reader(out.open(encoding="utf-8-sig", newline="")))
    cells = [c for row in rows[1:] for c in row]
    assert "'@SUM(1)\\u001b[2J\\u001b[H" in cells and "'-1+1 的公告" in cells
    assert [c for c in cells if c.startswith("'=")]  # the name, masked by the hub, still starts with =
    assert not [c for c in cells if c and c[0] in "=+-@\t\r"]
    listing = run(*args)
    assert listing.returncode == 0 and "HTGK-" in listing.stdout
    assert_inert(listing.stdout)


def test_reports_in_text_csv_and_html_are_inert(broker, hall_cfg, recorder, tmp_path):
    from ..conftest import HubThread
    h = HubThread(hall_cfg, tmp_path / "state", broker.port).start()
    try:
        kiosk = recorder()
        for group in (HYPERLINK[:20], f"{CLEAR}{RLO}x", "+8613800000000"[:20]):
            assert kiosk.call("help.request", kind="home_visit", group=group, name="张", phone="13800000000",
                              address="黄潭镇")["ok"]
    finally:
        h.stop()
    base = ("report", "day", "--config", str(HALL_CONFIG), "--state", str(tmp_path / "state"))
    text = run(*base)
    assert text.returncode == 0, text.stderr
    assert "\\u001b[2J" in text.stdout
    assert_inert(text.stdout)
    r = run(*base, "--format", "csv", "--out", str(tmp_path / "csv"))
    assert r.returncode == 0, r.stderr
    groups = tmp_path / "csv"
    cells = [c for p in groups.glob("*.csv") for row in csv.reader(p.open(encoding="utf-8-sig", newline=""))
             for c in row]
    assert "'" + HYPERLINK[:20] in cells and "'+8613800000000" in cells
    assert not [c for c in cells if c and c[0] in "=+@\t\r"]
    assert_inert("".join(cells))
    r = run(*base, "--format", "html", "--out", str(tmp_path / "html"))
    assert r.returncode == 0, r.stderr
    page = next((tmp_path / "html").glob("*.html")).read_text(encoding="utf-8")
    assert "\\u001b[2J" in page and "\\u202ex" in page
    assert_inert(page)


def test_every_command_output_passes_the_filter(tmp_path):
    """Not only visitor fields: anything a subcommand prints (here a config path in an error) is inert."""
    bad = tmp_path / f"{CLEAR}{RLO}site.toml"
    r = run("status", "--config", str(bad))
    assert r.returncode == 2 and "\\u001b[2J" in r.stderr and "\\u202esite.toml" in r.stderr
    assert_inert(r.stderr)


def test_watch_prints_a_senders_topic_as_one_inert_line(capsys):
    """hub/error echoes the topic a sender chose; `kiosk watch` must not let it forge lines."""
    import json as _json

    from kiosk.bus.client import Inbound
    from kiosk.protocol import Topics
    from kiosk.tools.queue_tools import print_item
    t = Topics("huangtan")
    forged = "hall/huangtan/request/x\nhub: online, all fine\x1b[2J"
    body = {"v": 1, "code": "unknown_op", "reason": "no op", "topic": forged}
    print_item(t, Inbound(t.hub_error, _json.dumps(body).encode()))
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "\\u000ahub: online" in out
    assert_inert(out)
