"""The hub's ops have one shape: every op of the contract is one feature's `Op`, features keep no state in
their modules and no SQL (that lives in kiosk.store), features and the service do not import each other
both ways, and the hub neither imports the staff tools nor starts processes of its own CLI."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from kiosk.hub.features import Feature, Op, discover
from kiosk.protocol import REQUEST_OPS

HUB = Path(__file__).resolve().parents[2] / "src" / "kiosk" / "hub"
SQL = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE|CREATE TABLE)\b")


def _trees():
    return {p.name: ast.parse(p.read_text(encoding="utf-8")) for p in sorted(HUB.glob("*.py"))}


def _imports(tree: ast.AST) -> set[str]:
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            out.add("." * node.level + (node.module or ""))
            out.update("." * node.level + (node.module + "." if node.module else "") + a.name for a in node.names)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return out


def test_every_op_is_one_feature_op(hall_cfg, tmp_path):
    from kiosk.hub.service import Hub
    hub = Hub(hall_cfg, state_dir=tmp_path, host="127.0.0.1", port=1)
    try:
        assert set(hub.ops) == set(REQUEST_OPS)
        assert all(isinstance(op, Op) for op in hub.ops.values())
        assert {k for k, op in hub.ops.items() if op.read_only} >= {"ticket.info", "alert.list", "appointment.slots"}
        assert all(isinstance(f, Feature) for f in hub.features)
        assert len(discover()) == len(hub.features)
    finally:
        hub.store.close()


def test_two_hubs_in_one_process_share_no_feature_state(hall_cfg, tmp_path):
    from kiosk.hub.service import Hub
    a = Hub(hall_cfg, state_dir=tmp_path / "a", host="127.0.0.1", port=1)
    b = Hub(hall_cfg, state_dir=tmp_path / "b", host="127.0.0.1", port=1)
    try:
        for fa, fb in zip(a.features, b.features):
            assert fa is not fb and fa.hall.store is a.store and fb.hall.store is b.store
    finally:
        a.store.close()
        b.store.close()


def test_no_sql_and_no_module_state_in_the_hub():
    for name, tree in _trees().items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                assert not SQL.search(node.value), f"SQL in kiosk/hub/{name}: {node.value[:60]!r}"
        if not name.startswith("feature"):
            continue
        for node in tree.body:  # a feature module holds constants (UPPER_CASE) and its logger only
            targets = node.targets if isinstance(node, ast.Assign) else \
                [node.target] if isinstance(node, ast.AnnAssign) else []
            for t in targets:
                if isinstance(t, ast.Name) and not (t.id.isupper() or t.id.lstrip("_").isupper()) \
                        and t.id not in ("log", "__all__", "FEATURE"):
                    raise AssertionError(f"module-level state {t.id!r} in kiosk/hub/{name}")


def test_hub_imports_neither_tools_nor_subprocess_and_features_do_not_import_the_service():
    trees = _trees()
    for name, tree in trees.items():
        imps = _imports(tree)
        assert not any("tools" in i.split(".") for i in imps), f"kiosk/hub/{name} imports the staff tools"
        assert "subprocess" not in imps, f"kiosk/hub/{name} starts processes"
        if name != "service.py" and name != "main.py":
            assert not any(i.endswith("service") for i in imps), f"kiosk/hub/{name} imports the service"
    assert ".features" in _imports(trees["service.py"])
