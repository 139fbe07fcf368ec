"""取号 as a pure flow: choose a category, optionally 绿色通道, confirm, and leave with a ticket somebody holds.

The hub is asked with a deadline (``reply_timeout``; offline fails at once). A ticket issued after the
flow gave up is voided by the session (``Abandon``). With a ticket printer the printer is asked *before*
a number is taken (CHECKING); one that cannot print leads to NOPRINT, which offers the on-screen ticket.
After the number the ticket is printed (PRINTING); printed → ``ticket.delivered`` ``printed``; failed →
PRINT_FAILED, where the person keeps it on screen (``on_screen``) or gives it up (``Void``
``printer_failed``). Leaving in PRINTING hands the job to the session (``LeavePrint``); leaving in
PRINT_FAILED voids the ticket. So every issued ticket ends delivered or voided. A printed ticket can be
printed again for ``REPRINT_SECONDS``. ``hall_closed`` and ``past_closing`` are worded by the hub;
``past_closing`` first asks (LATE) and may be taken anyway (``accept_late``).

Categories are offered in the words visitors use; 不知道选哪个？ (FIND) picks one by what they came to do.

刷身份证 (with a reader: ``priority_age`` is set): a card read while choosing or confirming is used for one
thing only — the holder's age, counted from the birth date in the ID number to the hall's date the event
carries. At ``priority_age`` or more, 绿色通道 is switched on by itself (the visitor may switch it off) and
the ticket is asked with ``priority_reason`` ``age``; nothing else of the card is kept, not even the age
(``card`` says only ``aged``, ``young`` or why the card was not read).

Stages: CHOOSE [→ FIND] → CONFIRM → [CHECKING → NOPRINT →] ISSUING → [PRINTING → PRINT_FAILED → CANCELLED |]
TICKET | LATE → ISSUING | FAILED.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ...core.idcard import age_on, birth_date
from .base import (CardFailed, CardRead, CheckPrinter, Effect, Flow, HubAsk, LeavePrint, Print, PrinterAnswered,
                   Refused, Replied, Sent, TagSource, Tapped, Tell, Void, word_refusal)

REPRINT_SECONDS = 60.0  # 重新打印 is offered this long after the ticket printed
HUB_WORDED = frozenset({"hall_closed", "past_closing"})  # refusals whose message the hub writes for residents


class Stage(enum.Enum):
    CHOOSE = "choose"
    FIND = "find"  # 不知道选哪个？: by what the visitor wants to do (the config's tasks)
    CONFIRM = "confirm"
    CHECKING = "checking"
    NOPRINT = "noprint"
    ISSUING = "issuing"
    LATE = "late"
    PRINTING = "printing"
    PRINT_FAILED = "print_failed"
    CANCELLED = "cancelled"
    TICKET = "ticket"
    FAILED = "failed"


S = Stage
BACK = "go-back"
# stage → event → handler. An event missing here is refused in that stage.
CARD = {"card": "_card", "card_failed": "_card_failed"}
TABLE: dict[Stage, dict[str, str]] = {
    S.CHOOSE: {"cat-": "_choose", "take-find": "_find", **CARD},
    S.FIND: {"find-tasks": "_choose", BACK: "_restart", **CARD},
    S.CONFIRM: {"green": "_green", "take-confirm": "_confirm", BACK: "_restart", **CARD},
    S.CHECKING: {"printer": "_checked", "tick": "_check_deadline"},
    S.NOPRINT: {"print-on-screen": "_on_screen", BACK: "_restart"},
    S.ISSUING: {"sent": "_sent", "replied": "_replied", "tick": "_reply_deadline"},
    S.LATE: {"late-accept": "_accept_late", BACK: "_restart"},
    S.PRINTING: {"printer": "_print_answer", "tick": "_print_deadline"},
    S.PRINT_FAILED: {"printer": "_print_answer", "print-keep": "_keep", "print-cancel": "_cancel"},
    S.CANCELLED: {},
    S.TICKET: {"reprint": "_reprint", "printer": "_reprint_answer", "tick": "_ticket_tick"},
    S.FAILED: {"retry": "_restart", BACK: "_restart"},
}


@dataclass(frozen=True, slots=True)
class Printer:
    """What the flow knows of the ticket printer: whether there is one, and how long to wait for it."""

    present: bool = False
    check_deadline: float = 0.0
    print_deadline: float = 0.0


class TakeFlow(Flow):
    Stage = Stage
    TABLE = TABLE
    PREFIXES = ("cat-",)

    def __init__(self, *, reply_timeout: float, errors: Mapping[str, str], other: str,
                 printer: Printer = Printer(), tags: TagSource, priority_age: int | None = None) -> None:
        super().__init__()
        self.priority_age = priority_age  # None: no card reader
        self.by_age = False  # the card showed the priority age
        self.card = ""  # "", "aged", "young", or the problem of a card not read ("pulled", …)
        self.errors, self.other, self.printer, self.tags = dict(errors), other, printer, tags
        self.stage: Stage = S.CHOOSE
        self.category: str | None = None
        self.priority = False
        self.ask = HubAsk(reply_timeout)
        self.result: dict[str, Any] | None = None
        self.reason = ""
        self.accept_late = False
        self.on_screen = False  # the person chose (or kept) the on-screen ticket
        self.print_tag = ""  # the status or print job the flow waits for
        self.print_sent = 0.0
        self.printed_at: float | None = None
        self.reprint = ""  # "", "printing" or "failed"
        self.reprint_closed = False  # REPRINT_SECONDS have passed since the print
        self.problem = ""  # the printer state that stopped printing

    @property
    def ticket(self) -> str:
        return str((self.result or {}).get("ticket", ""))

    def reprint_open(self, now: float) -> bool:
        return self.printed_at is not None and now - self.printed_at < REPRINT_SECONDS

    # ---- taps ----------------------------------------------------------------------------------------
    def _choose(self, e: Tapped, now: float) -> list[Effect]:
        self.category, self.priority = str(e.value), self.by_age
        self.go(S.CONFIRM)
        return []

    def _find(self, e: Tapped, now: float) -> list[Effect]:
        self.go(S.FIND)
        return []

    def _green(self, e: Tapped, now: float) -> list[Effect]:
        self.priority = not self.priority
        return []

    def _restart(self, e: Tapped, now: float) -> list[Effect]:
        self.go(S.CHOOSE)
        return []

    def _card(self, e: CardRead, now: float) -> list[Effect]:
        if self.priority_age is None:
            raise Refused("no card reader")
        born = birth_date(e.id_number) or e.birth
        was, self.by_age = self.by_age, age_on(born, e.today) >= self.priority_age
        self.card = "aged" if self.by_age else "young"
        if self.by_age or was:  # on by the card, or off again when another card replaces the older one's
            self.priority = self.by_age
        return []

    def _card_failed(self, e: CardFailed, now: float) -> list[Effect]:
        if self.priority_age is None:
            raise Refused("no card reader")
        self.card = e.problem
        return []

    def _confirm(self, e: Tapped, now: float) -> list[Effect]:
        self.accept_late = self.on_screen = False
        if not self.printer.present or not self.online:
            return self._issue(now)  # no printer: on screen as always; offline: the desk, at once
        self.go(S.CHECKING)
        return [CheckPrinter(self._tag(now))]

    def _on_screen(self, e: Tapped, now: float) -> list[Effect]:
        self.on_screen = True
        return self._issue(now)

    def _accept_late(self, e: Tapped, now: float) -> list[Effect]:
        self.accept_late = True
        return self._issue(now)

    def _keep(self, e: Tapped, now: float) -> list[Effect]:
        return self._deliver_on_screen()

    def _cancel(self, e: Tapped, now: float) -> list[Effect]:
        self.go(S.CANCELLED)
        return [Void(self.ticket, "printer_failed")]

    def _reprint(self, e: Tapped, now: float) -> list[Effect]:
        if not self.reprint_open(now) or self.reprint == "printing":
            raise Refused("重新打印 is closed or already printing")
        self.reprint = "printing"
        return [self._print(now)]

    # ---- the hub -------------------------------------------------------------------------------------
    def _issue(self, now: float) -> list[Effect]:
        assert self.category is not None
        args: dict[str, Any] = {"category": self.category, "priority": self.priority, "large_print": self.large}
        if self.accept_late:
            args["accept_late"] = True
        if self.priority and self.by_age:
            args["priority_reason"] = "age"
        self.go(S.ISSUING)
        return [self.ask.ask("ticket.issue", args, now)]

    def _fail(self, code: str, message: str = "") -> None:
        self.reason = word_refusal(code, message, hub_worded=HUB_WORDED, errors=self.errors, other=self.other)
        self.ask.done()
        self.go(S.FAILED)

    def _sent(self, e: Sent, now: float) -> list[Effect]:
        if not self.ask.sent(e.txn):
            self._fail("offline")
        return []

    def _replied(self, e: Replied, now: float) -> list[Effect]:
        if not self.ask.mine(e):
            raise Refused("not the answer this flow waits for")
        if not e.ok and e.code == "past_closing" and not self.accept_late:
            self.reason = e.message or self.errors["past_closing"]
            self.ask.done()
            self.go(S.LATE)
            return []
        if not e.ok or not isinstance(e.result, dict):
            self._fail(e.code or "error", e.message or "")
            return []
        self.result = dict(e.result)
        self.ask.done()
        if self.printer.present and not self.on_screen:
            self.go(S.PRINTING)
            return [self._print(now)]
        return self._deliver_on_screen()

    def _reply_deadline(self, e: Any, now: float) -> list[Effect]:
        if not self.ask.expired(now):
            return []
        effects = self.ask.give_up()
        self._fail("timeout")
        return effects

    def _deliver_on_screen(self) -> list[Effect]:
        self.on_screen = True
        self.go(S.TICKET)
        return [Tell("ticket.delivered", {"ticket": self.ticket, "how": "on_screen"})]

    # ---- the printer ---------------------------------------------------------------------------------
    def _tag(self, now: float) -> str:
        self.print_tag = self.tags()
        self.print_sent = now
        return self.print_tag

    def _print(self, now: float) -> Print:
        return Print(self._tag(now), "ticket", dict(self.result or {}))

    def _mine(self, e: PrinterAnswered) -> None:
        if e.tag != self.print_tag:
            raise Refused("an answer to another job")

    def _checked(self, e: PrinterAnswered, now: float) -> list[Effect]:
        self._mine(e)
        if e.ok:
            return self._issue(now)
        self.problem = e.state
        self.go(S.NOPRINT)
        return []

    def _check_deadline(self, e: Any, now: float) -> list[Effect]:
        if now - self.print_sent >= self.printer.check_deadline:
            self.problem = "offline"
            self.go(S.NOPRINT)
        return []

    def _print_answer(self, e: PrinterAnswered, now: float) -> list[Effect]:
        self._mine(e)  # a late success after the deadline still counts
        if e.ok:
            self.printed_at = now
            self.go(S.TICKET)
            return [Tell("ticket.delivered", {"ticket": self.ticket, "how": "printed"})]
        if self.stage is S.PRINTING:
            self.problem = e.state
            self.go(S.PRINT_FAILED)
        return []

    def _print_deadline(self, e: Any, now: float) -> list[Effect]:
        if now - self.print_sent >= self.printer.print_deadline:
            self.problem = "offline"
            self.go(S.PRINT_FAILED)
        return []

    def _reprint_answer(self, e: PrinterAnswered, now: float) -> list[Effect]:
        self._mine(e)
        if self.reprint != "printing":
            raise Refused("no reprint is waiting")
        self.reprint = "" if e.ok else "failed"
        self.problem = "" if e.ok else e.state
        return []

    def _ticket_tick(self, e: Any, now: float) -> list[Effect]:
        if self.reprint == "printing" and now - self.print_sent >= self.printer.print_deadline:
            self.reprint, self.problem = "failed", "offline"
        if self.printed_at is not None and not self.reprint_open(now):
            self.reprint_closed = True
        return []

    # ---- leaving -------------------------------------------------------------------------------------
    def _left(self, e: Any, now: float) -> list[Effect]:
        if self.stage is S.ISSUING:
            return self.ask.give_up()
        if self.stage is S.PRINTING:
            return [LeavePrint(self.print_tag, self.ticket)]
        if self.stage is S.PRINT_FAILED:
            return [Void(self.ticket, "printer_failed")]  # walked away without choosing
        return []
