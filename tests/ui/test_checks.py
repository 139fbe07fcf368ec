"""check_layout must catch each kind of broken layout (a check that cannot fail is a defect)."""

import dataclasses

from kiosk.ui.checks import check_tree
from kiosk.ui.paging import ListItem, PagedList
from kiosk.ui.pilot import Pilot
from kiosk.ui.screen import Screen
from kiosk.ui.theme import Mode
from kiosk.ui.widget import Column, Container, Rect, Row
from kiosk.ui.widgets import Button, Label, TextBlock


class Fixed(Container):
    """Places children at absolute rects — lets a test build deliberately bad layouts."""

    def __init__(self, id, placed):
        super().__init__(id, [w for w, _ in placed])
        self.placed = [Rect(r) for _, r in placed]

    def _child_rects(self, inner, ctx):
        return self.placed


def tree_problems(ctx, root, area=(1080, 1920)):
    root.backdrop = ctx.theme.colors.background
    root.layout(Rect((0, 0), area), ctx)
    return check_tree(root, ctx)


def kinds(problems):
    return {p.kind for p in problems}


def test_long_text_in_small_button_is_reported(ctx_for):
    ctx = ctx_for()
    root = Fixed("root", [(Button("b", "请携带本人身份证原件到三号窗口办理社会保障卡申领业务"), (20, 20, 200, 60))])
    problems = tree_problems(ctx, root)
    assert "overflow" in kinds(problems) and any(p.widget_id == "b" for p in problems)


def test_overlapping_widgets_and_colliding_text_are_reported(ctx_for):
    ctx = ctx_for()
    root = Fixed("root", [(Label("a", "黄潭镇"), (20, 20, 400, 80)), (Label("b", "便民服务"), (60, 40, 400, 80))])
    problems = tree_problems(ctx, root)
    assert {"overlap", "collision"} <= kinds(problems)


def test_low_contrast_is_reported(ctx_for, themes):
    faded = dataclasses.replace(themes.normal, colors=dataclasses.replace(themes.normal.colors,
                                                                          text=(170, 170, 170)))
    ctx = ctx_for(theme=faded)
    problems = tree_problems(ctx, Column("root", [TextBlock("t", "灰色的字看不清")]))
    assert [p.kind for p in problems] == ["contrast"]


def test_large_mode_contrast_floor_is_stricter(ctx_for, themes):
    # 5:1 passes normal mode but fails large print
    grey = (0x6E, 0x6E, 0x6E)
    for mode, expected in ((Mode.NORMAL, set()), (Mode.LARGE, {"contrast"})):
        theme = themes.for_mode(mode)
        theme = dataclasses.replace(theme, colors=dataclasses.replace(theme.colors, text=grey,
                                                                      background=(255, 255, 255)))
        problems = tree_problems(ctx_for(theme=theme), Column("root", [TextBlock("t", "字")]))
        assert kinds(problems) == expected, mode


def test_small_touch_target_is_reported(ctx_for):
    ctx = ctx_for(Mode.LARGE)
    root = Fixed("root", [(Button("tiny", "好"), (20, 20, 60, 60))])
    problems = tree_problems(ctx, root)
    assert "target" in kinds(problems)
    assert any("below" in p.detail and "mm" in p.detail for p in problems if p.kind == "target")


def test_too_many_choices_in_large_mode_is_reported(ctx_for):
    ctx = ctx_for(Mode.LARGE)
    buttons = [Button(f"c{i}", f"选项{i}", choice=True) for i in range(7)]
    problems = tree_problems(ctx, Column("root", buttons, padded=True))
    assert kinds(problems) == {"choices"}
    # the same seven choices are fine in normal mode (max 8)
    assert tree_problems(ctx_for(), Column("root", [Button(f"c{i}", f"选项{i}", choice=True)
                                                    for i in range(7)], padded=True)) == []


def test_text_below_minimum_size_is_reported(ctx_for, themes):
    tiny = dataclasses.replace(themes.normal, text_small=8)
    problems = tree_problems(ctx_for(theme=tiny), Column("root", [TextBlock("fine", "小字", style="small")]))
    assert kinds(problems) == {"size", "glyph"}


def test_child_sticking_out_of_parent_is_reported(ctx_for):
    ctx = ctx_for()
    inner = Fixed("inner", [(Button("b", "确定"), (0, 0, 500, 100))])
    root = Fixed("root", [(inner, (0, 0, 200, 100))])
    assert "outside" in kinds(tree_problems(ctx, root))


def test_row_too_narrow_for_its_buttons_is_reported(ctx_for):
    ctx = ctx_for(Mode.LARGE)
    row = Row("row", [Button(f"k{i}", "删除") for i in range(12)])
    problems = tree_problems(ctx, Column("root", [row]))
    assert {"target", "overflow"} & kinds(problems)


class Broken(Screen):
    def build(self, ctx):
        return Fixed("root", [(Button("b", "这是一个非常非常长的按钮文字放不下"), (10, 10, 150, 40))])


def test_pilot_check_layout_reports_broken_screen():
    with Pilot.start({"broken": Broken}, "broken") as p:
        problems = p.check_layout()
        assert {"overflow", "target"} <= kinds(problems)
        assert all(str(pr).startswith("[") for pr in problems)


def test_paged_list_respects_six_choices_even_if_asked_for_more(ctx_for):
    ctx = ctx_for(Mode.LARGE)
    items = [ListItem(label=f"项目{i}") for i in range(20)]
    problems = tree_problems(ctx, Column("root", [PagedList("l", items, per_page=12, flex=1)], padded=True))
    assert problems == []


def test_glyphs_below_the_floor_are_reported_although_the_em_passes(ctx_for, themes, fonts):
    """Large print: a 9.5 mm em is above the 9 mm size floor, but 国 is only ~8.3 mm of ink at that em."""
    from kiosk.ui.text import glyph_height
    theme = dataclasses.replace(themes.large, text_body=36)  # 9.5 mm at 96 dpi
    ctx = ctx_for(mode=Mode.LARGE, theme=theme)
    problems = tree_problems(ctx, Column("root", [TextBlock("words", "国", style="body")], padded=True))
    assert kinds(problems) == {"glyph"}, problems
    assert "below the 9mm floor" in problems[0].detail
    ink = glyph_height("国", fonts.get(36))
    assert theme.mm(ink) < 9.0 < theme.mm(36)


def test_digits_are_drawn_larger_so_their_glyphs_match_chinese(ctx_for, fonts):
    """An ID number in large print: its digits stand as tall as the Chinese around it (6-8-4 groups)."""
    from kiosk.ui.text import glyph_height
    ctx = ctx_for(mode=Mode.LARGE)
    root = Column("root", [TextBlock("words", "证件号码", style="body"),
                           TextBlock("digits", "420102 19800101 1234", style="body")], padded=True)
    assert tree_problems(ctx, root) == []
    words, digits = (r for w in root.walk() for r in w.runs)
    assert digits.size > words.size
    assert abs(glyph_height(digits.text, fonts.get(digits.size)) - glyph_height(words.text, fonts.get(words.size))) <= 4
