"""The terminal's shared state: what the hall looks like (board, mode, catalogue, connection) and the
one way out to the hub (``request``). Screens receive it in their constructor.

Rule: owned by the render loop's thread — bus messages reach it only through the App's inbox, and
every screen passes inbox messages to :meth:`Session.absorb` first. It also owns the clean-up of
requests nobody waits for any more: a ``ticket.issue`` whose screen gave up (timeout, idle reset, 返回首页)
is voided with reason ``kiosk_timeout`` when its late reply arrives, so no ticket without a holder stays
in the queue.

The ticket printer is reached through :attr:`Session.printer` (a worker thread in
:mod:`kiosk.terminal.devices`, or :class:`NoPrinter`); its answers come back through the inbox like
bus messages. The session keeps the latest :attr:`printer_state` (listeners hear ``"printer"`` when it
changes, so the status topic follows) and lets the answers through to the screen that asked. A ticket
whose print job was left behind by its screen is settled when the job ends: printed → delivered,
failed → voided (reason ``printer_failed``).

What a screen or a flow prints is worded in :mod:`kiosk.terminal.documents` and the QR texts are
:mod:`kiosk.terminal.codes`: the session carries effects out, it writes no document.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from ..config import SiteConfig
from ..protocol.content import ContentPage
from ..core.catalog import Catalog
from ..core.model import Category
from ..ui.theme import Mode
from ..devices.idreader import ReaderState, ReaderStatus
from .cards import IdCardSettings
from .printing import Document, PrinterChecked, PrinterState, PrintFinished
from .messages import BoardIn, CatalogIn, CommandIn, Connection, ContentIn, ModeIn, ReplyIn
from .testprint import TechnicianPrints
from .settings import TerminalSettings
from .speech import Speaker
from .strings import WEEKDAYS, TerminalStrings

log = logging.getLogger(__name__)
HELP_ACK_SHOWN_S = 180.0   # the staff's answer stays on screen this long
HELP_WAIT_MAX_S = 3600.0   # a call nobody answered is forgotten after an hour (staff see it in kiosk alerts)

CONNECT_GRACE = 3.0  # seconds after start before "offline" is shown (the first connect takes a moment)
AFTER_HOURS = frozenset({"closed", "holiday", "appointment_only"})  # the 24-hour self-service home
CHECKIN_STATES = frozenset({"open", "closing", "lunch", "appointment_only"})  # 预约签到 offered


class Link(Protocol):
    """Where requests go (a Requester on the bus; tests and previews use :class:`NullLink`)."""

    def send(self, op: str, args: dict[str, Any], txn: str | None = None) -> str: ...


class NullLink:
    """No bus at all: requests go nowhere (screenshots, unit tests)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []

    def send(self, op: str, args: dict[str, Any], txn: str | None = None) -> str:
        self.sent.append((op, args))
        return txn or f"null-{len(self.sent)}"


class PrinterLink(Protocol):
    """Where print and status jobs go (the printer worker, or :class:`NoPrinter`)."""

    @property
    def present(self) -> bool: ...

    @property
    def check_deadline(self) -> float: ...  # seconds a screen waits for a status answer

    @property
    def print_deadline(self) -> float: ...  # seconds a screen waits for a print to end

    def check(self, tag: str) -> None: ...

    def print(self, tag: str, document: Document) -> None: ...

    def can_print(self, document: Document) -> bool: ...


class NoPrinter:
    """No printer configured: every ticket is shown on screen."""

    present = False
    check_deadline = print_deadline = 0.0

    def check(self, tag: str) -> None:
        pass

    def print(self, tag: str, document: Document) -> None:
        pass

    def can_print(self, document: Document) -> bool:
        return False


class Session:
    def __init__(self, cfg: SiteConfig, *, settings: TerminalSettings, device_id: str,
                 link: Link | None = None, strings: TerminalStrings = TerminalStrings(),
                 speaker: Speaker | None = None, default_mode: Mode = Mode.NORMAL,
                 wall_offset: float = 0.0) -> None:
        self.cfg, self.settings, self.device_id, self.strings = cfg, settings, device_id, strings
        self.link: Link = link or NullLink()
        self.speaker = speaker or Speaker(enabled=False)
        self.default_mode = default_mode
        self.location = settings.location or device_id
        self.tz = ZoneInfo(cfg.timezone)
        self.wall_offset = wall_offset  # wall = loop time + offset; resynced by the loop's owner
        self.board: dict[str, Any] | None = None
        self.mode: dict[str, Any] | None = None
        self.catalog: Catalog | None = None
        self.content: dict[str, ContentPage] = {}  # the published 政务公开 pages by id
        self.connected = False
        self.offline_since: float | None = None  # loop time the connection was lost (or the start)
        self.started: float | None = None  # loop time the terminal started (no banner while first connecting)
        self.now = 0.0  # latest loop time seen by a screen
        self.last_input: float | None = None
        self._abandoned: dict[str, str] = {}  # txn → op of requests nobody waits for (ticket.issue, appointment.book)
        self._cleanup_txns: set[str] = set()  # our own ticket.void / appointment.cancel requests
        self.voided: list[str] = []  # tickets voided because their screen had given up
        self.cancelled: list[str] = []  # bookings cancelled because the person had walked away
        self.listeners: list[Callable[[str], None]] = []
        self.printer: PrinterLink = NoPrinter()
        self.printer_state = PrinterState.NONE
        self._left_prints: dict[str, str] = {}  # print job tag → ticket id, for jobs no screen waits for
        # a desk help call outlives its screen and the idle reset: {"txn", "state", "by", "at"}
        self.help_call: dict[str, Any] | None = None
        self.idcard = IdCardSettings()  # the [idcard] settings (no port: no reader)
        self.reader_state = "none"  # the reader's latest ReaderState value ("none" without a reader)
        self.test_prints = TechnicianPrints(self)  # the technician's test tickets (``last_test`` of the status)

    @property
    def cards_ready(self) -> bool:
        """A card placed now would be read: screens offer 刷身份证 only then."""
        return self.idcard.present and self.reader_state == ReaderState.READY.value

    def hall_date(self, now: float) -> date:
        """The hall's date at loop time ``now`` (what a card holder's age is counted to)."""
        return self.wall(now).date()

    # ---- the pinyin keyboard's words ----------------------------------------------------------
    def pinyin_table(self):
        """The pinyin table with the hall's own words first: the town and its villages, the service
        words residents use, the categories and ``[terminal] lexicon``. Built on first use."""
        if getattr(self, "_pinyin", None) is None:
            from ..ui.pinyin import default_table
            words = [self.cfg.name, *self.strings.lexicon, *self.settings.villages, *self.settings.lexicon,
                     *(c.name for c in self.cfg.hall.categories)]
            self._pinyin = default_table().with_lexicon(words)
        return self._pinyin

    # ---- time --------------------------------------------------------------------------------
    def wall(self, now: float) -> datetime:
        return datetime.fromtimestamp(now + self.wall_offset, self.tz)

    def clock_text(self, now: float) -> str:
        d = self.wall(now)
        return self.strings.date_time.format(month=d.month, day=d.day, weekday=WEEKDAYS[d.weekday()],
                                             hour=d.hour, minute=d.minute)

    def offline_text(self, now: float) -> str | None:
        if self.connected:
            return None
        if self.started is not None and self.offline_since is None and now - self.started < CONNECT_GRACE:
            return None
        if self.offline_since is None:
            return self.strings.offline_short
        d = self.wall(self.offline_since)
        return self.strings.offline.format(since=f"{d.hour:02d}:{d.minute:02d}")

    def idle_limit(self, mode: Mode) -> float:
        return self.settings.idle_for(mode is Mode.LARGE)

    # ---- inbound -----------------------------------------------------------------------------
    def absorb(self, msg: Any, now: float | None = None) -> str | None:
        """Take in a bus message; return what changed ("board", "mode", "catalog", "content", "connection"),
        "consumed" for a reply the session handled itself, or None."""
        if isinstance(msg, Connection):
            if msg.connected != self.connected:
                self.connected = msg.connected
                self.offline_since = None if msg.connected else now
            return "connection"
        if isinstance(msg, BoardIn):
            self.board = msg.board
            return "board"
        if isinstance(msg, ModeIn):
            self.mode = msg.mode
            return "mode"
        if isinstance(msg, CatalogIn):
            self.catalog = msg.catalog
            return "catalog"
        if isinstance(msg, ContentIn):
            if msg.page is None:
                return "content" if self.content.pop(msg.page_id, None) is not None else None
            self.content[msg.page_id] = msg.page
            return "content"
        if isinstance(msg, CommandIn):
            self.test_prints.command(msg.command, self.now if now is None else now)
            return "consumed"  # printed in the background: the visitor's screen does not change
        if isinstance(msg, (PrinterChecked, PrintFinished)):
            return self._printer_answer(msg, self.now if now is None else now)
        if isinstance(msg, ReaderStatus):
            changed, self.reader_state = msg.state.value != self.reader_state, msg.state.value
            if changed:
                for listener in self.listeners:
                    listener("idcard")
            return "idcard" if changed else "consumed"
        if isinstance(msg, ReplyIn):
            rep = msg.reply
            if self.help_call is not None and rep.txn == self.help_call["txn"]:
                return self._help_answer(rep, now)
            if rep.txn in self._cleanup_txns:
                self._cleanup_txns.discard(rep.txn)
                return "consumed"
            if rep.txn in self._abandoned:
                op = self._abandoned.pop(rep.txn)
                result = rep.result if isinstance(rep.result, dict) else {}
                if op == "ticket.issue" and rep.ok and result.get("ticket") and result.get("state") == "waiting":
                    log.info("late reply for %s: voiding %s nobody holds", rep.txn, result["ticket"])
                    self._cleanup_txns.add(self.link.send(
                        "ticket.void", {"ticket": result["ticket"], "reason": "kiosk_timeout"}))
                    self.voided.append(result["ticket"])
                elif op == "appointment.book" and rep.ok and result.get("code"):
                    log.info("late reply for %s: cancelling booking %s nobody saw", rep.txn, result["code"])
                    self._cleanup_txns.add(self.link.send("appointment.cancel", {"code": result["code"]}))
                    self.cancelled.append(result["code"])
                return "consumed"
        return None

    # ---- a waiting help call ------------------------------------------------------------------
    def help_called(self, txn: str, now: float) -> None:
        """The hub took a desk help call: keep it until staff acknowledge, whatever screen is up."""
        self.help_call = {"txn": txn, "state": "waiting", "by": "", "at": now}

    def _help_answer(self, rep: Any, now: float | None) -> str:
        result = rep.result if isinstance(rep.result, dict) else {}
        call = self.help_call
        assert call is not None
        if not rep.ok or result.get("state") in ("cancelled", "expired"):
            self.help_call = None
        elif result.get("state") == "acknowledged":
            call.update(state="acknowledged", by=str(result.get("by") or ""), at=self.now if now is None else now)
        return "help"

    def help_expired(self, now: float) -> bool:
        """Forget an acknowledged call once it has been shown long enough, a waiting one after an hour."""
        call = self.help_call
        if call is None:
            return False
        keep = HELP_ACK_SHOWN_S if call["state"] == "acknowledged" else HELP_WAIT_MAX_S
        if now - call["at"] < keep:
            return False
        self.help_call = None
        return True

    def _printer_answer(self, msg: PrinterChecked | PrintFinished, now: float) -> str | None:
        if msg.state is not self.printer_state:
            self.printer_state = msg.state
            for listener in self.listeners:
                listener("printer")
        if isinstance(msg, PrintFinished) and self.test_prints.finished(msg, now):
            return "consumed"
        if isinstance(msg, PrintFinished) and msg.tag in self._left_prints:
            ticket = self._left_prints.pop(msg.tag)
            if msg.ok:
                self.request("ticket.delivered", {"ticket": ticket, "how": "printed"})
            else:
                self.void(ticket, "printer_failed")
            return "consumed"
        return None  # the screen that asked takes it from here

    # ---- outbound ----------------------------------------------------------------------------
    def request(self, op: str, args: dict[str, Any], txn: str | None = None) -> str | None:
        """Send a request; None when offline (the caller shows its fallback at once). Pass the ``txn`` of
        an earlier attempt to retry it: the hub answers a retry with the very same result, which is then
        awaited again (never undone as abandoned)."""
        if not self.connected:
            return None
        if txn is not None:
            self._abandoned.pop(txn, None)
        return self.link.send(op, args, txn)

    def void(self, ticket: str, reason: str) -> None:
        """Void a ticket nobody holds; the hub's reply is ours, not a screen's."""
        txn = self.request("ticket.void", {"ticket": ticket, "reason": reason})
        if txn:
            self._cleanup_txns.add(txn)
            self.voided.append(ticket)

    def leave_print(self, tag: str, ticket: str) -> None:
        """A screen stops waiting for the print of ``ticket``: settle it when the job ends."""
        self._left_prints[tag] = ticket

    def abandon(self, txn: str | None, op: str = "ticket.issue") -> None:
        """A request we no longer wait for: void the ticket it issues, or cancel the booking it makes,
        if it does so after all."""
        if txn:
            self._abandoned[txn] = op

    # ---- the hall ------------------------------------------------------------------------------
    def waiting(self, category: str) -> int | None:
        if not self.board:
            return None
        for c in self.board.get("categories", []):
            if c.get("category") == category:
                n = c.get("waiting")
                return n if isinstance(n, int) else None
        return None

    def category_name(self, category: str) -> str:
        cat = self.cfg.hall.category(category)
        return (cat.plain or cat.name) if cat else category  # in the words visitors use

    def windows_for(self, category: str) -> str:
        s = self.strings
        names = [s.window_name.format(number=w.number, name=w.name)
                 for w in self.cfg.hall.windows if category in w.categories]
        return s.window_sep.join(names)

    @property
    def hall_state(self) -> str | None:
        return self.mode.get("state") if self.mode else None

    @property
    def after_hours(self) -> bool:
        """Outside walk-in hours: the home is the 24-hour self-service zone (no 取号)."""
        return self.hall_state in AFTER_HOURS

    @property
    def checkin_open(self) -> bool:
        """预约签到 makes sense today (walk-in or appointment sessions); unknown mode counts as open."""
        return self.hall_state is None or self.hall_state in CHECKIN_STATES

    def bookable_categories(self) -> list[Category]:
        """The categories of ``[appointments] categories`` (the hub's own list), in config order; without
        that list every category but complaints (the hub answers not_bookable for the others)."""
        wanted = self.cfg.roles.get("appointments", {}).get("categories")
        cats = list(self.cfg.hall.categories)
        if isinstance(wanted, list):
            return [c for c in cats if c.id in wanted]
        return [c for c in cats if c.group != "complaint"]

    def day_text(self, iso: str) -> str:
        """"2026-11-30" → 11月30日 星期一."""
        d = date.fromisoformat(iso)
        return self.strings.day_text.format(month=d.month, day=d.day, weekday=WEEKDAYS[d.weekday()])
    def phone_for_help(self) -> str:
        p = self.cfg.phones
        return p.consultation or p.on_duty or p.hotline
