"""帮办代办: help requests from kiosks become staff alerts; staff acknowledge; the kiosk is told.

Rule: personal data (name, phone, address of a home-visit registration) is stored only in the hub's
database and never published: alerts carry a masked phone. Runs inside the hub's batch, so the
request, its alert and its reply commit together.
"""

from __future__ import annotations

from typing import Any

from ..protocol import Request, Topics, ok_reply
from ..store.db import Store

KIND_TEXT = {"desk": "请求帮办", "home_visit": "上门服务登记"}


class HelpError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def mask_phone(phone: str | None) -> str:
    if not phone:
        return ""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_name(name: str | None) -> str:
    if not name:
        return ""
    if len(name) == 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def _valid_phone(phone: str) -> bool:
    digits = "".join(ch for ch in phone if ch.isdigit())
    return len(digits) == 11 and digits.startswith("1") or 7 <= len(digits) <= 12 and phone.startswith("0")


def public_view(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": row["id"], "kind": row["kind"], "at": row["at"], "place": row["place"], "note": row["note"],
            "group": row["grp"], "state": row["state"], "acked_by": row.get("acked_by"),
            "acked_at": row.get("acked_at"),
            "name": mask_name(row["name"]), "phone": mask_phone(row["phone"]), "device": row["device"]}


def request_help(store: Store, topics: Topics, req: Request, now: float, device: str) -> tuple[dict, dict]:
    """Returns (reply result, alert body)."""
    a = req.args
    kind = a.get("kind", "desk")
    phone = a.get("phone")
    if kind == "home_visit":
        if not phone or not _valid_phone(phone):
            raise HelpError("bad_phone", "上门服务需要有效的联系电话（11位手机号或带区号的固话）")
        if not a.get("address"):
            raise HelpError("missing_field", "上门服务需要填写地址")
    seq = int(store.get_meta("help_seq", 0)) + 1
    store.set_meta("help_seq", seq)
    hid = f"h{seq}"
    row = {"id": hid, "at": now, "kind": kind, "device": device, "txn": req.txn, "place": a.get("where", ""),
           "note": a.get("note", ""), "grp": a.get("group", ""), "name": a.get("name"), "phone": phone,
           "address": a.get("address"), "state": "waiting"}
    store.add_help(row)
    view = public_view(row)
    where = f"（{row['place']}）" if row["place"] else ""
    alert = {"id": hid, "kind": "help", "help_kind": kind, "at": now, "device": device, "place": row["place"],
             "text": f"{KIND_TEXT.get(kind, kind)}{where}", "phone": view["phone"], "group": row["grp"]}
    return {"alert": hid, "state": "waiting", "kind": kind, "phone": view["phone"]}, alert


def ack_help(store: Store, topics: Topics, req: Request, now: float) -> tuple[dict, dict, tuple[str, dict]]:
    """Returns (reply result, alert update, (topic, notice) for the kiosk that asked)."""
    hid = req.args["alert"]
    row = store.help_request(hid)
    if row is None:
        raise HelpError("unknown_alert", f"no help request {hid!r}")
    if row["state"] != "waiting":
        raise HelpError("already_acknowledged", f"{hid} was acknowledged by {row['acked_by'] or 'staff'}")
    by = req.args.get("by") or "咨询台"
    store.ack_help(hid, by, now)
    update = {"id": hid, "kind": "help_ack", "at": now, "by": by, "text": f"{by}已响应"}
    notice = ok_reply(row["txn"], {"alert": hid, "state": "acknowledged", "by": by, "kind": row["kind"]})
    return {"alert": hid, "state": "acknowledged", "by": by}, update, (topics.reply(row["device"]), notice)
