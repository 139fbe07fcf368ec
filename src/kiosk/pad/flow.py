"""The evaluation pad (评价器) at one window, as one sans-I/O flow: events in, effects out.

Rule: everything that moves the pad from one page to another lives here. ``PadFlow.handle(event, now)``
checks first and changes after, so a refused event (``PadRefused``) leaves the state exactly as it was.
The pages are ``Stage``; which events each stage takes and where they may lead is the table
``TRANSITIONS``; a handler that picked a stage outside it is a bug and raises. It runs on the machine every
flow shares (:mod:`kiosk.core.machine`), as the terminal's screens do. Time and the business day
arrive with the events (``now``, ``Tick.day``); the flow never reads a clock and does no I/O: the screen
draws ``state`` and carries out the ``Submit`` effects.

The hall's rules, as the flow keeps them:
* 一事一评: the pad rates only the ticket its window just completed (the hub's offer), once; a ticket it
  has rated is never offered again on this pad, and the hub refuses a second rating anyway.
* 严禁强制好评: the five levels are offered equal and none is chosen; a 差评 needs at least one reason.
* It never blocks the window: a newer offer replaces a pending rating at once, whatever the page.
* Back to idle after a quiet minute, after the thank-you, and when the business day changes.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace

from ..core import evaluation as E
from ..core.machine import Machine, Refused


class Stage(enum.Enum):
    IDLE = "idle"          # window name and the staff member on duty
    LEVELS = "levels"      # the five levels, none chosen
    REASONS = "reasons"    # a 差评: reason chips, at least one
    SENDING = "sending"    # evaluation.submit sent, waiting for the hub
    THANKS = "thanks"      # 谢谢您的评价
    FAILED = "failed"      # the hub refused, or no answer


@dataclass(frozen=True, slots=True)
class Timing:
    quiet_s: float = 60.0     # no touch on a rating page for this long: idle
    thanks_s: float = 6.0     # the thank-you page
    failed_s: float = 15.0    # a refusal stays readable this long
    answer_s: float = 10.0    # no reply from the hub within this: FAILED (with 重试)


# ---- events (past tense: what happened) ------------------------------------------------------------

@dataclass(frozen=True, slots=True, kw_only=True)
class Offered:
    """The hub offers the ticket the window just completed (``window/<w>/evaluation``)."""

    ticket: str
    number: str
    day: str  # the business day the ticket was completed on (local date, ISO)


@dataclass(frozen=True, slots=True, kw_only=True)
class Withdrawn:
    """The hub cleared the offer (rated through another channel, or a new day)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class LevelTapped:
    level: int
    txn: str  # the request id to use if this tap submits (the caller makes it unguessable)


@dataclass(frozen=True, slots=True, kw_only=True)
class ReasonTapped:
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ReasonsConfirmed:
    txn: str


@dataclass(frozen=True, slots=True, kw_only=True)
class BackTapped:
    """From the reason chips back to the five levels."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RetryTapped:
    """Send the same rating again (same txn: the hub answers a retry with its stored reply)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DoneTapped:
    """关闭 on the thank-you or failure page."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Replied:
    txn: str
    ok: bool
    code: str = ""
    message: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Touched:
    """A finger went down anywhere (restarts the quiet minute)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Tick:
    day: str  # today's business day (local date, ISO)


Event = (Offered | Withdrawn | LevelTapped | ReasonTapped | ReasonsConfirmed | BackTapped | RetryTapped
         | DoneTapped | Replied | Touched | Tick)


# ---- effects (what the screen must do) --------------------------------------------------------------

@dataclass(frozen=True, slots=True, kw_only=True)
class Submit:
    """Send ``evaluation.submit`` with channel ``pad``."""

    txn: str
    ticket: str
    level: int
    reasons: tuple[str, ...]


Effect = Submit

S = Stage
_ANY = (S.IDLE, S.LEVELS, S.REASONS, S.SENDING, S.THANKS, S.FAILED)
# stage -> event type -> the stages that event may lead to. An event type missing here is refused.
TRANSITIONS: dict[Stage, dict[type, tuple[Stage, ...]]] = {
    S.IDLE: {Offered: (S.LEVELS, S.IDLE), Withdrawn: (S.IDLE,), Touched: (S.IDLE,), Tick: (S.IDLE,),
             Replied: (S.IDLE,)},
    S.LEVELS: {Offered: (S.LEVELS,), Withdrawn: (S.IDLE,), LevelTapped: (S.SENDING, S.REASONS),
               Touched: (S.LEVELS,), Tick: (S.LEVELS, S.IDLE), Replied: (S.LEVELS,)},
    S.REASONS: {Offered: (S.LEVELS, S.REASONS), Withdrawn: (S.IDLE,), ReasonTapped: (S.REASONS,),
                ReasonsConfirmed: (S.SENDING,), BackTapped: (S.LEVELS,), Touched: (S.REASONS,),
                Tick: (S.REASONS, S.IDLE), Replied: (S.REASONS,)},
    # the hub clears the offer when our own rating lands, often before the reply: SENDING ignores Withdrawn
    S.SENDING: {Offered: (S.LEVELS, S.SENDING), Withdrawn: (S.SENDING,), Replied: (S.THANKS, S.FAILED, S.SENDING),
                Touched: (S.SENDING,), Tick: (S.SENDING, S.FAILED, S.IDLE)},
    S.THANKS: {Offered: (S.LEVELS, S.THANKS), Withdrawn: (S.THANKS,), DoneTapped: (S.IDLE,), Touched: (S.THANKS,),
               Tick: (S.THANKS, S.IDLE), Replied: (S.THANKS,)},
    S.FAILED: {Offered: (S.LEVELS, S.FAILED), Withdrawn: (S.IDLE,), RetryTapped: (S.SENDING,),
               DoneTapped: (S.IDLE,), Touched: (S.FAILED,), Tick: (S.FAILED, S.IDLE), Replied: (S.FAILED,)},
}
RATING = (S.LEVELS, S.REASONS, S.FAILED)  # pages that wait for the visitor: the quiet minute applies
RETRYABLE = frozenset({"timeout", "unavailable", "offline", "busy"})
REMEMBER = 32  # rated tickets remembered (a day at one window is far fewer re-offers than this matters)


class PadRefused(Refused):
    """An event the pad's current page does not take; ``code`` is ``not_now`` or ``need_reason``."""


@dataclass(frozen=True, slots=True, kw_only=True)
class PadState:
    stage: Stage = Stage.IDLE
    day: str = ""                  # today, from the last Tick
    ticket: str | None = None      # the ticket being rated
    number: str | None = None
    level: int | None = None
    reasons: tuple[str, ...] = ()
    txn: str | None = None
    error_code: str = ""
    error: str = ""                # the hub's words for a refusal
    since: float = 0.0             # when this page opened
    last_touch: float = 0.0
    rated: tuple[str, ...] = field(default=())  # tickets this pad has rated (or the hub said were rated)

    @property
    def retryable(self) -> bool:
        return self.stage is Stage.FAILED and self.error_code in RETRYABLE


class PadFlow(Machine):
    """The pad on the shared machine (:class:`kiosk.core.machine.Machine`): the table is ``TRANSITIONS``'
    events (by class name), each handled by ``_on_<Event>(state, event, now) -> (state, effects)``; the
    machine refuses what a page does not take and restores the state on a refusal."""

    Stage = Stage
    TABLE = {stage: {t.__name__: "_on_" + t.__name__ for t in row} for stage, row in TRANSITIONS.items()}

    def __init__(self, timing: Timing = Timing(), state: PadState = PadState()) -> None:
        super().__init__()
        self.timing, self.state = timing, state

    @property
    def stage(self) -> Stage:  # type: ignore[override]
        return self.state.stage

    def refuse(self, event: Event) -> PadRefused:
        return PadRefused(f"{type(event).__name__} is not taken on the {self.state.stage.value} page")

    def dispatch(self, name: str, event: Event, now: float) -> tuple[Effect, ...]:
        """Apply one event to the immutable state; the stage it leads to must be one ``TRANSITIONS`` lists."""
        before = self.state
        after, effects = getattr(self, name)(before, event, now)
        if after.stage not in TRANSITIONS[before.stage][type(event)]:  # the table and the handlers disagree: a bug
            raise AssertionError(f"{before.stage} --{type(event).__name__}--> {after.stage} is not in TRANSITIONS")
        if after.stage is not before.stage:
            after = replace(after, since=now)
        self.state = after
        return effects

    # ---- handlers: (state, event, now) -> (new state, effects); they raise before changing anything ----
    def _on_Offered(self, s: PadState, e: Offered, now: float):
        if e.ticket in s.rated or (s.day and e.day != s.day) or (e.ticket == s.ticket and s.stage is not S.IDLE):
            return s, ()  # rated already, yesterday's, or the one on screen: nothing to do
        return _fresh(s, stage=S.LEVELS, ticket=e.ticket, number=e.number, last_touch=now), ()

    def _on_Withdrawn(self, s: PadState, e: Withdrawn, now: float):
        if s.stage in (S.SENDING, S.THANKS):
            return s, ()
        return _fresh(s, stage=S.IDLE), ()

    def _on_LevelTapped(self, s: PadState, e: LevelTapped, now: float):
        if e.level not in E.LEVEL_LABELS:
            raise PadRefused(E.MSG_BAD_LEVEL)
        if E.is_bad(e.level):
            return replace(s, stage=S.REASONS, level=e.level, reasons=(), last_touch=now), ()
        s = replace(s, stage=S.SENDING, level=e.level, reasons=(), txn=e.txn, last_touch=now)
        return s, (self._submit(s),)

    def _on_ReasonTapped(self, s: PadState, e: ReasonTapped, now: float):
        if e.reason not in E.BAD_REASONS:
            raise PadRefused(E.MSG_BAD_REASON.format(reason=e.reason[:20]))
        chosen = tuple(r for r in s.reasons if r != e.reason) if e.reason in s.reasons else (*s.reasons, e.reason)
        return replace(s, reasons=chosen, last_touch=now), ()

    def _on_ReasonsConfirmed(self, s: PadState, e: ReasonsConfirmed, now: float):
        if not s.reasons:
            raise PadRefused(E.MSG_NEED_REASON, code="need_reason")
        s = replace(s, stage=S.SENDING, txn=e.txn, last_touch=now)
        return s, (self._submit(s),)

    def _on_BackTapped(self, s: PadState, e: BackTapped, now: float):
        return replace(s, stage=S.LEVELS, level=None, reasons=(), last_touch=now), ()

    def _on_RetryTapped(self, s: PadState, e: RetryTapped, now: float):
        if not s.retryable:
            raise PadRefused("this refusal cannot be retried")
        s = replace(s, stage=S.SENDING, error="", error_code="", last_touch=now)
        return s, (self._submit(s),)

    def _on_DoneTapped(self, s: PadState, e: DoneTapped, now: float):
        return _fresh(s, stage=S.IDLE), ()

    def _on_Replied(self, s: PadState, e: Replied, now: float):
        if s.stage is not S.SENDING or e.txn != s.txn:
            return s, ()  # a late answer to a rating this page no longer shows
        if e.ok:
            return replace(s, stage=S.THANKS, rated=_remember(s.rated, s.ticket)), ()
        rated = _remember(s.rated, s.ticket) if e.code == "already_rated" else s.rated
        return replace(s, stage=S.FAILED, error_code=e.code or "error", error=e.message, rated=rated), ()

    def _on_Touched(self, s: PadState, e: Touched, now: float):
        return replace(s, last_touch=now), ()

    def _on_Tick(self, s: PadState, e: Tick, now: float):
        t = self.timing
        if s.day and e.day != s.day:  # a new business day: yesterday's rating is gone
            return _fresh(s, stage=S.IDLE, day=e.day, rated=()), ()
        if s.day != e.day:
            s = replace(s, day=e.day)
        age = now - s.since
        if s.stage in RATING and now - s.last_touch >= t.quiet_s:
            return _fresh(s, stage=S.IDLE), ()
        if s.stage is S.THANKS and age >= t.thanks_s:
            return _fresh(s, stage=S.IDLE), ()
        if s.stage is S.FAILED and age >= t.failed_s and now - s.last_touch >= t.failed_s:
            return _fresh(s, stage=S.IDLE), ()
        if s.stage is S.SENDING and age >= t.answer_s:
            return replace(s, stage=S.FAILED, error_code="timeout", error=""), ()
        return s, ()

    @staticmethod
    def _submit(s: PadState) -> Submit:
        assert s.txn and s.ticket and s.level is not None
        return Submit(txn=s.txn, ticket=s.ticket, level=s.level, reasons=s.reasons)


def _fresh(s: PadState, **kw) -> PadState:
    """Forget the rating in progress; keep the day and what was rated."""
    base = dict(ticket=None, number=None, level=None, reasons=(), txn=None, error="", error_code="")
    base.update(kw)
    return replace(s, **base)


def _remember(rated: tuple[str, ...], ticket: str | None) -> tuple[str, ...]:
    if ticket is None or ticket in rated:
        return rated
    return (*rated, ticket)[-REMEMBER:]
