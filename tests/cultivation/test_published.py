import collections

import sinter

from cultivation.published import published_stats, swap_gaps
from ftq.resources import pareto_points


def test_swapping_the_gap_columns_keeps_the_front_and_is_an_involution():
    counts = collections.Counter(
        {"C10|80": 50, "E10|80": 3, "C70|20": 40, "E70|20": 2, "C90|90": 100, "S0": 400}
    )
    assert swap_gaps(swap_gaps(counts)) == counts
    rows = [
        sinter.TaskStats(strong_id="x", decoder="gap", json_metadata={}, shots=400, errors=5, discards=205,
                         custom_counts=c)
        for c in (counts, swap_gaps(counts))
    ]  # fmt: skip
    fronts = [sorted((p.kept, p.errors) for p in pareto_points(r)) for r in rows]
    assert fronts[0] == fronts[1]


def test_published_d5_histogram_reads_boundary_gap_first():
    # the authors' sampler writes the cross-cap ("mono") gap first; after the swap the first column must be the
    # boundary gap: its error rate at high values is far above what the cross-cap column shows there, the
    # calibrated one (error rate within a factor 3 of 1/(1 + 10^(g/10)) from 30 to 70 dB)
    from ftq.resources import gap_histogram_2d

    g1, g2, c, e = gap_histogram_2d(published_stats("rp_3_rp_5_sc_11_end2end_6_full_rds.stim").custom_counts)
    for lo in (30, 40, 50, 60):
        rows = (g1[:, None] >= 50) & (g2[None, :] >= lo) & (g2[None, :] < lo + 10)
        rate = e[rows].sum() / (c[rows].sum() + e[rows].sum())
        model = 1 / (1 + 10 ** (lo / 10))
        assert model / 3 < rate < model * 3, (lo, rate, model)
