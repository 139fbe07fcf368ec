"""The role table: every op the hub implements has roles, and each role's topics follow from it."""

from __future__ import annotations

import pytest

from kiosk.config import identities
from kiosk.protocol import REQUEST_OPS
from kiosk.protocol import roles as R


def test_every_op_has_a_row_and_every_row_an_op():
    assert set(R.OP_ROLES) == set(REQUEST_OPS)
    for op, allowed in R.OP_ROLES.items():
        assert allowed and set(allowed) <= set(R.ROLES), op


def test_public_devices_have_no_staff_powers():
    staff_only = ("alert.list", "help.ack", "case.list", "case.get", "case.advance", "disclosure.list",
                  "evaluation.stats", "appointment.list")
    for op in staff_only:
        for role in ("kiosk", "pad", "display", "button", "hub"):
            assert not R.may_send(role, op), (role, op)
    assert R.ops_for("pad") == ("ticket.info", "evaluation.submit")
    assert R.ops_for("display") == () and R.ops_for("button") == () and R.ops_for("hub") == ()


def test_access_lists_request_topics_and_fills_the_window():
    kiosk = R.access("kiosk")
    assert "request/ticket.issue" in kiosk.write and "request/case.advance" not in kiosk.write
    assert "request/#" not in kiosk.write and "alert" not in kiosk.read
    pad = R.access("pad", window="w3")
    assert pad.write == ("request/ticket.info", "request/evaluation.submit")
    assert "window/w3/evaluation" in pad.read and not any("{" in t for t in pad.read + pad.write)
    assert R.access("button", window="w5").write == ("window/w5/press",)
    assert "window/+/evaluation" in R.access("hub").write
    with pytest.raises(ValueError):
        R.access("button")
    with pytest.raises(ValueError):
        R.canonical("root")
    assert R.access("monitor") == R.access("technician") and R.canonical("content") == "director"


def test_identities_from_the_site_config(hall_cfg):
    ids = {i.id: i for i in identities(hall_cfg)}
    assert ids["hub"].role == "hub" and ids["kiosk-1"].role == "kiosk" and ids["display-1"].role == "display"
    assert ids["btn-w3"] == R.Identity("btn-w3", "button", "w3")
    assert ids["staff-desk"].role == "desk"
    assert R.may_press(ids["btn-w3"], "w3") and not R.may_press(ids["btn-w3"], "w5")
    assert not R.may_press(ids["kiosk-1"], "w3") and not R.may_press(None, "w3")


def test_the_table_in_protocol_md_is_the_code_table():
    from pathlib import Path
    doc = (Path(__file__).resolve().parents[2] / "docs" / "protocol.md").read_text(encoding="utf-8")
    section = doc.split("## Roles", 1)[1].split("\n## ", 1)[0]
    rows = [ln for ln in section.splitlines() if ln.startswith("| ")]
    header = [c.strip() for c in rows[0].strip("|").split("|")]
    assert header[0] == "op" and tuple(header[1:]) == R.ROLES[1:]
    got = {}
    for ln in rows[1:]:
        cells = [c.strip() for c in ln.strip("|").split("|")]
        got[cells[0].strip("`")] = tuple(r for r, c in zip(header[1:], cells[1:]) if c == "✓")
    assert got == {op: tuple(r for r in R.ROLES[1:] if r in rs) for op, rs in R.OP_ROLES.items()}


def test_the_reporter_writes_the_reports_and_nothing_else(hall_cfg):
    ids = {i.id: i for i in identities(hall_cfg)}
    assert ids["reporter"].role == "reporter"
    assert R.access("reporter") == R.Access(write=("hub/report/#",), read=())
    assert R.ops_for("reporter") == ()
    writers = [r for r in R.ROLES if any(t.startswith("hub/") for t in R.access(r, window="w1").write)]
    assert writers == ["hub", "reporter"]  # a director's account no longer writes the reports
