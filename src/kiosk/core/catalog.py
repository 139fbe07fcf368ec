"""The service-item catalogue (事项目录) with its service guides (办事指南), and its search.

Rule: pure data and pure functions, standard library only. Nothing here reads a file or
knows about pinyin dictionaries: the loader (``kiosk.loaders.catalog_data``) validates the config,
computes the pinyin of every name and alias and stores it on the item. The hub publishes the
catalogue as JSON (``Catalog.to_dict``) and every terminal rebuilds it (``Catalog.from_dict``)
and searches it offline with the same code.

Search ranks a match by how good it is, best first:

    0  exact       the query equals a name or alias, its initials or its full pinyin
    1  prefix      a name/alias starts with the query, or the query spells the start of its
                   pinyin (each syllable typed in full or cut short: "sbk", "shebaoka", "shebk")
    2  contained   the same, starting at any character/syllable ("ylbx" in 城乡居民养老保险)

Ties go to a match on the official name before an alias, then to catalogue order.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

FORMAT_VERSION = 1

#: The departments whose items the centre has claimed, in the order guides are listed.
DEPARTMENTS: tuple[str, ...] = (
    "公安",
    "市场监管",
    "人社",
    "医保",
    "民政",
    "农业农村",
    "村镇建设",
    "卫生健康",
    "退役军人事务",
)

#: Queue categories an item may be served under. The mapping of categories to windows is
#: queue configuration; this is only the vocabulary an item may name.
CATEGORIES: Mapping[str, str] = MappingProxyType(
    {
        "A": "公安",
        "B": "市场监管",
        "C": "人社",
        "D": "医保",
        "E": "综合",
        "F": "办不成事反映",
    }
)

#: Life events (一件事) a resident browses by on the kiosk.
LIFE_EVENTS: tuple[str, ...] = (
    "生育收养",
    "户籍办理",
    "就业创业",
    "社会保障",
    "医疗保障",
    "婚姻登记",
    "住房",
    "养老服务",
    "残疾人服务",
    "农业生产",
    "开办企业",
    "退役安置",
    "身后事",
)

MATERIAL_FORMS: tuple[str, ...] = ("原件", "复印件")

#: How a 法定时限 is counted: the law says either 工作日 or plain 日 (calendar days).
TIME_UNITS: tuple[str, ...] = ("working_days", "days")

ITEM_ID_PATTERN = re.compile(r"[a-z0-9_-]+")

# Fields a compact catalogue leaves out: long prose the kiosk can fetch per item if needed.
COMPACT_OMITS: tuple[str, ...] = ("steps", "basis")


@dataclass(frozen=True, slots=True, kw_only=True)
class Material:
    """One line of the 一次性告知 list: what to bring, in what form, how many copies."""

    name: str
    form: str
    copies: int = 1
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "form": self.form, "copies": self.copies, "note": self.note}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Material:
        return cls(
            name=data["name"],
            form=data["form"],
            copies=data.get("copies", 1),
            note=data.get("note", ""),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceItem:
    """One service item and its guide.

    ``time_limit_days`` (法定时限) counts working days, or calendar days when the law says 日
    (``time_limit_unit = "days"``; ``time_limit_source`` names the article it comes from);
    ``promised_days`` (承诺时限) counts working days; 0 means 即办 (done on the spot). ``pinyin_full`` and ``pinyin_initials`` hold one entry
    per searchable text, the name first and then each alias: full pinyin as lower-case
    syllables separated by single spaces, initials as one lower-case string.
    """

    id: str
    name: str
    department: str
    category: str
    life_events: tuple[str, ...] = ()
    materials: tuple[Material, ...] = ()
    steps: tuple[str, ...] = ()
    time_limit_days: int = 0
    promised_days: int = 0
    time_limit_unit: str = "working_days"
    time_limit_source: str = ""
    fees: str = "不收费"
    window: str = ""
    basis: str = ""
    online: bool = False
    online_url: str = ""
    appointment: bool = False
    aliases: tuple[str, ...] = ()
    pinyin_full: tuple[str, ...] = ()
    pinyin_initials: tuple[str, ...] = ()

    @property
    def search_texts(self) -> tuple[str, ...]:
        """The name followed by the aliases, aligned with the pinyin tuples."""
        return (self.name, *self.aliases)

    @property
    def is_immediate(self) -> bool:
        """True for 即办 items, done while the resident waits."""
        return self.promised_days == 0

    def to_dict(self, *, compact: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "department": self.department,
            "category": self.category,
            "life_events": list(self.life_events),
            "materials": [m.to_dict() for m in self.materials],
            "steps": list(self.steps),
            "time_limit_days": self.time_limit_days,
            "promised_days": self.promised_days,
            "time_limit_unit": self.time_limit_unit,
            "time_limit_source": self.time_limit_source,
            "fees": self.fees,
            "window": self.window,
            "basis": self.basis,
            "online": self.online,
            "online_url": self.online_url,
            "appointment": self.appointment,
            "aliases": list(self.aliases),
            "pinyin_full": list(self.pinyin_full),
            "pinyin_initials": list(self.pinyin_initials),
        }
        if compact:
            for key in COMPACT_OMITS:
                del data[key]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ServiceItem:
        """Rebuild an item from ``to_dict`` output (full or compact)."""
        return cls(
            id=data["id"],
            name=data["name"],
            department=data["department"],
            category=data["category"],
            life_events=tuple(data.get("life_events", ())),
            materials=tuple(Material.from_dict(m) for m in data.get("materials", ())),
            steps=tuple(data.get("steps", ())),
            time_limit_days=data.get("time_limit_days", 0),
            promised_days=data.get("promised_days", 0),
            time_limit_unit=data.get("time_limit_unit", "working_days"),
            time_limit_source=data.get("time_limit_source", ""),
            fees=data.get("fees", "不收费"),
            window=data.get("window", ""),
            basis=data.get("basis", ""),
            online=data.get("online", False),
            online_url=data.get("online_url", ""),
            appointment=data.get("appointment", False),
            aliases=tuple(data.get("aliases", ())),
            pinyin_full=tuple(data.get("pinyin_full", ())),
            pinyin_initials=tuple(data.get("pinyin_initials", ())),
        )


def _group(items: tuple[ServiceItem, ...], keys_of) -> Mapping[str, tuple[ServiceItem, ...]]:
    groups: dict[str, list[ServiceItem]] = {}
    for item in items:
        for key in keys_of(item):
            groups.setdefault(key, []).append(item)
    return MappingProxyType({k: tuple(v) for k, v in groups.items()})


@dataclass(frozen=True, slots=True)
class Catalog:
    """All claimed items in display order, with look-ups built once.

    The index mappings only hold keys that have at least one item; use ``.get(key, ())``.
    Raises ``ValueError`` on duplicate ids (the loader reports them with file names first).
    """

    items: tuple[ServiceItem, ...]
    booking: str = ""  # what can be booked when, from the hall's configured sessions (the hub fills it in)
    by_id: Mapping[str, ServiceItem] = field(init=False, repr=False, compare=False)
    by_department: Mapping[str, tuple[ServiceItem, ...]] = field(
        init=False, repr=False, compare=False
    )
    by_life_event: Mapping[str, tuple[ServiceItem, ...]] = field(
        init=False, repr=False, compare=False
    )
    by_category: Mapping[str, tuple[ServiceItem, ...]] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        items = tuple(self.items)
        by_id: dict[str, ServiceItem] = {}
        for item in items:
            if item.id in by_id:
                raise ValueError(f"duplicate service item id {item.id!r}")
            by_id[item.id] = item
        object.__setattr__(self, "items", items)
        object.__setattr__(self, "by_id", MappingProxyType(by_id))
        object.__setattr__(self, "by_department", _group(items, lambda i: (i.department,)))
        object.__setattr__(self, "by_life_event", _group(items, lambda i: i.life_events))
        object.__setattr__(self, "by_category", _group(items, lambda i: (i.category,)))

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self):
        return iter(self.items)

    def get(self, item_id: str) -> ServiceItem | None:
        return self.by_id.get(item_id)

    def search(self, query: str, *, limit: int | None = None) -> list[ServiceItem]:
        """Items matching ``query`` (characters, full pinyin or initials), best first."""
        text_query = _normalise_text(query)
        if not text_query:
            return []
        pinyin_query = text_query if _is_pinyin_query(text_query) else ""
        scored: list[tuple[tuple[int, int, int], ServiceItem]] = []
        for position, item in enumerate(self.items):
            rank = _rank(item, text_query, pinyin_query)
            if rank is not None:
                scored.append(((*rank, position), item))
        scored.sort(key=lambda pair: pair[0])
        found = [item for _, item in scored]
        return found if limit is None else found[:limit]

    def to_dict(self, *, compact: bool = False) -> dict[str, Any]:
        """A JSON-friendly dict; ``compact`` drops the fields in ``COMPACT_OMITS``."""
        return {
            "format": FORMAT_VERSION,
            "compact": compact,
            "items": [item.to_dict(compact=compact) for item in self.items],
            **({"booking": self.booking} if self.booking else {}),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Catalog:
        version = data.get("format")
        if version != FORMAT_VERSION:
            raise ValueError(f"catalogue format {version!r}, expected {FORMAT_VERSION}")
        return cls(tuple(ServiceItem.from_dict(d) for d in data["items"]), booking=str(data.get("booking", "")))


# --- search helpers -------------------------------------------------------------------------

EXACT, PREFIX, CONTAINED = 0, 1, 2

_PINYIN_QUERY = re.compile(r"[a-z0-9]+")
_QUERY_DROP = re.compile(r"[\s'’·]+")


def _normalise_text(text: str) -> str:
    """Fold full-width letters and case, drop spaces and syllable separators."""
    return _QUERY_DROP.sub("", unicodedata.normalize("NFKC", text)).lower()


def _is_pinyin_query(query: str) -> bool:
    return _PINYIN_QUERY.fullmatch(query) is not None


def _rank(item: ServiceItem, text_query: str, pinyin_query: str) -> tuple[int, int] | None:
    """(match quality, 0 for the name / 1 for an alias), or None when nothing matches."""
    best: tuple[int, int] | None = None
    for index, text in enumerate(item.search_texts):
        quality = _text_quality(_normalise_text(text), text_query)
        if pinyin_query and index < len(item.pinyin_full):
            initials = item.pinyin_initials[index] if index < len(item.pinyin_initials) else ""
            pinyin = _pinyin_quality(item.pinyin_full[index], initials, pinyin_query)
            if pinyin is not None and (quality is None or pinyin < quality):
                quality = pinyin
        if quality is not None:
            candidate = (quality, 0 if index == 0 else 1)
            if best is None or candidate < best:
                best = candidate
    return best


def _text_quality(text: str, query: str) -> int | None:
    if text == query:
        return EXACT
    if text.startswith(query):
        return PREFIX
    if query in text:
        return CONTAINED
    return None


def _pinyin_quality(full: str, initials: str, query: str) -> int | None:
    syllables = full.split()
    if query == initials or query == "".join(syllables):
        return EXACT
    if _spells_from(syllables, 0, query):
        return PREFIX
    for start in range(1, len(syllables)):
        if _spells_from(syllables, start, query):
            return CONTAINED
    return None


def _spells_from(syllables: list[str], start: int, query: str) -> bool:
    """True if ``query`` is a run of non-empty syllable prefixes beginning at ``start``.

    Each syllable may be typed whole or cut short, so "sbk", "shebaoka" and "shebk" all
    spell 社保卡. Kept as a set of reachable query offsets: linear, no backtracking blow-up.
    """
    reachable = {0}
    for syllable in syllables[start:]:
        after: set[int] = set()
        for offset in reachable:
            rest = query[offset:]
            for length in range(1, min(len(syllable), len(rest)) + 1):
                if rest[:length] == syllable[:length]:
                    after.add(offset + length)
                else:
                    break
        if len(query) in after:
            return True
        if not after:
            return False
        reachable = after
    return False
