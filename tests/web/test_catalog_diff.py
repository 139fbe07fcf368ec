"""The preview's difference between two catalogues: by item id, with the changed columns named as the
spreadsheet names them; pinyin (recomputed on every import) is never a change."""

from __future__ import annotations

from kiosk.web.pages.director_catalog import catalog_diff, summary


def item(iid: str, **kw) -> dict:
    return {"id": iid, "name": f"事项{iid}", "department": "民政", "category": "E", "time_limit_days": 20,
            "materials": [{"name": "身份证", "form": "原件", "copies": 1, "note": ""}], "pinyin_full": ["x"]} | kw


def test_added_removed_changed_and_unchanged():
    old = [item("a"), item("b"), item("c")]
    new = [item("a", pinyin_full=["other"]), item("b", time_limit_days=15, materials=[]), item("d")]
    d = catalog_diff(old, new)
    assert d["added"] == [{"id": "d", "name": "事项d"}]
    assert d["removed"] == [{"id": "c", "name": "事项c"}]
    assert d["changed"] == [{"id": "b", "name": "事项b", "fields": ["办理材料", "法定时限"]}]
    assert d["unchanged"] == 1


def test_from_nothing_and_the_counts():
    new = [item("a"), item("b", department="公安", category="A")]
    assert catalog_diff([], new)["added"] == [{"id": "a", "name": "事项a"}, {"id": "b", "name": "事项b"}]
    assert summary(new) == {"items": 2, "departments": 2, "categories": 2}
    assert catalog_diff([{"no": "id"}, "junk"], new)["removed"] == []  # a malformed retained body is skipped
