"""帮办代办: help requests from kiosks become staff alerts; staff acknowledge; the kiosk is told.

Ops: ``help.request`` {kind?, where?, note?, name?, phone?, address?, group?}, ``help.ack`` {alert, by?},
``alert.list`` {} (read-only).

Rule: personal data (name, phone, address of a home-visit registration) is stored only in the hub's
database (``kiosk.store.help``) and never published: alerts carry a masked phone, and phone or ID
numbers typed into the note are masked before it is stored. Each new business day forgets the personal
data of requests older than ``[hub] help_retention_days``.
"""

from __future__ import annotations

import logging
from typing import Any

from ..core.idcard import mask_numbers_in_text
from ..protocol import Request, ok_reply
from ..store.help import HelpRequests
from .features import Feature, Op, OpContext, OpError
from .help import public_view, valid_phone

log = logging.getLogger(__name__)

KIND_TEXT = {"desk": "请求帮办", "home_visit": "上门服务登记"}
MSG_BAD_PHONE = "上门服务需要有效的联系电话（11位手机号或带区号的固话）"
MSG_NEED_ADDRESS = "上门服务需要填写地址"
DAY_S = 86400.0


class Help(Feature):
    def __init__(self, hall) -> None:
        super().__init__(hall)
        self.table = HelpRequests.open(hall.store)
        self.ops = {"help.request": Op(self.request), "help.ack": Op(self.ack),
                    "alert.list": Op(self.list_open, read_only=True)}

    def request(self, ctx: OpContext, req: Request) -> dict[str, Any]:
        a = req.args
        kind = a.get("kind", "desk")
        phone = a.get("phone")
        if kind == "home_visit":
            if not phone or not valid_phone(phone):
                raise OpError("bad_phone", MSG_BAD_PHONE)
            if not a.get("address"):
                raise OpError("missing_field", MSG_NEED_ADDRESS)
        seq = int(ctx.store.get_meta("help_seq", 0)) + 1
        ctx.store.set_meta("help_seq", seq)
        hid = f"h{seq}"
        row = {"id": hid, "at": ctx.now, "kind": kind, "device": ctx.device, "txn": req.txn,
               "place": mask_numbers_in_text(a.get("where", "")), "note": mask_numbers_in_text(a.get("note", "")),
               "grp": a.get("group", ""), "name": a.get("name"), "phone": phone, "address": a.get("address"),
               "state": "waiting"}
        self.table.add(row)
        view = public_view(row)
        where = f"（{row['place']}）" if row["place"] else ""
        ctx.publish(ctx.topics.alert, {"id": hid, "kind": "help", "help_kind": kind, "at": ctx.now,
                                       "device": ctx.device, "place": row["place"],
                                       "text": f"{KIND_TEXT.get(kind, kind)}{where}", "phone": view["phone"],
                                       "group": row["grp"]})
        return {"alert": hid, "state": "waiting", "kind": kind, "phone": view["phone"]}

    def ack(self, ctx: OpContext, req: Request) -> dict[str, Any]:
        hid = req.args["alert"]
        row = self.table.get(hid)
        if row is None:
            raise OpError("unknown_alert", f"no help request {hid!r}")
        if row["state"] != "waiting":
            raise OpError("already_acknowledged", f"{hid} was acknowledged by {row['acked_by'] or 'staff'}")
        by = req.args.get("by") or "咨询台"
        self.table.ack(hid, by, ctx.now)
        ctx.publish(ctx.topics.alert, {"id": hid, "kind": "help_ack", "at": ctx.now, "by": by, "text": f"{by}已响应"})
        ctx.publish(ctx.topics.reply(row["device"]),
                    ok_reply(row["txn"], {"alert": hid, "state": "acknowledged", "by": by, "kind": row["kind"]}))
        return {"alert": hid, "state": "acknowledged", "by": by}

    def list_open(self, ctx: OpContext, req: Request) -> dict[str, Any]:
        return {"help": [public_view(r) for r in self.table.all(open_only=True)]}

    def on_day_start(self, ctx: OpContext) -> None:
        purged = self.table.purge(ctx.now - DAY_S * ctx.cfg.help_retention_days)
        if purged:
            log.info("forgot the personal data of %d old help requests", purged)


FEATURE = Help
