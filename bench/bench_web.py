"""The staff consoles (``kiosk web``) on a private loopback mosquitto, the hub and the web each as their own
process, driven by Debian's chromium through Playwright:

- click 下一位 → retained window state: a window login clicks the button on its page (the button's own click,
  dispatched in the page: Playwright's mouse click adds its actionability checks, ~100 ms, which no person's
  click has); from the click until a separate MQTT subscriber receives the window's retained
  ``window/<w>/state`` with the new ticket, p50/p99 over 120 clicks 0.3–0.8 s apart (every one calls a new
  visitor), target p99 ≤ 100 ms
- memory: PSS (``/proc/<pid>/smaps_rollup``) of the ``kiosk web`` process after those clicks, with the window
  page, a desk page and a director page open (three live SSE streams), target ≤ 80 MB

``run() -> dict``; as a script prints JSON.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import paho.mqtt.client as mqtt  # noqa: E402
from paho.mqtt.enums import CallbackAPIVersion  # noqa: E402

from bench_display import always_open_config, pct, start_hub, wait_for  # noqa: E402

from kiosk.bus.broker import PrivateBroker, free_port  # noqa: E402
from kiosk.protocol import Topics, encode  # noqa: E402
from kiosk.web.accounts import Accounts  # noqa: E402

TOPICS = Topics("huangtan")
WINDOW = "w1"  # serves category A
PASSWORD = "bench-pass-1"
CHROMIUM = "/usr/bin/chromium"


class StateWatch:
    """Arrival time of every retained window state, by the ticket number it shows."""

    def __init__(self, port: int) -> None:
        self.seen: dict[str, float] = {}
        self.states = 0  # the hub publishes every window's state once it is ready
        self.cond = threading.Condition()
        self.c = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2, client_id="bench-web-watch",
                             protocol=mqtt.MQTTv311)
        self.c.on_connect = lambda c, u, f, rc, p: c.subscribe(TOPICS.window_state(WINDOW), qos=1)
        self.c.on_message = self._on
        self.c.connect("127.0.0.1", port)
        self.c.loop_start()

    def _on(self, c, u, m) -> None:
        t = time.perf_counter()
        try:
            number = ((json.loads(m.payload) or {}).get("ticket") or {}).get("number")
        except ValueError:
            return
        with self.cond:
            self.states += 1
            if number and number not in self.seen:
                self.seen[number] = t
            self.cond.notify_all()

    def wait(self, number: str, timeout: float = 10.0) -> float:
        end = time.monotonic() + timeout
        with self.cond:
            while number not in self.seen:
                if not self.cond.wait(max(0.0, end - time.monotonic())) and time.monotonic() > end:
                    raise RuntimeError(f"no window state with {number}")
            return self.seen[number]

    def close(self) -> None:
        self.c.disconnect()
        self.c.loop_stop()


def issue(port: int, n: int) -> None:
    c = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2, client_id="bench-web-kiosk",
                    protocol=mqtt.MQTTv311)
    c.connect("127.0.0.1", port)
    c.loop_start()
    for i in range(n):
        c.publish(TOPICS.request("ticket.issue"), encode({"txn": f"w{time.monotonic_ns()}-{i}",
                                                         "reply_to": TOPICS.reply("bench-web-kiosk"),
                                                         "category": "A"}), qos=1).wait_for_publish(10)
    c.disconnect()
    c.loop_stop()


def pss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return round(int(line.split()[1]) / 1024, 1)
    raise RuntimeError("no Pss line in smaps_rollup")


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/healthz", timeout=2) as r:
            return r.read() == b"ok"
    except OSError:
        return False


def _login(page, name: str) -> None:
    page.goto("/login")
    page.fill("#name", name)
    page.fill("#password", PASSWORD)
    page.click("#login-button")
    page.wait_for_load_state()


def run(clicks: int = 120) -> dict:
    from playwright.sync_api import sync_playwright
    out: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        broker = PrivateBroker(tmp_path / "broker").start()
        config = always_open_config(tmp_path)
        web_port = free_port()
        config.write_text(config.read_text(encoding="utf-8").replace('host = ""\nport = 1883',
                                                                     f'host = "127.0.0.1"\nport = {broker.port}', 1)
                          + f'\n[web]\nbind = "127.0.0.1"\nport = {web_port}\nstate_dir = "{tmp_path / "web"}"\n',
                          encoding="utf-8")
        acc = Accounts.in_dir(tmp_path / "web")
        for name, role, windows in (("bench-window", "window", (WINDOW,)), ("bench-desk", "desk", ()),
                                    ("bench-director", "director", ())):
            acc.add(name, PASSWORD, role=role, windows=windows, now=time.time())
        acc.close()
        hub = start_hub(tmp_path / "state", broker.port, config)
        web = subprocess.Popen([sys.executable, "-m", "kiosk", "web", "--config", str(config)], cwd=REPO,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{web_port}"
        watch = StateWatch(broker.port)
        try:
            wait_for(lambda: _healthy(url), 30, "kiosk web linked")
            wait_for(lambda: watch.states > 0, 30, "the hub ready")
            issue(broker.port, clicks + 5)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
                pages = []
                for name in ("bench-window", "bench-desk", "bench-director"):
                    ctx = browser.new_context(base_url=url, viewport={"width": 1280, "height": 800})
                    page = ctx.new_page()
                    _login(page, name)
                    pages.append(page)
                page = pages[0]
                page.click(f"#pick-{WINDOW}")
                page.wait_for_url(f"**/window/{WINDOW}")
                wait_for(lambda: page.reload() and page.locator("#waiting-count").inner_text() == str(clicks + 5), 30,
                         "all tickets waiting")
                latencies = []
                rng = random.Random(16)
                for i in range(1, clicks + 1):
                    time.sleep(rng.uniform(0.3, 0.8))  # a person between two clicks; the page settles
                    number = f"A{i:03d}"
                    with page.expect_response(lambda r: r.url.endswith("/act")):
                        t0 = time.perf_counter()
                        page.evaluate("document.getElementById('act-next').click()")
                        t1 = watch.wait(number)
                    latencies.append((t1 - t0) * 1000)
                out["click_to_state_ms_p50"] = round(pct(latencies, 50), 1)
                out["click_to_state_ms_p99"] = round(pct(latencies, 99), 1)
                out["clicks"] = clicks
                out["web_pss_mb"] = pss_mb(web.pid)
                browser.close()
        finally:
            watch.close()
            for proc in (web, hub):
                proc.terminate()
                proc.wait(10)
            broker.stop()
    out["targets"] = {"click_to_state_ms_p99": 100, "web_pss_mb": 80}
    return out


if __name__ == "__main__":
    print(json.dumps(run(), indent=1, ensure_ascii=False))


# rows for docs/performance.md: (dotted key, label, target, check)
ROWS = [
    ("click_to_state_ms_p50", "web: click 下一位 → retained window state, p50 (ms)", "", None),
    ("click_to_state_ms_p99", "web: click 下一位 → retained window state, p99 (ms)", "≤ 100", lambda v: v <= 100),
    ("web_pss_mb", "kiosk web PSS, three consoles open (MB)", "≤ 80", lambda v: v <= 80),
]
