"""The error policy at the CLI boundary (issue 14): every bad input gets one ``error:`` line and a non-zero
exit before any work or any write; none gets a traceback or a silent wrong answer."""

import pytest
import stim
from click.testing import CliRunner

from ftq.cli import main
from ftq.sweeps import read_stats_rows
from tests.toy import TOY

NO_OBSERVABLE = stim.Circuit("X_ERROR(0.1) 0\nM 0\nDETECTOR(0, 0, 0, 0, 1, 1) rec[-1]")
UNTAGGED = stim.Circuit("X_ERROR(0.1) 0\nM 0\nDETECTOR rec[-1]\nOBSERVABLE_INCLUDE(0) rec[-1]")
TWO_OBSERVABLES = stim.Circuit(
    "X_ERROR(0.1) 0 1\nM 0 1\nDETECTOR(0, 0, 0, 0, 1, 1) rec[-1]\nDETECTOR(0, 0, 1, 1, 0, 1) rec[-2]\n"
    "OBSERVABLE_INCLUDE(0) rec[-1]\nOBSERVABLE_INCLUDE(1) rec[-2]"
)
HUGE = str(2**70)


@pytest.fixture
def files(tmp_path, reference_dir):
    TOY.to_file(tmp_path / "toy.stim")
    NO_OBSERVABLE.to_file(tmp_path / "noobs.stim")
    UNTAGGED.to_file(tmp_path / "untagged.stim")
    TWO_OBSERVABLES.to_file(tmp_path / "twoobs.stim")
    (tmp_path / "notes.txt").write_text("my notes\n")
    (tmp_path / "afile").write_text("x")
    (tmp_path / "old.csv").write_text(" shots, errors, discards, seconds,decoder,strong_id,json_metadata\n")
    for name in ("noobs", "untagged"):
        (tmp_path / f"s_{name}.toml").write_text(
            f'circuit = "{name}.stim"\np = 0.01\ndecoder = "perfectionist"\nmax_shots = 100\n'
        )
    (tmp_path / "noobs").mkdir()  # a stored sweep of a circuit without an observable
    NO_OBSERVABLE.to_file(tmp_path / "noobs" / "noobs.stim")
    (tmp_path / "noobs" / "noobs.toml").write_text(
        'circuit = "noobs.stim"\np = 0.01\ndecoder = "perfectionist"\nmax_shots = 100\n'
    )
    (tmp_path / "noobs" / "stats.csv").write_text(
        "     shots,    errors,  discards, seconds,decoder,strong_id,json_metadata,custom_counts\n"
        '       100,         0,        10,   0.010,perfectionist,abc,"{""p"":0.01}",\n'
    )
    (tmp_path / "s_toy.toml").write_text(
        'circuit = "toy.stim"\np = 0.01\ndecoder = "perfectionist"\nmax_shots = 100\n'
    )
    return tmp_path, str(reference_dir / "rp2" / "rp_3_T_cult.stim")


# (arguments with {d} = the folder and {R} = a reference circuit, words the one line must contain)
CASES = [
    # negative seeds and int64 overflow: tracebacks before
    (["sample", "{d}/toy.stim", "--seed", "-1", "--shots", "100"], "--seed"),
    (["sample", "{d}/toy.stim", "--seed", HUGE, "--shots", "100"], "--seed"),
    (["estimate", "{R}", "--method", "brute", "--shots", "100", "--seed", "-1"], "--seed"),
    (["demo", "--seed", "-1", "--out", "{d}/demo.png"], "--seed"),
    (["sample", "{d}/toy.stim", "--shots", str(10**23)], "--shots"),
    # --shots 0 meant a billion in estimate
    (["estimate", "{R}", "--method", "brute", "--shots", "0"], "--shots"),
    # outputs under a file or where nothing can be written
    (["circuit", "--out", "{d}/afile/x.stim"], "is a file, not a folder"),
    (["demo", "--out", "{d}/afile/demo.png"], "is a file, not a folder"),
    (["circuit", "--out", "{d}"], "is a directory"),
    # contradictions and ignored options
    (["circuit", "--noise", "none", "--p", "7"], "takes no strength"),
    (["circuit", "--fault-distance"], "--json"),
    # estimate budgets accepted before, and a traceback for a scale stim cannot analyse
    (["estimate", "{R}", "--method", "brute", "--max-seconds", "-1"], "--max-seconds"),
    (["estimate", "{R}", "--tail-orders", "-1", "--max-weight", "2"], "--tail-orders"),
    (["estimate", "{R}", "--scale-noise", "1000", "--max-weight", "2"], "valid range [0, 750]"),
    (["estimate", "{R}", "--max-weight", "2", "--csv", "{d}/notes.txt"], "not a sinter statistics CSV"),
    (["estimate", "{R}", "--max-weight", "2", "--csv", "{d}/old.csv"], "custom_counts"),
    # circuits without tags or without an observable (tracebacks, or LER 0 with exit 0)
    (["estimate", "{d}/untagged.stim", "--max-weight", "2"], "--postselected-detectors-predicate"),
    (["sweep", "run", "{d}/s_untagged.toml"], "--postselected-detectors-predicate"),
    (["sample", "{d}/untagged.stim", "--shots", "100"], "--postselected-detectors-predicate"),
    (["sample", "{d}/noobs.stim", "--shots", "100", "--decoder", "perfectionist"], "no OBSERVABLE_INCLUDE"),
    (["sweep", "run", "{d}/s_noobs.toml"], "no OBSERVABLE_INCLUDE"),
    (["plot", "{d}/noobs/noobs.toml", "--out", "{d}/p.png"], "no OBSERVABLE_INCLUDE"),
    (["sample", "{d}/twoobs.stim", "--shots", "100", "--decoder", "gap"], "exactly 1 observable"),
    # a scheduler that is not an address (traceback)
    (["sweep", "run", "{d}/s_toy.toml", "--scheduler", "garbage"], "tcp://host:port"),
    (["sweep", "run", "{d}/s_toy.toml", "--workers", HUGE], "--workers"),
    # the estimator of a sweep: a choice, and --runs only with splitting
    (["sweep", "run", "{d}/s_toy.toml", "--estimator", "bogus"], "'bogus' is not one of"),
    (["sweep", "run", "{d}/s_toy.toml", "--runs", "3"], "--estimator splitting"),
    # a baseline folder that does not exist
    (["plot", "{d}/old.csv", "--msc", "{d}/nowhere"], "--msc"),
    # predictable work too large to finish: refused with its cost
    (["circuit", "--protocol", "end2end", "--final-distance", "999"], "1,996,001 qubits"),
]


def _snapshot(folder):
    return {p: p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize(("args", "words"), CASES, ids=[" ".join(a[:3]) + " " + a[-1] for a, _ in CASES])
def test_bad_input_is_one_line_and_changes_nothing(files, args, words):
    d, reference = files
    argv = [a.replace("{d}", str(d)).replace("{R}", reference) for a in args]
    before = _snapshot(d)
    r = CliRunner().invoke(main, argv)
    assert r.exit_code == 2, (r.exit_code, r.output)
    assert r.output.count("\n") == 1 and r.output.startswith("error: "), r.output
    assert "Traceback" not in r.output and "internal error" not in r.output
    assert words in r.output, r.output
    assert _snapshot(d) == before


def test_estimate_csv_is_appended_to_a_sinter_csv(files):
    d, reference = files
    runner = CliRunner()
    for _ in range(2):
        r = runner.invoke(main, ["estimate", reference, "--max-weight", "2", "--csv", str(d / "e.csv")])
        assert r.exit_code == 0, r.output
    assert len(read_stats_rows(d / "e.csv")) == 2  # a readable sinter CSV, both rows


def test_an_unexpected_exception_is_one_line_with_status_1(monkeypatch, files):
    d, _ = files

    def broken(*args, **kwargs):
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr("ftq.sampling.sample_decoded", broken)
    r = CliRunner().invoke(main, ["sample", str(d / "toy.stim"), "--decoder", "perfectionist"])
    assert r.exit_code == 1
    assert r.output == (
        "error: internal error (RuntimeError: boom); please report it (FTQ_TRACEBACK=1 shows where).\n"
    )
