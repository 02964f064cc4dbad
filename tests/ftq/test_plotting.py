"""Tests of ftq.plotting: plot files, series from stats."""

import collections

import pytest
import sinter

from ftq.errors import InputError
from ftq.plotting import ParetoSeries, SeriesPoint, plot_pareto, series_from_stats


def test_plot_writes_png_and_svg(tmp_path):
    s = [
        ParetoSeries(
            "a", [SeriesPoint(2.0, 1e-3, 5e-4, 2e-3, 900.0), SeriesPoint(3.0, 1e-5, 1e-6, 3e-5, 1200.0)]
        )
    ]
    m = [ParetoSeries("m", [SeriesPoint(2.5, 2e-5, 1e-5, 3e-5, 6000.0)], volume_formula="MSC formula")]
    for name in ("p.png", "p.svg"):
        out = plot_pareto(s, msc=m, out=tmp_path / name)
        assert out.stat().st_size > 1000
    svg = (tmp_path / "p.svg").read_text()
    assert "S-proxy" in svg  # the convention is named on the axes
    with pytest.raises(InputError, match=".png or .svg"):
        plot_pareto(s, msc=m, out=tmp_path / "p.pdf")


def test_series_merges_rows_of_one_task():
    def row(c):
        kept = sum(c.values())
        errors = sum(v for k, v in c.items() if k[0] == "E")
        return sinter.TaskStats(
            strong_id="t",
            decoder="gap",
            json_metadata={"p": 0.001},
            shots=2 * kept,
            errors=errors,
            discards=kept,
            custom_counts=collections.Counter(c),
        )

    a, b = row({"C1": 10, "E1": 2, "C9": 8}), row({"C1": 5, "E9": 1, "C9": 14})
    (s,) = series_from_stats([a, b])
    attempts = [pt.attempts_per_kept for pt in s.points]
    assert attempts[0] == pytest.approx((a.shots + b.shots) / (a.shots - a.discards + b.shots - b.discards))
    assert attempts == sorted(attempts)


def test_estimated_series_are_points_with_error_bars(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    est = ParetoSeries("estimated", [SeriesPoint(2.0, 1e-6, 5e-7, 2e-6, float("nan"))], estimated=True)
    drawn = []
    original = plt.Axes.errorbar

    def spy(self, *args, **kwargs):
        drawn.append(kwargs)
        return original(self, *args, **kwargs)

    matplotlib.axes.Axes.errorbar = spy
    try:
        out = plot_pareto([est], msc=[], out=tmp_path / "e.svg")
    finally:
        matplotlib.axes.Axes.errorbar = original
    (kw,) = drawn
    assert kw["fmt"] == "D" and kw["label"] == "estimated"
    assert kw["yerr"] == [[pytest.approx(5e-7)], [pytest.approx(1e-6)]]
    assert "estimated" in out.read_text()
