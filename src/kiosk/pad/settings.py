"""The ``[pad]`` section of the site config, as one frozen value object.

Rule: read once at start through :meth:`SiteConfig.role` (typed ``get`` + ``done``), so a typo or a wrong
type stops the pad with file, key and reason. Nothing else in the package reads config.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..config import SiteConfig

ORIENTATIONS = ("landscape", "portrait")
PRINTS = ("large", "normal")
_SIZE = re.compile(r"^(\d{3,4})[xX×](\d{3,4})$")


def parse_size(text: str) -> tuple[int, int]:
    """``1280x800`` → (1280, 800); a pad is a 7–10 inch panel: 480 to 1920 pixels each way."""
    m = _SIZE.match(text.strip())
    if not m:
        raise ValueError(f"expected WIDTHxHEIGHT such as 1280x800, got {text!r}")
    w, h = int(m.group(1)), int(m.group(2))
    if not (480 <= min(w, h) and max(w, h) <= 1920):
        raise ValueError(f"{text!r} is not a 7–10 inch pad panel (480 to 1920 pixels each way)")
    return w, h


def orient(size: tuple[int, int], orientation: str) -> tuple[int, int]:
    w, h = sorted(size, reverse=True)
    return (w, h) if orientation == "landscape" else (h, w)


@dataclass(frozen=True, slots=True, kw_only=True)
class PadSettings:
    orientation: str = "landscape"
    size: tuple[int, int] = (1280, 800)   # logical pixels, in the orientation's direction
    dpi: float = 150.0                    # a 10.1 inch 1280×800 panel
    rotation: int = 0
    print: str = "large"                  # 长辈模式 by default: most raters are old
    fullscreen: bool = True
    fps: int = 20
    quiet_s: float = 60.0
    thanks_s: float = 6.0
    offline_grace_s: float = 2.0
    status_interval_s: float = 60.0
    state_dir: str = ""                   # last known state; default: the site's state_dir
    theme: str = ""


def _pos(v: float) -> str | None:
    return None if v > 0 else "must be greater than 0"


def pad_settings(cfg: SiteConfig) -> PadSettings:
    s = cfg.role("pad")
    d = PadSettings()
    orientation = s.get("orientation", str, d.orientation,
                        check=lambda v: None if v in ORIENTATIONS else f"must be one of {ORIENTATIONS}")
    size_text = s.get("size", str, "")
    try:
        size = parse_size(size_text) if size_text else d.size
    except ValueError as exc:
        raise s.fail("size", str(exc)) from None
    out = PadSettings(
        orientation=orientation, size=orient(size, orientation),
        dpi=s.get("dpi", float, d.dpi, check=lambda v: None if 60 <= v <= 400 else "must be between 60 and 400"),
        rotation=s.get("rotation", int, 0, check=lambda v: None if v in (0, 90, 180, 270) else "must be 0/90/180/270"),
        print=s.get("print", str, d.print, check=lambda v: None if v in PRINTS else f"must be one of {PRINTS}"),
        fullscreen=s.get("fullscreen", bool, d.fullscreen),
        fps=s.get("fps", int, d.fps, check=lambda v: None if 5 <= v <= 60 else "must be between 5 and 60"),
        quiet_s=s.get("quiet_s", float, d.quiet_s, check=lambda v: None if 10 <= v <= 600 else "must be 10 to 600"),
        thanks_s=s.get("thanks_s", float, d.thanks_s, check=_pos),
        offline_grace_s=s.get("offline_grace_s", float, d.offline_grace_s),
        status_interval_s=s.get("status_interval_s", float, d.status_interval_s, check=_pos),
        state_dir=s.get("state_dir", str, ""),
        theme=s.get("theme", str, ""),
    )
    s.done()
    if out.theme and not Path(out.theme).is_file():
        raise s.fail("theme", f"no such file {out.theme!r}")
    return out
