"""Site configuration: one TOML file → frozen value objects, validated once at start.

Rule: nothing deep inside the code reads files or the environment; every role gets a ``SiteConfig``
(and its own section) from here. Any problem raises ``ConfigError`` naming the file, the key and what
was expected, and the process refuses to start.
"""

from __future__ import annotations

import argparse
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .core.errors import PolicyError
from .core.model import Category, Hall, QueuePolicy, Window, WindowKind
from .errors import ConfigError
from .halltime import hall_zone, log_in_hall_time
from .protocol.links import base_problem, normalise_base
from .protocol.roles import ALIASES, STAFF_ROLES, Identity, canonical

_ID = re.compile(r"^[a-z0-9_-]{1,64}$")
_CAT = re.compile(r"^[A-Z][A-Z0-9]{0,7}$")
DEFAULT_CONFIG = Path("/etc/kiosk/site.toml")
ROLE_SECTIONS = ("terminal", "display", "pad", "printer", "bridge", "announcer", "appointments", "evaluation",
                 "cases", "disclosure", "report", "provision", "backup", "web")


class Section:
    """Typed access to one TOML table; every mistake names file and dotted key."""

    def __init__(self, path: Path, prefix: str, data: dict[str, Any]) -> None:
        self.path, self.prefix, self.data = path, prefix, data
        self._used: set[str] = set()

    def key(self, name: str) -> str:
        return f"{self.prefix}.{name}" if self.prefix else name

    def fail(self, name: str, reason: str) -> ConfigError:
        return ConfigError(self.path, self.key(name), reason)

    def get(self, name: str, kind: type | tuple[type, ...], default: Any = ..., *,
            check: Callable[[Any], str | None] | None = None) -> Any:
        self._used.add(name)
        if name not in self.data:
            if default is ...:
                raise self.fail(name, "is required")
            return default
        v = self.data[name]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if float in kinds and isinstance(v, int) and not isinstance(v, bool):
            v = float(v)
        if isinstance(v, bool) and bool not in kinds or not isinstance(v, kinds):
            names = " or ".join(k.__name__ for k in kinds)
            raise self.fail(name, f"expected {names}, got {type(v).__name__} {v!r}")
        if check is not None:
            problem = check(v)
            if problem:
                raise self.fail(name, problem)
        return v

    def table(self, name: str, *, required: bool = False) -> "Section":
        v = self.get(name, dict, ... if required else {})
        return Section(self.path, self.key(name), v)

    def tables(self, name: str) -> list["Section"]:
        v = self.get(name, list, [])
        out = []
        for i, item in enumerate(v):
            if not isinstance(item, dict):
                raise ConfigError(self.path, f"{self.key(name)}[{i}]", "expected a table")
            out.append(Section(self.path, f"{self.key(name)}[{i}]", item))
        return out

    def done(self) -> None:
        """Refuse keys nobody asked for: a typo must not silently fall back to a default."""
        extra = sorted(set(self.data) - self._used)
        if extra:
            raise self.fail(extra[0], "unknown key")


def _positive(v: float) -> str | None:
    return None if v > 0 else "must be greater than 0"


def _non_negative(v: float) -> str | None:
    return None if v >= 0 else "must be 0 or more"


def _zone(v: str) -> str | None:
    """Every time the hall sees is in this zone; a name the zone database lacks must stop the start."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
    try:
        ZoneInfo(v)
    except (ZoneInfoNotFoundError, ValueError):
        return f"must be a time zone name such as Asia/Shanghai, got {v!r}"
    return None


def _matches(rx: re.Pattern[str], what: str) -> Callable[[str], str | None]:
    return lambda v: None if rx.match(v) else f"must be {what}, got {v!r}"


@dataclass(frozen=True, slots=True, kw_only=True)
class BrokerConfig:
    host: str = ""  # empty: find the hub's broker with zeroconf
    port: int = 1883
    username: str = ""
    password_file: str = ""
    tls_ca: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Phones:
    consultation: str = ""
    complaint: str = ""
    hotline: str = "12345"
    on_duty: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class SiteConfig:
    path: Path
    site_id: str
    name: str
    timezone: str
    hall: Hall
    broker: BrokerConfig
    phones: Phones
    state_dir: Path
    address: str = ""
    calendar_path: Path | None = None  # office hours and local holiday overrides
    catalog_dir: Path | None = None  # service guides the hub publishes on `catalog`
    help_retention_days: int = 30  # home-visit registrations (phone, address) are purged after this
    allow_past_closing: bool = True  # a ticket may still be taken (after a warning) when the wait runs past closing
    phone_base: str = ""  # [phone] base_url: the phone pages' address in ticket QR codes ("" = kiosk-only codes)
    roles: dict[str, dict[str, Any]] = field(default_factory=dict)  # raw role sections, parsed by each role

    def role(self, name: str) -> Section:
        return Section(self.path, name, self.roles.get(name, {}))


def load(path: str | Path) -> SiteConfig:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(path, "", f"cannot read the file: {exc.strerror or exc}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(path, "", f"not UTF-8 (byte {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, "", f"not valid TOML: {exc}") from None
    return parse(path, data)


def parse(path: Path, data: dict[str, Any]) -> SiteConfig:
    top = Section(path, "", data)
    site = top.table("site", required=True)
    site_id = site.get("id", str, check=_matches(_ID, "an id of [a-z0-9_-]"))
    name = site.get("name", str)
    tz = site.get("timezone", str, "Asia/Shanghai", check=_zone)
    address = site.get("address", str, "")
    site.done()

    b = top.table("broker")
    broker = BrokerConfig(host=b.get("host", str, ""), port=b.get("port", int, 1883, check=_port),
                          username=b.get("username", str, ""), password_file=b.get("password_file", str, ""),
                          tls_ca=b.get("tls_ca", str, ""))
    b.done()

    h = top.table("hub")
    state_dir = Path(h.get("state_dir", str, "/var/lib/kiosk"))
    calendar = h.get("calendar", str, "calendar.toml")  # "" = no calendar: always open (test benches)
    calendar_path = _relative(path, calendar) if calendar else None
    catalog_dir = _relative(path, h.get("catalog_dir", str, "catalog"))
    retention = h.get("help_retention_days", int, 30, check=_positive)
    h.done()

    p = top.table("policy")
    policy = QueuePolicy(
        recall_limit=p.get("recall_limit", int, 2, check=_non_negative),
        priority_max_in_row=p.get("priority_max_in_row", int, 2, check=_positive),
        noshow_grace_s=60.0 * p.get("noshow_grace_minutes", float, 30.0, check=_non_negative),
        recent_calls=p.get("recent_calls", int, 8, check=_positive),
    )
    allow_past_closing = p.get("allow_past_closing", bool, True)
    p.done()

    categories = []
    seen_cat: dict[str, str] = {}
    for c in top.tables("categories"):
        cid = c.get("id", str, check=_matches(_CAT, "an upper-case ticket prefix such as A or B"))
        if cid in seen_cat:
            raise c.fail("id", f"duplicate ticket prefix {cid!r} (also {seen_cat[cid]})")
        seen_cat[cid] = c.key("id")
        categories.append(Category(
            id=cid, name=c.get("name", str), group=c.get("group", str, "comprehensive",
                                                         check=_one_of("domain", "comprehensive", "complaint")),
            default_service_s=60.0 * c.get("service_minutes", float, 5.0, check=_positive),
            plain=c.get("plain", str, "", check=lambda v: None if len(v) <= 20 else "must be at most 20 characters"),
            tasks=tuple(c.get("tasks", list, [], check=lambda v: None if all(
                isinstance(x, str) and 0 < len(x.strip()) <= 20 for x in v) else "must be a list of short phrases"))))
        c.done()
    if not categories:
        raise ConfigError(path, "categories", "at least one [[categories]] table is required")
    groups = {c.id: c.group for c in categories}

    windows = []
    seen_win: set[str] = set()
    seen_num: set[int] = set()
    for w in top.tables("windows"):
        wid = w.get("id", str, check=_matches(_ID, "an id of [a-z0-9_-] such as w1"))
        if wid in seen_win:
            raise w.fail("id", f"duplicate window id {wid!r}")
        seen_win.add(wid)
        number = w.get("number", int, check=_positive)
        if number in seen_num:
            raise w.fail("number", f"duplicate window number {number}")
        seen_num.add(number)
        kind = w.get("kind", str, check=_one_of(*(k.value for k in WindowKind)))
        cats = w.get("categories", list, [])
        overflow = w.get("overflow", list, [])
        for key, names in (("categories", cats), ("overflow", overflow)):
            for i, cid in enumerate(names):
                if cid not in seen_cat:
                    raise ConfigError(path, f"{w.key(key)}[{i}]",
                                      f"window {wid} serves unknown category {cid!r}; known: {', '.join(seen_cat)}")
                if key == "overflow" and cid in cats:
                    raise ConfigError(path, f"{w.key(key)}[{i}]", f"category {cid!r} is in categories already")
                if key == "categories" and kind != "domain" and groups[cid] == "domain":
                    # 专线限制: a domain category needs its department's dedicated line at the window
                    raise ConfigError(path, f"{w.key(key)}[{i}]",
                                      f"{cid} is a domain category (专线限制): only domain windows serve it; "
                                      f"list it under overflow only if window {wid} has that department's line")
        windows.append(Window(id=wid, number=number, name=w.get("name", str), kind=WindowKind(kind),
                              categories=tuple(cats) + tuple(overflow), ticketed=w.get("ticketed", bool, True)))
        w.done()
    if not windows:
        raise ConfigError(path, "windows", "at least one [[windows]] table is required")

    ph = top.table("phones")
    phones = Phones(consultation=ph.get("consultation", str, ""), complaint=ph.get("complaint", str, ""),
                    hotline=ph.get("hotline", str, "12345"), on_duty=ph.get("on_duty", str, ""))
    ph.done()

    # The visitor's phone pages (kiosk web), named by every ticket's QR code: [phone] base_url, else the
    # web's own [web] base_url (the rest of [web] is the web's to read).
    pb = top.table("phone")
    phone_base = normalise_base(pb.get("base_url", str, "", check=lambda v: base_problem(v.strip())))
    pb.done()
    if not phone_base:
        web_base = top.table("web").get("base_url", str, "", check=lambda v: base_problem(v.strip()) if v else None)
        phone_base = normalise_base(web_base)

    roles = {name: top.get(name, dict, {}) for name in ROLE_SECTIONS}
    top.done()
    try:
        hall = Hall(categories=tuple(categories), windows=tuple(windows), policy=policy)
    except PolicyError as exc:
        raise ConfigError(path, "windows", str(exc)) from None
    return SiteConfig(path=path, site_id=site_id, name=name, timezone=tz, hall=hall, broker=broker,
                      phones=phones, state_dir=state_dir, address=address, roles=roles,
                      calendar_path=calendar_path if calendar_path and calendar_path.exists() else None,
                      catalog_dir=catalog_dir if catalog_dir.is_dir() else None, help_retention_days=retention,
                      allow_past_closing=allow_past_closing, phone_base=phone_base)


def _relative(config_path: Path, value: str) -> Path:
    """Paths in the config are relative to the config file's folder (e.g. /etc/kiosk)."""
    p = Path(value)
    return p if p.is_absolute() else config_path.parent / p


def _port(v: int) -> str | None:
    return None if 0 < v < 65536 else "must be a TCP port between 1 and 65535"


def _one_of(*choices: str) -> Callable[[str], str | None]:
    return lambda v: None if v in choices else f"must be one of {', '.join(choices)}, got {v!r}"


def find_default() -> Path:
    """The config a role uses when given no --config: /etc/kiosk, else the repository's sample."""
    if DEFAULT_CONFIG.exists():
        return DEFAULT_CONFIG
    return Path(__file__).resolve().parents[2] / "config" / "huangtan.toml"


REPORTER_ACCOUNT = "reporter"  # ``kiosk report publish`` (kiosk-report.service): writes hub/report/# only


def identities(cfg: SiteConfig) -> list[Identity]:
    """Every broker identity of the hall (user name = client id = device id) with its role, from the
    windows and the ``[provision]`` section — the same source ``kiosk provision`` writes the ACL from, so
    the hub's role check and the broker's ACL agree. Refuses an id used twice or a staff id whose role
    cannot be told."""
    sec = cfg.role("provision")

    def names(key: str, default: list[str], prefix: str) -> list[str]:
        v = sec.data.get(key, default)
        if isinstance(v, int) and not isinstance(v, bool) and v >= 0:
            return [f"{prefix}-{i}" for i in range(1, v + 1)]
        if not isinstance(v, list) or not all(isinstance(x, str) and _ID.match(x) for x in v):
            raise sec.fail(key, "must be a count or a list of ids of [a-z0-9_-]")
        return list(v)

    raw_roles = sec.data.get("staff_roles", {})
    if not isinstance(raw_roles, dict):
        raise sec.fail("staff_roles", "expected a table")
    known = (*STAFF_ROLES, *(a for a in ALIASES if a != "terminal"))
    out = [Identity("hub", "hub"), Identity(REPORTER_ACCOUNT, "reporter")]  # both on the hub box
    out += [Identity(f"btn-{w.id}", "button", w.id) for w in cfg.hall.windows if w.ticketed]
    out += [Identity(t, "kiosk") for t in names("terminals", ["kiosk-1"], "kiosk")]
    out += [Identity(d, "display") for d in names("displays", ["display-1"], "display")]
    for w in names("pads", [], "pad"):  # window ids that have an evaluation pad
        if cfg.hall.window(w) is None:
            raise sec.fail("pads", f"unknown window {w!r}")
        out.append(Identity(f"pad-{w}", "pad", w))
    out += [Identity(x, "web") for x in names("web", [], "web")]
    for s in names("staff", ["staff-desk"], "staff"):
        role = raw_roles.get(s) or next((r for r in known if r in s.split("-")), None)
        if role not in known:
            raise ConfigError(cfg.path, "provision.staff", f"cannot tell the role of {s!r}: name it staff-<role> "
                              f"or set it in [provision.staff_roles]; roles: {', '.join(known)}")
        out.append(Identity(s, canonical(role)))
    seen: set[str] = set()
    for i in out:
        if i.id in seen:
            raise ConfigError(cfg.path, "provision", f"device id {i.id!r} is used twice")
        seen.add(i.id)
    return out


# ---------------------------------------------------------------------------------------------- command line
def add_common(p: "argparse.ArgumentParser") -> None:
    """The options every command shares: which config file, and where the broker is (``kiosk.bus.resolve``
    reads ``--broker`` and ``--zeroconf-interface``)."""
    p.add_argument("--config", help="site config TOML (default /etc/kiosk/site.toml, else config/huangtan.toml)")
    p.add_argument("--broker", help="HOST:PORT of the MQTT broker (wins over config and discovery)")
    p.add_argument("--zeroconf-interface", action="append", dest="zc_interfaces",
                   help="bind discovery to this address (repeatable); default: all interfaces")


def site_config(args: "argparse.Namespace") -> SiteConfig:
    """The config a command names (else the default), with its log lines stamped in hall time."""
    cfg = load(args.config or find_default())
    log_in_hall_time(hall_zone(cfg.timezone))
    return cfg
