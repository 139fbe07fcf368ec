"""Press de-duplication is keyed by (window, device, seq): a press on one window's topic that names
another window's button cannot use up that button's sequence number."""

from __future__ import annotations

from tests.conftest import own_store
from tests.mqtt_helpers import wait_until


def _calling(hub, window: str):
    return hub.queue.state.windows[window].current


def test_a_press_on_another_window_does_not_silence_the_real_button(hub, recorder):
    kiosk = recorder()
    for _ in range(2):
        assert kiosk.call("ticket.issue", category="C")["ok"]  # windows w3, w5 and w6 serve C
    attacker = recorder("hub/error")
    attacker.press("w3", "next", seq=1, device="btn-w5")  # a known button of another window: refused
    attacker.wait_for("hub/error", lambda e: e["code"] == "forbidden" and e["topic"].endswith("/w3/press"))
    attacker.press("w3", "next", seq=2, device="remote-7")  # an unknown id on an open broker: applied to w3
    wait_until(lambda: _calling(hub, "w3") is not None, what="w3 calls")
    real = recorder()
    real.press("w5", "next", seq=2, device="remote-7")  # same (device, seq) on w5: another press, applied
    real.press("w5", "next", seq=1, device="btn-w5")  # btn-w5's own first press
    sql = "SELECT window, device, seq, outcome FROM presses ORDER BY window, device, seq"
    def presses():
        with own_store(hub) as store:
            rows = store.rows(sql)
        return rows if len(rows) == 3 else None
    rows = wait_until(presses, what="three presses")
    assert [(r["window"], r["device"], r["seq"], r["outcome"]) for r in rows] == [
        ("w3", "remote-7", 2, "ok"), ("w5", "btn-w5", 1, "ok"), ("w5", "remote-7", 2, "ok")]
    assert _calling(hub, "w5") is None and _calling(hub, "w3") is not None  # w5: called one, then next (none left)
