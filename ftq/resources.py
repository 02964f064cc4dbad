"""Space-time volume per kept state, and the Pareto front over gap thresholds.

Two volume formulas (spec/cultivation.md §6); every report names the one it uses:

* **RP² formula** (:func:`rp2_volume`): V = Σ_segments n_live · τ · P_survive(before segment) / P_accept.
  Segments are the circuit's stages, read from the detector tags: each postselected stage group ends at the
  tick where its last detector is declared; decoded detectors are grouped into rounds by their ``t``
  coordinate. n_live = most qubits live (reset, not yet measured) at any tick of the segment. τ comes from
  the stage's name when the tags carry it and the domain gives a table (``tau_by_stage``, e.g.
  :data:`cultivation.volume.TAU`); published circuits carry stage numbers only, so τ is
  the segment's tick count divided by the ticks of one final-code round, or of the first RP round when
  there is no decoded round (*tick-based τ*, named as such in
  :class:`Volume`). The final noiseless MPP counts as one more final-code round.
* **MSC formula** (:func:`msc_volume`): Σ over tick layers of P(alive) × (qubits activated so far), in
  rounds (divided by ticks per final-code round), plus one final-code round, over the keep rate.

P_survive comes from measured stage survival (``S<i>`` custom counts of :mod:`ftq.sampling`), P_accept from
the kept shots after the gap cut.

>>> import stim
>>> c = stim.Circuit("R 0 1\\nTICK\\nM 0 1\\nDETECTOR[injection,post,Z](0, 0, 0, 0, 1, 1) rec[-1]\\nTICK\\n"
...                  "R 0\\nTICK\\nM 0\\nDETECTOR[surface,decoded,Z](0, 0, 1, 7, 0, 1) rec[-1]")
>>> layout = StageLayout.from_circuit(c, tau_by_stage={"injection": 2.0})
>>> [(s.label, s.tau) for s in layout.segments], layout.tau_source
([('injection', 2.0), ('t=1', 1.0)], 'stage tags')
"""

from __future__ import annotations

import dataclasses
import functools
import math
import operator
from collections.abc import Mapping

import numpy as np
import sinter
import stim

from ftq.errors import InputError
from ftq.tags import read_detector_tags, stage_labels

_RESETS = {"R", "RZ", "RX", "RY"}
_MEAS_RESET = {"MR", "MRZ", "MRX", "MRY"}
_MEAS = {"M", "MZ", "MX", "MY"}


@dataclasses.dataclass(frozen=True)
class Segment:
    """A stretch of ticks belonging to one stage (or one decoded round)."""

    label: str
    stage: str | None  # the stage's name from the tags (None when the tags carry numbers only)
    postselected: bool
    survival_index: int
    first_tick: int
    last_tick: int
    n_live: int
    activated: int
    tau: float


@dataclasses.dataclass(frozen=True)
class StageLayout:
    """Per-tick qubit counts and the stage segments of a circuit."""

    live: tuple[int, ...]
    activated: tuple[int, ...]
    segments: tuple[Segment, ...]
    ticks_per_round: float
    tau_source: str
    final_live: int

    @staticmethod
    def from_circuit(
        circuit: stim.Circuit,
        *,
        tau: Mapping[str, float] | None = None,
        tau_by_stage: Mapping[str, float] | None = None,
        final_stage: str | None = None,
    ) -> StageLayout:
        """Read ticks, live qubits and stage segments from the circuit and its detector tags.

        ``tau`` gives τ per segment label (e.g. ``{"0": 1, "2": 1.5, "t=2": 1.5}``), for circuits whose tags
        carry stage numbers but not stage names (the published ones): named segments take the given τ
        instead of the tick-based one, and the layout's ``tau_source`` says so. ``tau_by_stage`` gives τ
        per stage name (the domain's table, 1 for names it lacks), used when every segment's tags carry a
        name; ``final_stage`` names the stage of the noiseless final readout, which counts as one round.

        >>> import stim
        >>> c = stim.Circuit("R 0\\nTICK\\nM 0\\nDETECTOR(0, 0, 0, 1, 1, 1) rec[-1]")
        >>> StageLayout.from_circuit(c).live
        (1, 1)
        """
        flat = circuit.flattened()
        tags = read_detector_tags(flat)
        live: set[int] = set()
        ever: set[int] = set()
        live_per_tick: list[int] = []
        activated_per_tick: list[int] = []
        peak = 0
        det_tick: list[int] = []
        meas_tick: list[int] = []
        tick = 0
        for inst in flat:
            name = inst.name
            if name == "TICK":
                live_per_tick.append(max(peak, len(live)))
                activated_per_tick.append(len(ever))
                peak = len(live)
                tick += 1
                continue
            if name == "DETECTOR":
                # a detector belongs to the tick of its latest measurement, wherever it is declared
                recs = [t.value for t in inst.targets_copy() if t.is_measurement_record_target]
                det_tick.append(meas_tick[len(meas_tick) + max(recs)] if recs else tick)
                continue
            if stim.gate_data(name).produces_measurements:
                one = stim.Circuit()
                one.append(inst)
                meas_tick += [tick] * one.num_measurements
            qs = [t.value for t in inst.targets_copy() if t.is_qubit_target]
            if name in _RESETS or name in _MEAS_RESET:
                live.update(qs)
                ever.update(qs)
            elif name in _MEAS:
                live.difference_update(qs)
            peak = max(peak, len(live))
        live_per_tick.append(max(peak, len(live)))
        activated_per_tick.append(len(ever))
        final_live = len(live)
        # group detectors into segments in time order
        groups: list[tuple[str, str | None, bool, int]] = []  # label, stage name, post, last tick
        index: dict[str, int] = {}
        for k, (tag, stage_label) in enumerate(zip(tags, stage_labels(flat), strict=True)):
            label = stage_label if tag.postselected else f"t={tag.t:g}"
            if label in index:
                g = index[label]
                groups[g] = (groups[g][0], groups[g][1], groups[g][2], max(groups[g][3], det_tick[k]))
            else:
                index[label] = len(groups)
                groups.append((label, tag.stage_name, tag.postselected, det_tick[k]))
        groups.sort(key=lambda g: g[3])
        known = tau_by_stage is not None and all(g[1] is not None for g in groups)
        raw = []
        start = 0
        post_i = -1
        for label, stage, post, end in groups:
            if end < start:
                end = start
            raw.append((label, stage, post, start, end, post_i))
            if post:
                post_i += 1
            start = end + 1
        decoded = [r for r in raw if not r[2]]
        if decoded:
            spans = [r[4] - r[3] + 1 for r in decoded[1:]] or [decoded[0][4] - decoded[0][3] + 1]
            tpr = float(np.median(spans))
        elif len(raw) >= 2:
            # no decoded round (cultivation only): one syndrome round is the second stage (the first RP round)
            tpr = float(raw[1][4] - raw[1][3] + 1)
        else:
            tpr = float(max(1, len(live_per_tick)))
        labels = [r[0] for r in raw]
        unknown = sorted(set(tau or {}) - set(labels))
        if unknown:
            raise ValueError(
                f"stage τ given for {', '.join(map(repr, unknown))}, which the circuit does not have; "
                f"its segments are {', '.join(map(repr, labels))}"
            )
        segments = []
        for label, stage, post, a, b, surv in raw:
            if tau and label in tau:
                seg_tau = float(tau[label])
            elif known and stage is not None:
                seg_tau = tau_by_stage.get(stage, 1.0)
            elif not post:
                seg_tau = 1.0  # a decoded segment is one round by construction (one detector time t)
            else:
                seg_tau = (b - a + 1) / tpr
            segments.append(
                Segment(
                    label=label,
                    stage=stage,
                    postselected=post,
                    survival_index=surv,
                    first_tick=a,
                    last_tick=b,
                    n_live=max(live_per_tick[min(a, len(live_per_tick) - 1) : b + 1]),
                    activated=activated_per_tick[min(b, len(activated_per_tick) - 1)],
                    tau=seg_tau,
                )
            )
        # a τ = 0 segment (the morph back) runs inside the round after it: that round holds its qubits too
        for i in range(len(segments) - 1):
            if segments[i].tau == 0:
                n_live = max(segments[i].n_live, segments[i + 1].n_live)
                segments[i + 1] = dataclasses.replace(segments[i + 1], n_live=n_live)
        # the last decoded segment that is shorter than half a round is the noiseless final readout (MPP):
        # it counts as one more final-code round
        if (
            len(segments) >= 2
            and not segments[-1].postselected
            and (
                segments[-1].last_tick - segments[-1].first_tick + 1 < tpr / 2
                or (final_stage is not None and segments[-1].stage == final_stage)
            )
        ):
            segments[-1] = dataclasses.replace(segments[-1], tau=1.0, n_live=segments[-2].n_live)
        return StageLayout(
            live=tuple(live_per_tick),
            activated=tuple(activated_per_tick),
            segments=tuple(segments),
            ticks_per_round=tpr,
            tau_source="given" if tau else "stage tags" if known else "tick-based",
            final_live=final_live,
        )


@dataclasses.dataclass(frozen=True)
class Volume:
    """A space-time volume (qubit·rounds per kept state) with the formula that produced it."""

    value: float
    formula: str


def _survival_fraction(survivors: list[int], shots: int, index: int) -> float:
    if index < 0 or not survivors:
        return 1.0
    return survivors[min(index, len(survivors) - 1)] / shots


def rp2_volume(layout: StageLayout, *, survivors: list[int], shots: int, accepted: int) -> Volume:
    """The RP² formula: Σ n_live·τ·P_survive(before) / P_accept (the final MPP segment is one round).

    >>> import stim
    >>> c = stim.Circuit("R 0\\nTICK\\nM 0\\nDETECTOR(0, 0, 0, 1, 1, 1) rec[-1]")
    >>> rp2_volume(StageLayout.from_circuit(c), survivors=[50], shots=100, accepted=50).value
    2.0
    """
    if shots <= 0 or accepted <= 0:
        return Volume(math.inf, f"RP² ({layout.tau_source} τ)")
    total = 0.0
    for seg in layout.segments:
        total += seg.n_live * seg.tau * _survival_fraction(survivors, shots, seg.survival_index)
    return Volume(total / (accepted / shots), f"RP² ({layout.tau_source} τ)")


def msc_volume(layout: StageLayout, *, survivors: list[int], shots: int, accepted: int) -> Volume:
    """The MSC formula: Σ_ticks P(alive)·(qubits activated so far) in rounds, + 1 final round, / keep rate.

    >>> import stim
    >>> c = stim.Circuit("R 0\\nTICK\\nM 0\\nDETECTOR(0, 0, 0, 1, 1, 1) rec[-1]")
    >>> msc_volume(StageLayout.from_circuit(c), survivors=[50], shots=100, accepted=50).value > 0
    True
    """
    if shots <= 0 or accepted <= 0:
        return Volume(math.inf, "MSC")
    alive = np.ones(len(layout.activated))
    for seg in layout.segments:
        p = _survival_fraction(survivors, shots, seg.survival_index)
        alive[seg.first_tick : seg.last_tick + 1] = p
    if layout.segments:
        last = layout.segments[-1]
        alive[last.last_tick + 1 :] = _survival_fraction(survivors, shots, len(survivors) - 1)
    total = float(np.dot(alive, np.array(layout.activated, dtype=float))) / layout.ticks_per_round
    total += layout.activated[-1] * float(alive[-1])
    return Volume(total / (accepted / shots), "MSC")


@dataclasses.dataclass(frozen=True)
class ParetoPoint:
    """Logical error per kept shot at one gap threshold, with its binomial band and cost.

    ``ler_low``/``ler_high`` bound the rates whose likelihood is within a factor 1000 of the best fit's
    (sinter's ``fit_binomial(max_likelihood_factor=1000)``, roughly ±3.7σ for many errors): a likelihood-ratio
    band, not a confidence interval of stated coverage.

    ``gap_db`` is the threshold on the (first) gap; ``gap2_db`` the threshold on the second soft output of
    two-dimensional histograms (the ``gap`` decoder's cross-cap gap), ``None`` for one-dimensional ones.
    """

    gap_db: float
    shots: int
    kept: int
    errors: int
    ler: float
    ler_low: float
    ler_high: float
    attempts_per_kept: float
    volume: Volume | None = None
    volume_msc: Volume | None = None
    gap2_db: float | None = None

    @property
    def threshold(self) -> str:
        """The gap cut in words: ``gap >= 12 dB`` or ``gap >= 80|40 dB`` (boundary|cross-cap)."""
        if self.gap2_db is None:
            return f"gap >= {self.gap_db:g} dB"
        return f"gap >= {self.gap_db:g}|{self.gap2_db:g} dB"


def gap_histogram(custom_counts: Mapping[str, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sorted gap values (dB, ``inf`` last) with kept-correct and kept-error counts per value.

    >>> g, c, e = gap_histogram({"C3": 5, "E3": 1, "C10": 2, "Cinf": 4, "S0": 9})
    >>> g.tolist(), c.tolist(), e.tolist()
    ([3.0, 10.0, inf], [5, 2, 4], [1, 0, 0])
    """
    values: dict[float, list[int]] = {}
    for key, n in custom_counts.items():
        if not key or key[0] not in "CE":
            continue
        try:
            g = float(key[1:])
        except ValueError:
            continue
        slot = values.setdefault(g, [0, 0])
        slot[0 if key[0] == "C" else 1] += int(n)
    gs = np.array(sorted(values), dtype=float)
    return (
        gs,
        np.array([values[g][0] for g in gs], dtype=np.int64),
        np.array([values[g][1] for g in gs], dtype=np.int64),
    )


def gap_histogram_2d(
    custom_counts: Mapping[str, int],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Two-soft-output histogram (keys ``C<g1>|<g2>``): sorted g1 and g2 values, correct and error counts.

    >>> g1, g2, c, e = gap_histogram_2d({"C3|inf": 5, "E3|7": 1, "C10|7": 2, "S0": 9})
    >>> g1.tolist(), g2.tolist(), c.tolist(), e.tolist()
    ([3.0, 10.0], [7.0, inf], [[0, 5], [2, 0]], [[1, 0], [0, 0]])
    """
    cells: dict[tuple[float, float], list[int]] = {}
    for key, n in custom_counts.items():
        if not key or key[0] not in "CE" or "|" not in key:
            continue
        try:
            a, b = (float(v) for v in key[1:].split("|"))
        except ValueError:
            continue
        slot = cells.setdefault((a, b), [0, 0])
        slot[0 if key[0] == "C" else 1] += int(n)
    g1 = np.array(sorted({a for a, _ in cells}), dtype=float)
    g2 = np.array(sorted({b for _, b in cells}), dtype=float)
    correct = np.zeros((len(g1), len(g2)), dtype=np.int64)
    wrong = np.zeros_like(correct)
    i1 = {v: i for i, v in enumerate(g1.tolist())}
    i2 = {v: i for i, v in enumerate(g2.tolist())}
    for (a, b), (c, e) in cells.items():
        correct[i1[a], i2[b]] += c
        wrong[i1[a], i2[b]] += e
    return g1, g2, correct, wrong


@dataclasses.dataclass(frozen=True)
class CalibrationBin:
    """Kept shots whose soft output lies in ``[low, high)`` dB: how many, how many wrong, the error rate with its
    95% Clopper-Pearson interval (``rate_low``, ``rate_high``), and what a calibrated log-likelihood ratio
    promises at the bin's lower edge, ``1 / (1 + 10^(low/10))`` (``model``; the rate of a calibrated soft
    output lies at or below it)."""

    low: float
    high: float
    kept: int
    kept_fraction: float
    errors: int
    rate: float
    rate_low: float
    rate_high: float
    model: float


def gap_calibration(
    custom_counts: Mapping[str, int],
    *,
    axis: int,
    other_min: float = 0.0,
    width: float = 10.0,
    top: float = 100.0,
) -> list[CalibrationBin]:
    """Error rate of kept shots per bin of one soft output of a two-dimensional gap histogram
    (``axis`` 0: the first value of ``C<g1>|<g2>`` keys, 1: the second), among shots whose other soft output is
    at least ``other_min`` dB; bins of ``width`` dB from 0 to ``top`` (the last one open above). Empty bins
    are left out. ``kept_fraction`` is relative to all kept shots of the histogram.

    >>> bins = gap_calibration({"C5|90": 90, "E5|90": 10, "C25|90": 999, "E25|90": 1}, axis=0, top=30)
    >>> [(b.low, b.kept, b.errors, round(b.rate, 3), round(b.model, 3)) for b in bins]
    [(0.0, 100, 10, 0.1, 0.5), (20.0, 1000, 1, 0.001, 0.01)]
    """
    from ftq.importance import clopper_pearson

    if axis not in (0, 1):
        raise InputError(f"axis={axis} must be 0 (boundary gap) or 1 (cross-cap gap)")
    if width <= 0 or top <= 0:
        raise InputError(f"width={width} and top={top} must be positive")
    g1, g2, correct, wrong = gap_histogram_2d(custom_counts)
    total = int(correct.sum() + wrong.sum())
    grid = np.meshgrid(g1, g2, indexing="ij")
    own, other = grid[axis], grid[1 - axis]
    edges = np.arange(0.0, top, width)
    out = []
    for low in edges:
        high = low + width if low + width < top else math.inf
        sel = (other >= other_min) & (own >= low) & (own < high)
        n, k = int(correct[sel].sum() + wrong[sel].sum()), int(wrong[sel].sum())
        if n == 0:
            continue
        lo, hi = clopper_pearson(k, n)
        out.append(CalibrationBin(float(low), float(high), n, n / total, k, k / n, lo, hi,
                                  float(1 / (1 + 10 ** (low / 10)))))  # fmt: skip
    return out


def survivors_from_counts(custom_counts: Mapping[str, int]) -> list[int]:
    """The ``S<i>`` survival counts in stage order.

    >>> survivors_from_counts({"S2": 5, "S0": 9, "C2": 1})
    [9, 0, 5]
    """
    items = {int(k[1:]): int(v) for k, v in custom_counts.items() if k[:1] == "S" and k[1:].isdigit()}
    return [items.get(i, 0) for i in range(max(items) + 1)] if items else []


def _fit(kept: int, errors: int) -> tuple[float, float, float]:
    """(errors / kept, low, high) with the likelihood-ratio-1000 band of :class:`ParetoPoint`."""
    if kept <= 0:
        return math.nan, 0.0, 1.0
    fit = sinter.fit_binomial(num_shots=kept, num_hits=errors, max_likelihood_factor=1000)
    return errors / kept, fit.low, fit.high


def pareto_points(
    stats: sinter.TaskStats, *, layout: StageLayout | None = None, thresholds: list | None = None
) -> list[ParetoPoint]:
    """One point per gap threshold (keep shots with gap ≥ threshold) from a task's gap histogram.

    One-dimensional histograms (``C<g>``) give a point per threshold. Two-dimensional ones (``C<g1>|<g2>``,
    keep shots with g1 ≥ t1 and g2 ≥ t2) give the threshold pairs no other pair beats in both kept shots
    and errors (a superset of the Pareto front; the full grid is thousands of pairs). ``thresholds``
    restricts the output to the given values (numbers, or ``(t1, t2)`` pairs for 2D histograms).

    >>> import sinter
    >>> s = sinter.TaskStats(strong_id="x", decoder="gap", json_metadata={}, shots=100, errors=3, discards=40,
    ...     custom_counts=__import__("collections").Counter({"C0": 10, "E0": 2, "C20": 47, "E20": 1}))
    >>> [(p.gap_db, p.kept, p.errors) for p in pareto_points(s)]
    [(0.0, 60, 3), (20.0, 48, 1)]
    >>> s2 = sinter.TaskStats(strong_id="y", decoder="gap", json_metadata={}, shots=100, errors=3, discards=40,
    ...     custom_counts=__import__("collections").Counter({"C0|9": 10, "E0|9": 2, "C20|9": 47, "E20|1": 1}))
    >>> [(p.threshold, p.kept, p.errors) for p in pareto_points(s2)]
    [('gap >= 0|1 dB', 60, 3), ('gap >= 0|9 dB', 59, 2), ('gap >= 20|1 dB', 48, 1), ('gap >= 20|9 dB', 47, 0)]
    """
    one = gap_histogram(stats.custom_counts)
    two = gap_histogram_2d(stats.custom_counts)
    if len(one[0]) and len(two[0]):
        raise ValueError(
            f"task {stats.strong_id[:12]} mixes one-gap (C<g>) and two-gap (C<g1>|<g2>) histogram keys: "
            "rows sampled by different decoder versions were merged; keep them in separate files"
        )

    def point(kept: int, errors: int, g: float, g2: float | None) -> ParetoPoint:
        return _point(stats, kept, errors, g, g2, layout=layout)

    if len(two[0]):
        g1, g2, cs, es = two
        kept_at = (cs + es)[::-1, ::-1].cumsum(axis=0).cumsum(axis=1)[::-1, ::-1]
        err_at = es[::-1, ::-1].cumsum(axis=0).cumsum(axis=1)[::-1, ::-1]
        if thresholds is not None:
            want = {(float(a), float(b)) for a, b in thresholds}
            cells = [(i, j) for i in range(len(g1)) for j in range(len(g2)) if (g1[i], g2[j]) in want]
        else:
            cells = _undominated(kept_at, err_at)
        return [point(int(kept_at[i, j]), int(err_at[i, j]), g1[i], g2[j]) for i, j in cells]
    gs, cs, es = one
    if len(gs) == 0:
        kept = stats.shots - stats.discards
        gs, cs, es = np.array([math.inf]), np.array([kept - stats.errors]), np.array([stats.errors])
    kept_at = np.cumsum((cs + es)[::-1])[::-1]
    err_at = np.cumsum(es[::-1])[::-1]
    return [
        point(int(kept_at[i]), int(err_at[i]), g, None)
        for i, g in enumerate(gs)
        if thresholds is None or g in thresholds
    ]


def point_at(
    stats: sinter.TaskStats, gap_db: float, gap2_db: float | None = None, *, layout: StageLayout | None = None
) -> ParetoPoint:
    """The point of one threshold (``gap2_db`` for two-dimensional histograms), at any value.

    >>> import collections, sinter
    >>> s = sinter.TaskStats(strong_id="y", decoder="gap", json_metadata={}, shots=100, errors=3, discards=40,
    ...     custom_counts=collections.Counter({"C0|9": 10, "E0|9": 2, "C20|9": 47, "E20|1": 1}))
    >>> p = point_at(s, 15, 5)
    >>> p.kept, p.errors, p.threshold
    (47, 0, 'gap >= 15|5 dB')
    """
    two = gap_histogram_2d(stats.custom_counts)
    if gap2_db is not None:
        g1, g2, cs, es = two
        sel = (g1[:, None] >= gap_db) & (g2[None, :] >= gap2_db)
    else:
        g1, cs, es = gap_histogram(stats.custom_counts)
        sel = g1 >= gap_db
    kept, errors = int(cs[sel].sum() + es[sel].sum()), int(es[sel].sum())
    return _point(stats, kept, errors, gap_db, gap2_db, layout=layout)


def _point(
    stats: sinter.TaskStats,
    kept: int,
    errors: int,
    gap_db: float,
    gap2_db: float | None,
    *,
    layout: StageLayout | None,
) -> ParetoPoint:
    """The point of a cut keeping ``kept`` shots with ``errors`` errors: binomial band and volumes."""
    ler, lo, hi = _fit(kept, errors)
    vol = vol_msc = None
    if layout is not None:
        survivors = survivors_from_counts(stats.custom_counts)
        vol = rp2_volume(layout, survivors=survivors, shots=stats.shots, accepted=kept)
        vol_msc = msc_volume(layout, survivors=survivors, shots=stats.shots, accepted=kept)
    return ParetoPoint(
        gap_db=float(gap_db),
        shots=stats.shots,
        kept=kept,
        errors=errors,
        ler=ler,
        ler_low=lo,
        ler_high=hi,
        attempts_per_kept=stats.shots / kept if kept else math.inf,
        volume=vol,
        volume_msc=vol_msc,
        gap2_db=None if gap2_db is None else float(gap2_db),
    )


def holdout_points(
    rows: list[sinter.TaskStats], *, layout: StageLayout | None = None
) -> list[tuple[ParetoPoint, ParetoPoint]]:
    """Thresholds chosen on half the rows, measured on the other half: (selection point, held-out point).

    Choosing the best of thousands of threshold pairs on the same shots that measure them biases the
    front low (the smallest of many noisy estimates). Rows of one task are independent batches: the
    front is chosen on rows 0, 2, 4, … and each of its thresholds is evaluated on rows 1, 3, 5, ….

    >>> import collections, sinter
    >>> mk = lambda c: sinter.TaskStats(strong_id="y", decoder="gap", json_metadata={}, shots=100,
    ...     errors=c["E0|9"], discards=40, custom_counts=collections.Counter(c))
    >>> pairs = holdout_points([mk({"C0|9": 58, "E0|9": 2}), mk({"C0|9": 59, "E0|9": 1})])
    >>> [(a.errors, b.errors) for a, b in pairs]
    [(2, 1)]
    """
    if len(rows) < 2:
        return []
    a = functools.reduce(operator.add, rows[0::2])
    b = functools.reduce(operator.add, rows[1::2])
    return [
        (p, point_at(b, p.gap_db, p.gap2_db, layout=layout))
        for p in pareto_front(pareto_points(a, layout=layout))
    ]


def _undominated(kept: np.ndarray, errors: np.ndarray) -> list[tuple[int, int]]:
    """Grid cells not beaten by another cell in (more kept shots, fewer errors); ties keep the first."""
    out = []
    best = math.inf
    # most kept first; among equal kept counts the fewest errors first
    order = np.lexsort((errors.ravel(), -kept.ravel()))
    for k in order:
        if kept.flat[k] > 0 and errors.flat[k] < best:
            best = int(errors.flat[k])
            out.append(divmod(k, kept.shape[1]))
    return sorted(out, key=lambda c: (-int(kept[c]), c))


def pareto_front(points: list[ParetoPoint]) -> list[ParetoPoint]:
    """The points not dominated in (LER, attempts per kept shot): lower is better in both.

    A point with no error seen counts with its upper bound: "0 errors in 447 kept shots" does not beat a
    measured 1e-5 (it would otherwise end every front at a tiny, meaningless sample).

    >>> mk = lambda g, k, e, hi=1: ParetoPoint(g, 100, k, e, e / k, 0, hi, 100 / k)
    >>> [p.gap_db for p in pareto_front([mk(0, 60, 6), mk(5, 50, 6), mk(9, 40, 1), mk(20, 2, 0, 0.9)])]
    [0, 9]
    """

    def merit(p: ParetoPoint) -> float:
        return p.ler if p.errors > 0 else p.ler_high

    pts = sorted((p for p in points if p.kept > 0), key=lambda p: (p.attempts_per_kept, merit(p)))
    front = []
    best = math.inf
    for p in pts:
        if merit(p) < best:
            front.append(p)
            best = merit(p)
    return front
