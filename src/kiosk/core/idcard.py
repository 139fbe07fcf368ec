"""Checks and masks for the identifiers people type into forms: resident ID numbers, unified social
credit codes, phone numbers, e-mail addresses, postal addresses.

Rule: pure functions, standard library only. A check returns the normalised value or ``None``; it never
raises for bad input and never echoes the value into a message. A mask is what may be shown on a screen,
printed on a receipt, published over MQTT or written to a log; the unmasked value lives only in the
hub's database.

- Resident ID (GB 11643-1999): 17 digits and a check character, ISO 7064 MOD 11-2 with the weights
  ``ID_WEIGHTS`` and the check characters ``ID_CHECK_CHARS`` indexed by (Σ digit × weight) mod 11;
  digits 7–14 must be a real date of birth.
- Unified social credit code (GB 32100-2015): 18 characters of ``USCC_CHARS``, check character
  ``31 − (Σ value × weight) mod 31`` (31 reads as 0).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import date

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}\d{7,8}$")
_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}$")
_PASSPORT = re.compile(r"^[A-Z0-9]{5,20}$")
# Digit runs long enough to be a phone or ID number inside free text (an 18-character ID may end in X).
_LONG_NUMBER = re.compile(r"\d{7,17}[\dXx]?")


# ------------------------------------------------------------------ resident ID (居民身份证)

def id_check_char(first17: str) -> str:
    """The check character for the first 17 digits of a resident ID number."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("need exactly 17 digits")
    return ID_CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS)) % 11]


def resident_id_problem(value: str) -> str | None:
    """Why ``value`` is not a valid 18-character resident ID number, or None when it is.

    The answer is one of ``length``, ``chars``, ``birth_date``, ``check_digit``.
    """
    s = value.strip().upper()
    if len(s) != 18:
        return "length"
    if not s[:17].isdigit() or not (s[17].isdigit() or s[17] == "X") or s[0] == "0":
        return "chars"
    try:
        born = date(int(s[6:10]), int(s[10:12]), int(s[12:14]))
    except ValueError:
        return "birth_date"
    if born.year < 1900:
        return "birth_date"
    if id_check_char(s[:17]) != s[17]:
        return "check_digit"
    return None


def valid_resident_id(value: str) -> str | None:
    """The normalised ID number (upper-case X), or None."""
    return value.strip().upper() if resident_id_problem(value) is None else None


def birth_date(id_number: str) -> date | None:
    """The date of birth written in a valid ID number (digits 7–14), or None."""
    s = valid_resident_id(id_number)
    return None if s is None else date(int(s[6:10]), int(s[10:12]), int(s[12:14]))


def age_on(born: date, day: date) -> int:
    """Whole years from ``born`` to ``day`` (the hall's date, passed in); born on 29 February, the
    birthday in other years is 1 March."""
    years = day.year - born.year
    if (day.month, day.day) < (born.month, born.day):
        years -= 1
    return years


def id_digest(key: bytes, id_number: str) -> str:
    """The keyed hash under which a booking remembers who made it (HMAC-SHA256, hex).

    With the hall's secret ``key`` the same card always finds its booking; without it the digest tells
    nothing, and the 10^11 plausible numbers cannot be tried against a stolen database."""
    if len(key) < 16:
        raise ValueError("the ID number key must be at least 16 bytes")
    return hmac.new(key, id_number.strip().upper().encode("ascii"), hashlib.sha256).hexdigest()


# ------------------------------------------------------------------ organisations (统一社会信用代码)

def uscc_check_char(first17: str) -> str:
    if len(first17) != 17 or any(c not in USCC_CHARS for c in first17):
        raise ValueError("need 17 characters of the code alphabet")
    c = 31 - sum(USCC_CHARS.index(ch) * w for ch, w in zip(first17, USCC_WEIGHTS)) % 31
    return USCC_CHARS[0 if c == 31 else c]


def valid_uscc(value: str) -> str | None:
    s = value.strip().upper()
    if len(s) != 18 or any(c not in USCC_CHARS for c in s):
        return None
    return s if uscc_check_char(s[:17]) == s[17] else None


def valid_passport(value: str) -> str | None:
    s = value.strip().upper().replace(" ", "")
    return s if _PASSPORT.match(s) else None


# ------------------------------------------------------------------ contact details

def valid_phone(value: str) -> str | None:
    """An 11-digit mobile number or a landline with its area code (0728-5321001); digits only, or None.

    Spaces, dashes and a leading +86 / 0086 are allowed and dropped.
    """
    s = re.sub(r"[\s\-()]", "", value.strip())
    if s.startswith("+86"):
        s = s[3:]
    elif s.startswith("0086"):
        s = s[4:]
    if not s.isdigit():
        return None
    return s if _MOBILE.match(s) or _LANDLINE.match(s) else None


def valid_email(value: str) -> str | None:
    s = value.strip()
    return s if len(s) <= 254 and _EMAIL.match(s) else None


# ------------------------------------------------------------------ masks

def mask_id(value: str | None) -> str:
    """420***********1234: the first three and the last four characters of an ID number."""
    if not value:
        return ""
    s = value.strip()
    if len(s) <= 7:
        return "*" * len(s)
    return s[:3] + "*" * (len(s) - 7) + s[-4:]


def mask_address(value: str | None) -> str:
    """The first six characters (city, town) and then stars: 天门市黄潭镇****."""
    if not value:
        return ""
    s = value.strip()
    keep = min(6, max(0, len(s) // 2))
    return s[:keep] + "****"


def mask_email(value: str | None) -> str:
    """a***@qq.com"""
    if not value or "@" not in value:
        return "****" if value else ""
    user, _, domain = value.strip().partition("@")
    return f"{user[:1]}***@{domain}"


def mask_numbers_in_text(text: str | None) -> str:
    """Free text typed by a citizen with every phone- or ID-like digit run masked (an elder may write
    their number into the comment box)."""
    if not text:
        return ""
    return _LONG_NUMBER.sub(lambda m: mask_id(m.group(0)), text)


__all__ = ["ID_CHECK_CHARS", "ID_WEIGHTS", "USCC_CHARS", "age_on", "birth_date", "id_check_char", "id_digest", "mask_address", "mask_email",
           "mask_id", "mask_numbers_in_text", "resident_id_problem", "uscc_check_char", "valid_email",
           "valid_passport", "valid_phone", "valid_resident_id", "valid_uscc"]
