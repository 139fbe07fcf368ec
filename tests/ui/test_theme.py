"""Theme tokens: WCAG contrast, mm→px, large-print floor, errors that name file and key."""

import dataclasses
import tomllib

import pytest

from kiosk.ui.errors import ThemeError
from kiosk.ui.theme import (MM_PER_INCH, RULES, TEXT_PAIRS, Mode, contrast_ratio, default_theme_path,
                            load_themes, parse_size, parse_themes)


def test_contrast_known_values():
    assert contrast_ratio((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0)
    assert contrast_ratio((255, 255, 255), (0, 0, 0)) == pytest.approx(21.0)
    assert contrast_ratio((123, 45, 67), (123, 45, 67)) == pytest.approx(1.0)
    assert contrast_ratio((0x77, 0x77, 0x77), (255, 255, 255)) == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio((0, 0, 255), (255, 255, 255)) == pytest.approx(8.59, abs=0.01)
    assert contrast_ratio((255, 0, 0), (255, 255, 255)) == pytest.approx(4.00, abs=0.01)


def test_sizes_in_mm_follow_the_panel_dpi():
    assert parse_size("25.4mm", 96, file="f", key="k") == 96
    assert parse_size("9mm", 160, file="f", key="k") == round(9 * 160 / MM_PER_INCH)
    assert parse_size("36px", 96, file="f", key="k") == 36
    assert parse_size(40, 96, file="f", key="k") == 40


@pytest.mark.parametrize("dpi", [72, 96, 160])
def test_shipped_theme_meets_both_floors(dpi):
    themes = load_themes(default_theme_path(), dpi=dpi)
    large, normal = themes.large, themes.normal
    px = lambda mm: mm * dpi / MM_PER_INCH  # noqa: E731
    assert large.text_body + 0.5 >= px(9) and large.target_min + 0.5 >= px(20)
    assert large.line_spacing >= 1.3 and large.max_choices <= 6 and large.min_contrast == 7.0
    assert normal.target_min + 0.5 >= px(12) and normal.min_contrast == 4.5
    for theme in (normal, large):
        for fg, bg in TEXT_PAIRS:
            assert contrast_ratio(getattr(theme.colors, fg), getattr(theme.colors, bg)) >= theme.min_contrast


def test_tokens_are_frozen(themes):
    with pytest.raises(dataclasses.FrozenInstanceError):
        themes.large.text_body = 10  # type: ignore[misc]


def _doc():
    return tomllib.loads(default_theme_path().read_text(encoding="utf-8"))


@pytest.mark.parametrize("mutate, key, reason", [
    (lambda d: d["modes"]["large"].__setitem__("text_body", "6mm"), "modes.large.text_body", "minimum of 9"),
    (lambda d: d["modes"]["large"].__setitem__("target_min", "15mm"), "modes.large.target_min", "20"),
    (lambda d: d["modes"]["large"].__setitem__("line_spacing", 1.1), "modes.large.line_spacing", "1.3"),
    (lambda d: d["modes"]["large"].__setitem__("max_choices", 8), "modes.large.max_choices", "6"),
    (lambda d: d["modes"]["normal"]["colors"].__setitem__("text", "#AAAAAA"), "modes.normal.colors.text",
     "contrast"),
    (lambda d: d["modes"]["normal"].pop("spacing"), "modes.normal.spacing", "missing"),
    (lambda d: d["modes"]["normal"].__setitem__("padding", "three"), "modes.normal.padding", "size"),
    (lambda d: d["modes"]["normal"]["colors"].__setitem__("primary", "blu"), "modes.normal.colors.primary",
     "palette"),
])
def test_bad_theme_names_file_key_and_reason(mutate, key, reason):
    doc = _doc()
    mutate(doc)
    with pytest.raises(ThemeError) as err:
        parse_themes(doc, dpi=96, file="theme.toml")
    assert err.value.file == "theme.toml" and err.value.key == key
    assert reason in err.value.reason and key in str(err.value)


def test_unreadable_files_are_theme_errors(tmp_path):
    with pytest.raises(ThemeError, match="not found"):
        load_themes(tmp_path / "missing.toml", dpi=96)
    bad = tmp_path / "bad.toml"
    bad.write_text("[modes\n", encoding="utf-8")
    with pytest.raises(ThemeError, match="bad.toml"):
        load_themes(bad, dpi=96)


def test_rules_table_matches_the_brief():
    assert RULES[Mode.LARGE].min_body_mm == 9 and RULES[Mode.LARGE].min_target_mm == 20
    assert RULES[Mode.LARGE].max_choices == 6 and RULES[Mode.NORMAL].min_target_mm == 12
