"""The RP² authors' own results for their published circuits (``cultivation/reference/rp2/sample_results``).

For an end-to-end circuit the authors' sinter row holds their decoder's two-dimensional gap histogram with
the **cross-cap gap first** (their sampler writes ``E<mono>|<gap>``: ``mono`` from the paths joining each
detector of the first decoded round's cross-cap to its antipodal image, ``gap`` from the paths joining the
split boundary nodes, X upper/lower and Z left/right); :func:`published_stats` swaps the two, so that keys
read ``C<bd>|<rp>`` as the project's ``gap`` decoder writes them. Its Pareto front is computed here by the same code as the project's own
(:func:`ftq.resources.pareto_points`, every threshold pair), so the two fronts are compared on the same
circuit and the same rule. Nothing is typed in: the numbers come from the CSV.

>>> s = published_series("rp_3_rp_5_sc_11_end2end_6_full_rds.stim")
>>> best = min((p for p in s.points if p.attempts_per_kept <= 10.7), key=lambda p: p.ler)
>>> round(best.attempts_per_kept, 2), f"{best.ler:.3g}"
(10.62, '1.39e-07')
"""

from __future__ import annotations

import collections
import csv
import dataclasses
import math
import pathlib
import sys
from collections.abc import Mapping

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
    return dataclasses.replace(total, custom_counts=swap_gaps(total.custom_counts))


def swap_gaps(counts: Mapping[str, int]) -> collections.Counter:
    """Histogram keys ``C<a>|<b>`` / ``E<a>|<b>`` rewritten as ``C<b>|<a>``; other keys unchanged.

    >>> sorted(swap_gaps({"C3|70": 2, "E90|inf": 1, "S0": 5}).items())
    [('C70|3', 2), ('Einf|90', 1), ('S0', 5)]
    """
    out: collections.Counter = collections.Counter()
    for key, n in counts.items():
        if key[:1] in ("C", "E") and key.count("|") == 1:
            a, b = key[1:].split("|")
            key = f"{key[0]}{b}|{a}"
        out[key] += n
    return out


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
