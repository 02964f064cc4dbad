"""Tests of jones.circuits: the 3-ZZ runs, the control-free Hadamard tests and the estimators."""

from __future__ import annotations

import math

import numpy as np
import pytest
from pytket import Circuit, OpType

from ftq.errors import InputError
from jones.braids import Braid, random_braid
from jones.circuits import (
    FREE_LOCAL,
    VALID_LOCAL,
    PartEstimate,
    braid_runs,
    combine_parts,
    echo_runs,
    estimate_part,
    fit_zz_ansatz,
    hadamard_test,
    is_fibonacci,
    run_fit,
    runs_braid,
    sample_markov_strings,
    shot_values,
    shots_for_error,
    value_scale,
)
from jones.fibonacci import (
    PHI,
    braid_unitary,
    cup_string,
    fibonacci_strings,
    local_generator,
    markov_value,
    markov_weights,
    plat_value,
)

V = list(VALID_LOCAL)


@pytest.mark.parametrize("k", range(1, 10))
def test_run_restricted_to_fibonacci_states_equals_rho_power(k):
    fit = run_fit(k)
    m = fit.matrix()
    target = local_generator(k)
    assert np.abs(m[:, V] - target[:, V]).max() < 1e-9
    for f in FREE_LOCAL:  # free states only pick up a phase
        assert abs(abs(m[f, f]) - 1) < 1e-9
    assert fit.two_qubit_gates == 3


@pytest.mark.parametrize("k", [1, 4, 9])
def test_pytket_run_circuit_unitary_equals_fitted_matrix(k):
    c = Circuit(3)
    run_fit(k).add_to(c, (0, 1, 2))
    assert c.n_gates_of_type(OpType.ZZPhase) == 3
    assert np.abs(c.get_unitary() - run_fit(k).matrix()).max() < 1e-9


def test_fitter_handles_the_anchor_convention_too():
    # the anchor's matrices are the complex conjugates of ours (spec §5 convention trap)
    target = local_generator(1).conj()
    fit = fit_zz_ansatz(target, seed=3)
    assert np.abs(fit.matrix()[:, V] - target[:, V]).max() < 1e-9


def test_fitter_rejects_wrong_shape():
    with pytest.raises(InputError):
        fit_zz_ansatz(np.eye(4))


def test_run_power_zero_is_rejected():
    with pytest.raises(InputError):
        run_fit(10)


@pytest.mark.parametrize("seed", range(5))
def test_braid_runs_preserve_the_product(seed):
    b = random_braid(strands=5, crossings=25, seed=seed)
    merged = runs_braid(b.strands, braid_runs(b))
    assert len(braid_runs(b)) <= b.crossings
    assert np.allclose(braid_unitary(merged), braid_unitary(b), atol=1e-9)


def test_echo_runs_multiply_to_identity_for_even_length():
    b = random_braid(strands=5, crossings=20, seed=11)
    runs = braid_runs(b)
    if len(runs) % 2:
        runs = runs[:-1]
    echo = echo_runs(runs)
    assert len(echo) == len(runs)
    u = braid_unitary(runs_braid(5, echo))
    assert np.allclose(u, np.eye(len(u)), atol=1e-9)


def _statevector_part(test, string):
    c = test.to_pytket(string=string, measure=False)
    p = np.abs(c.get_statevector()) ** 2
    return p[0] - p[1 << (c.n_qubits - 2)]


@pytest.mark.parametrize("part", ["re", "im"])
def test_hadamard_test_circuit_gives_diagonal_elements_markov(part):
    b = Braid.parse("1,-2,1,1,3,-2")
    u = braid_unitary(b)
    t = hadamard_test(b, closure="markov", part=part)
    for i, s in enumerate(fibonacci_strings(b.strands)):
        want = u[i, i].real if part == "re" else u[i, i].imag
        assert abs(_statevector_part(t, s) - want) < 1e-9


@pytest.mark.parametrize("part", ["re", "im"])
def test_hadamard_test_circuit_gives_cup_amplitude_plat(part):
    b = Braid.parse("2,2,-1,2,3,-1", strands=4)
    t = hadamard_test(b, closure="plat", part=part)
    c = cup_string(4)
    idx = fibonacci_strings(4).index(c)
    amp = braid_unitary(b)[idx, idx]
    assert abs(_statevector_part(t, c) - (amp.real if part == "re" else amp.imag)) < 1e-9
    # and the prefactor reproduces the plat value
    assert abs(value_scale(b, closure="plat") * amp - plat_value(b)) < 1e-9


def test_markov_prefactor_reproduces_markov_value():
    b = Braid.parse("1,1,-2,1,-2")
    w = markov_weights(b.strands)
    u = braid_unitary(b)
    tau = complex(np.dot(w, np.diag(u)))
    assert abs(value_scale(b, closure="markov") * tau - markov_value(b)) < 1e-9


def test_device_sampler_circuit_compiles_with_conditionals():
    c = hadamard_test(Braid.parse("1,2,-3"), closure="markov", part="re").to_pytket()
    names = {cmd.op.type.name for cmd in c.get_commands()}
    assert {"Conditional", "Measure", "Reset"} <= names
    assert c.n_qubits == 5


def test_sampled_strings_follow_markov_weights():
    n, shots = 5, 20000
    s = sample_markov_strings(n, shots, rng=np.random.default_rng(7))
    assert is_fibonacci(s).all()
    strings = fibonacci_strings(n)
    counts = {st: 0 for st in strings}
    for row in s.tolist():
        counts[tuple(row)] += 1
    for st, p in zip(strings, markov_weights(n), strict=True):
        sd = math.sqrt(shots * p * (1 - p))
        assert abs(counts[st] - shots * p) < 5 * sd


def test_shot_values_and_leakage():
    s = np.array([[0, 1, 1, 1], [0, 1, 1, 1], [0, 1, 1, 1], [0, 1, 1, 1]])
    m = np.array([[0, 0, 0, 0], [0, 1, 0, 0], [1, 0, 0, 0], [0, 0, 1, 1]])
    v, keep = shot_values(s, m)
    assert v.tolist() == [1, -1, 0, 0]
    # row 3: inferred string (1,1,1,1) has x_0 = 1; row 4: inferred (0,1,0,0) has "00"
    assert keep.tolist() == [True, True, False, False]


def test_estimate_part_stderr_matches_binomial():
    rng = np.random.default_rng(0)
    v = np.where(rng.random(10000) < 0.7, 1, -1)
    e = estimate_part(v)
    assert abs(e.mean - 0.4) < 5 * e.stderr
    assert abs(e.stderr - math.sqrt((1 - 0.4**2) / 10000)) < 1e-3


def test_combine_parts_propagates_errors():
    b = Braid.parse("1,1,1")
    e = combine_parts(
        b, re=PartEstimate(0.3, 0.01, 1, 1), im=PartEstimate(-0.2, 0.02, 1, 1), closure="markov"
    )
    c = value_scale(b, closure="markov")
    assert abs(e.value - c * complex(0.3, -0.2)) < 1e-12
    assert abs(math.hypot(e.stderr_re, e.stderr_im) - abs(c) * math.hypot(0.01, 0.02)) < 1e-9


def test_shots_for_error_scales_as_inverse_square():
    b = Braid.parse("1,-2,1,-2")
    n1 = shots_for_error(0.1, braid=b)
    n2 = shots_for_error(0.05, braid=b)
    assert 3.9 < n2 / n1 < 4.1
    assert shots_for_error(0.1, braid=b.stabilize()) > n1  # one more strand: φ times larger scale
    assert abs(value_scale(b, closure="markov")) == pytest.approx(PHI**2)
    with pytest.raises(InputError):
        shots_for_error(0, braid=b)


def test_bad_closure_and_part_are_input_errors():
    with pytest.raises(InputError):
        hadamard_test(Braid.parse("1"), closure="trace")
    with pytest.raises(InputError):
        hadamard_test(Braid.parse("1"), part="abs")
    with pytest.raises(InputError):
        hadamard_test(Braid.parse("1,2"), closure="plat")  # 3 strands


def test_docstring_examples_run():
    import doctest

    import jones.circuits

    result = doctest.testmod(jones.circuits, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
