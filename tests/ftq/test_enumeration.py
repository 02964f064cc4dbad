"""Tests for ftq.enumeration: exact low-weight sums against exhaustive enumeration and stim's own search."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import stim

from ftq.enumeration import (
    dem_arrays,
    enumerate_undetected,
    fault_count_distribution,
    postselected_dem,
    postselected_floor,
    silent_floor,
    tail_estimate,
)
from ftq.errors import InputError
from ftq.estimation import enumeration_estimate


def random_dem(seed: int, *, n_mech: int = 16, n_det: int = 7) -> stim.DetectorErrorModel:
    """A random postselected DEM (every detector has 4 coordinates) with one observable."""
    rng = np.random.default_rng(seed)
    dem = stim.DetectorErrorModel()
    for _ in range(n_mech):
        k = int(rng.integers(1, 4))
        dets = sorted(set(int(x) for x in rng.integers(0, n_det, size=k)))
        targets = [stim.target_relative_detector_id(d) for d in dets]
        if rng.random() < 0.4:
            targets.append(stim.target_logical_observable_id(0))
        dem.append("error", float(rng.uniform(0.01, 0.2)), targets)
    for d in range(n_det):
        dem.append("detector", [0, 0, d, 1], [stim.target_relative_detector_id(d)])
    dem.append("logical_observable", [], [stim.target_logical_observable_id(0)])
    return dem


def exhaustive(dem: stim.DetectorErrorModel) -> tuple[dict, float, float]:
    """Counts of kernel sets by (weight, logical), and exact P(kept), P(kept and wrong), by brute force."""
    arr = dem_arrays(dem)
    n = arr.num_mechanisms
    syn = [int(arr.masks[i, 0]) for i in range(n)]
    counts: dict = {}
    kept = wrong = 0.0
    for bits in itertools.product([0, 1], repeat=n):
        s = o = 0
        prob = 1.0
        for i, b in enumerate(bits):
            if b:
                s ^= syn[i]
                o ^= int(arr.obs[i])
                prob *= arr.p[i]
            else:
                prob *= 1 - arr.p[i]
        if s == 0:
            kept += prob
            wrong += prob * (o != 0)
            key = (sum(bits), o != 0)
            counts[key] = counts.get(key, 0) + 1
    return counts, kept, wrong


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_low_weight_sets_match_exhaustive_enumeration(seed):
    dem = random_dem(seed)
    counts, kept, wrong = exhaustive(dem)
    kernel_weights = [w for (w, _lg) in counts if w > 0]
    w_min = min(kernel_weights) if kernel_weights else 99
    res = enumerate_undetected(dem, max_weight=8)
    # Below twice the smallest kernel weight every kernel set is primitive, so the search must find all of them.
    for w in range(1, min(8, 2 * w_min - 1) + 1):
        assert res.counts_logical[w] == counts.get((w, True), 0)
        assert res.counts_benign[w] == counts.get((w, False), 0)
    # Never more sets than exist at any weight.
    for w in range(1, 9):
        assert res.counts_logical[w] + res.counts_benign[w] <= counts.get((w, True), 0) + counts.get(
            (w, False), 0
        )
    # The exact kept fraction is bounded below by the enumerated one.
    assert res.kept_fraction <= kept * (1 + 1e-12)


@pytest.mark.parametrize("seed", [5, 6, 7])
def test_full_depth_enumeration_brackets_exact_rate(seed):
    dem = random_dem(seed, n_mech=12, n_det=6)
    counts, kept, wrong = exhaustive(dem)
    res = enumerate_undetected(dem, max_weight=12)
    assert res.tail_probability < 1e-15  # nothing beyond weight 12 exists: only unions are missing
    missing = kept / math.exp(res.log_no_fault) - res.kept_sum
    assert -1e-12 <= missing <= res.composite_bound * (1 + 1e-9)
    e = enumeration_estimate(dem, max_weight=12)
    assert e.ler_low <= wrong / kept <= e.ler_high


def test_fault_count_distribution_matches_binomial():
    p = np.full(10, 0.1)
    dist = fault_count_distribution(p, k_max=10)
    expected = [math.comb(10, k) * 0.1**k * 0.9 ** (10 - k) for k in range(11)]
    assert np.allclose(dist, expected)


def test_decoded_detectors_are_rejected():
    c = stim.Circuit("X_ERROR(0.1) 0\nM 0\nDETECTOR(0, 0, 0) rec[-1]\nOBSERVABLE_INCLUDE(0) rec[-1]")
    with pytest.raises(InputError, match="decoded"):
        postselected_dem(c)


def test_bad_max_weight_is_input_error():
    c = stim.Circuit("X_ERROR(0.1) 0\nM 0\nDETECTOR(0, 0, 0, 1) rec[-1]\nOBSERVABLE_INCLUDE(0) rec[-1]")
    with pytest.raises(InputError, match="max weight"):
        enumerate_undetected(c, max_weight=0)


@pytest.mark.parametrize("name", ["rp_3_T_cult.stim", "rp_3_rp_5_T_cult.stim"])
def test_fault_distance_agrees_with_stim_search(reference_dir, name):
    c = stim.Circuit.from_file(reference_dir / "rp2" / name)
    shortest = c.search_for_undetectable_logical_errors(
        dont_explore_detection_event_sets_with_size_above=6,
        dont_explore_edges_with_degree_above=99,
        dont_explore_edges_increasing_symptom_degree=False,
        canonicalize_circuit_errors=True,
    )
    res = enumerate_undetected(c, max_weight=4)
    assert res.fault_distance == len(shortest)


def test_d3_cultivation_rate_inside_published_interval(reference_dir):
    """Published d=3: 856 errors among kept shots of 2e9 (kept 51.4%); the exact low-weight sum must agree."""
    c = stim.Circuit.from_file(reference_dir / "rp2" / "rp_3_T_cult.stim")
    res = enumerate_undetected(c, max_weight=5)
    kept = 0.514 * 2e9
    lo, hi = (856 - 1.96 * math.sqrt(856)) / kept, (856 + 1.96 * math.sqrt(856)) / kept
    assert lo < res.ler < hi
    assert abs(res.kept_fraction - 0.514) < 0.001


@pytest.mark.parametrize("seed", [1, 2])
def test_tail_estimate_is_unbiased_against_exact_sums(seed):
    dem = random_dem(seed, n_mech=18, n_det=8)
    exact = enumerate_undetected(dem, max_weight=6)
    est = tail_estimate(dem, max_weight=6, paths=200_000, seed=seed)
    for w in range(1, 7):
        for got, se, want in (
            (est.sum_logical[w], est.se_logical[w], exact.sum_logical[w]),
            (est.sum_benign[w], est.se_benign[w], exact.sum_benign[w]),
        ):
            assert abs(got - want) <= 5 * se + 1e-12 * (1 + want)
            if want == 0:
                assert got == 0


def test_tail_estimate_on_d3_cultivation_matches_enumeration(reference_dir):
    c = stim.Circuit.from_file(reference_dir / "rp2" / "rp_3_T_cult.stim")
    exact = enumerate_undetected(c, max_weight=5)
    est = tail_estimate(c, max_weight=5, paths=300_000, seed=7)
    for w in (3, 4, 5):
        assert est.sum_logical[w] == pytest.approx(exact.sum_logical[w], rel=0.15)


def test_silent_floor_keeps_decoded_detectors_silent():
    # the single fault on qubit 0 flips the decoded detector and the observable: the floor needs a second fault
    # to silence the detector, while the postselected-only count (decoded detector ignored) sees weight 1
    c = stim.Circuit("""
        X_ERROR(0.01) 0 1
        CX 0 2 1 2
        M 2 0
        DETECTOR(0, 0, 0) rec[-2]
        OBSERVABLE_INCLUDE(0) rec[-1]""")
    floor = silent_floor(c, max_weight=3)
    assert floor.fault_distance == 2
    assert enumerate_undetected(c, max_weight=3, allow_decoded=True).fault_distance == 1
    r = 0.01 / 0.99
    assert floor.sum_logical[2] == pytest.approx(r * r)


def test_silent_floor_needs_an_observable():
    with pytest.raises(InputError, match="OBSERVABLE_INCLUDE"):
        silent_floor(stim.Circuit("X_ERROR(0.1) 0\nM 0\nDETECTOR(0, 0, 0) rec[-1]"))


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_postselected_floor_counts_match_exhaustive_subsets(seed):
    """Only mechanisms that flip a postselected detector enter; their sets must silence every detector."""
    rng = np.random.default_rng(seed)
    dem = stim.DetectorErrorModel()
    n_post, n_dec = 4, 4
    for _ in range(14):
        dets = sorted(set(int(x) for x in rng.integers(0, n_post + n_dec, size=int(rng.integers(1, 4)))))
        targets = [stim.target_relative_detector_id(d) for d in dets]
        if rng.random() < 0.4:
            targets.append(stim.target_logical_observable_id(0))
        dem.append("error", float(rng.uniform(0.01, 0.2)), targets)
    for d in range(n_post + n_dec):
        dem.append(
            "detector", [0, 0, d, 1] if d < n_post else [0, 0, d], [stim.target_relative_detector_id(d)]
        )
    dem.append("logical_observable", [], [stim.target_logical_observable_id(0)])
    mechanisms = []
    for inst in dem.flattened():
        if inst.type == "error":
            dets = {t.val for t in inst.targets_copy() if t.is_relative_detector_id()}
            obs = any(t.is_logical_observable_id() for t in inst.targets_copy())
            if dets & set(range(n_post)):
                mechanisms.append((sum(1 << d for d in dets), obs))
    counts: dict = {}
    for bits in itertools.product([0, 1], repeat=len(mechanisms)):
        syn = obs = 0
        for b, (s, o) in zip(bits, mechanisms, strict=True):
            if b:
                syn ^= s
                obs ^= o
        if syn == 0 and any(bits):
            counts[(sum(bits), bool(obs))] = counts.get((sum(bits), bool(obs)), 0) + 1
    res = postselected_floor(dem, max_weight=6)
    assert res.num_mechanisms == len(mechanisms)
    w_min = min((w for w, _ in counts), default=99)
    for w in range(1, min(6, 2 * w_min - 1) + 1):
        assert res.counts_logical[w] == counts.get((w, True), 0)
        assert res.counts_benign[w] == counts.get((w, False), 0)
