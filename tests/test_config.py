"""Site config: the real hall loads; every kind of mistake names file, key and reason."""

from __future__ import annotations

import pytest

from kiosk.config import load
from kiosk.errors import ConfigError
from tests.conftest import REAL_CONFIG as HALL_CONFIG

BASE = HALL_CONFIG.read_text(encoding="utf-8")


def test_real_hall_config():
    cfg = load(HALL_CONFIG)
    kinds = [w.kind.value for w in cfg.hall.windows]
    assert kinds.count("domain") == 4 and kinds.count("comprehensive") == 4
    assert kinds.count("complaint") == 1 and kinds.count("desk") == 1
    assert {c.id for c in cfg.hall.categories} == set("ABCDEF")
    assert [w.categories for w in cfg.hall.windows if w.kind.value == "comprehensive"] == [("E",)] * 4


def test_domain_categories_only_at_domain_windows_unless_an_explicit_overflow():
    """专线限制: a 公安 ticket cannot be served at a no-difference window; overflow is a per-window choice."""
    cfg = load(HALL_CONFIG)
    groups = {c.id: c.group for c in cfg.hall.categories}
    for c, g in groups.items():
        serving = [w for w in cfg.hall.windows if c in w.categories]
        assert serving, c
        if g == "domain":
            assert [w.kind.value for w in serving] == ["domain"], (c, [w.id for w in serving])
    assert [w.id for w in cfg.hall.windows if "A" in w.categories] == ["w1"]


def test_an_overflow_is_explicit_and_a_domain_category_in_categories_is_refused(tmp_path):
    w5 = 'id = "w5"\nnumber = 5\nname = "综合窗口"\nkind = "comprehensive"\ncategories = ["E"]'
    assert w5 in BASE
    bad = tmp_path / "bad.toml"
    bad.write_text(BASE.replace(w5, w5.replace('["E"]', '["E", "A"]')), encoding="utf-8")
    with pytest.raises(ConfigError) as ei:
        load(bad)
    msg = str(ei.value)
    assert "windows[4].categories[1]" in msg and "专线限制" in msg and "overflow" in msg and str(bad) in msg
    good = tmp_path / "good.toml"
    good.write_text(BASE.replace(w5, w5 + '\noverflow = ["C"]'), encoding="utf-8")
    assert load(good).hall.window("w5").categories == ("E", "C")
    twice = tmp_path / "twice.toml"
    twice.write_text(BASE.replace(w5, w5 + '\noverflow = ["E"]'), encoding="utf-8")
    with pytest.raises(ConfigError, match="windows\\[4\\].overflow\\[0\\]"):
        load(twice)


@pytest.mark.parametrize("edit,key,reason", [
    (lambda s: s.replace('recall_limit = 2 ', 'recall_limt = 2 '), "policy.recall_limt", "unknown key"),
    (lambda s: s.replace('recall_limit = 2 ', 'recall_limit = "two" '), "policy.recall_limit", "expected int"),
    (lambda s: s.replace('categories = ["A"]', 'categories = ["Q"]'), "windows[0].categories[0]", "unknown category"),
    (lambda s: s.replace('id = "B"', 'id = "A"'), "categories[1].id", "duplicate ticket prefix"),
    (lambda s: s.replace('id = "w2"', 'id = "w1"'), "windows[1].id", "duplicate window id"),
    (lambda s: s.replace('id = "huangtan"', 'id = "Huang Tan"'), "site.id", "must be an id"),
    (lambda s: s.replace('port = 1883', 'port = 70000'), "broker.port", "TCP port"),
    (lambda s: s.replace('kind = "complaint"', 'kind = "vip"'), "windows[8].kind", "must be one of"),
    (lambda s: s.replace('[site]', '[site\n'), "", "not valid TOML"),
    (lambda s: s + "\n[surprise]\nx = 1\n", "surprise", "unknown key"),
])
def test_bad_config_names_file_key_reason(tmp_path, edit, key, reason):
    p = tmp_path / "site.toml"
    p.write_text(edit(BASE), encoding="utf-8")
    with pytest.raises(ConfigError) as ei:
        load(p)
    err = ei.value
    assert err.path == p and err.key == key and reason in err.reason
    assert str(p) in str(err)


def test_missing_and_non_utf8_files(tmp_path):
    with pytest.raises(ConfigError, match="cannot read"):
        load(tmp_path / "nope.toml")
    p = tmp_path / "gbk.toml"
    p.write_bytes(BASE.encode("gb18030"))
    with pytest.raises(ConfigError, match="not UTF-8"):
        load(p)
