"""500 phones watching their tickets: ``kiosk web`` with 500 Server-Sent Event streams open on loopback.

- 500 人社 tickets are taken (one category, so every press at window 3 changes every waiting page); one
  phone page per ticket follows it over SSE, each from its own loopback address (127.1.x.y), as phones on
  the hall Wi-Fi would, so the per-address stream bound does not apply
- press → event: a call button presses 下一位 at window 3; for each open page the time from the press to
  that page's event (its new people-ahead, or the banner for the called one); p50/p99 over every page and
  every press (target p99 ≤ 200 ms)
- the web process while the 500 watch: CPU (% of one core) idle over 10 s and during the presses, RSS and
  PSS (MB)

``run() -> dict``; as a script prints JSON.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import psutil  # noqa: E402

from bench_display import Client, always_open_config, pct, start_hub, wait_for  # noqa: E402

from kiosk.bus.broker import PrivateBroker, free_port  # noqa: E402
from kiosk.protocol import Topics  # noqa: E402

TOPICS = Topics("huangtan")
PAGES = int(os.environ.get("BENCH_PHONE_PAGES", "500"))  # fewer for a quick check of the bench itself
PRESSES = 10
IDLE_S = 10.0

ROWS = [
    ("phone_pages", "phone pages watching over SSE", "500", None),
    ("press_to_page_ms.p50", "press → event on every phone page, p50 (ms)", "", None),
    ("press_to_page_ms.p99", "press → event on every phone page, p99 (ms)", "≤ 200", lambda v: v <= 200),
    ("web_idle_cpu_pct", "kiosk web CPU, 500 pages watching, idle (% of a core)", "", None),
    ("web_press_cpu_pct", "kiosk web CPU during the presses (% of a core)", "", None),
    ("web_rss_mb", "kiosk web RSS with 500 pages watching (MB)", "", None),
    ("web_pss_mb", "kiosk web PSS with 500 pages watching (MB)", "", None),
]


def web_config(folder: Path, broker_port: int, web_port: int) -> Path:
    cfg = always_open_config(folder)
    text = cfg.read_text(encoding="utf-8").replace('host = ""\nport = 1883', f'host = "127.0.0.1"\nport = {broker_port}', 1)
    text += (f'\n[web]\nbind = "127.0.0.1"\nport = {web_port}\nstate_dir = "{folder / "web"}"\n'
             '\n[provision]\nweb = ["web"]\nterminals = ["bench-kiosk"]\n')
    cfg.write_text(text, encoding="utf-8")
    return cfg


class Page:
    """One phone's live page: a raw SSE stream from its own loopback address."""

    def __init__(self, i: int) -> None:
        self.addr = f"127.1.{i // 250}.{i % 250 + 1}"
        self.events: list[float] = []
        self.open = False
        self.closed = False

    async def follow(self, port: int, token: str) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(self.addr, 0))
        writer.write(f"GET /t/{token}/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n".encode())
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        if b" 200 " not in head.split(b"\r\n", 1)[0]:
            raise RuntimeError(f"page {self.addr}: {head[:60]!r}")
        buf = b""
        try:
            while True:
                chunk = await reader.read(65536)
                if not chunk:
                    break
                now = time.perf_counter()
                buf += chunk
                while b"\n\n" in buf:
                    block, buf = buf.split(b"\n\n", 1)
                    if b"following" in block:
                        self.open = True
                    if b"data:" in block:
                        self.events.append(now)
                        if b'"reload": true' in block:  # served: a browser reloads and stops following
                            return
        finally:
            self.closed = True
            writer.close()


async def watch(port: int, tokens: list[str], button: Client, web: psutil.Process) -> dict:
    pages = [Page(i) for i in range(len(tokens))]
    tasks = [asyncio.ensure_future(p.follow(port, t)) for p, t in zip(pages, tokens)]
    end = time.monotonic() + 60
    while not all(p.open for p in pages):
        if time.monotonic() > end or any(t.done() and t.exception() for t in tasks):
            bad = next((t.exception() for t in tasks if t.done() and t.exception()), None)
            raise RuntimeError(f"only {sum(p.open for p in pages)} pages opened: {bad}")
        await asyncio.sleep(0.05)
    web.cpu_percent(None)
    await asyncio.sleep(IDLE_S)
    idle_cpu = web.cpu_percent(None)
    mem = web.memory_full_info()
    latencies: list[float] = []
    firsts: list[float] = []  # per press, the first page's event: the hub's and the link's share
    web.cpu_percent(None)
    t_busy = time.monotonic()
    for n in range(PRESSES):
        watching = [p for p in pages if not p.closed]
        seen = {id(p): len(p.events) for p in watching}
        t0 = time.perf_counter()
        button.publish(TOPICS.press("w3"), {"device": "btn-w3", "seq": n + 1, "action": "next"})
        deadline = time.monotonic() + 10
        while any(len(p.events) == seen[id(p)] and not p.closed for p in watching):
            if time.monotonic() > deadline:
                silent = sum(len(p.events) == seen[id(p)] and not p.closed for p in watching)
                raise RuntimeError(f"press {n}: {silent} pages got nothing")
            await asyncio.sleep(0.005)
        these = [(p.events[seen[id(p)]] - t0) * 1000 for p in watching if len(p.events) > seen[id(p)]]
        latencies += these
        firsts.append(min(these))
        await asyncio.sleep(0.5)  # let the hall settle between presses
    busy_s = time.monotonic() - t_busy
    press_cpu = web.cpu_percent(None)
    for t in tasks:
        t.cancel()
    return {"phone_pages": len(pages), "presses": PRESSES,
            "press_to_page_ms": {"p50": round(pct(latencies, 50), 1), "p99": round(pct(latencies, 99), 1),
                                 "max": round(max(latencies), 1), "samples": len(latencies)},
            "first_page_ms": {"p50": round(pct(firsts, 50), 1), "max": round(max(firsts), 1)},
            "web_idle_cpu_pct": round(idle_cpu, 1), "web_press_cpu_pct": round(press_cpu, 1),
            "press_window_s": round(busy_s, 1),
            "web_rss_mb": round(mem.rss / 2**20, 1), "web_pss_mb": round(getattr(mem, "pss", mem.rss) / 2**20, 1)}


def run() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        broker = PrivateBroker(folder / "broker").start()
        web_port = free_port()
        cfg = web_config(folder, broker.port, web_port)
        hub = start_hub(folder / "state", broker.port, cfg)
        env = dict(os.environ)
        env.pop("NOTIFY_SOCKET", None)
        web = subprocess.Popen([sys.executable, "-m", "kiosk", "web", "--config", str(cfg)], cwd=REPO, env=env,
                               stdout=subprocess.DEVNULL, stderr=open(os.environ.get("BENCH_PHONE_LOG", os.devnull), "w"))
        kiosk = Client(broker.port, "bench-kiosk", (TOPICS.reply("bench-kiosk"), TOPICS.status("hub")))
        button = Client(broker.port, "btn-w3")
        try:
            wait_for(lambda: TOPICS.status("hub") in kiosk.got, 30, "hub ready")
            tokens = []
            for i in range(PAGES):
                kiosk.got.pop(TOPICS.reply("bench-kiosk"), None)
                kiosk.publish(TOPICS.request("ticket.issue"), {"txn": f"p{i}", "reply_to": TOPICS.reply("bench-kiosk"),
                                                               "category": "C"})
                wait_for(lambda: TOPICS.reply("bench-kiosk") in kiosk.got, 10, "ticket.issue")
                tokens.append(json.loads(kiosk.got[TOPICS.reply("bench-kiosk")])["result"]["token"])
            import urllib.request

            def healthy() -> bool:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{web_port}/healthz", timeout=2) as r:
                        return r.read() == b"ok"
                except OSError:
                    return False
            wait_for(healthy, 30, "kiosk web ready")
            return asyncio.run(watch(web_port, tokens, button, psutil.Process(web.pid)))
        finally:
            kiosk.close()
            button.close()
            for p in (web, hub):
                p.terminate()
                try:
                    p.wait(10)
                except subprocess.TimeoutExpired:
                    p.kill()
            broker.stop()


if __name__ == "__main__":
    print(json.dumps(run(), indent=2, ensure_ascii=False))
