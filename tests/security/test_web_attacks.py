"""Attacks on the staff consoles (``kiosk web``).

Over HTTP, against the real web process: a ``by`` smuggled into a form is ignored (the hub is told the
login); a window login cannot act on another window however it posts; a form without its CSRF token is
refused; guessing passwords locks the account and then the address; a tampered, expired or
disabled-account cookie is no session; a window login cannot open the director's pages; text typed into a
page is escaped. On the provisioned broker (ACL written by ``kiosk provision``, the web logged in as its own
``web`` identity, the hub as ``hub``): the web's window command works, and nobody else — a kiosk, the web
the desk's staff tool — can use that path.
"""

from __future__ import annotations

import http.cookiejar
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from kiosk.web import sessions
from kiosk.web.accounts import Accounts

from ..conftest import HALL_CONFIG
from ..mqtt_helpers import wait_until
from ..ops.conftest import PROVISION, ROOT
from ..web.conftest import PASSWORD, WebProcess, login
from ..web.conftest import browser, open_page, web_hall  # noqa: F401  (fixtures)
from .conftest import Device, with_broker_login


class Browser:
    """A scripted client with its own cookie jar (what an attacker's script would be)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect)

    def get(self, path: str) -> tuple[int, str]:
        return self._open(urllib.request.Request(self.base + path))

    def post(self, path: str, fields: dict[str, str], headers: dict[str, str] | None = None) -> tuple[int, str]:
        data = urllib.parse.urlencode(fields).encode()
        return self._open(urllib.request.Request(self.base + path, data=data, method="POST", headers=headers or {}))

    def _open(self, req) -> tuple[int, str]:
        try:
            with self.opener.open(req, timeout=10) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def csrf(self, path: str = "/login") -> str:
        _, html = self.get(path)
        return re.search(r'name="csrf" value="([^"]+)"', html).group(1)

    def login(self, name: str, password: str = PASSWORD) -> int:
        return self.post("/login", {"csrf": self.csrf(), "name": name, "password": password, "next": "/"})[0]

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.jar if c.name == name), None)

    def set_cookie(self, name: str, value: str) -> None:
        for c in list(self.jar):
            if c.name == name:
                self.jar.clear(c.domain, c.path, c.name)
        self.jar.set_cookie(http.cookiejar.Cookie(0, name, value, None, False, "127.0.0.1", False, False, "/",
                                                  True, False, None, False, None, None, {}))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **kw):
        return None


def _secret(web_hall) -> bytes:
    acc = Accounts.in_dir(web_hall.web_state)
    try:
        return acc.secret()
    finally:
        acc.close()


def test_a_by_in_the_form_is_ignored_and_other_windows_are_refused(web_hall):
    web_hall.add_staff("wangfang", "window", ("w3",))
    rec = web_hall.recorder("window/w3/state", "window/w5/state", device="kiosk-1")
    rec.call("ticket.issue", category="C")
    b = Browser(web_hall.url)
    assert b.login("wangfang") == 303
    token = b.csrf("/window/w3")
    status, _ = b.post("/window/w3/act", {"csrf": token, "action": "next", "by": "director-li"})
    assert status == 200
    rec.wait_for("window/w3/state", lambda m: m.get("ticket") is not None)
    log = (web_hall.tmp / "web.log").read_text()
    assert "window_next w3" in log
    audit = web_hall.audit(who="wangfang", action="window_next")
    assert audit and "director-li" not in str(audit)
    # the other window, by every door: the page, the action, going on duty, an action the hub lacks
    for path, fields in (("/window/w5/act", {"action": "next"}), ("/window/w5/duty", {}),
                         ("/window/w1/act", {"action": "call", "ticket": "C001"})):
        assert b.post(path, {"csrf": token, **fields})[0] == 403, path
    assert b.get("/window/w5")[0] == 403
    assert b.post("/window/w3/act", {"csrf": token, "action": "open"})[0] == 400  # only the button opens
    assert (rec.last("window/w5/state") or {}).get("ticket") is None


def test_no_csrf_token_no_action(web_hall):
    web_hall.add_staff("wangfang", "window", ("w3",))
    b = Browser(web_hall.url)
    assert b.login("wangfang") == 303
    for token in (None, "", "forged", sessions.csrf_token(b"guessed key", "x")):
        fields = {"action": "next"} | ({"csrf": token} if token is not None else {})
        assert b.post("/window/w3/act", fields)[0] == 403
    # the token of another session does not fit this one
    other = Browser(web_hall.url)
    assert other.login("wangfang") == 303
    assert b.post("/window/w3/act", {"csrf": other.csrf("/window/w3"), "action": "next"})[0] == 403
    assert len(web_hall.audit(action="csrf_refused")) == 5


def test_brute_force_locks_the_account_then_the_address(web_hall):
    web_hall.add_staff("lina", "director")
    b = Browser(web_hall.url)
    codes = [b.login("lina", f"guess-{i}") for i in range(5)]
    assert codes == [401, 401, 401, 401, 403]  # the fifth wrong one locks
    assert b.login("lina") == 403  # locked: even the right password
    for i in range(14):  # other names from the same address
        b.login(f"user{i}", "guess")
    assert b.post("/login", {"csrf": b.csrf(), "name": "lina", "password": PASSWORD})[0] == 429
    assert web_hall.audit(action="login_throttled")


def test_forged_expired_and_revoked_cookies_are_no_session(web_hall):
    web_hall.add_staff("wangfang", "window", ("w3",))
    web_hall.add_staff("lina", "director")
    b = Browser(web_hall.url)
    assert b.login("wangfang") == 303
    good = b.cookie(sessions.COOKIE)
    payload, sig = good.split(".")
    forged = sessions._b64(sessions._unb64(payload).replace(b'"wangfang"', b'"lina"')) + "." + sig
    b.set_cookie(sessions.COOKIE, forged)
    assert b.get("/director/hall")[0] == 303  # to the login page
    cookie, _ = sessions.issue(b"not the hall's key", name="lina", version=1, now=time.time(), hours=1)
    b.set_cookie(sessions.COOKIE, cookie)
    assert b.get("/director/hall")[0] == 303
    cookie, _ = sessions.issue(_secret(web_hall), name="lina", version=1, now=time.time() - 7200, hours=1)
    b.set_cookie(sessions.COOKIE, cookie)  # signed right, but expired an hour ago
    assert b.get("/director/hall")[0] == 303
    b.set_cookie(sessions.COOKIE, good)
    assert b.get("/window/w3")[0] == 200
    assert b.get("/director/hall")[0] == 403  # a window login is not a director
    acc = Accounts.in_dir(web_hall.web_state)
    try:
        acc.set_disabled("wangfang")
    finally:
        acc.close()
    assert b.get("/window/w3")[0] == 303  # disabling ends the session already given out


def test_what_staff_type_is_escaped(web_hall, open_page):
    web_hall.add_staff("lina", "director")
    page = open_page()
    login(page, "lina")
    page.goto("/director/content")
    page.fill("#content-id", "x1")
    page.fill("#content-title", "<img src=x onerror=alert(1)>")
    page.fill("#content-body", "<script>document.title='owned'</script>")
    page.click("#content-preview")
    page.wait_for_selector("#preview")
    assert page.title() != "owned" and page.locator("#preview img").count() == 0
    assert "<script>" in page.inner_text("#preview")


# ---- on the provisioned broker ------------------------------------------------------------------------------
@pytest.fixture
def site_toml(tmp_path) -> Path:
    p = tmp_path / "site.toml"
    p.write_text(HALL_CONFIG.read_text(encoding="utf-8") + PROVISION + 'web = ["web"]\n', encoding="utf-8")
    return p


def test_on_the_provisioned_broker_only_the_web_uses_window_commands(real_hub, hall_broker, provisioned, site_toml,
                                                                      as_device, tmp_path, browser):
    from kiosk.bus.broker import free_port
    web_port = free_port()
    conf = with_broker_login(site_toml, provisioned.out, "web")
    conf.write_text(conf.read_text(encoding="utf-8").replace('host = ""', '') .replace(
        "[broker]\n", f'[broker]\nhost = "127.0.0.1"\nport = {hall_broker.port}\n', 1) +
        f'\n[web]\nbind = "127.0.0.1"\nport = {web_port}\nstate_dir = "{tmp_path / "web"}"\n', encoding="utf-8")
    web = WebProcess(conf, tmp_path / "web.log").start()
    try:
        wait_until(lambda: _healthy(web_port, web, tmp_path), 30, "the provisioned web online")
        acc = Accounts(tmp_path / "web" / "web.sqlite3")
        acc.add("wangfang", PASSWORD, role="window", windows=("w3",), now=time.time())
        acc.close()
        kiosk = Device(as_device("kiosk-1"), "kiosk-1")
        assert kiosk.call("ticket.issue", category="C")["ok"]
        watcher = as_device("staff-monitor")
        watcher.subscribe(ROOT + "window/w3/state")

        # a kiosk may not use the web's path: the broker drops it (no write ACL), the hub never answers
        txn = kiosk.request("window.command", window="w3", action="next", by="wangfang")
        with pytest.raises(AssertionError):
            kiosk.reply(txn, timeout=2)
        # nor may the desk's staff tool (a desk role acts on no window)
        desk = Device(as_device("staff-desk"), "staff-desk")
        txn = desk.request("window.command", window="w3", action="next", by="zhangwei")
        with pytest.raises(AssertionError):
            desk.reply(txn, timeout=2)

        ctx = browser.new_context(base_url=f"http://127.0.0.1:{web_port}")
        page = ctx.new_page()
        login(page, "wangfang")
        page.click("#pick-w3")
        page.wait_for_url("**/window/w3")
        page.click("#act-next")
        page.wait_for_selector("#flash.good")
        ctx.close()
        import json
        states = [json.loads(p) for p in watcher.got(ROOT + "window/w3/state") if p]
        assert states[-1]["ticket"]["number"] == "C001"
        assert sum(1 for s in states if s.get("ticket")) >= 1
        hub_log = (tmp_path / "hub.log").read_text()
        assert "window w3: next by wangfang (web)" in hub_log
    finally:
        web.stop()


def _healthy(port: int, web: WebProcess, tmp: Path) -> bool:
    if web.proc.poll() is not None:
        raise AssertionError((tmp / "web.log").read_text()[-2000:])
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
            return r.read() == b"ok"
    except OSError:
        return False
