"""What every terminal screen shares: the frame (centre name, clock, 长辈模式 switch, offline banner,
heading, 返回首页), the idle reset, and passing bus messages to the session first.

Rule: a screen subclasses :class:`TerminalScreen` and fills in ``title``/``body``/``on``/``tick``;
it never imports another screen — it names the next one by registry key (:data:`KEYS`). A scanned
booking QR (:class:`ScanResult`) on any screen opens 预约签到 with its code. Idle: after the mode's
``idle_seconds`` untouched, every screen in every mode shows the ``idle`` modal — a countdown with
继续 — and only when nobody answers returns home (``Reset``), forgetting what was entered. Home itself
only drops back to the default mode, after the same countdown. A desk help call is the session's: its
state shows as a banner on every screen until staff have answered.
"""

from __future__ import annotations

from typing import Any, ClassVar

from ..ui.paging import PagedList
from ..ui.screen import ModalResult, Push, Reset, Screen, SetMode, Transition
from ..ui.theme import Mode
from ..ui.widget import Column, Context, EntryChanged, Pressed, Row, Spacer, Widget
from ..ui.tiles import Switch
from ..ui.widgets import Button, Label, StatusBanner, TextBlock
from .codes import code_from_scan
from .messages import ScanResult
from .session import Session

# Registry keys of the terminal's screens (the wiring maps them to classes).
HOME, TAKE, GUIDES, HELP, PHONES, IDLE = "home", "take", "guides", "help", "phones", "idle"
BOOK, CHECKIN, OPEN_GOV = "book", "checkin", "open_gov"
KEYS = (HOME, TAKE, GUIDES, HELP, PHONES, IDLE, BOOK, CHECKIN, OPEN_GOV)

TOGGLE_ID, HOME_ID, BACK_ID = "mode-toggle", "go-home", "go-back"


class TerminalScreen(Screen):
    watches: ClassVar[frozenset[str]] = frozenset()  # session changes that redraw this screen
    is_home: ClassVar[bool] = False
    takes_scans: ClassVar[bool] = False  # handles ScanResult itself (else a booking QR opens 预约签到)
    shows_help: ClassVar[bool] = False  # shows the help call's state itself (else a banner in the frame)

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.s = session
        self.t = session.strings
        self.mode = session.default_mode
        self.landscape = False
        self._entered: float | None = None
        self._minute: int | None = None
        self._idle_asked = False

    # ---- to override ---------------------------------------------------------------------------
    def title(self) -> str:
        return ""

    def body(self, ctx: Context) -> Widget:
        raise NotImplementedError

    def has_back(self) -> bool:
        """Show 上一步 (the screen handles ``go-back`` in :meth:`back`)."""
        return False

    def back(self) -> Transition | None:
        return None

    def on(self, message: Any) -> Transition | None:
        """A widget message or a bus reply the session did not take."""
        return None

    def on_session(self, what: str) -> Transition | None:
        return None

    def tick(self, now: float) -> Transition | None:
        return None

    # ---- frame -----------------------------------------------------------------------------------
    @property
    def now(self) -> float:
        return self.s.now

    def build(self, ctx: Context) -> Widget:
        self.mode = ctx.theme.mode
        self.landscape = ctx.size[0] > ctx.size[1]
        t = self.t
        name = Label("hdr-name", self.s.cfg.name, style="title", max_lines=1, flex=5)
        clock = Label("hdr-clock", self.s.clock_text(self.now), max_lines=1, flex=4)
        # 长辈模式 [开]/[关]: large, stateful, the same place on every screen
        switch = Switch(TOGGLE_ID, t.large_switch, on=self.mode is Mode.LARGE, on_text=t.switch_on,
                        off_text=t.switch_off, icon=t.icon_switch, flex=4)
        header = Row("hdr", [name, clock, switch] if self.landscape else
                     [Column("hdr-left", [name, clock], flex=5), switch])
        children: list[Widget] = [header]
        call = self.s.help_call
        if call is not None and not self.shows_help:  # the help call follows the visitor to every screen
            if call["state"] == "acknowledged":
                children.append(StatusBanner("help-banner", t.help_acked.format(by=call["by"] or t.help_staff),
                                             level="ok"))
            else:
                children.append(StatusBanner("help-banner", t.help_banner_waiting, level="info"))
        offline = self.s.offline_text(self.now)
        if offline:
            children.append(StatusBanner("offline", offline, level="warning"))
        if self.title():
            children.append(Label("heading", self.title(), style="title"))
        main = self.body(ctx)
        main.flex = main.flex or 1.0
        children.append(main)
        nav: list[Widget] = []
        if self.has_back():
            nav.append(Button(BACK_ID, t.back, icon="◀", tone="secondary"))
        if not self.is_home:
            nav.append(Button(HOME_ID, t.home, icon="◁", tone="secondary"))
        if nav:
            children.append(Row("nav", nav))
        root = Column("root", children, padded=True)
        self._speak(root)
        return root

    def _speak(self, root: Widget) -> None:
        if not self.s.speaker.enabled:
            return
        words = [self.title()]
        for w in root.walk():
            if isinstance(w, Button) and w.choice and w.enabled:
                words.append(w.label.replace("\n", " "))
            elif isinstance(w, PagedList):
                words += [i.label.replace("\n", " ") for i in w.items[: w.per_page] if i.enabled]
        self.s.speaker.say("。".join(x for x in words if x))

    # ---- behaviour -------------------------------------------------------------------------------
    def go_home(self, *, idle: bool = False) -> Transition:
        return Reset(key=HOME, data={"idle": idle})

    def handle(self, message: Any) -> Transition | None:
        changed = self.s.absorb(message, self.now)
        if changed == "consumed":
            return None
        if changed is not None:
            if changed in ("connection", "help") or changed in self.watches:
                self.invalidate()
            return self.on_session(changed)
        if isinstance(message, Pressed):
            if message.widget_id == TOGGLE_ID:
                return SetMode(mode=Mode.NORMAL if self.mode is Mode.LARGE else Mode.LARGE)
            if message.widget_id == HOME_ID:
                return self.go_home()
            if message.widget_id == BACK_ID:
                return self.back()
        if isinstance(message, EntryChanged):
            self._clear_field_error()
        if isinstance(message, ScanResult) and not self.takes_scans:
            code = code_from_scan(message.text, self.s.cfg.site_id, self.s.cfg.phone_base)
            return Reset(key=CHECKIN, data={"code": code}) if code else None
        if isinstance(message, ModalResult) and message.source == IDLE:
            self._idle_asked = False
            if message.value == "home":  # nobody answered: the visitor has gone
                return SetMode(mode=self.s.default_mode) if self.is_home else self.go_home(idle=True)
            return None
        return self.on(message)

    def _clear_field_error(self) -> None:
        """A correction is being typed: the warning about the old entry goes (it would stay wrong). Screens
        with fields are flows (:class:`~kiosk.terminal.flow_screen.FlowScreen`); the others have no warning."""

    def on_input(self, now: float) -> None:
        self.s.last_input = now

    def update(self, now: float, dt: float) -> Transition | None:
        self.s.now = now
        if self._entered is None:
            self._entered = now
        minute = int((now + self.s.wall_offset) // 60)
        if minute != self._minute:
            if self._minute is not None:
                self.invalidate()  # the clock in the header
            self._minute = minute
        if self.s.help_expired(now):
            self.invalidate()
        last = self.s.last_input if self.s.last_input is not None else self._entered
        quiet = now - max(self._entered, last)
        if quiet >= self.s.idle_limit(self.mode):
            idle = self.on_idle()
            if idle is not None:
                return idle
        return self.tick(now)

    def on_idle(self) -> Transition | None:
        """Untouched for the mode's idle time: ask first — 继续 or a countdown — in every mode, so a
        slow reader never loses a half-filled form and a 长辈模式 visitor is never switched back mid-task.
        Home has nothing to lose but the mode: it asks only when the mode is not the default."""
        if self.is_home and self.mode is self.s.default_mode:
            return None
        if self._idle_asked:
            return None
        self._idle_asked = True
        return Push(key=IDLE, data=self.s.settings.idle_warning_seconds)

    def failure_panel(self, error_id: str, retry_id: str, column_id: str, phone_text: str,
                      retry_label: str, *, reason: str, can_retry: bool) -> Widget:
        """The refused or offline state: what went wrong, whom to ask, and a retry while one is possible."""
        parts: list[Widget] = [
            TextBlock(error_id, reason, style="title", fill="warning", tone="on_warning"),
            TextBlock(f"{error_id}-phone", phone_text.format(phone=self.s.phone_for_help())),
        ]
        if can_retry:
            parts.append(Button(retry_id, retry_label, icon="↻", tone="secondary"))
        parts.append(Spacer("failed-end", flex=1))
        return Column(column_id, parts, flex=1)
