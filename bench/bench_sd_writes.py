"""SD-card wear: bytes the hub process writes per business day, from its own ``/proc/<pid>/io``.

The hub runs as its own process (``python -m kiosk hub``), with a private mosquitto, its state on a
disk-backed folder (``/var/tmp``: ``write_bytes`` of a tmpfs would read 0). Three phases, each measured
as the growth of the hub's ``write_bytes`` (bytes it caused to be sent to the block device: pages it
dirtied, counted once per page until written back):

1. **the business day** — ``bench_soak.play_day``: 800 tickets with a morning peak, windows pressing
   ``next``/``skip``/``complete`` as visitors come and go, help calls, one visitor in five evaluating;
   every action waits for the hub's answer, so each is its own transaction as in the hall;
2. **device status** — every screen, pad and call button republishes its retained status once a minute,
   day and night; ``STATUS_SAMPLE`` of them are sent one by one (paced, so each is its own batch) and
   the bytes per message are scaled to a hall's devices × 1,440 a day, plus the clock guard's record
   (written every ``LAST_SEEN_EVERY_S`` while only devices talk) at the cost of the smallest durable
   batch, measured with ``SMALL_SAMPLE`` read-only requests;
3. **the quiet night** — ``IDLE_S`` seconds with nothing arriving: the hub must write nothing.

Also counted: the hub's log output (what journald stores for it), the database growth, and the
broker's own writes over the same time. Ext4's journal and the card's erase blocks multiply what the
process writes; those are not in ``write_bytes`` (see docs/operations.md).

``run() -> dict``; as a script prints JSON.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO / "src"))

from bench_soak import ROOT, Driver, FakeClock, play_day, soak_config  # noqa: E402

from kiosk.bus.broker import PrivateBroker  # noqa: E402
from kiosk.config import load  # noqa: E402
from kiosk.hub.service import LAST_SEEN_EVERY_S  # noqa: E402
from kiosk.protocol import REQUEST_OPS  # noqa: E402

TICKETS = 800
STATUS_SAMPLE = 600
STATUS_PACE_S = 0.05  # between two status messages: the hub answers one in ~2 ms, so each is alone
SMALL_SAMPLE = 200
IDLE_S = 60.0
AUTOSAVE_S = 1800  # mosquitto's default autosave_interval
MINUTES_A_DAY = 1440


def write_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/io").read_text().splitlines():
        if line.startswith("write_bytes:"):
            return int(line.split()[1])
    raise RuntimeError(f"no write_bytes in /proc/{pid}/io")


def hall_devices(cfg) -> dict[str, int]:
    """The devices that publish a status every minute in a fully equipped hall."""
    ticketed = sum(1 for w in cfg.hall.windows if w.ticketed)
    return {"terminals": 2, "wall displays": 2, "call buttons": ticketed, "evaluation pads": ticketed,
            "window screens": ticketed}


def wait_ready(drv: Driver, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            drv.request("alert.list")
            return
        except RuntimeError:
            if time.monotonic() > deadline:
                raise


def run(tickets: int = TICKETS, seed: int = 12) -> dict:
    work = Path(tempfile.mkdtemp(prefix="kiosk-sd-", dir="/var/tmp"))
    cfg_path = soak_config(work)
    cfg = load(cfg_path)
    log = work / "hub.log"
    with PrivateBroker(work / "broker", persistence=True) as broker:
        hub = subprocess.Popen([sys.executable, "-m", "kiosk", "hub", "--config", str(cfg_path), "--state",
                                str(work / "state"), "--broker", f"127.0.0.1:{broker.port}", "--no-advertise"],
                               stdout=subprocess.DEVNULL, stderr=open(log, "wb"), cwd=REPO,
                               env=dict(os.environ, INVOCATION_ID="bench"))  # log lines as journald gets them
        drv = Driver(broker.port)
        try:
            wait_ready(drv)
            time.sleep(1.0)  # let the start-up snapshot and day start settle before counting
            db = work / "state" / "hub.sqlite3"
            w0, b0, log0 = write_bytes(hub.pid), write_bytes(broker.proc.pid), log.stat().st_size
            truth = {"issued": 0, "completed": 0, "no_show": 0, "expired": 0, "help": 0, "evaluations": 0}
            t0 = time.monotonic()
            play_day(drv, cfg, FakeClock(time.time()), time.time(), random.Random(seed), tickets, truth,
                     evaluate="evaluation.submit" in REQUEST_OPS)
            day_s = time.monotonic() - t0
            time.sleep(1.0)
            w1, log1 = write_bytes(hub.pid), log.stat().st_size

            devices = hall_devices(cfg)
            names = [f"{kind.split()[0][:5]}-{i}" for kind, n in devices.items() for i in range(n)]
            for i in range(STATUS_SAMPLE):
                dev = names[i % len(names)]
                drv.c.publish(ROOT + f"device/{dev}/status", json.dumps(
                    {"v": 1, "kind": "terminal", "version": "0.1.0", "fps": 14.9, "printer": "ok", "mode": "normal",
                     "location": "自助区"}, ensure_ascii=False), qos=1, retain=True)
                time.sleep(STATUS_PACE_S)  # pacing, not timing: one message per hub batch, as in the hall
            time.sleep(1.0)
            w2 = write_bytes(hub.pid)

            for _ in range(SMALL_SAMPLE):  # the smallest durable batch: one request, its reply, last_seen
                drv.request("alert.list")
            time.sleep(1.0)
            w2b = write_bytes(hub.pid)

            time.sleep(IDLE_S)
            w3 = write_bytes(hub.pid)
            b3 = write_bytes(broker.proc.pid)
            db_bytes = db.stat().st_size + sum(p.stat().st_size for p in db.parent.glob("hub.sqlite3-*"))
        finally:
            drv.close()
            hub.terminate()
            hub.wait(30)
    # mosquitto (on the hub Pi too) rewrites its whole persistence file every autosave_interval
    broker_db = sum(p.stat().st_size for p in (work / "broker").glob("*.db"))
    shutil.rmtree(work, ignore_errors=True)
    small_txn = (w2b - w2) / SMALL_SAMPLE
    per_status = (w2 - w1) / STATUS_SAMPLE
    n_devices = sum(devices.values())
    # status traffic: whatever a status message costs, plus the clock guard's refresh every LAST_SEEN_EVERY_S
    refreshes = MINUTES_A_DAY * 60 / LAST_SEEN_EVERY_S
    status_day = per_status * n_devices * MINUTES_A_DAY + refreshes * small_txn
    day_bytes = (w1 - w0) + status_day
    mib = 2 ** 20
    return {
        "tickets": tickets, "truth": truth, "business_day_wall_s": round(day_s, 1),
        "hub_bytes_business_day_mib": round((w1 - w0) / mib, 2),
        "hub_bytes_per_ticket_kib": round((w1 - w0) / max(1, truth["issued"]) / 1024, 1),
        "hub_bytes_per_status_message_kib": round(per_status / 1024, 1),
        "hub_bytes_smallest_transaction_kib": round(small_txn / 1024, 1),
        "last_seen_refreshes_per_day": round(refreshes),
        "hall_devices": devices, "status_messages_per_day": n_devices * MINUTES_A_DAY,
        "hub_bytes_status_per_day_mib": round(status_day / mib, 1),
        "hub_bytes_per_day_mib": round(day_bytes / mib, 1),
        "hub_bytes_idle_minute": round((w3 - w2b) / (IDLE_S / 60)),
        "hub_log_bytes_business_day": log1 - log0,
        "db_bytes_after_day_mib": round(db_bytes / mib, 2),
        "broker_bytes_during_run_mib": round((b3 - b0) / mib, 2),
        "broker_persistence_file_kib": round(broker_db / 1024, 1),
        "broker_autosaves_per_day_mib": round(broker_db * 86400 / AUTOSAVE_S / mib, 1),
        "card_years_at_3000_cycles_per_32gb": round(32 * 2**30 * 3000 / max(1.0, day_bytes) / 365, 0),
    }


ROWS = [
    ("hub_bytes_business_day_mib", "hub writes, business day of 800 tickets (MiB, /proc/pid/io)", "", None),
    ("hub_bytes_per_status_message_kib", "hub writes per device status message (KiB)", "", None),
    ("hub_bytes_per_day_mib", "hub writes per day, tickets + a full hall's status traffic (MiB)", "", None),
    ("hub_bytes_idle_minute", "hub writes per idle minute (bytes)", "0", lambda v: v == 0),
]

if __name__ == "__main__":
    kw = {"tickets": int(sys.argv[1])} if len(sys.argv) > 1 else {}
    print(json.dumps(run(**kw), indent=2, ensure_ascii=False))
