"""The full contact of a help request, for the desk: ``help.contact`` {alert, by}.

Rule: alerts and ``alert.list`` carry only masked phones and names; this op is the one way the full phone,
name and address of a registration leave the hub, only to the roles of ``kiosk.protocol.roles`` (web, desk,
director), and each answer is logged with who asked (``by``). The web console audits the same reveal in its
own log. Nothing here changes state (the reply is not stored: a retry asks again and is logged again).
"""

from __future__ import annotations

import logging
from typing import Any

from ..protocol import Request
from ..store.help import HelpRequests
from .features import Feature, Op, OpContext, OpError

log = logging.getLogger(__name__)


class HelpContact(Feature):
    def __init__(self, hall) -> None:
        super().__init__(hall)
        self.table = HelpRequests.open(hall.store)
        self.ops = {"help.contact": Op(self.contact, read_only=True)}

    def contact(self, ctx: OpContext, req: Request) -> dict[str, Any]:
        hid = req.args["alert"]
        row = self.table.get(hid)
        if row is None:
            raise OpError("unknown_alert", f"no help request {hid!r}")
        log.info("help %s: full contact shown to %s (%s)", hid, req.args["by"], ctx.device)
        return {"alert": hid, "kind": row["kind"], "name": row["name"] or "", "phone": row["phone"] or "",
                "address": row["address"] or ""}


FEATURE = HelpContact
