"""办事指南 as a pure flow, without pygame: every way in and back out, a guide whose item left the
catalogue gives way, and in any order a refused event changes nothing and 上一步 from a guide returns to
the list it was opened from."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from kiosk.terminal.flows.base import Entered, Tapped
from kiosk.terminal.flows.guides import TABLE, Gone, GuidesFlow, Stage

from .common import apply, check_table

S = Stage
EVENTS = [Tapped("how-department"), Tapped("how-event"), Tapped("how-search"), Tapped("list-departments", "人社"),
          Tapped("list-events", "退休"), Tapped("list-items", "rs-yl"), Tapped("results", "rs-sbk-apply"),
          Entered("kb", "SBK"), Tapped("go-back"), Gone()]


def test_every_stage_is_in_the_table_and_every_handler_exists():
    check_table(GuidesFlow)


def test_by_department_and_back_the_same_way():
    f = GuidesFlow()
    for e in (Tapped("how-department"), Tapped("list-departments", "人社"), Tapped("list-items", "rs-yl")):
        f.handle(e, 0.0)
    assert (f.stage, f.group, f.item_id) == (S.DETAIL, "人社", "rs-yl")
    f.handle(Tapped("go-back"), 0.0)
    assert f.stage is S.ITEMS
    f.handle(Tapped("go-back"), 0.0)
    assert f.stage is S.DEPTS
    f.handle(Tapped("go-back"), 0.0)
    assert f.stage is S.HOW and not f.accepts(Tapped("go-back"))


def test_search_opens_a_guide_that_may_leave_the_catalogue():
    f = GuidesFlow()
    f.handle(Tapped("how-search"), 0.0)
    f.handle(Entered("kb", "SBK"), 0.0)
    f.handle(Tapped("results", "rs-sbk-apply"), 0.0)
    assert (f.stage, f.came_from, f.query) == (S.DETAIL, S.SEARCH, "SBK")
    f.handle(Gone(), 0.0)
    assert f.stage is S.HOW


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(EVENTS), max_size=30))
def test_any_order(events):
    f = GuidesFlow()
    for e in events:
        before, came = f.stage, f.came_from
        if apply(f, e, 0.0) is None:
            assert f.key(e) not in TABLE[before]
            continue
        if isinstance(e, Tapped) and e.target == "go-back" and before is S.DETAIL:
            assert f.stage is came and came in (S.ITEMS, S.SEARCH)
        if f.stage is S.DETAIL:
            assert f.item_id and f.came_from in (S.ITEMS, S.SEARCH)
