"""Find the hall's broker without configuration: the hub advertises it with zeroconf (mDNS/DNS-SD).

Rule: the hub advertises ``<site>-hub._kiosk-hub._tcp.local.`` with the broker's address and port;
clients given no broker address browse for it. ``interfaces`` is passed through so tests bind to
127.0.0.1 only and never multicast on a real network.
"""

from __future__ import annotations

import logging
import socket
import threading
from dataclasses import dataclass

from zeroconf import IPVersion, ServiceBrowser, ServiceInfo, ServiceStateChange, Zeroconf

log = logging.getLogger(__name__)

SERVICE_TYPE = "_kiosk-hub._tcp.local."


@dataclass(frozen=True, slots=True)
class Found:
    site: str
    host: str
    port: int
    version: str


def _zc(interfaces: list[str] | None) -> Zeroconf:
    if interfaces:
        return Zeroconf(interfaces=interfaces, ip_version=IPVersion.V4Only)
    return Zeroconf(ip_version=IPVersion.V4Only)


class Advertiser:
    """Keeps the hub's broker advertised until ``close``."""

    def __init__(self, *, site: str, broker_host: str, broker_port: int, version: str,
                 interfaces: list[str] | None = None) -> None:
        self._zc = _zc(interfaces)
        host = broker_host or _primary_address(interfaces)
        self.info = ServiceInfo(
            SERVICE_TYPE,
            f"{site}-hub.{SERVICE_TYPE}",
            addresses=[socket.inet_aton(host)],
            port=broker_port,
            properties={"site": site, "broker_host": host, "broker_port": str(broker_port), "version": version},
            server=f"{site}-hub.local.",
        )
        self._zc.register_service(self.info, allow_name_change=True)

    def close(self) -> None:
        try:
            self._zc.unregister_service(self.info)
        finally:
            self._zc.close()


def _primary_address(interfaces: list[str] | None) -> str:
    if interfaces:
        return interfaces[0]
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.255.255.255", 1))  # no packet is sent: this only picks the outgoing interface
            return s.getsockname()[0]
        except OSError:
            return "127.0.0.1"


def discover(site: str | None = None, *, timeout: float = 5.0, interfaces: list[str] | None = None) -> Found | None:
    """Browse for a hub (of ``site`` if given). Returns None when nothing answered in time."""
    zc = _zc(interfaces)
    found: list[Found] = []
    done = threading.Event()

    def on_change(zeroconf: Zeroconf, service_type: str, name: str, state_change: ServiceStateChange) -> None:
        if state_change is not ServiceStateChange.Added:
            return
        info = zeroconf.get_service_info(service_type, name, timeout=int(timeout * 1000))
        if info is None:
            return
        props = {k.decode(): (v or b"").decode() for k, v in info.properties.items()}
        if site and props.get("site") != site:
            return
        addrs = info.parsed_addresses(IPVersion.V4Only)
        host = props.get("broker_host") or (addrs[0] if addrs else "")
        try:
            port = int(props.get("broker_port") or info.port)
        except ValueError:
            return
        found.append(Found(site=props.get("site", ""), host=host, port=port, version=props.get("version", "")))
        done.set()

    browser = ServiceBrowser(zc, SERVICE_TYPE, handlers=[on_change])
    try:
        done.wait(timeout)
    finally:
        browser.cancel()
        zc.close()
    return found[0] if found else None
