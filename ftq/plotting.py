"""Plots: logical error per kept state vs attempts per kept shot and vs space-time volume, beside baselines.

Baselines are :class:`ParetoSeries` too (the cultivation domain reads MSC's, :mod:`cultivation.msc`); every
LER here is in the S-proxy convention, and the axis labels name it.

>>> import tempfile, pathlib
>>> out = pathlib.Path(tempfile.mkdtemp()) / "p.png"
>>> pts = [ParetoSeries("demo", [SeriesPoint(2.0, 1e-3, 5e-4, 2e-3, 500.0)])]
>>> plot_pareto(pts, msc=[], out=out).exists()
True
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
import operator
import pathlib
from typing import NamedTuple

from ftq.errors import InputError

CONVENTION = "S-proxy"


class SeriesPoint(NamedTuple):
    """One point of a curve: cost, logical error rate with its band, volume (nan when unknown)."""

    attempts_per_kept: float
    ler: float
    ler_low: float
    ler_high: float
    volume: float


@dataclasses.dataclass(frozen=True)
class ParetoSeries:
    """One curve: label, points (:class:`SeriesPoint`), the name of the volume formula they use, and whether it
    is estimated (subset simulation: drawn as separate points with their intervals as error bars)."""

    label: str
    points: list[SeriesPoint]
    volume_formula: str = "RP² formula"
    estimated: bool = False  # a rare-event estimate: points with error bars, a distinct marker, no line


def plot_pareto(
    series: list[ParetoSeries], *, msc: list[ParetoSeries], out: str | pathlib.Path, title: str | None = None
) -> pathlib.Path:
    """Two panels: LER vs attempts per kept shot, LER vs volume; project curves beside MSC. PNG or SVG.

    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "p.svg"
    >>> plot_pareto([ParetoSeries("x", [SeriesPoint(2.0, 1e-3, 5e-4, 2e-3, 100.0)])], msc=[], out=out).suffix
    '.svg'
    """
    out = pathlib.Path(out)
    if out.suffix.lower() not in (".png", ".svg"):
        raise InputError(f"plot output {str(out)!r} must end in .png or .svg.")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n_labels = len(series) + len(msc)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.5 + 0.16 * n_labels))
    for s, style in [(s, "-o") for s in series] + [(m, "--s") for m in msc]:
        all_pts = [pt for pt in s.points if pt.attempts_per_kept > 0 and math.isfinite(pt.attempts_per_kept)]
        pts = [pt for pt in all_pts if pt.ler > 0]
        zero = [pt for pt in all_pts if pt.ler <= 0]  # no error seen: only an upper bound, drawn as ▼
        if not all_pts:
            continue
        color = None
        if pts and s.estimated:
            bars = ax1.errorbar(
                [pt.attempts_per_kept for pt in pts],
                [pt.ler for pt in pts],
                yerr=[[pt.ler - max(pt.ler_low, 0.0) for pt in pts], [pt.ler_high - pt.ler for pt in pts]],
                fmt="D",
                ms=3,
                capsize=2,
                elinewidth=0.8,
                label=s.label,
            )
            color = bars.lines[0].get_color()
        elif pts:
            att = [pt.attempts_per_kept for pt in pts]
            line = ax1.plot(att, [pt.ler for pt in pts], style, ms=3, label=s.label)[0]
            color = line.get_color()
            ax1.fill_between(
                att, [pt.ler_low for pt in pts], [pt.ler_high for pt in pts], color=color, alpha=0.2
            )
            vol = sorted(
                (pt.volume, pt.ler, pt.ler_low, pt.ler_high) for pt in pts if math.isfinite(pt.volume)
            )
            if vol:
                x = [v[0] for v in vol]
                ax2.plot(
                    x, [v[1] for v in vol], style, ms=3, color=color, label=f"{s.label} [{s.volume_formula}]"
                )
                ax2.fill_between(x, [v[2] for v in vol], [v[3] for v in vol], color=color, alpha=0.2)
        for pt in zero:
            ax1.plot([pt.attempts_per_kept], [pt.ler_high], "v", color=color, ms=5)
            if math.isfinite(pt.volume):
                ax2.plot([pt.volume], [pt.ler_high], "v", color=color, ms=5)
    for ax in (ax1, ax2):
        ax.set_yscale("log")
        ax.set_xscale("log")
        ax.grid(True, which="both", alpha=0.3)
        ax.set_ylabel(f"logical error per kept state ({CONVENTION})")
    ax1.set_xlabel("attempts per kept shot (▼: no error seen, upper bound)")
    ax2.set_xlabel("space-time volume per kept state (qubit·rounds)")
    for ax in (ax1, ax2):  # below the panels: the curves stay visible however many there are
        if ax.get_legend_handles_labels()[0]:  # (estimated points have no volume panel)
            ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.14))
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out)
    plt.close(fig)
    return out


def _rows_by_id(stats: list) -> dict[str, list]:
    """Rows grouped by task (strong id), in first-seen order."""
    rows: dict[str, list] = {}
    for s in stats:
        rows.setdefault(s.strong_id, []).append(s)
    return rows


def _merge_by_id(stats: list) -> dict[str, object]:
    """Rows of the same task (same strong id) added together, in first-seen order."""
    return {sid: functools.reduce(operator.add, rows) for sid, rows in _rows_by_id(stats).items()}


def _thin(items: list, max_points: int) -> list:
    """About ``max_points`` evenly spaced items, always with the last one."""
    step = max(1, len(items) // max_points)
    return items[::step] + ([items[-1]] if items and (len(items) - 1) % step else [])


def series_from_stats(stats: list, *, layout_for=None) -> list[ParetoSeries]:
    """Pareto fronts (over gap thresholds) of sinter stats rows, one series per task.

    ``layout_for(json_metadata)`` returns the task's :class:`ftq.resources.StageLayout` (or None: no volume).

    >>> import collections, sinter
    >>> s = sinter.TaskStats(strong_id="x", decoder="gap", json_metadata={"p": 0.001}, shots=10000, errors=200,
    ...     discards=6980, custom_counts=collections.Counter({"C1": 20, "E1": 200, "C30": 2800}))
    >>> [round(pt.attempts_per_kept, 2) for pt in series_from_stats([s])[0].points]
    [3.31, 3.57]
    """
    from ftq.resources import pareto_front, pareto_points

    merged = _merge_by_id(stats)
    out = []
    for s in merged.values():
        meta = s.json_metadata if isinstance(s.json_metadata, dict) else {}
        layout = layout_for(meta) if layout_for is not None else None
        front = pareto_front(pareto_points(s, layout=layout))
        pts = [
            SeriesPoint(
                p.attempts_per_kept, p.ler, p.ler_low, p.ler_high, p.volume.value if p.volume else math.nan
            )
            for p in front
        ]
        what = meta.get("circuit") or f"{meta.get('protocol', '?')} d1={meta.get('d1')} D={meta.get('D')}"
        version = f" v{meta['decoder_version']}" if "decoder_version" in meta else ""
        label = f"RP² {what} p={meta.get('p')} [{s.decoder}{version}] ({s.shots:,} shots)"
        formula = front[0].volume.formula if front and front[0].volume else "RP² formula"
        out.append(ParetoSeries(label, pts, volume_formula=formula))
    return out


def series_from_splitting(tasks: dict) -> list[ParetoSeries]:
    """Estimated fronts of splitting runs (:func:`ftq.splitting_sweep.read_splitting`), one series per task
    with at least two runs: the front at cuts along the ray (:func:`ftq.splitting_sweep.estimated_front`),
    only the points whose interval has a finite, non-zero upper end (:func:`ftq.splitting_sweep.shown`).

    >>> import numpy as np
    >>> from ftq.splitting import Level, SplittingRun
    >>> runs = [SplittingRun(100, 50, 5, (1.0,), (Level(-np.inf, m, m, 1.0, np.array([[3.0], [9.0]])),),
    ...                      np.array([[3.0], [9.0]]), np.array([40, 10]), 0, 1.0) for m in (0.05, 0.06)]
    >>> (s,) = series_from_splitting({"a": ({"p": 0.1}, runs, None)})
    >>> s.label, len(s.points)
    ('p=0.1 estimated (subset simulation, 2 runs, 95% t + CP)', 10)
    """
    from ftq.splitting_sweep import estimated_front, interval_label, shown

    out = []
    for meta, runs, floor in tasks.values():
        if len(runs) < 2:
            continue
        pts = [
            SeriesPoint(p.attempts_per_kept, p.ler, p.ler_low, p.ler_high, math.nan)
            for p in shown(estimated_front(runs, floor=floor))
        ]
        what = meta.get("circuit") or (
            f"{meta.get('protocol', '?')} d1={meta.get('d1')} D={meta.get('D')}" if "d1" in meta else ""
        )
        version = f" [{meta['decoder']} v{meta['decoder_version']}]" if "decoder_version" in meta else ""
        with_floor = f" + floor to weight {floor['max_weight']}" if floor else ""
        label = (
            f"{what + ' ' if what else ''}p={meta.get('p')}{version} estimated "
            f"(subset simulation, {len(runs)} runs, {interval_label(runs)}{with_floor})"
        )
        out.append(ParetoSeries(label, pts, estimated=True))
    return out


def _point_line(p) -> str:
    vol = ""
    if p.volume is not None:
        vol = f", V = {p.volume.value:.0f} [{p.volume.formula}], {p.volume_msc.value:.0f} [MSC formula]"
    return (
        f"{p.threshold}: {p.attempts_per_kept:.3f} attempts/kept, kept {p.kept:,}, "
        f"errors {p.errors}, LER {p.ler:.2e} [{p.ler_low:.2e}, {p.ler_high:.2e}]{vol}"
    )


def _holdout_line(a, b) -> str:
    return (
        f"{a.threshold}: chosen {a.attempts_per_kept:.3f} attempts/kept, LER {a.ler:.2e} "
        f"({a.errors} errors); held out {b.attempts_per_kept:.3f} attempts/kept, LER {b.ler:.2e} "
        f"[{b.ler_low:.2e}, {b.ler_high:.2e}] ({b.errors} errors)"
    )


def _best_within(points: list, max_attempts: float):
    """The lowest-LER point using at most ``max_attempts`` attempts per kept shot (fewest attempts on ties)."""
    ok = [p for p in points if p.attempts_per_kept <= max_attempts]
    return min(ok, key=lambda p: (p.ler, p.attempts_per_kept)) if ok else None


def summary_lines(
    stats: list, *, layout_for=None, max_points: int = 12, max_attempts: float | None = None
) -> list[str]:
    """A text table per task: kept and LER before the gap cut, stage survival, then Pareto points.

    Volumes are given by both formulas, each named. LER bands are sinter's binomial fits (likelihood
    ratio 1000, about ±3.7σ). When a task has two or more rows (independent batches, see
    :func:`ftq.sweeps.read_stats_rows`), a held-out check follows: the front chosen on half the rows and
    the same thresholds measured on the other half (:func:`ftq.resources.holdout_points`). With
    ``max_attempts``, the best point within that budget of attempts per kept shot is named, on all rows
    and in the held-out check.

    >>> import collections, sinter
    >>> s = sinter.TaskStats(strong_id="x", decoder="gap", json_metadata={"p": 0.001}, shots=100, errors=2,
    ...     discards=50, custom_counts=collections.Counter({"C1": 20, "E1": 2, "C30": 28, "S0": 50}))
    >>> summary_lines([s])[1].split(":")[0]
    '  before gap cut'
    >>> summary_lines([s], max_attempts=3.0)[-1]
    '  best within 3 attempts/kept: gap >= 1 dB: 2.000 attempts/kept, kept 50, errors 2, LER 4.00e-02 [4.00e-04, 2.27e-01]'
    """
    from ftq.resources import holdout_points, pareto_front, pareto_points, survivors_from_counts

    lines = []
    for rows in _rows_by_id(stats).values():
        s = functools.reduce(operator.add, rows)
        meta = s.json_metadata if isinstance(s.json_metadata, dict) else {}
        layout = layout_for(meta) if layout_for is not None else None
        kept = s.shots - s.discards
        lines.append(f"{json.dumps(meta, sort_keys=True)} decoder={s.decoder} shots={s.shots:,}")
        pts = pareto_points(s, layout=layout)
        first = pts[0] if pts else None
        lo_hi = f"[{first.ler_low:.2e}, {first.ler_high:.2e}]" if first else ""
        lines.append(
            f"  before gap cut: kept {kept:,} ({kept / s.shots:.4f}), errors {s.errors}, "
            f"LER {s.errors / kept if kept else float('nan'):.3e} {lo_hi} ({CONVENTION})"
        )
        surv = survivors_from_counts(s.custom_counts)
        if surv:
            lines.append(
                "  survival after postselected stages: " + " ".join(f"{v / s.shots:.4f}" for v in surv)
            )
        front = pareto_front(pts)
        for p in _thin(front, max_points):
            lines.append("  " + _point_line(p))
        pairs = holdout_points(rows, layout=layout)
        if pairs:
            lines.append("  held-out check (front chosen on rows 0, 2, 4, …; measured on rows 1, 3, 5, …):")
            for a, b in _thin(pairs, max_points):
                lines.append("    " + _holdout_line(a, b))
        if max_attempts is not None:
            best = _best_within(front, max_attempts)
            budget = f"{max_attempts:g} attempts/kept"
            lines.append(f"  best within {budget}: " + (_point_line(best) if best else "none"))
            chosen = _best_within([a for a, _ in pairs], max_attempts)
            if chosen is not None:
                held = next(b for a, b in pairs if a is chosen)
                lines.append(f"  held-out best within {budget}: " + _holdout_line(chosen, held))
    return lines
