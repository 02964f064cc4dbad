"""Tests of jones.mitigation: rescaling and symmetrisation arithmetic, the echo reference, and that the
mitigated estimates beat the raw ones on the noisy emulator."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ftq.errors import InputError
from jones.benchmark import rcr_braid
from jones.braids import Braid
from jones.circuits import JonesEstimate, braid_runs
from jones.fibonacci import braid_unitary, markov_tau
from jones.mitigation import mitigated_estimate, reference_circuit, rescale, run_parts, symmetrise
from jones.quantinuum import NoiseModel


def test_rescale_divides_by_the_measured_decay():
    target = JonesEstimate(0.3 + 0.6j, 0.0, 0.0, 0.1 + 0.2j, 0.0, 0.0)
    exact_ref = 0.6 - 0.8j
    measured_ref = 0.5 * exact_ref  # decay f = 0.5
    ref = JonesEstimate(0j, 0, 0, measured_ref, 0.0, 0.0)
    out = rescale(target, ref, reference_exact_tau=exact_ref, scale=3.0)
    assert abs(out.tau - (0.2 + 0.4j)) < 1e-12
    assert abs(out.value - 3 * (0.2 + 0.4j)) < 1e-12
    with pytest.raises(InputError):
        rescale(target, ref, reference_exact_tau=0.0, scale=1.0)


def test_rescale_error_grows_with_reference_uncertainty():
    target = JonesEstimate(0.5 + 0j, 0.01, 0.01, 0.5 + 0j, 0.01, 0.01)
    sharp = rescale(target, JonesEstimate(0j, 0, 0, 0.8 + 0j, 0.001, 0.001), reference_exact_tau=1, scale=1)
    loose = rescale(target, JonesEstimate(0j, 0, 0, 0.8 + 0j, 0.05, 0.05), reference_exact_tau=1, scale=1)
    assert loose.stderr_re > sharp.stderr_re


def test_symmetrise_is_inverse_variance_weighted():
    a = JonesEstimate(1 + 0j, 0.1, 0.1, 1 + 0j, 0.1, 0.1)
    b = JonesEstimate(2 + 0j, 0.2, 0.2, 2 + 0j, 0.2, 0.2)
    s = symmetrise([a, b])
    assert s.value.real == pytest.approx((1 / 0.01 + 2 / 0.04) / (1 / 0.01 + 1 / 0.04))
    assert s.stderr_re == pytest.approx(1 / math.sqrt(1 / 0.01 + 1 / 0.04))
    with pytest.raises(InputError):
        symmetrise([])


def test_reference_circuit_has_the_same_run_count_and_a_known_value():
    b = Braid.parse("1,2,-3,2,1,-3,2,2", strands=4)
    ref, runs = reference_circuit(b)
    assert len(runs) == len(braid_runs(b))
    n = len(runs)
    assert runs[: (n + 1) // 2] == tuple(braid_runs(b)[: (n + 1) // 2])  # first half on the same qubits
    if n % 2 == 0:
        assert np.allclose(braid_unitary(ref), np.eye(len(braid_unitary(ref))), atol=1e-9)
        assert abs(markov_tau(ref) - 1) < 1e-9


def test_noiseless_postselection_keeps_every_shot():
    r = run_parts(Braid.parse("1,-2,1,-2"), shots=300, seed=1)
    assert r["kept"] == 1.0
    assert r["raw"].value == r["postselected"].value


def test_mitigation_beats_raw_on_the_noisy_emulator():
    b = rcr_braid(strands=6, r_crossings=8, blocks=2, seed=1)  # closure has large |τ|
    rep = mitigated_estimate(
        b, backend="noisy", shots=800, seed=2, noise=NoiseModel.from_device("H2-2", scale=10)
    )
    m = rep["methods"]
    assert rep["kept_fraction"] < 1
    assert m["postselected"]["abs_error"] < m["raw"]["abs_error"]
    # rescaling removes most of the decay: its error is within a few of its standard errors
    err_sd = math.hypot(m["rescaled"]["stderr_re"], m["rescaled"]["stderr_im"])
    assert m["rescaled"]["abs_error"] < m["raw"]["abs_error"] - 2 * err_sd
    assert m["symmetrised"]["abs_error"] < m["raw"]["abs_error"]


def test_docstring_examples_run():
    import doctest

    import jones.mitigation

    result = doctest.testmod(jones.mitigation, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.slow
def test_demo_braid_mitigation_at_h2_rates():
    """The 15-strand, 114-crossing demo at H2-2 rates, 4000 shots per part: mitigation beats raw (~4 min)."""
    from jones.benchmark import demo_braid

    rep = mitigated_estimate(demo_braid(), backend="noisy", shots=4000, seed=0)
    m = rep["methods"]
    assert m["postselected"]["rel_error"] < m["raw"]["rel_error"]
    assert m["rescaled"]["rel_error"] < 0.5 * m["raw"]["rel_error"]
    assert m["symmetrised"]["rel_error"] < 0.5 * m["raw"]["rel_error"]


@pytest.mark.slow
def test_benchmark_family_mitigated_closer_than_raw_at_h2_rates():
    from jones.benchmark import run_benchmark

    rows = run_benchmark(
        "rcr", base=Braid.parse("1,1,1", strands=9), size=3, backend="noisy", shots=2000, seed=3
    )
    raw = sum(r["raw_error"] for r in rows)
    assert sum(r["rescaled_error"] for r in rows) < raw
    assert sum(r["symmetrised_error"] for r in rows) < raw
