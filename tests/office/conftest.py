"""The back office's tests share one hall: the real config (calendar, catalogue) on a hub whose clock the
test moves, starting on Monday 30 November 2026."""

from __future__ import annotations

import pytest

from tests.test_voice import Hall, at


@pytest.fixture
def hall(broker, real_cfg, tmp_path, recorder):
    h = Hall(broker, real_cfg, tmp_path, recorder, at(2026, 11, 30))
    yield h
    h.stop()
