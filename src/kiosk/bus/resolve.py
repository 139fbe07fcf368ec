"""Which broker a role talks to: ``--broker`` wins over the config file, which wins over discovery.

Rule: resolved once at start, then passed down as plain values.
"""

from __future__ import annotations

import logging
from pathlib import Path

from ..config import SiteConfig
from ..errors import BusError


def parse_hostport(text: str, default_port: int = 1883) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep:
        return text, default_port
    try:
        p = int(port)
    except ValueError:
        raise BusError(f"--broker {text!r}: port must be a number") from None
    if not 0 < p < 65536:
        raise BusError(f"--broker {text!r}: port must be between 1 and 65535")
    return host or "127.0.0.1", p


def resolve_broker(cfg: SiteConfig, cli: str | None, *, discover_timeout: float = 5.0,
                   interfaces: list[str] | None = None) -> tuple[str, int]:
    if cli:
        return parse_hostport(cli, cfg.broker.port)
    if cfg.broker.host:
        return cfg.broker.host, cfg.broker.port
    if cfg.broker.tls_ca:  # the certificate names the hub; an address found on the network proves nothing
        raise BusError(f"{cfg.path}: broker.tls_ca is set, so broker.host must be too (a name or address in "
                       f"the hall certificate; kiosk provision --tls writes it)")
    from .discovery import discover
    found = discover(cfg.site_id, timeout=discover_timeout, interfaces=interfaces)
    if found is None:
        raise BusError(f"no broker given (--broker or [broker] host in {cfg.path}) and no hub of site "
                       f"{cfg.site_id!r} answered on zeroconf within {discover_timeout:.0f} s")
    return found.host, found.port


def resolve_or_loopback(cfg: SiteConfig, cli: str | None, *, interfaces: list[str] | None = None,
                        log: logging.Logger) -> tuple[str, int]:
    """For a screen: like :func:`resolve_broker`, but a failed discovery (the hall network may be down at
    boot) is logged and the configured or loopback address is used, so the screen starts and keeps retrying."""
    if cli or cfg.broker.host:
        return resolve_broker(cfg, cli)
    fallback = ("127.0.0.1", cfg.broker.port)
    try:
        return resolve_broker(cfg, None, interfaces=interfaces)
    except Exception as exc:  # noqa: BLE001 - any discovery failure: start anyway and retry later
        log.warning("broker not found (%s); using %s:%s", exc, *fallback)
        return fallback


def read_password(cfg: SiteConfig) -> str:
    if not cfg.broker.password_file:
        return ""
    try:
        return Path(cfg.broker.password_file).read_text().strip()
    except OSError as exc:
        raise BusError(f"{cfg.path}: broker.password_file {cfg.broker.password_file}: {exc.strerror}") from exc
