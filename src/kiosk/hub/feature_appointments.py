"""预约 (appointments) in the hub: the ops `appointment.slots/book/checkin/cancel/list` and the daily chores.

Rule: the rules live in `kiosk.core.appointments`; this module only reads the config, keeps the
bookings in the hub's database (table `appointments`, the only place a full phone number exists) and
turns a check-in into a logged `IssueTicket`. Every op runs inside the hub's single-threaded batch, so
a capacity check and the insert that follows it can never interleave with another booking: when two
kiosks want the last place, the first message in the batch gets it and the other gets `slot_full`.
Handlers check everything before they write anything. Each new business day marks the earlier days'
unused bookings `no_show` (one staff alert per day with the count) and erases the phone numbers of
appointments that ended more than `retention_days` ago.
"""

from __future__ import annotations

import json
import logging
import secrets
import weakref
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from ..config import SiteConfig
from ..core import appointments as A
from ..core import commands as C
from ..core.hours import HallSchedule, SessionKind
from ..core.views import ticket_view
from ..errors import ConfigError
from .features import OpContext, OpError
from .help import mask_phone

if TYPE_CHECKING:
    from ..protocol import Request
    from .service import Hub

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS appointments (
    code TEXT PRIMARY KEY,
    category TEXT NOT NULL,
    day TEXT NOT NULL,              -- ISO date of the slot, hall time
    slot TEXT NOT NULL,             -- "2026-12-01T09:00", hall time
    start_at REAL NOT NULL,
    end_at REAL NOT NULL,
    kind TEXT NOT NULL,             -- session kind: walk_in / extended / appointment
    phone TEXT,                     -- personal data: NULL once purged
    items TEXT NOT NULL DEFAULT '[]',
    state TEXT NOT NULL,
    booked_at REAL NOT NULL,
    device TEXT NOT NULL,
    ticket TEXT,
    number TEXT,
    checked_in_at REAL,
    placement TEXT,
    cancelled_at REAL
);
CREATE INDEX IF NOT EXISTS appointments_slot ON appointments(category, start_at);
CREATE INDEX IF NOT EXISTS appointments_day ON appointments(day, state);
"""

# User-facing Chinese text of this module.
MSG_NOT_BOOKABLE = "{name}暂不开放预约"
MSG_BAD_PHONE = "请填写有效的联系电话（11位手机号或带区号的固话）"
MSG_ALREADY = "该电话已预约 {when} 的{name}，请勿重复预约"
MSG_UNKNOWN = "没有预约码 {code}，请核对"
MSG_UNKNOWN_ITEM = "没有事项 {item}"
MSG_NOT_CONFIGURED = "预约服务暂未开放（配置有误：{reason}）"
MSG_NO_SCHEDULE = "预约服务需要办公时间配置（calendar.toml）"
CHECKIN_HINT = "请于 {start} 前后 {grace} 分钟内凭预约码到自助机签到取号"
ALERT_NO_SHOW = "{day} 预约未到 {n} 人"

_RNG = secrets.SystemRandom()  # booking codes must not be guessable from one another
_SESSION_NAMES = {k.value: k for k in SessionKind}
_DEFAULT_RETENTION_DAYS = 30


# ---------------------------------------------------------------- configuration

def load_policy(cfg: SiteConfig) -> A.AppointmentPolicy:
    """`[appointments]` of the site config → policy; ConfigError names the key. No section: nothing bookable."""
    sec = cfg.role("appointments")
    known = {c.id for c in cfg.hall.categories}
    served = {c for w in cfg.hall.windows for c in w.categories}

    def categories_ok(v: list) -> str | None:
        for c in v:
            if c not in known:
                return f"unknown category {c!r}; known: {', '.join(sorted(known))}"
            if c not in served:
                return f"no window serves category {c!r}"
        return None

    def sessions_ok(v: list) -> str | None:
        bad = [s for s in v if s not in _SESSION_NAMES]
        return f"expected a list of {', '.join(_SESSION_NAMES)}, got {bad[0]!r}" if bad else None

    def at_least(lo: int):
        return lambda v: None if v >= lo else f"must be {lo} or more"

    categories = sec.get("categories", list, [], check=categories_ok)
    caps = sec.table("capacity_by_category")
    by_cat = {}
    for cat in list(caps.data):
        if cat not in categories:
            raise caps.fail(cat, "not one of the bookable categories")
        by_cat[cat] = caps.get(cat, int, check=at_least(0))
    caps.done()
    try:
        policy = A.AppointmentPolicy(
            categories=tuple(categories),
            slot_minutes=sec.get("slot_minutes", int, 30, check=lambda v: None if 5 <= v <= 240 else "must be 5..240"),
            capacity=sec.get("capacity", int, 2, check=at_least(0)),
            capacity_by_category=by_cat,
            days_ahead=sec.get("days_ahead", int, 7, check=lambda v: None if 0 <= v <= 90 else "must be 0..90"),
            grace_minutes=sec.get("grace_minutes", int, 15, check=at_least(0)),
            min_lead_minutes=sec.get("min_lead_minutes", int, 0, check=at_least(0)),
            retention_days=sec.get("retention_days", int, _DEFAULT_RETENTION_DAYS, check=at_least(1)),
            session_kinds=frozenset(_SESSION_NAMES[s] for s in sec.get(
                "sessions", list, [k.value for k in SessionKind], check=sessions_ok)),
        )
    except ValueError as exc:
        raise ConfigError(cfg.path, "appointments", str(exc)) from None
    sec.done()
    return policy


@dataclass(frozen=True, slots=True)
class _Setup:
    policy: A.AppointmentPolicy | None
    problem: str  # why the policy could not be read ("" when fine)
    tz: ZoneInfo
    schedule: HallSchedule | None
    items: dict[str, dict[str, Any]]  # catalogue item id -> item (for the materials hint)
    names: dict[str, str]  # category id -> name


READ_ONLY = ("appointment.slots", "appointment.list")

_setups: "weakref.WeakKeyDictionary[Hub, _Setup]" = weakref.WeakKeyDictionary()


def setup(hub: "Hub") -> _Setup:
    """Read `[appointments]` once per hub; a bad section raises ConfigError (call this at the hub's start)."""
    got = _setups.get(hub)
    if got is None:
        got = _setups[hub] = _build(hub, load_policy(hub.cfg), "")
    return got


def _setup_in_batch(hub: "Hub") -> _Setup:
    """Like `setup`, but inside a batch a bad section must not stop the hub: the ops answer `not_configured`."""
    try:
        return setup(hub)
    except ConfigError as exc:
        log.error("appointments disabled: %s", exc)
        got = _setups[hub] = _build(hub, None, str(exc))
        return got


def _build(hub: "Hub", policy: A.AppointmentPolicy | None, problem: str) -> _Setup:
    catalog = getattr(hub.info, "catalog", None) or {}
    items = {i["id"]: i for i in catalog.get("items", []) if isinstance(i, dict) and "id" in i}
    return _Setup(policy=policy, problem=problem, tz=ZoneInfo(hub.cfg.timezone),
                  schedule=getattr(hub.info, "schedule", None), items=items,
                  names={c.id: c.name for c in hub.cfg.hall.categories})


def _ready(ctx: OpContext) -> tuple[_Setup, A.AppointmentPolicy, HallSchedule]:
    st = _setup_in_batch(ctx.hub)
    if st.policy is None:
        raise OpError("not_configured", MSG_NOT_CONFIGURED.format(reason=st.problem))
    if st.schedule is None:
        raise OpError("not_configured", MSG_NO_SCHEDULE)
    return st, st.policy, st.schedule


def _refused(exc: A.AppointmentError) -> OpError:
    return OpError(exc.code, exc.message)


def _bookable(st: _Setup, policy: A.AppointmentPolicy, category: str) -> str:
    if category not in st.names:
        raise OpError("unknown_category", f"unknown category {category!r}")
    if policy.capacity_for(category) <= 0:
        raise OpError("not_bookable", MSG_NOT_BOOKABLE.format(name=st.names[category]))
    return category


# ---------------------------------------------------------------- database

_PLACE_STATES = tuple(s.value for s in A.HOLDS_PLACE)


def _taken(ctx: OpContext, category: str, slots: list[A.Slot]) -> dict[str, int]:
    """Places already held, by slot key, for `slots` of one category."""
    if not slots:
        return {}
    marks = ",".join("?" * len(_PLACE_STATES))
    rows = ctx.store.rows(
        f"SELECT slot, COUNT(*) AS n FROM appointments WHERE category = ? AND start_at BETWEEN ? AND ? "
        f"AND state IN ({marks}) GROUP BY slot",
        (category, slots[0].start.timestamp(), slots[-1].start.timestamp(), *_PLACE_STATES))
    return {r["slot"]: r["n"] for r in rows}


def _row(ctx: OpContext, code: str) -> dict[str, Any]:
    rows = ctx.store.rows("SELECT * FROM appointments WHERE code = ?", (code,))
    if not rows:
        raise OpError("unknown_appointment", MSG_UNKNOWN.format(code=code))
    return rows[0]


class _Codes:
    """Every code ever stored, as a container for `new_code` (codes are never reused)."""

    def __init__(self, ctx: OpContext) -> None:
        self.ctx = ctx

    def __contains__(self, code: object) -> bool:
        return bool(self.ctx.store.rows("SELECT 1 AS x FROM appointments WHERE code = ?", (code,)))


def public_view(row: dict[str, Any], st: _Setup) -> dict[str, Any]:
    """A booking as staff and kiosks see it: the phone masked, nothing else personal."""
    end = datetime.fromtimestamp(row["end_at"], st.tz)
    return {"code": row["code"], "category": row["category"], "category_name": st.names.get(row["category"], ""),
            "date": row["day"], "slot": row["slot"], "start": row["slot"][11:16], "end": f"{end:%H:%M}",
            "kind": row["kind"], "state": row["state"],
            "phone": mask_phone(row["phone"]), "items": json.loads(row["items"] or "[]"),
            "ticket": row["number"], "checked_in_at": row["checked_in_at"], "placement": row["placement"]}


# ---------------------------------------------------------------- ops

def op_slots(ctx: OpContext, req: "Request") -> dict[str, Any]:
    st, policy, schedule = _ready(ctx)
    cat = _bookable(st, policy, req.args["category"])
    now = datetime.fromtimestamp(ctx.now, st.tz)
    try:
        day = A.parse_day(req.args["date"]) if "date" in req.args else None
    except A.AppointmentError as exc:
        raise _refused(exc) from None
    slots = A.upcoming_slots(schedule, policy, now, day)
    taken = _taken(ctx, cat, slots)
    cap = policy.capacity_for(cat)
    first, last = A.horizon(policy, now)
    return {"category": cat, "category_name": st.names[cat], "from": first.isoformat(), "until": last.isoformat(),
            "slot_minutes": policy.slot_minutes, "slots": [s.to_dict(cap, taken.get(s.key, 0)) for s in slots]}


def _materials(st: _Setup, category: str, ids: list[str]) -> list[dict[str, Any]]:
    out = []
    for iid in ids:
        item = st.items.get(iid)
        if item is None:
            raise OpError("unknown_item", MSG_UNKNOWN_ITEM.format(item=iid))
        mats = []
        for m in item.get("materials", []):
            copies = m.get("copies", 1)
            mats.append(f"{m.get('name', '')}（{m.get('form', '')}{f'×{copies}' if copies and copies > 1 else ''}）")
        out.append({"id": iid, "name": item.get("name", iid), "materials": mats})
    return out


def op_book(ctx: OpContext, req: "Request") -> dict[str, Any]:
    st, policy, schedule = _ready(ctx)
    a = req.args
    cat = _bookable(st, policy, a["category"])
    phone = A.normalise_phone(a["phone"])
    if phone is None:
        raise OpError("bad_phone", MSG_BAD_PHONE)
    now = datetime.fromtimestamp(ctx.now, st.tz)
    try:
        slot = A.find_slot(schedule, policy, now, A.parse_slot(a["slot"], st.tz))
    except A.AppointmentError as exc:
        raise _refused(exc) from None
    items = _materials(st, cat, a.get("items", []))
    same = ctx.store.rows("SELECT slot FROM appointments WHERE phone = ? AND category = ? AND day = ? AND state = ?",
                          (phone, cat, slot.day.isoformat(), A.AppointmentState.BOOKED.value))
    if same:
        when = same[0]["slot"].replace("T", " ")
        raise OpError("already_booked", MSG_ALREADY.format(when=when, name=st.names[cat]))
    cap = policy.capacity_for(cat)
    if _taken(ctx, cat, [slot]).get(slot.key, 0) >= cap:
        upcoming = A.upcoming_slots(schedule, policy, now)
        taken = _taken(ctx, cat, upcoming)
        suggestion = A.next_free(upcoming, taken, cap, after=slot.start) or A.next_free(upcoming, taken, cap)
        raise OpError("slot_full", A.slot_full_message(slot, st.names[cat], suggestion, policy.days_ahead),
                      extra={"suggest": suggestion.key if suggestion is not None else None})
    try:
        code = A.new_code(_RNG, _Codes(ctx))
    except A.AppointmentError as exc:
        raise _refused(exc) from None
    ctx.store.execute(
        "INSERT INTO appointments (code, category, day, slot, start_at, end_at, kind, phone, items, state, "
        "booked_at, device) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        (code, cat, slot.day.isoformat(), slot.key, slot.start.timestamp(), slot.end.timestamp(), slot.kind.value,
         phone, json.dumps([i["id"] for i in items]), A.AppointmentState.BOOKED.value, ctx.now, ctx.device))
    return {"code": code, "category": cat, "category_name": st.names[cat], "date": slot.day.isoformat(),
            "slot": slot.key, "start": f"{slot.start:%H:%M}", "end": f"{slot.end:%H:%M}", "at": slot.start.timestamp(),
            "kind": slot.kind.value, "provisional": slot.provisional, "phone": mask_phone(phone),
            "items": items, "materials": [m for i in items for m in i["materials"]],
            "checkin": CHECKIN_HINT.format(start=f"{slot.start:%m月%d日 %H:%M}", grace=policy.grace_minutes)}


def op_checkin(ctx: OpContext, req: "Request") -> dict[str, Any]:
    st, policy, _ = _ready(ctx)
    code = A.normalise_code(req.args["code"])
    row = _row(ctx, code)
    start = datetime.fromtimestamp(row["start_at"], st.tz)
    end = datetime.fromtimestamp(row["end_at"], st.tz)
    try:
        A.transition(A.AppointmentState(row["state"]), "checkin", code)
        A.check_day(code, date.fromisoformat(row["day"]), date.fromisoformat(ctx.day), start)
    except A.AppointmentError as exc:
        raise _refused(exc) from None
    where = A.placement(start, datetime.fromtimestamp(ctx.now, st.tz), policy.grace_minutes)
    events = ctx.apply(C.IssueTicket(now=ctx.now, category=row["category"], source=ctx.device, appointment=code,
                                     front=where is A.Placement.ON_TIME))
    issued = next(e for e in events if isinstance(e, C.TicketIssued))
    ctx.store.execute(
        "UPDATE appointments SET state = ?, ticket = ?, number = ?, checked_in_at = ?, placement = ? WHERE code = ?",
        (A.AppointmentState.CHECKED_IN.value, issued.ticket, issued.number, ctx.now, where.value, code))
    view = ticket_view(ctx.queue, ctx.queue.state.tickets[issued.ticket])
    view["appointment"] = {"code": code, "slot": row["slot"], "start": f"{start:%H:%M}", "end": f"{end:%H:%M}",
                           "placement": where.value}
    view["note"] = A.placement_note(where, start, end)
    return view


def op_cancel(ctx: OpContext, req: "Request") -> dict[str, Any]:
    st, _, _ = _ready(ctx)
    code = A.normalise_code(req.args["code"])
    row = _row(ctx, code)
    try:
        A.transition(A.AppointmentState(row["state"]), "cancel", code)
    except A.AppointmentError as exc:
        raise _refused(exc) from None
    if row["end_at"] <= ctx.now:
        raise OpError("appointment_expired", A.MSG_EXPIRED.format(code=code))
    ctx.store.execute("UPDATE appointments SET state = ?, cancelled_at = ? WHERE code = ?",
                      (A.AppointmentState.CANCELLED.value, ctx.now, code))
    row.update(state=A.AppointmentState.CANCELLED.value)
    return public_view(row, st)


def op_list(ctx: OpContext, req: "Request") -> dict[str, Any]:
    st, _, _ = _ready(ctx)
    try:
        day = A.parse_day(req.args["date"]).isoformat() if "date" in req.args else ctx.day
    except A.AppointmentError as exc:
        raise _refused(exc) from None
    sql, args = "SELECT * FROM appointments WHERE day = ?", [day]
    if "category" in req.args:
        sql += " AND category = ?"
        args.append(req.args["category"])
    rows = ctx.store.rows(sql + " ORDER BY start_at, category, booked_at", tuple(args))
    counts: dict[str, int] = {s.value: 0 for s in A.AppointmentState}
    for r in rows:
        counts[r["state"]] = counts.get(r["state"], 0) + 1
    return {"date": day, "counts": counts, "appointments": [public_view(r, st) for r in rows]}


OPS = {
    "appointment.slots": op_slots,
    "appointment.book": op_book,
    "appointment.checkin": op_checkin,
    "appointment.cancel": op_cancel,
    "appointment.list": op_list,
}


# ---------------------------------------------------------------- daily chores

def on_day_start(ctx: OpContext) -> None:
    """Mark earlier days' unused bookings as no-shows (one alert per day) and erase expired phones."""
    st = _setup_in_batch(ctx.hub)
    booked = A.AppointmentState.BOOKED.value
    missed = ctx.store.rows("SELECT day, COUNT(*) AS n FROM appointments WHERE state = ? AND day < ? "
                            "GROUP BY day ORDER BY day", (booked, ctx.day))
    if missed:
        ctx.store.execute("UPDATE appointments SET state = ? WHERE state = ? AND day < ?",
                          (A.AppointmentState.NO_SHOW.value, booked, ctx.day))
    for r in missed:
        log.info("appointments of %s: %d no-shows", r["day"], r["n"])
        ctx.alert({"id": f"appointment-no-show-{r['day']}", "kind": "appointment_no_show", "day": r["day"],
                   "count": r["n"], "text": ALERT_NO_SHOW.format(day=r["day"], n=r["n"])})
    days = st.policy.retention_days if st.policy else _DEFAULT_RETENTION_DAYS
    cur = ctx.store.execute("UPDATE appointments SET phone = NULL WHERE phone IS NOT NULL AND end_at < ?",
                            (ctx.now - 86400.0 * days,))
    if cur.rowcount:
        log.info("forgot the phone numbers of %d past appointments", cur.rowcount)
