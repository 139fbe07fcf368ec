"""kiosk.core.catalog: indexes, search ranking and the JSON round trip, on hand-built items.

Pinyin is written out by hand here on purpose: the core must work from pre-computed strings
without any pinyin dictionary (the loader tests cover the computed ones).
"""

import ast
import json
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import kiosk.core.catalog as catalog_module
from kiosk.core.catalog import Catalog, Material, ServiceItem


def make_item(item_id, name, full, initials, *, aliases=(), dept="人社", cat="C", events=()):
    full = (full, *(a[0] for a in aliases))
    initials = (initials, *(a[1] for a in aliases))
    return ServiceItem(
        id=item_id,
        name=name,
        department=dept,
        category=cat,
        life_events=tuple(events),
        materials=(Material(name="居民身份证", form="原件", note="窗口核验"),),
        steps=("窗口取号", "当场办结"),
        time_limit_days=20,
        promised_days=0,
        fees="不收费",
        window="人社窗口",
        basis="《中华人民共和国社会保险法》",
        online=True,
        online_url=f"ehb://tianmen/item/{item_id}",
        appointment=False,
        aliases=tuple(a[2] for a in aliases),
        pinyin_full=full,
        pinyin_initials=initials,
    )


@pytest.fixture
def catalog():
    return Catalog(
        (
            make_item(
                "rs-yl",
                "城乡居民基本养老保险参保登记",
                "cheng xiang ju min ji ben yang lao bao xian can bao deng ji",
                "cxjmjbylbxcbdj",
                events=("社会保障", "养老服务"),
            ),
            make_item(
                "rs-sbk-loss",
                "社会保障卡挂失、补换",
                "she hui bao zhang ka gua shi bu huan",
                "shbzkgsbh",
                aliases=[("she bao ka gua shi", "sbkgs", "社保卡挂失")],
                events=("社会保障",),
            ),
            make_item(
                "rs-sbk-apply",
                "社会保障卡申领",
                "she hui bao zhang ka shen ling",
                "shbzksl",
                aliases=[("she bao ka", "sbk", "社保卡")],
                events=("社会保障", "医疗保障"),
            ),
            make_item(
                "yb-reg",
                "城乡居民基本医疗保险参保登记",
                "cheng xiang ju min ji ben yi liao bao xian can bao deng ji",
                "cxjmjbylbxcbdj",
                dept="医保",
                cat="D",
                events=("医疗保障",),
            ),
            make_item(
                "mz-gl",
                "80周岁以上老年人高龄津贴申请",
                "80 zhou sui yi shang lao nian ren gao ling jin tie shen qing",
                "80zsysslnrgljtsq",
                dept="民政",
                cat="E",
                events=("养老服务",),
            ),
        )
    )


def ids(items):
    return [item.id for item in items]


def test_indexes(catalog):
    assert catalog.get("rs-sbk-apply").name == "社会保障卡申领"
    assert catalog.get("nope") is None
    assert ids(catalog.by_department["医保"]) == ["yb-reg"]
    assert ids(catalog.by_category["C"]) == ["rs-yl", "rs-sbk-loss", "rs-sbk-apply"]
    assert ids(catalog.by_life_event["养老服务"]) == ["rs-yl", "mz-gl"]
    assert catalog.by_life_event.get("婚姻登记", ()) == ()
    assert len(catalog) == 5 and list(catalog) == list(catalog.items)


def test_duplicate_ids_rejected(catalog):
    with pytest.raises(ValueError, match="rs-yl"):
        Catalog((*catalog.items, catalog.items[0]))


def test_initials_of_alias_rank_first(catalog):
    found = catalog.search("sbk")
    assert ids(found)[:2] == ["rs-sbk-apply", "rs-sbk-loss"]


def test_full_official_initials_and_mixed_spelling(catalog):
    assert ids(catalog.search("shbzk")) == ["rs-sbk-loss", "rs-sbk-apply"]
    assert ids(catalog.search("shebaoka"))[0] == "rs-sbk-apply"
    assert set(ids(catalog.search("shebk"))) == {"rs-sbk-apply", "rs-sbk-loss"}
    assert ids(catalog.search("She Bao Ka")) == ids(catalog.search("shebaoka"))


def test_characters_substring(catalog):
    assert set(ids(catalog.search("社保"))) == {"rs-sbk-apply", "rs-sbk-loss"}
    assert ids(catalog.search("社会保障卡申领")) == ["rs-sbk-apply"]
    assert ids(catalog.search("高龄")) == ["mz-gl"]


def test_initials_inside_name(catalog):
    # 养老保险 and 医疗保险 share the initials ylbx
    assert set(ids(catalog.search("ylbx"))) == {"rs-yl", "yb-reg"}
    assert ids(catalog.search("yiliao")) == ["yb-reg"]


def test_exact_beats_prefix_beats_contained():
    ranked = Catalog(
        (
            make_item("a", "老年人体检预约", "lao nian ren ti jian yu yue", "lnrtjyy"),
            make_item("b", "体检报告查询", "ti jian bao gao cha xun", "tjbgcx"),
            make_item("c", "体检", "ti jian", "tj"),
        )
    )
    assert ids(ranked.search("tj")) == ["c", "b", "a"]
    assert ids(ranked.search("体检")) == ["c", "b", "a"]


def test_name_match_beats_alias_match():
    ranked = Catalog(
        (
            make_item("alias", "其他事项", "qi ta shi xiang", "qtsx",
                      aliases=[("gao ling jin tie", "gljt", "高龄津贴")]),
            make_item("name", "高龄津贴", "gao ling jin tie", "gljt"),
        )
    )
    assert ids(ranked.search("gljt")) == ["name", "alias"]


def test_digits_and_full_width(catalog):
    assert ids(catalog.search("80")) == ["mz-gl"]
    assert ids(catalog.search("ＳＢＫ"))[0] == "rs-sbk-apply"


def test_empty_and_unmatched(catalog):
    assert catalog.search("") == []
    assert catalog.search("   ") == []
    assert catalog.search("xyzq") == []
    assert catalog.search("户口") == []


def test_limit(catalog):
    assert len(catalog.search("c", limit=2)) == 2


def test_round_trip_through_json(catalog):
    data = json.loads(json.dumps(catalog.to_dict(), ensure_ascii=False))
    assert Catalog.from_dict(data) == catalog


def test_compact_drops_steps_and_basis(catalog):
    data = json.loads(json.dumps(catalog.to_dict(compact=True)))
    assert data["compact"] is True
    assert "steps" not in data["items"][0] and "basis" not in data["items"][0]
    back = Catalog.from_dict(data)
    assert back.get("rs-sbk-apply").steps == ()
    assert back.get("rs-sbk-apply").materials == catalog.get("rs-sbk-apply").materials
    assert ids(back.search("sbk")) == ids(catalog.search("sbk"))


def test_unknown_format_rejected(catalog):
    data = catalog.to_dict()
    data["format"] = 99
    with pytest.raises(ValueError, match="format"):
        Catalog.from_dict(data)


def test_core_imports_only_stdlib():
    tree = ast.parse(Path(catalog_module.__file__).read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            roots.add(node.module.split(".")[0])
    assert roots <= set(sys.stdlib_module_names) | {"__future__"}, roots


@given(st.text(max_size=12))
def test_search_never_fails(catalog_query):
    cat = Catalog(
        (make_item("x", "社会保障卡申领", "she hui bao zhang ka shen ling", "shbzksl"),)
    )
    result = cat.search(catalog_query)
    assert result in ([], list(cat.items))
