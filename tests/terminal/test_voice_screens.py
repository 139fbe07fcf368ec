"""评价, 办不成事反映 and 政府信息公开申请 in normal and large print, portrait and landscape: a PNG of every
state under test-output/screens/terminal/ and a clean layout check; the five levels exactly, equal and
none chosen; a bad rating needs a reason; the disclosure form's own checks and its masked review page."""

from __future__ import annotations

import pytest

from kiosk.core.evaluation import LEVELS, MSG_NEED_REASON
from kiosk.core.idcard import id_check_char
from kiosk.terminal.messages import ScanResult
from kiosk.ui.theme import Mode

from .appointment_helpers import choose, post_reply, type_keys
from .conftest import SHOTS

COMBOS = [(mode, orientation) for mode in Mode for orientation in ("portrait", "landscape")]


def id_with_check(first17: str) -> str:
    return first17 + id_check_char(first17)


GOOD_ID = id_with_check("42010219900307123")   # a made-up number with a right check digit
BAD_ID = GOOD_ID[:17] + ("1" if GOOD_ID[17] != "1" else "2")


def tap_candidate(p, kb: str, text: str) -> None:
    for _ in range(30):
        for w in p.widget(kb).walk():
            if w.id.startswith(f"{kb}-key-cand-") and w.label == text:
                p.tap(w.id)
                return
        p.tap(f"{kb}-key-next")
    raise AssertionError(text)


def pinyin(p, kb: str, pairs, submit: bool = True) -> None:
    for syl, ch in pairs:
        for letter in syl:
            p.tap(f"{kb}-key-{letter}")
        tap_candidate(p, kb, ch)
    if submit:
        p.tap(f"{kb}-key-ok")


def eval_walk(p):
    choose(p, "menu", "evaluate")
    yield "evaluate-ticket"
    type_keys(p, "ticket-kb", "C0")
    yield "evaluate-ticket-bad"
    type_keys(p, "ticket-kb", "12")
    yield "evaluate-checking"
    post_reply(p, result={"ticket": "20261118-C012", "number": "C012", "state": "waiting"})
    yield "evaluate-not-served"
    p.post(ScanResult(text="HT1|huangtan|20261118-C012"), 2)
    post_reply(p, result={"ticket": "20261118-C012", "number": "C012", "state": "completed"})
    yield "evaluate-level"
    p.tap("level-2")
    yield "evaluate-level-chosen"
    p.tap("eval-confirm")
    p.tap("reasons-done")
    yield "evaluate-reasons-needed"
    p.tap("reasons-item-0")
    p.tap("reasons-item-3")
    yield "evaluate-reasons"
    p.tap("reasons-done")
    pinyin(p, "eval-text-kb", [("deng", "等")], submit=False)
    for ch in "tai":
        p.tap(f"eval-text-kb-key-{ch}")
    yield "evaluate-text"
    tap_candidate(p, "eval-text-kb", "太")
    p.tap("eval-text-kb-key-ok")
    yield "evaluate-phone"
    type_keys(p, "eval-phone", "13812345678")
    yield "evaluate-review"
    p.tap("eval-submit")
    yield "evaluate-sending"
    post_reply(p, result={"evaluation": "e1", "ticket": "20261118-C012", "number": "C012", "level": 2,
                          "label": "不满意", "reasons": ["排队等候时间长"], "case": "c1", "phone": "138****5678"})
    yield "evaluate-done"
    p.tap("go-home")
    choose(p, "menu", "evaluate")
    type_keys(p, "ticket-kb", "C012")
    post_reply(p, result={"ticket": "20261118-C012", "number": "C012", "state": "completed"})
    p.tap("level-5")
    p.tap("eval-confirm")
    post_reply(p, ok=False, code="already_rated", message="该号码已评价过，每次办事只能评价一次")
    yield "evaluate-already-rated"
    p.tap("go-home")


def feedback_walk(p):
    choose(p, "menu", "feedback")
    yield "feedback-item"
    choose(p, "fb-depts", next(iter(p.terminal.session.catalog.by_department)))
    yield "feedback-department"
    p.tap("fb-items-item-0")
    yield "feedback-problem"
    p.tap("fb-problems-item-2")
    yield "feedback-text"
    p.tap("text-skip")
    type_keys(p, "fb-phone", "139")
    yield "feedback-phone-bad"
    type_keys(p, "fb-phone", "87654321")
    p.tap("fb-ticket")
    yield "feedback-review"
    p.tap("fb-submit")
    post_reply(p, result={"case": "c4", "state": "verifying", "state_label": "待核实", "deadline": "2026-11-20",
                          "phone": "139****4321",
                          "ticket": {"ticket": "20261118-F001", "number": "F001", "category": "F",
                                     "people_ahead": 2, "state": "waiting"}})
    yield "feedback-done"
    p.tap("go-home")
    choose(p, "menu", "feedback")
    p.tap("fb-search")
    type_keys(p, "fb-kb", "SBK", submit=False)
    yield "feedback-search"
    p.tap("go-back")
    p.tap("fb-other")
    pinyin(p, "fb-item-kb", [("hu", "户"), ("kou", "口")], submit=False)
    yield "feedback-own-words"
    p.tap("go-home")


def disclosure_walk(p):
    choose(p, "menu", "disclosure")
    yield "disclosure-type"
    p.tap("gk-applicant_type-item-0")
    pinyin(p, "gk-name-kb", [("zhang", "张"), ("xiao", "小"), ("san", "三")], submit=False)
    yield "disclosure-name"
    p.tap("gk-name-kb-key-ok")
    yield "disclosure-id-type"
    p.tap("gk-id_type-item-0")
    type_keys(p, "gk-id_number-kb", BAD_ID)
    yield "disclosure-id-bad"
    for _ in BAD_ID:  # the X key takes the place of 清空 on an ID keypad
        p.tap("gk-id_number-kb-key-del")
    type_keys(p, "gk-id_number-kb", GOOD_ID)
    type_keys(p, "gk-phone-kb", "1381234567")
    yield "disclosure-phone-bad"
    type_keys(p, "gk-phone-kb", "8")
    pinyin(p, "gk-address-kb", [("huang", "黄"), ("tan", "潭"), ("zhen", "镇")], submit=False)
    yield "disclosure-address"
    p.tap("gk-address-kb-key-ok")
    pinyin(p, "gk-info_description-kb", [("zheng", "政"), ("fu", "府"), ("wen", "文"), ("jian", "件")], submit=False)
    yield "disclosure-description"
    p.tap("gk-info_description-kb-key-ok")
    yield "disclosure-purpose"
    p.tap("gk-purpose-skip")
    yield "disclosure-form"
    p.tap("gk-form-item-0")
    yield "disclosure-delivery-paper"
    p.tap("go-back")
    p.tap("gk-form-item-1")
    p.tap("gk-delivery-item-2")
    type_keys(p, "gk-email-kb", "zs@qq")
    yield "disclosure-email-bad"
    type_keys(p, "gk-email-kb", ".com")
    yield "disclosure-review"
    p.tap("gk-submit")
    yield "disclosure-sending"
    post_reply(p, result={"application": "HTGK-2026-0001", "received": "2026-11-18", "reply_due": "2026-12-16",
                          "extended_due": "2027-01-14", "name": "张*三", "id_number": "420***********1234",
                          "phone": "138****5678", "receipt": []})
    yield "disclosure-receipt"
    p.tap("go-home")


@pytest.mark.parametrize("mode, orientation", COMBOS)
def test_every_voice_screen_renders_cleanly(offline_terminal, mode, orientation):
    p = offline_terminal(mode, orientation)
    problems, seen = [], []
    for walk in (eval_walk, feedback_walk, disclosure_walk):
        for name in walk(p):
            seen.append(name)
            p.screenshot(SHOTS / f"{name}-{mode.value}-{orientation}.png")
            problems += [f"{name}: {x}" for x in p.check_layout()]
            assert p.exists("mode-toggle") and p.exists("go-home"), name
    assert len(seen) == 37
    assert problems == [], "\n".join(problems)
    p.screenshot(SHOTS / f"home-voice-{mode.value}-{orientation}.png")
    assert p.check_layout() == []


def open_levels(p) -> None:
    choose(p, "menu", "evaluate")
    type_keys(p, "ticket-kb", "C012")
    post_reply(p, result={"ticket": "20261118-C012", "number": "C012", "state": "completed"})


@pytest.mark.parametrize("mode, orientation", COMBOS)
def test_five_levels_exact_equal_and_none_chosen(offline_terminal, mode, orientation):
    p = offline_terminal(mode, orientation)
    open_levels(p)
    p.screenshot(SHOTS / f"evaluate-level-first-{mode.value}-{orientation}.png")
    buttons = [p.widget(f"level-{n}") for n, _ in LEVELS]
    assert [b.label for b in buttons] == [f"□ {label}" for label in ("非常满意", "满意", "基本满意", "不满意",
                                                                      "非常不满意")]
    assert len({(b.rect.width, b.rect.height) for b in buttons}) == 1          # equal size
    assert len({(b.tone, b.style, b.icon, b.enabled) for b in buttons}) == 1     # equal weight, no nudge
    assert not any("■" in b.label or "已选择" in b.label for b in buttons)      # nothing chosen
    assert p.app.top.flow.level is None
    assert not p.widget("eval-confirm").enabled                                   # must choose first
    p.tap("eval-confirm")
    assert p.app.top.stage == "level" and p.terminal.session.link.sent[-1][0] == "ticket.info"
    p.tap("level-3")
    assert p.text_of("level-3") == "■ 基本满意\n（已选择）"
    assert [p.widget(f"level-{n}").label.startswith("□") for n, _ in LEVELS] == [True, True, False, True, True]
    p.tap("eval-confirm")
    op, args = p.terminal.session.link.sent[-1]
    assert op == "evaluation.submit" and args == {"ticket": "C012", "level": 3, "reasons": [], "channel": "kiosk"}
    assert p.check_layout() == []


def test_a_bad_rating_needs_a_reason(offline_terminal):
    p = offline_terminal()
    open_levels(p)
    p.tap("level-1")
    p.tap("eval-confirm")
    assert p.app.top.stage == "reasons"
    p.tap("reasons-done")
    assert p.text_of("reasons-error") == MSG_NEED_REASON
    assert p.app.top.stage == "reasons"
    p.tap("reasons-item-1")
    assert p.text_of("reasons-item-1").startswith("■") and "已选择" in p.text_of("reasons-item-1")
    p.tap("reasons-item-1")  # a toggle: tapped again, off again
    assert p.text_of("reasons-item-1").startswith("□")
    p.tap("reasons-item-1")
    p.tap("reasons-done")
    p.tap("text-skip")
    p.tap("phone-skip")
    assert "13" not in p.text_of("eval-summary")
    p.tap("eval-submit")
    op, args = p.terminal.session.link.sent[-1]
    assert op == "evaluation.submit" and args["level"] == 1 and args["reasons"] == ["attitude"]
    assert "phone" not in args and "text" not in args


def test_disclosure_checks_id_and_phone_before_sending_and_masks_the_review(offline_terminal):
    p = offline_terminal()
    sent = p.terminal.session.link.sent
    choose(p, "menu", "disclosure")
    p.tap("gk-applicant_type-item-0")
    pinyin(p, "gk-name-kb", [("zhang", "张"), ("xiao", "小"), ("san", "三")])
    p.tap("gk-id_type-item-0")
    type_keys(p, "gk-id_number-kb", BAD_ID)
    assert "证件号码" in p.text_of("gk-error") and "校验位不正确" in p.text_of("gk-error")
    assert BAD_ID not in p.text_of("gk-error")
    for _ in BAD_ID:  # the X key takes the place of 清空 on an ID keypad
        p.tap("gk-id_number-kb-key-del")
    good = id_with_check("42010219900307123")
    type_keys(p, "gk-id_number-kb", good)
    type_keys(p, "gk-phone-kb", "1381234567")
    assert "联系电话" in p.text_of("gk-error")
    p.tap("gk-phone-kb-key-8")
    p.tap("gk-phone-kb-key-ok")
    pinyin(p, "gk-address-kb", [("huang", "黄"), ("tan", "潭"), ("zhen", "镇"), ("huang", "黄"), ("tan", "潭"),
                                ("cun", "村")], submit=False)
    type_keys(p, "gk-address-kb", "3", submit=False)
    pinyin(p, "gk-address-kb", [("zu", "组")])
    pinyin(p, "gk-info_description-kb", [("zheng", "政"), ("fu", "府"), ("wen", "文"), ("jian", "件")])
    p.tap("gk-purpose-skip")
    p.tap("gk-form-item-0")
    assert not p.widget("gk-delivery-item-2").enabled  # paper cannot go by e-mail
    p.tap("gk-delivery-item-0")
    assert p.app.top.stage == "review"
    assert not any(op == "disclosure.apply" for op, _ in sent)  # nothing sent before the review
    texts = " ".join(p.visible_texts())
    assert good not in texts and "13812345678" not in texts and "张小三" not in texts
    assert "420*** ******** " in texts and "138****5678" in texts and "张*三" in texts  # grouped 6-8-4
    p.tap("gk-submit")
    op, args = sent[-1]
    assert op == "disclosure.apply"
    assert args == {"applicant_type": "citizen", "id_type": "resident_id", "name": "张小三", "id_number": good,
                    "phone": "13812345678", "address": "黄潭镇黄潭村3组", "info_description": "政府文件",
                    "form": "paper", "delivery": "collect"}
    post_reply(p, result={"application": "HTGK-2026-0001", "received": "2026-11-18", "reply_due": "2026-12-16",
                          "extended_due": "2027-01-14"})
    assert p.text_of("gk-number") == "HTGK-2026-0001" and "2026-12-16" in p.text_of("gk-receipt-text")
    assert p.app.top.flow.form == {} and p.app.top.flow.txn is None  # forgotten once registered


def test_every_voice_string_and_icon_has_glyphs_in_the_font():
    import ast
    from dataclasses import fields
    from pathlib import Path

    import pygame

    from kiosk.terminal.strings_voice import VoiceStrings

    pygame.font.init()
    font = pygame.font.Font("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 30)
    missing = font.metrics("\ue000")[0]
    v, texts = VoiceStrings(), []

    def add(value):
        if isinstance(value, dict):
            for x in value.values():
                add(x)
        elif isinstance(value, tuple):
            for x in value:
                add(x)
        else:
            texts.append(value)

    for f in fields(v):
        add(getattr(v, f.name))
    src = Path(__file__).resolve().parents[2] / "src" / "kiosk" / "terminal"
    for name in ("evaluate.py", "feedback.py", "disclosure.py"):
        for node in ast.walk(ast.parse((src / name).read_text(encoding="utf-8"))):
            if isinstance(node, ast.keyword) and node.arg == "icon" and isinstance(node.value, ast.Constant):
                texts.append(node.value.value)
    bad = {ch for t in texts for ch in t if not ch.isspace() and not ch.isascii() and font.metrics(ch)[0] == missing}
    assert not bad, f"characters the font cannot draw: {sorted(bad)}"
