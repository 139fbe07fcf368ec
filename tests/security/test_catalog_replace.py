"""Replacing the service catalogue on the provisioned hall: the ACL written from the role table lets only
the director's identities (and the web) publish ``request/catalog.replace``; a kiosk, the desk, the
technician or the reporter publishing it is dropped by the broker, so the hub never acts on it and every
screen keeps the catalogue it had. The director's own account is answered and every kiosk gets the new
catalogue retained."""

from __future__ import annotations

import json

from ..conftest import REPO
from ..mqtt_helpers import wait_until
from ..ops.conftest import ROOT

SAMPLE = (REPO / "config" / "catalog" / "sample_import.csv").read_text(encoding="utf-8-sig")


def _catalog_ids(client) -> set[str]:
    got = client.got(ROOT + "catalog")
    return {i["id"] for i in json.loads(got[-1])["catalog"]["items"]} if got else set()


def test_only_the_director_replaces_the_catalogue(real_hub, device):
    kiosk = device("kiosk-1")
    kiosk.c.subscribe(ROOT + "catalog")
    wait_until(lambda: _catalog_ids(kiosk.c), 30, "the retained catalogue on the kiosk")
    shipped = _catalog_ids(kiosk.c)
    assert "ga-hkb-reissue" not in shipped
    forgers = [kiosk] + [device(who) for who in ("staff-desk", "staff-monitor", "reporter", "display-1")]
    sent = [(f, f.request("catalog.replace", csv=SAMPLE, by="lina")) for f in forgers]
    for f, _ in sent:  # the same connection's next, allowed request is answered: the forged one was dropped
        if f.device in ("kiosk-1", "staff-desk", "staff-monitor"):
            assert f.call("ticket.info", ticket="A001")["error"]["code"] == "unknown_ticket"
    for f, txn in sent:
        assert not any(json.loads(p).get("txn") == txn for p in f.c.got(f.reply_topic)), f.device
    assert _catalog_ids(kiosk.c) == shipped
    director = device("staff-content")
    rep = director.reply(director.request("catalog.replace", csv=SAMPLE, by="lina"), timeout=60)
    assert rep["ok"] and rep["result"]["items"] == 5, rep
    wait_until(lambda: "ga-hkb-reissue" in _catalog_ids(kiosk.c), 15, "the new catalogue on the kiosk")
