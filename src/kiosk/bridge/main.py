"""``kiosk bridge``: a USB keypad at a window PC/Pi acting as that window's call button.

Rule: the keypad is read with evdev (grabbed, so key presses never reach a desktop), decoded by the
same ``KeypadDecoder`` the tests feed with raw ``input_event`` bytes, and published as
``window/<w>/press`` with this bridge's device id and a sequence number that is written to disk before
the press leaves, so the hub's (device, seq) de-duplication survives restarts. Unplug and replug is
handled by ``InputSource`` (it reopens the device by its stable name).
"""

from __future__ import annotations

import argparse
import logging
import os
import queue
import signal
import threading
import time
from pathlib import Path
from typing import Callable

from .. import __version__
from ..bus.client import BusClient, BusSettings
from ..bus.resolve import read_password, resolve_broker
from ..config import SiteConfig
from ..devices.evdev_decode import KeypadDecoder, keymap_from_names, DEFAULT_KEYPAD_NAMES
from ..devices.input_device import BY_ID_DIR, InputSource, OpenedDevice
from ..protocol import Topics, encode, valid_id

log = logging.getLogger("kiosk.bridge")
PAUSE_REASON = "暂停服务，请稍候"


class SeqFile:
    """A press counter that never goes back, even across a power cut."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.value = int(path.read_text().strip() or 0)
        except FileNotFoundError:
            self.value = 0
        except ValueError:
            log.warning("%s is unreadable; continuing from the time-based sequence", path)
            self.value = int(time.time() * 1000)

    def next(self) -> int:
        self.value += 1
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        with open(tmp, "w") as f:
            f.write(str(self.value))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)
        return self.value


class Bridge:
    def __init__(self, cfg: SiteConfig, *, window: str, device: str, device_id: str, host: str, port: int,
                 seq_path: Path, keymap: dict[str, str] | None = None, pause_reason: str = PAUSE_REASON,
                 opener: Callable[[str], OpenedDevice] | None = None, by_id_dir: str = BY_ID_DIR,
                 password: str = "") -> None:
        if cfg.hall.window(window) is None:
            raise ValueError(f"no window {window!r} in {cfg.path}")
        self.window = window
        self.topics = Topics(cfg.site_id)
        self.device_id = device_id
        self.pause_reason = pause_reason
        self.bus = BusClient(BusSettings(host=host, port=port, device_id=device_id, topics=self.topics,
                                         username=cfg.broker.username, password=password,
                                         tls_ca=cfg.broker.tls_ca))
        self.actions: queue.Queue[str] = queue.Queue()
        decoder = KeypadDecoder(keymap_from_names(keymap or DEFAULT_KEYPAD_NAMES))
        # a stable name under /dev/input/by-id, or a full path (its folder is rescanned the same way)
        folder, name = (os.path.dirname(device), os.path.basename(device)) if os.path.isabs(device) \
            else (by_id_dir, device)
        self.source = InputSource(name, decoder, self.actions.put, grab=True, opener=opener, by_id_dir=folder,
                                  on_error=lambda exc: log.warning("keypad: %s", exc))
        self.seq = SeqFile(seq_path)
        self.sent = 0

    def _status(self) -> None:
        self.bus.publish(self.topics.status(self.device_id), encode({
            "kind": "bridge", "version": __version__, "window": self.window,
            "keypad": "connected" if self.source.connected.is_set() else "missing"}), retain=True)

    def run(self, stop: threading.Event) -> None:
        self.bus.start()
        self.source.start(stop)
        last_status = 0.0
        was_connected = None
        while not stop.is_set():
            try:
                action = self.actions.get(timeout=0.5)
            except queue.Empty:
                action = None
            connected = self.source.connected.is_set()
            if connected != was_connected or time.monotonic() - last_status > 60:
                self._status()
                was_connected, last_status = connected, time.monotonic()
            if action is None:
                continue
            body = {"device": self.device_id, "seq": self.seq.next(), "action": action}
            if action == "pause":
                body["reason"] = self.pause_reason
            self.bus.publish(self.topics.press(self.window), encode(body), qos=1)
            self.sent += 1
            log.info("window %s: %s (seq %d)", self.window, action, body["seq"])
        self.bus.stop()


def cmd_bridge(args: argparse.Namespace) -> int:
    from ..config import site_config
    cfg = site_config(args)
    sec = cfg.role("bridge")
    keymap = sec.get("keymap", dict, None)
    reason = sec.get("pause_reason", str, PAUSE_REASON)
    state_dir = Path(sec.get("state_dir", str, str(cfg.state_dir)))
    sec.done()
    device_id = args.device_id or f"btn-{args.window}"
    if not valid_id(device_id):
        raise SystemExit(f"kiosk bridge: --device-id {device_id!r} must be of [a-z0-9_-]")
    host, port = resolve_broker(cfg, args.broker, interfaces=args.zc_interfaces)
    bridge = Bridge(cfg, window=args.window, device=args.device, device_id=device_id, host=host, port=port,
                    seq_path=state_dir / f"bridge-{device_id}.seq", keymap=keymap, pause_reason=reason,
                    password=read_password(cfg))
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    bridge.run(stop)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    from ..config import add_common
    p = sub.add_parser("bridge", help="a USB keypad as a window's call button (evdev)")
    add_common(p)
    p.add_argument("--device", required=True, help="keypad: name under /dev/input/by-id/ or a full path")
    p.add_argument("--window", required=True, help="window id, e.g. w3")
    p.add_argument("--device-id", help="this button's MQTT device id (default btn-<window>)")
    p.set_defaults(func=cmd_bridge)
