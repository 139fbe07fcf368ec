"""Run every benchmark and write docs/performance.md (``./run bench``).

Each bench module has ``run() -> dict``. Figures from one run are compared with each other (durable vs
raw rate); the machine is described at the top, because every figure depends on it.
"""

from __future__ import annotations

import importlib
import json
import os
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO / "src"))
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

MODULES = ["bench_hub", "bench_printer", "bench_terminal", "bench_display", "bench_counter", "bench_eta", "bench_soak",
           "bench_trust", "bench_sd_writes", "bench_web", "bench_idcard", "bench_phone"]

# (module, dotted key, label, target text, check) — table rows not given by a module's own ROWS
ROWS: list = []


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 2**20:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{cpu}, {os.cpu_count()} cores{mem}, {platform.system()} {platform.release()}, Python {platform.python_version()}"


def dig(d: dict, key: str):
    for part in key.split("."):
        if not isinstance(d, dict) or part not in d:
            return None
        d = d[part]
    return d


def main() -> int:
    results: dict[str, dict] = {}
    for name in MODULES:
        try:
            mod = importlib.import_module(name)
        except ModuleNotFoundError:
            continue
        print(f"running {name} …", flush=True)
        t0 = time.monotonic()
        try:
            results[name] = mod.run()
        except Exception as exc:  # one broken benchmark must not hide the others' figures
            results[name] = {"error": f"{type(exc).__name__}: {exc}"}
        print(f"  {time.monotonic() - t0:.0f} s: {json.dumps(results[name], ensure_ascii=False)}", flush=True)
    rows = list(ROWS)
    for name, res in results.items():
        extra = getattr(importlib.import_module(name), "ROWS", [])
        rows += [(name, *r) for r in extra]
    lines = ["# Performance", "",
             f"Measured by `./run bench` on {time.strftime('%Y-%m-%d')}: {machine()}.",
             "Figures from this shared virtual machine are noisy; ratios within one run are the robust part.",
             "Broker: a private mosquitto on loopback; clients run in other processes (for the hub's rates,",
             "mosquitto's own C clients).", "",
             "| figure | target | measured | |", "|---|---|---|---|"]
    for mod, key, label, target, check in rows:
        if mod not in results:
            continue
        v = dig(results[mod], key)
        ok = "" if v is None or check is None else ("✓" if check(v) else "✗ missed")
        lines.append(f"| {label} | {target} | {v if v is not None else '—'} | {ok} |")
    lines += ["", "## Raw results", "", "```json", json.dumps(results, indent=2, ensure_ascii=False), "```", ""]
    notes = REPO / "docs" / "performance-notes.md"
    if notes.exists():
        lines += [notes.read_text(encoding="utf-8")]
    (REPO / "docs" / "performance.md").write_text("\n".join(lines), encoding="utf-8")
    print("wrote docs/performance.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
