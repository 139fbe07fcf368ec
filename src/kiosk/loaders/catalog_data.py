"""Load the service-item catalogue from TOML and import it from the city's spreadsheet (writing it back
as TOML is :mod:`kiosk.loaders.catalog_write`).

Rule: this module is the catalogue's I/O boundary. Everything read from disk is validated here,
once, into the frozen dataclasses of ``kiosk.core.catalog``; a TOML error names the file, the
item id and the key, a CSV error names the row and the column. Pinyin is computed here with
pypinyin and stored on each item, so the core stays standard-library only.

Errors::

    KioskError + ValueError
     ├── CatalogError          a config file under config/catalog/ is wrong
     └── CatalogImportError    a spreadsheet has bad rows; .problems lists every one

Layouts of both formats are documented in docs/catalog.md.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
import tomllib
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from pypinyin import Style, lazy_pinyin

from kiosk.core.catalog import (
    CATEGORIES,
    DEPARTMENTS,
    ITEM_ID_PATTERN,
    LIFE_EVENTS,
    MATERIAL_FORMS,
    TIME_UNITS,
    Catalog,
    Material,
    ServiceItem,
)
from kiosk.errors import KioskError

__all__ = [
    "CSV_COLUMNS",
    "CatalogError",
    "CatalogImportError",
    "ImportProblem",
    "decode_csv",
    "department_file_name",
    "import_csv",
    "load_catalog",
    "pinyin_of",
    "with_pinyin",
    "write_catalog_toml",
]


class CatalogError(KioskError, ValueError):
    """A catalogue config file is wrong. Carries ``file``, ``item_id`` and ``key``."""

    def __init__(
        self, file: Path | str, item_id: str | None, key: str | None, reason: str
    ) -> None:
        self.file = str(file)
        self.item_id = item_id
        self.key = key
        self.reason = reason
        where = [self.file]
        if item_id is not None:
            where.append(f"item {item_id!r}")
        if key is not None:
            where.append(f"key {key!r}")
        super().__init__(f"{': '.join(where)}: {reason}")


class ImportProblem(NamedTuple):
    """One bad cell: spreadsheet row (header is row 1), column title, what is wrong."""

    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"第{self.row}行 [{self.column}] {self.reason}"


class CatalogImportError(KioskError, ValueError):
    """A spreadsheet could not be imported; ``problems`` lists every bad cell found."""

    def __init__(self, file: Path | str, problems: list[ImportProblem]) -> None:
        self.file = str(file)
        self.problems = tuple(problems)
        lines = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(f"{self.file}: {len(self.problems)} problem(s)\n{lines}")


# --- pinyin ---------------------------------------------------------------------------------

_KEEP = re.compile(r"[a-z0-9]+")


def pinyin_of(text: str) -> tuple[str, str]:
    """(full pinyin as space-separated syllables, initials) of a name, punctuation dropped.

    Latin letters and digits are kept as their own "syllables" (80周岁 → "80 zhou sui").
    """
    folded = unicodedata.normalize("NFKC", text)
    full: list[str] = []
    initials: list[str] = []
    for syllable, first in zip(
        lazy_pinyin(folded), lazy_pinyin(folded, style=Style.FIRST_LETTER), strict=True
    ):
        full_parts = _KEEP.findall(syllable.lower())
        first_parts = _KEEP.findall(first.lower())
        if len(full_parts) == 1 and len(first_parts) == 1:
            full.append(full_parts[0])
            initials.append(first_parts[0])
        else:  # a run of non-Chinese text such as "A区 ABC": keep its words whole
            full.extend(full_parts)
            initials.extend(full_parts)
    return " ".join(full), "".join(initials)


def with_pinyin(item: ServiceItem) -> ServiceItem:
    """The item with ``pinyin_full``/``pinyin_initials`` filled for its name and aliases."""
    pairs = [pinyin_of(text) for text in item.search_texts]
    return dataclasses.replace(
        item,
        pinyin_full=tuple(full for full, _ in pairs),
        pinyin_initials=tuple(initials for _, initials in pairs),
    )


# --- TOML config ----------------------------------------------------------------------------

# key -> (kind, required). Kinds are checked by _check_kind.
_ITEM_SCHEMA: dict[str, tuple[str, bool]] = {
    "id": ("str", True),
    "name": ("str", True),
    "department": ("str", False),
    "category": ("str", False),
    "aliases": ("strs", False),
    "life_events": ("strs", False),
    "materials": ("materials", True),
    "steps": ("strs", True),
    "time_limit_days": ("int", True),
    "promised_days": ("int", True),
    "time_limit_unit": ("str", False),
    "time_limit_source": ("str", False),
    "fees": ("str", True),
    "window": ("str", True),
    "basis": ("str", True),
    "online": ("bool", True),
    "online_url": ("str", False),
    "appointment": ("bool", True),
}
_MATERIAL_SCHEMA: dict[str, tuple[str, bool]] = {
    "name": ("str", True),
    "form": ("str", True),
    "copies": ("int", False),
    "note": ("str", False),
}
_EXPECTED = {
    "str": "a string",
    "int": "an integer",
    "bool": "true or false",
    "strs": "a list of strings",
    "materials": "a list of tables",
}


def _check_kind(value: Any, kind: str) -> bool:
    if kind == "str":
        return isinstance(value, str)
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "strs":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if kind == "materials":
        return isinstance(value, list) and all(isinstance(v, dict) for v in value)
    raise AssertionError(kind)


def _check_table(
    table: Mapping[str, Any], schema: dict[str, tuple[str, bool]], fail, prefix: str = ""
) -> None:
    for key in table:
        if key not in schema:
            fail(prefix + key, f"unknown key; expected one of {', '.join(schema)}")
    for key, (kind, required) in schema.items():
        if key not in table:
            if required:
                fail(prefix + key, f"missing; expected {_EXPECTED[kind]}")
        elif not _check_kind(table[key], kind):
            fail(prefix + key, f"expected {_EXPECTED[kind]}, got {table[key]!r}")


def load_catalog(directory: Path | str) -> Catalog:
    """Read every ``*.toml`` in ``directory`` (one file per department) into a Catalog.

    Items are ordered by department (as in ``DEPARTMENTS``), then as written in the file.
    Raises ``CatalogError`` naming file, item id and key on the first problem found.
    """
    directory = Path(directory)
    files = sorted(directory.glob("*.toml"))
    if not files:
        raise CatalogError(directory, None, None, "no *.toml catalogue files found")
    items: list[ServiceItem] = []
    seen: dict[str, Path] = {}
    for path in files:
        for item in _load_file(path):
            if item.id in seen:
                raise CatalogError(
                    path, item.id, "id", f"duplicate id, already defined in {seen[item.id]}"
                )
            seen[item.id] = path
            items.append(with_pinyin(item))
    items.sort(key=lambda item: DEPARTMENTS.index(item.department))
    return Catalog(tuple(items))


def _load_file(path: Path) -> list[ServiceItem]:
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(path, None, None, f"not valid TOML: {exc}") from exc

    def file_fail(key: str, reason: str):
        raise CatalogError(path, None, key, reason)

    _check_table(
        data,
        {"department": ("str", True), "category": ("str", True), "items": ("materials", True)},
        file_fail,
    )
    department, category = data["department"], data["category"]
    if department not in DEPARTMENTS:
        file_fail("department", f"unknown department {department!r}; expected one of {DEPARTMENTS}")
    if category not in CATEGORIES:
        file_fail("category", f"unknown category {category!r}; expected one of {tuple(CATEGORIES)}")
    return [
        _item_from_table(path, index, table, department, category)
        for index, table in enumerate(data["items"], start=1)
    ]


def _item_from_table(
    path: Path, index: int, table: dict[str, Any], department: str, category: str
) -> ServiceItem:
    raw_id = table.get("id")
    item_id = raw_id if isinstance(raw_id, str) else f"#{index}"

    def fail(key: str, reason: str):
        raise CatalogError(path, item_id, key, reason)

    _check_table(table, _ITEM_SCHEMA, fail)
    if not ITEM_ID_PATTERN.fullmatch(table["id"]):
        fail("id", "expected lower-case ASCII letters, digits, '-' or '_'")
    for key in ("name", "fees", "window", "basis"):
        if not table[key].strip():
            fail(key, "must not be empty")
    if table.get("department", department) != department:
        fail("department", f"{table['department']!r} in the file for {department!r}")
    item_category = table.get("category", category)
    if item_category not in CATEGORIES:
        fail("category", f"unknown category {item_category!r}; expected one of {tuple(CATEGORIES)}")
    for event in table.get("life_events", []):
        if event not in LIFE_EVENTS:
            fail("life_events", f"unknown life event {event!r}; expected one of {LIFE_EVENTS}")
    if not table["steps"] or not all(step.strip() for step in table["steps"]):
        fail("steps", "expected at least one non-empty step")
    if not table["materials"]:
        fail("materials", "expected at least one material (一次性告知)")
    materials = []
    for number, material in enumerate(table["materials"], start=1):
        prefix = f"materials[{number}]."
        _check_table(material, _MATERIAL_SCHEMA, fail, prefix)
        if material["form"] not in MATERIAL_FORMS:
            fail(prefix + "form", f"expected one of {MATERIAL_FORMS}, got {material['form']!r}")
        if material.get("copies", 1) < 1:
            fail(prefix + "copies", "expected at least 1")
        materials.append(Material(**material))
    limit, promised = table["time_limit_days"], table["promised_days"]
    if limit < 0:
        fail("time_limit_days", "expected 0 (即办) or a positive number of working days")
    if not 0 <= promised <= limit:
        fail("promised_days", f"expected 0..time_limit_days ({limit}), got {promised}")
    if table.get("online_url") and not table["online"]:
        fail("online_url", "set, but online = false")
    unit = table.get("time_limit_unit", "working_days")
    if unit not in TIME_UNITS:
        fail("time_limit_unit", f"expected one of {TIME_UNITS}, got {unit!r}")
    return ServiceItem(
        id=table["id"],
        name=table["name"].strip(),
        department=department,
        category=item_category,
        life_events=tuple(table.get("life_events", ())),
        materials=tuple(materials),
        steps=tuple(table["steps"]),
        time_limit_days=limit,
        promised_days=promised,
        time_limit_unit=unit,
        time_limit_source=table.get("time_limit_source", ""),
        fees=table["fees"],
        window=table["window"],
        basis=table["basis"],
        online=table["online"],
        online_url=table.get("online_url", ""),
        appointment=table["appointment"],
        aliases=tuple(table.get("aliases", ())),
    )


# --- CSV import -----------------------------------------------------------------------------

#: Required columns, in the city spreadsheet's usual order (the order in the file may differ).
CSV_COLUMNS: tuple[str, ...] = (
    "事项编码",
    "事项名称",
    "实施部门",
    "队列类别",
    "办理材料",
    "办理流程",
    "法定时限",
    "承诺时限",
    "收费",
    "办理窗口",
    "设定依据",
    "是否可网办",
    "是否可预约",
    "人生事件",
)
#: Optional columns; any other column (序号, 备注 …) is ignored.
CSV_OPTIONAL_COLUMNS: tuple[str, ...] = ("别名", "网办地址")

_LIST_SPLIT = re.compile(r"[；;]")
_STEP_SPLIT = re.compile(r"→|->|[；;]")
_WORD_SPLIT = re.compile(r"[、，,；;/\s]+")
_MATERIAL = re.compile(
    r"^(?P<name>.+?)\s*[（(]\s*(?P<form>原件|复印件)\s*(?:(?P<copies>\d+)\s*份)?"
    r"\s*(?:[，,]\s*(?P<note>.*?))?\s*[）)]$"
)
_DAYS = re.compile(r"^(?P<days>\d+)\s*(?:个?工作日|天|日)?$")
_IMMEDIATE = {"即办", "当场办结", "立即办结", "0"}
_YES = {"是", "y", "yes", "true", "1", "可", "可以"}
_NO = {"否", "n", "no", "false", "0", "不可", "", "无"}


def decode_csv(raw: bytes) -> str:
    """UTF-8 (with or without BOM) first; GB18030 is what spreadsheet software saves otherwise."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("gb18030")


def _parse_days(text: str) -> int | None:
    text = unicodedata.normalize("NFKC", text).strip()
    if text in _IMMEDIATE:
        return 0
    match = _DAYS.match(text)
    return int(match["days"]) if match else None


def _parse_bool(text: str) -> bool | None:
    folded = text.strip().lower()
    if folded in _YES:
        return True
    if folded in _NO:
        return False
    return None


def _parse_materials(text: str) -> tuple[list[Material], str | None]:
    materials = []
    for part in _LIST_SPLIT.split(text):
        part = part.strip()
        if not part:
            continue
        match = _MATERIAL.match(part)
        if match is None:  # no marker: an original, one copy
            materials.append(Material(name=part, form="原件"))
            continue
        copies = int(match["copies"]) if match["copies"] else 1
        if copies < 1:
            return [], f"材料“{part}”份数应至少为1"
        materials.append(
            Material(
                name=match["name"].strip(),
                form=match["form"],
                copies=copies,
                note=(match["note"] or "").strip(),
            )
        )
    if not materials:
        return [], "至少应列出一项材料"
    return materials, None


def _rows(path: Path, raw: bytes) -> list[list[str]]:
    """The CSV's rows, or CatalogImportError saying why the file is not a CSV text at all."""
    def fail(reason: str):
        raise CatalogImportError(path, [ImportProblem(1, "", reason)])
    try:
        text = decode_csv(raw)
    except UnicodeDecodeError:
        fail("文件编码无法识别：请在表格软件中“另存为”CSV（UTF-8 或 GBK 编码）")
    if "\x00" in text:
        fail("这不是 CSV 文本文件（是否选了 .xlsx/.xls 表格？请在表格软件中“另存为”CSV）")
    try:
        return list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        fail(f"CSV 格式有误：{exc}")
    raise AssertionError("unreachable")


def import_csv(path: Path | str, *, raw: bytes | None = None) -> Catalog:
    """Read a 事项目录 spreadsheet saved as CSV (UTF-8, UTF-8 with BOM, or GB18030/GBK).

    ``raw``: the file's bytes when they come from elsewhere (an upload); ``path`` then only names it.
    Collects every problem before giving up, then raises ``CatalogImportError``; rows are
    numbered as the spreadsheet shows them (the header is row 1). Blank rows are skipped.
    """
    path = Path(path)
    rows = _rows(path, path.read_bytes() if raw is None else raw)
    problems: list[ImportProblem] = []
    if not rows:
        raise CatalogImportError(path, [ImportProblem(1, "", "文件为空，缺少表头")])
    header = [unicodedata.normalize("NFKC", h).strip().lstrip("\ufeff") for h in rows[0]]
    columns = {name: header.index(name) for name in header if name}
    for name in CSV_COLUMNS:
        if name not in columns:
            problems.append(ImportProblem(1, name, "缺少该列"))
    if problems:
        raise CatalogImportError(path, problems)

    items: list[ServiceItem] = []
    first_row_of: dict[str, int] = {}
    for row_number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = {name: (row[i].strip() if i < len(row) else "") for name, i in columns.items()}
        item = _item_from_row(row_number, cells, problems)
        if item is None:
            continue
        if item.id in first_row_of:
            problems.append(
                ImportProblem(
                    row_number, "事项编码", f"编码 {item.id} 与第{first_row_of[item.id]}行重复"
                )
            )
            continue
        first_row_of[item.id] = row_number
        items.append(with_pinyin(item))
    if not items and not problems:
        problems.append(ImportProblem(2, "", "表中没有任何事项（只有表头）"))
    if problems:
        raise CatalogImportError(path, problems)
    items.sort(key=lambda item: DEPARTMENTS.index(item.department))
    return Catalog(tuple(items))


def _item_from_row(
    row: int, cells: dict[str, str], problems: list[ImportProblem]
) -> ServiceItem | None:
    before = len(problems)

    def bad(column: str, reason: str) -> None:
        problems.append(ImportProblem(row, column, reason))

    item_id = cells["事项编码"].lower()
    if not item_id:
        bad("事项编码", "不能为空")
    elif not ITEM_ID_PATTERN.fullmatch(item_id):
        bad("事项编码", f"“{cells['事项编码']}”只能包含英文字母、数字、“-”和“_”")
    for column in ("事项名称", "收费", "办理窗口", "设定依据"):
        if not cells[column]:
            bad(column, "不能为空")
    department = cells["实施部门"]
    if department not in DEPARTMENTS:
        bad("实施部门", f"未知部门“{department}”，应为：{'、'.join(DEPARTMENTS)}")
    category = cells["队列类别"].upper()
    if category not in CATEGORIES:
        bad("队列类别", f"未知队列类别“{cells['队列类别']}”，应为：{'、'.join(CATEGORIES)}")
    materials, reason = _parse_materials(cells["办理材料"])
    if reason:
        bad("办理材料", reason)
    steps = [s.strip() for s in _STEP_SPLIT.split(cells["办理流程"]) if s.strip()]
    if not steps:
        bad("办理流程", "至少应有一个步骤")
    days = {}
    for column in ("法定时限", "承诺时限"):
        days[column] = _parse_days(cells[column])
        if days[column] is None:
            bad(column, f"“{cells[column]}”不是工作日天数（填数字，或“即办”）")
    if None not in days.values() and days["承诺时限"] > days["法定时限"]:
        bad("承诺时限", f"承诺时限{days['承诺时限']}日超过法定时限{days['法定时限']}日")
    flags = {}
    for column in ("是否可网办", "是否可预约"):
        flags[column] = _parse_bool(cells[column])
        if flags[column] is None:
            bad(column, f"“{cells[column]}”应填“是”或“否”")
    events = [e for e in _WORD_SPLIT.split(cells["人生事件"]) if e]
    for event in events:
        if event not in LIFE_EVENTS:
            bad("人生事件", f"未知人生事件“{event}”")
    aliases = [a for a in _WORD_SPLIT.split(cells.get("别名", "")) if a]
    url = cells.get("网办地址", "")
    if url and flags["是否可网办"] is False:
        bad("网办地址", "填写了网办地址，但“是否可网办”为否")
    if len(problems) > before:
        return None
    return ServiceItem(
        id=item_id,
        name=cells["事项名称"],
        department=department,
        category=category,
        life_events=tuple(events),
        materials=tuple(materials),
        steps=tuple(steps),
        time_limit_days=days["法定时限"],
        promised_days=days["承诺时限"],
        fees=cells["收费"],
        window=cells["办理窗口"],
        basis=cells["设定依据"],
        online=flags["是否可网办"],
        online_url=url,
        appointment=flags["是否可预约"],
        aliases=tuple(aliases),
    )
