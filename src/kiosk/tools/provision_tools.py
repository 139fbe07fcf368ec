"""``kiosk provision``: per-device MQTT credentials, the ACL and the hall broker's Mosquitto config.

Rule: least privilege per device, decided here from the site config and nowhere else. Every device
connects with its own user name, which is also its device id (so ``%u`` in the ACL is its own
``device/<id>/…`` subtree). Only the hub writes hall state; a call button writes only its own window's
``press``; a kiosk writes only ``request/#``; a display writes nothing but its own availability and
status. Passwords already issued are kept (a re-run does not lock devices out) unless ``--rotate``.

Output (``--out``, default ``./provision``)::

    mosquitto/passwd       hashed by mosquitto_passwd       → /etc/mosquitto/kiosk/passwd
    mosquitto/acl          per-user topic rules             → /etc/mosquitto/kiosk/acl
    mosquitto/hall.conf    listeners, auth, persistence     → /etc/mosquitto/conf.d/hall.conf
    mosquitto/city-bridge.conf  (with --city)               → /etc/mosquitto/conf.d/city-bridge.conf
    devices/<id>/mqtt.password  (0600)                      → /etc/kiosk/mqtt.password on that device
    devices/<id>/broker.toml    the [broker] table for that device's site.toml
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import string
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ..config import SiteConfig
from ..errors import ConfigError, KioskError

TEMPLATES = Path(__file__).resolve().parents[3] / "config" / "mosquitto"
BROKER_DIR = "/etc/mosquitto/kiosk"
CERT_DIR = "/etc/mosquitto/certs"
DEVICE_PASSWORD_FILE = "/etc/kiosk/mqtt.password"
DEVICE_CA_FILE = "/etc/kiosk/ca.crt"
STAFF_ROLES = ("desk", "content", "monitor")


@dataclass(frozen=True, slots=True)
class Device:
    id: str
    kind: str  # hub / button / terminal / display / staff
    window: str | None = None  # buttons: the window they press for
    role: str | None = None  # staff: desk / content / monitor


# ---------------------------------------------------------------------------------------------- plan
def _names(section, key: str, default: list[str], prefix: str) -> list[str]:
    """A list of ids, or a count N meaning prefix-1 … prefix-N."""
    v = section.get(key, (list, int), default)
    if isinstance(v, int):
        if v < 0:
            raise section.fail(key, "must be 0 or more")
        return [f"{prefix}-{i}" for i in range(1, v + 1)]
    from ..protocol import valid_id
    for i, name in enumerate(v):
        if not valid_id(name):
            raise ConfigError(section.path, f"{section.key(key)}[{i}]", f"must be an id of [a-z0-9_-], got {name!r}")
    return list(v)


def staff_role(name: str, explicit: dict[str, str]) -> str | None:
    """A staff tool's role: from ``[provision.staff_roles]``, else from its name (staff-desk → desk)."""
    if name in explicit:
        return explicit[name]
    for role in STAFF_ROLES:
        if role in name.split("-"):
            return role
    return None


def plan(cfg: SiteConfig) -> list[Device]:
    """Every device of the hall, from the windows and the ``[provision]`` section."""
    sec = cfg.role("provision")
    terminals = _names(sec, "terminals", ["kiosk-1"], "kiosk")
    displays = _names(sec, "displays", ["display-1"], "display")
    staff = _names(sec, "staff", ["staff-desk"], "staff")
    roles = sec.table("staff_roles")
    explicit = {}
    for name in list(roles.data):
        explicit[name] = roles.get(name, str, check=lambda v: None if v in STAFF_ROLES else
                                   f"must be one of {', '.join(STAFF_ROLES)}, got {v!r}")
    roles.done()
    sec.done()
    devices = [Device("hub", "hub")]
    devices += [Device(f"btn-{w.id}", "button", window=w.id) for w in cfg.hall.windows if w.ticketed]
    devices += [Device(t, "terminal") for t in terminals]
    devices += [Device(d, "display") for d in displays]
    for s in staff:
        role = staff_role(s, explicit)
        if role is None:
            raise ConfigError(cfg.path, "provision.staff", f"cannot tell the role of {s!r}: name it staff-desk, "
                              f"staff-content or staff-monitor, or set it in [provision.staff_roles]")
        devices.append(Device(s, "staff", role=role))
    seen: set[str] = set()
    for d in devices:
        if d.id in seen:
            raise ConfigError(cfg.path, "provision", f"device id {d.id!r} is used twice")
        seen.add(d.id)
    return devices


# ---------------------------------------------------------------------------------------------- ACL
# What kiosks and displays may read: retained hall state, and whether the hub is up (shown as "offline").
STATE_TOPICS = ("board", "window/+/state", "mode", "catalog", "content/#", "device/hub/availability")


def acl_text(site: str, devices: list[Device]) -> str:
    """Mosquitto ``acl_file`` text. Access is granted by any matching line; anything else is refused."""
    r = f"hall/{site}/"
    out = [f"# MQTT access rules for hall {site}, generated by `kiosk provision`. Do not edit: re-run it.",
           "# Every user is a device; its user name is its device id.",
           "",
           "# Every device: its own availability (Last Will) and status, and the replies addressed to it.",
           f"pattern write {r}device/%u/availability",
           f"pattern write {r}device/%u/status",
           f"pattern read {r}device/%u/reply",
           ""]
    for d in devices:
        out.append(f"# {d.kind}" + (f" for window {d.window}" if d.window else "") + (f" ({d.role})" if d.role else ""))
        out.append(f"user {d.id}")
        out += [f"topic {mode} {r}{t}" for mode, t in rules(d)]
        out.append("")
    return "\n".join(out)


def rules(d: Device) -> list[tuple[str, str]]:
    """(read|write, topic below hall/<site>/) for one device, beyond the patterns every device has."""
    if d.kind == "hub":
        return [("read", "#")] + [("write", t) for t in (
            "window/+/state", "board", "call", "mode", "catalog", "alert", "hub/#", "device/+/reply")]
    if d.kind == "button":
        return [("write", f"window/{d.window}/press"), ("read", f"window/{d.window}/state")]
    if d.kind == "terminal":
        return [("write", "request/#")] + [("read", t) for t in STATE_TOPICS]
    if d.kind == "display":
        return [("read", t) for t in (*STATE_TOPICS, "call")]
    if d.role == "desk":
        return [("write", "request/#"), ("read", "alert"), ("read", "board"), ("read", "window/+/state"),
                ("read", "mode")]
    if d.role == "content":
        return [("write", "content/#"), ("read", "content/#")]
    if d.role == "monitor":
        return [("read", t) for t in ("board", "window/+/state", "mode", "call", "alert", "hub/error",
                                      "device/+/availability", "device/+/status")]
    raise ValueError(f"no rules for {d!r}")


# ---------------------------------------------------------------------------------------------- configs
def render(template: str, **fields: str) -> str:
    return string.Template((TEMPLATES / template).read_text(encoding="utf-8")).substitute(fields)


def hall_conf(site: str, *, broker_dir: str = BROKER_DIR, port: int = 1883, bind: str = "", tls: bool = False,
              tls_port: int = 8883, cert_dir: str = CERT_DIR, persistence_location: str = "") -> str:
    """The hall broker's config. With TLS the plain listener serves only this machine (the hub).

    Every listener replaces the client id a device sends with its user name: one account cannot take
    over another's session (MQTT drops the older of two connections with the same client id)."""
    own_id = "use_username_as_clientid true"
    if tls:
        listeners = [f"listener {port} 127.0.0.1", own_id,
                     f"listener {tls_port}{' ' + bind if bind else ''}", own_id,
                     f"cafile {cert_dir}/ca.crt", f"certfile {cert_dir}/hub.crt", f"keyfile {cert_dir}/hub.key",
                     "tls_version tlsv1.2"]
    else:
        listeners = [f"listener {port}{' ' + bind if bind else ''}", own_id]
    return render("hall.conf.template", SITE=site, BROKER_DIR=broker_dir, LISTENERS="\n".join(listeners),
                  PERSISTENCE_LOCATION=f"persistence_location {persistence_location.rstrip('/')}/"
                  if persistence_location else "")


def bridge_conf(site: str, city_host: str, city_port: int, remote_password: str, *, city_ca: str = "") -> str:
    tls = f"bridge_cafile {city_ca}\nbridge_insecure false" if city_ca else ""
    return render("city-bridge.conf.template", SITE=site, CITY_HOST=city_host, CITY_PORT=str(city_port),
                  REMOTE_PASSWORD=remote_password, BRIDGE_TLS=tls)


def device_broker_toml(d: Device, *, host: str, tls: bool) -> str:
    lines = ["[broker]", f'host = "{host}"', f"port = {8883 if tls else 1883}", f'username = "{d.id}"',
             f'password_file = "{DEVICE_PASSWORD_FILE}"']
    if tls:
        lines.append(f'tls_ca = "{DEVICE_CA_FILE}"')
    if d.id == "hub":  # the hub talks to the broker on its own machine (plain listener on loopback)
        lines[1:3] = ['host = "127.0.0.1"', "port = 1883"]
        lines = [ln for ln in lines if not ln.startswith("tls_ca")]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------- files
def find_mosquitto_passwd() -> str:
    for c in (shutil.which("mosquitto_passwd"), "/usr/bin/mosquitto_passwd", "/usr/local/bin/mosquitto_passwd"):
        if c and os.access(c, os.X_OK):
            return c
    raise KioskError("mosquitto_passwd is not installed (Debian: apt-get install mosquitto)")


def write_private(path: Path, text: str) -> None:
    """Create or replace a file readable by its owner only, never briefly readable by others."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def password_for(out: Path, device_id: str, rotate: bool) -> tuple[str, bool]:
    """(password, newly made). A password already handed to a device is kept unless rotating."""
    f = out / "devices" / device_id / "mqtt.password"
    if f.exists() and not rotate:
        pw = f.read_text(encoding="utf-8").strip()
        if pw:
            return pw, False
    return secrets.token_urlsafe(24), True


def hash_passwords(path: Path, creds: dict[str, str]) -> None:
    """The broker's password file: plain ``user:password`` lines, hashed in place by ``mosquitto_passwd -U``."""
    write_private(path, "".join(f"{u}:{p}\n" for u, p in creds.items()))
    r = subprocess.run([find_mosquitto_passwd(), "-U", str(path)], capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        path.unlink(missing_ok=True)  # never leave plain passwords behind
        raise KioskError(f"mosquitto_passwd -U {path} failed: {r.stderr.strip() or r.stdout.strip()}")


@dataclass(frozen=True, slots=True)
class Result:
    devices: list[Device]
    new: list[str]
    out: Path


def provision(cfg: SiteConfig, out: Path, *, tls: bool = False, rotate: bool = False, hub_host: str = "",
              broker_dir: str = BROKER_DIR, city: tuple[str, int] | None = None, city_ca: str = "") -> Result:
    devices = plan(cfg)
    out.mkdir(parents=True, exist_ok=True)
    creds: dict[str, str] = {}
    new: list[str] = []
    host = hub_host or cfg.broker.host
    for d in devices:
        pw, made = password_for(out, d.id, rotate)
        creds[d.id] = pw
        if made:
            new.append(d.id)
        ddir = out / "devices" / d.id
        write_private(ddir / "mqtt.password", pw + "\n")
        (ddir / "broker.toml").write_text(device_broker_toml(d, host=host, tls=tls), encoding="utf-8")
    mq = out / "mosquitto"
    hash_passwords(mq / "passwd", creds)
    write_private(mq / "acl", acl_text(cfg.site_id, devices))
    (mq / "hall.conf").write_text(hall_conf(cfg.site_id, broker_dir=broker_dir, tls=tls), encoding="utf-8")
    if city is not None:
        pw, _ = password_for(out, f"city-{cfg.site_id}", rotate)
        write_private(out / "devices" / f"city-{cfg.site_id}" / "mqtt.password", pw + "\n")
        write_private(mq / "city-bridge.conf", bridge_conf(cfg.site_id, city[0], city[1], pw, city_ca=city_ca))
    return Result(devices, new, out)


# ---------------------------------------------------------------------------------------------- CLI
def cmd_provision(args: argparse.Namespace) -> int:
    from ..bus.resolve import parse_hostport
    from .common import site_config
    cfg = site_config(args)
    city = parse_hostport(args.city, 8883 if args.city_ca else 1883) if args.city else None
    res = provision(cfg, Path(args.out), tls=args.tls, rotate=args.rotate, hub_host=args.hub_host or "",
                    broker_dir=args.broker_dir, city=city, city_ca=args.city_ca or "")
    print(f"site {cfg.site_id}: {len(res.devices)} devices → {res.out}")
    for d in res.devices:
        what = d.kind + (f" {d.window}" if d.window else "") + (f" ({d.role})" if d.role else "")
        print(f"  {d.id:<16} {what:<22} {'new password' if d.id in res.new else 'password kept'}")
    print(f"next: install -o mosquitto -m 0600 {res.out}/mosquitto/passwd {res.out}/mosquitto/acl {args.broker_dir}/ ;"
          f" cp {res.out}/mosquitto/hall.conf /etc/mosquitto/conf.d/ ; systemctl restart mosquitto")
    print(f"      each device: {res.out}/devices/<id>/mqtt.password → {DEVICE_PASSWORD_FILE} (owner kiosk, 0600),"
          f" and its [broker] table from broker.toml (see docs/operations.md)")
    return 0


def register(sub: argparse._SubParsersAction, add_common) -> None:
    p = sub.add_parser("provision", help="per-device MQTT passwords, ACL and the hall broker's Mosquitto config")
    p.add_argument("--config", help="site config TOML (default /etc/kiosk/site.toml, else config/huangtan.toml)")
    p.add_argument("--out", default="provision", help="output folder (default ./provision)")
    p.add_argument("--tls", action="store_true", help="devices use TLS on 8883; plain 1883 only on loopback")
    p.add_argument("--rotate", action="store_true", help="new passwords for every device")
    p.add_argument("--hub-host", help="the hub's address written into the devices' broker.toml "
                                      "(default: [broker] host; empty means zeroconf)")
    p.add_argument("--broker-dir", default=BROKER_DIR, help=f"where passwd and acl go on the hub (default {BROKER_DIR})")
    p.add_argument("--city", help="HOST[:PORT] of the city broker: also write city-bridge.conf")
    p.add_argument("--city-ca", help="CA certificate of the city broker (bridge over TLS)")
    p.set_defaults(func=cmd_provision)

