"""Tests of jones.quantinuum: offline compilation and cost, and the local noiseless / noisy emulator."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ftq.errors import InputError
from jones.benchmark import demo_braid
from jones.braids import Braid
from jones.circuits import braid_runs, exact_value, hadamard_test, run_fit
from jones.fibonacci import fibonacci_strings
from jones.knotinfo import knots
from jones.mitigation import run_parts
from jones.quantinuum import (
    NoiseModel,
    _embed_pauli,
    _ideal_batch,
    _run_block,
    _State,
    compile_circuit,
    compile_report,
    gate_counts,
    hqc,
    offline_backend,
    run_local,
)

NATIVE = {"PhasedX", "Rz", "ZZPhase", "ZZMax", "Measure", "Reset", "Conditional", "SetBits", "Barrier"}


def test_offline_backend_needs_no_credentials_and_rejects_unknown_devices():
    assert offline_backend("H2-1").backend_info.n_nodes >= 16
    with pytest.raises(InputError):
        offline_backend("H9-9")


def test_compiled_circuit_uses_native_gates_only():
    t = hadamard_test(Braid.parse("1,-2,3,1"), closure="markov", part="im")
    c = compile_circuit(t.to_pytket(), device="H2-2", optimisation_level=1)
    names = set()
    for cmd in c.get_commands():
        op = cmd.op.op if cmd.op.type.name == "Conditional" else cmd.op
        names.add(op.type.name)
    assert names <= NATIVE


def test_demo_braid_compiles_to_three_zz_per_run():
    b = demo_braid()
    rep = compile_report(hadamard_test(b), device="H2-2", optimisation_level=1, shots=4000)
    assert rep["qubits"] == 16
    assert rep["braid_two_qubit_gates"] <= 3 * rep["runs"]
    assert rep["runs"] == len(braid_runs(b))
    # 2(n-1) = 28 conditional CNOTs on top of the runs, as in the anchor
    assert rep["two_qubit_gates"] == rep["braid_two_qubit_gates"] + 28
    n_pm = rep["qubits"] + rep["measurements"] + rep["resets"]
    want = 5 + 4000 * (rep["one_qubit_gates"] + 10 * rep["two_qubit_gates"] + 5 * n_pm) / 5000
    assert rep["hqc"] == pytest.approx(want)


def test_hqc_formula_and_validation():
    assert hqc(one_qubit_gates=50, two_qubit_gates=10, prep_measure=4, shots=100) == pytest.approx(
        5 + 100 * (50 + 100 + 20) / 5000
    )
    with pytest.raises(InputError):
        hqc(one_qubit_gates=1, two_qubit_gates=1, prep_measure=1, shots=0)
    with pytest.raises(InputError):
        compile_circuit(hadamard_test(Braid.parse("1")).to_pytket(), optimisation_level=7)


def test_gate_counts_count_conditionals():
    c = hadamard_test(Braid.parse("1,2"), closure="markov", part="re").to_pytket()
    g = gate_counts(c)
    assert g["two_qubit_gates"] == 3 * 2 + 2 * 2  # runs + conditional CNOTs on qubits 2, 3
    assert g["measurements"] == 2 + 4  # two sampled labels + final readout of 4 qubits


def test_noise_model_reads_offline_device_data():
    h22 = NoiseModel.from_device("H2-2")
    assert 1e-4 < h22.p2 < 3e-3 and h22.p1 < h22.p2
    assert NoiseModel.from_device("H2-2", scale=3).p2 == pytest.approx(3 * h22.p2)
    with pytest.raises(InputError):
        NoiseModel(p2=0.7)


@pytest.mark.parametrize(
    "closure,word,strands", [("markov", "1,-2,1,1,3,-2", None), ("plat", "2,2,-1,2,3", 4)]
)
def test_emulator_ideal_distribution_equals_pytket_statevector(closure, word, strands):
    b = Braid.parse(word, strands=strands)
    for part in ("re", "im"):
        t = hadamard_test(b, closure=closure, part=part)
        strings = fibonacci_strings(b.strands) if closure == "markov" else [t.string]
        arr = np.array(strings, dtype=np.uint8)
        for s, (keys, p) in zip(strings, _ideal_batch(t, arr), strict=True):
            sv = np.abs(t.to_pytket(string=s, measure=False).get_statevector()) ** 2
            dense = np.zeros_like(sv)
            dense[keys] = p
            assert np.abs(dense - sv).max() < 1e-10


def test_error_inside_a_run_is_carried_to_its_end_exactly():
    fit = run_fit(3)
    full, sites = _run_block(3)
    gates = [g.matrix() for g in fit.gates]
    phase = np.exp(1j * np.pi * fit.phase)
    # site list follows gate order; find the site after the 2nd ZZ (gate index 3)
    zz_sites = [s for s in sites if s[0] == "2q"]
    kind, loc, w = zz_sites[1]
    pm = _embed_pauli((0, 1, 2), loc, (1, 3))  # X ⊗ Z on the ZZ pair
    direct = np.eye(8, dtype=complex)
    for idx, g in enumerate(gates):
        direct = g @ direct
        if idx == 3:
            direct = pm @ direct
    carried = w @ pm @ w.conj().T @ full
    assert np.abs(carried - phase * direct).max() < 1e-9
    # and the sparse state applies it as a matrix
    st = _State(3, np.arange(8), np.eye(8, dtype=complex)[:, 2])
    st.apply((0, 1, 2), carried)
    dense = np.zeros(8, complex)
    dense[st.keys] = st.amps
    assert np.allclose(dense, carried[:, 2])


def test_noiseless_emulator_is_unbiased_for_plat_closure():
    b = Braid.parse("2,2,-1,2", strands=4)  # figure-eight as a 4-plat
    r = run_parts(b, closure="plat", backend="noiseless", shots=3000, seed=4)
    e, exact = r["postselected"], exact_value(b, closure="plat")
    assert abs(e.value.real - exact.real) < 4 * e.stderr_re + 1e-9
    assert abs(e.value.imag - exact.imag) < 4 * e.stderr_im + 1e-9


def _knot_check(max_crossings: int, min_crossings: int, shots: int) -> int:
    checked = 0
    for k in knots(max_crossings=max_crossings, min_crossings=min_crossings):
        b = k.braid if k.braid.strands >= 2 else k.braid.stabilize()
        listed = k.jones()
        assert abs(exact_value(b) - listed) < 1e-8, k.name
        r = run_parts(b, backend="noiseless", shots=shots, seed=100 + checked)
        e = r["postselected"]
        assert abs(e.value.real - listed.real) < 4 * e.stderr_re + 1e-9, k.name
        assert abs(e.value.imag - listed.imag) < 4 * e.stderr_im + 1e-9, k.name
        checked += 1
    return checked


def test_noiseless_estimates_of_small_knots_within_four_standard_errors():
    assert _knot_check(6, 0, 1500) == 8  # 0_1 … 6_3


@pytest.mark.slow
def test_noiseless_estimates_of_knots_up_to_eight_crossings():
    assert _knot_check(8, 7, 4000) == 7 + 21


def test_noisy_emulator_shrinks_the_signal_and_postselection_drops_leaked_shots():
    b = Braid.parse("1,1,1,-2,1,-2")
    t = hadamard_test(b, part="re")
    loud = NoiseModel.from_device("H2-2", scale=30)
    d = run_local(t, shots=3000, backend="noisy", noise=loud, seed=5)
    from jones.circuits import shot_values

    v, keep = shot_values(d.strings, d.outcomes)
    assert keep.mean() < 0.99  # some shots leaked out of the Fibonacci subspace
    ideal = run_local(t, shots=3000, backend="noiseless", seed=5)
    vi, _ = shot_values(ideal.strings, ideal.outcomes)
    # |v| = 1 only when the register returned to the reference pattern: noise makes that rarer
    n = 3000
    p_noisy, p_ideal = np.mean(np.abs(v)), np.mean(np.abs(vi))
    sd = math.sqrt(p_ideal * (1 - p_ideal) / n + p_noisy * (1 - p_noisy) / n)
    assert p_ideal - p_noisy > 3 * sd


def test_run_local_validates_input():
    t = hadamard_test(Braid.parse("1,1,1"))
    with pytest.raises(InputError):
        run_local(t, shots=0)
    with pytest.raises(InputError):
        run_local(t, shots=10, backend="ibm")


def test_docstring_examples_run():
    import doctest

    import jones.quantinuum

    result = doctest.testmod(jones.quantinuum, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
