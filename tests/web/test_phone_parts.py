"""The phone pages' pure parts: what a page says for each state, the rate limits and the stream bound,
and the watcher telling only the pages whose ticket changed (one ticket.track for all of them)."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from kiosk.web.phone.guard import Guard, Limits, RateTable
from kiosk.web.phone.present import booking_lines, ticket_page
from kiosk.web.phone.strings import PHONE
from kiosk.web.phone.watch import Watcher

VIEW = {"ticket": "20261201-C005", "number": "C005", "business": "人社业务", "state": "waiting", "people_ahead": 3,
        "eta_s": 725, "window": None, "rateable": False, "rated": False}


def test_what_a_page_says_in_each_state():
    p = ticket_page(VIEW, PHONE)
    assert (p.ahead, p.wait, p.banner, p.live) == ("3 人", "约 12 分钟", None, True)
    assert ticket_page({**VIEW, "eta_s": None}, PHONE).wait == "暂无法估计（窗口暂未开放）"
    called = ticket_page({**VIEW, "state": "called", "people_ahead": None, "eta_s": None,
                          "window": {"id": "w3", "number": 3, "name": "人社窗口"}}, PHONE)
    assert called.banner == "请到 3 号窗口" and called.banner_sub == "人社窗口正在叫 C005 号" and called.ahead is None
    done = ticket_page({**VIEW, "state": "completed", "rateable": True}, PHONE)
    assert done.rateable and not done.live and done.banner is None
    assert "咨询导办台" in ticket_page({**VIEW, "state": "no_show"}, PHONE).help


def test_a_booking_page_has_no_phone_and_says_how_to_check_in():
    rows = dict(booking_lines({"code": "K7M3QX", "date": "2026-12-02", "start": "09:00", "end": "09:30",
                               "category_name": "人社业务", "state": "booked", "grace_minutes": 15,
                               "windows": [{"number": 3, "name": "人社窗口"}]}, PHONE))
    assert rows["预约时间"] == "12月2日（周三） 09:00-09:30" and rows["办理窗口"] == ["3号人社窗口"]
    assert "预约签到" in rows["如何签到"] and "15 分钟" in rows["如何签到"]


def test_rate_limits_refill_and_guessing_slows_an_address_down():
    t = RateTable(burst=3, per_s=1.0)
    assert [t.take("a", 0.0) for _ in range(4)] == [True, True, True, False]
    assert t.take("b", 0.0) and t.take("a", 1.0) and not t.take("a", 1.0)
    g = Guard(Limits(miss_burst=2, miss_per_s=0.0))
    g.missed("x", 0.0)
    g.missed("x", 0.0)
    assert g.page("x", 5.0) == "slow" and g.page("y", 5.0) is None


def test_streams_are_bounded_in_all_and_per_address():
    g = Guard(Limits(streams=3, streams_per_address=2))
    assert [g.streams.open("a"), g.streams.open("a"), g.streams.open("a")] == [True, True, False]
    assert g.streams.open("b") and not g.streams.open("c")
    g.streams.close("a")
    assert g.streams.open("c") and g.streams.total == 3


def test_the_watcher_asks_once_for_all_pages_and_tells_only_the_changed_ones():
    asked = []
    hall = {"tok-a-0123456789": VIEW, "tok-b-0123456789": {**VIEW, "number": "C006", "people_ahead": 4}}

    async def ask(op, args):
        asked.append((op, sorted(args["tokens"])))
        return {"tickets": {t: hall[t] for t in args["tokens"] if t in hall}}

    async def scenario():
        w = Watcher(ask, PHONE)
        qa = w.follow("tok-a-0123456789", VIEW)
        qb = w.follow("tok-b-0123456789", hall["tok-b-0123456789"])
        assert await w.round() == 0  # nothing changed
        hall["tok-a-0123456789"] = {**VIEW, "state": "called", "people_ahead": None, "eta_s": None,
                                    "window": {"id": "w3", "number": 3, "name": "人社窗口"}}
        assert await w.round() == 1 and qb.empty()
        u = qa.get_nowait()
        assert u.page.banner == "请到 3 号窗口"
        del hall["tok-b-0123456789"]  # the day ended
        assert await w.round() == 1 and qb.get_nowait().page is None
        w.leave("tok-a-0123456789", qa)
        w.leave("tok-b-0123456789", qb)
        assert await w.round() == 0 and w.streams == 0

    with ThreadPoolExecutor(1) as pool:  # its own loop: the browser tests' Playwright holds this thread's
        pool.submit(lambda: asyncio.run(scenario())).result()
    assert asked == [("ticket.track", ["tok-a-0123456789", "tok-b-0123456789"])] * 3
