"""Tests of the `ftq jones` hardware commands: compile, estimate, submit, jobs, results, benchmark."""

from __future__ import annotations

import json
import sqlite3

import pytest
from click.testing import CliRunner

from ftq.cli import main
from jones import nexus
from jones.braids import Braid
from jones.circuits import hadamard_test
from jones.fibonacci import markov_value
from jones.jobstore import JobStore
from jones.nexus import DisabledTransport
from jones.quantinuum import run_local
from tests.jones.fake_nexus import backend_result


def _run(args):
    res = CliRunner().invoke(main, args)
    return res.exit_code, res.output


def test_compile_json_keys():
    code, out = _run(["jones", "compile", "1,-2,1,-2", "--device", "H2-1", "--level", "1", "--json"])
    assert code == 0
    d = json.loads(out)
    assert {"qubits", "two_qubit_gates", "one_qubit_gates", "depth", "hqc"} <= set(d)
    assert d["qubits"] == 4 and d["braid_two_qubit_gates"] <= 3 * d["runs"]


def test_estimate_json_is_consistent_with_exact():
    code, out = _run(["jones", "estimate", "1,1,1", "--shots", "1500", "--seed", "3", "--json"])
    assert code == 0
    d = json.loads(out)
    exact = markov_value(Braid.parse("1,1,1"))
    assert abs(complex(d["exact_re"], d["exact_im"]) - exact) < 1e-9
    assert abs(d["re"] - exact.real) < 4 * d["stderr_re"]
    assert abs(d["im"] - exact.imag) < 4 * d["stderr_im"]
    assert d["shots"] == 1500


def test_bad_input_is_one_line_and_exit_2():
    code, out = _run(["jones", "estimate", "1,x,1"])
    assert code == 2 and out.count("\n") == 1 and out.startswith("error:")
    code, out = _run(["jones", "estimate", "[1,2]", "--closure", "plat"])
    assert code == 2 and "even number of strands" in out


def test_submit_jobs_results_round_trip(tmp_path):
    store = str(tmp_path / "jobs.sqlite")
    code, out = _run(["jones", "submit", "1,1,1", "--device", "local-noiseless", "--shots", "300", "--store",
                      store, "--json"])  # fmt: skip
    assert code == 0
    jobs = json.loads(out)
    assert [j["status"] for j in jobs] == ["completed", "completed"]
    code, out = _run(["jones", "jobs", "--store", store, "--json"])
    assert [j["id"] for j in json.loads(out)] == [j["id"] for j in jobs]
    code, out1 = _run(["jones", "results", str(jobs[1]["id"]), "--store", store, "--json"])
    code2, out2 = _run(["jones", "results", str(jobs[1]["id"]), "--store", store, "--json"])
    assert code == code2 == 0 and out1 == out2  # idempotent
    v = json.loads(out1)["value"]
    assert abs(v["re"] - v["exact_re"]) < 4 * v["stderr_re"] + 1e-9


def test_submit_to_hardware_without_opt_in_says_not_sent(tmp_path, monkeypatch):
    monkeypatch.setattr(nexus, "default_transport", DisabledTransport)  # explicit: no network
    store = str(tmp_path / "jobs.sqlite")
    code, out = _run(["jones", "submit", "1,1,1", "--device", "H2-1E", "--shots", "100", "--part", "re",
                      "--store", store])  # fmt: skip
    assert code == 0 and out.count("\n") == 1
    assert "not sent" in out and "FTQ_JONES_NEXUS=1" in out and "resend 1" in out


def _job(store: str, jid: int) -> tuple[dict, str, str]:
    """(results --json, results text, jobs text) for one job."""
    code, js = _run(["jones", "results", str(jid), "--store", store, "--json"])
    assert code == 0, js
    code2, text = _run(["jones", "results", str(jid), "--store", store])
    code3, listing = _run(["jones", "jobs", "--store", store])
    assert code2 == code3 == 0
    return json.loads(js), text, listing


def test_every_job_state_shows_in_jobs_and_results(tmp_path, fake_nexus):
    store = str(tmp_path / "jobs.sqlite")
    code, out = _run(["jones", "submit", "1,1,1", "--device", "H2-Emulator", "--shots", "400", "--max-hqc",
                      "100", "--store", store, "--json"])  # fmt: skip
    assert code == 0, out
    re_job, im_job = json.loads(out)
    assert re_job["status"] == im_job["status"] == "submitted" and re_job["max_hqc"] == 100
    assert [j.request.device for j in fake_nexus.jobs.values()] == ["H2-Emulator", "H2-Emulator"]
    words = {"queued": "queued on Nexus", "running": "running", "retrying": "retrying on Nexus",
             "cancelling": "cancelling on Nexus", "error": "error (reported by Nexus)", "cancelled": "cancelled",
             "terminated": "terminated by Nexus", "depleted": "no credits left"}  # fmt: skip
    for state, word in words.items():
        fake_nexus.set(re_job["handle"], state, f"detail-{state}")
        d, text, listing = _job(store, re_job["id"])
        assert d["job"]["status"] == state and word in d["job"]["state"]
        assert text.startswith(f"job {re_job['id']}: {d['job']['state']} — ") and f"detail-{state}" in text
        assert f"{re_job['id']:>4} {state:<10}" in listing and f"detail-{state}" in listing
        assert "Enum" not in text + listing and "value" not in d
        with sqlite3.connect(tmp_path / "jobs.sqlite") as con:  # back to waiting for the next state
            con.execute("UPDATE jobs SET status = 'queued' WHERE id = ?", (re_job["id"],))
    braid = Braid.parse("1,1,1")
    for job in (re_job, im_job):
        data = run_local(hadamard_test(braid, closure="markov", part=job["part"]), shots=400, seed=job["id"])
        fake_nexus.set(job["handle"], "completed", None, backend_result(data.strings, data.outcomes))
    d, text, listing = _job(store, im_job["id"])
    assert d["job"]["status"] == "completed" and "V ≈" in text and "completed" in listing
    v = d["value"]
    exact = markov_value(braid)
    assert (
        abs(v["re"] - exact.real) < 4 * v["stderr_re"] + 1e-9
        and abs(v["im"] - exact.imag) < 4 * v["stderr_im"]
    )


def test_resend_sends_a_failed_job_again(tmp_path, fake_nexus):
    store = str(tmp_path / "jobs.sqlite")
    code, out = _run(["jones", "submit", "1,1,1", "--device", "H2-1E", "--shots", "10", "--part", "re",
                      "--store", store, "--json"])  # fmt: skip
    (job,) = json.loads(out)
    fake_nexus.set(job["handle"], "error", "compilation failed on the device")
    _job(store, job["id"])
    code, out = _run(["jones", "resend", str(job["id"]), "--store", store, "--json"])
    assert code == 0
    (again,) = json.loads(out)
    assert again["status"] == "submitted" and again["handle"] != job["handle"] and len(fake_nexus.jobs) == 2
    code, out = _run(["jones", "resend", str(job["id"]), "--store", store])
    assert code == 2 and out.count("\n") == 1 and "only jobs not sent" in out


@pytest.mark.parametrize(
    "args, needle",
    [
        (["submit", "1,1,1", "--device", "H2-1", "--shots", "10001"], "outside 1 … 10000"),
        (["submit", "1", "--strands", "60", "--device", "H2-1"], "needs 61 qubits but H2-1 has 56"),
        (["submit", "1,1,1", "--device", "H2-1E", "--max-hqc", "5"], "above --max-hqc 5"),
        (["submit", "1,1,1", "--device", "H2-1E", "--max-hqc", "-5"], "positive"),
        (["submit", "1,1,1", "--device", "H2-1E", "--max-hqc", "inf"], "finite"),
        (["submit", "1,1,1", "--device", "local-noisy", "--seed", "-1"], "seed -1"),
        (["submit", "1,1,1", "--device", "local-noisy", "--shots", "99999999999999999999"], "shots"),
        (["submit", "1,1,1", "--device", "H9"], "H2-Emulator"),
        (["results", "99999999999999999999999"], "not in the store"),
    ],
)
def test_bad_submissions_are_one_sentence_and_record_nothing(tmp_path, fake_nexus, args, needle):
    store = tmp_path / "jobs.sqlite"
    JobStore(store, transport=fake_nexus)
    code, out = _run(["jones", *args, "--store", str(store)])
    assert code == 2 and out.count("\n") == 1 and out.startswith("error:") and needle in out, out
    assert JobStore(store, transport=fake_nexus).list() == [] and fake_nexus.calls == []


def test_read_only_commands_create_no_store_and_bad_stores_are_one_sentence(tmp_path):
    missing = tmp_path / "new" / "dir" / "x.sqlite"
    code, out = _run(["jones", "jobs", "--store", str(missing), "--json"])
    assert code == 0 and json.loads(out) == []
    for args in (["results", "1"], ["resend", "1"]):
        code, out = _run(["jones", *args, "--store", str(missing)])
        assert code == 2 and "no job store" in out
    assert not (tmp_path / "new").exists()
    garbage = tmp_path / "g.sqlite"
    garbage.write_text("garbage")
    for store, needle in ((garbage, "not a job store"), (tmp_path, "is a directory")):
        for args in (["jobs"], ["results", "1"], ["submit", "1,1,1", "--device", "local-noiseless"]):
            code, out = _run(["jones", *args, "--store", str(store)])
            assert code == 2 and out.count("\n") == 1 and needle in out, (args, out)
    assert garbage.read_text() == "garbage"


def test_benchmark_writes_plot(tmp_path):
    png = tmp_path / "b.png"
    code, out = _run(["jones", "benchmark", "--family", "conjugates", "--strands", "4", "--size", "2",
                      "--backend", "noiseless",
                      "--shots", "200", "--out", str(png), "--json"])  # fmt: skip
    assert code == 0 and png.exists()
    rows = json.loads(out)
    assert len(rows) == 2 and rows[0]["two_qubit_gates"] < rows[1]["two_qubit_gates"]


@pytest.mark.parametrize("device, as_json, shown", [("local-noiseless", False, True), ("local-noiseless", True, False),
                                                    ("H2-1E", False, False)])  # fmt: skip
def test_local_submit_shows_a_progress_line(tmp_path, monkeypatch, device, as_json, shown):
    # a local emulation runs in the foreground: its progress line is on unless --json (or the job is remote)
    import io

    import ftq.progress

    out = io.StringIO()
    real = ftq.progress.BudgetLine

    def forced(**kw):
        kw["enabled"] = kw["enabled"] is None  # a terminal: what "None" would mean on one
        return real(**kw, out=out, every=0.01)

    monkeypatch.setattr(ftq.progress, "BudgetLine", forced)
    args = [
        "jones",
        "submit",
        "1,1,1",
        "--device",
        device,
        "--shots",
        "4000",
        "--store",
        str(tmp_path / "j.sqlite"),
    ]
    code, _ = _run(args + (["--json"] if as_json else []))
    assert code == 0
    assert ("CPU time" in out.getvalue()) == shown
