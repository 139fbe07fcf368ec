"""窗口 in the browser: pick your window (who is on duty is published), press 下一位 and the window's retained
state changes on the bus; the F-keys press too; a login assigned to w3 is refused on w5, by the page and by
a forged post alike; logging out clears the window's staff."""

from __future__ import annotations

from playwright.sync_api import expect

from .conftest import login, shot


def _issue(rec, category: str, n: int) -> list[str]:
    return [rec.call("ticket.issue", category=category, timeout=15)["result"]["number"] for _ in range(n)]


def test_window_staff_calls_the_next_visitor_and_the_state_changes(web_hall, open_page):
    web_hall.add_staff("wangfang", "window", ("w3",), full_name="王芳", staff_no="HT0307")
    rec = web_hall.recorder("window/w3/state", "window/w3/staff", "call", device="kiosk-1")
    first, second, third = _issue(rec, "C", 3)
    page = open_page("1280x800")
    login(page, "wangfang")
    assert page.url.endswith("/window")
    shot(page, "window-pick")
    page.click("#pick-w3")
    page.wait_for_url("**/window/w3")
    staff = rec.wait_for("window/w3/staff", lambda m: (m.get("staff") or {}).get("name") == "王芳")
    assert staff["staff"]["staff_no"] == "HT0307"
    assert page.inner_text("#current-number") == "暂无"

    page.click("#act-next")
    state = rec.wait_for("window/w3/state", lambda m: (m.get("ticket") or {}).get("number") == first)
    assert state["ticket"]["state"] == "called"
    assert rec.wait_for("call", lambda m: m.get("number") == first)["window"] == "w3"
    expect(page.locator("#current-number")).to_have_text(first)
    assert "下一位 · 已执行" in page.inner_text("#flash")
    shot(page, "window")

    page.keyboard.press("F5")  # 办结
    rec.wait_for("window/w3/state", lambda m: m.get("served") == 1 and m.get("ticket") is None)
    page.keyboard.press("Numpad1")  # 下一位 from the numeric pad
    rec.wait_for("window/w3/state", lambda m: (m.get("ticket") or {}).get("number") == second)
    expect(page.locator("#current-number")).to_have_text(second)
    assert page.inner_text("#served") == "1"

    page.select_option("select[name=reason]", "临时会议")
    page.click("#act-pause")
    rec.wait_for("window/w3/state", lambda m: m.get("status") == "paused" and m.get("reason") == "临时会议")
    page.click("#act-next")  # refused by the hub while paused: said so, nothing changes
    page.wait_for_selector("#flash.bad")
    assert "未执行" in page.inner_text("#flash")
    page.click("#act-resume")
    rec.wait_for("window/w3/state", lambda m: m.get("status") == "open")

    # 转移 the visitor at the counter to 综合业务 (E), then 呼叫指定号 the third one
    page.select_option("select[name=target]", "c:E")
    page.click("#act-transfer")
    rec.wait_for("window/w3/state", lambda m: m.get("ticket") is None and m.get("status") == "open")
    page.fill("#call-ticket", third.lower())
    page.click("#act-call")
    rec.wait_for("window/w3/state", lambda m: (m.get("ticket") or {}).get("number") == third)
    page.fill("#call-ticket", "C999")
    page.click("#act-call")
    page.wait_for_selector("#flash.bad")
    assert "C999" in page.inner_text("#flash")

    audit = web_hall.audit(who="wangfang")
    acted = [(e["action"], e["target"]) for e in audit]
    assert ("window_next", "w3") in acted and ("window_complete", "w3") in acted and ("window_on_duty", "w3") in acted
    assert any(e["action"] == "window_next" and e["detail"].get("refused") == "window_not_open" for e in audit)

    page.click("text=退出")
    page.wait_for_url("**/login")
    rec.wait_for("window/w3/staff", lambda m: m.get("staff") is None)


def test_a_window_user_is_refused_on_another_window(web_hall, open_page):
    web_hall.add_staff("wangfang", "window", ("w3",))
    rec = web_hall.recorder("window/w5/state", device="kiosk-1")
    _issue(rec, "E", 1)
    before = rec.wait_for("window/w5/state", lambda m: m.get("waiting") == 1)
    page = open_page()
    login(page, "wangfang")
    page.goto("/window/w5")
    assert "您未被分配到该窗口" in page.inner_text("#message")
    assert page.evaluate("document.title") and page.locator("#act-next").count() == 0
    # a hand-made post with the session's own valid CSRF token: still refused, nothing called
    csrf = page.evaluate("document.body.dataset.csrf")
    status = page.evaluate("""async (csrf) => {
        const r = await fetch('/window/w5/act', {method: 'POST', headers: {'X-CSRF-Token': csrf},
                                                  body: new URLSearchParams({action: 'next'})});
        return r.status; }""", csrf)
    assert status == 403
    status = page.evaluate("""async (csrf) => {
        const r = await fetch('/window/w5/duty', {method: 'POST', headers: {'X-CSRF-Token': csrf}});
        return r.status; }""", csrf)
    assert status == 403
    assert rec.last("window/w5/state")["ticket"] is None and rec.last("window/w5/state") == before
    refused = [e for e in web_hall.audit(who="wangfang", action="window_refused")]
    assert {e["target"] for e in refused} == {"w5"} and len(refused) == 3
    # and a desk login cannot open the window page at all
    web_hall.add_staff("zhangwei", "desk")
    other = open_page()
    login(other, "zhangwei")
    other.goto("/window/w3")
    assert "没有此页面的权限" in other.inner_text("#message")
