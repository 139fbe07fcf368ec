"""Hub publishes mode and catalogue, and runs help requests end to end, on a real broker."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from kiosk.core.catalog import Catalog
from kiosk.protocol import MAX_STATE_PAYLOAD, decode_json
from tests.conftest import HubThread, own_store
from tests.mqtt_helpers import wait_until

TZ = ZoneInfo("Asia/Shanghai")


def at(y, m, d, hh, mm, ss=0) -> float:
    return datetime(y, m, d, hh, mm, ss, tzinfo=TZ).timestamp()


def test_catalogue_is_retained_and_decodes(hub, recorder):
    r = recorder("catalog")
    raw = wait_until(lambda: next((p for t, p, _ in r.messages if t.endswith("/catalog")), None), what="catalog")
    assert len(raw) > 64 * 1024 > 0 or len(raw) < MAX_STATE_PAYLOAD
    cat = Catalog.from_dict(decode_json(raw, limit=MAX_STATE_PAYLOAD)["catalog"])
    assert len(cat) >= 40
    assert cat.search("sbk")[0].name.startswith("社会保障卡")


def test_mode_switches_live_at_boundaries(broker, real_cfg, tmp_path, recorder):
    clock = {"now": at(2026, 11, 30, 11, 59, 58)}  # a Monday
    h = HubThread(real_cfg, tmp_path / "st", broker.port, clock=lambda: clock["now"]).start()
    try:
        r = recorder("mode")
        assert r.wait_for("mode")["state"] == "open"
        clock["now"] = at(2026, 11, 30, 12, 0, 0)
        lunch = r.wait_for("mode", lambda m: m["state"] == "lunch")
        assert lunch["next_open"] is not None
        clock["now"] = at(2026, 11, 30, 23, 0)
        closed = r.wait_for("mode", lambda m: m["state"] == "closed")
        assert closed["next_open_text"].startswith("12月01日")
    finally:
        h.stop()


def test_holiday_mode_and_calendar_warning(broker, real_cfg, tmp_path, recorder):
    clock = {"now": at(2026, 10, 2, 10, 0)}  # 国庆节
    r = recorder("mode", "alert", "device/hub/status")
    h = HubThread(real_cfg, tmp_path / "st", broker.port, clock=lambda: clock["now"]).start()
    try:
        m = r.wait_for("mode")
        assert m["state"] == "holiday" and "国庆" in m["day_label"]
    finally:
        h.stop()
    clock["now"] = at(2026, 11, 29, 9, 0)  # from 1 Nov the missing 2027 schedule is flagged daily
    h = HubThread(real_cfg, tmp_path / "st", broker.port, clock=lambda: clock["now"]).start()
    try:
        from kiosk.loaders.calendar_data import package_official_years
        if 2027 not in package_official_years():
            alert = r.wait_for("alert", lambda a: a.get("kind") == "calendar_missing")
            assert "2027" in alert["text"]
            st = r.wait_for("device/hub/status", lambda s: s.get("calendar_warning"))
            assert "2027" in st["calendar_warning"]
    finally:
        h.stop()


def test_help_request_ack_reaches_the_kiosk(hub, recorder):
    kiosk = recorder()
    staff = recorder("alert")
    txn = kiosk.request("help.request", kind="desk", where="自助区1号机")
    rep = kiosk.reply(txn)
    assert rep["ok"] and rep["result"]["state"] == "waiting"
    alert = staff.wait_for("alert", lambda a: a.get("kind") == "help")
    assert alert["place"] == "自助区1号机" and "请求帮办" in alert["text"]
    listed = staff.call("alert.list")["result"]["help"]
    assert [x["id"] for x in listed] == [alert["id"]]
    ack = staff.call("help.ack", alert=alert["id"], by="王")
    assert ack["ok"] and ack["result"]["state"] == "acknowledged"
    notice = kiosk.wait_for(f"device/{kiosk.device}/reply",
                            lambda m: m.get("txn") == txn and m["result"]["state"] == "acknowledged")
    assert notice["result"]["by"] == "王"
    again = staff.call("help.ack", alert=alert["id"])
    assert again["error"]["code"] == "already_acknowledged"


def test_home_visit_keeps_phone_private(hub, recorder):
    kiosk = recorder()
    staff = recorder("alert")
    bad = kiosk.call("help.request", kind="home_visit", phone="123", address="黄潭村")
    assert bad["ok"] is False and bad["error"]["code"] == "bad_phone"
    ok = kiosk.call("help.request", kind="home_visit", phone="13812345678", address="黄潭村三组", group="残疾人",
                    name="张三丰")
    assert ok["result"]["phone"] == "138****5678"
    alert = staff.wait_for("alert", lambda a: a.get("help_kind") == "home_visit")
    raw = b"".join(p for _, p, _ in staff.messages)
    assert b"13812345678" not in raw and "张三丰".encode() not in raw and alert["phone"] == "138****5678"
    from kiosk.store.help import HelpRequests
    with own_store(hub) as store:
        table = HelpRequests(store)
        row = table.get(ok["result"]["alert"])
        assert row["phone"] == "13812345678"  # kept only in the hub's database
        assert table.purge(before=row["at"] + 1) == 1
        assert table.get(ok["result"]["alert"])["phone"] is None


def test_closing_time_aware_issuing(broker, real_cfg, tmp_path, recorder):
    clock = {"now": at(2026, 11, 30, 16, 40)}  # Monday, winter timetable: closes 17:00
    h = HubThread(real_cfg, tmp_path / "st", broker.port, clock=lambda: clock["now"]).start()
    try:
        r = recorder()
        first = r.call("ticket.issue", category="F")  # nobody waiting: fine
        assert first["ok"], first
        for _ in range(3):
            r.call("ticket.issue", category="F", accept_late=True)
        late = r.call("ticket.issue", category="F")
        assert late["ok"] is False and late["error"]["code"] == "past_closing"
        assert "17:00" in late["error"]["message"] and "预约" in late["error"]["message"]
        assert r.call("ticket.issue", category="F", accept_late=True)["ok"]
        clock["now"] = at(2026, 11, 30, 19, 0)
        closed = r.call("ticket.issue", category="A")
        assert closed["error"]["code"] == "hall_closed" and "12月01日 08:30" in closed["error"]["message"]
    finally:
        h.stop()


def test_the_kept_walk_in_window_is_what_the_calendar_says_at_every_minute(real_cfg, tmp_path):
    """ticket.issue asks for the walk-in window every time and gets an answer kept for the rest of the
    mode's segment: minute by minute (and at every second around each change) through a week with a
    weekday, a Wednesday with 延时服务 until 19:00, a Saturday of appointments, a Sunday and the 国庆 holiday,
    also going back in time, it is exactly what a hub asking the calendar afresh gets."""
    import dataclasses

    from kiosk.hub.hallinfo import HallInfo

    calendar = tmp_path / "calendar.toml"
    calendar.write_text(real_cfg.calendar_path.read_text(encoding="utf-8") +
                        '\n[[hours.extended]]\nweekdays = ["wed"]\nuntil = "19:00"\n', encoding="utf-8")
    cfg = dataclasses.replace(real_cfg, calendar_path=calendar, catalog_dir=None)
    start = at(2026, 9, 28, 0, 0)  # Monday; 10-01 begins the holiday and the winter timetable
    kept, other = HallInfo(cfg, start), HallInfo(cfg, start)

    def fresh(now: float):
        other._walk_in = None  # nothing kept: worked out from the calendar
        return other.walk_in_window(now)

    minutes = [start + 60 * i for i in range(7 * 24 * 60)]
    answers = {}
    for now in minutes:
        answers[now] = kept.walk_in_window(now)
    changes = [now for prev, now in zip(minutes, minutes[1:]) if answers[prev] != answers[now]]
    assert len(changes) >= 6, changes  # opening and closing on the working days (lunch answers as open)
    states = {a[0] for a in answers.values()}
    assert {"open", "closed"} <= states and len(states) >= 3, states
    extended_close = at(2026, 9, 30, 19, 0)
    assert answers[extended_close - 60] == ("open", extended_close)  # the Wednesday's 延时服务
    assert answers[at(2026, 9, 29, 17, 15)] == ("open", at(2026, 9, 29, 17, 30))  # summer hours, closing
    for change in changes:  # every second around each change, first forwards, then backwards
        seconds = [change + s for s in range(-90, 90)]
        for now in seconds + seconds[::-1]:
            assert kept.walk_in_window(now) == fresh(now), datetime.fromtimestamp(now, TZ)
    for now in minutes + minutes[::-7]:  # every minute of the week, then backwards
        assert kept.walk_in_window(now) == fresh(now), datetime.fromtimestamp(now, TZ)


def test_the_hub_reads_the_calendar_without_keeping_the_holidays_package(real_cfg, tmp_path):
    """The `holidays` package (about 12 MB with its countries and languages) is used in the short-lived
    worker that also reads the catalogue; the hub gets the same calendar, day by day, without it."""
    import subprocess
    import sys
    from datetime import date, timedelta

    from kiosk.hub.hallinfo import HallInfo
    from kiosk.loaders.calendar_data import load_calendar

    from ..conftest import REPO, REAL_CONFIG

    probe = ("import sys, time\nfrom pathlib import Path\nfrom kiosk.config import load\n"
             "from kiosk.hub.hallinfo import HallInfo\n"
             "if __name__ == '__main__':\n"
             f"    info = HallInfo(load(Path({str(REAL_CONFIG)!r})), time.time())\n"
             "    print(info.schedule is not None, 'holidays' in sys.modules)\n")
    script = tmp_path / "probe.py"
    script.write_text(probe, encoding="utf-8")
    r = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120, cwd=REPO)
    assert r.stdout.split() == ["True", "False"], r.stdout + r.stderr

    now = at(2026, 12, 2, 10, 0)
    info = HallInfo(real_cfg, now)
    direct = load_calendar(real_cfg.calendar_path, years=range(2025, 2029))
    first = date(2025, 1, 1)
    days = [first + timedelta(days=i) for i in range((date(2029, 1, 1) - first).days)]
    assert [info.schedule.calendar.day_info(d) for d in days] == [direct.day_info(d) for d in days]
    assert any(not direct.day_info(d).working and d.weekday() < 5 for d in days)  # holidays are in it


def test_a_broken_official_year_still_stops_the_hub_with_file_key_and_reason(real_cfg, tmp_path):
    import dataclasses

    import pytest

    from kiosk.errors import ConfigError
    from kiosk.hub.hallinfo import HallInfo

    calendar = tmp_path / "calendar.toml"
    calendar.write_text(real_cfg.calendar_path.read_text(encoding="utf-8") +
                        '\n[[official_year]]\nyear = 2027\nnotice = "通知"\nholidays = []\n', encoding="utf-8")
    cfg = dataclasses.replace(real_cfg, calendar_path=calendar)
    with pytest.raises(ConfigError) as err:
        HallInfo(cfg, at(2026, 12, 2, 10, 0))
    assert str(calendar) in str(err.value) and "official_year" in str(err.value), str(err.value)
