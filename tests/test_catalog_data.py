"""kiosk.loaders.catalog_data: the shipped config, validation messages, CSV import and TOML export."""

import json
import shutil
from pathlib import Path

import pytest

from kiosk.loaders.catalog_data import (
    CSV_COLUMNS,
    CatalogError,
    CatalogImportError,
    import_csv,
    load_catalog,
    pinyin_of,
)
from kiosk.loaders.catalog_write import department_file_name, write_catalog_toml
from kiosk.core.catalog import CATEGORIES, DEPARTMENTS, LIFE_EVENTS, Catalog

CONFIG = Path(__file__).resolve().parents[1] / "config" / "catalog"


@pytest.fixture(scope="module")
def real():
    return load_catalog(CONFIG)


# --- the shipped catalogue ------------------------------------------------------------------


def test_real_catalogue_is_complete(real):
    assert len(real) >= 40
    assert set(real.by_department) == set(DEPARTMENTS)
    for item in real:
        assert item.materials and item.steps, item.id
        assert item.category in CATEGORIES
        assert set(item.life_events) <= set(LIFE_EVENTS)
        assert 0 <= item.promised_days <= item.time_limit_days
        assert len(item.pinyin_full) == len(item.pinyin_initials) == 1 + len(item.aliases)


def test_real_catalogue_categories_follow_windows(real):
    domain = {"公安": "A", "市场监管": "B", "人社": "C", "医保": "D"}
    for item in real:
        assert item.category == domain.get(item.department, "E"), item.id


def test_real_catalogue_order_follows_departments(real):
    order = [DEPARTMENTS.index(item.department) for item in real]
    assert order == sorted(order)


def test_real_search(real):
    assert real.search("sbk")[0].id == "rs-sbk-apply"
    assert {i.id for i in real.search("sbk")[:2]} == {"rs-sbk-apply", "rs-sbk-loss"}
    assert "rs-sbk-apply" in {i.id for i in real.search("社保")}
    ylbx = [i.id for i in real.search("ylbx")]
    assert ylbx[0] == "rs-cxjm-yl-reg" and "yb-cxjm-reg" in ylbx
    assert real.search("sfz")[0].id == "ga-sfz-apply"
    assert real.search("dibao")[0].id == "mz-dibao"
    assert real.search("zjd")[0].id == "ny-zjd-approval"
    assert real.search("高龄津贴")[0].id == "mz-gaoling"


def test_real_catalogue_json_size_and_round_trip(real):
    full = json.dumps(real.to_dict(), ensure_ascii=False).encode()
    compact = json.dumps(real.to_dict(compact=True), ensure_ascii=False).encode()
    assert len(compact) < len(full) < 200_000
    assert Catalog.from_dict(json.loads(full)) == real


def test_pinyin_of():
    assert pinyin_of("社会保障卡") == ("she hui bao zhang ka", "shbzk")
    assert pinyin_of("居民身份证申领（换领）") == ("ju min shen fen zheng shen ling huan ling", "jmsfzslhl")
    assert pinyin_of("80周岁") == ("80 zhou sui", "80zs")
    assert pinyin_of("Ａ区 ABC窗口") == ("a qu abc chuang kou", "aqabcck")


# --- validation -----------------------------------------------------------------------------

GOOD_ITEM = """
[[items]]
id = "rs-test"
name = "测试事项"
materials = [{ name = "居民身份证", form = "原件" }]
steps = ["窗口取号"]
time_limit_days = 5
promised_days = 0
fees = "不收费"
window = "人社窗口"
basis = "《中华人民共和国社会保险法》"
online = false
appointment = false
"""


def write_config(tmp_path, body, head='department = "人社"\ncategory = "C"\n', name="renshe.toml"):
    (tmp_path / name).write_text(head + body, encoding="utf-8")
    return tmp_path


def test_minimal_item_loads(tmp_path):
    catalog = load_catalog(write_config(tmp_path, GOOD_ITEM))
    item = catalog.get("rs-test")
    assert (item.department, item.category, item.life_events, item.aliases) == ("人社", "C", (), ())
    assert item.materials[0].copies == 1 and item.materials[0].note == ""
    assert item.online_url == "" and item.pinyin_initials == ("cssx",)


@pytest.mark.parametrize(
    ("change", "key", "fragment"),
    [
        (('fees = "不收费"', 'fees = "不收费"\ncolour = "red"'), "colour", "unknown key"),
        (("time_limit_days = 5", 'time_limit_days = "5"'), "time_limit_days", "integer"),
        (("online = false", 'online = "否"'), "online", "true or false"),
        (("time_limit_days = 5\n", ""), "time_limit_days", "missing"),
        (('id = "rs-test"\n', 'id = "rs-test"\ncategory = "Z"\n'), "category", "unknown category"),
        (('id = "rs-test"\n', 'id = "rs-test"\nlife_events = ["结婚"]\n'), "life_events", "结婚"),
        (('id = "rs-test"\n', 'id = "rs-test"\ndepartment = "公安"\n'), "department", "公安"),
        (('form = "原件"', 'form = "扫描件"'), "materials[1].form", "扫描件"),
        (('form = "原件"', 'form = "原件", size = 3'), "materials[1].size", "unknown key"),
        (("promised_days = 0", "promised_days = 9"), "promised_days", "0..time_limit_days"),
        (('steps = ["窗口取号"]', "steps = []"), "steps", "at least one"),
        (('name = "测试事项"', 'name = " "'), "name", "empty"),
    ],
)
def test_errors_name_file_item_and_key(tmp_path, change, key, fragment):
    old, new = change
    assert old in GOOD_ITEM
    write_config(tmp_path, GOOD_ITEM.replace(old, new, 1))
    with pytest.raises(CatalogError) as info:
        load_catalog(tmp_path)
    error = info.value
    assert (Path(error.file).name, error.item_id, error.key) == ("renshe.toml", "rs-test", key)
    assert "renshe.toml" in str(error) and "'rs-test'" in str(error) and repr(key) in str(error)
    assert fragment in str(error)


def test_bad_id_is_reported(tmp_path):
    write_config(tmp_path, GOOD_ITEM.replace('"rs-test"', '"RS 测试"'))
    with pytest.raises(CatalogError, match="key 'id'"):
        load_catalog(tmp_path)


def test_duplicate_id_across_files_names_both(tmp_path):
    write_config(tmp_path, GOOD_ITEM)
    write_config(tmp_path, GOOD_ITEM, name="renshe2.toml")
    with pytest.raises(CatalogError) as info:
        load_catalog(tmp_path)
    assert info.value.key == "id" and "renshe2.toml" in str(info.value)
    assert "renshe.toml" in str(info.value).split("already defined in")[1]


def test_unknown_department_in_file(tmp_path):
    write_config(tmp_path, GOOD_ITEM, head='department = "税务"\ncategory = "C"\n')
    with pytest.raises(CatalogError) as info:
        load_catalog(tmp_path)
    assert info.value.key == "department" and info.value.item_id is None


def test_broken_toml_and_empty_directory(tmp_path):
    with pytest.raises(CatalogError, match="no \\*.toml"):
        load_catalog(tmp_path)
    write_config(tmp_path, "[[items]\n")
    with pytest.raises(CatalogError, match="not valid TOML"):
        load_catalog(tmp_path)


# --- CSV import -----------------------------------------------------------------------------

HEADER = ",".join(CSV_COLUMNS)
GOOD_ROWS = [
    "ga-hkb,居民户口簿补领,公安,A,居民身份证（原件）；申请表（原件2份，窗口提供）；原户口簿,"
    "取号→核验→打印,20,即办,不收费,公安窗口,《中华人民共和国户口登记条例》,否,否,户籍办理",
    "rs-hard,就业困难人员认定,人社,C,身份证（原件）；困难证明（复印件1份，能核验的免提供）,"
    "申请；核实；认定,15个工作日,10,不收费,人社窗口,《中华人民共和国就业促进法》,是,是,"
    "就业创业、社会保障",
]


def write_csv(tmp_path, rows, encoding="utf-8-sig", header=HEADER):
    path = tmp_path / "items.csv"
    path.write_bytes(("\r\n".join([header, *rows]) + "\r\n").encode(encoding))
    return path


def test_import_good_csv(tmp_path):
    catalog = import_csv(write_csv(tmp_path, GOOD_ROWS))
    hkb = catalog.get("ga-hkb")
    assert [(m.name, m.form, m.copies, m.note) for m in hkb.materials] == [
        ("居民身份证", "原件", 1, ""),
        ("申请表", "原件", 2, "窗口提供"),
        ("原户口簿", "原件", 1, ""),
    ]
    assert hkb.steps == ("取号", "核验", "打印")
    assert (hkb.time_limit_days, hkb.promised_days, hkb.online) == (20, 0, False)
    hard = catalog.get("rs-hard")
    assert hard.materials[1].form == "复印件" and hard.steps == ("申请", "核实", "认定")
    assert hard.time_limit_days == 15 and hard.appointment is True
    assert hard.life_events == ("就业创业", "社会保障")
    assert hard.pinyin_initials == ("jyknryrd",)


def test_import_gb18030_and_plain_utf8(tmp_path):
    for encoding in ("gb18030", "utf-8"):
        catalog = import_csv(write_csv(tmp_path, GOOD_ROWS, encoding=encoding))
        assert catalog.get("ga-hkb").name == "居民户口簿补领"


def test_import_reports_every_bad_row(tmp_path):
    good = GOOD_ROWS[0]
    rows = [
        good,  # row 2
        good.replace(",20,", ",二十天,").replace("ga-hkb", "ga-a"),  # row 3: bad 法定时限
        good.replace(",A,", ",X,").replace("ga-hkb", "ga-b"),  # row 4: unknown 队列类别
        good.replace("居民户口簿补领", "").replace("ga-hkb", "ga-c"),  # row 5: empty 事项名称
        ",,,,,,,,,,,,,",  # blank row 6 is skipped, but still counted
        good,  # row 7: duplicate 事项编码
    ]
    with pytest.raises(CatalogImportError) as info:
        import_csv(write_csv(tmp_path, rows))
    found = [(p.row, p.column) for p in info.value.problems]
    assert found == [(3, "法定时限"), (4, "队列类别"), (5, "事项名称"), (7, "事项编码")]
    assert "第2行" in info.value.problems[-1].reason
    assert "第3行 [法定时限]" in str(info.value)


def test_import_other_cell_errors(tmp_path):
    row = GOOD_ROWS[1]
    rows = [
        row.replace(",是,是,", ",也许,是,"),
        row.replace("rs-hard", "rs-b").replace(",人社,", ",税务,"),
        row.replace("rs-hard", "rs-c").replace("就业创业、", "就业创业、结婚、"),
        row.replace("rs-hard", "rs-d").replace(",15个工作日,10,", ",5,10,"),
    ]
    with pytest.raises(CatalogImportError) as info:
        import_csv(write_csv(tmp_path, rows))
    assert [(p.row, p.column) for p in info.value.problems] == [
        (2, "是否可网办"),
        (3, "实施部门"),
        (4, "人生事件"),
        (5, "承诺时限"),
    ]


def test_import_missing_column(tmp_path):
    header = HEADER.replace(",设定依据", "")
    with pytest.raises(CatalogImportError) as info:
        import_csv(write_csv(tmp_path, [], header=header))
    assert [(p.row, p.column) for p in info.value.problems] == [(1, "设定依据")]


def test_shipped_sample_csv_imports():
    catalog = import_csv(CONFIG / "sample_import.csv")
    assert len(catalog) == 5
    assert catalog.get("sj-coop-setup").online_url.startswith("ehb://")
    assert catalog.search("hkb")[0].id == "ga-hkb-reissue"


# --- TOML export ----------------------------------------------------------------------------


def test_department_file_name():
    assert department_file_name("公安") == "gongan.toml"
    assert department_file_name("退役军人事务") == "tuiyijunrenshiwu.toml"


def test_write_then_load_round_trip(tmp_path, real):
    written = write_catalog_toml(real, tmp_path / "out")
    assert {p.name for p in written} == {p.name for p in CONFIG.glob("*.toml")}
    assert load_catalog(tmp_path / "out") == real
    with pytest.raises(FileExistsError):
        write_catalog_toml(real, tmp_path / "out")
    write_catalog_toml(real, tmp_path / "out", overwrite=True)


def test_csv_import_to_config(tmp_path):
    imported = import_csv(CONFIG / "sample_import.csv")
    write_catalog_toml(imported, tmp_path)
    shutil.copy(CONFIG / "sample_import.csv", tmp_path)  # non-TOML files are ignored
    assert load_catalog(tmp_path) == imported
