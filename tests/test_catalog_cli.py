"""`kiosk catalog` as staff use it: check, export with pinyin, CSV import with row-numbered errors."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import REPO

def kiosk(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kiosk", "catalog", *args], capture_output=True, text=True,
                          cwd=REPO, timeout=60)


def test_export_has_pinyin_for_the_search():
    r = kiosk("export", str(REPO / "config" / "catalog"))
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    items = data["items"] if "items" in data else data
    assert len(items) >= 40
    assert any("sbk" in "".join(i.get("pinyin_initials", [])) for i in items)


def test_import_reports_bad_rows_by_number(tmp_path):
    good = (REPO / "config" / "catalog" / "sample_import.csv").read_text(encoding="utf-8-sig").splitlines()
    bad = tmp_path / "bad.csv"
    header = good[0].split(",")
    broken_limit = good[1].split(",")
    broken_limit[header.index("事项编码")] = "ga-other-item"
    broken_limit[header.index("法定时限")] = "十五天"
    bad.write_text("\n".join([good[0], good[1], ",".join(broken_limit)]) + "\n", encoding="utf-8")
    r = kiosk("import", str(bad))
    assert r.returncode == 2
    assert "row 3, column 法定时限" in r.stderr


def test_import_writes_toml_that_loads(tmp_path):
    r = kiosk("import", str(REPO / "config" / "catalog" / "sample_import.csv"), "--out", str(tmp_path / "cat"))
    assert r.returncode == 0, r.stderr
    r = kiosk("check", str(tmp_path / "cat"))
    assert r.returncode == 0 and r.stdout.startswith("5 items")


def test_import_install_and_rollback_as_the_hub_serves_them(tmp_path):
    sample = REPO / "config" / "catalog" / "sample_import.csv"
    r = kiosk("import", str(sample), "--install", str(tmp_path))
    assert r.returncode == 0 and "5 items installed" in r.stdout, r.stderr
    r = kiosk("rollback", str(tmp_path))
    assert r.returncode == 2 and "no previous imported catalogue" in r.stderr  # nothing set aside yet
    r = kiosk("import", str(sample), "--install", str(tmp_path))
    assert r.returncode == 0 and "previous: " in r.stdout and str(tmp_path / "catalog" / "v1") in r.stdout
    r = kiosk("rollback", str(tmp_path))
    assert r.returncode == 0 and (tmp_path / "catalog" / "current").resolve().name == "v1", r.stderr


def test_import_json_from_stdin_for_the_directors_page():
    raw = (REPO / "config" / "catalog" / "sample_import.csv").read_bytes().decode("utf-8-sig").encode("gbk")
    r = subprocess.run([sys.executable, "-m", "kiosk", "catalog", "import", "-", "--json"], input=raw,
                       capture_output=True, cwd=REPO, timeout=60)
    out = json.loads(r.stdout)
    assert r.returncode == 0 and out["ok"] and len(out["catalog"]["items"]) == 5
    assert out["text"].startswith("序号,事项编码,事项名称")  # the text as UTF-8, what the hub is sent
    r = subprocess.run([sys.executable, "-m", "kiosk", "catalog", "import", "-", "--json"], input=b"\x00\x01",
                       capture_output=True, cwd=REPO, timeout=60)
    assert r.returncode == 2 and json.loads(r.stdout)["problems"][0]["row"] == 1
