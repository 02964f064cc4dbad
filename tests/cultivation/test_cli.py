import json

import pytest
import stim
from click.testing import CliRunner

from ftq.cli import main


def run(*args):
    return CliRunner().invoke(main, list(args))


def test_circuit_json_has_statistics_and_fault_distance():
    r = run("circuit", "--d1", "3", "--protocol", "cultivation", "--json", "--fault-distance")
    assert r.exit_code == 0, r.output
    stats = json.loads(r.output)
    assert set(stats) == {
        "qubits",
        "detectors",
        "postselected_detectors",
        "two_qubit_gates",
        "ticks",
        "peak_live_qubits",
        "fault_distance",
    }
    assert stats["detectors"] == stats["postselected_detectors"] == 44
    assert stats["fault_distance"] == 3


def test_circuit_to_file_is_a_valid_stim_circuit(tmp_path):
    out = tmp_path / "c.stim"
    r = run("circuit", "--protocol", "end2end", "--final-distance", "9", "--p", "0.002", "--out", str(out))
    assert r.exit_code == 0, r.output
    c = stim.Circuit.from_file(out)
    assert c.num_observables == 1
    assert "DEPOLARIZE2(0.002)" in str(c)


@pytest.mark.parametrize(
    "args, words",
    [
        (["--d1", "4"], "d1=4"),
        (["--d1", "1"], "d1=1"),
        (["--protocol", "end2end", "--final-distance", "5"], "D=5"),
        (["--p", "0.7"], "0.7"),
        (["--p", "0"], "p=0"),
        (["--noise", "loud"], "loud"),
        (["--proxy", "T"], "'T'"),
    ],
)
def test_bad_input_is_one_sentence_and_no_file(tmp_path, args, words):
    out = tmp_path / "never.stim"
    r = run("circuit", *args, "--out", str(out))
    assert r.exit_code != 0
    assert words in r.output
    assert "Traceback" not in r.output
    assert len(r.output.strip().splitlines()) == 1
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_circuits_build_writes_manifest(tmp_path):
    r = run("circuits", "build", "--out", str(tmp_path))
    assert r.exit_code == 0, r.output
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert len(manifest) == 12
    assert all((tmp_path / m["file"]).exists() for m in manifest)


def test_demo_prints_kept_fraction_and_an_interval_that_holds_the_ler(tmp_path):
    out = tmp_path / "demo.png"
    r = run("demo", "--shots", "20000", "--seed", "1", "--max-weight", "4", "--out", str(out))
    assert r.exit_code == 0, r.output
    line = next(x for x in r.output.splitlines() if x.startswith("kept fraction"))
    frac = float(line.split(": ")[1].split("%")[0]) / 100
    # 20000 shots: sigma 0.35%; a 2% window around the published 51.4% is > 5 sigma
    assert abs(frac - 0.514) < 0.02
    ler = float(
        next(x for x in r.output.splitlines() if x.startswith("logical error rate")).split(": ")[1].split()[0]
    )
    interval = next(x for x in r.output.splitlines() if "interval [" in x)
    low, high = (float(v) for v in interval.split("[")[1].split("]")[0].split(", "))
    assert low <= ler <= high
    assert "published: 8.3e-7" in r.output
    assert out.stat().st_size > 1000
