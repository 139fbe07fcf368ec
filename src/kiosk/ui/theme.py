"""Theme tokens for normal and large-print (长辈模式) modes, loaded from TOML.

Rule: widgets never hard-code a colour or a size; they read a :class:`Theme`.
Tokens are validated once at load against the accessibility rules of their
mode (:data:`RULES`); a bad file raises :class:`ThemeError` naming the file,
the key and the reason. Sizes may be written in millimetres (``"9mm"``) or
pixels (``36`` or ``"36px"``); millimetres are converted with the panel DPI
passed to :func:`load_themes`, so the same file serves any panel.
"""

from __future__ import annotations

import enum
import re
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from kiosk.ui.errors import ThemeError

RGB = tuple[int, int, int]
MM_PER_INCH = 25.4


class Mode(enum.Enum):
    NORMAL = "normal"
    LARGE = "large"


@dataclass(frozen=True, slots=True, kw_only=True)
class Rules:
    """Accessibility floor for a mode; a theme may exceed but never undercut it."""

    min_contrast: float
    min_target_mm: float
    min_body_mm: float
    min_text_mm: float
    min_line_spacing: float
    max_choices: int
    min_glyph_mm: float  # ink height of the letters on the panel (checked by kiosk.ui.checks)


RULES: dict[Mode, Rules] = {
    Mode.NORMAL: Rules(min_contrast=4.5, min_target_mm=12.0, min_body_mm=5.0,
                       min_text_mm=4.0, min_line_spacing=1.15, max_choices=12, min_glyph_mm=3.5),
    Mode.LARGE: Rules(min_contrast=7.0, min_target_mm=20.0, min_body_mm=9.0,
                      min_text_mm=9.0, min_line_spacing=1.3, max_choices=6, min_glyph_mm=9.0),
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Colors:
    """Named colour roles. ``on_x`` is the text colour drawn on fill ``x``."""

    background: RGB
    surface: RGB
    text: RGB
    text_muted: RGB
    border: RGB
    focus: RGB
    primary: RGB
    on_primary: RGB
    secondary: RGB
    on_secondary: RGB
    disabled: RGB
    on_disabled: RGB
    info: RGB
    on_info: RGB
    ok: RGB
    on_ok: RGB
    warning: RGB
    on_warning: RGB
    error: RGB
    on_error: RGB


# (text role, fill role) pairs that must meet the mode's contrast floor.
TEXT_PAIRS: tuple[tuple[str, str], ...] = (
    ("text", "background"), ("text", "surface"),
    ("text_muted", "background"), ("text_muted", "surface"),
    ("on_primary", "primary"), ("on_secondary", "secondary"),
    ("on_disabled", "disabled"), ("on_info", "info"), ("on_ok", "ok"),
    ("on_warning", "warning"), ("on_error", "error"),
)

SIZE_KEYS = ("text_small", "text_body", "text_title", "text_display", "spacing",
             "padding", "border", "radius", "target_min")


@dataclass(frozen=True, slots=True, kw_only=True)
class Theme:
    """One resolved token set; every size is in logical pixels."""

    mode: Mode
    dpi: float
    font_file: str
    text_small: int
    text_body: int
    text_title: int
    text_display: int
    spacing: int
    padding: int
    border: int
    radius: int
    target_min: int
    line_spacing: float
    max_choices: int
    min_contrast: float
    min_text: int
    colors: Colors

    def text_size(self, style: str) -> int:
        """Pixel size of a text style: ``small``, ``body``, ``title`` or ``display``."""
        return int(getattr(self, f"text_{style}"))

    def mm(self, px: float) -> float:
        """Pixels → millimetres on this panel (for messages and checks)."""
        return px * MM_PER_INCH / self.dpi


@dataclass(frozen=True, slots=True, kw_only=True)
class ThemeSet:
    normal: Theme
    large: Theme

    def for_mode(self, mode: Mode) -> Theme:
        return self.large if mode is Mode.LARGE else self.normal


def relative_luminance(rgb: RGB) -> float:
    """WCAG 2.x relative luminance of an sRGB colour (0 = black, 1 = white)."""

    def channel(c: int) -> float:
        s = c / 255.0
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(fg: RGB, bg: RGB) -> float:
    """WCAG contrast ratio between two colours, from 1.0 to 21.0 (order-free)."""
    a, b = relative_luminance(fg), relative_luminance(bg)
    hi, lo = max(a, b), min(a, b)
    return (hi + 0.05) / (lo + 0.05)


_HEX = re.compile(r"^#([0-9a-fA-F]{6})$")
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mm|px)\s*$")


def parse_color(value: Any, palette: dict[str, RGB], *, file: str, key: str) -> RGB:
    """``"#RRGGBB"`` or a palette name → RGB tuple."""
    if isinstance(value, str):
        if value in palette:
            return palette[value]
        m = _HEX.match(value)
        if m:
            h = m.group(1)
            return (int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16))
    raise ThemeError(file, key, f"expected '#RRGGBB' or a palette name, got {value!r}")


def parse_size(value: Any, dpi: float, *, file: str, key: str) -> int:
    """``"9mm"``, ``"36px"`` or a bare number of pixels → whole pixels (≥ 0)."""
    if isinstance(value, bool):
        raise ThemeError(file, key, f"expected a size like '9mm' or 36, got {value!r}")
    if isinstance(value, (int, float)):
        px = float(value)
    elif isinstance(value, str) and (m := _SIZE.match(value)):
        num, unit = float(m.group(1)), m.group(2)
        px = num * dpi / MM_PER_INCH if unit == "mm" else num
    else:
        raise ThemeError(file, key, f"expected a size like '9mm' or 36, got {value!r}")
    if px < 0:
        raise ThemeError(file, key, "size must not be negative")
    return round(px)


def _mode_theme(mode: Mode, table: dict[str, Any], palette: dict[str, RGB], *,
                dpi: float, font_file: str, file: str) -> Theme:
    prefix = f"modes.{mode.value}"
    rules = RULES[mode]
    sizes: dict[str, int] = {}
    for key in SIZE_KEYS:
        if key not in table:
            raise ThemeError(file, f"{prefix}.{key}", "missing")
        sizes[key] = parse_size(table[key], dpi, file=file, key=f"{prefix}.{key}")

    def number(key: str, kind: type) -> Any:
        v = table.get(key)
        if v is None:
            raise ThemeError(file, f"{prefix}.{key}", "missing")
        if isinstance(v, bool) or not isinstance(v, (int, float)) or (kind is int and not isinstance(v, int)):
            raise ThemeError(file, f"{prefix}.{key}", f"expected {kind.__name__}, got {v!r}")
        return kind(v)

    line_spacing = number("line_spacing", float)
    max_choices = number("max_choices", int)

    ctable = table.get("colors")
    if not isinstance(ctable, dict):
        raise ThemeError(file, f"{prefix}.colors", "missing table")
    colours: dict[str, RGB] = {}
    for f in fields(Colors):
        if f.name not in ctable:
            raise ThemeError(file, f"{prefix}.colors.{f.name}", "missing")
        colours[f.name] = parse_color(ctable[f.name], palette, file=file, key=f"{prefix}.colors.{f.name}")
    unknown = set(ctable) - set(colours)
    if unknown:
        raise ThemeError(file, f"{prefix}.colors.{sorted(unknown)[0]}", "unknown colour role")
    colors = Colors(**colours)

    def mm_floor(key: str, floor_mm: float) -> None:
        floor_px = floor_mm * dpi / MM_PER_INCH
        if sizes[key] + 0.5 < floor_px:
            raise ThemeError(file, f"{prefix}.{key}",
                             f"{sizes[key]}px ({sizes[key] * MM_PER_INCH / dpi:.1f}mm) is below "
                             f"the {mode.value} minimum of {floor_mm}mm")

    mm_floor("text_body", rules.min_body_mm)
    mm_floor("target_min", rules.min_target_mm)
    for key in ("text_small", "text_body", "text_title", "text_display"):
        mm_floor(key, rules.min_text_mm)
    if line_spacing < rules.min_line_spacing:
        raise ThemeError(file, f"{prefix}.line_spacing",
                         f"{line_spacing} is below the {mode.value} minimum of {rules.min_line_spacing}")
    if not 1 <= max_choices <= rules.max_choices:
        raise ThemeError(file, f"{prefix}.max_choices",
                         f"must be between 1 and {rules.max_choices} in {mode.value} mode")
    for fg, bg in TEXT_PAIRS:
        ratio = contrast_ratio(getattr(colors, fg), getattr(colors, bg))
        if ratio < rules.min_contrast:
            raise ThemeError(file, f"{prefix}.colors.{fg}",
                             f"contrast {ratio:.2f}:1 against {bg} is below {rules.min_contrast}:1")

    return Theme(mode=mode, dpi=dpi, font_file=font_file, **sizes, line_spacing=line_spacing,
                 max_choices=max_choices, min_contrast=rules.min_contrast,
                 min_text=round(rules.min_text_mm * dpi / MM_PER_INCH), colors=colors)


def parse_themes(data: dict[str, Any], *, dpi: float, file: str = "<theme>",
                 font_file: str | None = None) -> ThemeSet:
    """Validate an already-parsed TOML document into a :class:`ThemeSet`."""
    if not dpi or dpi <= 0:
        raise ThemeError(file, "dpi", f"panel DPI must be positive, got {dpi!r}")
    fonts = data.get("fonts", {})
    font = font_file or fonts.get("file")
    if not isinstance(font, str) or not font:
        raise ThemeError(file, "fonts.file", "missing font file path")
    raw_palette = data.get("palette", {})
    if not isinstance(raw_palette, dict):
        raise ThemeError(file, "palette", "expected a table")
    palette: dict[str, RGB] = {}
    for name, value in raw_palette.items():
        palette[name] = parse_color(value, {}, file=file, key=f"palette.{name}")
    modes = data.get("modes")
    if not isinstance(modes, dict):
        raise ThemeError(file, "modes", "missing table")
    themes = {}
    for mode in Mode:
        table = modes.get(mode.value)
        if not isinstance(table, dict):
            raise ThemeError(file, f"modes.{mode.value}", "missing table")
        themes[mode.value] = _mode_theme(mode, table, palette, dpi=dpi, font_file=font, file=file)
    return ThemeSet(**themes)


def load_themes(path: str | Path, *, dpi: float, font_file: str | None = None) -> ThemeSet:
    """Read and validate a theme TOML file for a panel of ``dpi`` dots per inch."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ThemeError(str(path), "-", "file not found") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ThemeError(str(path), "-", f"not valid TOML: {exc}") from exc
    return parse_themes(data, dpi=dpi, file=str(path), font_file=font_file)


def default_theme_path() -> Path:
    """The repository's ``assets/theme.toml`` (roles may pass their own path)."""
    return Path(__file__).resolve().parents[3] / "assets" / "theme.toml"
