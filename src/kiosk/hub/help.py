"""Masking of personal data in what the hub shows or publishes (phones, names), and the help view.

Rule: pure functions; a full phone number or name never leaves the hub's database unmasked.
"""

from __future__ import annotations

from typing import Any


def mask_phone(phone: str | None) -> str:
    if not phone:
        return ""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_name(name: str | None) -> str:
    if not name:
        return ""
    if len(name) == 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def valid_phone(phone: str) -> bool:
    digits = "".join(ch for ch in phone if ch.isdigit())
    return len(digits) == 11 and digits.startswith("1") or 7 <= len(digits) <= 12 and phone.startswith("0")


def public_view(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": row["id"], "kind": row["kind"], "at": row["at"], "place": row["place"], "note": row["note"],
            "group": row["grp"], "state": row["state"], "acked_by": row.get("acked_by"),
            "acked_at": row.get("acked_at"),
            "name": mask_name(row["name"]), "phone": mask_phone(row["phone"]), "device": row["device"]}
