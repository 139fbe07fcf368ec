"""Line breaking (kinsoku, Latin words), layout overflow and shrink-to-fit."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.ui.errors import FontError, TextOverflowError
from kiosk.ui.text import CLOSING, OPENING, FontCache, break_lines, clusters, fit, layout


def mono(s: str) -> int:
    """Fake measure: CJK/full-width = 2 units, everything else 1 (times 10 px)."""
    return sum(20 if ord(c) > 0x2E80 else 10 for c in s)


def unbreakable(line: str) -> bool:
    """True when the line is one cluster that no legal break could split."""
    return len(clusters(line.strip())) <= 1


def consumed(text: str, lines: list[str]) -> bool:
    """The lines are the text in order, with only whitespace/newlines removed at the breaks."""
    pos = 0
    for line in lines:
        while pos < len(text) and text[pos] in " \t\u3000\n" and not text.startswith(line, pos):
            pos += 1
        if not text.startswith(line, pos):
            return False
        pos += len(line)
    return text[pos:].strip(" \t\u3000\n") == ""


def test_breaks_between_cjk_characters():
    assert break_lines("一二三四五六七八九", 80, mono) == ["一二三四", "五六七", "八九"]  # no orphan 九
    assert break_lines("黄潭镇便民服务中心", 80, mono) == ["黄潭镇", "便民服务", "中心"]  # words stay whole


def test_closing_punctuation_never_starts_a_line():
    lines = break_lines("请到三号窗口，谢谢。", 120, mono)
    assert lines == ["请到三号", "窗口，谢谢。"]
    assert all(line[0] not in CLOSING for line in lines)


def test_opening_punctuation_never_ends_a_line():
    lines = break_lines("携带身份证（原件）办理", 120, mono)
    assert all(line[-1] not in OPENING for line in lines)
    assert "".join(lines) == "携带身份证（原件）办理"


def test_latin_words_and_numbers_stay_whole():
    lines = break_lines("办理时间8:30-17:00 Please bring your card", 140, mono)
    assert "8:30-17:00" in "".join(lines)
    assert any("8:30-17:00" in line for line in lines)
    for word in ("Please", "bring", "your", "card"):
        assert any(word in line.split() for line in lines)


def test_a_masked_number_stays_whole():
    """A phone or ID number with masked digits is one word: "138*" and "***5678" on two lines read as two
    numbers."""
    text = "我们会电话回访138****5678。"
    for width in range(130, 400, 10):  # wherever the number with its 。 fits on a line
        lines = break_lines(text, width, mono)
        assert consumed(text, lines) and any("138****5678" in line for line in lines), (width, lines)
    assert break_lines("身份证号4201**********1234", 200, mono) == ["身份证号", "4201**********1234"]


def test_spaces_at_breaks_are_dropped_and_newlines_kept():
    assert break_lines("aaa bbb\nccc", 50, mono) == ["aaa", "bbb", "ccc"]
    assert break_lines("一\n\n二", 100, mono) == ["一", "", "二"]


def test_the_orphan_rule_leaves_no_empty_line_and_no_closing_mark_first():
    """Found by the property test below: the lone 中 took " .、" along, which left the first line empty
    and began the second with a full stop."""
    assert break_lines(" .、中！", 70, mono) == [" .、", "中！"]
    assert break_lines("请到.、中！", 90, mono) == ["请到.、", "中！"]


def test_too_long_word_is_broken_rather_than_overflowing():
    lines = break_lines("ABCDEFGHIJKLMNOP", 50, mono)
    assert all(mono(line) <= 50 for line in lines)
    assert "".join(lines) == "ABCDEFGHIJKLMNOP"


ALPHABET = st.sampled_from(list("黄潭镇便民服务中心请到窗口办理") + list("，。、；：？！）」》】’”（「《【‘“")
                           + list("abcXYZ0123456789") + [" ", " ", ".", "-", ":"])


@settings(max_examples=300, deadline=None)
@given(text=st.text(ALPHABET, min_size=1, max_size=80), width=st.integers(60, 400))
def test_line_breaking_properties_fake_font(text, width):
    lines = break_lines(text, width, mono)
    check_properties(text, lines, width, mono)


@settings(max_examples=120, deadline=None)
@given(text=st.text(ALPHABET, min_size=1, max_size=60), width=st.integers(60, 500))
def test_line_breaking_properties_real_font(fonts, text, width):
    font = fonts.get(24)
    measure = lambda s: font.size(s)[0]  # noqa: E731
    check_properties(text, break_lines(text, width, measure), width, measure)


def check_properties(text, lines, width, measure):
    assert consumed(text, lines), (text, lines)
    for i, line in enumerate(lines):
        if i > 0 and line:
            assert line[0] not in CLOSING, (text, lines)
        if i < len(lines) - 1 and line:
            assert line[-1] not in OPENING, (text, lines)
        assert measure(line) <= width or unbreakable(line), (text, lines, width)


def test_layout_measures_and_flags_overflow(fonts):
    font = fonts.get(30)
    ok = layout("黄潭镇便民服务中心欢迎您", font, 200, size=30, line_spacing=1.4)
    assert not ok.overflow and len(ok.lines) >= 2 and ok.width <= 200
    assert ok.line_pitch == 42 and ok.height == (len(ok.lines) - 1) * 42 + font.get_height()
    tall = layout("黄潭镇便民服务中心欢迎您", font, 200, max_height=40, size=30)
    assert tall.overflow
    with pytest.raises(TextOverflowError):
        tall.raise_if_overflow()


def test_fit_shrinks_down_to_the_floor_then_reports(fonts):
    shrunk = fit("社保卡申领", fonts, 130, 60, size=40, min_size=20)
    assert not shrunk.overflow and 20 <= shrunk.font_size < 40 and shrunk.lines == ("社保卡申领",)
    stuck = fit("社保卡申领与医保缴费一件事", fonts, 60, 30, size=40, min_size=30)
    assert stuck.overflow and stuck.font_size == 30


def test_font_cache_reports_missing_file(fonts):
    with pytest.raises(FontError):
        FontCache("/nonexistent/font.ttc").get(20)
    assert fonts.get(20) is fonts.get(20)


@settings(max_examples=200, deadline=None)
@given(text=st.text(ALPHABET, min_size=1, max_size=30), width=st.integers(1, 40))
def test_narrower_than_one_glyph_never_crashes(text, width):
    lines = break_lines(text, width, mono)
    assert consumed(text, lines)
    assert all(mono(line) <= width or unbreakable(line) or len(line.strip()) == 1
               or any(c in CLOSING | OPENING for c in line) for line in lines)


def test_a_window_name_or_a_word_is_never_cut_and_no_line_is_a_lone_character():
    text = "请在等候区就座，留意叫号屏和语音叫号。办理窗口：3号人社窗口、5号综合窗口"
    for width in range(120, 400, 10):  # at least the widest word with its punctuation (人社窗口、)
        lines = break_lines(text, width, mono)
        assert "".join(lines) == text
        for a, b in zip(lines, lines[1:]):
            assert not (a.endswith("人") and b.startswith("社")), lines   # "3号人/社窗口"
            assert not (a.endswith("窗") and b.startswith("口")), lines
            assert not (a[-1:].isdigit() and b.startswith("号")), lines  # 3 / 号
    assert break_lines("请携带身份证到窗口办", 90, mono)[-1] != "办"  # the orphan 办


def test_a_numbered_window_moves_to_the_next_line_whole():
    """ "办理窗口：3号 / 人社窗口" parts the number from its window; "请到5号 / 窗口" too."""
    text = "办理窗口：3号人社窗口、5号综合窗口"
    for width in range(140, 400, 10):  # wherever 3号人社窗口、 fits on a line of its own
        lines = break_lines(text, width, mono)
        assert "".join(lines) == text
        assert any("3号人社窗口" in line for line in lines) and any("5号综合窗口" in line for line in lines), lines
    assert break_lines("系统维护，请到5号窗口", 140, mono) == ["系统维护，请到", "5号窗口"]
    assert break_lines("系统维护，请到5号窗口", 110, mono) == ["系统维护，", "请到5号窗口"]
    # narrower than the name itself: it breaks where it would without the rule, never inside a word
    assert break_lines("窗口：3号人社窗口", 100, mono) == ["窗口：3号", "人社窗口"]


def test_an_orphan_never_swallows_the_space_before_it():
    # found by the property test: the lone 中 pulled 0 across a space and the space vanished
    lines = break_lines("00000000 0 中", 60, mono)
    check_properties("00000000 0 中", lines, 60, mono)
    assert lines[-1] == "中"
