"""Resident ID and credit-code check characters, phone/e-mail checks and the masks."""

from __future__ import annotations

import pytest

from kiosk.core import idcard as I


def with_check(first17: str) -> str:
    return first17 + I.id_check_char(first17)


def test_published_example_ids_pass():
    assert I.resident_id_problem("11010519491231002X") is None  # the GB 11643 example
    assert I.valid_resident_id("11010519491231002x") == "11010519491231002X"


def test_check_digit_follows_iso_7064_mod_11_2():
    assert I.ID_WEIGHTS == (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    assert I.ID_CHECK_CHARS == "10X98765432"
    good = with_check("42010219900307123")
    assert I.resident_id_problem(good) is None
    for wrong in "0123456789X":
        if wrong != good[-1]:
            assert I.resident_id_problem(good[:17] + wrong) == "check_digit"


@pytest.mark.parametrize("value,problem", [
    ("4201021990030712", "length"), ("42010219900307123456", "length"),
    ("4201021990030712A4", "chars"), ("020102199003071234", "chars"),
    (with_check("42010219901307123"), "birth_date"), (with_check("42010218800101123"), "birth_date"),
])
def test_malformed_ids(value, problem):
    assert I.resident_id_problem(value) == problem


def test_unified_social_credit_code():
    assert I.valid_uscc("91440300708461136T") == "91440300708461136T"
    assert I.valid_uscc("91440300708461136U") is None
    assert I.valid_uscc("9144030070846113") is None
    assert I.uscc_check_char("91350100M000100Y4") == "3"


@pytest.mark.parametrize("raw,ok", [
    ("13812345678", "13812345678"), ("138 1234 5678", "13812345678"), ("+86 138-1234-5678", "13812345678"),
    ("0728-5321001", "07285321001"), ("12812345678", None), ("1381234567", None), ("5321001", None),
    ("abc", None), ("", None),
])
def test_phones(raw, ok):
    assert I.valid_phone(raw) == ok


def test_email_and_passport():
    assert I.valid_email("wang.li@example.com") == "wang.li@example.com"
    assert I.valid_email("wang@") is None and I.valid_email("no-at.example.com") is None
    assert I.valid_passport("e12345678") == "E12345678"
    assert I.valid_passport("E1") is None


def test_masks():
    assert I.mask_id("420102199003071234") == "420***********1234"
    assert I.mask_id("E12345") == "******"
    assert I.mask_address("天门市黄潭镇荷沙公路88号") == "天门市黄潭镇****"
    assert I.mask_email("wangli@qq.com") == "w***@qq.com"
    assert I.mask_id(None) == I.mask_address("") == I.mask_email(None) == ""
    masked = I.mask_numbers_in_text("请打13812345678或身份证42010219900307123X找我，第3号窗口")
    assert "13812345678" not in masked and "42010219900307123X" not in masked
    assert "138****5678" in masked and "第3号窗口" in masked
