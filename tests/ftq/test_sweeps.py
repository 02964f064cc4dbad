"""Tests of ftq.sweeps: strict spec validation, resumable runs, corrupt CSVs, the Dask engine."""

import collections
import os
import pathlib

import pytest
import sinter
import stim

from ftq.errors import InputError
from ftq.sampling import StagedSampler
from ftq.sweeps import check_stats_csv, load_spec, parse_spec, run_sweep

TOY = stim.Circuit("""
    X_ERROR(0.2) 0
    M 0
    DETECTOR(0, 0, 0, 0, 1, 1) rec[-1]
    X_ERROR(0.05) 1
    M 1
    OBSERVABLE_INCLUDE(0) rec[-1]
""")
SAMPLERS = {"perfectionist": StagedSampler()}


def _spec_dir(tmp_path: pathlib.Path, body: str, name: str = "toy") -> pathlib.Path:
    d = tmp_path / name
    d.mkdir()
    TOY.to_file(d / "toy.stim")
    (d / f"{name}.toml").write_text(body)
    return d / f"{name}.toml"


def _snapshot(root: pathlib.Path) -> dict:
    return {p: p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


GOOD = 'circuit = "toy.stim"\np = 0.01\ndecoder = "perfectionist"\nmax_shots = 3000\n'


B = {"builder": "cultivation.sweeps:rp2", "protocol": "end2end", "d1": 3}


@pytest.mark.parametrize(
    "data, fragment",
    [
        (
            {"circuit": "a.stim", "p": 0.001, "max_shots": 10, "decoder": "perfectionist", "colour": 1},
            "unknown sweep key 'colour'",
        ),
        ({"circuit": 3, "p": 0.001, "max_shots": 10, "decoder": "perfectionist"}, "wrong type"),
        (
            {"circuit": "a.stim", "p": 0.7, "max_shots": 10, "decoder": "perfectionist"},
            "outside the valid range",
        ),
        ({"circuit": "a.stim", "p": 0.001, "max_shots": 0, "decoder": "perfectionist"}, "positive"),
        ({"circuit": "a.stim", "p": 0.001, "max_shots": 10, "decoder": "bp"}, "unknown decoder 'bp'"),
        ({"circuit": "a.stim", "p": 0.001, "max_shots": 10}, "needs 'decoder'"),
        ({"circuit": "a.stim", "max_shots": 10, "decoder": "perfectionist"}, "needs 'p'"),
        ({"p": 0.001, "max_shots": 10, "decoder": "perfectionist"}, "either 'builder'"),
        (B | {"circuit": "a.stim", "p": 0.001, "max_shots": 10}, "not both"),
        (B | {"builder": "nowhere:x", "p": 0.001, "max_shots": 10}, "cannot be loaded"),
        (
            {"circuit": "a.stim", "p": 0.001, "max_shots": 10, "decoder": "perfectionist", "noise": "pink"},
            "unknown noise model",
        ),
        (
            {
                "circuit": "a.stim",
                "p": 0.001,
                "max_shots": 10,
                "decoder": "perfectionist",
                "stage_tau": {"0": -1},
            },
            "stage_tau['0'] = -1",
        ),
        (
            {"circuit": "a.stim", "p": 0.001, "max_shots": 10, "decoder": "perfectionist", "stage_tau": 1.5},
            "wrong type",
        ),
        (
            {
                "circuit": "a.stim",
                "p": 0.001,
                "max_shots": 10,
                "decoder": "perfectionist",
                "postselected_detectors_predicate": "coords[",
            },
            "not a Python expression",
        ),
    ],
)
def test_bad_specs_give_one_sentence(data, fragment):
    with pytest.raises(InputError) as e:
        parse_spec(data, name="x")
    assert fragment in str(e.value)
    assert "\n" not in str(e.value)


def test_bad_spec_file_changes_nothing_on_disk(tmp_path):
    path = _spec_dir(tmp_path, GOOD.replace("max_shots = 3000", "max_shots = -5"))
    before = _snapshot(tmp_path)
    with pytest.raises(InputError, match="max_shots=-5"):
        run_sweep(load_spec(path), samplers=SAMPLERS, progress=False)
    assert _snapshot(tmp_path) == before
    (path.parent / "broken.toml").write_text("p = [0.1,")
    with pytest.raises(InputError, match="not valid TOML"):
        load_spec(path.parent / "broken.toml")


def test_run_appends_and_resumes_without_double_counting(tmp_path):
    path = _spec_dir(tmp_path, GOOD)
    first = run_sweep(load_spec(path), samplers=SAMPLERS, progress=False)
    assert first[0].shots >= 3000
    csv = path.parent / "stats.csv"
    rows_after_first = len(csv.read_text().splitlines())
    again = run_sweep(load_spec(path), samplers=SAMPLERS, progress=False)
    assert again[0].shots == first[0].shots  # target already met: nothing sampled twice
    assert len(csv.read_text().splitlines()) == rows_after_first
    path.write_text(GOOD.replace("3000", "6000"))
    more = run_sweep(load_spec(path), samplers=SAMPLERS, progress=False)
    assert 6000 <= more[0].shots < 6000 + first[0].shots  # earlier shots counted, not lost
    total = sum(s.shots for s in sinter.read_stats_from_csv_files(csv))
    assert total == more[0].shots
    kept = more[0].shots - more[0].discards
    assert abs(kept / more[0].shots - 0.8) < 5 * (0.16 / more[0].shots) ** 0.5


class _AffinityCompiled(sinter.CompiledSampler):
    def sample(self, suggested_shots: int) -> sinter.AnonTaskStats:
        cpus = sorted(os.sched_getaffinity(0))
        return sinter.AnonTaskStats(
            shots=suggested_shots, custom_counts=collections.Counter({f"cpus={cpus}": 1})
        )


class _AffinitySampler(sinter.Sampler):
    """Records the CPUs its worker may run on."""

    def compiled_sampler_for_task(self, task: sinter.Task) -> sinter.CompiledSampler:
        return _AffinityCompiled()


@pytest.mark.skipif(not hasattr(os, "sched_getaffinity") or os.cpu_count() < 2, reason="needs 2 CPUs")
def test_sweep_workers_are_not_pinned_to_one_cpu(tmp_path):
    path = _spec_dir(tmp_path, GOOD.replace("perfectionist", "gap"))
    (stats,) = run_sweep(load_spec(path), samplers={"gap": _AffinitySampler()}, progress=False)
    allowed = sorted(os.sched_getaffinity(0))
    assert set(stats.custom_counts) == {f"cpus={allowed}"}  # every batch could use every CPU of ours


def test_corrupt_or_foreign_csv_is_refused_untouched(tmp_path):
    path = _spec_dir(tmp_path, GOOD)
    csv = path.parent / "stats.csv"
    csv.write_text("name,value\nfoo,1\n")
    before = _snapshot(tmp_path)
    with pytest.raises(InputError, match="not a sinter statistics CSV"):
        run_sweep(load_spec(path), samplers=SAMPLERS, progress=False)
    assert _snapshot(tmp_path) == before
    csv.write_text(sinter.CSV_HEADER + "\n  12,  x, 0, 1.0,gap,abc,{},\n")
    with pytest.raises(InputError, match="corrupt sinter CSV"):
        check_stats_csv(csv)


def test_dask_local_cluster_runs_and_resumes(tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    path = _spec_dir(tmp_path, GOOD.replace("3000", "4000"))
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
    ) as lc:
        stats = run_sweep(load_spec(path), samplers=SAMPLERS, scheduler=lc.scheduler_address, progress=False)
    assert stats[0].shots >= 4000
    # the local engine sees the Dask rows under the same strong id and does not redo them
    again = run_sweep(load_spec(path), samplers=SAMPLERS, progress=False)
    assert again[0].shots == stats[0].shots


def test_unreachable_scheduler_is_one_sentence(tmp_path):
    pytest.importorskip("dask.distributed")
    path = _spec_dir(tmp_path, GOOD)
    with pytest.raises(InputError, match="Dask scheduler"):
        run_sweep(load_spec(path), samplers=SAMPLERS, scheduler="tcp://127.0.0.1:9", progress=False)


def test_compact_keeps_totals_and_two_independent_halves(tmp_path):
    from ftq.sweeps import compact_stats_csv, read_stats_rows

    csv = tmp_path / "stats.csv"
    rows = [
        sinter.TaskStats(
            strong_id=sid,
            decoder="gap",
            json_metadata={"k": sid},
            shots=10 * (i + 1),
            errors=i,
            discards=i,
            custom_counts=collections.Counter({f"C{i}|1": 10 * (i + 1) - 2 * i, f"E{i}|1": i}),
        )
        for i, sid in enumerate(["a", "b", "a", "a", "b", "a"])
    ]
    csv.write_text(sinter.CSV_HEADER + "\n" + "".join(r.to_csv_line() + "\n" for r in rows))
    before = {s.strong_id: s for s in check_stats_csv(csv)}
    assert compact_stats_csv(csv) == (6, 4)
    after = read_stats_rows(csv)
    assert {s.strong_id: s for s in check_stats_csv(csv)} == before  # nothing lost or double counted
    a_rows = [r for r in after if r.strong_id == "a"]
    assert [r.shots for r in a_rows] == [10 + 40, 30 + 60]  # rows 0, 2 and rows 1, 3 of task a


def test_compact_refuses_a_foreign_csv_untouched(tmp_path):
    from ftq.sweeps import compact_stats_csv

    csv = tmp_path / "stats.csv"
    csv.write_text("name,value\nfoo,1\n")
    with pytest.raises(InputError, match="not a sinter statistics CSV"):
        compact_stats_csv(csv)
    assert csv.read_text() == "name,value\nfoo,1\n"


def _children(pid: int) -> set[int]:
    out = set()
    for task in pathlib.Path(f"/proc/{pid}/task").glob("*"):
        text = (task / "children").read_text() if (task / "children").exists() else ""
        out.update(int(c) for c in text.split())
    return out


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = pathlib.Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(")")[-1].split()[0] == "Z")


@pytest.mark.skipif(not pathlib.Path("/proc/self/task").exists(), reason="needs /proc")
def test_sigterm_stops_the_workers_and_keeps_the_csv(tmp_path):
    import subprocess
    import sys
    import time

    path = _spec_dir(tmp_path, GOOD.replace("3000", "10_000_000_000"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "ftq.cli", "sweep", "run", str(path)],
        cwd=pathlib.Path(__file__).parents[2],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    csv = path.parent / "stats.csv"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (csv.exists() and len(csv.read_text().splitlines()) >= 2):
        time.sleep(0.2)
    workers = _children(proc.pid)
    assert workers, "the sweep started no worker"
    proc.terminate()
    proc.wait(timeout=60)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(_alive(w) for w in workers):
        time.sleep(0.2)
    assert not any(_alive(w) for w in workers)  # no worker left sampling for nobody
    assert sum(s.shots for s in check_stats_csv(csv)) > 0  # what was appended is still readable


def test_compact_keep_first_leaves_the_selection_rows_alone(tmp_path):
    from click.testing import CliRunner

    from ftq.cli import main
    from ftq.sweeps import read_stats_rows

    csv = tmp_path / "stats.csv"
    rows = [
        sinter.TaskStats(strong_id="a", decoder="gap", json_metadata={"k": 1}, shots=10 * (i + 1), errors=i)
        for i in range(6)
    ]
    csv.write_text(sinter.CSV_HEADER + "\n" + "".join(r.to_csv_line() + "\n" for r in rows))
    result = CliRunner().invoke(main, ["sweep", "compact", str(csv), "--keep-first", "2"])
    assert result.exit_code == 0, result.output
    assert [r.shots for r in read_stats_rows(csv)] == [10, 20, 30 + 50, 40 + 60]
    bad = CliRunner().invoke(main, ["sweep", "compact", str(csv), "--keep-first", "-1"])
    assert bad.exit_code == 2
