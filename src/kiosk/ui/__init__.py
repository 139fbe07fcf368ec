"""kiosk.ui — the pygame toolkit shared by the touchscreen terminal and the wall display.

Rule: importing this package never initialises pygame, opens a window or loads
a font; that happens in :meth:`App.open`. See docs/ui.md for the overview.
"""

from kiosk.ui.app import App, DisplayConfig
from kiosk.ui.checks import Problem, check_tree
from kiosk.ui.errors import FontError, PilotError, ScreenError, TextOverflowError, ThemeError, UIError
from kiosk.ui.keys import LetterKeyboard, NumericKeypad
from kiosk.ui.paging import ListItem, PagedList
from kiosk.ui.screen import ModalResult, Pop, Push, Quit, Replace, Reset, Screen, SetMode, Transition
from kiosk.ui.strings import UiStrings
from kiosk.ui.text import FontCache, TextLayout, break_lines, fit, layout
from kiosk.ui.theme import Mode, Theme, ThemeSet, contrast_ratio, load_themes
from kiosk.ui.widget import (Chosen, Column, Context, CountdownExpired, EntryChanged, EntrySubmitted, Grid,
                             PageChanged, Pressed, Row, Spacer, Widget)
from kiosk.ui.widgets import Button, Countdown, Label, QRImage, StatusBanner, TextBlock

__all__ = [
    "App", "DisplayConfig", "Problem", "check_tree", "UIError", "ThemeError", "FontError",
    "TextOverflowError", "ScreenError", "PilotError", "LetterKeyboard", "NumericKeypad", "ListItem",
    "PagedList", "ModalResult", "Pop", "Push", "Quit", "Replace", "Reset", "Screen", "SetMode", "Transition",
    "UiStrings", "FontCache", "TextLayout", "break_lines", "fit", "layout", "Mode", "Theme", "ThemeSet",
    "contrast_ratio", "load_themes", "Chosen", "Column", "Context", "CountdownExpired", "EntryChanged",
    "EntrySubmitted", "Grid", "PageChanged", "Pressed", "Row", "Spacer", "Widget", "Button", "Countdown",
    "Label", "QRImage", "StatusBanner", "TextBlock",
]
