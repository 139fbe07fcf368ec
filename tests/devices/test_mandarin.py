"""Text → tone-numbered pinyin for espeak-ng's cmn-latn-pinyin voice (kiosk.devices.mandarin)."""

from __future__ import annotations

import pytest

from kiosk.devices.mandarin import call_tokens, clip_name, number_pinyin, syllables, to_pinyin


@pytest.mark.parametrize("text, expected", [
    ("请 C 零 一 二 号，到 3 号窗口办理", "qing3 xi1 ling2 yi1 er4 hao4, dao4 san1 hao4 chuang1 kou3 ban4 li3"),
    ("请C012号到10号窗口办理", "qing3 xi1 ling2 yi1 er4 hao4 dao4 shi2 hao4 chuang1 kou3 ban4 li3"),
    ("长辈模式：开", "zhang3 bei4 mo2 shi4, kai1"),
    ("热线 12345", "re4 xian4 yao1 er4 san1 si4 wu3"),
    ("0728-5321001", "ling2 qi1 er4 ba1, wu3 san1 er4 yao1 ling2 ling2 yao1"),
    ("09:30 开门", "jiu3 dian3 san1 shi2 fen1 kai1 men2"),
    ("17:00", "shi2 qi1 dian3 zheng3"),
    ("2026年12月1日", "er4 ling2 er4 liu4 nian2 shi2 er4 yue4 yi1 ri4"),
    ("■ 取号 ◀", "qu3 hao4"),
    ("一个", "yi2 ge4"),
    ("绿色通道", "lv4 se4 tong1 dao4"),
    ("的", "de5"),
])
def test_text_to_pinyin(text, expected):
    assert to_pinyin(text) == expected


@pytest.mark.parametrize("n, expected", [
    (0, "ling2"), (7, "qi1"), (10, "shi2"), (12, "shi2 er4"), (20, "er4 shi2"), (105, "yi4 bai3 ling2 wu3"),
    (110, "yi4 bai3 yi1 shi2"), (2000, "liang3 qian1"), (1001, "yi4 qian1 ling2 yi1"),
])
def test_numbers(n, expected):
    assert " ".join(number_pinyin(n)) == expected


def test_every_letter_has_a_chinese_reading_and_words_are_spelled():
    for ch in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
        assert syllables(ch), ch
        assert all(s[-1] in "12345" for s in syllables(ch))
    assert to_pinyin("QR") == "qiu1 a4 er3"


def test_no_pause_at_either_end_and_no_double_pause():
    assert to_pinyin("（取号！）") == "qu3 hao4"
    assert to_pinyin("取号，，。返回") == "qu3 hao4, fan3 hui2"


def test_call_tokens_and_their_clips():
    assert call_tokens("C012", 3) == ["请", "C", "零", "一", "二", "号", "到", "三", "号", "窗口办理"]
    assert call_tokens("A101", 12)[6:] == ["到", "十", "二", "号", "窗口办理"]
    assert [clip_name(t) for t in call_tokens("B007", 10)] == [
        "qing.wav", "B.wav", "0.wav", "0.wav", "7.wav", "hao.wav", "dao.wav", "shi.wav", "hao.wav",
        "chuangkou_banli.wav"]
    with pytest.raises(ValueError):
        clip_name("窗口")
