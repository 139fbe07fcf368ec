"""`kiosk idcard test` against the fake reader on a real pty: fields decoded, personal ones masked."""

from __future__ import annotations

import subprocess
import sys

from kiosk.devices.fake_idreader import FakeCard, FakeIdReader, FakeReaderMode
from tests.conftest import REPO


def kiosk(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kiosk", "idcard", *args], capture_output=True, text=True,
                          cwd=REPO, timeout=60)


def test_reads_and_masks():
    card = FakeCard()
    with FakeIdReader(FakeReaderMode.CARD, card) as fake:
        r = kiosk("test", "--port", fake.port, "--wait", "5")
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "429***********007X" in out and "check digit OK" in out
    assert "黄**" in out and "女" in out and "汉" in out and "1952年" in out and "天门市公安局" in out
    assert "湖北省天门市****" in out
    for secret in (card.id_number, card.name, card.address, "19520615"):
        assert secret not in out + r.stderr


def test_no_card_sam_failure_and_missing_port():
    with FakeIdReader(FakeReaderMode.NO_CARD) as fake:
        r = kiosk("test", "--port", fake.port, "--wait", "0.5")
    assert r.returncode == 1 and "no card placed" in r.stderr
    with FakeIdReader(FakeReaderMode.SAM_FAILED) as fake:
        r = kiosk("test", "--port", fake.port)
    assert r.returncode == 1 and "安全模块自检失败" in r.stderr and fake.port in r.stderr
    r = kiosk("test", "--port", "/dev/serial/by-id/no-reader")
    assert r.returncode == 1 and "/dev/serial/by-id/no-reader" in r.stderr
    r = kiosk("test", "--port", "/dev/null", "--baud", "4800")
    assert r.returncode == 2 and "9600" in r.stderr
