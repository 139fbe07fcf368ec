"""``[idcard]``: defaults, and a broken section stops the terminal naming the file, the key and the reason."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from kiosk.devices.ga467 import BaseMessage
from kiosk.errors import ConfigError
from kiosk.terminal.cards import IdCardSettings, check_card, load_idcard_settings


def _cfg(hall_cfg, **idcard):
    return replace(hall_cfg, roles={**hall_cfg.roles, "idcard": idcard})


def test_defaults_mean_no_reader(hall_cfg):
    s = load_idcard_settings(hall_cfg)
    assert s == IdCardSettings() and not s.present and s.priority_age == 60 and s.baud == 115200


@pytest.mark.parametrize("key, value, reason", [
    ("baud", 4800, "must be one of"), ("poll_hz", 50.0, "1 to 10"), ("priority_age", 30, "50 to 100"),
    ("timeout", 0.0, "greater than 0"), ("port", 5, "str"), ("prot", "/dev/ttyUSB0", "prot"),
])
def test_broken_section_names_file_key_and_reason(hall_cfg, key, value, reason):
    with pytest.raises(ConfigError) as exc:
        load_idcard_settings(_cfg(hall_cfg, **{key: value}))
    text = str(exc.value)
    assert f"idcard.{key}" in text and reason in text and str(hall_cfg.path) in text


def test_a_card_whose_birth_date_disagrees_with_its_number_is_refused():
    card = BaseMessage(name="x", gender="女", nation="汉", birth=date(1952, 6, 15), address="",
                       id_number="42900619520615007X")
    assert check_card(card) is None
    assert check_card(replace(card, birth=date(1952, 6, 16))) == "birth_date"
    assert check_card(replace(card, id_number="429006195206150071")) == "check_digit"
