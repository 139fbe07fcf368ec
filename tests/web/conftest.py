"""The staff consoles driven as a person would: a real mosquitto, the real hub, ``kiosk web`` as its own
process on a free 127.0.0.1 port, and Debian's chromium through Playwright (``executable_path``; the
browser Playwright would download is never used).

``web_hall`` gives one running hall per test with helpers to create staff accounts, open a logged-in page,
and record MQTT traffic. Pages are saved as PNGs under test-output/web/ by :func:`shot`.
"""

from __future__ import annotations

import atexit
import os
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from kiosk.bus.broker import PrivateBroker, free_port
from kiosk.config import load
from kiosk.web.accounts import Accounts

from ..conftest import HALL_CONFIG, OUTPUT, REPO, HubProcess, HubThread
from ..mqtt_helpers import Recorder, wait_until
from ..terminal.conftest import live_terminal  # noqa: F401  (the kiosk the desk test talks to)

CHROMIUM = "/usr/bin/chromium"
SHOTS = OUTPUT / "web"
SIZES = {"1920x1080": (1920, 1080), "1280x800": (1280, 800)}
PASSWORD = "hall-pass-2026"


def web_site_toml(broker_port: int, state: Path, web_port: int, extra: str = "") -> str:
    text = HALL_CONFIG.read_text(encoding="utf-8")
    text = text.replace('host = ""\nport = 1883', f'host = "127.0.0.1"\nport = {broker_port}', 1)
    text = text.replace('state_dir = "/var/lib/kiosk"', f'state_dir = "{state}"', 1)
    assert f"port = {broker_port}" in text
    return (text + f'\n[web]\nbind = "127.0.0.1"\nport = {web_port}\nbase_url = "http://127.0.0.1:{web_port}"\n'
            f'lockout_failures = 5\nlockout_minutes = 15\n' + extra +
            '\n[provision]\nweb = ["web"]\nterminals = ["kiosk-1"]\ndisplays = ["display-1"]\n')


class WebProcess(HubProcess):
    """``python -m kiosk web`` as its own process (stopped like the hub's)."""

    def __init__(self, config: Path, log: Path) -> None:
        self.args = [sys.executable, "-m", "kiosk", "web", "--config", str(config)]
        self.log = log
        self.proc: subprocess.Popen | None = None

    def start(self) -> "WebProcess":
        env = dict(os.environ)
        env.pop("NOTIFY_SOCKET", None)
        self.proc = subprocess.Popen(self.args, stdout=open(self.log, "ab"), stderr=subprocess.STDOUT, cwd=REPO,
                                     env=env)
        return self


@dataclass
class WebHall:
    tmp: Path
    broker: PrivateBroker
    config: Path
    web_port: int
    web_state: Path
    hub: HubThread | None = None
    web: WebProcess | None = None
    recorders: list[Recorder] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    @property
    def cfg(self):
        return load(self.config)

    def start(self) -> "WebHall":
        self.hub = HubThread(self.cfg, self.tmp / "state", self.broker.port).start()
        self.web = WebProcess(self.config, self.tmp / "web.log").start()
        wait_until(self.healthy, timeout=30, what=f"kiosk web on {self.url} linked to the broker "
                                                   f"(log: {self.tmp / 'web.log'})")
        return self

    def healthy(self) -> bool:
        if self.web and self.web.proc and self.web.proc.poll() is not None:
            raise AssertionError(f"kiosk web exited: {(self.tmp / 'web.log').read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(self.url + "/healthz", timeout=2) as r:
                return r.read() == b"ok"
        except OSError:
            return False

    def add_staff(self, name: str, role: str, windows: tuple[str, ...] = (), *, full_name: str = "",
                  staff_no: str = "", password: str = PASSWORD) -> None:
        acc = Accounts.in_dir(self.web_state)
        try:
            acc.add(name, password, role=role, windows=windows, full_name=full_name, staff_no=staff_no,
                    now=time.time())
        finally:
            acc.close()

    def audit(self, **kw) -> list[dict]:
        acc = Accounts.in_dir(self.web_state)
        try:
            return acc.audit_log(**kw)
        finally:
            acc.close()

    def recorder(self, *subs: str, device: str | None = None) -> Recorder:
        r = Recorder(self.broker.port, "huangtan", subs, device=device)
        self.recorders.append(r)
        return r

    def stop(self) -> None:
        for r in self.recorders:
            r.close()
        if self.web:
            self.web.stop()
        if self.hub:
            self.hub.stop()


@pytest.fixture
def web_hall(tmp_path):
    broker = PrivateBroker(tmp_path / "broker").start()
    web_port = free_port()
    state = tmp_path / "state"
    config = tmp_path / "site.toml"
    config.write_text(web_site_toml(broker.port, state, web_port), encoding="utf-8")
    hall = WebHall(tmp=tmp_path, broker=broker, config=config, web_port=web_port, web_state=state / "web")
    try:
        yield hall.start()
    finally:
        hall.stop()
        broker.stop()


_BROWSER: dict = {}


@pytest.fixture(scope="session")
def browser():
    """One chromium for the whole run, however many test packages import this fixture (Playwright's sync
    API runs one event loop per thread, so a second instance cannot start beside the first)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (./run installs it)")
    if "browser" not in _BROWSER:
        from playwright.sync_api import sync_playwright
        pw = sync_playwright().start()
        _BROWSER["pw"] = pw
        _BROWSER["browser"] = pw.chromium.launch(executable_path=CHROMIUM,
                                                 args=["--no-sandbox", "--autoplay-policy=no-user-gesture-required"])
        atexit.register(_close_browser)
    return _BROWSER["browser"]


def _close_browser() -> None:
    b, pw = _BROWSER.pop("browser", None), _BROWSER.pop("pw", None)
    if b is not None:
        b.close()
    if pw is not None:
        pw.stop()


@pytest.fixture
def open_page(browser, web_hall):
    """``open_page(size="1280x800")`` → a fresh browser context's page (own cookies) on the hall's web."""
    contexts = []

    def make(size: str = "1920x1080"):
        w, h = SIZES[size]
        ctx = browser.new_context(viewport={"width": w, "height": h}, base_url=web_hall.url, locale="zh-CN")
        ctx.set_default_timeout(15_000)
        contexts.append(ctx)
        return ctx.new_page()

    yield make
    for c in contexts:
        c.close()


def login(page, name: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.fill("#name", name)
    page.fill("#password", password)
    page.click("#login-button")
    page.wait_for_load_state()


def shot(page, name: str) -> Path:
    """Save the page as test-output/web/<name>-<W>x<H>.png and check nothing is wider than the window."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    vp = page.viewport_size
    out = SHOTS / f"{name}-{vp['width']}x{vp['height']}.png"
    page.screenshot(path=str(out), full_page=True)
    overflow = page.evaluate("""() => {
        const bad = [];
        const W = document.documentElement.clientWidth;
        for (const el of document.querySelectorAll('body *')) {
            const r = el.getBoundingClientRect();
            if (r.width && (r.right > W + 1)) bad.push(el.tagName + '#' + el.id + '.' + el.className + ' ' + Math.round(r.right));
            if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX === 'hidden') bad.push('clipped ' + el.tagName);
        }
        return bad.slice(0, 10);
    }""")
    assert not overflow, f"{out.name}: wider than the window: {overflow}"
    orphans = page.evaluate("""() => {  // a paragraph whose last line is one character (and its punctuation)
        const bad = [], punct = /[，。、；：？！）」》”’…·\\s]/;
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
            const text = n.textContent.replace(/\\s+$/, '');
            if (text.length < 4 || !/[\\u3400-\\u9fff]/.test(text) || !n.parentElement.offsetParent) continue;
            let next = n.nextSibling;  // only the end of a paragraph: nothing but space after it in its block
            while (next && !(next.textContent || '').trim()) next = next.nextSibling;
            if (next) continue;
            const top = i => { const r = document.createRange(); r.setStart(n, i); r.setEnd(n, i + 1);
                               const b = r.getClientRects()[0]; return b ? Math.round(b.top) : null; };
            let i = text.length - 1;
            const last = top(i);
            if (last === null || top(0) === last) continue;  // one line
            let kept = 0;
            for (; i >= 0 && top(i) === last; i--) if (!punct.test(text[i])) kept++;
            if (kept === 1) bad.push(text.slice(-12));
        }
        return bad.slice(0, 10);
    }""")
    assert not orphans, f"{out.name}: a paragraph ends on a lone character: {orphans}"
    return out
