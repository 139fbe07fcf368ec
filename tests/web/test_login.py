"""Logging in through the real browser: the role's console opens, wrong passwords lock the account, a form
without its CSRF token is refused, and every attempt is in the audit log."""

from __future__ import annotations

import urllib.error
import urllib.request

from .conftest import PASSWORD, login, shot


def test_login_opens_the_roles_console_and_logout_ends_it(web_hall, open_page):
    web_hall.add_staff("zhangwei", "desk", full_name="张伟")
    page = open_page()
    page.goto("/desk")
    assert page.url.endswith("/login?next=/desk")
    shot(page, "login")
    login(page, "zhangwei")
    assert page.url.endswith("/desk")
    assert "张伟" in page.inner_text("header")
    page.click("text=退出")
    page.wait_for_url("**/login")
    page.goto("/desk")
    assert "/login" in page.url
    actions = [e["action"] for e in web_hall.audit(who="zhangwei")]
    assert "login" in actions and "logout" in actions


def test_wrong_passwords_lock_the_account_even_for_the_right_one(web_hall, open_page):
    web_hall.add_staff("lina", "director")
    page = open_page("1280x800")
    for i in range(4):
        login(page, "lina", "not-the-password")
        assert page.inner_text("#login-error") == "用户名或密码错误"
    login(page, "lina", "not-the-password")
    error = page.inner_text("#login-error")
    # who can help: the web cannot unlock (`kiosk staff passwd` can), so not "the director", who is locked here
    assert "已暂时锁定" in error and "技术人员重设密码" in error and "主任" not in error, error
    lines = page.evaluate("""() => {  // the minutes and their unit on one line, also in this narrow box
        const node = document.querySelector('#login-error').firstChild;
        const at = node.textContent.indexOf('15');
        const r = document.createRange();
        r.setStart(node, at); r.setEnd(node, at + 5);
        return new Set(Array.from(r.getClientRects(), x => Math.round(x.top))).size;
    }""")
    assert lines == 1
    shot(page, "login-locked")
    login(page, "lina", PASSWORD)  # the right password, but locked
    assert "/login" in page.url and "已暂时锁定" in page.inner_text("#login-error")
    fails = [e for e in web_hall.audit(who="-", action="login_failed")]
    assert [e["detail"]["reason"] for e in fails][:2] == ["locked", "locked"]
    assert len(fails) == 6


def test_a_form_without_its_csrf_token_is_refused(web_hall, open_page):
    web_hall.add_staff("wangfang", "window", ("w3",))
    page = open_page()
    login(page, "wangfang")
    # the same logged-in browser posts the logout form with a forged token: refused, still logged in
    status = page.evaluate("""async () => {
        const r = await fetch('/logout', {method: 'POST', body: new URLSearchParams({csrf: 'forged'})});
        return r.status; }""")
    assert status == 403
    page.goto("/window")
    assert "/login" not in page.url
    assert any(e["action"] == "csrf_refused" for e in web_hall.audit(who="wangfang"))
    # and a login form posted from elsewhere (no anonymous cookie, no token) is refused too
    req = urllib.request.Request(web_hall.url + "/login", data=f"name=wangfang&password={PASSWORD}".encode(),
                                 method="POST")
    try:
        urllib.request.urlopen(req, timeout=5)
        raise AssertionError("a login without a CSRF token was accepted")
    except urllib.error.HTTPError as exc:
        assert exc.code == 403
