"""``kiosk demo``: a whole hall on one machine.

Rule: everything is real — a private mosquitto on a free loopback port (its own temporary config, never
the system service), the hub with its SQLite state, and simulated visitors and window staff that are
ordinary MQTT clients of the contract. The board is printed as it changes; with a display available,
the kiosk and wall windows open beside it.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import logging
import queue
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from ..bus.broker import PrivateBroker
from ..bus.client import BusClient, BusSettings
from ..bus.rpc import Requester
from ..config import find_default, load
from ..protocol import Topics, decode_json, encode

log = logging.getLogger("kiosk.demo")


class Simulator:
    """Visitors taking numbers and staff pressing buttons, at a pace set by ``speed``."""

    def __init__(self, cfg, host: str, port: int, *, speed: float, seed: int) -> None:
        self.cfg = cfg
        self.topics = Topics(cfg.site_id)
        self.rng = random.Random(seed)
        self.speed = speed
        self.bus = BusClient(BusSettings(host=host, port=port, device_id="demo-sim", topics=self.topics,
                                         subscriptions=(self.topics.reply("demo-sim"),
                                                        self.topics.all_window_states)))
        self.states: dict[str, dict] = {}
        self.rpc = Requester(self.bus, self.topics, "demo-sim")
        self.seq = 0
        self.stop = threading.Event()
        self.windows = [w for w in cfg.hall.windows if w.ticketed and w.categories]
        # what the hall can serve: one domain window per domain category (专线限制), four for the rest
        weights = {"A": 1.1, "B": 0.6, "C": 1.5, "D": 1.7, "E": 5, "F": 0.3}
        self.cats = [c.id for c in cfg.hall.categories]
        self.weights = [weights.get(c, 1) for c in self.cats]

    def press(self, window: str, action: str, **extra) -> None:
        self.seq += 1
        body = {"device": "demo-buttons", "seq": self.seq, "action": action, **extra}
        self.bus.publish(self.topics.press(window), encode(body))

    def run(self) -> None:
        self.bus.start()
        self.bus.wait_connected(10)
        self.seq = int(time.time() * 1000)  # a fresh run must not collide with a previous run's presses
        for _ in range(6):
            self._visitor()
        while not self.stop.wait(self.rng.uniform(0.6, 1.6) / self.speed):
            r = self.rng.random()
            if r < 0.45:
                self._visitor()
            else:
                w = self.rng.choice(self.windows)
                action = self._staff_action(self.states.get(w.id, {}))
                extra = {"reason": "暂停服务，请稍候"} if action == "pause" else {}
                self.press(w.id, action, **extra)
            self._drain()
        self.bus.stop()

    def _staff_action(self, st: dict) -> str:
        """What a person at that window would press now, given the window's last known state."""
        if st.get("status") == "paused":
            return "resume"
        ticket = st.get("ticket") or {}
        if ticket.get("state") == "called":
            return self.rng.choices(["start", "recall", "next"], [6, 1, 1])[0]
        if ticket.get("state") == "serving":
            return self.rng.choices(["next", "complete", "pause"], [6, 2, 0.3])[0]
        return "next"

    def _visitor(self) -> None:
        cat = self.rng.choices(self.cats, self.weights)[0]
        self.rpc.send("ticket.issue", {"category": cat, "priority": self.rng.random() < 0.1})

    def _drain(self) -> None:
        while True:
            try:
                it = self.bus.inbox.get_nowait()
            except queue.Empty:
                return
            kind, wid = self.topics.parse(it.topic)
            if kind == "window_state" and wid:
                try:
                    self.states[wid] = decode_json(it.payload)
                except ValueError:
                    pass
                continue
            rep = self.rpc.match(it)
            if rep is not None and rep.ok and isinstance(rep.result, dict) and "ticket" in rep.result \
                    and rep.result.get("delivery") is None and rep.result.get("state") == "waiting":
                self.rpc.send("ticket.delivered", {"ticket": rep.result["ticket"], "how": "on_screen"})


DEMO_STAFF = (("demo-window", "window", ("w1", "w3", "w5")), ("demo-desk", "desk", ()),
              ("demo-director", "director", ()), ("demo-tech", "technician", ()))
DEMO_PASSWORD = "huangtan"


def _start_web(cfg, args: argparse.Namespace, broker_port: int, work: Path) -> subprocess.Popen:
    """``kiosk web`` on loopback with one demo login per staff role; prints the address and the logins."""
    import socket
    from ..bus.broker import free_port
    from ..web.accounts import Accounts
    state = work / "web"
    acc = Accounts.in_dir(state)
    try:
        for name, role, windows in DEMO_STAFF:
            if acc.get(name) is None:
                acc.add(name, DEMO_PASSWORD, role=role, windows=windows, now=time.time())
    finally:
        acc.close()
    port = args.web_port
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "kiosk", "web", "--broker", f"127.0.0.1:{broker_port}",
                             "--bind", "127.0.0.1", "--port", str(port), "--state", str(state)]
                            + (["--config", args.config] if args.config else []))
    names = " / ".join(n for n, _, _ in DEMO_STAFF)
    print(f"demo: staff consoles on http://127.0.0.1:{port}/  log in as {names}, password {DEMO_PASSWORD}",
          flush=True)
    return proc


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


def _has_screen() -> bool:
    import os
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def cmd_demo(args: argparse.Namespace) -> int:
    from ..hub.service import Hub
    from ..tools.queue_tools import print_item

    cfg = load(args.config or find_default())
    if not args.office_hours:
        # a demonstration must show a working hall whenever it runs, also at night
        cfg = dataclasses.replace(cfg, calendar_path=None)
    work = Path(tempfile.mkdtemp(prefix="kiosk-demo-"))
    state = Path(args.state) if args.state else work / "state"
    if args.days:
        from ..reports.demo_history import generate_demo_history
        print(f"demo: filling {args.days} days of history (a month takes a few seconds) …", flush=True)
        generate_demo_history(state / "hub.sqlite3", cfg, args.days, args.seed)
        print(f"demo: try  kiosk report month --state {state}", flush=True)
    broker = PrivateBroker(work / "broker").start()
    print(f"demo: private mosquitto on 127.0.0.1:{broker.port}; hub state in {state}", flush=True)
    print(f"demo: try  kiosk press w1 next --broker 127.0.0.1:{broker.port}   (another terminal)", flush=True)
    logging.getLogger("kiosk.hub.service").setLevel(logging.WARNING)  # the demo prints refusals itself
    hub = Hub(cfg, state_dir=state, host=broker.host, port=broker.port)
    hub_thread = threading.Thread(target=hub.run, name="hub", daemon=True)
    hub_thread.start()
    hub.wait_ready(10)
    sim = Simulator(cfg, broker.host, broker.port, speed=args.speed, seed=args.seed)
    sim_thread = threading.Thread(target=sim.run, name="simulator", daemon=True)
    sim_thread.start()
    children = [_start_web(cfg, args, broker.port, work)] if not args.no_web else []
    if not args.no_windows and _has_screen():
        for role in ("terminal", "display"):
            if importlib.util.find_spec(f"kiosk.{role}.main") is not None:
                children.append(subprocess.Popen([sys.executable, "-m", "kiosk", role, "--windowed",
                                                  "--broker", f"127.0.0.1:{broker.port}"]
                                                 + (["--config", args.config] if args.config else [])))
    # `systemctl stop` or `timeout` send SIGTERM: leave as cleanly as after Ctrl-C (no orphan broker)
    signal.signal(signal.SIGTERM, _interrupt)
    topics = Topics(cfg.site_id)
    watcher = BusClient(BusSettings(host=broker.host, port=broker.port, device_id="demo-watch", topics=topics,
                                    subscriptions=(topics.board, topics.call, topics.hub_error), announce_availability=False))
    watcher.start()
    end = time.monotonic() + args.duration if args.duration else None
    last_print = 0.0
    pending_board = None
    try:
        while end is None or time.monotonic() < end:
            try:
                it = watcher.inbox.get(timeout=0.2)
            except queue.Empty:
                it = None
            if it is not None and it.topic == topics.board:
                pending_board = it  # print at most twice a second: the board changes faster than people read
            elif it is not None:
                print_item(topics, it)
            if pending_board is not None and time.monotonic() - last_print > 0.5:
                print_item(topics, pending_board)
                pending_board, last_print = None, time.monotonic()
    except KeyboardInterrupt:
        pass
    finally:
        sim.stop.set()
        sim_thread.join(5)
        for c in children:
            c.terminate()
        watcher.stop()
        hub.stop()
        hub_thread.join(10)
        broker.stop()
    print(f"demo: stopped; {len(hub.queue.state.tickets)} tickets today in {state}", flush=True)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="a whole hall on this machine: private broker, hub, simulated traffic")
    p.add_argument("--config", help="site config (default config/huangtan.toml)")
    p.add_argument("--state", help="keep the hub's state here (default: a temporary directory)")
    p.add_argument("--duration", type=float, default=0, help="stop after N seconds (default: until Ctrl-C)")
    p.add_argument("--speed", type=float, default=1.0, help="simulated traffic speed factor")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--days", type=int, default=0, help="first fill N past days of realistic traffic (for reports)")
    p.add_argument("--no-windows", action="store_true", help="do not open the kiosk and wall windows")
    p.add_argument("--no-web", action="store_true", help="do not start the staff consoles (kiosk web)")
    p.add_argument("--web-port", type=int, default=8080, help="port of the staff consoles (default 8080, else a free one)")
    p.add_argument("--office-hours", action="store_true",
                   help="follow the real office hours (by default the demo hall is always open)")
    p.set_defaults(func=cmd_demo)
