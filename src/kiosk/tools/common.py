"""What every staff tool shares: connect as a named device (the shared options and the config are
``kiosk.config.add_common`` / ``site_config``).

Rule: tools are real MQTT clients of the contract, nothing more; they never open the hub's database.
"""

from __future__ import annotations

import argparse
import secrets
import sys

from ..bus.client import BusClient, BusSettings
from ..bus.resolve import read_password, resolve_broker
from ..config import SiteConfig, add_common, site_config
from ..protocol import Topics

HUB_ACCOUNT = "hub"  # the hub's broker user and device id


def connect(args: argparse.Namespace, cfg: SiteConfig, *, kind: str, subscriptions: tuple[str, ...] = (),
            announce: bool = False, timeout: float = 5.0) -> tuple[BusClient, Topics, str]:
    topics = Topics(cfg.site_id)
    host, port = resolve_broker(cfg, args.broker, interfaces=args.zc_interfaces)
    # With per-device credentials (kiosk provision) the broker user is the device id the ACL allows.
    device = cfg.broker.username or f"{kind}-{secrets.token_hex(3)}"
    if device == HUB_ACCOUNT:
        # one account is one connection on the provisioned broker: the tool would knock the hub off
        print(f"kiosk: {cfg.path}: broker.username is the hub's own account; a staff tool needs its own "
              f"(kiosk provision: [provision] staff) — run it with that device's --config", file=sys.stderr)
        raise SystemExit(2)
    bus = BusClient(BusSettings(host=host, port=port, device_id=device, topics=topics,
                                subscriptions=subscriptions + (topics.reply(device),),
                                announce_availability=announce,
                                username=cfg.broker.username, password=read_password(cfg),
                                tls_ca=cfg.broker.tls_ca))
    bus.start()
    if not bus.wait_connected(timeout):
        bus.stop()
        print(f"kiosk: cannot reach the broker at {host}:{port} within {timeout:.0f} s", file=sys.stderr)
        raise SystemExit(3)
    return bus, topics, device


__all__ = ["add_common", "connect", "site_config"]
