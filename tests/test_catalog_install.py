"""Importing an uploaded spreadsheet's bytes, and installing an import where the hub serves it from:
every encoding a Chinese office saves a CSV in, a clear refusal for what is not a CSV text, and an atomic
switch that keeps the previous import and can go back to it."""

from __future__ import annotations

import pytest

from kiosk.loaders.catalog_data import CatalogImportError, import_csv, load_catalog
from kiosk.loaders.catalog_install import current_dir, imports_dir, install_catalog, rollback, serving_dir
from tests.conftest import REPO

SAMPLE = (REPO / "config" / "catalog" / "sample_import.csv").read_text(encoding="utf-8-sig")


@pytest.mark.parametrize("raw", [SAMPLE.encode("utf-8"), b"\xef\xbb\xbf" + SAMPLE.encode("utf-8"),
                                 SAMPLE.encode("gbk"), SAMPLE.encode("gb18030")],
                         ids=["utf-8", "utf-8-bom", "gbk", "gb18030"])
def test_uploaded_bytes_in_every_usual_encoding(raw):
    cat = import_csv("上传.csv", raw=raw)
    assert len(cat) == 5 and cat.get("ga-hkb-reissue").name == "居民户口簿补领（换领）"


@pytest.mark.parametrize("raw, says", [
    (b"", "文件为空"),
    (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00", "不是 CSV 文本文件"),  # an .xlsx (a zip file)
    (b"\x81\x30\xff\xfe\x00\x01", "文件编码无法识别"),
    (SAMPLE.splitlines()[0].encode("utf-8") + b"\n", "没有任何事项"),
])
def test_what_is_not_a_catalogue_is_refused_with_one_clear_problem(raw, says):
    with pytest.raises(CatalogImportError) as err:
        import_csv("上传.csv", raw=raw)
    assert len(err.value.problems) == 1 and says in err.value.problems[0].reason, err.value.problems


def test_install_switches_atomically_keeps_the_previous_and_rolls_back(tmp_path):
    state = tmp_path / "state"
    shipped = REPO / "config" / "catalog"
    assert serving_dir(shipped, state) == shipped and current_dir(state) is None
    first = import_csv("a.csv", raw=SAMPLE.encode())
    done = install_catalog(first, state)
    assert done.previous is None and serving_dir(shipped, state) == done.directory == imports_dir(state) / "v1"
    assert load_catalog(done.directory) == first
    second = import_csv("b.csv", raw="\n".join(SAMPLE.splitlines()[:3]).encode())
    done = install_catalog(second, state)
    assert (done.directory.name, done.previous.name) == ("v2", "v1") and len(load_catalog(current_dir(state))) == 2
    third = install_catalog(first, state)
    assert third.directory.name == "v3" and not (imports_dir(state) / "v1").exists()  # only one kept aside
    assert sorted(p.name for p in imports_dir(state).iterdir()) == ["current", "previous", "v2", "v3"]
    back = rollback(state)
    assert back.directory.name == "v2" and len(load_catalog(current_dir(state))) == 2
    assert rollback(state).directory.name == "v3"  # and forth


def test_a_write_that_fails_leaves_the_served_catalogue(tmp_path, monkeypatch):
    state = tmp_path / "state"
    cat = import_csv("a.csv", raw=SAMPLE.encode())
    install_catalog(cat, state)
    import kiosk.loaders.catalog_write as data

    def full_disk(*a, **kw):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(data, "write_catalog_toml", full_disk)
    with pytest.raises(OSError):
        install_catalog(cat, state)
    assert current_dir(state).name == "v1" and load_catalog(current_dir(state)) == cat
    with pytest.raises(FileNotFoundError):
        rollback(state)  # nothing was set aside by the failed attempt
