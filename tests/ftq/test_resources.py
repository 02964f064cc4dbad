"""Tests of ftq.resources: stage layout from tags, the two volume formulas, Pareto points and front."""

import collections
import math

import numpy as np
import pytest
import sinter
import stim

from ftq.resources import (
    ParetoPoint,
    StageLayout,
    gap_histogram,
    holdout_points,
    msc_volume,
    pareto_front,
    pareto_points,
    point_at,
    rp2_volume,
    survivors_from_counts,
)


@pytest.fixture(scope="module")
def e2e_layout(reference_dir):
    return StageLayout.from_circuit(
        stim.Circuit.from_file(reference_dir / "rp2" / "rp_3_sc_7_end2end_4_full_rds.stim")
    )


def test_layout_reads_stages_and_live_qubits(e2e_layout):
    # spec §3: 103 qubits live at peak in the d=3 -> sc7 circuit; one RP-3 round has 9 data + 10 ancillas
    assert max(e2e_layout.live) == 103
    labels = [s.label for s in e2e_layout.segments]
    assert labels[:5] == ["0", "1", "2", "3", "4"]
    assert all(s.postselected for s in e2e_layout.segments[:5])
    assert not any(s.postselected for s in e2e_layout.segments[5:])
    assert e2e_layout.segments[0].n_live == 9 + 10
    assert e2e_layout.tau_source == "tick-based"
    # segments tile the ticks in order
    for a, b in zip(e2e_layout.segments, e2e_layout.segments[1:], strict=False):
        assert b.first_tick == a.last_tick + 1


def test_a_detector_belongs_to_the_tick_of_its_latest_measurement():
    # declaring the first detector one tick late must not move the boundary between the two segments
    body = "R 0 1\nTICK\nM 0\n{a}TICK\n{b}TICK\nM 1\nDETECTOR(0, 0, 1, 5, 1, 1) rec[-1]"
    det = "DETECTOR(0, 0, 0, 3, 1, 1) rec[-1]\n"
    spans = [
        [(s.first_tick, s.last_tick) for s in StageLayout.from_circuit(stim.Circuit(c)).segments]
        for c in (body.format(a=det, b=""), body.format(a="", b=det))
    ]
    assert spans[0] == spans[1] == [(0, 1), (2, 3)]


def test_decoded_segments_of_unknown_stage_are_one_round_each():
    # published convention (3 coordinates: decoded, stage unknown); the first decoded round takes 4 ticks,
    # the second 2: each is one round (τ = 1), not its tick count over the median round length
    c = stim.Circuit("""
        R 0
        TICK
        M 0
        DETECTOR(0, 0, 0, 0) rec[-1]
        TICK
        R 0
        TICK
        TICK
        TICK
        M 0
        DETECTOR(0, 0, 1) rec[-1]
        TICK
        R 0
        TICK
        M 0
        DETECTOR(0, 0, 2) rec[-1]
    """)
    layout = StageLayout.from_circuit(c)
    assert layout.tau_source == "tick-based"
    decoded = [s for s in layout.segments if not s.postselected]
    assert [(s.last_tick - s.first_tick + 1, s.tau) for s in decoded] == [(4, 1.0), (2, 1.0)]


def test_volume_scales_with_acceptance_and_survival(e2e_layout):
    shots = 10**6
    surv = [int(f * shots) for f in (0.912, 0.831, 0.772, 0.642, 0.562)]
    v1 = rp2_volume(e2e_layout, survivors=surv, shots=shots, accepted=shots // 2)
    v2 = rp2_volume(e2e_layout, survivors=surv, shots=shots, accepted=shots // 4)
    assert v2.value == pytest.approx(2 * v1.value)
    better = rp2_volume(e2e_layout, survivors=[shots] * 5, shots=shots, accepted=shots // 2)
    assert better.value > v1.value  # more survivors -> more qubit-rounds spent per attempt
    assert "RP²" in v1.formula
    m = msc_volume(e2e_layout, survivors=surv, shots=shots, accepted=shots // 2)
    assert m.formula == "MSC" and m.value > 0
    assert math.isinf(rp2_volume(e2e_layout, survivors=surv, shots=shots, accepted=0).value)


def test_published_volume_order_of_magnitude(e2e_layout):
    # spec §7: V ~ 912 at 2.37 attempts per kept shot; the tick-based tau is an approximation (within 20%)
    shots = 10**6
    surv = [int(f * shots) for f in (0.912, 0.831, 0.772, 0.642, 0.562)]
    v = rp2_volume(e2e_layout, survivors=surv, shots=shots, accepted=int(shots / 2.37)).value
    assert 0.8 * 912 < v < 1.2 * 912


#: spec §6 τ for the published d=3 end-to-end circuit's numbered stages (as in its sweep spec)
PUBLISHED_D3_TAU = {"0": 1.0, "1": 1.0, "2": 1.5, "3": 1.0, "4": 0.0, "t=2": 1.5}


def test_published_volume_with_stage_tau_from_the_spec(reference_dir):
    c = stim.Circuit.from_file(reference_dir / "rp2" / "rp_3_sc_7_end2end_4_full_rds.stim")
    layout = StageLayout.from_circuit(c, tau=PUBLISHED_D3_TAU)
    assert layout.tau_source == "given"
    assert {s.label: s.tau for s in layout.segments if s.label in PUBLISHED_D3_TAU} == PUBLISHED_D3_TAU
    # with the published stage survival at 2.37 attempts per kept shot: the published V ~ 912, within 2%
    shots = 10**6
    surv = [int(f * shots) for f in (0.912, 0.831, 0.772, 0.642, 0.562)]
    v = rp2_volume(layout, survivors=surv, shots=shots, accepted=int(shots / 2.37))
    assert v.value == pytest.approx(912, rel=0.02)
    assert "given" in v.formula
    with pytest.raises(ValueError, match="'9'.*segments are"):
        StageLayout.from_circuit(c, tau={"9": 1.0})


def _stats(counts, shots=1000, discards=400, errors=None):
    errors = sum(v for k, v in counts.items() if k[0] == "E") if errors is None else errors
    return sinter.TaskStats(
        strong_id="s",
        decoder="gap",
        json_metadata={},
        shots=shots,
        errors=errors,
        discards=discards,
        custom_counts=collections.Counter(counts),
    )


def test_pareto_points_are_cumulative_from_the_top():
    counts = {"C0": 100, "E0": 10, "C5": 200, "E5": 3, "C40": 286, "E40": 1, "S0": 700, "S1": 600}
    pts = pareto_points(_stats(counts))
    assert [p.gap_db for p in pts] == [0, 5, 40]
    assert [p.kept for p in pts] == [600, 490, 287]
    assert [p.errors for p in pts] == [14, 4, 1]
    for p in pts:
        assert p.ler_low <= p.ler <= p.ler_high
        assert p.attempts_per_kept == pytest.approx(1000 / p.kept)
    assert survivors_from_counts(counts) == [700, 600]
    g, c, e = gap_histogram(counts)
    assert g.tolist() == [0, 5, 40] and c.sum() + e.sum() == 600


def test_pareto_front_is_not_dominated():
    mk = lambda g, k, e: ParetoPoint(g, 1000, k, e, e / k, 0, 1, 1000 / k)  # noqa: E731
    pts = [mk(0, 600, 14), mk(5, 490, 4), mk(7, 480, 5), mk(40, 287, 1)]
    front = pareto_front(pts)
    assert [p.gap_db for p in front] == [0, 5, 40]
    for p in front:
        assert not any(q.ler < p.ler and q.attempts_per_kept <= p.attempts_per_kept for q in pts)


def test_cultivation_only_layout(reference_dir):
    c = stim.Circuit.from_file(reference_dir / "rp2" / "rp_3_T_cult.stim")
    layout = StageLayout.from_circuit(c)
    assert [s.label for s in layout.segments] == ["0", "1", "2", "3", "4", "5"]
    assert layout.ticks_per_round == layout.segments[1].last_tick - layout.segments[1].first_tick + 1
    shots = 1000
    v = rp2_volume(layout, survivors=[900, 800, 700, 600, 550, 500], shots=shots, accepted=500)
    assert math.isfinite(v.value) and v.value > 19  # at least one 19-qubit round per kept state


def _random_2d_counts(rng, n_cells=40):
    counts = collections.Counter()
    for _ in range(n_cells):
        a, b = int(rng.integers(0, 60)), int(rng.integers(0, 30))
        counts[f"C{a}|{b}"] += int(rng.integers(1, 50))
        if rng.random() < 0.3:
            counts[f"E{a}|{b}"] += int(rng.integers(1, 4))
    counts["Cinf|inf"] += 5
    return counts


def test_two_gap_points_match_brute_force_cuts_and_nothing_beats_them():
    rng = np.random.default_rng(12)
    counts = _random_2d_counts(rng)
    kept_total = sum(v for k, v in counts.items() if k[0] in "CE")
    stats = _stats(counts, shots=kept_total + 400)
    cells = []
    for key, n in counts.items():
        a, b = (float(v) for v in key[1:].split("|"))
        cells.append((a, b, key[0] == "E", n))

    def cut(t1, t2):
        kept = sum(n for a, b, _, n in cells if a >= t1 and b >= t2)
        return kept, sum(n for a, b, e, n in cells if e and a >= t1 and b >= t2)

    pts = pareto_points(stats)
    assert pts[0].kept == kept_total  # the lowest pair keeps everything
    for p in pts:
        assert (p.kept, p.errors) == cut(p.gap_db, p.gap2_db)
        assert (p.kept, p.errors) == (
            point_at(stats, p.gap_db, p.gap2_db).kept,
            point_at(stats, p.gap_db, p.gap2_db).errors,
        )
    # every threshold pair on the grid is matched or beaten (more kept and no more errors) by a listed point
    g1 = sorted({a for a, _, _, _ in cells})
    g2 = sorted({b for _, b, _, _ in cells})
    for t1 in g1:
        for t2 in g2:
            k, e = cut(t1, t2)
            if k:
                assert any(p.kept >= k and p.errors <= e for p in pts)


def test_mixed_one_and_two_gap_histograms_are_refused():
    with pytest.raises(ValueError, match="mixes one-gap"):
        pareto_points(_stats({"C3": 5, "C3|4": 5}))


def test_holdout_measures_thresholds_on_disjoint_rows():
    rng = np.random.default_rng(5)
    rows = []
    for _ in range(6):
        c = _random_2d_counts(rng, 20)
        kept = sum(v for k, v in c.items() if k[0] in "CE")
        rows.append(_stats(c, shots=kept + 100))
    pairs = holdout_points(rows)
    assert pairs
    total = rows[0]
    for r in rows[1:]:
        total = total + r
    for a, b in pairs:
        assert (a.gap_db, a.gap2_db) == (b.gap_db, b.gap2_db)
        whole = point_at(total, a.gap_db, a.gap2_db)
        assert a.kept + b.kept == whole.kept and a.errors + b.errors == whole.errors
        assert a.shots + b.shots == total.shots


def test_gap_calibration_bins_hold_the_true_rate_and_filter_on_the_other_gap():
    from ftq.resources import gap_calibration

    rng = np.random.default_rng(5)
    counts = {}
    truth = {}
    for g in (5, 15, 25, 35):
        p = 1 / (1 + 10 ** (g / 10))
        truth[float(g - g % 10)] = p
        n = 200_000
        k = int(rng.binomial(n, p))
        counts[f"C{g}|80"] = n - k
        counts[f"E{g}|80"] = k
    counts["E60|3"] = 50  # other gap below other_min: must not count
    bins = gap_calibration(counts, axis=0, other_min=10, top=40)
    assert [b.low for b in bins] == [0.0, 10.0, 20.0, 30.0]
    for b in bins:
        assert b.rate_low <= truth[b.low] <= b.rate_high
        assert b.rate <= b.model  # a calibrated output stays below the promise at the lower edge
    assert sum(b.kept for b in bins) == 800_000
    swapped = gap_calibration(counts, axis=1, other_min=0, top=100)
    assert [(b.low, b.errors) for b in swapped] == [(0.0, 50), (80.0, sum(b.errors for b in bins))]
