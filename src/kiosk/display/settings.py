"""The ``[display]`` and ``[announcer]`` sections of the site config, as frozen value objects.

Rule: read once at start through :meth:`SiteConfig.role` (typed ``get`` + ``done``), so a typo or a
wrong type stops the display with file, key and reason. Nothing else in the package reads config.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import time as dtime
from pathlib import Path

from ..config import Section, SiteConfig
from ..errors import ConfigError

MM_PER_M_AT_16_ARCMIN = 4.65  # glyph height per metre of distance for a 16 arcmin character
LAYOUTS = ("board", "disclosure", "combined", "window")  # window: the screen above one counter
ORIENTATIONS = ("landscape", "portrait")
#: Placeholder for 一码通评 until the hall is given its real evaluation link (see docs/display.md).
PLACEHOLDER_EVALUATION_URL = "https://example.com/yimatongping/huangtan"
DEFAULT_CONTENT_MAX_BYTES = 1024 * 1024
CONTENT_MAX_BYTES_CEILING = 1_500_000  # base64 of this still fits the protocol's 2 MB retained limit
_SPAN = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$")
_SIZE = re.compile(r"^(\d{3,5})[xX×](\d{3,5})$")


@dataclass(frozen=True, slots=True)
class Span:
    """A daily time range; ``start > end`` wraps past midnight (22:00-06:00)."""

    start: dtime
    end: dtime

    def contains(self, t: dtime) -> bool:
        if self.start <= self.end:
            return self.start <= t < self.end
        return t >= self.start or t < self.end


def parse_span(text: str) -> Span:
    m = _SPAN.match(text.strip())
    if not m:
        raise ValueError(f"expected HH:MM-HH:MM, got {text!r}")
    h1, m1, h2, m2 = (int(g) for g in m.groups())
    end = dtime(23, 59, 59, 999999) if h2 == 24 else dtime(h2, m2)
    return Span(dtime(h1, m1), end)


def parse_size(text: str, *, min_side: int = 480) -> tuple[int, int]:
    """``min_side`` is 480 for a wall display; a strip above a counter (1280×400) may be lower."""
    m = _SIZE.match(text.strip())
    if not m:
        raise ValueError(f"expected WIDTHxHEIGHT such as 3840x2160, got {text!r}")
    w, h = int(m.group(1)), int(m.group(2))
    if min(w, h) < min_side:
        raise ValueError(f"{text!r} is too small for this display (at least {min_side} px each way)")
    return w, h


WINDOW_MIN_SIDE = 240


@dataclass(frozen=True, slots=True, kw_only=True)
class DisplaySettings:
    layout: str = "board"
    orientation: str = "landscape"
    size: tuple[int, int] = (1920, 1080)  # logical pixels, in the orientation's direction
    rotation: int = 0
    dpi: float = 0.0                      # the panel's own; 0: a 55-inch 1080p wall panel (40 dpi, scaled
                                          # with the short side: 80 for 4K), or 96 for a counter screen
    viewing_distance_m: float = 3.0       # how far the board is read from (the nearer seats of the waiting area)
    fullscreen: bool = True
    fps: int = 20                         # loop rate; a bus message wakes the loop at once anyway
    evaluation_url: str = PLACEHOLDER_EVALUATION_URL
    recent_calls: int = 6
    flash_s: float = 6.0
    flash_period_s: float = 0.5
    ticker_cps: float = 3.0               # characters per second
    page_dwell_s: float = 15.0
    catalog_dwell_s: float = 12.0
    blank: tuple[Span, ...] = ()
    offline_grace_s: float = 2.0
    status_interval_s: float = 60.0
    content_max_bytes: int = DEFAULT_CONTENT_MAX_BYTES
    theme: str = ""
    window: str = ""                      # layout "window": the counter this screen hangs above

    @property
    def scale(self) -> float:
        return min(self.size) / 1080.0

    @property
    def effective_dpi(self) -> float:
        # a window screen is a panel of its own kind (a bar, a 7-inch): its dpi is its real one, not scaled
        if self.layout == "window":
            return self.dpi or 96.0
        return (self.dpi or 40.0) * self.scale

    @property
    def glyph_floor_mm(self) -> float | None:
        """The smallest glyph the board may show: ISO 9241-303's 16 arcmin at the viewing distance
        (4.65 mm a metre). The counter screen (``window``) is read at arm's length: its mode's floor."""
        return None if self.layout == "window" else round(self.viewing_distance_m * MM_PER_M_AT_16_ARCMIN, 1)


@dataclass(frozen=True, slots=True, kw_only=True)
class QuietHours:
    span: Span
    volume: float


ENGINES = ("espeak-ng", "voicepack")
VOICES = ("cmn-latn-pinyin",)  # "cmn" reads tone digits in English with Debian 12's espeak-ng 1.51


@dataclass(frozen=True, slots=True, kw_only=True)
class AnnouncerSettings:
    speech: bool = True
    engine: str = "espeak-ng"       # or "voicepack": recorded clips in voice_pack
    voice: str = "cmn-latn-pinyin"
    voice_pack: str = ""            # folder of WAV clips (engine = "voicepack")
    rate: int = 150                 # espeak-ng words per minute
    repeat: int = 2
    gap_s: float = 0.5              # silence between repeats
    volume: float = 1.0
    quiet: tuple[QuietHours, ...] = field(default=())
    cache_dir: str = ""             # empty: chosen by the caller (XDG cache)

    def volume_at(self, t: dtime) -> float:
        for q in self.quiet:
            if q.span.contains(t):
                return q.volume
        return self.volume


def _span_list(sec: Section, name: str) -> tuple[Span, ...]:
    out = []
    for i, text in enumerate(sec.get(name, list, [])):
        try:
            out.append(parse_span(str(text)))
        except ValueError as exc:
            raise ConfigError(sec.path, f"{sec.key(name)}[{i}]", str(exc)) from None
    return tuple(out)


def _unit(v: float) -> str | None:
    return None if 0.0 <= v <= 1.0 else "must be between 0.0 and 1.0"


def _pos(v: float) -> str | None:
    return None if v > 0 else "must be greater than 0"


def display_settings(cfg: SiteConfig) -> DisplaySettings:
    s = cfg.role("display")
    d = DisplaySettings()
    layout = s.get("layout", str, d.layout, check=lambda v: None if v in LAYOUTS else f"must be one of {LAYOUTS}")
    orientation = s.get("orientation", str, d.orientation,
                        check=lambda v: None if v in ORIENTATIONS else f"must be one of {ORIENTATIONS}")
    size_text = s.get("size", str, "")
    try:
        size = parse_size(size_text, min_side=WINDOW_MIN_SIDE if layout == "window" else 480) if size_text else None
    except ValueError as exc:
        raise s.fail("size", str(exc)) from None
    size = orient_size(size or (1920, 1080), orientation)
    out = DisplaySettings(
        layout=layout, orientation=orientation, size=size,
        rotation=s.get("rotation", int, 0, check=lambda v: None if v in (0, 90, 180, 270) else "must be 0/90/180/270"),
        dpi=s.get("dpi", float, d.dpi, check=lambda v: None if v >= 0 else "must be 0 (the default) or more"),
        viewing_distance_m=s.get("viewing_distance_m", float, d.viewing_distance_m,
                                 check=lambda v: None if 0.3 <= v <= 30 else "must be between 0.3 and 30 (metres)"),
        fullscreen=s.get("fullscreen", bool, d.fullscreen),
        fps=s.get("fps", int, d.fps, check=lambda v: None if 5 <= v <= 60 else "must be between 5 and 60"),
        evaluation_url=s.get("evaluation_url", str, d.evaluation_url,
                             check=lambda v: None if 0 < len(v) <= 300 else "must be 1 to 300 characters"),
        recent_calls=s.get("recent_calls", int, d.recent_calls,
                           check=lambda v: None if 1 <= v <= 12 else "must be between 1 and 12"),
        flash_s=s.get("flash_s", float, d.flash_s, check=_pos),
        flash_period_s=s.get("flash_period_s", float, d.flash_period_s, check=_pos),
        ticker_cps=s.get("ticker_cps", float, d.ticker_cps, check=_pos),
        page_dwell_s=s.get("page_dwell_s", float, d.page_dwell_s, check=_pos),
        catalog_dwell_s=s.get("catalog_dwell_s", float, d.catalog_dwell_s, check=_pos),
        blank=_span_list(s, "blank"),
        offline_grace_s=s.get("offline_grace_s", float, d.offline_grace_s),
        status_interval_s=s.get("status_interval_s", float, d.status_interval_s, check=_pos),
        content_max_bytes=s.get("content_max_bytes", int, d.content_max_bytes,
                                check=lambda v: None if 0 < v <= CONTENT_MAX_BYTES_CEILING
                                else f"must be between 1 and {CONTENT_MAX_BYTES_CEILING}"),
        theme=s.get("theme", str, ""),
        window=s.get("window", str, ""),
    )
    s.done()
    if out.theme and not Path(out.theme).is_file():
        raise s.fail("theme", f"no such file {out.theme!r}")
    return out


def orient_size(size: tuple[int, int], orientation: str) -> tuple[int, int]:
    """The panel size with its long side where the orientation says."""
    w, h = sorted(size, reverse=True)
    return (w, h) if orientation == "landscape" else (h, w)


def announcer_settings(cfg: SiteConfig) -> AnnouncerSettings:
    s = cfg.role("announcer")
    d = AnnouncerSettings()
    quiet = []
    for q in s.tables("quiet"):
        try:
            span = parse_span(q.get("hours", str))
        except ValueError as exc:
            raise q.fail("hours", str(exc)) from None
        quiet.append(QuietHours(span=span, volume=q.get("volume", float, check=_unit)))
        q.done()
    out = AnnouncerSettings(
        speech=s.get("speech", bool, d.speech),
        engine=s.get("engine", str, d.engine,
                     check=lambda v: None if v in ENGINES else f"must be one of {ENGINES}"),
        voice=s.get("voice", str, d.voice,
                    check=lambda v: None if v in VOICES else
                    f"must be one of {VOICES} (the text is spoken as tone-numbered pinyin)"),
        voice_pack=s.get("voice_pack", str, ""),
        rate=s.get("rate", int, d.rate, check=lambda v: None if 80 <= v <= 450 else "must be between 80 and 450"),
        repeat=s.get("repeat", int, d.repeat, check=lambda v: None if 1 <= v <= 5 else "must be between 1 and 5"),
        gap_s=s.get("gap_s", float, d.gap_s, check=lambda v: None if 0 <= v <= 5 else "must be between 0 and 5"),
        volume=s.get("volume", float, d.volume, check=_unit),
        quiet=tuple(quiet),
        cache_dir=s.get("cache_dir", str, ""),
    )
    if out.engine == "voicepack" and not out.voice_pack:
        raise s.fail("voice_pack", 'is required with engine = "voicepack" (a folder of WAV clips)')
    s.done()
    return out
