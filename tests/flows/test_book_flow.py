"""预约办理 as a pure flow, without pygame: a booking is asked for only after a slot with a place left is
chosen and a valid phone entered; one booking however often 重试 is pressed; every printed slip follows a
booking the hub committed; the phone is forgotten on leaving; a refused event changes nothing. A card read
is attached only after 关联身份证, its number goes only in ``appointment.book``, is shown and printed only
masked, and is forgotten on leaving."""

from __future__ import annotations

import copy
import itertools

import pytest
from hypothesis import settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from kiosk.terminal.codes import valid_phone
from kiosk.terminal.flows.base import Abandon, Ask, CardFailed, Entered, Left, Print, PrinterAnswered, Refused, Replied, Sent, Tapped, Tick
from kiosk.terminal.flows.book import TABLE, BookFlow, Itemised, Stage

from .common import OLD_CARD, YOUNG_CARD, apply, card, check_table, choices, copy_told_truly, link_answers, passes

S = Stage
ERRORS = {"timeout": "超时", "offline": "网络中断", "no_slots": "暂无可预约的时段"}
SLOTS = [{"slot": "2026-11-30T08:30", "date": "2026-11-30", "start": "08:30", "end": "09:00", "remaining": 2},
         {"slot": "2026-11-30T09:00", "date": "2026-11-30", "start": "09:00", "end": "09:30", "remaining": 0},
         {"slot": "2026-12-01T08:30", "date": "2026-12-01", "start": "08:30", "end": "09:00", "remaining": 1},
         {"slot": "2026-12-02T08:30", "date": "2026-12-02", "start": "08:30", "end": "09:00", "remaining": 0}]
FREE = {s["slot"] for s in SLOTS if s["remaining"]}


def make() -> BookFlow:
    n = itertools.count(1)
    return BookFlow(reply_timeout=3.0, errors=ERRORS, other="错误 {code}", tags=lambda: f"book-{next(n)}")


def run(f: BookFlow, event, now: float = 0.0, txn: str = "b1"):
    effects = f.handle(event, now)
    for e in effects:
        if isinstance(e, Ask):
            f.handle(Sent(e.retry or txn), now)
    return effects


def to_confirm(f: BookFlow, *, item: bool = False) -> None:
    f.handle(Itemised(frozenset({"C"} if item else ())), 0.0)
    run(f, Tapped("book-cats", "C"))
    if item:
        run(f, Tapped("book-items", "rs-sbk-apply"))
    run(f, Replied("b1", True, result={"slots": SLOTS}))
    run(f, Tapped("book-days", "2026-11-30"))
    run(f, Tapped("book-slots", "2026-11-30T08:30"))
    run(f, Entered("book-phone", "13812345678"))


def test_every_stage_is_in_the_table_and_every_handler_exists():
    check_table(BookFlow)


def test_the_whole_way_with_an_item_and_a_slip():
    f = make()
    to_confirm(f, item=True)
    assert f.stage is S.CONFIRM
    [ask] = run(f, Tapped("book-submit"), txn="b2")
    assert ask == Ask("appointment.book", {"category": "C", "slot": "2026-11-30T08:30", "phone": "13812345678",
                                           "items": ["rs-sbk-apply"]})
    booking = {"code": "K7M3QX", "date": "2026-11-30", "start": "08:30", "end": "09:00"}
    [slip] = run(f, Replied("b2", True, result=booking))
    assert slip == Print("book-1", "slip", booking, if_ready=True) and f.stage is S.DONE
    with pytest.raises(Refused):
        f.handle(PrinterAnswered("poll", True, "ok", printed=False), 1.0)  # the printer's own status poll
    assert not f.slip.printed
    run(f, PrinterAnswered("book-1", True, "ok", printed=True))
    assert f.slip.printed


def test_back_goes_where_one_came_from():
    f = make()
    f.handle(Itemised(frozenset({"C"})), 0.0)
    run(f, Tapped("book-cats", "C"))
    assert f.stage is S.ITEM
    run(f, Tapped("book-skip"))
    run(f, Replied("b1", True, result={"slots": SLOTS}))
    run(f, Tapped("go-back"))
    assert f.stage is S.ITEM  # the catalogue lists items for C
    f.handle(Itemised(frozenset()), 0.0)
    run(f, Tapped("book-skip"))
    run(f, Replied("b1", True, result={"slots": SLOTS}))
    run(f, Tapped("go-back"))
    assert f.stage is S.CATEGORY


def test_full_slots_and_days_cannot_be_chosen():
    f = make()
    run(f, Tapped("book-cats", "C"))
    run(f, Replied("b1", True, result={"slots": SLOTS}))
    before = copy.deepcopy(vars(f))
    for event in (Tapped("book-days", "2026-12-02"), Tapped("book-days", "2027-01-01")):
        with pytest.raises(Refused):
            f.handle(event, 0.0)
        assert vars(f) == before
    run(f, Tapped("book-days", "2026-11-30"))
    before = copy.deepcopy(vars(f))
    for event in (Tapped("book-slots", "2026-11-30T09:00"), Tapped("book-slots", "2026-12-01T08:30"),
                  Tapped("book-submit"), Replied("b1", True, result={})):
        with pytest.raises(Refused):
            f.handle(event, 0.0)
        assert vars(f) == before


def test_slot_full_offers_the_suggestion_and_bad_phone_goes_back_to_the_phone():
    f = make()
    to_confirm(f)
    run(f, Tapped("book-submit"), txn="b2")
    run(f, Replied("b2", False, "slot_full", "约满了", error={"code": "slot_full", "suggest": "2026-12-01T08:30"}))
    assert f.stage is S.FULL and f.suggested()["start"] == "08:30" and f.suggested()["date"] == "2026-12-01"
    [ask] = run(f, Tapped("book-suggest"), txn="b3")
    assert ask.args["slot"] == "2026-12-01T08:30"
    run(f, Replied("b3", False, "bad_phone", "电话不对"))
    assert (f.stage, f.phone_error) == (S.PHONE, True)
    run(f, Entered("book-phone", "138"))
    assert (f.stage, f.phone_error) == (S.PHONE, True)


def test_no_slots_at_all_fails_back_to_the_categories():
    f = make()
    f.handle(Itemised(frozenset({"C"})), 0.0)
    run(f, Tapped("book-cats", "C"))
    run(f, Tapped("book-skip"))
    run(f, Replied("b1", True, result={"slots": []}))
    assert (f.stage, f.reason, f.sent) == (S.FAILED, "暂无可预约的时段", None)
    with pytest.raises(Refused):
        f.handle(Tapped("book-retry"), 0.0)
    run(f, Tapped("go-back"))
    assert f.stage is S.CATEGORY


def test_a_timed_out_booking_is_retried_with_the_same_txn_and_a_late_answer_is_taken():
    f = make()
    to_confirm(f)
    run(f, Tapped("book-submit"), txn="b2")
    f.handle(Tick(), 3.0)
    assert f.stage is S.FAILED and f.reason == "超时" and f.txn == "b2"
    [again] = run(f, Tapped("book-retry"), 4.0)
    assert again.retry == "b2" and again.op == "appointment.book"
    f.handle(Tick(), 7.0)
    [slip] = f.handle(Replied("b2", True, result={"code": "K7M3QX"}), 8.0)  # late, on the failure page
    assert isinstance(slip, Print) and f.stage is S.DONE


def test_leaving_with_a_booking_unanswered_gives_it_up_and_nothing_else():
    f = make()
    to_confirm(f)
    assert run(f, Left()) == []  # nothing asked yet
    f = make()
    run(f, Tapped("book-cats", "C"))
    assert run(f, Left()) == []  # the slots are only read
    for late in (0.0, 3.0):  # in flight, or timed out on the failure page
        f = make()
        to_confirm(f)
        run(f, Tapped("book-submit"), txn="b2")
        f.handle(Tick(), late)
        assert run(f, Left()) == [Abandon("b2", "appointment.book")]
    f = make()
    to_confirm(f)
    run(f, Tapped("book-submit"), txn="b2")
    f.handle(Replied("b2", True, result={"code": "K7M3QX"}), 1.0)
    assert f.stage is S.DONE and run(f, Left()) == []  # shown: kept


def test_a_card_is_attached_only_after_asking_and_goes_only_in_the_booking():
    f = make()
    f.handle(Itemised(frozenset()), 0.0)
    assert run(f, OLD_CARD) == []  # read on the first page: asked first, nothing sent
    assert f.stage is S.CARD and f.offered_masked == "429***********007X" and f.id_number == ""
    run(f, Tapped("book-card-skip"))  # 不关联: dropped, back where it was
    assert (f.stage, f.card_offered, f.id_number) == (S.CATEGORY, "", "")
    asks = [e for e in run(f, Tapped("book-cats", "C")) if isinstance(e, Ask)]
    assert asks[0].args == {"category": "C"}
    run(f, Replied("b1", True, result={"slots": SLOTS}))
    run(f, Tapped("book-days", "2026-11-30"))
    run(f, Tapped("book-slots", "2026-11-30T08:30"))
    run(f, YOUNG_CARD)  # on the phone page
    run(f, Tapped("book-card-use"))
    assert (f.stage, f.id_number, f.card_masked) == (S.PHONE, YOUNG_CARD.id_number, "429***********0022")
    run(f, Entered("book-phone", "13812345678"))
    assert f.stage is S.CONFIRM
    run(f, CardFailed("pulled"))  # a failed read changes no choice, only says why
    assert (f.stage, f.id_number, f.card_problem) == (S.CONFIRM, YOUNG_CARD.id_number, "pulled")
    book = [e for e in run(f, Tapped("book-submit"), txn="b2") if isinstance(e, Ask)][0]
    assert book.op == "appointment.book" and book.args["id_number"] == YOUNG_CARD.id_number
    with pytest.raises(Refused):
        f.handle(OLD_CARD, 0.0)  # while booking no card is taken
    effects = run(f, Replied("b2", True, result={"code": "K7M3QX"}))
    assert [e.facts for e in effects if isinstance(e, Print)] == [{"code": "K7M3QX", "card": "429***********0022"}]
    f.handle(Left(), 1.0)
    assert (f.id_number, f.card_offered, f.phone) == ("", "", "")
    assert YOUNG_CARD.id_number not in repr(vars(f))


def test_without_a_card_the_booking_is_as_before():
    f = make()
    to_confirm(f)
    book = [e for e in run(f, Tapped("book-submit"), txn="b2") if isinstance(e, Ask)][0]
    assert book.args == {"category": "C", "slot": "2026-11-30T08:30", "phone": "13812345678"}


class BookMachine(RuleBasedStateMachine):
    @initialize()
    def start(self):
        self.flow = make()
        self.now, self.online = 0.0, True
        self.txns = itertools.count(1)
        self.last_txn: str | None = None
        self.requests: dict[str, tuple[str, dict]] = {}  # txn → what was asked with it
        self.committed: dict[str, dict] = {}  # txn → the booking the hub committed for it
        self.slips: list[str] = []
        self.left = False
        self.used: set[str] = set()  # card numbers the person chose to attach (关联身份证)

    def feed(self, event):
        effects = apply(self.flow, event, self.now)
        if effects is None:
            return
        f = self.flow
        if isinstance(event, Tapped) and event.target == "book-card-use":
            assert f.id_number in (OLD_CARD.id_number, YOUNG_CARD.id_number)
            self.used.add(f.id_number)
        for e in effects:
            if isinstance(e, Ask):
                # the card goes to the hub only in a booking, and only one the person chose to attach
                assert e.args.get("id_number", "") in self.used | {""}
                assert "id_number" not in e.args or e.op == "appointment.book"
                if e.op == "appointment.book":
                    # only for a slot the hub offered with a place left, after a valid phone
                    assert e.args["slot"] in FREE and valid_phone(e.args["phone"])
                    assert event.target in ("book-submit", "book-suggest", "book-retry")
                else:
                    assert e.op == "appointment.slots" and e.args == {"category": f.category}
                link_answers(self, e, retried=event.target == "book-retry")
                if f.txn:
                    if e.retry:  # the very request again: the hub answers with the same booking
                        assert self.requests[f.txn] == (e.op, dict(e.args))
                    self.requests[f.txn] = (e.op, dict(e.args))
            elif isinstance(e, Abandon):
                # walking away with a booking still unanswered: the hub is told to cancel it if it made it
                assert isinstance(event, Left) and e.op == "appointment.book"
                assert self.requests[e.txn][0] == "appointment.book" and e.txn not in self.committed
            else:
                assert isinstance(e, Print) and e.document == "slip" and e.if_ready
                # every slip follows a booking the hub committed, and only once
                assert isinstance(event, Replied) and event.ok and self.requests[event.txn][0] == "appointment.book"
                facts = dict(e.facts)
                shown = facts.pop("card", None)  # an attached card: masked only
                assert shown is None or (shown.count("*") == 11 and shown[:3] == "429")
                assert facts == self.committed[event.txn] and e.tag not in self.slips
                self.slips.append(e.tag)

    def options(self):
        return choices(self, TABLE, taps=6, replies=8, own=("itemised",), print_tag=self.flow.slip.tag)

    @rule(data=st.data(), good=st.booleans())
    def step(self, data, good):
        kind, arg = data.draw(st.sampled_from(self.options()))
        f = self.flow
        if kind == "tap":
            if arg == "book-phone":
                self.feed(Entered(arg, "13812345678" if good else data.draw(st.sampled_from(["138", "", "0728123"]))))
            elif arg == "book-days":
                self.feed(Tapped(arg, data.draw(st.sampled_from(sorted({s["date"] for s in SLOTS} | {"x"})))))
            elif arg == "book-slots":
                self.feed(Tapped(arg, data.draw(st.sampled_from([s["slot"] for s in SLOTS]))))
            else:
                self.feed(card(arg, good) or Tapped(arg, data.draw(st.sampled_from(["C", "B"])) if arg == "book-cats"
                                                    else "rs-1"))
        elif kind == "reply":
            op = self.requests.get(arg, ("appointment.slots", {}))[0]
            if op == "appointment.slots":
                slots = SLOTS if good else data.draw(st.sampled_from([[], None]))
                self.feed(Replied(arg, slots is not None, "" if slots is not None else "busy", "",
                                  {"slots": slots} if slots is not None else None))
            elif good:
                booking = self.committed.setdefault(arg, {"code": f"K{len(self.committed):05d}"})
                self.feed(Replied(arg, True, result=booking))
            else:
                code = data.draw(st.sampled_from(["slot_full", "bad_phone", "already_booked"]))
                suggest = data.draw(st.sampled_from(["", "2026-12-01T08:30"]))
                self.feed(Replied(arg, False, code, "", None, {"code": code, "suggest": suggest}))
        elif kind == "printed":
            self.feed(PrinterAnswered(arg, good, "ok" if good else "paper_out", printed=True))
        elif kind == "itemised":
            self.feed(Itemised(frozenset({"C"}) if good else frozenset()))
        else:
            assert passes(self, kind, arg)

    @invariant()
    def a_booking_stage_has_a_chosen_slot_and_a_valid_phone(self):
        f = getattr(self, "flow", None)
        if f is not None and not self.left and f.stage in (S.CONFIRM, S.BOOKING):
            assert f.slot.get("slot") in FREE | {"2026-12-01T08:30"} and valid_phone(f.phone)

    @invariant()
    def the_phone_goes_on_leaving(self):
        f = getattr(self, "flow", None)
        if f is not None and self.left:
            assert f.phone == "" and f.id_number == "" and f.card_offered == ""
            assert f.sent is None or "id_number" not in f.sent[1]

    @invariant()
    def a_card_is_attached_only_when_chosen(self):
        f = getattr(self, "flow", None)
        if f is not None:
            assert f.id_number in self.used | {""}

    @invariant()
    def only_a_slip_that_came_out_is_said_to_have(self):
        if hasattr(self, "flow"):
            copy_told_truly(self.flow.slip, self.slips)


BookMachine.TestCase.settings = settings(max_examples=150, stateful_step_count=40, deadline=None)
test_book_machine = BookMachine.TestCase
