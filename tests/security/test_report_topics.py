"""The reports on hub/report/# on the provisioned broker: only the hub and the ``reporter`` account write
them (``kiosk report publish`` runs as ``reporter``, never as the hub or a staff account), a kiosk, the desk,
the director or the web cannot forge one, a kiosk cannot read them, and ``reporter`` can write nothing
else: no request, no hall state, no 政务公开 page, and it reads nothing."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from ..conftest import REPO
from ..ops.conftest import ROOT
from .conftest import with_broker_login

DAY = ROOT + "hub/report/day"


def test_only_the_reporter_writes_the_reports_and_a_kiosk_cannot_read_them(as_device):
    hub = as_device("hub")
    hub.subscribe(ROOT + "#")
    kiosk = as_device("kiosk-1")
    kiosk.subscribe(ROOT + "hub/report/#")
    kiosk.subscribe(ROOT + "device/kiosk-1/reply")
    for who in ("kiosk-2", "staff-desk", "display-1", "staff-content", "staff-monitor"):
        as_device(who).publish(DAY, b"forged", retain=True)
    as_device("reporter").publish(DAY, b'{"period": "day"}', retain=True)
    hub.wait_for(DAY, b'{"period": "day"}')
    assert b"forged" not in hub.got(DAY)
    hub.publish(ROOT + "device/kiosk-1/reply", b"done")
    kiosk.wait_for(ROOT + "device/kiosk-1/reply", b"done")
    assert kiosk.got(DAY) == []


def test_the_reporter_writes_nothing_but_the_reports_and_reads_nothing(as_device):
    hub = as_device("hub")
    hub.subscribe(ROOT + "#")
    reporter = as_device("reporter")
    reporter.subscribe(ROOT + "#")  # granted; the broker filters each message by the ACL
    hub.publish(ROOT + "board", b'{"board": 1}', retain=True)
    hub.publish(ROOT + "alert", b"home visit, phone 13812345678")
    body = json.dumps({"v": 1, "txn": "r1", "reply_to": ROOT + "device/reporter/reply", "category": "A"}).encode()
    fake = b'{"v":1,"forged":"by the reporter"}'
    forged = {"request/ticket.issue": body, "request/catalog.replace": body, "board": fake, "catalog": fake,
              "content/evil": fake, "window/w1/press": fake, "window/w1/staff": fake, "alert": fake,
              "hub/status": fake, "device/hub/availability": b"offline", "device/kiosk-1/reply": fake}
    for suffix, payload in forged.items():
        reporter.publish(ROOT + suffix, payload)
    reporter.publish(ROOT + "hub/report/month", b'{"period": "month"}', retain=True)  # after the forgeries
    hub.wait_for(ROOT + "hub/report/month", b'{"period": "month"}')
    for suffix, payload in forged.items():
        assert payload not in hub.got(ROOT + suffix), suffix
    hub.publish(ROOT + "device/reporter/reply", b"its own reply")  # the one thing every identity reads
    reporter.wait_for(ROOT + "device/reporter/reply", b"its own reply")
    assert [t for t, _, _ in reporter.messages] == [ROOT + "device/reporter/reply"]


def test_report_publish_runs_with_the_reporters_login(real_hub, hall_broker, provisioned, site_toml, tmp_path,
                                                       as_device):
    conf = with_broker_login(site_toml, provisioned.out, "reporter")
    r = subprocess.run([sys.executable, "-m", "kiosk", "report", "publish", "--config", str(conf),
                        "--broker", f"127.0.0.1:{hall_broker.port}", "--state", str(tmp_path / "hub-state")],
                       capture_output=True, text=True, timeout=180, cwd=REPO)
    assert r.returncode == 0, r.stdout + r.stderr
    real_hub.stop()  # its account is the reader below (one account, one connection)
    hub = as_device("hub")
    hub.subscribe(ROOT + "hub/report/#")
    body = json.loads(hub.wait_for(DAY, timeout=15))
    assert body["period"] == "day" and "<table" in body["html"] and body["csv"]
    month = json.loads(hub.wait_for(ROOT + "hub/report/month", timeout=15))
    assert month["period"] == "month"


@pytest.mark.parametrize("account", ["hub", "staff-content"])
def test_report_publish_with_another_account_is_refused(hall_broker, provisioned, site_toml, tmp_path, account):
    """Neither the hub's own account (one account, one connection) nor the director's."""
    conf = with_broker_login(site_toml, provisioned.out, account)
    r = subprocess.run([sys.executable, "-m", "kiosk", "report", "publish", "--config", str(conf),
                        "--broker", f"127.0.0.1:{hall_broker.port}", "--state", str(tmp_path)],
                       capture_output=True, text=True, timeout=180, cwd=REPO)
    assert r.returncode == 2 and "'reporter' account only" in r.stderr, r.stdout + r.stderr
