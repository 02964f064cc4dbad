"""Subset simulation against exact tail probabilities of a repetition code with a soft output."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.stats
import stim

from ftq.errors import InputError
from ftq.splitting import _Model, _propose, front, subset_simulation

N = 15
P = 0.2
DB = 10 * math.log10((1 - P) / P)  # one fault's weight in dB


def repetition(n: int = N, p: float = P) -> stim.Circuit:
    c = stim.Circuit()
    c.append("X_ERROR", range(n), p)
    c.append("M", range(n))
    for i in range(n - 1):
        c.append("DETECTOR", [stim.target_rec(-n + i), stim.target_rec(-n + i + 1)], [i, 0, 0])
    c.append("OBSERVABLE_INCLUDE", [stim.target_rec(-n)], 0)
    return c


def ml_decoder(dets: np.ndarray):
    """Exact maximum likelihood: the flip pattern (up to complement) from the parities, the lighter one wins;
    soft output = weight difference of the two classes in dB."""
    flips = np.concatenate([np.zeros((len(dets), 1), dtype=bool), np.cumsum(dets, axis=1) % 2 == 1], axis=1)
    w = flips.sum(axis=1)
    pred = (w > N - w)[:, None]  # the complement is lighter: qubit 0 flipped
    return np.ones(len(dets), bool), pred, np.abs(N - 2 * w) * DB + 1e-9


def exact(cut_faults: int) -> tuple[float, float]:
    """(P(wrong, gap ≥ cut), P(gap ≥ cut)) with the gap counted in faults: wrong ⇔ weight ≥ 8, gap = |2w − n|."""
    pw = scipy.stats.binom(N, P).pmf(np.arange(N + 1))
    gap = np.abs(2 * np.arange(N + 1) - N)
    wrong = np.arange(N + 1) > N / 2
    return float(pw[wrong & (gap >= cut_faults)].sum()), float(pw[gap >= cut_faults].sum())


def test_front_contains_the_exact_tail_five_decades_below_plain_errors():
    c = repetition()
    runs = [subset_simulation(c, ml_decoder, errors=200, samples=1000, seed=s) for s in range(1, 11)]
    cuts = [(math.floor(k * DB),) for k in (1, 5, 9, 11, 13)]
    points = front(runs, cuts)
    for k, pt in zip((1, 5, 9, 11, 13), points, strict=True):
        e, kept = exact(k)
        assert pt.ler_low <= e / kept <= pt.ler_high, (k, pt, e / kept)
        assert pt.kept_low <= kept <= pt.kept_high + 1e-12  # (float sum of the pmf: 1 + 9e-16 at cut 1)
    deepest = points[-1]
    e, kept = exact(13)
    assert e / exact(1)[0] < 1e-5  # the deepest cut is five decades below the plain error rate...
    assert deepest.ler_high - deepest.ler_low < 2 * deepest.ler  # ...and still resolved (half-width < 100%)


def test_levels_are_nested_and_level_zero_is_plain_sampling():
    r = subset_simulation(repetition(), ml_decoder, errors=100, samples=300, seed=3)
    thresholds = [lv.threshold for lv in r.levels]
    probs = [lv.probability for lv in r.levels]
    assert thresholds == sorted(thresholds) and len(set(thresholds)) == len(thresholds)
    assert probs == sorted(probs, reverse=True)
    assert r.levels[0].probability == r.errors / r.attempts
    lo, hi = scipy.stats.binom(r.attempts, exact(0)[0]).interval(0.999)
    assert (
        lo <= r.errors <= hi + r.attempts - r.attempts
    )  # errors found stop the plain stage early: r.errors ≥ 100
    assert r.kept == r.attempts  # no postselected detector


def test_chain_move_leaves_the_prior_invariant():
    """Refreshing mechanisms from their prior keeps the fired count's distribution Binomial(n, p)."""
    c = repetition()
    model = _Model(c, ml_decoder)
    rng = np.random.default_rng(5)
    x = model.prior(rng, 20_000)
    for _ in range(5):
        x = _propose(model, rng, x, 0.3)
    counts = np.asarray(x.sum(axis=1)).ravel()
    mean, n = counts.mean(), len(counts)
    sd = math.sqrt(N * P * (1 - P) / n)
    assert abs(mean - N * P) < 4 * sd
    assert abs(counts.var() - N * P * (1 - P)) < 0.1 * N * P * (1 - P)


def test_parameter_errors_name_the_value():
    c = repetition()
    with pytest.raises(InputError, match="p0=1.5"):
        subset_simulation(c, ml_decoder, p0=1.5)
    with pytest.raises(InputError, match="ray has 2 weights"):
        subset_simulation(c, ml_decoder, ray=(1.0, 1.0))
    r = subset_simulation(c, ml_decoder, errors=10, samples=20, seed=1, max_levels=1)
    with pytest.raises(InputError, match="at least two independent runs"):
        front([r], [(0.0,)])
    with pytest.raises(InputError, match="needs 1 soft-output"):
        r.error_mass((1.0, 2.0))


def test_floor_adds_its_mass_at_each_cut_in_proportion_to_the_kept_shots():
    c = repetition()
    runs = [subset_simulation(c, ml_decoder, errors=50, samples=100, seed=s, max_levels=2) for s in (1, 2)]
    cut = (math.floor(5 * DB),)
    plain, floored = front(runs, [cut])[0], front(runs, [cut], floor=1e-3, floor_high=2e-3)[0]
    share = sum(r.kept_at(cut) for r in runs) / sum(r.kept for r in runs)
    assert 0 < share < 1
    assert floored.ler == pytest.approx(plain.ler + 1e-3 * share / plain.kept_fraction)
    assert floored.ler_high == pytest.approx(plain.ler_high + 2e-3 * share / plain.kept_low)
    with pytest.raises(InputError, match="floor=0.002 and floor_high=0.001"):
        front(runs, [cut], floor=2e-3, floor_high=1e-3)


def test_a_run_survives_a_json_round_trip():
    import json

    from ftq.splitting import SplittingRun

    r = subset_simulation(repetition(), ml_decoder, errors=50, samples=200, seed=4)
    back = SplittingRun.from_json(json.loads(json.dumps(r.to_json())))
    for k in (0, 3, 7, 11):
        cut = (math.floor(k * DB),)
        assert back.error_mass(cut) == r.error_mass(cut)
        assert back.kept_at(cut) == r.kept_at(cut)
    assert [lv.threshold for lv in back.levels] == [lv.threshold for lv in r.levels]
    assert (back.attempts, back.kept, back.errors, back.decodes) == (r.attempts, r.kept, r.errors, r.decodes)
