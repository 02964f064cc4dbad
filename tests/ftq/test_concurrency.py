"""Sweeps under concurrency and kills: one writer per stats.csv, compact takes the same lock, workers die
with their parent (issue 14)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from ftq.cli import main
from ftq.files import output_lock
from ftq.sweeps import check_stats_csv
from tests.toy import TOY


def _spec(tmp_path: Path, max_shots: int) -> Path:
    d = tmp_path / "toy"
    d.mkdir()
    TOY.to_file(d / "toy.stim")
    (d / "toy.toml").write_text(
        f'circuit = "toy.stim"\np = 0.01\ndecoder = "perfectionist"\nmax_shots = {max_shots}\n'
    )
    return d / "toy.toml"


def _ftq(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "ftq.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ | {"PYTHONWARNINGS": "ignore"},
    )


def test_run_and_compact_refuse_a_locked_output(tmp_path):
    spec = _spec(tmp_path, 1000)
    runner = CliRunner()
    assert runner.invoke(main, ["sweep", "run", str(spec)]).exit_code == 0
    stats = spec.parent / "stats.csv"
    before = stats.read_bytes()
    with output_lock(stats):  # as if another run were writing to it
        for args in (["sweep", "run", str(spec)], ["sweep", "compact", str(spec)]):
            r = runner.invoke(main, args)
            assert r.exit_code == 2, r.output
            assert r.output.count("\n") == 1 and r.output.startswith("error: another ftq process")
            assert stats.read_bytes() == before
    # released: both work again
    assert runner.invoke(main, ["sweep", "compact", str(spec)]).exit_code == 0


def test_two_runs_on_one_spec_keep_the_csv_readable_and_within_max_shots(tmp_path):
    max_shots = 300_000
    spec = _spec(tmp_path, max_shots)
    procs = [_ftq("sweep", "run", str(spec)) for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    codes = [p.returncode for p in procs]
    assert 0 in codes, outs
    for code, (_, err) in zip(codes, outs, strict=True):
        assert "Traceback" not in err, err
        if code != 0:
            assert code == 2 and "another ftq process is writing to" in err, err
    stats = check_stats_csv(spec.parent / "stats.csv")  # readable: raises on a fragment
    assert len(stats) == 1
    assert stats[0].shots <= max_shots


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.append(int(entry.name))
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process table from /proc")
def test_kill_9_of_a_run_leaves_no_worker(tmp_path):
    spec = _spec(tmp_path, 10**12)  # runs until killed
    proc = _ftq("sweep", "run", str(spec), "--workers", "2")
    try:
        deadline = time.monotonic() + 120
        stats = spec.parent / "stats.csv"
        # wait until the workers sample (a row reached the file), so they are past start-up
        while not (stats.exists() and stats.read_text().count("\n") >= 2):
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the sweep wrote no row"
            time.sleep(0.2)
        workers = _children(proc.pid)
        assert workers
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        deadline = time.monotonic() + 20
        while any(_alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.2)
        survivors = [w for w in workers if _alive(w)]
        assert not survivors, f"workers {survivors} outlived their parent"
    finally:  # never leave a sampling process behind, even when the test fails
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
        for w in locals().get("workers", []):
            if _alive(w):
                os.kill(w, signal.SIGKILL)
