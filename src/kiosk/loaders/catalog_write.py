"""Write a service-item catalogue back as one TOML file per department (what ``kiosk catalog import`` and an
import from the director's page install), in the form :func:`kiosk.loaders.catalog_data.load_catalog` reads.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from pypinyin import lazy_pinyin

from kiosk.core.catalog import DEPARTMENTS, Catalog, ServiceItem


def department_file_name(department: str) -> str:
    """File name of a department's catalogue file: its pinyin, e.g. 公安 → gongan.toml."""
    return "".join(lazy_pinyin(department)) + ".toml"


def _item_table(item: ServiceItem, file_category: str) -> dict[str, Any]:
    table: dict[str, Any] = {"id": item.id, "name": item.name}
    if item.aliases:
        table["aliases"] = list(item.aliases)
    if item.category != file_category:
        table["category"] = item.category
    table["life_events"] = list(item.life_events)
    table["materials"] = [
        {"name": m.name, "form": m.form, "copies": m.copies} | ({"note": m.note} if m.note else {})
        for m in item.materials
    ]
    table["steps"] = list(item.steps)
    table |= {
        "time_limit_days": item.time_limit_days,
        "promised_days": item.promised_days,
        **({"time_limit_unit": item.time_limit_unit} if item.time_limit_unit != "working_days" else {}),
        **({"time_limit_source": item.time_limit_source} if item.time_limit_source else {}),
        "fees": item.fees,
        "window": item.window,
        "basis": item.basis,
        "online": item.online,
    }
    if item.online_url:
        table["online_url"] = item.online_url
    table["appointment"] = item.appointment
    return table


def write_catalog_toml(
    catalog: Catalog, directory: Path | str, *, overwrite: bool = False
) -> list[Path]:
    """Write one ``<department pinyin>.toml`` per department; returns the paths written.

    Pinyin is not written (the loader recomputes it). Refuses to replace existing files
    unless ``overwrite`` is true, so an import never silently clobbers hand-edited guides.
    """
    import tomli_w  # only the import tool needs it; loading the catalogue does not

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    planned = [
        (directory / department_file_name(dep), dep, items)
        for dep, items in sorted(
            catalog.by_department.items(), key=lambda kv: DEPARTMENTS.index(kv[0])
        )
    ]
    if not overwrite:
        existing = [str(path) for path, _, _ in planned if path.exists()]
        if existing:
            raise FileExistsError(f"would overwrite: {', '.join(existing)}")
    written = []
    for path, department, items in planned:
        file_category = Counter(item.category for item in items).most_common(1)[0][0]
        document = {
            "department": department,
            "category": file_category,
            "items": [_item_table(item, file_category) for item in items],
        }
        path.write_text(tomli_w.dumps(document), encoding="utf-8")
        written.append(path)
    return written
