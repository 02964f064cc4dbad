"""Tests for sweeps/jones/brickwall_cost.py on a tiny grid: the time-ordered path is a valid contraction, the fit
and the written outputs."""

import importlib.util
from pathlib import Path

import pytest

from jones import fibonacci

SCRIPT = Path(__file__).resolve().parents[2] / "sweeps" / "jones" / "brickwall_cost.py"


@pytest.fixture(scope="module")
def sweep_module():
    spec = importlib.util.spec_from_file_location("brickwall_cost", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_time_ordered_path_contracts_to_the_markov_trace(sweep_module):
    import cotengra as ctg

    from jones.tensornet import _network, time_ordered_tree

    for n, layers in ((5, 8), (7, 12)):
        braid = sweep_module.brickwall_braid(strands=n, layers=layers, seed=n)
        inputs, arrays, _ = _network(braid, "markov")
        symbols = {}
        for inds in inputs:
            for ix in inds:
                symbols.setdefault(ix, ctg.get_symbol(len(symbols)))
        canon = ["".join(symbols[ix] for ix in inds) for inds in inputs]
        tree = time_ordered_tree(canon, {s: 2 for s in symbols.values()})
        assert tree.contraction_width() <= 2 * n
        tau = complex(tree.contract(arrays)) / fibonacci.PHI  # the network's scalar is φ^{n−1}·Σ, τ = S'/φ
        assert abs(tau - fibonacci.markov_tau(braid)) < 1e-12


def test_tiny_sweep_fit_and_outputs(sweep_module, tmp_path):
    rows = sweep_module.sweep(strands=(4, 6), layers=(10, 50, 80), quiet=True)
    assert len(rows) == 6 and all(r["path"] in ("greedy", "time-ordered") for r in rows)
    assert any(r["contract_seconds"] is not None for r in rows)
    f = sweep_module.fit(rows)
    for n in (4, 6):
        p = f["per_strand"][n]
        assert 0.5 < p["b"] < 1.5  # deeper than wide: cost ≈ linear in crossings
    assert f["joint"]["b_strands"] > 0
    md = sweep_module.to_markdown(rows, f, hyper_seconds=0)
    assert md.count("\n| 4 |") + md.count("\n| 6 |") >= 6
    sweep_module.plot(rows, f, tmp_path / "p.png")
    assert (tmp_path / "p.png").stat().st_size > 1000
