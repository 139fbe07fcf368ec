"""Terminal behaviour without a bus: idle reset, large-print countdown, mode switch, late replies,
read-aloud, settings, glyph coverage and module rules."""

from __future__ import annotations

import ast
import shutil
from dataclasses import fields
from pathlib import Path

import pygame
import pytest

from kiosk.bus.rpc import Reply
from kiosk.config import parse
from kiosk.errors import ConfigError
from kiosk.terminal.help_screen import mask_phone, valid_phone
from kiosk.terminal.messages import ReplyIn, decode_inbound
from kiosk.terminal.codes import ticket_qr
from kiosk.terminal.session import NullLink
from kiosk.terminal.settings import DEFAULT_VILLAGES, load_settings
from kiosk.terminal.speech import Speaker
from kiosk.terminal.strings import TerminalStrings
from kiosk.bus.client import Inbound
from kiosk.protocol import Topics
from kiosk.ui.theme import Mode

from .appointment_helpers import choose, post_reply, sample_slots, type_keys


def test_idle_returns_home_and_forgets_the_entry(offline_terminal):
    p = offline_terminal(Mode.NORMAL)
    p.tap("menu-item-2")
    p.tap("help-visit")
    p.tap("group-0")
    p.tap("phone-key-1")
    p.advance(30)
    assert p.app.top.key == "help"
    p.tap("phone-key-3")  # a touch restarts the idle timer
    p.advance(59)
    assert p.app.top.key == "help"
    p.advance(2)
    assert p.app.top.key == "idle"  # standard mode warns too, with 继续
    p.advance(11)
    assert p.app.top.key == "home" and len(p.app.stack) == 1
    p.tap("menu-item-2")
    assert p.app.top.stage == "menu"  # nothing of the earlier entry is left


def test_large_print_idle_counts_down_with_continue_first(offline_terminal):
    p = offline_terminal(Mode.LARGE)
    p.tap("menu-item-0")
    p.advance(119)
    assert p.app.top.key == "take"
    p.advance(2)
    assert p.app.top.key == "idle"
    assert "秒后返回首页" in p.text_of("idle-countdown")
    p.tap("idle-continue")
    assert p.app.top.key == "take"
    p.advance(121)
    assert p.app.top.key == "idle"
    p.advance(11)
    assert p.app.top.key == "home" and p.app.mode is Mode.LARGE


def test_mode_switch_on_any_screen_and_back_to_default_after_idle(offline_terminal):
    p = offline_terminal(Mode.NORMAL)
    p.tap("menu-item-1")
    p.tap("mode-toggle")
    assert p.app.mode is Mode.LARGE and p.app.top.key == "guides"
    assert p.widget("mode-toggle").on and p.text_of("mode-toggle") == "长辈模式 开"  # says its state
    p.advance(121)
    p.advance(11)
    assert p.app.top.key == "home"
    p.frames(2)
    assert p.app.mode is Mode.NORMAL


def test_a_late_ticket_reply_after_leaving_the_screen_is_voided(offline_terminal):
    p = offline_terminal(Mode.NORMAL)
    link = NullLink()
    p.terminal.session.link = link
    p.tap("menu-item-0")
    p.tap("cat-B")
    p.tap("take-confirm")
    txn = p.app.top.txn
    assert link.sent[-1][0] == "ticket.issue"
    p.tap("go-home")  # the resident walks away while the hub is slow
    result = {"ticket": "20261129-B001", "number": "B001", "state": "waiting", "people_ahead": 0, "eta_s": None}
    p.post(ReplyIn(reply=Reply(txn=txn, ok=True, result=result)))
    assert link.sent[-1] == ("ticket.void", {"ticket": "20261129-B001", "reason": "kiosk_timeout"})
    assert p.app.top.key == "home"


def test_a_booking_answered_after_the_person_left_is_cancelled(offline_terminal):
    """确认预约, then 返回首页 before the hub answers: nobody will ever see the code, so the place goes back;
    a booking that was shown is kept."""
    p = offline_terminal(Mode.NORMAL)
    p.terminal.session.link = link = NullLink()

    def to_submit() -> str:
        choose(p, "menu", "book")
        choose(p, "book-cats", "C")
        p.tap("book-skip")
        post_reply(p, result={"category": "C", "category_name": "人社业务", "slots": sample_slots()})
        choose(p, "book-days", "2026-11-30")
        choose(p, "book-slots", "2026-11-30T08:30")
        type_keys(p, "book-phone", "13812345678")
        p.tap("book-submit")
        assert link.sent[-1][0] == "appointment.book"
        return p.app.top.txn

    txn = to_submit()
    p.tap("go-home")  # walks away while the hub is slow
    p.post(ReplyIn(reply=Reply(txn=txn, ok=True, result={"code": "K7M3QX", "slot": "2026-11-30T08:30"})), 2)
    assert link.sent[-1] == ("appointment.cancel", {"code": "K7M3QX"})
    assert p.terminal.session.cancelled == ["K7M3QX"] and p.app.top.key == "home"

    txn = to_submit()
    post_reply(p, result={"code": "P4WX9T", "date": "2026-11-30", "start": "08:30", "end": "09:00",
                          "category": "C", "category_name": "人社业务", "slot": "2026-11-30T08:30"})
    assert p.exists("done-code")
    p.tap("go-home")
    assert link.sent[-1][0] == "appointment.book" and p.terminal.session.cancelled == ["K7M3QX"]


def test_timeout_then_late_reply_keeps_the_desk_screen(offline_terminal):
    p = offline_terminal(Mode.NORMAL, reply_timeout=2.0)
    p.terminal.session.link = link = NullLink()
    p.tap("menu-item-0")
    p.tap("cat-A")
    p.tap("take-confirm")
    txn = p.app.top.txn
    p.advance(2.1)
    assert "请到咨询台取号" in p.text_of("failed-body")
    p.post(ReplyIn(reply=Reply(txn=txn, ok=True, result={"ticket": "x-A001", "state": "waiting"})))
    assert link.sent[-1][0] == "ticket.void" and p.exists("failed-body")


def test_decoding_drops_malformed_messages():
    topics = Topics("huangtan")
    reply = topics.reply("kiosk-1")
    assert decode_inbound(Inbound(topics.board, b"{not json"), topics, reply) is None
    assert decode_inbound(Inbound(topics.catalog, b'{"v":1,"catalog":{"format":9}}'), topics, reply) is None
    assert decode_inbound(Inbound(topics.mode, b""), topics, reply) is None
    assert decode_inbound(Inbound("", connected=True), topics, reply).connected is True


def test_phone_rules_and_mask():
    assert mask_phone("13812345678") == "138****5678"
    assert valid_phone("13812345678") and valid_phone("07285321001")
    assert not valid_phone("1381234") and not valid_phone("23812345678")


def test_ticket_qr_payload():
    assert ticket_qr("huangtan", "20261129-A001") == "HT1|huangtan|20261129-A001"


def test_speaker_is_silent_without_espeak(monkeypatch, caplog):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    s = Speaker(enabled=True)
    s.say("取号")
    assert not s.enabled and s.spoken == [] and "not installed" in caplog.text


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")
def test_read_aloud_speaks_heading_and_choices_once(offline_terminal):
    p = offline_terminal(Mode.NORMAL, read_aloud=True)
    p.tap("menu-item-0")
    spoken = p.terminal.session.speaker.spoken
    assert spoken and spoken[-1].startswith("取号：请选择业务") and "户口 / 身份证" in spoken[-1]
    before = len(spoken)
    p.advance(1)
    assert len(spoken) == before  # a redraw is not a new screen


def test_settings_defaults_and_errors(hall_cfg, tmp_path):
    s = load_settings(hall_cfg)
    assert s.idle_seconds == 60 and s.idle_seconds_large == 120 and s.villages == DEFAULT_VILLAGES
    raw = {"site": {"id": "x", "name": "x"}, "categories": [{"id": "A", "name": "a"}],
           "windows": [{"id": "w1", "number": 1, "name": "w", "kind": "comprehensive", "categories": ["A"]}],
           "terminal": {"idle_seconds": 30, "villages": ["甲村"], "read_alod": True}}
    with pytest.raises(ConfigError, match="terminal.read_alod"):
        load_settings(parse(tmp_path / "site.toml", raw))
    raw["terminal"] = {"idle_seconds": -1}
    with pytest.raises(ConfigError, match="terminal.idle_seconds"):
        load_settings(parse(tmp_path / "site.toml", raw))


def test_every_string_and_icon_has_glyphs_in_the_font():
    pygame.font.init()
    font = pygame.font.Font("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 30)
    missing_metrics = font.metrics("\ue000")[0]
    t = TerminalStrings()
    texts = []
    for f in fields(t):
        v = getattr(t, f.name)
        texts += list(v.values()) if isinstance(v, dict) else list(v) if isinstance(v, tuple) else [v]
    src = Path(__file__).resolve().parents[2] / "src" / "kiosk" / "terminal"
    for path in src.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.keyword) and node.arg == "icon" and isinstance(node.value, ast.Constant):
                texts.append(node.value.value)
    bad = {ch for text in texts for ch in text if not ch.isspace() and not ch.isascii()
           and font.metrics(ch)[0] == missing_metrics}
    assert not bad, f"characters the font cannot draw: {sorted(bad)}"


def test_chinese_text_lives_in_strings_only():
    src = Path(__file__).resolve().parents[2] / "src" / "kiosk" / "terminal"
    offenders = []
    for path in src.glob("*.py"):
        if path.name in ("strings.py", "strings_voice.py", "settings.py"):
            continue  # settings holds the sample village list (config data)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        # docstrings and command-line help are for operators and developers, not residents
        skip = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Expr)}
        skip |= {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.keyword) and n.arg == "help"}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip \
                    and any("\u4e00" <= ch <= "\u9fff" for ch in node.value):
                offenders.append(f"{path.name}:{node.lineno} {node.value[:20]}")
    assert not offenders, offenders


def test_modules_are_small_and_documented():
    src = Path(__file__).resolve().parents[2] / "src" / "kiosk" / "terminal"
    for module in src.glob("*.py"):
        text = module.read_text(encoding="utf-8")
        assert len(text.splitlines()) <= 600, module
        assert text.lstrip().startswith('"""'), module


def test_past_closing_asks_first_then_takes_the_ticket_anyway(offline_terminal):
    p = offline_terminal(Mode.NORMAL)
    p.terminal.session.link = link = NullLink()
    p.tap("menu-item-0")
    p.tap("cat-E")
    p.tap("take-confirm")
    warning = "预计等候约 95 分钟，可能超过今天下班时间 17:30；可改为预约，或确认后仍然取号"
    p.post(ReplyIn(reply=Reply(txn=p.app.top.txn, ok=False, code="past_closing", message=warning)))
    assert p.text_of("late-body") == warning and p.check_layout() == []
    p.tap("late-accept")
    op, args = link.sent[-1]
    assert op == "ticket.issue" and args["accept_late"] is True and args["category"] == "E"


def test_past_closing_offers_booking_instead(offline_terminal):
    """The hub says 可改为预约: the screen has the button for it, which opens booking in its place (back from
    booking's first step is the home screen, not the warning again) and takes no number."""
    p = offline_terminal(Mode.LARGE)
    p.terminal.session.link = link = NullLink()
    p.tap("menu-item-0")
    p.tap("cat-E")
    p.tap("take-confirm")
    sent = len(link.sent)
    warning = "预计等候约 95 分钟，可能超过今天下班时间 17:30；可改为预约，或确认后仍然取号"
    p.post(ReplyIn(reply=Reply(txn=p.app.top.txn, ok=False, code="past_closing", message=warning)))
    assert p.text_of("late-book").endswith("改为预约") and p.check_layout() == []
    p.tap("late-book")
    assert type(p.app.top).__name__ == "BookScreen"
    assert [type(s).__name__ for s in p.app.stack] == ["HomeScreen", "BookScreen"]
    assert len(link.sent) == sent  # no ticket.issue went out


def test_hall_closed_shows_the_hubs_explanation(offline_terminal):
    p = offline_terminal(Mode.NORMAL)
    p.terminal.session.link = NullLink()
    p.tap("menu-item-0")
    p.tap("cat-A")
    p.tap("take-confirm")
    text = "现在不办理现场取号（已下班），下次办公时间 11月19日 08:30"
    p.post(ReplyIn(reply=Reply(txn=p.app.top.txn, ok=False, code="hall_closed", message=text)))
    assert text in p.text_of("failed-reason") and "请到咨询台取号" in p.text_of("failed-body")


def test_booking_codes_from_scans_and_typing():
    from kiosk.protocol.links import booking_qr
    from kiosk.terminal.codes import code_from_scan, plausible_code

    assert booking_qr("huangtan", "K7M3QX") == "HTYY|huangtan|K7M3QX"
    assert code_from_scan("HTYY|huangtan|K7M3QX\n", "huangtan") == "K7M3QX"
    assert code_from_scan("htyy|huangtan|k7m-3qx", "huangtan") == "K7M3QX"
    assert code_from_scan("k7m 3qx", "huangtan") == "K7M3QX"  # a bare code
    assert code_from_scan("HTYY|othertown|K7M3QX", "huangtan") is None
    assert code_from_scan("HT1|huangtan|20261130-C004", "huangtan") is None  # a ticket, not a booking
    assert code_from_scan("K7M3Q0", "huangtan") is None and not plausible_code("K7M")


def test_a_refusal_keeps_the_fields_beyond_code_and_message(hall_cfg):
    import queue

    from kiosk.bus.client import Inbound
    from kiosk.protocol import Topics
    from kiosk.terminal.messages import Feed

    topics = Topics(hall_cfg.site_id)
    inbox: queue.Queue = queue.Queue()
    feed = Feed(inbox, topics, topics.reply("kiosk-1"))
    body = (b'{"v":1,"txn":"t1","ok":false,"error":{"code":"slot_full","message":"m",'
            b'"suggest":"2026-11-30T09:30"}}')
    feed.put(Inbound(topics.reply("kiosk-1"), body))
    msg = inbox.get_nowait()
    assert msg.reply.code == "slot_full" and msg.error["suggest"] == "2026-11-30T09:30"


def test_a_scanned_booking_on_any_screen_opens_check_in(offline_terminal):
    from kiosk.terminal.messages import ScanResult

    p = offline_terminal()
    p.tap("menu-item-1")  # 办事指南
    p.post(ScanResult(text="not a booking"), 2)
    assert p.app.top.key == "guides"
    p.post(ScanResult(text="HTYY|huangtan|K7M3QX"), 2)
    assert p.app.top.key == "checkin" and p.app.top.stage == "sending"
    assert p.terminal.session.link.sent[-1] == ("appointment.checkin", {"code": "K7M3QX"})


def test_online_url_must_be_an_address(hall_cfg):
    import dataclasses

    from kiosk.errors import ConfigError
    from kiosk.terminal.settings import PLACEHOLDER_ONLINE_URL, load_settings

    assert load_settings(hall_cfg).online_url == PLACEHOLDER_ONLINE_URL
    bad = dataclasses.replace(hall_cfg, roles={**hall_cfg.roles, "terminal": {"online_url": "ehb"}})
    with pytest.raises(ConfigError, match="terminal.online_url"):
        load_settings(bad)


def test_a_late_booking_is_retried_with_the_same_txn(offline_terminal):
    from .appointment_helpers import choose, post_reply, sample_slots, type_keys

    p = offline_terminal(reply_timeout=1.0)
    choose(p, "menu", "book")
    choose(p, "book-cats", "C")
    p.tap("book-skip")
    post_reply(p, result={"slots": sample_slots()})
    choose(p, "book-days", "2026-11-30")
    choose(p, "book-slots", "2026-11-30T08:30")
    type_keys(p, "book-phone", "13812345678")
    p.tap("book-submit")
    txn = p.app.top.txn
    p.advance(1.5)
    assert p.exists("book-error") and "系统暂未响应" in p.text_of("book-error")
    p.tap("book-retry")
    sent = p.terminal.session.link.sent
    assert sent[-1] == sent[-2] and sent[-1][0] == "appointment.book"
    assert p.app.top.txn == txn  # the hub answers a retry with the same booking
    p.advance(1.5)
    post_reply(p, result={"code": "K7M3QX", "category": "C", "date": "2026-11-30", "start": "08:30",
                          "end": "09:00", "materials": []}, txn=txn)  # the late answer is still shown
    assert p.text_of("done-code") == "K7M3QX" and "身份证" in p.text_of("done-doc")


def test_home_shows_every_choice_at_once_in_standard_mode_and_the_most_used_first_in_large(offline_terminal):
    p = offline_terminal(Mode.NORMAL, "landscape")
    menu = p.widget("menu")
    values = [it.value for it in menu.items]
    assert values[:5] == ["take", "guides", "help", "phones", "evaluate"]
    assert all(p.exists(f"menu-item-{i}") for i in range(len(values))) and not p.exists("menu-next")
    assert p.widget("menu-item-0").hero and p.widget("menu-item-0").tone == "primary"  # 取号 dominates
    hero, other = p.widget("menu-item-0").rect, p.widget("menu-item-1").rect
    assert hero.width * hero.height > 4 * other.width * other.height
    assert p.text_of("mode-toggle") == "长辈模式 关" and not p.widget("mode-toggle").on
    p.tap("mode-toggle")
    assert p.app.mode is Mode.LARGE and p.text_of("mode-toggle") == "长辈模式 开"
    first = [w.value for w in p.root.walk() if getattr(w, "choice", False)]
    assert first == [0, 1, 2, 3, 4, 5]  # 取号 … 办事评价 on the first page
    p.swipe("menu-item-3", "left")
    assert p.widget("menu").page == 1
    second = [p.widget("menu").items[w.value].value for w in p.root.walk() if getattr(w, "choice", False)]
    assert {"feedback", "open_gov", "disclosure"} <= set(second)
    assert p.check_layout() == []


@pytest.mark.parametrize("mode", list(Mode))
@pytest.mark.parametrize("orientation", ["portrait", "landscape"])
def test_categories_in_visitors_words_and_a_finder_by_what_they_want_to_do(offline_terminal, mode, orientation):
    from .conftest import SHOTS
    p = offline_terminal(mode, orientation)
    p.tap("menu-item-0")
    texts = " ".join(p.visible_texts())
    assert "社保 / 就业 / 退休" in texts and "户口 / 身份证" in texts and "营业执照" in texts and "医保" in texts
    assert "字头" not in texts and not any(ch.islower() for ch in texts if ch.isascii() and ch.isalpha())
    p.tap("take-find")
    assert p.app.top.stage == "find" and p.check_layout() == []
    p.screenshot(SHOTS / f"take-find-{mode.value}-{orientation}.png")
    lst = p.widget("find-tasks")
    index = next(i for i, it in enumerate(lst.items) if it.label.startswith("社保卡"))
    while not p.exists(f"find-tasks-item-{index}"):
        p.swipe("find-tasks", "left")
    p.tap(f"find-tasks-item-{index}")
    assert p.app.top.stage == "confirm" and p.app.top.flow.category == "C"
    assert "社保 / 就业 / 退休" in p.text_of("confirm-category")
    p.tap("go-back")
    assert p.app.top.stage == "choose"


@pytest.mark.parametrize("mode", list(Mode))
def test_every_mode_warns_before_the_reset_and_continue_keeps_the_half_filled_form(offline_terminal, mode):
    p = offline_terminal(mode)
    p.tap("menu-item-2")
    p.tap("help-visit")
    p.tap("group-0")
    for d in "1381":
        p.tap(f"phone-key-{d}")
    p.advance(p.terminal.settings.idle_for(mode is Mode.LARGE) + 1)
    assert p.app.top.key == "idle" and "秒后返回首页" in p.text_of("idle-countdown")
    assert p.check_layout() == []
    p.tap("idle-continue")
    assert p.app.top.key == "help" and p.app.top.stage == "visit_phone"
    assert p.widget("phone").value == "1381" and p.app.mode is mode  # nothing lost, mode kept


def test_large_print_home_asks_before_it_goes_back_to_standard(offline_terminal):
    p = offline_terminal(Mode.NORMAL)
    p.tap("mode-toggle")
    assert p.app.mode is Mode.LARGE and p.app.top.key == "home"
    p.advance(121)
    assert p.app.top.key == "idle"  # not switched back under a visitor still reading
    p.tap("idle-continue")
    assert p.app.mode is Mode.LARGE and p.app.top.key == "home"
    p.advance(121)
    p.advance(11)
    p.frames(2)
    assert p.app.mode is Mode.NORMAL and p.app.top.key == "home"


def _reply(p, txn, **result):
    from kiosk.bus.rpc import Reply
    from kiosk.terminal.messages import ReplyIn
    p.post(ReplyIn(reply=Reply(txn=txn, ok=True, result=result, code=None, message=None)), 2)


def test_a_waiting_help_call_outlives_the_idle_reset_and_its_answer_reaches_any_screen(offline_terminal):
    p = offline_terminal(Mode.NORMAL)
    p.tap("menu-item-2")
    p.tap("help-call")
    txn = p.app.top.txn
    _reply(p, txn, alert="h1", state="waiting", kind="desk")
    assert p.app.top.stage == "desk_waiting" and not p.exists("help-banner")
    p.advance(61)
    p.advance(11)
    assert p.app.top.key == "home"
    assert "已呼叫工作人员，请在本机旁稍候" in p.text_of("help-banner")  # the call is not forgotten
    p.tap("menu-item-1")  # the visitor browses the guides meanwhile
    assert p.exists("help-banner")
    _reply(p, txn, alert="h1", state="acknowledged", by="咨询台王芳", kind="desk")
    assert p.app.top.key == "guides"
    assert p.text_of("help-banner").endswith("工作人员（咨询台王芳）马上就到")
    assert p.check_layout() == []
    p.advance(30)
    p.tap("go-home")
    assert "咨询台王芳" in p.text_of("help-banner")  # still there on the next screen
    p.advance(200, dt=1.0)
    p.frames(2)
    assert not p.exists("help-banner")  # shown long enough, then gone


def test_a_warning_about_an_entry_goes_as_soon_as_it_is_being_corrected(offline_terminal):
    p = offline_terminal(Mode.LARGE)
    p.tap("menu-item-2")
    p.tap("help-visit")
    p.tap("group-0")
    for d in "138":
        p.tap(f"phone-key-{d}")
    p.tap("phone-key-ok")
    assert p.exists("phone-error")  # 138 is not a phone number
    p.tap("phone-key-1")
    assert not p.exists("phone-error")  # the banner does not stay while the fix is typed
    assert p.widget("phone").value == "1381"


def test_paging_never_reads_as_a_second_back_button(offline_terminal):
    p = offline_terminal(Mode.LARGE)
    p.tap("menu-item-1")
    p.tap("how-department")
    labels = [w.label for w in p.root.walk() if hasattr(w, "label") and isinstance(w.label, str)]
    assert "上一步" in labels and "往后翻" in labels
    assert not any(label.startswith("上一") and label != "上一步" for label in labels)
