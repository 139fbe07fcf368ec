"""``catalog.replace`` against a real mosquitto and the real hub: a CSV the director confirmed is parsed
and validated again by the hub, installed below its state folder (previous version kept aside) and
published retained on ``catalog`` at once; a restart serves it; a bad file is refused naming row and
column and changes nothing; a kiosk may not send it; an oversized one is refused by size."""

from __future__ import annotations

from kiosk.loaders.catalog_install import current_dir, imports_dir
from kiosk.protocol.ops_catalog import MAX_CATALOG_CSV
from tests.conftest import REPO, HubThread

SAMPLE = (REPO / "config" / "catalog" / "sample_import.csv").read_text(encoding="utf-8-sig")


def _ids(message: dict) -> set[str]:
    return {i["id"] for i in message["catalog"]["items"]}


def with_limit(text: str, row: int, value: str) -> str:
    """The sample with row ``row``'s 法定时限 (spreadsheet numbering) replaced."""
    lines = text.splitlines()
    header = lines[0].split(",")
    cells = lines[row - 1].split(",")
    cells[header.index("法定时限")] = value
    lines[row - 1] = ",".join(cells)
    return "\n".join(lines) + "\n"


def test_a_good_csv_replaces_the_catalogue_for_every_screen_and_survives_a_restart(broker, hall_cfg, tmp_path,
                                                                                   recorder):
    state = tmp_path / "state"
    h = HubThread(hall_cfg, state, broker.port).start()
    try:
        screen = recorder("catalog")
        before = screen.wait_for("catalog")
        assert len(before["catalog"]["items"]) > 40 and "ga-hkb-reissue" not in _ids(before)
        web = recorder(device="web")
        rep = web.call("catalog.replace", csv=SAMPLE, by="lina", timeout=60)
        assert rep["ok"], rep
        assert rep["result"] == {"items": 5, "departments": 5, "version": "v1", "previous": ""}
        after = screen.wait_for("catalog", lambda m: "ga-hkb-reissue" in _ids(m), timeout=10)
        assert len(after["catalog"]["items"]) == 5
        assert after["catalog"]["items"][0]["pinyin_initials"]  # the search on the kiosk still works
        assert current_dir(state) == imports_dir(state) / "v1"
        again = web.call("catalog.replace", csv=with_limit(SAMPLE, 2, "25"), by="lina", timeout=60)
        assert again["ok"] and again["result"]["previous"] == "v1", again
        assert sorted(p.name for p in imports_dir(state).iterdir()) == ["current", "previous", "v1", "v2"]
    finally:
        h.stop()
    h = HubThread(hall_cfg, state, broker.port).start()  # a restart serves the import, not the shipped folder
    try:
        item = next(i for i in h.hub.info.catalog["items"] if i["id"] == "ga-hkb-reissue")
        assert item["time_limit_days"] == 25 and len(h.hub.info.catalog["items"]) == 5
    finally:
        h.stop()


def test_a_bad_csv_is_refused_by_row_and_column_and_changes_nothing(hub, recorder, tmp_path):
    screen = recorder("catalog")
    before = screen.wait_for("catalog")
    web = recorder("hub/error", device="web")
    bad = with_limit(SAMPLE, 3, "十五天")
    dup = bad + SAMPLE.splitlines()[1] + "\n"  # row 7 repeats row 2's id
    rep = web.call("catalog.replace", csv=dup, by="lina", timeout=60)
    assert rep["ok"] is False and rep["error"]["code"] == "bad_catalog", rep
    msg = rep["error"]["message"]
    assert "第3行 [法定时限]" in msg and "第7行 [事项编码]" in msg and "（共 2 处）" in msg, msg
    for junk in ("", "\x00\x01PK", "名称,编码\n1,2\n"):
        rep = web.call("catalog.replace", csv=junk, by="lina", timeout=60)
        assert rep["ok"] is False and rep["error"]["code"] == "bad_catalog", rep
    assert current_dir(tmp_path / "state") is None
    assert [m for m in screen.on("catalog")] == [before]  # nothing new published
    assert hub.info.catalog == before["catalog"]


def test_only_the_director_and_the_web_may_replace_it(hub, recorder):
    kiosk = recorder("hub/error", device="kiosk-1")
    rep = kiosk.call("catalog.replace", csv=SAMPLE, by="lina")
    assert rep["ok"] is False and rep["error"]["code"] == "forbidden", rep
    desk = recorder(device="staff-desk")
    assert desk.call("catalog.replace", csv=SAMPLE, by="lina")["error"]["code"] == "forbidden"
    assert "ga-hkb-reissue" not in {i["id"] for i in hub.info.catalog["items"]}


def test_an_oversized_catalogue_is_refused_by_its_size(hub, recorder):
    web = recorder(device="web")
    rep = web.call("catalog.replace", csv="a," * (MAX_CATALOG_CSV // 2 + 1), by="lina")
    assert rep["ok"] is False and rep["error"]["code"] == "too_long", rep
    errors = recorder("hub/error")
    web.request("catalog.replace", csv="甲" * 400_000, by="lina")  # 1.2 MB of UTF-8: over the request limit
    err = errors.wait_for("hub/error", lambda e: e["code"] == "too_large")
    assert err["topic"].endswith("request/catalog.replace") and "1048576" in err["reason"], err
    assert "ga-hkb-reissue" not in {i["id"] for i in hub.info.catalog["items"]}
