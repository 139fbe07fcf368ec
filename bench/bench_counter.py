"""The screens at a counter, on a private loopback mosquitto with the hub as its own process.

- press → pixels on the window screen (``display --layout window --window w1``): a call button's ``next``
  until the frame that draws the new number has been presented, p50/p99 over 150 presses at random moments
- press → the pad's rating page: the same ``next`` completes the ticket at the counter; until the frame
  that shows the five levels for that ticket, p50/p99 over 150 presses
- memory per role: PSS (``/proc/<pid>/smaps_rollup``) of ``kiosk pad`` and ``kiosk display --layout window``
  as their own processes, connected, after they have drawn the hall

Each screen runs its real loop in this process (one pygame window per process, so one after the other);
a hook sees each presented frame. ``run() -> dict``; as a script prints JSON.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_display import Client, always_open_config, pct, start_hub, wait_for  # noqa: E402

from kiosk.bus.broker import PrivateBroker  # noqa: E402
from kiosk.protocol import Topics  # noqa: E402

CONFIG = REPO / "config" / "huangtan.toml"
TOPICS = Topics("huangtan")
WINDOW = "w1"  # serves category A


def tickets(staff: Client, n: int) -> None:
    for i in range(n):
        staff.publish(TOPICS.request("ticket.issue"), {"txn": f"c{time.monotonic_ns()}-{i}",
                                                       "reply_to": TOPICS.reply("bench-staff"), "category": "A"})


def _presses(runner, staff: Client, presses: int, seen, first_seq: int) -> list[float]:
    """Press ``next`` at random moments; ``seen()`` returns (value, when drawn) of what the screen shows."""
    latencies: list[float] = []
    errors: list[str] = []

    def presser() -> None:
        try:
            wait_for(lambda: seen()[0] is not None, 30, "the screen shows the window")
            rng = random.Random(11)
            for seq in range(first_seq, first_seq + presses):
                time.sleep(rng.uniform(0.03, 0.12))
                before = seen()[0]
                t0 = time.perf_counter()
                staff.publish(TOPICS.press(WINDOW), {"device": "bench-btn", "seq": seq, "action": "next"})
                wait_for(lambda: seen()[0] != before and seen()[1] > t0, 5, "the new picture drawn")
                latencies.append((seen()[1] - t0) * 1000)
        except Exception as exc:
            errors.append(f"{exc} after {len(latencies)} presses")
        finally:
            runner.stop()

    th = threading.Thread(target=presser, daemon=True)
    th.start()
    runner.run(duration=300)
    th.join(5)
    if errors:
        raise RuntimeError(errors[0])
    return latencies


def window_screen(port: int, staff: Client, presses: int) -> dict:
    from zoneinfo import ZoneInfo

    from kiosk.config import load
    from kiosk.display.runtime import Runner, build_app
    from kiosk.display.screen import Hall
    from kiosk.display.settings import DisplaySettings
    cfg = load(CONFIG)
    settings = replace(DisplaySettings(), layout="window", window=WINDOW, size=(1920, 480), fullscreen=False)
    app, screen = build_app(settings=settings, hall=Hall(name=cfg.name, phones=cfg.phones, tz=ZoneInfo(cfg.timezone)),
                            topics=TOPICS, windowed=True)
    runner = Runner(app, screen, settings=settings, topics=TOPICS, device_id="bench-window", host="127.0.0.1",
                    port=port)
    shown: dict = {"number": None, "at": 0.0}

    def on_frame(drew: bool) -> None:
        node = app.top.root.find("ticket-number") if drew and app.top.root else None
        if node is not None and node.runs and node.runs[0].text != shown["number"]:
            shown["number"], shown["at"] = node.runs[0].text, time.perf_counter()

    runner.on_frame = on_frame
    lat = _presses(runner, staff, presses, lambda: (shown["number"], shown["at"]), 1)
    return {"window_press_to_pixels_ms_p50": round(statistics.median(lat), 2),
            "window_press_to_pixels_ms_p99": round(pct(lat, 99), 2), "window_presses": len(lat)}


def pad(port: int, staff: Client, presses: int, first_seq: int) -> dict:
    from zoneinfo import ZoneInfo

    from kiosk.config import load
    from kiosk.pad.runtime import Runner, Sender, build_app
    from kiosk.pad.screen import Counter
    from kiosk.pad.settings import PadSettings
    cfg = load(CONFIG)
    w = cfg.hall.window(WINDOW)
    settings = replace(PadSettings(), fullscreen=False)
    sender = Sender(TOPICS, "bench-pad")
    app, screen = build_app(settings=settings, counter=Counter(id=w.id, number=w.number, name=w.name,
                                                               tz=ZoneInfo(cfg.timezone)),
                            topics=TOPICS, device_id="bench-pad", send=sender, windowed=True)
    runner = Runner(app, screen, settings=settings, topics=TOPICS, device_id="bench-pad", host="127.0.0.1",
                    port=port, sender=sender)
    shown: dict = {"ticket": "", "at": 0.0}

    def on_frame(drew: bool) -> None:
        st = screen.flow.state
        if drew and st.ticket and st.ticket != shown["ticket"] and app.top.root is not None \
                and app.top.root.find("level-5") is not None:
            shown["ticket"], shown["at"] = st.ticket, time.perf_counter()

    runner.loop.on_frame = on_frame
    lat = _presses(runner, staff, presses, lambda: (shown["ticket"] if screen.connected else None, shown["at"]),
                   first_seq)
    return {"pad_press_to_levels_ms_p50": round(statistics.median(lat), 2),
            "pad_press_to_levels_ms_p99": round(pct(lat, 99), 2), "pad_presses": len(lat)}


def pss_mb(args: list[str], seconds: float = 8.0) -> float:
    """PSS of a role as its own process once it has drawn the hall (smaps_rollup: shared pages split)."""
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")
    proc = subprocess.Popen([sys.executable, "-m", "kiosk", *args, "--duration", str(seconds + 10)], cwd=REPO,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(seconds)
        for line in Path(f"/proc/{proc.pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return round(int(line.split()[1]) / 1024, 1)
        raise RuntimeError("no Pss line in smaps_rollup")
    finally:
        proc.terminate()
        proc.wait(10)


def run(presses: int = 150) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        broker = PrivateBroker(Path(tmp) / "broker").start()
        config = always_open_config(Path(tmp))
        hub = start_hub(Path(tmp) / "state", broker.port, config)
        try:
            staff = Client(broker.port, "bench-staff", (TOPICS.status("hub"),))
            wait_for(lambda: TOPICS.status("hub") in staff.got, 30, "hub ready")
            tickets(staff, 2 * presses + 20)
            staff.publish(TOPICS.press(WINDOW), {"device": "bench-btn", "seq": 0, "action": "next"})
            out = {}
            hostport = f"127.0.0.1:{broker.port}"
            out["pad_pss_mb"] = pss_mb(["pad", "--config", str(config), "--broker", hostport, "--window", WINDOW,
                                        "--windowed", "--device-id", "bench-pad-mem"])
            out["window_screen_pss_mb"] = pss_mb(["display", "--config", str(config), "--broker", hostport,
                                                  "--layout", "window", "--window", WINDOW, "--windowed",
                                                  "--device-id", "bench-window-mem"])
            out.update(window_screen(broker.port, staff, presses))
            out.update(pad(broker.port, staff, presses, presses + 1))
            staff.close()
        finally:
            hub.terminate()
            hub.wait(10)
            broker.stop()
    out["targets"] = {"window_press_to_pixels_ms_p99": 50, "pad_press_to_levels_ms_p99": 50, "pss_mb": 60}
    return out


if __name__ == "__main__":
    print(json.dumps(run(), indent=1, ensure_ascii=False))


# rows for docs/performance.md: (dotted key, label, target, check)
ROWS = [
    ("window_press_to_pixels_ms_p50", "press → pixels on the window screen, p50 (ms)", "", None),
    ("window_press_to_pixels_ms_p99", "press → pixels on the window screen, p99 (ms)", "≤ 50", lambda v: v <= 50),
    ("pad_press_to_levels_ms_p50", "press (complete) → the pad's rating page drawn, p50 (ms)", "", None),
    ("pad_press_to_levels_ms_p99", "press (complete) → the pad's rating page drawn, p99 (ms)", "≤ 50",
     lambda v: v <= 50),
    ("pad_pss_mb", "pad PSS (MB)", "≤ 60", lambda v: v <= 60),
    ("window_screen_pss_mb", "window screen PSS (MB)", "≤ 60", lambda v: v <= 60),
]
