"""``kiosk demo`` starts the staff consoles too and prints their address and the demo logins, which work."""

from __future__ import annotations

import re
import signal
import subprocess
import sys

from kiosk.bus.broker import free_port

from ..conftest import REPO
from ..mqtt_helpers import wait_until
from .conftest import login


def test_the_demo_prints_the_consoles_address_and_a_login_that_works(browser, tmp_path):
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "kiosk", "demo", "--no-windows", "--duration", "120",
                             "--web-port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=REPO,
                            text=True)
    lines: list[str] = []
    try:
        def announced():
            line = proc.stdout.readline()
            lines.append(line)
            return re.search(r"staff consoles on (http://\S+)\s+log in as (\S+) .* password (\S+)", line)
        m = wait_until(announced, timeout=60, what=f"the consoles' address in {lines}")
        url, name, password = m.group(1), m.group(2), m.group(3)
        assert url == f"http://127.0.0.1:{port}/" and name == "demo-window"
        ctx = browser.new_context(base_url=url.rstrip("/"))
        page = ctx.new_page()
        def up():
            try:
                return page.goto("/healthz").ok
            except Exception:
                return False
        wait_until(up, timeout=30, what="the demo's web linked to its broker")
        login(page, name, password)
        page.click("#pick-w1")
        page.wait_for_url("**/window/w1")
        assert "1号窗口" in page.inner_text("h1")
        ctx.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
    assert "demo: stopped" in out
