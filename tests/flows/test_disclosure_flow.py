"""政府信息公开申请 as a pure flow, without pygame: nothing is sent before the review and only a form that
passes every field's check; one application however often 重试 is pressed; a receipt is printed only for
an application the hub registered; what was typed is forgotten; a refused event changes nothing."""

from __future__ import annotations

import copy
import itertools

import pytest
from hypothesis import settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from kiosk.core.idcard import id_check_char, uscc_check_char
from kiosk.terminal.flows.base import (Ask, Entered, Left, Print, PrinterAnswered, Refused, Replied, Sent, Tapped,
                                       Tick, Typing)
from kiosk.terminal.flows.disclosure import FIELDS, TABLE, DisclosureFlow, Stage, field_problem

from .common import OLD_CARD, apply, card, check_table, choices, copy_told_truly, link_answers, passes

S = Stage
ERRORS = {"timeout": "超时", "offline": "网络中断"}
GOOD_ID = "42010219900307123" + id_check_char("42010219900307123")
GOOD_USCC = "91420982MA4" + "9ABCDE"
GOOD_USCC += uscc_check_char(GOOD_USCC)
# what a person might type into each typed field: good entries and ones a check refuses
TYPED = {"name": ["张小三", "  ", "黄潭镇某某合作社"], "id_number": [GOOD_ID, GOOD_ID[:17] + "0", "123", GOOD_USCC,
                                                          "E12345678", "x"],
         "phone": ["13812345678", "1381234567", "07281234567"], "address": ["黄潭镇黄潭村3组", ""],
         "info_description": ["政府文件", ""], "purpose": ["查询", ""], "email": ["zs@qq.com", "zs@qq", ""]}
CHOSEN = {"applicant_type": ["citizen", "organisation"], "id_type": ["resident_id", "passport", "other", "org_code"],
          "form": ["paper", "electronic"], "delivery": ["collect", "post", "email"]}


def make() -> DisclosureFlow:
    n = itertools.count(1)
    return DisclosureFlow(reply_timeout=3.0, errors=ERRORS, other="错误 {code}", tags=lambda: f"gk-{next(n)}")


def fill(f: DisclosureFlow, *, form: str = "paper", delivery: str = "collect") -> None:
    for e in (Tapped("gk-applicant_type", "citizen"), Entered("gk-name-kb", "张小三"), Tapped("gk-id_type", "resident_id"),
              Entered("gk-id_number-kb", GOOD_ID.lower()), Entered("gk-phone-kb", "13812345678"),
              Entered("gk-address-kb", " 黄潭镇 "), Entered("gk-info_description-kb", "政府文件"),
              Tapped("gk-purpose-skip"), Tapped("gk-form", form), Tapped("gk-delivery", delivery)):
        f.handle(e, 0.0)


def test_every_stage_is_in_the_table_and_every_handler_exists():
    check_table(DisclosureFlow)


def test_the_whole_form_is_checked_sent_once_and_forgotten():
    f = make()
    fill(f)
    assert f.stage is S.REVIEW and f.steps() == [x for x in FIELDS if x != "email"]
    [ask] = f.handle(Tapped("gk-submit"), 1.0)
    assert ask == Ask("disclosure.apply", {"applicant_type": "citizen", "id_type": "resident_id", "name": "张小三",
                                           "id_number": GOOD_ID, "phone": "13812345678", "address": "黄潭镇",
                                           "info_description": "政府文件", "form": "paper", "delivery": "collect"})
    f.handle(Sent("g1"), 1.0)
    [receipt] = f.handle(Replied("g1", True, result={"application": "HTGK-2026-0001"}), 2.0)
    assert receipt == Print("gk-1", "receipt", {"application": "HTGK-2026-0001"}, if_ready=True)
    assert f.stage is S.DONE and f.form == {} and f.txn is None and not f.receipt.printed
    f.handle(PrinterAnswered("gk-1", True, "ok", printed=True), 3.0)
    assert f.receipt.printed


def test_a_wrong_entry_stays_to_be_corrected_and_its_warning_goes_while_typing():
    f = make()
    f.handle(Tapped("gk-applicant_type", "citizen"), 0.0)
    f.handle(Entered("gk-name-kb", "张三"), 0.0)
    f.handle(Tapped("gk-id_type", "resident_id"), 0.0)
    f.handle(Entered("gk-id_number-kb", GOOD_ID[:17] + "0"), 0.0)
    assert (f.stage, f.error, f.form["id_number"]) == (S.ID_NUMBER, "check_digit", GOOD_ID[:17] + "0")
    f.handle(Typing(), 0.0)
    assert f.error == ""
    f.handle(Entered("gk-id_number-kb", ""), 0.0)
    assert f.error == "required"
    f.handle(Tapped("go-back"), 0.0)
    assert (f.stage, f.error) == (S.ID_TYPE, "")


def test_paper_never_goes_by_email_and_an_organisation_chooses_its_id_type_again():
    f = make()
    fill(f, form="electronic", delivery="email")
    assert f.stage is S.EMAIL
    f.handle(Entered("gk-email-kb", "zs@qq.com"), 0.0)
    assert f.stage is S.REVIEW and f.args()["email"] == "zs@qq.com"
    for _ in range(3):
        f.handle(Tapped("go-back"), 0.0)
    assert f.stage is S.FORM
    f.handle(Tapped("gk-form", "paper"), 0.0)  # an e-mail delivery goes with the electronic form
    assert f.stage is S.DELIVERY and "delivery" not in f.form
    before = copy.deepcopy(vars(f))
    with pytest.raises(Refused):
        f.handle(Tapped("gk-delivery", "email"), 0.0)
    assert vars(f) == before
    f.handle(Tapped("gk-delivery", "post"), 0.0)
    assert "email" not in f.args() and f.steps()[-1] == "delivery"
    f.handle(Tapped("gk-edit"), 0.0)
    f.handle(Tapped("gk-applicant_type", "organisation"), 0.0)
    assert "id_type" not in f.form and f.id_type() == "org_code"


def test_a_retry_repeats_the_txn_and_a_refusal_leaves_nothing_to_repeat():
    f = make()
    fill(f)
    f.handle(Tapped("gk-submit"), 0.0)
    f.handle(Sent("g1"), 0.0)
    f.handle(Tick(), 2.9)
    assert f.stage is S.SENDING
    f.handle(Tick(), 3.0)
    assert f.stage is S.FAILED and f.txn == "g1" and f.reason == "超时"
    [again] = f.handle(Tapped("gk-retry"), 4.0)
    assert again.retry == "g1"
    f.handle(Sent("g1"), 4.0)
    f.handle(Replied("g1", False, "bad_phone", "联系电话不正确"), 5.0)
    assert f.stage is S.FAILED and f.reason == "联系电话不正确" and f.txn is None
    with pytest.raises(Refused):
        f.handle(Tapped("gk-retry"), 6.0)
    f.handle(Tapped("go-back"), 6.0)
    assert f.stage is S.REVIEW and f.form["phone"] == "13812345678"  # the form is still there to correct


def test_offline_fails_at_once_without_a_retry():
    f = make()
    fill(f)
    f.handle(Tapped("gk-submit"), 0.0)
    f.handle(Sent(None), 0.0)
    assert f.stage is S.FAILED and f.reason == "网络中断" and f.txn is None


class DisclosureMachine(RuleBasedStateMachine):
    @initialize()
    def start(self):
        self.flow = make()
        self.now, self.online = 0.0, True
        self.txns = itertools.count(1)
        self.last_txn: str | None = None
        self.registered: dict[str, str] = {}  # txn → the application the hub registered for it
        self.receipts: list[str] = []  # print tags asked for
        self.left = False

    def feed(self, event):
        effects = apply(self.flow, event, self.now)
        if effects is None:
            return
        for e in effects:
            if isinstance(e, Ask):
                assert e.op == "disclosure.apply" and event.target in ("gk-submit", "gk-retry")
                self.check_sent(dict(e.args))
                link_answers(self, e, retried=event.target == "gk-retry")  # the very request again: one application
            else:
                assert isinstance(e, Print) and e.document == "receipt" and e.if_ready
                # a receipt follows the hub registering this very application, once
                assert isinstance(event, Replied) and event.ok and event.txn in self.registered
                assert e.facts == {"application": self.registered[event.txn]}
                assert e.tag not in self.receipts
                self.receipts.append(e.tag)

    def check_sent(self, args):
        """Only a whole form that passes every check the hub applies is ever sent."""
        for field in ("name", "id_number", "phone", "address", "info_description", "form", "delivery"):
            assert args.get(field), field
            assert field_problem(field, args[field], args["id_type"]) is None, (field, args[field])
        assert args["id_type"] in CHOSEN["id_type"]
        assert not (args["form"] == "paper" and args["delivery"] == "email")
        assert ("email" in args) == (args["delivery"] == "email")
        if "email" in args:
            assert field_problem("email", args["email"], "") is None

    def good(self, field: str) -> str:
        """An entry the field's check takes."""
        if field == "id_number":
            return {"resident_id": GOOD_ID, "org_code": GOOD_USCC, "passport": "E12345678"}.get(self.flow.id_type(), "x1")
        return TYPED[field][0]

    def options(self):
        return choices(self, TABLE, taps=20, replies=2, own=("typing",), print_tag=self.flow.receipt.tag)

    @rule(data=st.data(), good=st.booleans())
    def step(self, data, good):
        kind, arg = data.draw(st.sampled_from(self.options()))
        if kind == "tap":
            field = arg[3:].removesuffix("-kb")
            if card(arg, good) is not None:  # a card placed on the reader
                self.feed(card(arg, good))
            elif arg.endswith("-kb"):
                value = self.good(field) if good else data.draw(st.sampled_from(TYPED[field]))
                self.feed(Entered(arg, value))
            elif field in CHOSEN:
                self.feed(Tapped(arg, data.draw(st.sampled_from(CHOSEN[field]))))
            else:
                self.feed(Tapped(arg))
        elif kind == "reply":
            application = self.registered.setdefault(arg, f"HTGK-2026-{len(self.registered) + 1:04d}")
            self.feed(Replied(arg, good, "" if good else "busy", "", {"application": application} if good else None))
        elif kind == "printed":
            self.feed(PrinterAnswered(arg, good, "ok" if good else "paper_out", printed=True))
        elif kind == "typing":
            self.feed(Typing())
        else:
            assert passes(self, kind, arg)

    @invariant()
    def the_stage_is_a_step_of_this_form(self):
        f = getattr(self, "flow", None)
        if f is not None and f.stage.value in FIELDS:
            assert f.stage.value in f.steps()

    @invariant()
    def nothing_typed_is_kept_once_registered_or_left(self):
        f = getattr(self, "flow", None)
        if f is not None and (self.left or f.stage is S.DONE):
            assert f.form == {} and f.error == "" and f.card is None

    @invariant()
    def only_a_receipt_that_came_out_is_said_to_have(self):
        if hasattr(self, "flow"):
            copy_told_truly(self.flow.receipt, self.receipts)


DisclosureMachine.TestCase.settings = settings(max_examples=150, stateful_step_count=50, deadline=None)
test_disclosure_machine = DisclosureMachine.TestCase


def test_leaving_forgets_the_form():
    f = make()
    fill(f)
    f.handle(Left(), 0.0)
    assert f.stage is S.APPLICANT_TYPE and f.form == {}


def test_a_card_fills_the_applicant_after_asking():
    from kiosk.terminal.flows.base import CardFailed
    f = make()
    f.handle(Tapped("gk-applicant_type", "citizen"), 0.0)
    f.handle(OLD_CARD, 0.0)
    assert f.stage is S.CARD and f.form == {"applicant_type": "citizen"}  # nothing filled before the yes
    f.handle(Tapped("gk-card-skip"), 0.0)
    assert (f.stage, f.card) == (S.NAME, None) and "name" not in f.form
    f.handle(OLD_CARD, 0.0)
    f.handle(Tapped("gk-card-use"), 0.0)
    assert {k: f.form[k] for k in ("name", "id_type", "id_number", "address")} == {
        "name": OLD_CARD.name, "id_type": "resident_id", "id_number": OLD_CARD.id_number, "address": OLD_CARD.address}
    assert f.stage is S.PHONE  # the first field the card could not fill
    f.handle(Entered("gk-phone-kb", "13812345678"), 0.0)
    assert f.stage is S.ADDRESS and f.form["address"] == OLD_CARD.address  # shown to confirm or correct
    f.handle(CardFailed("pulled"), 0.0)
    assert f.card_problem == "pulled" and f.stage is S.ADDRESS
    f.handle(Left(), 1.0)
    assert f.form == {} and f.card is None and f.card_problem == ""


def test_an_organisation_takes_no_card():
    f = make()
    f.handle(Tapped("gk-applicant_type", "organisation"), 0.0)
    with pytest.raises(Refused):
        f.handle(OLD_CARD, 0.0)


def test_a_card_after_a_wrong_phone_returns_to_the_phone_and_nothing_wrong_is_sent():
    """Found by the machine above: a wrong phone left in its box, then a card: the flow went on to the next
    empty field and later sent the wrong phone."""
    f = make()
    for e in (Tapped("gk-applicant_type", "citizen"), Entered("gk-name-kb", "张小三"),
              Tapped("gk-id_type", "resident_id"), Entered("gk-id_number-kb", GOOD_ID),
              Entered("gk-phone-kb", "1381234567")):
        f.handle(e, 0.0)
    assert (f.stage, f.error) == (S.PHONE, "phone")
    f.handle(OLD_CARD, 0.0)
    f.handle(Tapped("gk-card-use"), 0.0)
    assert (f.stage, f.error) == (S.PHONE, "phone")  # the wrong entry is still to correct
    f.handle(Tapped("go-back"), 0.0)  # walking away from it and (below) on to the review …
    f.form.update(address="黄潭镇", info_description="政府文件", purpose="", form="paper", delivery="collect")
    f.go(S.REVIEW)
    assert f.handle(Tapped("gk-submit"), 1.0) == []  # … does not send it: the phone is asked for again
    assert (f.stage, f.error) == (S.PHONE, "phone")
