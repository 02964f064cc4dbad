import json
from pathlib import Path

from cultivation.catalog import build_catalog, standard_entries

ROOT = Path(__file__).resolve().parents[2]


def test_circuits_folder_matches_the_builders():
    folder = ROOT / "circuits"
    manifest = json.loads((folder / "manifest.json").read_text())
    entries = standard_entries()
    assert [r["file"] for r in manifest] == [e.filename for e in entries]
    for entry, record in zip(entries, manifest, strict=True):
        built = entry.build()
        assert (folder / entry.filename).read_text() == str(built) + "\n", entry.filename
        assert record["detectors"] == built.num_detectors
    assert {p.name for p in folder.iterdir()} == {e.filename for e in entries} | {"manifest.json"}


def test_build_catalog_writes_manifest_with_statistics(tmp_path):
    records = build_catalog(tmp_path)
    assert len(records) == 12
    on_disk = json.loads((tmp_path / "manifest.json").read_text())
    assert on_disk == records
    d3 = next(r for r in records if r["protocol"] == "end2end" and r["d1"] == 3 and r["p"] == 1e-3)
    assert d3["detectors"] == 252 and d3["postselected_detectors"] == 34
