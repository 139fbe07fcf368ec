"""The pinyin keyboard: the candidate table against pypinyin, its ordering rule, splitting typed letters
into syllables, composing, and entering a name and an address by tapping keys like a person."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from kiosk.ui.pinyin import (TABLE_PATH, PinyinKeyboard, PinyinTable, build_table, char_level, default_table,
                             plain_syllable)
from kiosk.ui.screen import Screen
from kiosk.ui.theme import Mode
from kiosk.ui.widget import Column, EntrySubmitted
from kiosk.ui.pilot import Pilot

SAMPLE = ("zhang", "san", "huang", "tan", "zhen", "cun", "zu", "li", "lv", "wang", "de", "shi")


@pytest.fixture(scope="module")
def built():
    return build_table()


@pytest.fixture(scope="module")
def stored():
    return json.loads(TABLE_PATH.read_text(encoding="utf-8"))


def test_the_stored_table_is_what_pypinyin_gives(built, stored):
    assert stored["format"] == built["format"] == 1
    assert set(stored["chars"]) == set(built["chars"])
    for syl in SAMPLE:
        assert stored["chars"][syl] == built["chars"][syl], syl
    for key in ("ni'hao", "zheng'fu", "xin'xi"):
        assert stored["words"].get(key) == built["words"].get(key), key


def test_candidates_follow_the_ordering_rule():
    """Within each GB 2312 level, characters seen more often with the reading in pypinyin's phrase
    dictionary come first — computed here independently of the builder."""
    from pypinyin.phrases_dict import phrases_dict

    counts: dict[tuple[str, str], int] = {}
    for phrase, readings in phrases_dict.items():
        for ch, r in zip(phrase, readings):
            counts[(ch, plain_syllable(r[0]))] = counts.get((ch, plain_syllable(r[0])), 0) + 1
    table = default_table()
    for syl in SAMPLE:
        chars = table.chars[syl]
        keys = [(char_level(c), -counts.get((c, syl), 0)) for c in chars]
        assert keys == sorted(keys), syl
    zhang = table.chars["zhang"]
    # 张 and 章 are both common (level 1): the one pypinyin's phrases use more with zhang comes first
    first, second = sorted("张章", key=lambda c: -counts.get((c, "zhang"), 0))
    assert zhang.index(first) < zhang.index(second)
    assert zhang.index("张") < 6  # on the first page even in large print
    assert table.chars["san"][0] == "三"
    assert all(char_level(c) is not None for c in table.chars["li"])  # nothing the font cannot draw


def test_splitting_typed_letters():
    t = default_table()
    assert t.segment("zhangsan") == ["zhang", "san"]
    assert t.segment("huangtancun") == ["huang", "tan", "cun"]
    assert t.segment("xian") == ["xian"]
    assert t.segment("zh") == ["zh"]            # the start of a syllable
    assert t.segment("zhangs") == ["zhang", "s"]
    assert t.segment("vvv") == []
    cands = t.candidates("zh")
    assert cands and all(c.consumes == 2 for c in cands)


def test_composing_consumes_what_a_candidate_stands_for():
    kb = PinyinKeyboard("kb", table=default_table())
    for ch in "nihao":
        kb.press(ch)
    cands = kb.current()
    assert cands[0].text == "你好" and cands[0].consumes == 5
    single = next(i for i, c in enumerate(cands) if c.text == "你")
    kb.press(("cand", single))
    assert kb.value == "你" and kb.letters == "hao"
    assert kb.press("ok") == []  # 确定 waits while pinyin is being typed
    kb.press("del")
    kb.press("del")
    kb.press("del")
    assert kb.letters == "" and kb.value == "你"
    kb.press("3")
    assert kb.value == "你3"
    kb.press("del")
    assert kb.value == "你"
    (msg,) = kb.press("ok")
    assert isinstance(msg, EntrySubmitted) and msg.value == "你"


def test_importing_the_keyboard_does_not_load_pypinyin_or_the_table():
    code = ("import sys, kiosk.ui.pinyin as p; "
            "print('pypinyin' in sys.modules, p.default_table.cache_info().currsize)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "0"]


# ------------------------------------------------------------------ by tapping, like a person

class KeyboardScreen(Screen):
    def __init__(self) -> None:
        super().__init__()
        self.submitted: list[str] = []
        self.beside = False

    def build(self, ctx):
        return Column("root", [PinyinKeyboard("kb", lines=2, beside=self.beside, flex=1)], padded=True)

    def handle(self, message):
        if isinstance(message, EntrySubmitted):
            self.submitted.append(message.value)
        return None


def pick(p: Pilot, text: str) -> None:
    """Tap the candidate ``text``, turning candidate pages as a person would."""
    for _ in range(30):
        kb = p.widget("kb")
        for w in kb.walk():
            if w.id.startswith("kb-key-cand-") and w.label == text:
                p.tap(w.id)
                return
        p.tap("kb-key-next")
    raise AssertionError(f"candidate {text} not found")


def type_pinyin(p: Pilot, syllable: str, char: str) -> None:
    for ch in syllable:
        p.tap(f"kb-key-{ch}")
    pick(p, char)


@pytest.mark.parametrize("mode", list(Mode))
def test_enter_a_name_and_an_address_by_tapping(mode):
    with Pilot.start({"kb": KeyboardScreen}, "kb", mode=mode) as p:
        type_pinyin(p, "zhang", "张")
        type_pinyin(p, "san", "三")
        assert p.widget("kb").value == "张三"
        p.tap("kb-key-ok")
        assert p.app.top.submitted == ["张三"]
        p.tap("kb-key-clear")
        for syl, ch in (("huang", "黄"), ("tan", "潭"), ("zhen", "镇"), ("huang", "黄"), ("tan", "潭"),
                        ("cun", "村")):
            type_pinyin(p, syl, ch)
        p.tap("kb-key-3")
        type_pinyin(p, "zu", "组")
        p.tap("kb-key-ok")
        assert p.app.top.submitted[-1] == "黄潭镇黄潭村3组"
        assert p.check_layout() == []


@pytest.mark.parametrize("orientation", ["portrait", "landscape"])
def test_large_print_candidates_and_keys(orientation):
    with Pilot.start({"kb": KeyboardScreen}, "kb", mode=Mode.LARGE, orientation=orientation) as p:
        p.app.top.beside = orientation == "landscape"
        p.app.top.invalidate()
        p.frames(1)
        for ch in "shi":
            p.tap(f"kb-key-{ch}")
        shown = [w for w in p.root.walk() if w.id.startswith("kb-key-cand-")]
        assert len(shown) == 6
        target = p.app.theme.target_min
        assert all(w.rect.width >= target and w.rect.height >= target for w in p.root.walk() if w.tappable)
        assert p.check_layout() == []
        p.tap("kb-key-next")
        assert p.text_of("kb-cands-page").startswith("第 2/")


def test_a_table_file_of_another_format_is_refused(tmp_path):
    bad = tmp_path / "t.json"
    bad.write_text(json.dumps({"format": 99, "chars": {}, "words": {}}), encoding="utf-8")
    with pytest.raises(ValueError, match="format"):
        PinyinTable.from_file(bad)


def test_the_halls_own_words_come_first():
    """潭 is not on page 3 in 黄潭: the town's words lead their syllables and come as whole words."""
    from kiosk.ui.pinyin import default_table
    plain = default_table()
    local = plain.with_lexicon(["黄潭", "黄潭镇", "低保", "五保", "杨场村"])
    assert [c.text for c in plain.candidates("tan")].index("潭") >= 8  # beyond a large-print page
    assert local.candidates("tan")[0].text == "潭"
    assert local.candidates("huangtan")[0].text == "黄潭"
    assert local.candidates("huangtanzhen")[0].text == "黄潭镇"
    assert local.candidates("dibao")[0].text == "低保"
    assert local.candidates("yangchangcun")[0].text == "杨场村"
    assert local.candidates("bao")[0].text == "保"
    # the common order is kept after the hall's words; nothing is lost
    assert set(plain.chars["tan"]) == set(local.chars["tan"])
