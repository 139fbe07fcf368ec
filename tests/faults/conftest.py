"""Fault-injection tests: real mosquitto, real hub processes, real SQLite.

Tests marked ``slow`` are the long versions (50 kills, a month of traffic …): they run with
``pytest -m slow tests/faults``; a plain run skips them, and runs the quick versions.
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
