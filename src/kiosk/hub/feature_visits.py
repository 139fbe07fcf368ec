"""上门服务 ledger on the hub: a home-visit registration from the kiosk stays in the ledger after the desk
acknowledged it, until the visit is done or cancelled.

Ops: ``visit.list`` {all?}, ``visit.get`` {id}, ``visit.advance`` {id, action, by, note?, day?, staff?,
outcome?}.

Rule: the states are ``kiosk.core.homevisits``; the registration itself is the help request
(``feature_help``, table ``help_requests``) and the ledger state lives beside it in ``home_visits``. A
registration without a ledger row is 已登记. Views show what was asked (the note, the group, where it was
registered) and the contact masked, as every other staff view; the visit's own steps are in its history.
"""

from __future__ import annotations

import json
import logging
from datetime import date
from typing import Any

from ..core import homevisits as HV
from ..core.idcard import mask_address, mask_numbers_in_text
from ..store.help import HelpRequests, HomeVisits
from . import feature_cases as cases
from .features import Feature, Hall, Op, OpContext, OpError
from .help import public_view

log = logging.getLogger(__name__)

MSG_UNKNOWN = "没有编号为{id}的上门服务登记"
MSG_BAD_DAY = "上门日期：格式应为YYYY-MM-DD"


def _load(ctx: OpContext, row: dict[str, Any]) -> HV.Visit:
    body = HomeVisits(ctx.store).get(row["id"])
    return HV.Visit.from_dict(json.loads(body)) if body else HV.registered(row["id"], row["at"])


def visit_view(row: dict[str, Any], v: HV.Visit, *, full: bool = False) -> dict[str, Any]:
    asked = public_view(row)
    out = {**asked, "address": mask_address(row.get("address")), "asked": asked["note"], "acknowledged": row["state"] == "acknowledged", "state": v.state.value,
           "state_label": v.state_label, "help_state": row["state"], "day": v.day, "staff": v.staff,
           "outcome": v.outcome, "outcome_label": HV.OUTCOMES.get(v.outcome or ""), "open": v.open}
    if full:
        out["history"] = [dict(s.to_dict(), note=mask_numbers_in_text(s.note),
                               action_label=HV.ACTION_LABELS.get(s.action, s.action)) for s in v.history]
    return out


def _row(ctx: OpContext, vid: str) -> dict[str, Any]:
    row = HelpRequests(ctx.store).get(vid)
    if row is None or row["kind"] != "home_visit":
        raise OpError("unknown_visit", MSG_UNKNOWN.format(id=vid))
    return row


def op_list(ctx: OpContext, req) -> dict[str, Any]:
    views = [visit_view(r, _load(ctx, r)) for r in HelpRequests(ctx.store).home_visits()]
    if not req.args.get("all"):
        views = [v for v in views if v["open"]]
    return {"visits": views, "day": ctx.day}


def op_get(ctx: OpContext, req) -> dict[str, Any]:
    row = _row(ctx, req.args["id"])
    return visit_view(row, _load(ctx, row), full=True)


def op_advance(ctx: OpContext, req) -> dict[str, Any]:
    a = req.args
    row = _row(ctx, a["id"])
    day = None
    if a.get("day"):
        try:
            day = date.fromisoformat(a["day"])
        except ValueError:
            raise OpError("bad_value", MSG_BAD_DAY) from None
    try:
        v = HV.advance(_load(ctx, row), a["action"], by=a["by"], now=ctx.now, today=cases.today(ctx),
                       note=mask_numbers_in_text(a.get("note", "")), day=day, staff=a.get("staff"),
                       outcome=a.get("outcome"))
    except HV.VisitError as exc:
        raise OpError(exc.code, exc.message) from None
    HomeVisits(ctx.store).put(v.id, state=v.state.value, day=v.day, body=json.dumps(v.to_dict(), ensure_ascii=False))
    log.info("home visit %s: %s, now %s", v.id, a["action"], v.state.value)
    return visit_view(row, v, full=True)


class VisitLedger(Feature):
    def __init__(self, hall: Hall) -> None:
        super().__init__(hall)
        HelpRequests.open(hall.store)
        HomeVisits.open(hall.store)
        self.ops = {"visit.list": Op(op_list, read_only=True), "visit.get": Op(op_get, read_only=True),
                    "visit.advance": Op(op_advance)}


FEATURE = VisitLedger
__all__ = ["FEATURE", "visit_view"]
