"""Tests of ftq.traced: DEM sampling with the fired mechanisms recorded."""

import numpy as np
import stim

from ftq.sampling import StagedCircuit, sample_packed
from ftq.traced import Mechanisms, trace_failures


def _binomial_close(a: int, n: int, b: int, m: int, z: float = 5.0) -> bool:
    pa, pb = a / n, b / m
    p = (a + b) / (n + m)
    return abs(pa - pb) <= z * np.sqrt(p * (1 - p) * (1 / n + 1 / m)) + 1e-12


def test_recorded_mechanisms_reproduce_each_failure_and_statistics_match_stim():
    c = stim.Circuit.generated(
        "surface_code:rotated_memory_z", distance=3, rounds=2, after_clifford_depolarization=0.02
    )
    mech = Mechanisms.from_circuit(c)
    never = lambda d: (np.ones(len(d), bool), np.zeros((len(d), 1), bool), np.zeros((len(d), 1)))  # noqa: E731
    n = 40_000
    r = trace_failures(c, never, shots=n, seed=3)
    # every failure's detection events and observable are the XOR of the mechanisms said to have fired
    assert len(r.failures) == r.kept_errors > 100
    for f in r.failures[:200]:
        dets = np.asarray(mech.detectors[f.mechanisms].sum(axis=0)).ravel() % 2 == 1
        obs = np.asarray(mech.observables[f.mechanisms].sum(axis=0)).ravel() % 2 == 1
        assert np.array_equal(dets, f.detectors) and np.array_equal(obs, f.observables)
    # the observable's flip rate agrees with stim's own sampler (no postselection in this circuit)
    s = sample_packed(StagedCircuit.from_circuit(c), shots=n, seed=4)
    assert r.kept == n and s.kept == n
    assert _binomial_close(r.kept_errors, n, int(s.observables[:, 0].sum()), n)
