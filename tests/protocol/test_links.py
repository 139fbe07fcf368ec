"""The QR codes' links (``kiosk.protocol.links``): built from ``[phone] base_url``, read back by the kiosk's
scanner only when they are this hall's; a broken base address stops every role at start, naming the file,
the key and why."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.config import load
from kiosk.errors import ConfigError
from kiosk.protocol.links import (ScannedTicket, base_problem, booking_qr, scanned_booking, scanned_ticket,
                                  ticket_qr)

REAL = Path(__file__).resolve().parents[2] / "config" / "huangtan.toml"
BASE = "http://192.168.10.2:8080"
TOKEN = "q3JkX0vY2mT8a1Bc"


@pytest.mark.parametrize("base", ["http://192.168.10.2:8080", "https://hall.example:8443/queue", "http://[::1]:80",
                                  "http://hall"])
def test_good_base_addresses(base):
    assert base_problem(base) is None


@pytest.mark.parametrize("base, reason", [
    ("hall.local:8080", "http:// or https://"), ("ftp://hall", "http:// or https://"), ("http://", "host"),
    ("http://a b:80", "host"), ("http://u:p@hall", "host"), ("http://hall:99999", "not an address"),
    ("http://hall/?x=1", "query"), ("http://hall/#top", "fragment"), ("http://hall/t", "without /t"),
    ("http://" + "h" * 60 + ".cn", "at most 64"), ("", "empty"),
])
def test_bad_base_addresses_say_why(base, reason):
    assert reason in (base_problem(base) or "")


def test_links_and_the_older_forms():
    assert ticket_qr("huangtan", "20261201-C001", TOKEN, BASE + "/") == f"{BASE}/t/{TOKEN}"
    assert ticket_qr("huangtan", "20261201-C001", None, BASE) == "HT1|huangtan|20261201-C001"  # no token: no link
    assert ticket_qr("huangtan", "20261201-C001", TOKEN) == f"HT1|huangtan|20261201-C001|{TOKEN}"
    assert booking_qr("huangtan", "K7M3QX", BASE) == f"{BASE}/b/K7M3QX"
    assert booking_qr("huangtan", "K7M3QX") == "HTYY|huangtan|K7M3QX"


@pytest.mark.parametrize("text, found", [
    (f"{BASE}/t/{TOKEN}", ScannedTicket("", TOKEN)),
    (f" HTTP://192.168.10.2:8080/t/{TOKEN}/\n", ScannedTicket("", TOKEN)),  # a scanner's case and line end
    (f"{BASE}/t/{TOKEN}?from=wechat", ScannedTicket("", TOKEN)),
    (f"http://192.168.10.3:8080/t/{TOKEN}", None),  # another hall's address
    (f"https://192.168.10.2:8080/t/{TOKEN}", None),
    (f"{BASE}/t/C001", None),  # a number is no token
    (f"{BASE}/b/K7M3QX", None),
    (f"HT1|huangtan|20261201-c001|{TOKEN}", ScannedTicket("20261201-C001", TOKEN)),
    ("HT1|othertown|20261201-C001", None),
    ("noise", None),
])
def test_what_the_scanner_reads_as_a_ticket(text, found):
    assert scanned_ticket(text, site="huangtan", base=BASE) == found


@pytest.mark.parametrize("text, code", [
    (f"{BASE}/b/K7M3QX", "K7M3QX"), (f"{BASE}/b/k7m3qx/", "k7m3qx"), ("HTYY|huangtan|K7M3QX", "K7M3QX"),
    ("K7M3QX", "K7M3QX"), ("HTYY|othertown|K7M3QX", None), ("http://elsewhere/b/K7M3QX", None),
    (f"{BASE}/t/{TOKEN}", None),
])
def test_what_the_scanner_reads_as_a_booking(text, code):
    assert scanned_booking(text, site="huangtan", base=BASE) == code


def test_the_hall_config_names_its_phone_pages():
    assert load(REAL).phone_base == BASE


def _with_base(tmp_path: Path, line: str) -> Path:
    text = REAL.read_text(encoding="utf-8")
    assert f'base_url = "{BASE}"' in text
    p = tmp_path / "site.toml"
    p.write_text(text.replace(f'base_url = "{BASE}"', line), encoding="utf-8")
    return p


def test_a_broken_base_address_refuses_to_start_naming_file_key_reason(tmp_path):
    p = _with_base(tmp_path, 'base_url = "hall.local:8080"')
    with pytest.raises(ConfigError) as ei:
        load(p)
    assert ei.value.path == p and ei.value.key == "phone.base_url" and "http://" in ei.value.reason
    p = _with_base(tmp_path, 'base_url = "http://hall/t"\nbase = "x"')
    with pytest.raises(ConfigError) as ei:
        load(p)
    assert ei.value.key == "phone.base_url"
    p = _with_base(tmp_path, f'base_url = "{BASE}"\nbase = "x"')
    with pytest.raises(ConfigError) as ei:
        load(p)
    assert ei.value.key == "phone.base" and "unknown key" in ei.value.reason


def test_the_terminal_command_refuses_a_broken_base_address(tmp_path):
    p = _with_base(tmp_path, 'base_url = "ftp://hall"')
    run = subprocess.run([sys.executable, "-m", "kiosk", "terminal", "--config", str(p)], capture_output=True,
                         text=True, timeout=60, env={"SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy",
                                                     "PATH": "/usr/bin:/bin"})
    assert run.returncode == 2
    assert str(p) in run.stderr and "phone.base_url" in run.stderr and "http://" in run.stderr
