"""The reports on hub/report/# on the provisioned broker: only the hub and the director's account write
them (``kiosk report publish`` runs as the director, never as the hub), a kiosk or the desk cannot forge
one, and a kiosk cannot read them. The production command publishes with the director's login."""

from __future__ import annotations

import json
import subprocess
import sys

from ..conftest import REPO
from ..ops.conftest import ROOT
from .conftest import with_broker_login

DAY = ROOT + "hub/report/day"


def test_only_the_director_writes_the_reports_and_a_kiosk_cannot_read_them(as_device):
    hub = as_device("hub")
    hub.subscribe(ROOT + "#")
    kiosk = as_device("kiosk-1")
    kiosk.subscribe(ROOT + "hub/report/#")
    kiosk.subscribe(ROOT + "device/kiosk-1/reply")
    for who in ("kiosk-2", "staff-desk", "display-1"):
        as_device(who).publish(DAY, b"forged", retain=True)
    as_device("staff-content").publish(DAY, b'{"period": "day"}', retain=True)
    hub.wait_for(DAY, b'{"period": "day"}')
    assert b"forged" not in hub.got(DAY)
    hub.publish(ROOT + "device/kiosk-1/reply", b"done")
    kiosk.wait_for(ROOT + "device/kiosk-1/reply", b"done")
    assert kiosk.got(DAY) == []


def test_report_publish_runs_with_the_directors_login(real_hub, hall_broker, provisioned, site_toml, tmp_path,
                                                       as_device):
    conf = with_broker_login(site_toml, provisioned.out, "staff-content")
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


def test_report_publish_with_the_hubs_own_account_is_refused(hall_broker, provisioned, site_toml, tmp_path):
    conf = with_broker_login(site_toml, provisioned.out, "hub")
    r = subprocess.run([sys.executable, "-m", "kiosk", "report", "publish", "--config", str(conf),
                        "--broker", f"127.0.0.1:{hall_broker.port}", "--state", str(tmp_path)],
                       capture_output=True, text=True, timeout=180, cwd=REPO)
    assert r.returncode == 2 and "hub's own account" in r.stderr, r.stdout + r.stderr
