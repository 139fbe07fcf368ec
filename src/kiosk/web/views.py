"""The hall as the consoles show it, read from the link's retained-state cache: windows, waiting per
category, devices with their last status, the printer's paper, the calendar warning.

Rule: pure functions of the cached bodies and ``now``; no I/O, nothing Chinese (templates word it). Shared by
the director's and the technician's pages, which never import each other.
"""

from __future__ import annotations

from typing import Any

from .link import Link

PRINTER_PROBLEMS = ("paper_low", "paper_out", "offline", "cover_open", "error")


def devices(link: Link) -> list[dict[str, Any]]:
    """Every device the hall has heard of: id, online, kind, version, last seen, printer state."""
    hub = link.get("hub/status") or {}
    seen = hub.get("devices") if isinstance(hub.get("devices"), dict) else {}
    ids = set(seen) | set(link.matching("device/", "/availability")) | set(link.matching("device/", "/status"))
    out = []
    for d in sorted(i for i in ids if "/" not in i):
        status = link.get(f"device/{d}/status") or {}
        avail = (link.get(f"device/{d}/availability") or {}).get("availability") or \
            (seen.get(d, {}) or {}).get("availability") or "unknown"
        hub_view = seen.get(d, {}) if isinstance(seen.get(d), dict) else {}
        out.append({"id": d, "online": avail == "online", "availability": avail,
                    "kind": status.get("kind") or hub_view.get("status", {}).get("kind", ""),
                    "version": status.get("version") or hub_view.get("status", {}).get("version", ""),
                    "last_seen": hub_view.get("last_seen"),
                    "printer": status.get("printer") or hub_view.get("status", {}).get("printer")})
    return out


def hall_now(link: Link) -> dict[str, Any]:
    board = link.get("board") or {}
    hub = link.get("hub/status") or {}
    devs = devices(link)
    windows = board.get("windows", [])
    return {
        "day": board.get("day", ""),
        "windows": windows,
        "categories": board.get("categories", []),
        "waiting": sum(c.get("waiting", 0) for c in board.get("categories", [])),
        "served": sum(w.get("served", 0) for w in windows),
        "open_windows": sum(1 for w in windows if w.get("status") == "open"),
        "devices": devs,
        "online": sum(1 for d in devs if d["online"]),
        "printers": [d for d in devs if d["printer"]],
        "printer_problems": [d for d in devs if d["printer"] in PRINTER_PROBLEMS],
        "calendar_warning": hub.get("calendar_warning") or "",
        "hub_online": (link.get("device/hub/availability") or {}).get("availability") == "online",
        "mode": link.get("mode") or {},
        "store_ok": hub.get("store_ok", True),
    }


def bars_svg(rows: list[tuple[str, float]], *, width: int = 560, bar: int = 26, label_w: int = 150) -> str:
    """A horizontal bar chart as SVG markup (labels are escaped by the caller's template: pass plain text)."""
    from html import escape
    top = max([v for _, v in rows] + [1])
    h = bar * len(rows) + 8
    parts = [f'<svg class="bars" viewBox="0 0 {width} {h}" width="100%" role="img">']
    for i, (label, v) in enumerate(rows):
        y = 4 + i * bar
        w = (width - label_w - 50) * v / top
        parts.append(f'<text x="{label_w - 8}" y="{y + bar * 0.65:.0f}" text-anchor="end">{escape(label)}</text>'
                     f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{bar - 8}"></rect>'
                     f'<text x="{label_w + w + 6:.1f}" y="{y + bar * 0.65:.0f}">{v:g}</text>')
    parts.append("</svg>")
    return "".join(parts)
