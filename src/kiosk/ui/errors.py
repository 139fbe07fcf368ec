"""Every exception raised by ``kiosk.ui``.

Rule: the toolkit raises only these; third-party errors (tomllib, pygame, segno)
are translated at the boundary with ``raise ... from exc``.

    KioskError (kiosk.errors)
    └── UIError
    ├── ThemeError          bad theme file: names the file, the key and the reason
    ├── FontError           font file missing/unreadable, or used before pygame.font.init()
    ├── TextOverflowError   text cannot fit a box and the caller asked to be told loudly
    ├── ScreenError         unknown screen key, popping the last screen, bad transition
    └── PilotError          test driver: widget not found, not tappable, condition timed out
"""

from __future__ import annotations

from ..errors import KioskError


class UIError(KioskError):
    """Base class of every kiosk.ui error."""


class ThemeError(UIError):
    """A theme file is missing, malformed, or fails a large-print/contrast rule."""

    def __init__(self, file: str, key: str, reason: str) -> None:
        super().__init__(f"{file}: {key}: {reason}")
        self.file = file
        self.key = key
        self.reason = reason


class FontError(UIError):
    """A font could not be loaded."""


class TextOverflowError(UIError):
    """Text does not fit its box (raised only when the caller asks for strictness)."""


class ScreenError(UIError):
    """Screen stack misuse: unknown key, empty stack, unexpected transition."""


class PilotError(UIError):
    """The test driver could not do what it was asked."""
