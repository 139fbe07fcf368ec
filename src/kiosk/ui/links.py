"""Is a QR target real? The hall's config ships with placeholder addresses (``example.com``, any
``.invalid`` or ``.example`` host) until the centre is given its real ones; a QR code pointing there must
not be shown to the public, so every screen asks :func:`configured` before drawing one.
"""

from __future__ import annotations

from urllib.parse import urlsplit

_RESERVED_HOSTS = ("example.com", "example.net", "example.org")
_RESERVED_TLDS = (".invalid", ".example", ".test", ".localhost")


def configured(target: str | None) -> bool:
    """False for an empty target and for an address on a host reserved for examples (RFC 2606)."""
    if not target or not target.strip():
        return False
    parts = urlsplit(target.strip())
    if parts.scheme in ("http", "https"):
        host = (parts.hostname or "").lower().rstrip(".")
        if not host:
            return False
        if host in _RESERVED_HOSTS or any(host.endswith("." + h) for h in _RESERVED_HOSTS):
            return False
        if host in {t[1:] for t in _RESERVED_TLDS} or host.endswith(_RESERVED_TLDS):
            return False
    return True
