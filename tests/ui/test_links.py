"""Placeholder QR targets are recognised, real ones and scan codes are not."""

from __future__ import annotations

import pytest

from kiosk.display.settings import PLACEHOLDER_EVALUATION_URL
from kiosk.terminal.settings import PLACEHOLDER_ONLINE_URL
from kiosk.ui.links import configured


@pytest.mark.parametrize("target", [PLACEHOLDER_EVALUATION_URL, PLACEHOLDER_ONLINE_URL, "",
                                    "https://pj.example.invalid/pj?site=huangtan&t=1", "http://example.org/x",
                                    "https://a.example/", "https://www.example.com/"])
def test_placeholders_are_not_configured(target):
    assert not configured(target)


@pytest.mark.parametrize("target", ["https://pj.huangtan.gov.cn/yimatongping", "kiosk:huangtan:t:20261129-C012",
                                    "HT-2026-0001", "https://examples.com.cn/"])
def test_real_targets_are(target):
    assert configured(target)
