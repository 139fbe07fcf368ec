"""Request fields of ``catalog.replace``: the director replaces the service catalogue (事项目录) with a
spreadsheet checked in the browser first.

Rule: shape only. ``csv`` is the spreadsheet as UTF-8 text (the web decodes GBK/GB18030 and strips a BOM
before sending), in the layout ``kiosk catalog import`` reads (docs/catalog.md); ``by`` is the login of the
director who confirmed it. The hub parses and validates it again with the same code as the command line
(``kiosk.hub.feature_catalog``): nothing the web says about it is trusted.

The one request larger than a command: a catalogue of about 100 items is 40–80 KB of CSV, over the 64 KiB
every other request is held to, so this op alone may carry up to ``MAX_CATALOG_REQUEST`` (1 MiB; the
broker's ``max_packet_size`` is 2 MiB). The CSV text itself is limited to ``MAX_CATALOG_CSV`` characters.
"""

from __future__ import annotations

from .fields import str_field
from .ops_window import BY

MAX_CATALOG_CSV = 512 * 1024  # characters of CSV text (a spreadsheet file of up to 512 KiB in the browser)
MAX_CATALOG_REQUEST = 1024 * 1024  # bytes of the whole request: Chinese text is 3 bytes a character in UTF-8

OPS = {
    "catalog.replace": {"csv": (str_field(max_len=MAX_CATALOG_CSV), True), "by": (str_field(BY, 40), True)},
}
LIMITS = {"catalog.replace": MAX_CATALOG_REQUEST}
