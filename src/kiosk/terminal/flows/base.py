"""What every terminal flow shares: the events it takes, the effects it asks for, and the machine itself.

Rule: a flow is a pure state machine like the queue core (``kiosk.core.queue``). Events go in with the
time (``handle(event, now) -> effects``); effects come out and the screen carries them out. A flow imports
no pygame, no bus and no clock: the hub's replies, the printer's answers, taps and the passing of time all
arrive as events. Each flow names its stages in an ``enum.Enum`` and lists, per stage, the events it takes
and the handler for each (its ``TABLE``); an event missing from the table for the current stage raises
:class:`Refused` and a handler refuses by raising it *before* it changes anything — the shared machine
(:class:`kiosk.core.machine.Machine`, which the counter's pad runs on too) also restores the flow's fields
on a refusal, so a refused event leaves the state exactly as it was.

Ids that must be unique in the process (print job tags) come from the ``tags`` callable given to the flow;
request ids (``txn``) come from the link and arrive back as :class:`Sent`.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar

from ...core.idcard import valid_phone
from ...core.machine import Machine, Refused




# ---- events in ---------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Tapped:
    """A person pressed ``target`` (a widget id), carrying the widget's ``value``."""

    target: str
    value: Any = None


@dataclass(frozen=True, slots=True)
class Entered:
    """A person finished typing into ``target`` (a keypad or keyboard): ``value`` is what they typed;
    ``extra`` is what came with a scanned value (a ticket QR's token)."""

    target: str
    value: str
    extra: str = ""


@dataclass(frozen=True, slots=True)
class Scanned:
    """The code scanner read ``text`` (a booking QR, a ticket QR, or noise)."""

    text: str


@dataclass(frozen=True, slots=True)
class Sent:
    """The link's answer to :class:`Ask`: the request's ``txn``, or None when there is no broker."""

    txn: str | None


@dataclass(frozen=True, slots=True)
class Replied:
    """The hub answered request ``txn``."""

    txn: str
    ok: bool
    code: str = ""
    message: str = ""
    result: Any = None
    error: Mapping[str, Any] | None = None  # a refusal's whole error object (slot_full's ``suggest``)


@dataclass(frozen=True, slots=True)
class PrinterAnswered:
    """The printer answered job ``tag``: a status check (``printed`` False) or a print; ``state`` is the
    printer's state afterwards (``ok``, ``paper_low``, ``paper_out``, ``offline``)."""

    tag: str
    ok: bool
    state: str
    printed: bool


@dataclass(frozen=True, slots=True)
class Tick:
    """Time passed (``now`` is the argument of ``handle``)."""


@dataclass(frozen=True, slots=True)
class Online:
    """The broker connection came or went (a flow needs it before it asks the printer)."""

    connected: bool


@dataclass(frozen=True, slots=True)
class Typing:
    """A correction is being typed into a field (its warning about the old entry goes)."""


@dataclass(frozen=True, slots=True)
class Large:
    """The person switched 长辈模式 on or off (requests and printed documents follow it)."""

    on: bool


@dataclass(frozen=True, slots=True)
class Left:
    """The person left the flow's screen (返回首页, idle, a scanned code): settle what is open."""


@dataclass(frozen=True, slots=True)
class CardRead:
    """The ID card reader read a whole card whose number passed the resident-ID check. ``today`` is the
    hall's date (an age is counted to it; a flow never reads a clock). The personal fields stay out of
    ``repr``, so no log line or refusal message can carry them."""

    name: str = field(repr=False)
    id_number: str = field(repr=False)
    address: str = field(repr=False)
    birth: date = field(repr=False)
    today: date


@dataclass(frozen=True, slots=True)
class CardFailed:
    """A card was placed but not read: ``pulled`` (taken away mid-read, cut short), ``unreadable`` (not a
    resident ID card), ``invalid`` (its text failed the checks)."""

    problem: str


Event = (Tapped | Entered | Scanned | Sent | Replied | PrinterAnswered | Tick | Online | Typing | Large | Left
         | CardRead | CardFailed)


# ---- effects out -------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Ask:
    """Send ``op`` to the hub and answer the flow with :class:`Sent`; ``retry`` is an earlier txn to reuse
    (the hub answers a retry with the very same result)."""

    op: str
    args: Mapping[str, Any]
    retry: str | None = None


@dataclass(frozen=True, slots=True)
class Tell:
    """Send ``op`` to the hub; its reply concerns nobody (``ticket.delivered``)."""

    op: str
    args: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Void:
    """Void ``ticket`` nobody holds (the session owns the request and its reply)."""

    ticket: str
    reason: str


@dataclass(frozen=True, slots=True)
class Abandon:
    """Nobody waits for request ``txn`` any more: what it makes after all is undone — a ticket issued is
    voided, a booking made is cancelled (``op`` says which request it was)."""

    txn: str
    op: str = "ticket.issue"


@dataclass(frozen=True, slots=True)
class CheckPrinter:
    tag: str


@dataclass(frozen=True, slots=True)
class Print:
    """Print ``document`` (``"ticket"``, ``"slip"`` or ``"receipt"``) made from ``facts`` (the hub's result).
    ``if_ready``: only when the printer last said it is ready, with no status check first (a courtesy copy of
    what the screen shows: nothing waits for it)."""

    tag: str
    document: str
    facts: Mapping[str, Any] = field(default_factory=dict)
    if_ready: bool = False


@dataclass(frozen=True, slots=True)
class LeavePrint:
    """The flow stops waiting for print ``tag`` of ``ticket``: deliver it if it prints, else void it."""

    tag: str
    ticket: str


@dataclass(frozen=True, slots=True)
class KeepHelpCall:
    """The hub took desk help call ``txn``: the session keeps it until staff acknowledge, on any screen."""

    txn: str


@dataclass(frozen=True, slots=True)
class Speak:
    text: str


Effect = Ask | Tell | Void | Abandon | CheckPrinter | Print | LeavePrint | KeepHelpCall | Speak


def event_key(event: Any) -> str:
    """The name a flow's table uses for an event: a tap's target, else the event's kind (a flow's own
    event is named by its class, lower-case)."""
    if isinstance(event, (Tapped, Entered)):
        return event.target
    return {Scanned: "scanned", Sent: "sent", Replied: "replied", PrinterAnswered: "printer", Tick: "tick", Online: "online",
            Typing: "typing", Large: "large", Left: "left", CardRead: "card", CardFailed: "card_failed"}.get(type(event)) \
        or type(event).__name__.lower()


class Flow(Machine):
    """Base of the terminal's flows: the shared :class:`~kiosk.core.machine.Machine` (``stage``, the per-stage
    ``TABLE``, ``handle``, refusals that change nothing), keyed by tap target or event kind, with the events
    every terminal stage takes."""

    Stage: ClassVar[type[enum.Enum]]
    TABLE: ClassVar[Mapping[enum.Enum, Mapping[str, str]]]
    PREFIXES: ClassVar[tuple[str, ...]] = ()  # tap targets matched by prefix ("cat-" → "cat-")
    ANY_STAGE: ClassVar[Mapping[str, str]] = {"online": "_online", "typing": "_typing", "large": "_large",
                                              "left": "_left"}

    stage: enum.Enum

    def __init__(self) -> None:
        super().__init__()
        self.online = True
        self.large = False

    @property
    def txn(self) -> str | None:
        """The hub request the flow waits for (flows that ask keep a :class:`HubAsk` in ``ask``)."""
        ask = getattr(self, "ask", None)
        return ask.txn if isinstance(ask, HubAsk) else None

    def key(self, event: Event) -> str:
        k = event_key(event)
        if isinstance(event, Tapped):
            for p in self.PREFIXES:
                if k.startswith(p):
                    return p
        return k

    def _online(self, event: Online, now: float) -> list[Effect]:
        self.online = event.connected
        return []

    def _typing(self, event: Typing, now: float) -> list[Effect]:
        """The warning about a wrong phone number goes while its correction is typed."""
        if getattr(self, "phone_error", False):
            self.phone_error = False
        return []

    def _large(self, event: Large, now: float) -> list[Effect]:
        self.large = event.on
        return []

    def _left(self, event: Left, now: float) -> list[Effect]:
        """Settle what the stage holds open (a request, a print, a ticket); the default holds nothing."""
        return []



# ---- asking the hub ------------------------------------------------------------------------------------
@dataclass(slots=True)
class HubAsk:
    """One request to the hub at a time, with a deadline: the shared piece of every flow that asks.

    ``ask`` makes the :class:`Ask` effect and starts the clock; ``sent`` takes the txn (None = offline);
    ``mine`` tells whether a reply is the answer; ``expired`` is the deadline; ``last`` keeps the txn of a
    refused attempt so 重试 can reuse it where the hub answers a retry with the same result."""

    timeout: float
    txn: str | None = None
    sent_at: float = 0.0
    last: str | None = None

    def ask(self, op: str, args: Mapping[str, Any], now: float, *, retry: bool = False) -> Ask:
        self.sent_at = now
        return Ask(op, dict(args), self.last if retry else None)

    def sent(self, txn: str | None) -> bool:
        """Take the link's txn; False when offline (nothing was sent)."""
        self.txn = self.last = txn
        return txn is not None

    def mine(self, reply: Replied) -> bool:
        return self.txn is not None and reply.txn == self.txn

    def expired(self, now: float) -> bool:
        return self.txn is not None and now - self.sent_at >= self.timeout

    def done(self) -> None:
        self.txn = None

    def give_up(self, op: str = "ticket.issue") -> list[Effect]:
        """Stop waiting (deadline, leaving): the session undoes what request ``op`` makes after all."""
        txn, self.txn = self.txn, None
        return [Abandon(txn, op)] if txn else []


@dataclass(slots=True)
class PaperCopy:
    """A courtesy copy on paper of what the screen shows (a receipt, a slip): asked for once per result,
    printed only if the printer last said it is ready (:attr:`Print.if_ready`); ``printed`` once it came out."""

    tag: str = ""
    printed: bool = False

    def ask(self, tag: str, document: str, facts: Mapping[str, Any]) -> Print:
        self.tag, self.printed = tag, False
        return Print(tag, document, dict(facts), if_ready=True)

    def answered(self, e: PrinterAnswered) -> None:
        """The printer's answer to this copy (any other job's answer is refused)."""
        if e.tag != self.tag or not e.printed:
            raise Refused("an answer to another job")
        if e.ok:
            self.printed = True


def word_refusal(code: str, message: str, *, hub_worded: frozenset[str] | tuple[str, ...],
                 errors: Mapping[str, str], other: str) -> str:
    """Words for a refused request: the hub's own message where it is written for residents, else ours
    (``other`` formats an unknown code)."""
    if code in hub_worded and message:
        return message
    return errors.get(code) or other.format(code=code)


TagSource = Callable[[], str]
WAITING = {"sent": "_sent", "replied": "_replied", "tick": "_deadline"}  # the row of a stage that waits for the hub


class AskingFlow(Flow):
    """A flow that asks the hub and words its refusals: one :class:`HubAsk`, the words, and the handlers
    every such flow shares — ``Sent`` (offline fails at once), the deadline (the txn stays, so a late answer
    is still taken and 重试 repeats it), and a failure worded by :func:`word_refusal`."""

    HUB_WORDED: ClassVar[frozenset[str]] = frozenset()  # codes whose hub message is written for residents
    FAILED: ClassVar[enum.Enum]

    def __init__(self, *, reply_timeout: float, errors: Mapping[str, str], other: str) -> None:
        super().__init__()
        self.errors, self.other = dict(errors), other
        self.ask = HubAsk(reply_timeout)
        self.reason = ""

    def _fail(self, code: str, message: str = "") -> None:
        self.reason = word_refusal(code, message, hub_worded=self.HUB_WORDED, errors=self.errors, other=self.other)
        self.go(self.FAILED)

    def _sent(self, e: Sent, now: float) -> list[Effect]:
        if not self.ask.sent(e.txn):
            self._fail("offline")
        return []

    def _deadline(self, e: Tick, now: float) -> list[Effect]:
        if now - self.ask.sent_at >= self.ask.timeout:
            self._fail("timeout")  # the txn stays: a late answer is still taken, 重试 repeats it
        return []

    def _mine(self, e: Replied) -> None:
        if not self.ask.mine(e):
            raise Refused("not the answer this flow waits for")

    def _request(self, op: str, args: Mapping[str, Any], stage: enum.Enum, now: float, *,
                 retry: bool = False) -> list[Effect]:
        """Ask ``op`` and wait in ``stage``; ``retry`` repeats the txn of the attempt that timed out."""
        if retry and self.ask.txn is None:
            raise Refused("nothing to repeat")
        self.go(stage)
        return [self.ask.ask(op, args, now, retry=retry)]

    def _result(self, e: Replied) -> dict[str, Any] | None:
        """The result of the answer this flow waits for; None when the hub refused (then FAILED, worded)."""
        self._mine(e)
        self.ask.done()
        if not e.ok or not isinstance(e.result, dict):
            self._fail(e.code or "error", e.message or "")
            return None
        return dict(e.result)


class CommentAndPhone:
    """Mixin of the flows that end with an optional comment and an optional call-back phone before the
    review (办事评价, 办不成事反映): stages ``TEXT`` → ``PHONE`` → ``REVIEW``; a phone is checked with the
    hub's own rule (``kiosk.core.idcard.valid_phone``), and a wrong one keeps the person on PHONE."""

    text: str
    phone: str
    phone_error: bool

    def _text(self, e: Entered, now: float) -> list[Effect]:
        self.text = e.value
        self.go(self.Stage.PHONE)  # type: ignore[attr-defined]
        return []

    def _text_skip(self, e: Tapped, now: float) -> list[Effect]:
        self.text = ""
        self.go(self.Stage.PHONE)  # type: ignore[attr-defined]
        return []

    def _phone(self, e: Entered, now: float) -> list[Effect]:
        self.phone = e.value
        self.phone_error = bool(e.value) and valid_phone(e.value) is None
        if not self.phone_error:
            self.go(self.Stage.REVIEW)  # type: ignore[attr-defined]
        return []

    def _phone_skip(self, e: Tapped, now: float) -> list[Effect]:
        self.phone, self.phone_error = "", False
        self.go(self.Stage.REVIEW)  # type: ignore[attr-defined]
        return []

