"""The hub's table of devices: each one's availability, last status and when it was last heard.

Rule: bounded whatever arrives. The table is what the retained ``hub/status`` carries (and the hub
re-encodes it for every batch with a status in it), so one device's status is cut to ``MAX_FIELDS``
plain fields of at most ``MAX_TEXT`` characters, and besides the hall's own identities (``kiosk
provision``'s list, always kept) at most ``MAX_OTHERS`` other ids are remembered: on an open broker any
client may name any id, and a flood of made-up ids must not grow the hub or the summary without end.
When that part is full, the other id heard from longest ago makes room; an id longer than ``MAX_ID``
is refused (``ProtocolError``).
"""

from __future__ import annotations

from typing import Any, Iterable

from ..protocol.codec import ProtocolError, decode_json

MAX_OTHERS = 64  # ids outside the hall's identities (a bench rig, a screen before provisioning, …)
MAX_FIELDS = 24  # a device's status fields kept (a terminal sends about ten)
MAX_TEXT = 120  # characters of one text field kept
MAX_AVAILABILITY = 16
MAX_ID = 64  # as the hall's own ids (config: [a-z0-9_-]{1,64})

PRINTER_ALERTS = {"paper_low": "取号纸将用尽，请及时更换", "paper_out": "取号机缺纸，请立即更换",
                  "offline": "取号打印机故障或纸仓盖未关"}


class DeviceTable:
    def __init__(self, known: Iterable[str]) -> None:
        self.known = frozenset(known)
        self.rows: dict[str, dict[str, Any]] = {}  # device id -> availability, status, last_seen
        self._others: dict[str, None] = {}  # the other ids, oldest heard first

    def _row(self, device: str) -> dict[str, Any]:
        if len(device) > MAX_ID:
            raise ProtocolError("bad_device", f"a device id is at most {MAX_ID} characters")
        row = self.rows.get(device)
        if device not in self.known:
            self._others.pop(device, None)
            if row is None and len(self._others) >= MAX_OTHERS:
                oldest = next(iter(self._others))
                del self._others[oldest], self.rows[oldest]
            self._others[device] = None
        if row is None:
            row = self.rows[device] = {}
        return row

    def availability(self, device: str, payload: bytes, now: float) -> None:
        """Keep ``device``'s availability (``ProtocolError`` for an id too long, and nothing is kept)."""
        row = self._row(device)
        row["availability"] = payload.decode("utf-8", "replace")[:MAX_AVAILABILITY] or "unknown"
        row["last_seen"] = now

    def status(self, device: str, payload: bytes, now: float) -> str | None:
        """Keep ``device``'s status (``ProtocolError`` for a body that is not a JSON object or an id too
        long, and nothing is kept); the printer state it newly reports that staff must hear of, else None."""
        body = decode_json(payload)
        row = self._row(device)
        before = row.get("status", {}).get("printer")
        kept: dict[str, Any] = {}
        for k, v in body.items():
            if len(kept) >= MAX_FIELDS:
                break
            if k == "v" or not (v is None or isinstance(v, (str, int, float, bool))):
                continue
            kept[k[:MAX_TEXT]] = v[:MAX_TEXT] if isinstance(v, str) else v
        row["status"] = kept
        row["last_seen"] = now
        printer = kept.get("printer")
        return printer if printer != before and printer in PRINTER_ALERTS else None
