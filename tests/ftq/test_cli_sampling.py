"""Tests of the `ftq sample`, `ftq sweep run` and `ftq plot` commands."""

import json
import pathlib
import re

import sinter
from click.testing import CliRunner

from ftq.cli import main
from tests.toy import TOY


def test_sample_json(tmp_path):
    TOY.to_file(tmp_path / "toy.stim")
    r = CliRunner().invoke(
        main,
        [
            "sample",
            str(tmp_path / "toy.stim"),
            "--shots",
            "20000",
            "--decoder",
            "perfectionist",
            "--json",
            "--seed",
            "5",
        ],
    )
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert set(out) == {"shots", "kept", "errors", "ler", "seconds", "setup_seconds", "kept_shots_per_second"}
    # the steady-state rate excludes the setup batch: kept shots after it over the steady seconds
    assert out["kept_shots_per_second"] > 0 and out["setup_seconds"] > 0
    assert out["shots"] == 20000
    assert abs(out["kept"] / 20000 - 0.7) < 5 * (0.21 / 20000) ** 0.5
    assert abs(out["ler"] - 0.1) < 5 * (0.09 / out["kept"]) ** 0.5


def test_sample_bad_inputs_are_one_line(tmp_path):
    runner = CliRunner()
    (tmp_path / "bad.stim").write_text("NOT_A_GATE 0\n")
    for args in (["sample", str(tmp_path / "bad.stim")], ["sample", str(tmp_path / "missing.stim")]):
        r = runner.invoke(main, args)
        assert r.exit_code == 2
        assert r.output.count("\n") == 1 and r.output.startswith("error:")
    TOY.to_file(tmp_path / "toy.stim")
    r = runner.invoke(main, ["sample", str(tmp_path / "toy.stim"), "--shots", "0"])
    assert r.exit_code == 2 and "'--shots': 0 is not in the range" in r.output


def test_sweep_run_then_plot(tmp_path):
    d = tmp_path / "toy"
    d.mkdir()
    TOY.to_file(d / "toy.stim")
    (d / "toy.toml").write_text(
        'circuit = "toy.stim"\np = 0.01\ndecoder = "perfectionist"\nmax_shots = 2000\n'
    )
    runner = CliRunner()
    r = runner.invoke(main, ["sweep", "run", str(d / "toy.toml")])
    assert r.exit_code == 0, r.output
    assert (d / "stats.csv").exists()
    r = runner.invoke(main, ["plot", str(d / "toy.toml"), "--out", str(d / "p.png")])
    assert r.exit_code == 0, r.output
    assert (d / "p.png").stat().st_size > 1000
    r = runner.invoke(main, ["plot", str(d / "toy.toml"), "--out", str(d / "p.png"), "--max-attempts", "5"])
    assert r.exit_code == 0 and "best within 5 attempts/kept: " in r.output, r.output
    r = runner.invoke(main, ["plot", str(d / "toy.toml"), "--max-attempts", "0.5"])
    assert r.exit_code == 2 and "0.5" in r.output
    # several sources in one figure: each one's summary printed, --out required
    both = ["plot", str(d / "toy.toml"), str(d / "stats.csv")]
    r = runner.invoke(main, [*both, "--out", str(d / "both.png"), "--max-attempts", "5"])
    assert r.exit_code == 0 and r.output.count("best within 5 attempts/kept: ") == 2, r.output
    assert (d / "both.png").stat().st_size > 1000
    r = runner.invoke(main, both)
    assert r.exit_code == 2 and r.output.count("\n") == 1 and "--out" in r.output, r.output
    shots = sum(s.shots for s in sinter.read_stats_from_csv_files(d / "stats.csv"))
    r = runner.invoke(main, ["sweep", "compact", str(d / "toy.toml")])
    assert r.exit_code == 0, r.output
    assert "rows ->" in r.output
    assert sum(s.shots for s in sinter.read_stats_from_csv_files(d / "stats.csv")) == shots
    assert len((d / "stats.csv").read_text().splitlines()) <= 3  # header + two halves


def test_plot_refuses_foreign_csv(tmp_path):
    f = tmp_path / "x.csv"
    f.write_text("a,b,c\n1,2,3\n")
    r = CliRunner().invoke(main, ["plot", str(f), "--out", str(tmp_path / "p.png")])
    assert r.exit_code == 2
    assert r.output.count("\n") == 1 and "not a sinter statistics CSV" in r.output
    assert not (tmp_path / "p.png").exists()


def _gap_toy_sweep(tmp_path) -> pathlib.Path:
    """A toy sweep sampled with the gap decoder: its folder (toy.toml, stats.csv)."""
    d = tmp_path / "toy"
    d.mkdir()
    TOY.to_file(d / "toy.stim")
    (d / "toy.toml").write_text('circuit = "toy.stim"\np = 0.01\ndecoder = "gap"\nmax_shots = 2000\n')
    assert CliRunner().invoke(main, ["sweep", "run", str(d / "toy.toml")]).exit_code == 0
    return d


def test_plot_finds_the_circuit_of_rows_from_an_older_decoder(tmp_path):
    # the decoder's version is in the task metadata (so in its strong id), but not in the circuit: rows
    # sampled by an older gap decoder still get their stage layout, so their volume is printed
    d = _gap_toy_sweep(tmp_path)
    runner = CliRunner()
    csv = d / "stats.csv"
    text, n = re.subn(r'""decoder_version"":\d+', '""decoder_version"":-1', csv.read_text())
    assert n >= 1
    csv.write_text(text)
    r = runner.invoke(main, ["plot", str(d / "toy.toml"), "--out", str(d / "p.png"), "--max-attempts", "5"])
    assert r.exit_code == 0, r.output
    assert '"decoder_version": -1' in r.output
    assert "V = " in r.output.split("best within")[1]


# --- foreign circuits (MSC conventions) through sinter's postselection predicate ----------------------

MSC_KEPT = 0.71627  # published kept fraction of the bundled MSC circuit (cultivation/reference/msc/README.md)


def _msc_path(reference_dir):
    (path,) = (reference_dir / "msc" / "circuits").glob("*.stim")
    return path


def _binomial_ok(k: int, n: int, p: float) -> bool:
    return abs(k - n * p) <= 5 * (n * p * (1 - p)) ** 0.5  # 5 sigma: fails by chance < 1e-6


def test_sample_reads_a_foreign_circuit_only_with_a_predicate(reference_dir):
    path = str(_msc_path(reference_dir))
    runner = CliRunner()
    r = runner.invoke(main, ["sample", path, "--shots", "1000", "--decoder", "perfectionist"])
    assert r.exit_code == 2 and r.output.count("\n") == 1, r.output
    assert "--postselected-detectors-predicate" in r.output and "Traceback" not in r.output
    r = runner.invoke(
        main,
        ["sample", path, "--shots", "20000", "--decoder", "perfectionist", "--seed", "3", "--json"]
        + ["--postselected-detectors-predicate", "True"],
    )
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert _binomial_ok(out["kept"], out["shots"], MSC_KEPT)


def test_sweep_key_and_plot_option_carry_the_predicate(tmp_path, reference_dir):
    d = tmp_path / "msc"
    d.mkdir()
    (d / "msc.stim").write_text(_msc_path(reference_dir).read_text())
    (d / "msc.toml").write_text(
        'circuit = "msc.stim"\np = 0.001\ndecoder = "perfectionist"\nmax_shots = 20000\n'
        'postselected_detectors_predicate = "True"\n'
    )
    runner = CliRunner()
    r = runner.invoke(main, ["sweep", "run", str(d / "msc.toml")])
    assert r.exit_code == 0, r.output
    (row,) = sinter.read_stats_from_csv_files(d / "stats.csv")
    assert row.json_metadata["postselected_detectors_predicate"] == "True"
    assert _binomial_ok(row.shots - row.discards, row.shots, MSC_KEPT)
    r = runner.invoke(
        main,
        [
            "plot",
            str(d / "msc.toml"),
            "--out",
            str(d / "p.png"),
            "--postselected-detectors-predicate",
            "True",
        ],
    )
    assert r.exit_code == 0, r.output
    r = runner.invoke(main, ["plot", str(d / "msc.toml"), "--postselected-detectors-predicate", "coords["])
    assert r.exit_code == 2 and "not a Python expression" in r.output


def test_plot_keeps_one_decoder_version(tmp_path):
    from cultivation.decoders import GAP_VERSION

    d = _gap_toy_sweep(tmp_path)
    runner = CliRunner()
    args = ["plot", str(d / "toy.toml"), "--out", str(d / "p.png"), "--decoder-version"]
    r = runner.invoke(main, [*args, str(GAP_VERSION)])
    assert r.exit_code == 0, r.output
    r = runner.invoke(main, [*args, str(GAP_VERSION + 1)])
    assert r.exit_code == 2 and r.output.count("\n") == 1, r.output
    assert f"no rows of decoder version {GAP_VERSION + 1}; it has versions [{GAP_VERSION}]" in r.output
