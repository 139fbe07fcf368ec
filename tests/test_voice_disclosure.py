"""政府信息公开申请 end to end: form validation with Chinese messages naming the field, the application
number and statutory deadlines, masking everywhere, the purge."""

from __future__ import annotations

from datetime import date

import pytest

from kiosk.core.cases import add_working_days
from kiosk.core.idcard import id_check_char
from tests.test_voice import Hall, at

ID_OK = "42098119850612" + "123"
ID_OK = ID_OK + id_check_char(ID_OK)
ID_BAD = ID_OK[:17] + ("0" if ID_OK[17] != "0" else "1")
PHONE = "13812345678"
FORM = {"applicant_type": "citizen", "name": "张小三", "id_type": "resident_id", "id_number": ID_OK,
        "phone": PHONE, "address": "天门市黄潭镇荷沙公路88号", "info_description": "黄潭镇2025年农村道路建设项目的招标公告",
        "purpose": "了解本村道路修建计划", "form": "paper", "delivery": "collect"}


@pytest.fixture
def hall(broker, real_cfg, tmp_path, recorder):
    h = Hall(broker, real_cfg, tmp_path, recorder, at(2026, 11, 30))  # Monday
    yield h
    h.stop()


@pytest.mark.parametrize("change,code,words", [
    ({"id_number": ID_BAD}, "bad_id_number", ("证件号码", "校验位")),
    ({"id_number": ID_OK[:16]}, "bad_id_number", ("证件号码", "18位")),
    ({"phone": "1381234567"}, "bad_phone", ("联系电话", "格式不正确")),
    ({"phone": None}, "missing_field", ("联系电话", "请填写")),
    ({"info_description": " "}, "missing_field", ("所需信息的内容描述",)),
    ({"name": None}, "missing_field", ("姓名/名称",)),
    ({"applicant_type": "robot"}, "bad_value", ("申请人类型", "公民")),
    ({"form": None}, "missing_field", ("信息的提供形式",)),
    ({"delivery": "email", "form": "electronic"}, "missing_field", ("电子邮箱",)),
    ({"delivery": "email", "form": "electronic", "email": "zhang@"}, "bad_email", ("电子邮箱",)),
    ({"delivery": "email"}, "bad_value", ("获取信息的方式", "纸质")),
    ({"applicant_type": "organisation", "id_type": "org_code", "id_number": "91440300708461136U"},
     "bad_id_number", ("统一社会信用代码",)),
    ({"info_description": "要" * 501}, "too_long", ("所需信息的内容描述", "500")),
])
def test_form_validation_names_the_field_in_chinese(hall, change, code, words):
    form = {k: v for k, v in {**FORM, **change}.items() if v is not None}
    err = hall.error("disclosure.apply", **form)
    assert err["code"] == code
    for w in words:
        assert w in err["message"], err["message"]
    assert ID_OK not in err["message"] and PHONE not in err["message"]


def test_application_number_deadlines_receipt_masking_and_purge(hall):
    res = hall.ok("disclosure.apply", **FORM)
    cal = hall.hub.info.schedule.calendar.is_working_day
    due = add_working_days(date(2026, 11, 30), 20, cal)
    assert res["application"] == "HTGK-2026-0001" and res["received"] == "2026-11-30"
    assert res["reply_due"] == due.isoformat() == "2026-12-28"
    assert res["extended_due"] == add_working_days(due, 20, cal).isoformat()
    assert res["name"] == "张*三" and res["phone"] == "138****5678"
    assert res["id_number"] == ID_OK[:3] + "*" * 11 + ID_OK[-4:]
    assert res["address"] == "天门市黄潭镇****" and res["form_label"] == "纸质" and res["delivery_label"] == "自行领取"
    assert any("HTGK-2026-0001" in line for line in res["receipt"])
    assert any("2026-12-28" in line for line in res["receipt"])
    alert = hall.r.wait_for("alert", lambda a: a.get("kind") == "disclosure_applied")
    assert alert["id"] == "HTGK-2026-0001" and "张*三" in alert["text"]
    org = hall.ok("disclosure.apply", applicant_type="organisation", name="天门市黄潭镇某某农业合作社",
                  id_number="91440300708461136T", phone="0728-5321001", address="天门市黄潭镇",
                  info_description="2026年农业补贴发放名单", form="electronic", delivery="email",
                  email="coop@example.com", contact="李四")
    assert org["application"] == "HTGK-2026-0002" and org["email"] == "c***@example.com"
    assert org["id_type"] == "org_code" and org["id_number"] == "914***********136T"
    listed = hall.ok("disclosure.list")["applications"]
    assert [a["application"] for a in listed] == ["HTGK-2026-0002", "HTGK-2026-0001"]
    assert not any(a["overdue"] for a in listed)
    hall.move_to(at(2026, 12, 29))
    assert [a["overdue"] for a in hall.ok("disclosure.list")["applications"]] == [True, True]
    blob = hall.payloads()
    for raw in (ID_OK, PHONE, "张小三", "荷沙公路88号", "07285321001", "coop@example.com"):
        assert raw.encode() not in blob, raw
    hall.move_to(at(2027, 12, 1))  # past the 365-day retention
    purged = hall.ok("disclosure.list")["applications"]
    assert all(a["purged"] and a["name"] == "" and a["phone"] == "" and a["id_number"] == "" for a in purged)
    assert purged[1]["reply_due"] == "2026-12-28" and purged[1]["form"] == "paper"  # reports keep these
    hall.stop()
    with hall.db() as db:
        rows = db.execute("SELECT name, id_number, phone, address, email, info_description FROM "
                          "disclosure_applications").fetchall()
    assert rows == [(None,) * 6, (None,) * 6]


def test_a_new_year_starts_numbering_again(hall):
    assert hall.ok("disclosure.apply", **FORM)["application"] == "HTGK-2026-0001"
    hall.move_to(at(2027, 1, 4))
    assert hall.ok("disclosure.apply", **FORM)["application"] == "HTGK-2027-0001"
