"""The anchor's four-part interleaved design (jones/interleaved.py) and its shot-level analysis
(jones.mitigation.interleaved_estimate)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from ftq.cli import main
from ftq.errors import InputError
from jones.braids import Braid
from jones.circuits import estimate_part, exact_value, is_fibonacci, shot_values, value_scale
from jones.interleaved import (
    TAGS,
    InterleavedShots,
    interleaved_compile_report,
    interleaved_test,
    run_interleaved,
    simulate_circuit,
)
from jones.mitigation import depolarising_fidelity, interleaved_estimate
from jones.quantinuum import compile_circuit, compile_report

TREFOIL = Braid.parse("1,1,1")


def _expected_parts(braid: Braid) -> list[float]:
    """E[v] of bre, bim, mre, mim: the mirror's τ is the conjugate of the braid's."""
    tau = exact_value(braid) / value_scale(braid, closure="markov")
    return [tau.real, tau.imag, tau.real, -tau.imag]


def _check_parts(data: InterleavedShots, braid: Braid) -> None:
    assert is_fibonacci(data.strings).all()  # one valid sampled string per shot, shared by the parts
    for k, want in enumerate(_expected_parts(braid)):
        v, keep = shot_values(data.strings, data.outcomes[k])
        assert keep.all(), TAGS[k]
        est = estimate_part(v)
        # |v| ≤ 1: 4 standard errors of the sample mean bound the binomial fluctuation
        assert abs(est.mean - want) < 4 * est.stderr, (TAGS[k], est, want)


def test_interleaved_circuit_on_the_dense_simulator_gives_every_part():
    data = run_interleaved(interleaved_test(TREFOIL), shots=400, backend="dense", seed=7)
    assert data.shots == 400
    _check_parts(data, TREFOIL)
    rep = interleaved_estimate(TREFOIL, data, bootstrap=50, seed=1)
    conj = rep["methods"]["conjugate"]
    exact = exact_value(TREFOIL)
    assert abs(conj["re"] - exact.real) < 4 * conj["stderr_re"]
    assert abs(conj["im"] - exact.imag) < 4 * conj["stderr_im"]


def test_compiled_interleaved_circuit_keeps_its_meaning():
    """The H2 compilation (native gates, conditionals, mid-circuit measure/reset) still gives every part."""
    test = interleaved_test(TREFOIL)
    regs = simulate_circuit(compile_circuit(test.to_pytket(), device="H2-2"), shots=300, seed=3)
    strings = regs["s"]
    _check_parts(InterleavedShots(strings, tuple(regs[f"{t}_m"] for t in TAGS)), TREFOIL)


def test_four_part_counts_are_four_times_one_part():
    braid = Braid.parse("1,-2,1,-2,1")
    part = compile_report(interleaved_test(braid).parts[0], device="H2-2", shots=4000)
    four = interleaved_compile_report(interleaved_test(braid), device="H2-2", shots=4000)
    assert four["braid_two_qubit_gates"] == 4 * part["braid_two_qubit_gates"] == 4 * 3 * part["runs"]
    assert four["two_qubit_gates"] == 4 * part["two_qubit_gates"]
    nq = braid.strands + 1
    # the string is sampled once (a measurement per label j ≥ 2); each part measures every qubit
    assert four["measurements"] == (nq - 2) + 4 * nq
    assert four["hqc"] > 3.5 * part["hqc"]


def test_sparse_interleaved_shares_strings_and_matches_the_exact_value():
    braid = Braid.parse("1,-2,1,-2")
    data = run_interleaved(interleaved_test(braid), shots=3000, backend="noiseless", seed=2)
    _check_parts(data, braid)
    rep = interleaved_estimate(braid, data, bootstrap=20)
    assert rep["kept_fraction"] == 1.0 and rep["fidelity"]["all"] > 0.95


def test_depolarising_inversion_recovers_an_injected_global_depolarising_fidelity():
    """Replace each part's outcome by uniform bits with probability 1 − f: the fitted f is f (here
    A = E|⟨s|ρ|s⟩|² ≈ 0.22 < 1 − 2g, where the larger root of the moment equation is the true one)."""
    braid = Braid.parse("1,2,3,1,2,3,-4,1")
    data = run_interleaved(interleaved_test(braid), shots=6000, backend="noiseless", seed=4)
    rng = np.random.default_rng(5)
    f = 0.6
    outs = []
    for o in data.outcomes:
        o = o.copy()
        hit = rng.random(len(o)) > f
        o[hit] = rng.integers(0, 2, size=(int(hit.sum()), o.shape[1]), dtype=np.uint8)
        outs.append(o)
    noisy = InterleavedShots(data.strings, tuple(outs))  # type: ignore[arg-type]
    rep = interleaved_estimate(braid, noisy, bootstrap=100, seed=3)
    assert abs(rep["fidelity"]["all"] - f) < 0.05
    m = rep["methods"]
    assert m["raw"]["rel_error"] > 0.3  # shrunk by f
    dep = m["depolarising_raw"]
    assert dep["rel_error"] < 4 * dep["rel_error_boot_sd"] + 0.05


def test_depolarising_fidelity_edge_cases():
    assert np.isnan(depolarising_fidelity(float("nan"), 0.1, chance=0.25))
    g = 0.5  # two strands, postselected: linear equation
    f, a = 0.7, 0.4
    assert abs(depolarising_fidelity(f * (1 + a) / 2 + (1 - f) * g, f * f * a, chance=g) - f) < 1e-12


def test_interleaved_shots_refuse_mismatched_parts():
    z = np.zeros((2, 3), np.uint8)
    with pytest.raises(InputError, match="4 parts"):
        InterleavedShots(z, (z, z, z))  # type: ignore[arg-type]
    with pytest.raises(InputError, match="shapes"):
        InterleavedShots(z, (z, z, z, np.zeros((3, 3), np.uint8)))
    with pytest.raises(InputError, match="backend"):
        run_interleaved(interleaved_test(TREFOIL), shots=2, backend="qpu")


def test_cli_compile_and_estimate_interleaved():
    r = CliRunner().invoke(
        main, ["jones", "compile", "1,1,1", "--device", "H2-2", "--design", "interleaved", "--json"]
    )
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["design"] == "interleaved" and out["parts"] == 4 and out["braid_two_qubit_gates"] == 12
    r = CliRunner().invoke(
        main, ["jones", "estimate", "1,1,1", "--shots", "300", "--design", "interleaved", "--json"]
    )
    assert r.exit_code == 0, r.output
    rep = json.loads(r.output)
    assert rep["shots"] == 300 and {"raw", "conjugate", "depolarising"} <= set(rep["methods"])


@pytest.mark.slow
def test_pecos_runs_the_compiled_interleaved_design():
    """Quantinuum's emulator (noiseless) on the compiled four-part design gives every part."""
    pytest.importorskip("pytket_pecos")
    data = run_interleaved(interleaved_test(TREFOIL), shots=600, backend="pecos", pecos_noisy=False, seed=9)
    assert data.shots == 600
    strings = data.strings
    assert is_fibonacci(strings).all()
    for k, want in enumerate(_expected_parts(TREFOIL)):
        v, keep = shot_values(strings, data.outcomes[k])
        est = estimate_part(v, keep)
        assert keep.all() and abs(est.mean - want) < 4 * est.stderr, TAGS[k]
