"""Age from an ID number's birth date against the hall's date, and the keyed digest of ID numbers."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.core.idcard import age_on, birth_date, id_check_char, id_digest


def test_birth_date_from_a_valid_number_only():
    assert birth_date("42900619520615007X") == date(1952, 6, 15)
    assert birth_date("42900619520615007x") == date(1952, 6, 15)
    assert birth_date("429006195206150071") is None  # wrong check character


@pytest.mark.parametrize("born, day, age", [
    (date(1966, 12, 1), date(2026, 12, 1), 60),   # the birthday itself counts
    (date(1966, 12, 2), date(2026, 12, 1), 59),   # the day before
    (date(1964, 2, 29), date(2024, 2, 29), 60),
    (date(1964, 2, 29), date(2025, 2, 28), 60),   # not yet 61: the birthday is 1 March
    (date(1964, 2, 29), date(2025, 3, 1), 61),
])
def test_age_on(born, day, age):
    assert age_on(born, day) == age


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2030, 12, 31)), st.integers(0, 120))
def test_age_on_matches_counting_birthdays(born, years):
    try:
        later = born.replace(year=born.year + years)
    except ValueError:  # 29 February in a common year
        later = date(born.year + years, 3, 1)
    assert age_on(born, later) == years


def test_digest_is_keyed_and_normalised():
    first17 = "42900619880706002"
    number = first17 + id_check_char(first17)
    k1, k2 = b"k" * 32, b"j" * 32
    assert id_digest(k1, number) == id_digest(k1, f" {number.lower()} ")
    assert id_digest(k1, number) != id_digest(k2, number)
    assert number not in id_digest(k1, number) and len(id_digest(k1, number)) == 64
    with pytest.raises(ValueError):
        id_digest(b"short", number)
