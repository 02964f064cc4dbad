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


def test_paper_recipe_network_is_the_same_invariant():
    # the anchor's recipe (rank-6 tensor per crossing) must contract to the same Markov trace as ours
    import cotengra as ctg

    from jones import fibonacci
    from jones.braids import random_braid

    for seed in range(4):
        b = random_braid(strands=5 + seed, crossings=25, seed=seed)
        inputs, arrays = bench.paper_recipe_network(b)
        assert sum(a.ndim == 6 for a in arrays) == b.crossings  # one rank-6 tensor per crossing, no merging
        size = {ix: 2 for inds in inputs for ix in inds}
        s = complex(ctg.array_contract_tree(inputs, (), size, optimize="greedy").contract(arrays))
        v = fibonacci.markov_from_tau(s / fibonacci.PHI**b.strands, strands=b.strands, writhe=b.writhe)
        assert abs(v - fibonacci.markov_value(b)) < 1e-9


def test_paper_speed_reports_both_networks_and_ratios():
    from jones.braids import Braid
    from jones.exact import jones_value

    b = Braid.parse("1,-2,1,-2,3,-2,3,3")
    r = bench.paper_speed(braid=b, reference=jones_value(b), repeats=2, search_seconds=0.1)
    assert r["recipe_abs_diff"] < 1e-9 and r["ours_abs_diff"] < 1e-9
    assert r["ratio_to_recipe"] == pytest.approx(r["ours_seconds"] / r["recipe_seconds"])
    assert r["ratio_to_paper"] == pytest.approx(r["ours_seconds"] / bench.PAPER_SECONDS)
    assert r["ours_log10_flops"] < r["recipe_log10_flops"]  # runs merged, hyperindices: a cheaper network
    md = bench.paper_markdown(r)
    assert "anchor's recipe" in md and f"{r['ratio_to_paper']:.3f}" in md
