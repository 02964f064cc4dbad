"""Tests for jones.bench on a tiny grid: both methods run, agree, and the table/plot are written."""

import pytest

from jones import bench


def test_tiny_grid_agrees_and_reports_ratios(tmp_path):
    rows = bench.run(strands=(4, 6), crossings=(12, 40), quiet=True)
    assert len(rows) == 4
    for r in rows:
        assert r["dense_seconds"] is not None and r["tn_contracted"]
        assert r["abs_diff"] < 1e-9
        assert r["time_ratio"] > 0 and r["mem_ratio"] > 0
        assert r["dim"] == {4: 5, 6: 13}[r["strands"]]
    md = bench.to_markdown(rows)
    assert md.count("\n| ") == 1 + len(rows)  # header + rows
    bench.plot(rows, tmp_path / "p.png")
    assert (tmp_path / "p.png").stat().st_size > 1000


def test_caps_skip_work():
    rows = bench.run(
        strands=(20,), crossings=(60,), dense_budget_seconds=0.0, max_log10_flops=0.5, quiet=True
    )
    (r,) = rows
    assert r["dense_seconds"] is None and not r["tn_contracted"]
    assert r["tn_log10_flops"] > 0.5 and r["time_ratio"] is None
    assert "—" in bench.to_markdown(rows)


@pytest.mark.slow
def test_docstring_examples_run():
    import doctest

    result = doctest.testmod(bench, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
