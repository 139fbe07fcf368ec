"""政府信息公开申请 after 受理, on the hub: 补正, 延期, 答复 with its kind, 办结; the due-day alerts; the
audited unmasked view of the applicant. (Taking the application is ``feature_voice``.)

Ops: ``disclosure.get`` {application}, ``disclosure.advance`` {application, action, by, note?, answer_kind?,
until?}, ``disclosure.reveal`` {application, by, reason}.

Rule: the lifecycle is ``kiosk.core.disclosure``; its body lives in ``disclosure_progress`` and its state
and current due day are mirrored into the application's row, so ``disclosure.list`` and the reports read
them. An application received before this feature existed starts its lifecycle from its row. Deadlines
count the hall calendar's working days. Each business day, an application whose clock runs gets one
alert ``disclosure_due_soon`` when its due day is ``[disclosure] warn_days`` working days away or nearer,
and one ``disclosure_overdue`` once the due day has passed (again after a new due day).

``disclosure.reveal`` returns the applicant's details unmasked to the one staff console or tool that asked
(the role table allows it to director and web only; web checks its own staff login) and writes who, when
and why into ``disclosure_views`` in the same batch; ``disclosure.get`` lists those views. It is declared
read-only so the unmasked reply is never stored for retries: a retry is a second, recorded view.
"""

from __future__ import annotations

import json
import logging
from datetime import date
from typing import Any

from ..core import disclosure as D
from ..core.idcard import mask_numbers_in_text
from ..store.disclosure import Applications, Progress, Views
from . import feature_cases as cases
from . import feature_voice as voice
from .features import Feature, Hall, Op, OpContext, OpError

log = logging.getLogger(__name__)

MSG_UNKNOWN = "没有申请编号{number}"
MSG_PURGED = "申请{number}的个人信息已按期删除"
MSG_NEED_REASON = "查看申请人完整信息需要填写经办人和查看事由"
MSG_BAD_UNTIL = "补正期限：日期格式应为YYYY-MM-DD"
ALERT_SOON = "政府信息公开申请{number}将于{due}到期（还剩{left}个工作日），请及时答复"
ALERT_OVERDUE = "政府信息公开申请{number}已超过答复期限{due}，尚未答复"
PERSONAL = ("name", "id_number", "phone", "address", "postcode", "email", "contact", "info_description", "purpose")


def rules(cfg) -> D.Rules:
    st = voice.settings(cfg)
    return D.Rules(reply_days=st.reply_days, extension_days=st.extension_days,
                   correction_within=st.correction_within, correction_days=st.correction_days,
                   warn_days=st.warn_days)


def _row(ctx: OpContext, number: str) -> dict[str, Any]:
    row = Applications(ctx.store).get(number)
    if row is None:
        raise OpError("unknown_application", MSG_UNKNOWN.format(number=number))
    return row


def load(ctx: OpContext, row: dict[str, Any]) -> D.Progress:
    body = Progress(ctx.store).get(row["number"])
    if body is not None:
        return D.Progress.from_dict(json.loads(body))
    p = D.received(row["number"], date.fromisoformat(row["received"]), date.fromisoformat(row["reply_due"]),
                   row["at"])
    if row["state"] != p.state.value:  # a state set by hand before the lifecycle existed
        p = D.Progress.from_dict({**p.to_dict(), "state": row["state"]})
    return p


def save(ctx: OpContext, p: D.Progress) -> None:
    Progress(ctx.store).put(p.number, state=p.state.value, due=p.due, answer_kind=p.answer_kind,
                            answered_day=p.answered_day, body=json.dumps(p.to_dict(), ensure_ascii=False))
    Applications(ctx.store).set_progress(p.number, state=p.state.value, reply_due=p.due)


def progress_view(p: D.Progress, day: date) -> dict[str, Any]:
    return {"state": p.state.value, "state_label": p.state_label, "received": p.received, "reply_due": p.due,
            "overdue": p.overdue(day), "clock_running": p.clock_running, "extended": p.extended,
            "extension_reason": mask_numbers_in_text(p.extension_reason), "corrections": p.corrections,
            "correction_since": p.correction_since, "correction_until": p.correction_until,
            "paused_days": p.paused_days, "answer_kind": p.answer_kind,
            "answer_label": D.ANSWER_KINDS.get(p.answer_kind or ""), "answered_day": p.answered_day,
            "on_time": p.on_time, "closed_day": p.closed_day,
            "history": [dict(s.to_dict(), note=mask_numbers_in_text(s.note),
                             action_label=D.ACTION_LABELS.get(s.action, s.action)) for s in p.history]}


def full_view(ctx: OpContext, row: dict[str, Any]) -> dict[str, Any]:
    day = cases.today(ctx)
    p = load(ctx, row)
    view = voice.application_view(dict(row, state=p.state.value, reply_due=p.due), day)
    return {**view, **progress_view(p, day),
            "views": [{"at": v["at"], "by": v["by"], "role": v["role"], "device": v["device"],
                       "reason": mask_numbers_in_text(v["reason"])} for v in Views(ctx.store).of(row["number"])]}


# ------------------------------------------------------------------ ops

def op_get(ctx: OpContext, req) -> dict[str, Any]:
    return full_view(ctx, _row(ctx, req.args["application"]))


def op_advance(ctx: OpContext, req) -> dict[str, Any]:
    a = req.args
    row = _row(ctx, a["application"])
    until = None
    if a.get("until"):
        try:
            until = date.fromisoformat(a["until"])
        except ValueError:
            raise OpError("bad_value", MSG_BAD_UNTIL) from None
    try:
        p = D.advance(load(ctx, row), a["action"], by=a["by"], now=ctx.now, today=cases.today(ctx),
                      rules=rules(ctx.cfg), is_working=cases.working_day_fn(ctx),
                      note=mask_numbers_in_text(a.get("note", "")), answer_kind=a.get("answer_kind"), until=until)
    except D.DisclosureError as exc:
        raise OpError(exc.code, exc.message) from None
    save(ctx, p)
    log.info("disclosure application %s: %s, now %s, due %s", p.number, a["action"], p.state.value, p.due)
    return full_view(ctx, _row(ctx, p.number))


def op_reveal(ctx: OpContext, req) -> dict[str, Any]:
    a = req.args
    by, reason = (a.get("by") or "").strip(), (a.get("reason") or "").strip()
    if not by or not reason:
        raise OpError("missing_field", MSG_NEED_REASON)
    row = _row(ctx, a["application"])
    if row.get("purged_at") is not None:
        raise OpError("purged", MSG_PURGED.format(number=row["number"]))
    who = ctx.hall.identity(ctx.device)
    Views(ctx.store).add({"at": ctx.now, "number": row["number"], "device": ctx.device,
                          "role": who.role if who else "unprovisioned", "by": by, "reason": reason})
    log.info("disclosure application %s: details shown unmasked to %s (%s)", row["number"], by, ctx.device)
    return {"application": row["number"], **{k: row[k] for k in PERSONAL}, "viewed_by": by, "viewed_at": ctx.now}


def daily(ctx: OpContext) -> None:
    """Each business day: the due-soon and overdue alerts of applications whose clock runs."""
    day = cases.today(ctx)
    is_working = cases.working_day_fn(ctx)
    warn = rules(ctx.cfg).warn_days
    for number in Progress(ctx.store).open_numbers():
        p = load(ctx, _row(ctx, number))
        kinds = p.alerts_due(day, is_working, warn)
        for kind in kinds:
            left = D.working_days_between(day, date.fromisoformat(p.due), is_working)
            text = (ALERT_OVERDUE if kind == "overdue" else ALERT_SOON).format(number=number, due=p.due, left=left)
            ctx.alert({"id": f"{number}-{kind}-{p.due}", "kind": f"disclosure_{'overdue' if kind == 'overdue' else 'due_soon'}",
                       "application": number, "reply_due": p.due, "text": text})
            p = p.alert_sent(kind)
        if kinds:
            save(ctx, p)


class DisclosureOffice(Feature):
    def __init__(self, hall: Hall) -> None:
        super().__init__(hall)
        rules(hall.cfg)
        Applications.open(hall.store)
        Progress.open(hall.store)
        self.ops = {"disclosure.get": Op(op_get, read_only=True), "disclosure.advance": Op(op_advance),
                    "disclosure.reveal": Op(op_reveal, read_only=True)}

    def on_day_start(self, ctx: OpContext) -> None:
        daily(ctx)


FEATURE = DisclosureOffice
__all__ = ["FEATURE", "full_view", "rules"]
