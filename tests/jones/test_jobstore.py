"""Tests of jones.jobstore: record before send, offline refusal, idempotent results, kill -9 safety."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ftq.errors import InputError
from jones import nexus
from jones.braids import Braid
from jones.jobstore import JobStore
from jones.nexus import DisabledTransport

ROOT = Path(__file__).resolve().parents[2]


def test_record_writes_the_job_before_anything_is_sent(tmp_path):
    store = JobStore(tmp_path / "j.sqlite")
    jid = store.record(Braid.parse("1,1,1"), closure="markov", part="re", device="H2-2", shots=100, seed=0,
                       batch="b")  # fmt: skip
    job = JobStore(tmp_path / "j.sqlite").get(jid)  # a fresh connection sees it
    assert job.status == "not sent" and job.handle is None and job.results is None
    assert '"qubits"' in store.circuit_json(jid)


def test_without_opt_in_nothing_is_sent_and_the_job_stays_resendable(tmp_path):
    store = JobStore(tmp_path / "j.sqlite", transport=DisabledTransport())
    ids = store.submit(Braid.parse("1,1,1"), device="H2-1", shots=10, parts=("re",))
    job = store.get(ids[0])
    assert job.status == "not sent" and job.handle is None
    assert job.message.endswith(".") and "\n" not in job.message and "FTQ_JONES_NEXUS=1" in job.message
    assert store.fetch(ids[0]).status == "not sent"  # fetching a job never sent changes nothing
    assert store.resend(ids[0]).status == "not sent"
    assert nexus.default_transport().__class__ is DisabledTransport  # the opt-in is off in tests


def test_local_jobs_complete_and_results_are_idempotent(tmp_path):
    store = JobStore(tmp_path / "j.sqlite")
    ids = store.submit(Braid.parse("1,-2,1,-2"), device="local-noisy", shots=200, seed=3)
    assert len(ids) == 2
    first = [store.fetch(i).results for i in ids]
    second = [store.fetch(i).results for i in ids]
    assert first == second and all(r is not None for r in first)
    s, m = store.get(ids[0]).shot_arrays()
    assert s.shape == m.shape == (200, 4)
    assert {j.part for j in store.batch(store.get(ids[0]).batch)} == {"re", "im"}


def test_unknown_job_device_and_shots_are_input_errors(tmp_path):
    store = JobStore(tmp_path / "j.sqlite")
    with pytest.raises(InputError):
        store.get(42)
    with pytest.raises(InputError):
        store.record(Braid.parse("1"), closure="markov", part="re", device="H3", shots=1, seed=0, batch="b")
    with pytest.raises(InputError):
        store.record(Braid.parse("1"), closure="markov", part="re", device="H2-1", shots=0, seed=0, batch="b")


_SCRIPT = """
import sys
from jones.braids import Braid
from jones import nexus
from jones.jobstore import JobStore
from jones.nexus import DisabledTransport
store = JobStore(sys.argv[1])
if sys.argv[2] == "submit":
    store.submit(Braid.parse("1,-2,1,-2,3,-2,3,1", strands=5), device="local-noisy", shots=200000, seed=9)
else:
    store.fetch(int(sys.argv[3]))
"""


def _kill_when(path: Path, args: list[str], status: str) -> None:
    proc = subprocess.Popen([sys.executable, "-c", _SCRIPT, str(path), *args], cwd=ROOT)
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            if path.exists():
                try:
                    con = sqlite3.connect(path, timeout=1)
                    rows = con.execute("SELECT status FROM jobs").fetchall()
                    con.close()
                except sqlite3.Error:
                    rows = []
                if any(r[0] == status for r in rows):
                    break
            time.sleep(0.05)
        else:
            raise AssertionError(f"job never reached status {status!r}")
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()


def test_kill_9_during_submit_and_results_loses_no_job(tmp_path):
    path = tmp_path / "j.sqlite"
    _kill_when(path, ["submit"], "running")
    store = JobStore(path)
    jobs = store.list()
    assert len(jobs) == 2  # both parts were recorded before the first was sent
    assert jobs[0].status == "running" and jobs[0].results is None
    assert jobs[1].status == "not sent"
    # kill the results fetch too: the row is either untouched or complete, never half-written
    _kill_when(path, ["fetch", str(jobs[0].id)], "running")
    assert store.get(jobs[0].id).status in ("running", "completed")


def test_docstring_examples_run():
    import doctest

    import jones.jobstore

    result = doctest.testmod(jones.jobstore, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
