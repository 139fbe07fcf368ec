"""Protocol fuzzing: the codec alone, and the real hub behind the real broker.

Tests marked ``slow`` are the long versions (100,000 payloads through the hub): they run with
``pytest -m slow tests/fuzz``; a plain run skips them, and runs the quick versions.
"""

from __future__ import annotations

from pathlib import Path

import pytest


def pytest_collection_modifyitems(config, items):
    if "slow" in (config.getoption("markexpr") or ""):
        return
    here = Path(__file__).parent
    long_run = pytest.mark.skip(reason="long version: run with -m slow")
    for item in items:
        if "slow" in item.keywords and here in Path(item.path).parents:
            item.add_marker(long_run)
