"""Tests for ftq.importance: reweighted and stratified sampling against exact rates."""

from __future__ import annotations

import pytest
import stim

from ftq.errors import InputError
from ftq.importance import importance_sample, stratified_sample
from tests.ftq.test_enumeration import exhaustive, random_dem

TOY = """
    X_ERROR({p}) 0 1
    CX 0 2 1 2
    M 2 0
    DETECTOR(0, 0, 0, 1) rec[-2]
    OBSERVABLE_INCLUDE(0) rec[-1]
"""


def toy_exact(p: float) -> float:
    """Both X errors cancel on the check qubit and flip the data qubit: LER = p² / ((1−p)² + p²)."""
    return p * p / ((1 - p) ** 2 + p * p)


@pytest.mark.parametrize("p", [0.001, 0.01])
def test_scaled_interval_contains_exact_rate(p):
    c = stim.Circuit(TOY.format(p=p))
    r = importance_sample(c, shots=200_000, scale=0.2 / p, seed=11)
    assert r.ler_low < toy_exact(p) < r.ler_high
    assert r.ess > 10
    assert r.scale == pytest.approx(0.2 / p)


@pytest.mark.parametrize("p", [0.001, 0.01])
def test_stratified_interval_contains_exact_rate(p):
    c = stim.Circuit(TOY.format(p=p))
    r = stratified_sample(c, samples=200_000, seed=12)
    # the only kept pair is the logical one, so every stratum is exact here
    assert r.ler_low <= toy_exact(p) * (1 + 1e-9) and toy_exact(p) <= r.ler_high * (1 + 1e-9)
    assert r.kept_fraction == pytest.approx((1 - p) ** 2 + p * p, rel=1e-3)


@pytest.mark.parametrize("seed", [1, 2])
def test_stratified_matches_exhaustive_on_random_models(seed):
    dem = random_dem(seed, n_mech=14, n_det=6)
    _, kept, wrong = exhaustive(dem)
    r = stratified_sample(dem, samples=400_000, seed=seed)
    assert r.ler_low <= wrong / kept <= r.ler_high
    assert r.kept_fraction == pytest.approx(kept, rel=0.02)


def test_scaling_does_not_bias_kept_fraction():
    dem = random_dem(3, n_mech=14, n_det=6)
    _, kept, _ = exhaustive(dem)
    r = importance_sample(dem, shots=300_000, scale=1.5, seed=4)
    assert r.kept_fraction == pytest.approx(kept, rel=0.05)


def test_target_stops_early():
    c = stim.Circuit(TOY.format(p=0.01))
    r = stratified_sample(c, samples=10_000_000, target_rel_error=0.2, seed=5)
    assert sum(r.samples.values()) < 10_000_000
    assert (r.ler_high - r.ler_low) / 2 <= 0.2 * r.ler


def test_bad_arguments_are_input_errors():
    c = stim.Circuit(TOY.format(p=0.01))
    with pytest.raises(InputError):
        importance_sample(c, shots=0)
    with pytest.raises(InputError):
        importance_sample(c, scale=-1.0)
    with pytest.raises(InputError):
        stratified_sample(c, target_rel_error=2.0)


def test_stratified_agrees_with_brute_force_on_d3_cultivation(reference_dir):
    """d=3 cultivation-only at 3× the published noise: the two 95% intervals must overlap."""
    from ftq.estimation import brute_force, scale_noise

    c = scale_noise(stim.Circuit.from_file(reference_dir / "rp2" / "rp_3_T_cult.stim"), 3.0)
    s = stratified_sample(c, samples=3_000_000, seed=21)
    b = brute_force(c, shots=8_000_000, seed=22)
    assert b.details.errors >= 10
    assert s.ler_low <= b.ler_high and b.ler_low <= s.ler_high


def test_scaled_interval_without_logical_errors_keeps_a_rigorous_upper_end():
    """Too few shots to see one logical error: the delta method alone would print [0, 0]; the upper end must
    still hold the exact rate (the largest weight times the exact bound on the hit fraction)."""
    c = stim.Circuit(TOY.format(p=0.001))
    r = importance_sample(c, shots=2_000, scale=2.0, seed=5)
    assert r.hits == 0
    assert r.ler_low == 0 and r.ler_high >= toy_exact(0.001)
