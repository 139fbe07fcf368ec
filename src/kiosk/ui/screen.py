"""Screen base class and the transitions a screen may ask for.

Rules:
* Screens never import each other. To move on, ``handle``/``update`` return a
  transition naming the next screen by registry key (:class:`Push`,
  :class:`Replace`) or :class:`Pop` with a typed result, which the app hands to
  the screen below as :class:`ModalResult`.
* Screens never read the clock: ``update(now, dt)`` gets time from the app.
* ``build(ctx)`` returns a fresh widget tree from the screen's attributes; call
  :meth:`Screen.invalidate` when those attributes change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

from kiosk.ui.theme import Mode
from kiosk.ui.widget import Context, Widget

T = TypeVar("T")


@dataclass(frozen=True, slots=True, kw_only=True)
class Push:
    """Open screen ``key`` on top; ``data`` goes to its ``startup``."""

    key: str
    data: Any = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Replace:
    """Close the current screen and open ``key`` in its place."""

    key: str
    data: Any = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Pop(Generic[T]):
    """Close the current screen, handing ``result`` to the screen below."""

    result: T | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Reset:
    """Close every open screen and open ``key`` alone (返回首页, idle reset)."""

    key: str
    data: Any = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Quit:
    """Stop the app loop."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SetMode:
    """Switch normal / large print; the app rebuilds every open screen."""

    mode: Mode


Transition = Push | Replace | Reset | Pop | Quit | SetMode


@dataclass(frozen=True, slots=True, kw_only=True)
class ModalResult(Generic[T]):
    """Delivered to ``handle`` of the screen below when a screen pops with a result."""

    source: str
    value: T | None


class Screen:
    """One screen of an app. Override what you need; all hooks are optional but ``build``."""

    modal: ClassVar[bool] = False  # drawn over the (dimmed) screen below

    def __init__(self) -> None:
        self.key = ""             # set by the app from the registry key
        self.needs_build = True
        self.root: Widget | None = None  # the current tree; owned by the app

    def startup(self, data: Any) -> None:
        """Called once when pushed, with the data of the transition that opened it."""

    def cleanup(self) -> None:
        """Called once when popped or replaced."""

    def handle(self, message: Any) -> Transition | None:
        """A widget message, an inbox message or a :class:`ModalResult`."""
        return None

    def update(self, now: float, dt: float) -> Transition | None:
        """Called every frame while on top of the stack."""
        return None

    def on_input(self, now: float) -> None:
        """A finger or the mouse went down while this screen was on top (idle timers)."""

    def build(self, ctx: Context) -> Widget:
        raise NotImplementedError

    def invalidate(self) -> None:
        """Ask the app to rebuild and redraw this screen on the next frame."""
        self.needs_build = True
