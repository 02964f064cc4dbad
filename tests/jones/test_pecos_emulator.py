"""Quantinuum's PECOS emulator (pytket-pecos) on the compiled Hadamard tests, against exact values and
against the sparse emulator (jones/quantinuum.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from jones.braids import Braid
from jones.circuits import estimate_part, exact_value, hadamard_test, is_fibonacci, shot_values, value_scale
from jones.jobstore import JobStore
from jones.nexus import DisabledTransport
from jones.pecos_emulator import hseries_params, matched_params, run_pecos
from jones.quantinuum import NoiseModel, run_local

TREFOIL = Braid.parse("1,1,1")


def _tau(braid: Braid, part: str) -> float:
    tau = exact_value(braid, closure="markov") / value_scale(braid, closure="markov")
    return tau.real if part == "re" else tau.imag


@pytest.mark.parametrize("part", ["re", "im"])
def test_noiseless_pecos_gives_the_exact_part(part):
    data = run_pecos(hadamard_test(TREFOIL, closure="markov", part=part), shots=600, noisy=False, seed=4)
    assert data.strings.shape == data.outcomes.shape == (600, 3)
    v, keep = shot_values(data.strings, data.outcomes)
    assert keep.all() and is_fibonacci(data.strings).all()  # the on-device sampler records valid strings
    est = estimate_part(v, keep)
    assert abs(est.mean - _tau(TREFOIL, part)) < 4 * est.stderr


def test_hseries_parameters_are_the_device_figures_and_matched_ones_undo_pecos_scaling():
    p = hseries_params("H2-2")
    base = NoiseModel.from_device("H2-2")
    assert p["p2"] == base.p2 and p["p1"] == base.p1 and math.isclose(p["p_meas"], base.p_meas)
    m = matched_params(base)
    assert math.isclose(m["p1"] * 3 / 2, base.p1) and math.isclose(m["p2"] * 5 / 4, base.p2)


def test_local_pecos_jobs_complete_in_the_store(tmp_path):
    store = JobStore(tmp_path / "j.sqlite", transport=DisabledTransport())
    (jid,) = store.submit(TREFOIL, device="local-pecos", shots=200, seed=2, parts=("im",))
    job = store.get(jid)
    assert job.status == "completed"
    s, m = job.shot_arrays()
    again = run_pecos(hadamard_test(TREFOIL, closure="markov", part="im"), shots=200, device="H2-2", seed=2)
    assert np.array_equal(s, again.strings) and np.array_equal(m, again.outcomes)  # same seed, same shots


@pytest.mark.slow
@pytest.mark.parametrize("word, strands", [("1,1,1", None), ("1,-2,1,-2", None), ("[2,2,-1,2]", 4)])
@pytest.mark.parametrize("part", ["re", "im"])
def test_sparse_and_pecos_agree_on_matched_noise(word, strands, part):
    """Same channels (2q/1q depolarising, preparation flips) at 30× H2-2's rates, no readout or memory
    noise (modelled differently, see the report): postselected parts and kept fractions agree within 4σ."""
    braid = Braid.parse(word, strands=strands)
    base = NoiseModel.from_device("H2-2", scale=30)
    noise = NoiseModel(p1=base.p1, p2=base.p2, p_meas=0.0, p_init=base.p_init, p_mem=0.0)
    test = hadamard_test(braid, closure="markov", part=part)
    a = run_local(test, shots=4000, backend="noisy", noise=noise, seed=11)
    b = run_pecos(test, shots=4000, params=matched_params(noise), seed=12)
    ea, eb = (estimate_part(*shot_values(d.strings, d.outcomes)) for d in (a, b))
    assert abs(ea.mean - eb.mean) < 4 * math.hypot(ea.stderr, eb.stderr)
    ka, kb = ea.shots / ea.total, eb.shots / eb.total
    assert abs(ka - kb) < 4 * math.sqrt(ka * (1 - ka) / ea.total + kb * (1 - kb) / eb.total) + 1e-12
    # the noise is visible (the check has teeth): shots are discarded, and nonzero parts move off their value
    assert ea.total - ea.shots > 100 and eb.total - eb.shots > 100
    if abs(_tau(braid, part)) > 0.3:
        assert abs(ea.mean - _tau(braid, part)) > 4 * ea.stderr


@pytest.mark.slow
@pytest.mark.parametrize("word", ["1,1,1", "1,-2,1,-2"])
@pytest.mark.parametrize("part", ["re", "im"])
def test_sparse_and_pecos_agree_at_h2_rates(word, part):
    """Every channel of the sparse emulator at H2-2's rates (readout and memory included) against PECOS with
    the same channels (memory not modelled there): postselected parts agree within 4σ at 4000 shots."""
    braid = Braid.parse(word)
    noise = NoiseModel.from_device("H2-2")
    test = hadamard_test(braid, closure="markov", part=part)
    a = run_local(test, shots=4000, backend="noisy", noise=noise, seed=21)
    b = run_pecos(test, shots=4000, params=matched_params(noise), seed=22)
    ea, eb = (estimate_part(*shot_values(d.strings, d.outcomes)) for d in (a, b))
    assert abs(ea.mean - eb.mean) < 4 * math.hypot(ea.stderr, eb.stderr)
