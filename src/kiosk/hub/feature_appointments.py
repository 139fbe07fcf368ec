"""预约 (appointments) in the hub: the ops `appointment.slots/book/checkin/cancel/list/lookup` and the daily
chores (`lookup` is the booking's phone page: no phone number in it, not even masked).

Rule: the rules live in `kiosk.core.appointments`; this module only reads the config, keeps the
bookings in the hub's database (`kiosk.store.appointments`, the only place a full phone number exists) and
turns a check-in into a logged `IssueTicket`. Every op runs inside the hub's single-threaded batch, so
a capacity check and the insert that follows it can never interleave with another booking: when two
kiosks want the last place, the first message in the batch gets it and the other gets `slot_full`.
Handlers check everything before they write anything. Each new business day marks the earlier days'
unused bookings `no_show` (one staff alert per day with the count) and erases the phone numbers of
appointments that ended more than `retention_days` ago.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from ..config import SiteConfig
from ..core import appointments as A
from ..core import commands as C
from ..core.idcard import id_digest, valid_resident_id
from ..core.hours import HallSchedule, SessionKind
from ..core.views import ticket_view
from ..errors import ConfigError
from ..protocol import Request
from ..store.appointments import SCHEMA, Appointments
from .features import Feature, Hall, Op, OpContext, OpError
from .feature_tickets import with_token
from .help import mask_phone

log = logging.getLogger(__name__)

# User-facing Chinese text of this module.
MSG_NOT_BOOKABLE = "{name}暂不开放预约"
MSG_BAD_PHONE = "请填写有效的联系电话（11位手机号或带区号的固话）"
MSG_ALREADY = "该电话已预约 {when} 的{name}，请勿重复预约"
MSG_UNKNOWN = "没有预约码 {code}，请核对"
MSG_UNKNOWN_ITEM = "没有事项 {item}"
MSG_NOT_CONFIGURED = "预约服务暂未开放（配置有误：{reason}）"
MSG_NO_SCHEDULE = "预约服务需要办公时间配置（calendar.toml）"
MSG_ID_OFF = "本中心暂不能凭身份证预约签到，请使用预约码"
MSG_BAD_ID = "身份证号码无效，请核对"
MSG_NO_ID_BOOKING = "今天没有用这张身份证预约的事项；请输入预约码，或到咨询台询问"
MSG_CHECKIN_HOW = "请输入预约码，或刷身份证"
CHECKIN_HINT = "请于 {start} 前后 {grace} 分钟内凭预约码到自助机签到取号"
ALERT_NO_SHOW = "{day} 预约未到 {n} 人"

_RNG = secrets.SystemRandom()  # booking codes must not be guessable from one another
_SESSION_NAMES = {k.value: k for k in SessionKind}
_DEFAULT_RETENTION_DAYS = 30
ID_KEY_FILE = "/etc/kiosk/idcard.key"  # written by `kiosk provision` (hub/idcard.key), owner kiosk, 0600


def load_id_key(cfg: SiteConfig) -> bytes | None:
    """The hall's secret for ID-number digests (``[appointments] id_key_file``: 64 hex digits).

    Not set and the default file absent: bookings by ID card are off (None). Set, or present but
    unreadable or malformed: the hub refuses to start, naming the file and the key."""
    sec = cfg.role("appointments")
    path = sec.get("id_key_file", str, "")
    explicit = bool(path)
    path = path or ID_KEY_FILE
    try:
        text = open(path, encoding="ascii").read().strip()
    except FileNotFoundError:
        if explicit:
            raise ConfigError(cfg.path, "appointments.id_key_file", f"{path} does not exist "
                              "(kiosk provision writes hub/idcard.key)") from None
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(cfg.path, "appointments.id_key_file", f"cannot read {path}: {exc}") from None
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) < 32:
        raise ConfigError(cfg.path, "appointments.id_key_file", f"{path} must hold 64 hex digits (32 random bytes)")
    return key


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

    sec.get("id_key_file", str, "")  # read by load_id_key
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


def _catalog_items(hall: Hall) -> dict[str, dict[str, Any]]:
    catalog = hall.info.catalog or {}
    return {i["id"]: i for i in catalog.get("items", []) if isinstance(i, dict) and "id" in i}


def _build(hall: Hall, policy: A.AppointmentPolicy) -> _Setup:
    return _Setup(policy=policy, problem="", tz=hall.tz, schedule=hall.info.schedule, items=_catalog_items(hall),
                  names={c.id: c.name for c in hall.cfg.hall.categories})


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


def public_view(row: dict[str, Any], st: _Setup) -> dict[str, Any]:
    """A booking as staff and kiosks see it: the phone masked, nothing else personal."""
    end = datetime.fromtimestamp(row["end_at"], st.tz)
    return {"code": row["code"], "category": row["category"], "category_name": st.names.get(row["category"], ""),
            "date": row["day"], "slot": row["slot"], "start": row["slot"][11:16], "end": f"{end:%H:%M}",
            "kind": row["kind"], "state": row["state"],
            "phone": mask_phone(row["phone"]), "items": json.loads(row["items"] or "[]"),
            "ticket": row["number"], "checked_in_at": row["checked_in_at"], "placement": row["placement"]}


# ---------------------------------------------------------------- ops

class Bookings(Feature):
    def __init__(self, hall: Hall) -> None:
        super().__init__(hall)
        self.setup = _build(hall, load_policy(hall.cfg))  # a bad [appointments] section stops the hub here
        self._catalog = hall.info.catalog  # the one setup.items was read from
        self.id_key = load_id_key(hall.cfg)  # never leaves this object: digests only
        self.table = Appointments.open(hall.store)
        self.ops = {"appointment.slots": Op(self.slots, read_only=True), "appointment.book": Op(self.book),
                    "appointment.checkin": Op(self.checkin), "appointment.cancel": Op(self.cancel),
                    "appointment.list": Op(self.list_day, read_only=True),
                    "appointment.lookup": Op(self.lookup, read_only=True)}

    def _ready(self) -> tuple[_Setup, A.AppointmentPolicy, HallSchedule]:
        if self.hall.info.catalog is not self._catalog:  # replaced (catalog.replace): the materials hints follow
            self._catalog = self.hall.info.catalog
            self.setup = dataclasses.replace(self.setup, items=_catalog_items(self.hall))
        st = self.setup
        if st.policy is None:
            raise OpError("not_configured", MSG_NOT_CONFIGURED.format(reason=st.problem))
        if st.schedule is None:
            raise OpError("not_configured", MSG_NO_SCHEDULE)
        return st, st.policy, st.schedule

    def _taken(self, category: str, slots: list[A.Slot]) -> dict[str, int]:
        """Places already held, by slot key, for `slots` of one category."""
        if not slots:
            return {}
        return self.table.taken(category, slots[0].start.timestamp(), slots[-1].start.timestamp(), _PLACE_STATES)

    def _row(self, code: str) -> dict[str, Any]:
        row = self.table.get(code)
        if row is None:
            raise OpError("unknown_appointment", MSG_UNKNOWN.format(code=code))
        return row

    def slots(self, ctx: OpContext, req: Request) -> dict[str, Any]:
        st, policy, schedule = self._ready()
        cat = _bookable(st, policy, req.args["category"])
        now = datetime.fromtimestamp(ctx.now, st.tz)
        try:
            day = A.parse_day(req.args["date"]) if "date" in req.args else None
        except A.AppointmentError as exc:
            raise _refused(exc) from None
        slots = A.upcoming_slots(schedule, policy, now, day)
        taken = self._taken(cat, slots)
        cap = policy.capacity_for(cat)
        first, last = A.horizon(policy, now)
        return {"category": cat, "category_name": st.names[cat], "from": first.isoformat(), "until": last.isoformat(),
                "slot_minutes": policy.slot_minutes, "slots": [s.to_dict(cap, taken.get(s.key, 0)) for s in slots]}

    def _materials(self, st: _Setup, category: str, ids: list[str]) -> list[dict[str, Any]]:
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

    def book(self, ctx: OpContext, req: Request) -> dict[str, Any]:
        st, policy, schedule = self._ready()
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
        items = self._materials(st, cat, a.get("items", []))
        id_hash = self._id_hash(a["id_number"]) if "id_number" in a else None
        same = self.table.same_day_slots(phone, cat, slot.day.isoformat(), A.AppointmentState.BOOKED.value)
        if same:
            when = same[0].replace("T", " ")
            raise OpError("already_booked", MSG_ALREADY.format(when=when, name=st.names[cat]))
        cap = policy.capacity_for(cat)
        if self._taken(cat, [slot]).get(slot.key, 0) >= cap:
            upcoming = A.upcoming_slots(schedule, policy, now)
            taken = self._taken(cat, upcoming)
            suggestion = A.next_free(upcoming, taken, cap, after=slot.start) or A.next_free(upcoming, taken, cap)
            raise OpError("slot_full", A.slot_full_message(slot, st.names[cat], suggestion, policy.days_ahead),
                          extra={"suggest": suggestion.key if suggestion is not None else None})
        try:
            code = A.new_code(_RNG, self.table)
        except A.AppointmentError as exc:
            raise _refused(exc) from None
        self.table.add({"code": code, "category": cat, "day": slot.day.isoformat(), "slot": slot.key,
                        "start_at": slot.start.timestamp(), "end_at": slot.end.timestamp(), "kind": slot.kind.value,
                        "phone": phone, "id_hash": id_hash, "items": json.dumps([i["id"] for i in items]),
                        "state": A.AppointmentState.BOOKED.value, "booked_at": ctx.now, "device": ctx.device})
        return {"code": code, "category": cat, "category_name": st.names[cat], "date": slot.day.isoformat(),
                "slot": slot.key, "start": f"{slot.start:%H:%M}", "end": f"{slot.end:%H:%M}", "at": slot.start.timestamp(),
                "kind": slot.kind.value, "provisional": slot.provisional, "phone": mask_phone(phone),
                "id_card": id_hash is not None,
                "items": items, "materials": [m for i in items for m in i["materials"]],
                "checkin": CHECKIN_HINT.format(start=f"{slot.start:%m月%d日 %H:%M}", grace=policy.grace_minutes)}

    def _id_hash(self, id_number: str) -> str:
        if self.id_key is None:
            raise OpError("id_card_off", MSG_ID_OFF)
        number = valid_resident_id(id_number)
        if number is None:
            raise OpError("bad_id_number", MSG_BAD_ID)
        return id_digest(self.id_key, number)

    def _checkin_row(self, ctx: OpContext, args: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """The booking a check-in names: by its code, or by the card (today's first booking it made)."""
        if ("code" in args) == ("id_number" in args):
            raise OpError("bad_request", MSG_CHECKIN_HOW)
        if "code" in args:
            code = A.normalise_code(args["code"])
            return code, self._row(code)
        rows = self.table.booked_by_id(self._id_hash(args["id_number"]), ctx.day, A.AppointmentState.BOOKED.value)
        if not rows:
            raise OpError("unknown_appointment", MSG_NO_ID_BOOKING)
        return rows[0]["code"], rows[0]

    def checkin(self, ctx: OpContext, req: Request) -> dict[str, Any]:
        st, policy, _ = self._ready()
        code, row = self._checkin_row(ctx, req.args)
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
        self.table.checked_in(code, A.AppointmentState.CHECKED_IN.value, issued.ticket, issued.number, ctx.now,
                              where.value)
        view = with_token(ctx, ticket_view(ctx.queue, ctx.queue.state.tickets[issued.ticket]))
        view["appointment"] = {"code": code, "slot": row["slot"], "start": f"{start:%H:%M}", "end": f"{end:%H:%M}",
                               "placement": where.value}
        view["note"] = A.placement_note(where, start, end)
        return view

    def cancel(self, ctx: OpContext, req: Request) -> dict[str, Any]:
        st, _, _ = self._ready()
        code = A.normalise_code(req.args["code"])
        row = self._row(code)
        try:
            A.transition(A.AppointmentState(row["state"]), "cancel", code)
        except A.AppointmentError as exc:
            raise _refused(exc) from None
        if row["end_at"] <= ctx.now:
            raise OpError("appointment_expired", A.MSG_EXPIRED.format(code=code))
        self.table.cancelled(code, A.AppointmentState.CANCELLED.value, ctx.now)
        row.update(state=A.AppointmentState.CANCELLED.value)
        return public_view(row, st)

    def list_day(self, ctx: OpContext, req: Request) -> dict[str, Any]:
        st, _, _ = self._ready()
        try:
            day = A.parse_day(req.args["date"]).isoformat() if "date" in req.args else ctx.day
        except A.AppointmentError as exc:
            raise _refused(exc) from None
        rows = self.table.of_day(day, req.args.get("category"))
        counts: dict[str, int] = {s.value: 0 for s in A.AppointmentState}
        for r in rows:
            counts[r["state"]] = counts.get(r["state"], 0) + 1
        return {"date": day, "counts": counts, "appointments": [public_view(r, st) for r in rows]}

    def lookup(self, ctx: OpContext, req: Request) -> dict[str, Any]:
        """A booking for its phone page: the slot, the windows that serve it, how to check in."""
        st, policy, _ = self._ready()
        row = self._row(A.normalise_code(req.args["code"]))
        view = public_view(row, st)
        del view["phone"]
        windows = [{"number": w.number, "name": w.name} for w in ctx.cfg.hall.windows if row["category"] in w.categories]
        return {**view, "windows": windows, "grace_minutes": policy.grace_minutes,
                "items": self._materials(st, row["category"], [i for i in view["items"] if i in st.items])}

    # ---------------------------------------------------------------- daily chores

    def on_day_start(self, ctx: OpContext) -> None:
        """Mark earlier days' unused bookings as no-shows (one alert per day) and erase expired phones."""
        st = self.setup
        booked = A.AppointmentState.BOOKED.value
        missed = self.table.mark_missed(booked, A.AppointmentState.NO_SHOW.value, ctx.day)
        for r in missed:
            log.info("appointments of %s: %d no-shows", r["day"], r["n"])
            ctx.alert({"id": f"appointment-no-show-{r['day']}", "kind": "appointment_no_show", "day": r["day"],
                       "count": r["n"], "text": ALERT_NO_SHOW.format(day=r["day"], n=r["n"])})
        days = st.policy.retention_days if st.policy else _DEFAULT_RETENTION_DAYS
        purged = self.table.purge(ctx.now - 86400.0 * days)
        if purged:
            log.info("forgot the phone numbers of %d past appointments", purged)


FEATURE = Bookings
__all__ = ["FEATURE", "SCHEMA", "load_policy", "public_view"]
