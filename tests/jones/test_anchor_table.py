"""The committed anchor table (sweeps/jones/anchor_table.*) is consistent: the markdown is the rendering of the
JSON, the JSON's analyses follow from the committed per-shot registers, and the README quotes the JSON."""

import importlib.util
import json
from pathlib import Path

import pytest

from jones.interleaved import InterleavedShots
from jones.mitigation import interleaved_estimate
from jones.reference import anchor_braid

ROOT = Path(__file__).resolve().parents[2]
HERE = ROOT / "sweeps" / "jones"
RES = json.loads((HERE / "anchor_table.json").read_text())


@pytest.fixture(scope="module")
def table_module():
    spec = importlib.util.spec_from_file_location("anchor_table", HERE / "anchor_table.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_markdown_is_the_rendered_json(table_module):
    assert (HERE / "anchor_table.md").read_text() == table_module.render(RES)


def test_pecos_analysis_follows_from_its_registers():
    recs = [
        json.loads(line) for line in (HERE / "anchor_pecos.jsonl").read_text().splitlines() if line.strip()
    ]
    assert sorted(r["chunk"] for r in recs) == list(range(len(recs)))  # no chunk twice or missing
    data = InterleavedShots.concat(
        [InterleavedShots.from_json(r["registers"]) for r in sorted(recs, key=lambda r: r["chunk"])]
    )
    assert data.shots == RES["pecos"]["shots"] == sum(r["shots"] for r in recs)
    rep = interleaved_estimate(anchor_braid(), data, bootstrap=0)
    for name in ("raw", "postselected", "conjugate"):
        assert rep["methods"][name]["rel_error"] == pytest.approx(
            RES["pecos"]["methods"][name]["rel_error"], abs=1e-12
        )


def test_readme_quotes_the_table():
    readme = (ROOT / "README.md").read_text()
    f = RES["compile_interleaved"]
    assert f"**HQC {f['hqc']:,.0f}**" in readme and f"{f['two_qubit_gates']:,} 2q" in readme
    assert f["two_qubit_gates"] == 4 * RES["compile_part"]["two_qubit_gates"]
    for stage in ("sparse", "pecos"):
        m = RES[stage]["methods"]
        for name, label in (
            ("raw", "raw"),
            ("postselected", "postselected"),
            ("conjugate", "shot-level conjugate"),
        ):
            quoted = f"{label} {100 * m[name]['rel_error']:.1f}% ± {100 * m[name]['rel_error_boot_sd']:.1f}%"
            assert quoted in readme, quoted


def test_sparse_analysis_follows_from_its_registers():
    data = InterleavedShots.from_json(json.loads((HERE / "anchor_sparse_4000.json").read_text()))
    assert data.shots == RES["sparse"]["shots"] == 4000
    rep = interleaved_estimate(anchor_braid(), data, bootstrap=0)
    assert rep["kept_fraction"] == RES["sparse"]["kept_fraction"]
    for name in ("raw", "postselected", "conjugate"):
        assert rep["methods"][name]["rel_error"] == pytest.approx(
            RES["sparse"]["methods"][name]["rel_error"], abs=1e-12
        )
