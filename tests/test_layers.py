"""The dependency arrows of ARCHITECTURE.md: core and protocol import only the standard library (and
each other inward), and never read the clock."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "kiosk"
ALLOWED_INTERNAL = {"core": {"kiosk.core"}, "protocol": {"kiosk.protocol"}}
CLOCK_CALLS = {("time", "time"), ("time", "monotonic"), ("datetime", "now"), ("date", "today"),
               ("datetime", "utcnow"), ("time", "perf_counter")}


def _imports(path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(a.name, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                pkg = ".".join(path.relative_to(SRC.parent).with_suffix("").parts[:-node.level]) or "kiosk"
                out.append((f"{pkg}.{node.module}" if node.module else pkg, node.lineno))
            else:
                out.append((node.module or "", node.lineno))
    return out


@pytest.mark.parametrize("layer", ["core", "protocol"])
def test_pure_layers_import_only_stdlib(layer):
    problems = []
    for f in sorted((SRC / layer).rglob("*.py")):
        for mod, line in _imports(f):
            top = mod.split(".")[0]
            if top == "kiosk":
                if not any(mod == a or mod.startswith(a + ".") for a in ALLOWED_INTERNAL[layer]):
                    problems.append(f"{f.name}:{line} imports {mod}")
            elif top not in sys.stdlib_module_names or top in {"sqlite3", "socket", "threading", "asyncio",
                                                                "subprocess"}:
                problems.append(f"{f.name}:{line} imports {mod}")
    assert not problems, problems


@pytest.mark.parametrize("layer", ["core", "protocol"])
def test_pure_layers_never_read_the_clock(layer):
    problems = []
    for f in sorted((SRC / layer).rglob("*.py")):
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and isinstance(node.func.value, ast.Name) \
                    and (node.func.value.id, node.func.attr) in CLOCK_CALLS:
                problems.append(f"{f.name}:{node.lineno}")
    assert not problems, problems


def test_the_check_catches_a_bad_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import paho.mqtt.client\nfrom sqlite3 import connect\n")
    mods = [m for m, _ in _imports(bad)]
    assert mods == ["paho.mqtt.client", "sqlite3"]
    assert "paho" not in sys.stdlib_module_names
