"""Display benchmarks on a private loopback mosquitto with the hub as its own process.

- press → pixels: a call button's ``next`` press until the frame that draws the new number on the
  board has been presented (hub + broker + display; the display runs its real loop in this process and
  a hook sees each presented frame), p50/p99 over 200 presses at random moments
- 1080p frame render: median time of a full redraw of a busy board (9 windows, 30 waiting, notices),
  and of a ticker step (re-layout from cache + full redraw)
- idle CPU (% of one core over 10 s) and RSS of ``kiosk display`` as its own process, connected, with
  the ticker scrolling and nothing being called

``run() -> dict``; as a script prints JSON.
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
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import paho.mqtt.client as mqtt  # noqa: E402
import psutil  # noqa: E402
from paho.mqtt.enums import CallbackAPIVersion  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from kiosk.bus.broker import PrivateBroker  # noqa: E402
from kiosk.protocol import Topics, encode  # noqa: E402
from kiosk.demo import busy_hall as scene  # noqa: E402

CONFIG = REPO / "config" / "huangtan.toml"
TOPICS = Topics("huangtan")


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(q / 100 * (len(s) - 1))))]


def wait_for(pred, timeout: float, what: str) -> None:
    end = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > end:
            raise RuntimeError(f"timed out: {what}")
        time.sleep(0.01)


class Client:
    def __init__(self, port: int, name: str, subs: tuple[str, ...] = ()) -> None:
        self.c = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2, client_id=name, protocol=mqtt.MQTTv311)
        self.ready = threading.Event()
        self.got: dict[str, bytes] = {}
        self.c.on_connect = lambda c, u, f, rc, p: ([c.subscribe(s, qos=1) for s in subs], self.ready.set())
        self.c.on_message = lambda c, u, m: self.got.__setitem__(m.topic, bytes(m.payload))
        self.c.connect("127.0.0.1", port)
        self.c.loop_start()
        self.ready.wait(10)

    def publish(self, topic: str, body: dict | bytes, retain: bool = False) -> None:
        payload = body if isinstance(body, bytes) else encode(body)
        self.c.publish(topic, payload, qos=1, retain=retain).wait_for_publish(10)

    def close(self) -> None:
        self.c.disconnect()
        self.c.loop_stop()


def always_open_config(folder: Path) -> Path:
    """The real hall without office hours, so the benchmark does not depend on when it runs."""
    out = folder / "site.toml"
    text = CONFIG.read_text(encoding="utf-8").replace(
        "[hub]\n", f'[hub]\ncalendar = ""\ncatalog_dir = "{REPO / "config" / "catalog"}"\n', 1)
    out.write_text(text, encoding="utf-8")
    return out


def start_hub(state: Path, port: int, config: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "kiosk", "hub", "--config", str(config), "--state", str(state),
                             "--broker", f"127.0.0.1:{port}", "--no-advertise"], cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def prepare_hall(port: int, tickets: int) -> Client:
    """Tickets waiting, notices published (so the ticker scrolls as it would in the hall)."""
    c = Client(port, "bench-staff", (TOPICS.status("hub"),))
    wait_for(lambda: TOPICS.status("hub") in c.got, 20, "hub ready")
    for i in range(tickets):
        c.publish(TOPICS.request("ticket.issue"), {"txn": f"b{i}", "reply_to": TOPICS.reply("bench-staff"),
                                                   "category": "A"})
    for pid, page in scene.content_pages(time.time()).items():
        if page["kind"] == "notice":
            c.publish(TOPICS.content(pid), page, retain=True)
    return c


def press_to_pixels(port: int, staff: Client, presses: int) -> dict:
    from zoneinfo import ZoneInfo

    from kiosk.config import load
    from kiosk.display.runtime import Runner, build_app
    from kiosk.display.screen import Hall
    from kiosk.display.settings import DisplaySettings
    cfg = load(CONFIG)
    settings = DisplaySettings(fullscreen=False)
    app, screen = build_app(settings=settings, hall=Hall(name=cfg.name, phones=cfg.phones, tz=ZoneInfo(cfg.timezone)),
                            topics=TOPICS, windowed=True)
    runner = Runner(app, screen, settings=settings, topics=TOPICS, device_id="bench-display", host="127.0.0.1",
                    port=port)
    shown = {"number": None, "at": 0.0}

    def on_frame(drew: bool) -> None:
        if drew:
            node = app.top.root.find("call-number") if app.top.root else None
            if node is not None and node.runs:
                if node.runs[0].text != shown["number"]:
                    shown["number"], shown["at"] = node.runs[0].text, time.perf_counter()

    runner.on_frame = on_frame
    arrivals: list[float] = []  # when each board message reached the display's inbox (paho thread)
    put = app.inbox.put

    def timed_put(item, *a, **kw):
        if getattr(item, "topic", "") == TOPICS.board:
            arrivals.append(time.perf_counter())
        put(item, *a, **kw)

    app.inbox.put = timed_put  # type: ignore[method-assign]
    latencies: list[float] = []
    display_part: list[float] = []
    errors: list[str] = []

    def presser() -> None:
        try:
            wait_for(lambda: screen.state.has_data, 20, "display has the board")
            rng = random.Random(7)
            for seq in range(1, presses + 1):
                time.sleep(rng.uniform(0.03, 0.12))  # land at random phases of the frame clock
                before = shown["number"]
                t0 = time.perf_counter()
                staff.publish(TOPICS.press("w1"), {"device": "bench-btn", "seq": seq, "action": "next"})
                wait_for(lambda: shown["number"] != before and shown["at"] > t0, 5, "new number drawn")
                latencies.append((shown["at"] - t0) * 1000)
                got = [a for a in arrivals if a > t0]
                if got:
                    display_part.append((shown["at"] - got[0]) * 1000)
        except Exception as exc:  # reported in the result, never hangs the benchmark
            errors.append(f"{exc} after {len(latencies)} presses; shown {shown}; latest {screen.state.latest()}")
        finally:
            runner.stop()

    th = threading.Thread(target=presser, daemon=True)
    th.start()
    runner.run(duration=300)
    th.join(5)
    if errors:
        raise RuntimeError(errors[0])
    return {"press_to_pixels_ms_p50": round(statistics.median(latencies), 2),
            "press_to_pixels_ms_p99": round(pct(latencies, 99), 2),
            "press_to_pixels_ms_max": round(max(latencies), 2), "presses": len(latencies),
            "board_in_inbox_to_pixels_ms_p50": round(statistics.median(display_part), 2),
            "board_in_inbox_to_pixels_ms_p99": round(pct(display_part, 99), 2)}


def frame_render() -> dict:
    from kiosk.demo.busy_hall import feed, make_pilot
    pilot, screen, _ = make_pilot()
    with pilot:
        feed(pilot, scene.messages(TOPICS))
        pilot.advance(8)  # past the flash
        app = pilot.app
        full = []
        for _ in range(200):
            app.dirty = True
            t = time.perf_counter()
            app.render()
            full.append((time.perf_counter() - t) * 1000)
        steps = []
        while len(steps) < 100:
            t = time.perf_counter()
            pilot.clock.advance(1 / app.display_config.fps)
            drew = app.step()
            dt = (time.perf_counter() - t) * 1000
            if drew:
                steps.append(dt)
        rebuild = []
        for _ in range(50):
            screen.invalidate()
            t = time.perf_counter()
            pilot.clock.advance(0.001)
            app.step()
            rebuild.append((time.perf_counter() - t) * 1000)
    return {"frame_1080p_ms_median": round(statistics.median(full), 2),
            "ticker_step_frame_ms_median": round(statistics.median(steps), 2),
            "rebuild_frame_ms_median": round(statistics.median(rebuild), 2)}


def idle_process(port: int, seconds: float = 10.0) -> dict:
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")
    proc = subprocess.Popen([sys.executable, "-m", "kiosk", "display", "--config", str(CONFIG), "--broker",
                             f"127.0.0.1:{port}", "--windowed", "--window-scale", "1", "--no-speech",
                             "--device-id", "bench-idle", "--duration", str(seconds + 8)], cwd=REPO, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        p = psutil.Process(proc.pid)
        time.sleep(5)  # connected, retained state drawn, caches warm
        c0, t0 = p.cpu_times(), time.monotonic()
        time.sleep(seconds)
        c1, t1 = p.cpu_times(), time.monotonic()
        rss = p.memory_info().rss / 2**20
        cpu = (c1.user + c1.system - c0.user - c0.system) / (t1 - t0) * 100
    finally:
        proc.terminate()
        proc.wait(10)
    return {"idle_cpu_percent_of_core": round(cpu, 2), "rss_mb": round(rss, 1)}


def run(presses: int = 200) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        broker = PrivateBroker(Path(tmp) / "broker").start()
        hub = start_hub(Path(tmp) / "state", broker.port, always_open_config(Path(tmp)))
        try:
            staff = prepare_hall(broker.port, tickets=presses + 50)
            out = {}
            out.update(idle_process(broker.port))
            out.update(press_to_pixels(broker.port, staff, presses))
            staff.close()
            out.update(frame_render())
        finally:
            hub.terminate()
            hub.wait(10)
            broker.stop()
    out["targets"] = {"press_to_pixels_ms_p99": 50, "idle_cpu_percent_of_core": 2, "frame_1080p_ms_median": 4,
                      "rss_mb": 120}
    return out


if __name__ == "__main__":
    print(json.dumps(run(), indent=1, ensure_ascii=False))


# rows for docs/performance.md: (dotted key, label, target, check)
ROWS = [
    ("press_to_pixels_ms_p50", "press → pixels of the call on the board, p50 (ms)", "", None),
    ("press_to_pixels_ms_p99", "press → pixels of the call on the board, p99 (ms)", "≤ 50", lambda v: v <= 50),
    ("idle_cpu_percent_of_core", "display idle CPU, ticker running (% of a core)", "≤ 2", lambda v: v <= 2),
    ("frame_1080p_ms_median", "display full 1080p frame (ms)", "≤ 4", lambda v: v <= 4),
    ("rss_mb", "display RSS (MB)", "≤ 120", lambda v: v <= 120),
]
