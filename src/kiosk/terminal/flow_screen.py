"""The one screen that runs a flow: it turns what happens (taps, the hub's replies, the printer's answers,
time, the connection, 长辈模式, leaving) into the flow's events, and carries the flow's effects out through
the session (asking the hub, printing, delivering, voiding, speaking).

Rule: a flow screen holds no stage of its own; it draws ``self.flow``'s state (its ``body``) and redraws
when the flow's ``version`` moves. An event the flow refuses is dropped: a tap on a button of a stage the
flow has already left changes nothing.
"""

from __future__ import annotations

from typing import Any

from ..ui.screen import Transition
from ..ui.theme import Mode
from ..ui.widget import Chosen, Context, EntrySubmitted, Pressed, Widget
from .base import BACK_ID, TerminalScreen
from .documents import ticket_document
from .flows.base import (Abandon, Ask, CheckPrinter, Effect, Entered, Event, Flow, KeepHelpCall, Large, LeavePrint,
                         Left, Online, Print, PrinterAnswered, Refused, Replied, Scanned, Sent, Speak, Tapped, Tell,
                         Tick, Typing, Void)
from ..devices import idreader
from .cards import card_event
from .messages import ReplyIn, ScanResult
from .printing import Document, PrinterChecked, PrintFinished


class FlowScreen(TerminalScreen):
    flow: Flow

    def make_flow(self, data: Any) -> Flow:
        raise NotImplementedError

    def document(self, effect: Print) -> Document:
        """The printed document of a :class:`Print` effect (worded in :mod:`kiosk.terminal.documents`)."""
        if effect.document == "ticket":
            return ticket_document(effect.facts, self.s, now=self.s.wall(self.now), large=self.mode is Mode.LARGE)
        raise ValueError(f"{type(self).__name__} prints no {effect.document!r}")

    @property
    def stage(self) -> str:
        """The flow's stage by name (what tests and logs read)."""
        return str(self.flow.stage.value)

    @property
    def txn(self) -> str | None:
        """The request the flow waits for, if any."""
        return self.flow.txn

    # ---- events in ---------------------------------------------------------------------------------
    def startup(self, data: Any) -> None:
        self.flow = self.make_flow(data)
        self.flow.handle(Online(self.s.connected), self.now)
        self.flow.handle(Large(self.mode is Mode.LARGE), self.now)
        self._seen = self.flow.version

    def feed(self, event: Event) -> None:
        if not self.flow.accepts(event):
            return
        try:
            effects = self.flow.handle(event, self.now)
        except Refused:
            return
        for effect in effects:
            self.carry(effect)
        if self.flow.version != self._seen:
            self._seen = self.flow.version
            self.invalidate()

    def build(self, ctx: Context) -> Widget:
        large = ctx.theme.mode is Mode.LARGE
        if self.flow.large != large:
            self.flow.handle(Large(large), self.now)
            self._seen = self.flow.version  # being drawn now
        return super().build(ctx)

    def cleanup(self) -> None:
        self.feed(Left())

    def _clear_field_error(self) -> None:
        self.feed(Typing())

    def has_back(self) -> bool:
        return self.flow.accepts(Tapped(BACK_ID))

    def back(self) -> Transition | None:
        self.feed(Tapped(BACK_ID))
        return None

    def on_session(self, what: str) -> Transition | None:
        if what == "connection":
            self.feed(Online(self.s.connected))
        return None

    def on(self, message: Any) -> Transition | None:
        if isinstance(message, (Pressed, Chosen)):  # a button, or an item of a list
            self.feed(Tapped(message.widget_id, message.value))
        elif isinstance(message, EntrySubmitted):
            self.feed(Entered(message.widget_id, message.value))
        elif isinstance(message, ScanResult):  # only screens that take scans themselves get here
            self.feed(Scanned(message.text))
        elif isinstance(message, ReplyIn):
            r = message.reply
            self.feed(Replied(r.txn, r.ok, r.code or "", r.message or "", r.result, message.error))
        elif isinstance(message, PrinterChecked):
            self.feed(PrinterAnswered(message.tag, message.state.ready, message.state.value, printed=False))
        elif isinstance(message, PrintFinished):
            self.feed(PrinterAnswered(message.tag, message.ok, message.state.value, printed=True))
        elif isinstance(message, (idreader.CardRead, idreader.CardFailed)):
            self.on_input(self.now)  # a card placed is the visitor at work, like a touch
            self.feed(card_event(message, self.s.hall_date(self.now)))
        return None

    def tick(self, now: float) -> Transition | None:
        self.feed(Tick())
        return None

    # ---- effects out -------------------------------------------------------------------------------
    def carry(self, effect: Effect) -> None:
        s = self.s
        if isinstance(effect, Ask):
            self.feed(Sent(s.request(effect.op, dict(effect.args), effect.retry)))
        elif isinstance(effect, Tell):
            s.request(effect.op, dict(effect.args))
        elif isinstance(effect, Void):
            s.void(effect.ticket, effect.reason)
        elif isinstance(effect, Abandon):
            s.abandon(effect.txn, effect.op)
        elif isinstance(effect, CheckPrinter):
            s.printer.check(effect.tag)
        elif isinstance(effect, Print):
            if effect.if_ready and not (s.printer.present and s.printer_state.ready):
                return  # a courtesy copy: only when the printer last said it is ready
            document = self.document(effect)
            if not effect.if_ready or s.printer.can_print(document):
                s.printer.print(effect.tag, document)
        elif isinstance(effect, LeavePrint):
            s.leave_print(effect.tag, effect.ticket)
        elif isinstance(effect, KeepHelpCall):
            s.help_called(effect.txn, self.now)
        elif isinstance(effect, Speak):
            s.speaker.say(effect.text)
        else:  # pragma: no cover - a new effect kind without a carrier
            raise TypeError(f"no carrier for {effect!r}")
