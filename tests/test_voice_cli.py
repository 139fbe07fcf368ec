"""`kiosk cases`, `kiosk case`, `kiosk applications` as real processes against a real broker and hub."""

from __future__ import annotations

import csv
import subprocess
import sys

from tests.conftest import HALL_CONFIG, REPO
from tests.test_voice_disclosure import FORM, ID_OK

KIOSK = [sys.executable, "-m", "kiosk"]
PHONE = "13812345678"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*KIOSK, *args], capture_output=True, text=True, timeout=60, cwd=REPO)


def test_case_ledger_and_applications_from_the_command_line(hub, broker, recorder, tmp_path):
    b = ["--broker", f"127.0.0.1:{broker.port}", "--config", str(HALL_CONFIG)]
    r = recorder("window/w3/state")
    t = r.call("ticket.issue", category="C")["result"]
    r.press("w3", "next")
    r.wait_for("window/w3/state", lambda s: (s["ticket"] or {}).get("number") == t["number"])
    r.press("w3", "complete")
    r.wait_for("window/w3/state", lambda s: s["ticket"] is None and s["served"] == 1)
    assert r.call("evaluation.submit", ticket=t["number"], level=2, reasons=["slow"], phone=PHONE)["ok"]

    p = run("cases", *b)
    assert p.returncode == 0, p.stderr
    assert "c1" in p.stdout and "待核实" in p.stdout and "3号窗口" in p.stdout and "138****5678" in p.stdout
    assert PHONE not in p.stdout
    p = run("cases", "--overdue", *b)
    assert p.returncode == 0 and "没有超期" in p.stdout
    p = run("case", "c1", "verify", "--by", "王主任", "--note", "属实", *b)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "整改中" in p.stdout and "核实 王主任：属实" in p.stdout
    p = run("case", "c1", "rectify", "--by", "王主任", *b)
    assert p.returncode == 0 and "待回访" in p.stdout
    p = run("case", "c1", "close", "--by", "王主任", *b)
    assert p.returncode == 1 and "callback_required" in p.stdout
    p = run("case", "c1", "callback", "--by", "李", *b)
    assert p.returncode == 2 and "--result" in p.stderr
    p = run("case", "c1", "--reveal-phone", "--state", str(tmp_path / "state"), *b)
    assert p.returncode == 0 and p.stdout.strip() == PHONE  # on the hub machine only, never over MQTT
    p = run("case", "c1", "callback", "--result", "满意", "--by", "李", "--note", "已回访", *b)
    assert p.returncode == 0 and "已办结" in p.stdout and "回访结果 满意" in p.stdout
    p = run("case", "c1", *b)
    assert p.returncode == 0 and p.stdout.count("\n") >= 6
    p = run("case", "c7", *b)
    assert p.returncode == 1 and "unknown_case" in p.stdout

    assert r.call("disclosure.apply", **FORM)["ok"]
    p = run("applications", *b)
    assert p.returncode == 0 and "HTGK-" in p.stdout and "张*三" in p.stdout and PHONE not in p.stdout
    out = tmp_path / "apps.csv"
    p = run("applications", "--export", str(out), *b)
    assert p.returncode == 0, p.stderr
    with open(out, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][0] == "申请编号" and rows[1][0].startswith("HTGK-") and rows[1][7] == "张*三"
    text = out.read_text(encoding="utf-8-sig")
    assert ID_OK not in text and PHONE not in text and "420***********" in text
