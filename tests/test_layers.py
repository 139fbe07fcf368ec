"""The dependency arrows of ARCHITECTURE.md, enforced on the source: core and protocol import only the
standard library (and the root errors module; protocol also orjson, a pure function from objects to JSON
bytes, docs/design.md) and never read the clock; every other layer imports only the layers inside it; roles
never import each other; apps never import the staff tools; terminal screens never import each other; only
a few modules sit at the top of the package."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "kiosk"
ALLOWED_INTERNAL = {"core": {"kiosk.core", "kiosk.errors"}, "protocol": {"kiosk.protocol", "kiosk.errors"}}
ALLOWED_OUTSIDE = {"core": set(), "protocol": {"orjson"}}  # no I/O, no clock, no state: pure as the layer is
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
                if node.module:
                    out.append((f"{pkg}.{node.module}", node.lineno))
                else:  # from .. import x: x is a module of pkg, or a name defined in its __init__
                    out += [(f"{pkg}.{a.name}" if (SRC.parent / pkg.replace(".", "/") / a.name).exists()
                             or (SRC.parent / pkg.replace(".", "/") / f"{a.name}.py").exists() else pkg,
                             node.lineno) for a in node.names]
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
            elif top in ALLOWED_OUTSIDE[layer]:
                continue
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


# ---- the outer layers ----------------------------------------------------------------------------------
ROLES = ("hub", "terminal", "display", "bridge", "pad", "web")
# What each package may import from the project (besides itself; "kiosk" is the package's __init__).
INWARD = {
    "ui": {"kiosk.errors", "kiosk.protocol", "kiosk.system"},  # a screen fed by the bus; systemd's notify
    "system": {"kiosk.halltime", "kiosk.errors"},
    "devices": {"kiosk.errors"},
    "loaders": {"kiosk.core", "kiosk.errors", "kiosk.system"},  # durable writes of an imported catalogue
    "store": {"kiosk.core", "kiosk.protocol", "kiosk.errors"},  # protocol: the one compact JSON encoder
    "bus": {"kiosk.protocol", "kiosk.config", "kiosk.errors"},
    "reports": {"kiosk.core", "kiosk.store", "kiosk.loaders", "kiosk.errors"},
}
# The only modules at the top of the package, and why they are there.
TOP_LEVEL = {
    "__init__": "the version",
    "__main__": "python -m kiosk",
    "cli": "the one command: imports each role lazily",
    "config": "the site config every layer outside the core is given, and the options every command shares",
    "errors": "the root KioskError and the outer layers' errors (standard library only)",
    "halltime": "times as the hall reads them, for every command that prints one (standard library only)",
}


def _package(mod: str) -> str:
    parts = mod.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 else mod


def _project_imports(folder: Path) -> list[tuple[str, str, int]]:
    return [(f.relative_to(SRC).as_posix(), mod, line) for f in sorted(folder.rglob("*.py"))
            for mod, line in _imports(f) if mod == "kiosk" or mod.startswith("kiosk.")]


@pytest.mark.parametrize("layer", sorted(INWARD))
def test_outer_layers_import_only_inward(layer):
    allowed = INWARD[layer] | {f"kiosk.{layer}", "kiosk"}
    bad = [f"{f}:{line} imports {mod}" for f, mod, line in _project_imports(SRC / layer)
           if _package(mod) not in allowed]
    assert not bad, bad


# Known and being removed: each entry must still be true (so it is deleted when the import goes).
PENDING: dict[tuple[str, str], str] = {}


@pytest.mark.parametrize("role", ROLES)
def test_roles_never_import_each_other_nor_the_staff_tools(role):
    forbidden = {f"kiosk.{r}" for r in ROLES if r != role} | {"kiosk.tools", "kiosk.reports", "kiosk.cli",
                                                              "kiosk.demo"}
    found = [(f, mod, line) for f, mod, line in _project_imports(SRC / role) if _package(mod) in forbidden]
    bad = [f"{f}:{line} imports {mod}" for f, mod, line in found if (f, mod) not in PENDING]
    assert not bad, bad
    gone = [k for k in PENDING if k[0].startswith(role + "/") and k not in {(f, m) for f, m, _ in found}]
    assert not gone, f"delete {gone} from PENDING: the import is gone"


def test_only_the_listed_modules_sit_at_the_top():
    top = {f.stem for f in SRC.glob("*.py")}
    assert top == set(TOP_LEVEL), f"move {sorted(top - set(TOP_LEVEL))} into a layer"


def test_the_root_errors_module_is_standard_library_only():
    mods = [m for m, _ in _imports(SRC / "errors.py")]
    assert all(m.split(".")[0] in sys.stdlib_module_names for m in mods), mods


def _screen_modules(folder: Path) -> set[str]:
    """Modules that define a screen: a class whose base's name ends in "Screen"."""
    out = set()
    for f in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and any(
                    (b.id if isinstance(b, ast.Name) else b.attr if isinstance(b, ast.Attribute) else "")
                    .endswith("Screen") for b in node.bases):
                out.add(".".join(f.relative_to(SRC.parent).with_suffix("").parts))
                break
    return out


SHARED_SCREENS = (".base", ".flow_screen")  # what every terminal screen builds on


@pytest.mark.parametrize("role", ["terminal"])
def test_screens_never_import_each_other(role):
    """Terminal screens name the next screen by registry key (docs/ui.md); they share only their bases."""
    screens = _screen_modules(SRC / role)
    assert len(screens) >= 8
    bad = []
    for name in sorted(screens):
        f = SRC.parent / (name.replace(".", "/") + ".py")
        bad += [f"{name}:{line} imports {mod}" for mod, line in _imports(f)
                if any(mod == s or mod.startswith(s + ".") for s in screens - {name})
                and not mod.endswith(SHARED_SCREENS)]
    assert not bad, bad


def test_the_checks_see_a_role_importing_another(tmp_path, monkeypatch):
    pkg = tmp_path / "kiosk" / "display"
    pkg.mkdir(parents=True)
    (pkg / "x.py").write_text("from ..terminal import app\nfrom .. import errors\nfrom ..tools.common import connect\n")
    (tmp_path / "kiosk" / "errors.py").write_text("")
    monkeypatch.setattr(sys.modules[__name__], "SRC", tmp_path / "kiosk")
    got = [(f, m) for f, m, _ in _project_imports(pkg)]
    assert got == [("display/x.py", "kiosk.terminal"), ("display/x.py", "kiosk.errors"),
                   ("display/x.py", "kiosk.tools.common")]


def test_terminal_flows_are_pure():
    """The terminal's flows: standard library, the root errors, the core, the terminal's pure code helpers
    and each other; no pygame, no ui, no bus, no clock (time arrives with every event)."""
    folder = SRC / "terminal" / "flows"
    assert (folder / "base.py").exists()
    bad = []
    for f in sorted(folder.rglob("*.py")):
        for mod, line in _imports(f):
            top = mod.split(".")[0]
            if top == "kiosk":
                if not (mod in ("kiosk.errors", "kiosk.terminal.codes") or mod.startswith(("kiosk.terminal.flows",
                                                                                          "kiosk.core"))):
                    bad.append(f"{f.name}:{line} imports {mod}")
            elif top not in sys.stdlib_module_names or top in {"sqlite3", "socket", "threading", "subprocess"}:
                bad.append(f"{f.name}:{line} imports {mod}")
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and isinstance(node.func.value, ast.Name) and (node.func.value.id, node.func.attr) in CLOCK_CALLS:
                bad.append(f"{f.name}:{node.lineno} reads the clock")
    assert not bad, bad


def test_every_flow_runs_on_the_one_machine():
    """The terminal's flows and the counter's pad share one machine (kiosk.core.machine): none keeps its own
    table lookup or refusal handling, and neither role imports the other for it."""
    import importlib
    import inspect
    import pkgutil

    from kiosk.core.machine import Machine
    import kiosk.terminal.flows as flows

    modules = [importlib.import_module(f"kiosk.terminal.flows.{m.name}") for m in pkgutil.iter_modules(flows.__path__)]
    modules.append(importlib.import_module("kiosk.pad.flow"))
    machines = [cls for mod in modules for _, cls in inspect.getmembers(mod, inspect.isclass)
                if cls.__module__ == mod.__name__ and hasattr(cls, "TABLE")]
    assert len(machines) >= 10  # seven terminal flows, the guides, 政务公开, the pad
    assert all(issubclass(cls, Machine) for cls in machines), [c for c in machines if not issubclass(c, Machine)]
    own = [f"{cls.__module__}.{cls.__name__}.{name}" for cls in machines for name in ("handle", "handler", "accepts")
           if name in vars(cls)]
    assert own == [], own
