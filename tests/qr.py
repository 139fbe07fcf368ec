"""Read QR codes from a saved screenshot the way a phone camera would: zxing-cpp on the pixels.

Rule: a QR claim on a screen is checked by decoding the picture, never by reading the widget's data.
"""

from __future__ import annotations

from pathlib import Path

import zxingcpp
from PIL import Image


def qr_texts(path: Path | str, box: tuple[int, int, int, int] | None = None) -> list[str]:
    """The text of every QR code in the picture (or in ``box``: left, top, right, bottom), top to bottom."""
    img = Image.open(path).convert("L")
    if box is not None:
        img = img.crop(box)
    found = zxingcpp.read_barcodes(img, formats=zxingcpp.BarcodeFormat.QRCode)
    return [r.text for r in sorted(found, key=lambda r: (r.position.top_left.y, r.position.top_left.x))]
