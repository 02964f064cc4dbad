"""Tests of sweeps with the splitting estimator: the [splitting] table, runs appended to splitting.jsonl and
resumed, the floor line, the reader, and the sweep run / plot commands."""

import json
import pathlib

import numpy as np
import pytest
import stim
from click.testing import CliRunner

from ftq.cli import main
from ftq.errors import InputError
from ftq.sampling import StagedSampler
from ftq.splitting_sweep import floor_beyond, read_splitting, run_splitting_sweep, summary_lines
from ftq.sweeps import load_spec, parse_spec
from tests.toy import TOY

SAMPLERS = {"perfectionist": StagedSampler()}
BASE = {"circuit": "a.stim", "p": 0.01, "decoder": "perfectionist", "estimator": "splitting"}
# a tiny run: 20 level-0 errors, 50 samples per level; the toy's decoder has one (infinite) soft output
FAST = "[splitting]\nruns = {runs}\nerrors = 20\nsamples = {samples}\nray = [1.0]\n"

# A postselected detector that does not see q0 and q1 flipping together, while q0 flips the observable:
# the postselected floor is P(q0 and q1) = 0.05² per attempt, at weight 2.
FLOOR = stim.Circuit("""
    X_ERROR(0.05) 0 1
    CX 0 2 1 2
    M 2 0
    DETECTOR(0, 0, 0, 0, 1, 1) rec[-2]
    X_ERROR(0.1) 3
    M 3
    OBSERVABLE_INCLUDE(0) rec[-2] rec[-1]
""")


def _sweep(tmp_path: pathlib.Path, extra: str, *, circuit: stim.Circuit = TOY, decoder="perfectionist"):
    d = tmp_path / "toy"
    d.mkdir(exist_ok=True)
    circuit.to_file(d / "toy.stim")
    (d / "toy.toml").write_text(
        f'circuit = "toy.stim"\np = 0.01\ndecoder = "{decoder}"\nestimator = "splitting"\n' + extra
    )
    return d / "toy.toml"


def _lines(path: pathlib.Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.mark.parametrize(
    "table, fragment",
    [
        ({"colour": 1}, "unknown splitting key 'colour'"),
        ({"runs": 1}, "splitting key 'runs' has value 1; it must be an integer ≥ 2"),
        ({"runs": 2.5}, "'runs' has value 2.5"),
        ({"runs": True}, "'runs' has value True"),
        ({"errors": 0}, "'errors' has value 0"),
        ({"samples": 1}, "'samples' has value 1"),
        ({"p0": 1.0}, "'p0' has value 1.0; it must be a number in (0, 1)"),
        ({"rho": 0}, "'rho' has value 0; it must be a number in (0, 1]"),
        ({"ray": []}, "'ray' has value []"),
        (
            {"ray": [1.0, -0.5]},
            "'ray' has value [1.0, -0.5]; it must be a non-empty list of positive numbers",
        ),
        ({"ray": 1.0}, "'ray' has value 1.0"),
        ({"stop_score": -3}, "'stop_score' has value -3"),
        ({"floor_weight": 8}, "'floor_weight' has value 8; it must be an integer in 0..7"),
    ],
)
def test_bad_splitting_tables_give_one_sentence(table, fragment):
    with pytest.raises(InputError) as e:
        parse_spec(BASE | {"splitting": table}, name="x")
    assert fragment in str(e.value)
    assert "\n" not in str(e.value)


def test_estimator_key_and_max_shots():
    with pytest.raises(
        InputError, match="'estimator' has value 'bogus'; it must be one of sampling, splitting"
    ):
        parse_spec(BASE | {"estimator": "bogus"}, name="x")
    with pytest.raises(InputError, match="wrong type"):
        parse_spec(BASE | {"splitting": 3}, name="x")
    spec = parse_spec(BASE | {"splitting": {"runs": 5, "ray": [2]}}, name="x")  # no max_shots: not used
    assert spec.splitting.runs == 5 and spec.splitting.ray == (2.0,) and spec.splitting.errors == 300
    with pytest.raises(InputError, match="needs 'max_shots'"):
        spec.with_estimator("sampling")
    with pytest.raises(InputError, match="needs 'max_shots'"):
        parse_spec(BASE | {"estimator": "sampling"}, name="x")
    assert spec.with_estimator(runs=7).splitting.runs == 7
    with pytest.raises(InputError, match="runs=1"):
        spec.with_estimator(runs=1)


def test_runs_are_appended_resumed_and_counted_per_parameters(tmp_path):
    path = _sweep(tmp_path, FAST.format(runs=2, samples=50))
    tasks = run_splitting_sweep(load_spec(path), samplers=SAMPLERS, progress=False)
    jsonl = path.parent / "splitting.jsonl"
    first = _lines(jsonl)
    assert len(first) == 2 and len(tasks) == 1 and len(tasks[0].runs) == 2
    sid = tasks[0].strong_id
    assert {r["strong_id"] for r in first} == {sid}
    assert first[0]["parameters"] == {
        "errors": 20,
        "samples": 50,
        "p0": 0.1,
        "rho": 0.15,
        "ray": [1.0],
        "stop_score": 100.0,
    }
    assert first[0]["json_metadata"]["circuit"] == "toy.stim"
    assert first[0]["seed"] != first[1]["seed"]  # drawn afresh for every run
    # the toy: P(kept and wrong) = 0.7 · 0.1; level 0 of every run saw at least its 20 errors
    assert all(r["run"]["errors"] >= 20 for r in first)
    # resume: a larger target appends only the missing run, the first two lines untouched
    path.write_text(path.read_text().replace("runs = 2", "runs = 3"))
    run_splitting_sweep(load_spec(path), samplers=SAMPLERS, progress=False)
    after = _lines(jsonl)
    assert after[:2] == first and len(after) == 3
    # the same target again: nothing to do
    run_splitting_sweep(load_spec(path), samplers=SAMPLERS, progress=False)
    assert len(_lines(jsonl)) == 3
    # other parameters: the old runs do not count towards the target, but are kept and read back
    path.write_text(path.read_text().replace("samples = 50", "samples = 60"))
    tasks = run_splitting_sweep(load_spec(path), samplers=SAMPLERS, progress=False)
    lines = _lines(jsonl)
    assert len(lines) == 6 and sum(r["parameters"]["samples"] == 60 for r in lines) == 3
    assert len(tasks[0].runs) == 6


def test_floor_line_is_written_once_per_task(tmp_path):
    path = _sweep(tmp_path, FAST.format(runs=2, samples=50) + "floor_weight = 2\n", circuit=FLOOR)
    run_splitting_sweep(load_spec(path), samplers=SAMPLERS, progress=False)
    run_splitting_sweep(load_spec(path), samplers=SAMPLERS, progress=False)
    lines = _lines(path.parent / "splitting.jsonl")
    floors = [r for r in lines if "floor" in r]
    assert len(floors) == 1 and len(lines) == 3
    floor = floors[0]["floor"]
    assert floor["max_weight"] == 2
    assert floor["mass"] == pytest.approx(0.05**2, rel=1e-9)
    assert floor["by_weight"][:2] == [0.0, 0.0]
    ((_, runs, read_floor),) = read_splitting(path.parent / "splitting.jsonl").values()
    assert read_floor == floor and len(runs) == 2


def test_reader_round_trips_and_refuses_a_torn_line(tmp_path):
    path = _sweep(tmp_path, FAST.format(runs=2, samples=50))
    tasks = run_splitting_sweep(load_spec(path), samplers=SAMPLERS, progress=False)
    jsonl = path.parent / "splitting.jsonl"
    ((meta, runs, floor),) = read_splitting(jsonl).values()
    assert meta == tasks[0].json_metadata and floor is None
    assert [r.to_json() for r in runs] == [rec["run"] for rec in _lines(jsonl)]
    p0 = runs[0].levels[0].probability
    assert abs(p0 - 0.07) < 5 * (0.07 * 0.93 / runs[0].attempts) ** 0.5  # P(kept, wrong) of the toy
    with open(jsonl, "a") as f:
        f.write('{"strong_id": "x", "run": {"attem')
    with pytest.raises(InputError, match="partial line"):
        read_splitting(jsonl)
    with pytest.raises(InputError, match="partial line"):  # and a sweep refuses to append after it
        run_splitting_sweep(load_spec(path), samplers=SAMPLERS, progress=False)


def test_a_ray_of_the_wrong_length_writes_nothing(tmp_path):
    path = _sweep(tmp_path, "[splitting]\nruns = 2\nerrors = 20\nsamples = 50\n")  # default ray: 2 weights
    with pytest.raises(InputError, match="'ray' has 2 weights .* gives 1 soft output"):
        run_splitting_sweep(load_spec(path), samplers=SAMPLERS, progress=False)
    assert not (path.parent / "splitting.jsonl").exists()


def test_workers_run_in_parallel_processes(tmp_path):
    path = _sweep(tmp_path, FAST.format(runs=2, samples=50))
    tasks = run_splitting_sweep(load_spec(path), samplers=SAMPLERS, workers=2, progress=False)
    lines = _lines(path.parent / "splitting.jsonl")
    assert len(lines) == 2 and len(tasks[0].runs) == 2
    assert all(r["run"]["errors"] >= 20 for r in lines)


def test_sweep_run_and_plot_commands(tmp_path):
    from cultivation.decoders import GAP_VERSION

    # the gap decoder on the toy (no decoded detector: it postselects) carries a decoder version
    path = _sweep(tmp_path, FAST.format(runs=5, samples=50), decoder="gap")
    runner = CliRunner()
    r = runner.invoke(main, ["sweep", "run", str(path), "--runs", "2"])
    assert r.exit_code == 0, r.output
    assert "2 runs" in r.output and "cut 0 dB:" in r.output and "splitting.jsonl" in r.output
    assert len(_lines(path.parent / "splitting.jsonl")) == 2  # --runs overrides the spec's 5
    assert not (path.parent / "stats.csv").exists()
    svg = path.parent / "p.svg"
    r = runner.invoke(main, ["plot", str(path), "--out", str(svg), "--decoder-version", str(GAP_VERSION)])
    assert r.exit_code == 0, r.output
    assert "estimated (subset simulation, 2 runs, 95% t + CP)" in svg.read_text()
    r = runner.invoke(main, ["plot", str(path), "--out", str(tmp_path / "p.png")])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "p.png").stat().st_size > 1000
    r = runner.invoke(main, ["plot", str(path), "--out", str(svg), "--decoder-version", str(GAP_VERSION + 1)])
    assert r.exit_code == 2 and r.output.count("\n") == 1, r.output
    assert f"no rows of decoder version {GAP_VERSION + 1}" in r.output
    # the same folder with sampled rows too: both drawn, the estimated ones labelled apart
    path.write_text(path.read_text().replace('estimator = "splitting"', "max_shots = 2000"))
    r = runner.invoke(main, ["sweep", "run", str(path)])
    assert r.exit_code == 0, r.output
    r = runner.invoke(main, ["plot", str(path), "--out", str(svg)])
    assert r.exit_code == 0, r.output
    text = svg.read_text()
    assert "estimated (subset simulation" in text and "(2,000 shots)" in text


def test_sweep_run_refuses_bad_estimator_options(tmp_path):
    path = _sweep(tmp_path, FAST.format(runs=2, samples=50))
    runner = CliRunner()
    for args, words in [
        (["--estimator", "bogus"], "'bogus' is not one of"),
        (["--runs", "1"], "--runs"),
        (["--estimator", "splitting", "--scheduler", "tcp://127.0.0.1:8786"], "drop --scheduler"),
        (["--estimator", "sampling"], "needs 'max_shots'"),
    ]:
        r = runner.invoke(main, ["sweep", "run", str(path), *args])
        assert r.exit_code == 2, (args, r.output)
        assert r.output.count("\n") == 1 and r.output.startswith("error: ") and words in r.output, r.output
    assert sorted(p.name for p in path.parent.iterdir()) == ["toy.stim", "toy.toml"]


def test_front_of_stored_runs_holds_the_toy_ler(tmp_path):
    from ftq.splitting_sweep import estimated_front

    path = _sweep(tmp_path, FAST.format(runs=4, samples=50))
    run_splitting_sweep(load_spec(path), samplers=SAMPLERS, progress=False)
    ((_, runs, _),) = read_splitting(path.parent / "splitting.jsonl").values()
    pts = estimated_front(runs)
    assert pts[0].cut == (0.0,)
    assert all(np.isfinite(p.ler_high) for p in pts)
    assert pts[0].ler_low <= 0.1 <= pts[0].ler_high  # the toy's LER among kept shots


def test_cuts_past_every_runs_deepest_level_are_not_shown():
    from ftq.splitting import Level, SplittingRun, front
    from ftq.splitting_sweep import ray_cuts, shown

    def run(mass):  # every level-0 error has soft output 3: no run has any error mass at cuts above 3
        soft = np.array([[3.0], [5.0]])
        return SplittingRun(
            100, 50, 5, (1.0,), (Level(-np.inf, mass, mass, 1.0, soft[:1]),), soft, np.array([40, 10]), 0, 1.0
        )

    runs = [run(0.05), run(0.06)]
    cuts = ray_cuts(runs)
    assert cuts == [(float(c),) for c in range(7)]  # up to the first cut that keeps nothing
    pts = front(runs, cuts)
    assert [p.ler_high for p in pts[4:6]] == [0.0, 0.0]  # a collapsed interval: no evidence of a zero rate
    assert [p.cut for p in shown(pts)] == [(0.0,), (1.0,), (2.0,), (3.0,)]


def test_stratified_runs_add_the_strata_with_their_exact_masses(tmp_path):
    # FLOOR: the stage mechanisms are the flips of q0 and q1 (both seen by the postselected detector); the
    # strata are {} (0.95²) and {q0, q1} (0.05²). Wrong (the perfectionist predicts no flip): q3 flips in the
    # first, q3 does not flip in the second: 0.95²·0.1 + 0.05²·0.9 per attempt.
    path = _sweep(
        tmp_path,
        FAST.format(runs=2, samples=50) + "strata = 2\nmax_attempts = 200000\nfloor_weight = 2\n",
        circuit=FLOOR,
    )
    tasks = run_splitting_sweep(load_spec(path), samplers=SAMPLERS, progress=False)
    lines = [r for r in _lines(path.parent / "splitting.jsonl") if "run" in r]
    assert len(lines) == 2 and all([p["weight"] for p in r["run"]["strata"]] == [0, 2] for r in lines)
    # the floor ({q0, q1}, weight 2) lies inside stratum 2: it is not added again
    floor = tasks[0].floor
    assert floor["mass"] == pytest.approx(0.05**2) and floor_beyond(floor, tasks[0].runs) == 0.0
    assert floor_beyond(floor, [tasks[0].runs[0].runs[0]]) == floor["mass"]  # a plain run: all of it
    assert lines[0]["parameters"]["strata"] == 2
    masses = [p["mass"] for p in lines[0]["run"]["strata"]]
    assert masses == pytest.approx([0.95**2, 0.05**2], rel=1e-9)
    exact = 0.95**2 * 0.1 + 0.05**2 * 0.9
    for run in tasks[0].runs:
        sd = sum(
            m * (q * (1 - q) / part.attempts) ** 0.5
            for m, q, part in zip(masses, (0.1, 0.9), run.runs, strict=True)
        )
        assert abs(run.error_mass((0.0,)) - exact) < 5 * sd
        assert run.kept_mass((0.0,)) == pytest.approx(sum(masses), rel=1e-12)  # every stratum is kept
    # the printed intervals say the kept fraction is a Student-t interval here, not Clopper-Pearson
    assert "(95% t + t, strata)" in "\n".join(summary_lines(tasks))
    # resume counts stratified runs of the same parameters
    run_splitting_sweep(load_spec(path), samplers=SAMPLERS, progress=False)
    assert len(_lines(path.parent / "splitting.jsonl")) == 3  # two runs and the floor line


def test_a_stratum_that_cannot_fail_estimates_zero_after_max_attempts():
    from ftq.sampling import perfectionist_predictor
    from ftq.splitting import subset_simulation
    from ftq.strata import postselected_strata

    c = stim.Circuit(
        "X_ERROR(0.05) 0 1\nCX 0 2 1 2\nM 2 0\nDETECTOR(0, 0, 0, 1) rec[-2]\nOBSERVABLE_INCLUDE(0) rec[-1]"
    )
    empty = postselected_strata(c, max_weight=2)[0]  # no fault at all: never wrong
    r = subset_simulation(
        c, perfectionist_predictor(c), errors=5, samples=10, stratum=empty, max_attempts=5000
    )
    assert r.attempts == 5000 and r.errors == 0 and len(r.levels) == 1
    assert r.error_mass((0.0,)) == 0.0 and r.kept_at((0.0,)) == 5000
