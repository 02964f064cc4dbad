"""Tests of the `ftq jones` hardware commands: compile, estimate, submit, jobs, results, benchmark."""

from __future__ import annotations

import json

from click.testing import CliRunner

from ftq.cli import main
from jones.braids import Braid
from jones.fibonacci import markov_value


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


def test_submit_to_hardware_offline_says_not_sent(tmp_path):
    store = str(tmp_path / "jobs.sqlite")
    code, out = _run(["jones", "submit", "1,1,1", "--device", "H2-2", "--part", "re", "--store", store])
    assert code == 0
    assert "not sent" in out and out.count("\n") == 1


def test_benchmark_writes_plot(tmp_path):
    png = tmp_path / "b.png"
    code, out = _run(["jones", "benchmark", "--family", "conjugates", "--strands", "4", "--size", "2",
                      "--backend", "noiseless",
                      "--shots", "200", "--out", str(png), "--json"])  # fmt: skip
    assert code == 0 and png.exists()
    rows = json.loads(out)
    assert len(rows) == 2 and rows[0]["two_qubit_gates"] < rows[1]["two_qubit_gates"]
