"""The ``[web]`` section of the site config, as one frozen value object.

Rule: read once at start through :meth:`SiteConfig.role` (typed ``get`` + ``done``), so a typo, a wrong type
or a half-given TLS pair stops ``kiosk web`` with file, key and reason. Nothing else in the package reads
config.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path

from ..config import SiteConfig
from ..protocol import valid_id


@dataclass(frozen=True, slots=True, kw_only=True)
class WebSettings:
    bind: str = "0.0.0.0"            # the hall network; 127.0.0.1 behind a proxy
    port: int = 8080
    base_url: str = ""               # how phones and staff reach it (printed QR links, the demo's address)
    state_dir: Path                  # staff accounts, sessions' secret, audit log (never the hub's database)
    device_id: str = "web"           # the provisioned broker identity (role web)
    session_hours: float = 12.0      # a login lasts one working day
    lockout_failures: int = 5        # wrong passwords in a row before the account is locked
    lockout_minutes: float = 15.0
    tls_cert: str = ""               # both or neither: HTTPS with the hall CA's certificate
    tls_key: str = ""
    request_timeout_s: float = 5.0   # how long a page waits for the hub's reply


def _port(v: int) -> str | None:
    return None if 0 < v < 65536 else "must be a TCP port between 1 and 65535"


def _address(v: str) -> str | None:
    try:
        ipaddress.ip_address(v)
    except ValueError:
        return f"must be an IP address to listen on such as 0.0.0.0 or 127.0.0.1, got {v!r}"
    return None


def _url(v: str) -> str | None:
    if v and not (v.startswith(("http://", "https://")) and len(v) > 8 and " " not in v):
        return f"must be an address such as http://192.168.10.2:8080, got {v!r}"
    return None


def web_settings(cfg: SiteConfig) -> WebSettings:
    s = cfg.role("web")
    state = s.get("state_dir", str, "")
    out = WebSettings(
        bind=s.get("bind", str, "0.0.0.0", check=_address),
        port=s.get("port", int, 8080, check=_port),
        base_url=s.get("base_url", str, "", check=_url).rstrip("/"),
        state_dir=Path(state) if state else cfg.state_dir / "web",
        device_id=s.get("device_id", str, cfg.broker.username or "web",
                        check=lambda v: None if valid_id(v) else f"must be an id of [a-z0-9_-], got {v!r}"),
        session_hours=s.get("session_hours", float, 12.0,
                            check=lambda v: None if 0.1 <= v <= 24 * 7 else "must be between 0.1 and 168"),
        lockout_failures=s.get("lockout_failures", int, 5,
                               check=lambda v: None if 1 <= v <= 100 else "must be between 1 and 100"),
        lockout_minutes=s.get("lockout_minutes", float, 15.0,
                              check=lambda v: None if 0 < v <= 24 * 60 else "must be between 0 and 1440"),
        tls_cert=s.get("tls_cert", str, ""),
        tls_key=s.get("tls_key", str, ""),
        request_timeout_s=s.get("request_timeout_s", float, 5.0,
                                check=lambda v: None if 0.5 <= v <= 60 else "must be between 0.5 and 60"),
    )
    s.done()
    if bool(out.tls_cert) != bool(out.tls_key):
        raise s.fail("tls_key" if out.tls_cert else "tls_cert", "tls_cert and tls_key go together: give both or neither")
    for key in ("tls_cert", "tls_key"):
        value = getattr(out, key)
        if value and not Path(value).is_file():
            raise s.fail(key, f"no such file {value!r}")
    return out
