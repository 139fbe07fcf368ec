"""Content that must not overclaim: the catalogue's legal time limits checked against the articles they
cite, and the booking line generated from the configured sessions (and published by the hub)."""

from __future__ import annotations

import re
from datetime import time


from kiosk.core.booking import booking_line
from kiosk.core.catalog import Catalog
from kiosk.core.hours import AppointmentWindow, ExtendedHours, SessionKind
from kiosk.loaders.calendar_data import load_hours
from kiosk.loaders.catalog_data import load_catalog
from tests.conftest import REPO

# The time limits the cited articles set, read from the texts of the laws: (number, unit).
# 居民身份证法 第十二条: 自提交《居民身份证申领登记表》之日起六十日内发放 (calendar days, not 工作日).
# 临时居民身份证管理办法 第十二条: 收到申请后的三日内发给.
# 市场主体登记管理条例 第十九条: 不能当场登记的，应当在3个工作日内予以登记.
SOURCES = {
    ("《中华人民共和国居民身份证法》", "第十二条"): (60, "days"),
    ("《中华人民共和国临时居民身份证管理办法》", "第十二条"): (3, "days"),
    ("《中华人民共和国市场主体登记管理条例》", "第十九条"): (3, "working_days"),
}
LAWS = {law for law, _ in SOURCES}


def test_catalogue_time_limits_match_the_articles_they_cite():
    cat = load_catalog(REPO / "config" / "catalog")
    checked = 0
    for item in cat.items:
        if item.time_limit_source:
            m = re.fullmatch(r"(《[^》]+》)(第[一二三四五六七八九十百]+条)", item.time_limit_source)
            assert m, (item.id, item.time_limit_source)
            assert (m[1], m[2]) in SOURCES, (item.id, "cites an article this test does not know")
            assert (item.time_limit_days, item.time_limit_unit) == SOURCES[(m[1], m[2])], item.id
            assert m[1] in item.basis, (item.id, "the cited law is not in 设定依据")
            checked += 1
        else:
            # an item resting on one of these laws must say which article its limit comes from
            named = [law for law in LAWS if law in item.basis]
            assert not named, (item.id, named)
    assert checked == 5
    sfz = cat.get("ga-sfz-apply")
    assert sfz.time_limit_unit == "days" and Catalog.from_dict(cat.to_dict()).get("ga-sfz-apply") == sfz


def test_booking_line_says_only_what_the_sessions_offer():
    hours = load_hours(REPO / "config" / "calendar.toml")
    line = booking_line(hours, SessionKind)
    assert line == "可预约办理：工作日办公时间；周六09:00-12:00预约专场"
    for claim in ("错时", "延时", "节假日", "周日"):
        assert claim not in line
    assert booking_line(hours, [SessionKind.APPOINTMENT]) == "可预约办理：周六09:00-12:00预约专场"
    assert booking_line(hours, []) == ""
    more = type(hours)(seasons=hours.seasons, closing_minutes=hours.closing_minutes,
                       extended=(ExtendedHours(weekdays=frozenset({2}), until=time(19, 0)),),
                       appointments=(AppointmentWindow(start=time(9), end=time(12), weekdays=frozenset({5, 6}),
                                                       holidays=True),))
    assert booking_line(more, SessionKind) == ("可预约办理：工作日办公时间；周三延时服务至19:00；"
                                               "周六、周日、节假日09:00-12:00预约专场")



def test_the_hub_publishes_the_booking_line_with_the_catalogue(hall):
    msg = hall.r.wait_for("catalog", lambda m: "catalog" in m, timeout=30)
    cat = Catalog.from_dict(msg["catalog"])
    assert cat.booking == "可预约办理：工作日办公时间；周六09:00-12:00预约专场"
    assert cat.get("ga-sfz-apply").time_limit_unit == "days"
