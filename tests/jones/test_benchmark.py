"""Tests of jones.benchmark: every family member closes to the same link, the demo braid, plots, table."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ftq.errors import InputError
from jones.benchmark import (
    FAMILIES,
    demo_braid,
    family,
    hardware_table,
    layered_braid,
    plot_benchmark,
    rcr_braid,
    run_benchmark,
    trefoil_centre,
    two_qubit_count,
)
from jones.braids import Braid
from jones.circuits import braid_runs, exact_value
from jones.fibonacci import PHI, markov_tau, markov_value


@pytest.mark.parametrize("name", [f for f in FAMILIES if f != "rcr"])
def test_family_members_have_the_base_value(name):
    base = Braid.parse("1,1,1,-2", strands=3)
    want = markov_value(base)
    members = family(name, base=base, size=3, seed=4)
    assert len(members) == 3
    for _, b in members:
        assert abs(markov_value(b) - want) < 1e-8
    sizes = [b.crossings + b.strands for _, b in members]
    assert sizes == sorted(sizes) and sizes[-1] > base.crossings + base.strands


def test_rcr_closes_to_the_centre():
    for seed in range(3):
        b = rcr_braid(strands=7, r_crossings=15, blocks=2, seed=seed)
        c = trefoil_centre(strands=7, blocks=2)
        assert abs(markov_value(b) - markov_value(c)) < 1e-8


def test_layered_braid_layers_commute_inside():
    b = layered_braid(strands=7, crossings=30, seed=0)
    word = [abs(g) for g in b.word]
    layer = [word[:3], word[3:6]]  # σ1 σ3 σ5, then σ2 σ4 σ6
    assert layer[0] == [1, 3, 5] and layer[1] == [2, 4, 6]


def test_demo_braid_matches_the_anchor_size():
    b = demo_braid()
    assert (b.strands, b.crossings) == (15, 114)
    tau3 = abs(markov_tau(Braid.parse("1,1,1", strands=3)))
    assert abs(abs(exact_value(b)) - PHI**14 * tau3**4) < 1e-6
    assert 3 * len(braid_runs(b)) <= 3 * 114


def test_two_qubit_count_and_unknown_family():
    assert two_qubit_count(Braid.parse("1,2,1")) == 9 + 4
    with pytest.raises(InputError):
        family("spirals", base=Braid.parse("1,1,1"))


def test_run_benchmark_and_plot(tmp_path):
    rows = run_benchmark("stabilisations", base=Braid.parse("1,1,1"), size=2, backend="noiseless", shots=300)
    assert [r["strands"] for r in rows] == [3, 4]
    for r in rows:
        assert all(np.isfinite(r[f"{m}_error"]) for m in ("raw", "postselected"))
        assert abs(complex(r["exact_re"], r["exact_im"]) - markov_value(Braid.parse("1,1,1"))) < 1e-8
    path = plot_benchmark(rows, tmp_path / "b.png")
    assert path.stat().st_size > 1000


def test_hardware_table_reports_three_zz_per_run():
    text = hardware_table([("3_1", Braid.parse("1,1,1")), ("4_1", Braid.parse("1,-2,1,-2"))], shots=1000)
    lines = text.strip().splitlines()
    assert len(lines) == 4
    assert all("| yes |" in line for line in lines[2:])
    hqc = float(lines[2].split("|")[-3])
    assert hqc > 5 and math.isfinite(hqc)


def test_docstring_examples_run():
    import doctest

    import jones.benchmark

    result = doctest.testmod(jones.benchmark, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
