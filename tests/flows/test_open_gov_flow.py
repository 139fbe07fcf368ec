"""政务公开 as a pure flow, without pygame: open a page and go back, a page taken down while it is read sends
the reader to the list with a note that goes with the next page opened, and in any order a refused event
changes nothing."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from kiosk.terminal.flows.base import Tapped
from kiosk.terminal.flows.open_gov import CATALOG_ID, LIST_ID, TABLE, Gone, OpenGovFlow, Stage

from .common import apply, check_table

S = Stage
EVENTS = [Tapped(LIST_ID, "yuandan"), Tapped(LIST_ID, CATALOG_ID), Tapped("go-back"), Gone(), Tapped("gk-apply")]


def test_every_stage_is_in_the_table_and_every_handler_exists():
    check_table(OpenGovFlow)


def test_open_a_page_and_back():
    f = OpenGovFlow()
    assert not f.accepts(Tapped("go-back"))
    f.handle(Tapped(LIST_ID, "yuandan"), 0.0)
    assert (f.stage, f.page_id, f.gone) == (S.PAGE, "yuandan", False)
    f.handle(Tapped("go-back"), 0.0)
    assert f.stage is S.LIST and not f.gone


def test_a_page_taken_down_while_read():
    f = OpenGovFlow()
    f.handle(Tapped(LIST_ID, "zhengce"), 0.0)
    f.handle(Gone(), 0.0)
    assert (f.stage, f.gone) == (S.LIST, True)
    assert not f.accepts(Gone())  # only an open page can go
    f.handle(Tapped(LIST_ID, CATALOG_ID), 0.0)
    assert (f.stage, f.page_id, f.gone) == (S.PAGE, CATALOG_ID, False)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(EVENTS), max_size=30))
def test_any_order(events):
    f = OpenGovFlow()
    for e in events:
        before = (f.stage, f.page_id, f.gone, f.version)
        if apply(f, e, 0.0) is None:
            assert f.key(e) not in TABLE[before[0]] and (f.stage, f.page_id, f.gone, f.version) == before
            continue
        if f.stage is S.PAGE:
            assert f.page_id and not f.gone
