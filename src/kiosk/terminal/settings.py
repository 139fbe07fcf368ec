"""The ``[terminal]`` section of the site config, as one frozen value object.

Rule: read and validated once at start (``Section.get``/``done``: a typo or a
wrong type stops the terminal naming the file and the key); screens get the
resulting :class:`TerminalSettings` through the session, never the TOML.

Keys (all optional)::

    [terminal]
    idle_seconds = 60           # back to the home screen after this long untouched
    idle_seconds_large = 120    # the same in 长辈模式 (a 10 s countdown with 继续 comes first)
    reply_timeout = 5.0         # seconds to wait for the hub before 请到咨询台取号
    location = "自助区1号机"     # where staff find this terminal (help requests); default: device id
    villages = ["黄潭村", …]     # addresses offered for 上门服务登记
    lexicon = ["…"]              # the town's own words the pinyin keyboard offers first (places, services)
    read_aloud = false          # speak headings and choices with espeak-ng
    voice = "cmn-latn-pinyin"   # espeak-ng voice: the only one that speaks Mandarin from pinyin
    dpi = 96.0                  # the panel's dots per inch (mm sizes of the theme)
    orientation = "portrait"    # or "landscape"
    rotation = 0                # 0/90/180/270: how the panel is mounted
    theme = ""                  # a theme TOML instead of the built-in one
    status_seconds = 60         # how often device/<id>/status is republished
    online_url = "https://…"    # 鄂汇办 (the online channel), shown as a QR on the 24-hour home
    scanner = ""                # code scanner: its name under /dev/input/by-id ("" = none)
    touch_device = ""           # a touch panel SDL cannot read, by-id name ("" = SDL's own touch)
    touch_calibration = [1, 0, 0, 0, 1, 0]  # libinput-style matrix on normalised coordinates
    touch_rotation = 0          # 0/90/180/270: sensor → panel (the display's own rotation is separate)
    touch_x_range = [0, 4095]   # raw axis ranges of the panel (evtest shows them)
    touch_y_range = [0, 4095]
    state_dir = ""              # folder of the last-known-state cache ("" = the site's [hub] state_dir)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..config import Section, SiteConfig
from ..devices.evdev_decode import TouchConfig

# Sample data: villages and communities a 黄潭镇 terminal offers for home-visit addresses. Replace
# with the town's real list in [terminal] villages before going live (see docs/terminal.md).
DEFAULT_VILLAGES: tuple[str, ...] = (
    "黄潭社区", "荷沙社区", "黄潭村", "杨场村", "新堤村", "七屋岭村", "莲台村", "万家湖村",
    "潭湖村", "沿河村", "官路村", "新华村",
)

# PLACEHOLDER, not a real address: the 鄂汇办 link the 24-hour self-service home shows as a QR code.
# Set [terminal] online_url to the address the centre publishes before the kiosk goes live.
PLACEHOLDER_ONLINE_URL = "https://ehb.example.invalid/huangtan"


def _positive(v: float) -> str | None:
    return None if v > 0 else "must be greater than 0"


def _orientation(v: str) -> str | None:
    return None if v in ("portrait", "landscape") else "must be portrait or landscape"


def _rotation(v: int) -> str | None:
    return None if v in (0, 90, 180, 270) else "must be 0, 90, 180 or 270"


def _url(v: str) -> str | None:
    return None if v.startswith(("https://", "http://")) and len(v) <= 300 else "must be an http(s) address"


def _villages(v: list) -> str | None:
    if not v or not all(isinstance(x, str) and x.strip() for x in v):
        return "must be a non-empty list of names"
    return None


def _numbers(n: int) -> Callable[[list], str | None]:
    def check(v: list) -> str | None:
        ok = len(v) == n and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in v)
        return None if ok else f"must be a list of {n} numbers"
    return check


def _touch(sec: Section) -> TouchConfig:
    """The touch_* keys → the evdev panel's calibration (only used with ``touch_device``)."""
    x = sec.get("touch_x_range", list, [0, 4095], check=_numbers(2))
    y = sec.get("touch_y_range", list, [0, 4095], check=_numbers(2))
    cal = sec.get("touch_calibration", list, [1, 0, 0, 0, 1, 0], check=_numbers(6))
    rot = sec.get("touch_rotation", int, 0, check=_rotation)
    if x[1] <= x[0] or y[1] <= y[0]:
        raise sec.fail("touch_x_range" if x[1] <= x[0] else "touch_y_range", "must be [min, max] with min < max")
    return TouchConfig(x_min=int(x[0]), x_max=int(x[1]), y_min=int(y[0]), y_max=int(y[1]),
                       calibration=tuple(float(c) for c in cal), rotation=rot)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True, kw_only=True)
class TerminalSettings:
    idle_seconds: float = 60.0
    idle_seconds_large: float = 120.0
    idle_warning_seconds: float = 10.0
    reply_timeout: float = 5.0
    location: str = ""
    villages: tuple[str, ...] = DEFAULT_VILLAGES
    lexicon: tuple[str, ...] = ()
    read_aloud: bool = False
    voice: str = "cmn-latn-pinyin"
    dpi: float = 96.0
    orientation: str = "portrait"
    rotation: int = 0
    theme: str = ""
    status_seconds: float = 60.0
    online_url: str = PLACEHOLDER_ONLINE_URL
    scanner: str = ""       # /dev/input/by-id name of the code scanner ("" = none)
    touch_device: str = ""  # /dev/input/by-id name of a touch panel read through evdev ("" = SDL's touch)
    touch: TouchConfig = TouchConfig()
    state_dir: str = ""     # the last-known-state cache's folder ("" = the site's state_dir)

    def idle_for(self, large: bool) -> float:
        return self.idle_seconds_large if large else self.idle_seconds


def load_settings(cfg: SiteConfig) -> TerminalSettings:
    sec = cfg.role("terminal")
    s = TerminalSettings(
        idle_seconds=sec.get("idle_seconds", float, 60.0, check=_positive),
        idle_seconds_large=sec.get("idle_seconds_large", float, 120.0, check=_positive),
        idle_warning_seconds=sec.get("idle_warning_seconds", float, 10.0, check=_positive),
        reply_timeout=sec.get("reply_timeout", float, 5.0, check=_positive),
        location=sec.get("location", str, ""),
        villages=tuple(sec.get("villages", list, list(DEFAULT_VILLAGES), check=_villages)),
        lexicon=tuple(sec.get("lexicon", list, [], check=lambda v: None if all(
            isinstance(x, str) and x.strip() for x in v) else "must be a list of words")),
        read_aloud=sec.get("read_aloud", bool, False),
        voice=sec.get("voice", str, "cmn-latn-pinyin",
                      check=lambda v: None if v == "cmn-latn-pinyin" else
                      'must be "cmn-latn-pinyin" (text is spoken as tone-numbered pinyin; '
                      '"cmn" reads tone digits in English)'),
        dpi=sec.get("dpi", float, 96.0, check=_positive),
        orientation=sec.get("orientation", str, "portrait", check=_orientation),
        rotation=sec.get("rotation", int, 0, check=_rotation),
        theme=sec.get("theme", str, ""),
        status_seconds=sec.get("status_seconds", float, 60.0, check=_positive),
        online_url=sec.get("online_url", str, PLACEHOLDER_ONLINE_URL, check=_url),
        scanner=sec.get("scanner", str, ""),
        touch_device=sec.get("touch_device", str, ""),
        touch=_touch(sec),
        state_dir=sec.get("state_dir", str, ""),
    )
    sec.done()
    return s
