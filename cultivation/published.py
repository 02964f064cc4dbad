"""The RP² authors' own results for their published circuits (``cultivation/reference/rp2/sample_results``).

For an end-to-end circuit the authors' sinter row holds their decoder's two-dimensional gap histogram
(``C<bd>|<rp>`` / ``E<bd>|<rp>``); its Pareto front is computed here by the same code as the project's own
(:func:`ftq.resources.pareto_points`, every threshold pair), so the two fronts are compared on the same
circuit and the same rule. Nothing is typed in: the numbers come from the CSV.

>>> s = published_series("rp_3_rp_5_sc_11_end2end_6_full_rds.stim")
>>> best = min((p for p in s.points if p.attempts_per_kept <= 10.7), key=lambda p: p.ler)
>>> round(best.attempts_per_kept, 2), f"{best.ler:.3g}"
(10.62, '1.39e-07')
"""

from __future__ import annotations

import csv
import math
import pathlib
import sys

import sinter

from cultivation.reference import RP2
from ftq.plotting import ParetoSeries, SeriesPoint
from ftq.resources import pareto_front, pareto_points


def published_stats(circuit_name: str) -> sinter.TaskStats | None:
    """The authors' merged sinter row for the published circuit file ``circuit_name`` (None if they have none).

    >>> published_stats("rp_3_sc_7_end2end_4_full_rds.stim").shots
    2000000000
    >>> published_stats("my_circuit.stim") is None
    True
    """
    stem = pathlib.Path(circuit_name).stem
    paths = sorted((RP2 / "sample_results").glob(f"{stem}_*combined.csv"))
    if not paths:
        return None
    csv.field_size_limit(sys.maxsize)  # the histogram is one long field
    rows = sinter.read_stats_from_csv_files(*paths)
    total = rows[0]
    for r in rows[1:]:
        total += r
    return total


def published_series(circuit_name: str) -> ParetoSeries | None:
    """The authors' Pareto front (LER per kept shot against attempts per kept shot; no volume) for a
    published circuit file, labelled with their shot count; None when they published no histogram."""
    stats = published_stats(circuit_name)
    if stats is None:
        return None
    front = pareto_front(pareto_points(stats))
    points = [SeriesPoint(p.attempts_per_kept, p.ler, p.ler_low, p.ler_high, math.nan) for p in front]
    label = f"published decoder on {pathlib.Path(circuit_name).stem} (authors' run, {stats.shots:.3g} shots)"
    return ParetoSeries(label, points, volume_formula="not published")
