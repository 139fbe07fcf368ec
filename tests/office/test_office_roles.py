"""Who may drive the back office: the role table for the new ops (the ACL and the docs follow from it)."""

from __future__ import annotations

from kiosk.protocol import roles as R

OFFICE_OPS = ("case.hotline", "case.appeal", "case.decide", "visit.list", "visit.get", "visit.advance",
              "disclosure.get", "disclosure.advance", "disclosure.reveal")


def test_public_devices_cannot_drive_the_back_office():
    for op in OFFICE_OPS:
        for role in ("kiosk", "pad", "display", "button", "hub", "technician"):
            assert not R.may_send(role, op), (role, op)


def test_only_the_director_decides_appeals_and_sees_applicants_unmasked():
    for op in ("case.decide", "disclosure.reveal"):
        assert {r for r in R.ROLES if R.may_send(r, op)} == {"director", "web"}, op
    assert R.may_send("window", "case.appeal") and R.may_send("desk", "case.appeal")
    for op in ("visit.advance", "disclosure.advance", "case.hotline"):
        assert R.may_send("desk", op) and R.may_send("director", op) and not R.may_send("window", op)
