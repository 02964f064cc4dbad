"""Tests for jones.tensornet: the closed-braid network, its cost report and value."""

import pytest

from ftq.errors import InputError
from jones import fibonacci
from jones.braids import Braid, random_braid
from jones.tensornet import braid_network, evaluate, make_optimizer


@pytest.fixture(scope="module")
def opt():
    return make_optimizer(max_repeats=2)


def test_network_shape():
    b = Braid.parse("1,1,2,-1,3,3,3")
    tn = braid_network(b)
    crossings = [t for t in tn if "CROSSING" in t.tags]
    assert len(crossings) == len(b.runs())  # one tensor per run of equal generators
    assert all(t.ndim <= 4 for t in tn)


@pytest.mark.parametrize("closure", ["markov", "plat"])
def test_matches_dense_fibonacci(closure, opt):
    for seed in range(12):
        n = 2 * (1 + seed % 4) if closure == "plat" else 2 + seed % 7
        b = random_braid(strands=n, crossings=5 + 3 * seed, seed=seed)
        want = fibonacci.markov_value(b) if closure == "markov" else fibonacci.plat_value(b)
        r = evaluate(b, closure=closure, optimizer=opt)
        assert abs(r.value - want) < 1e-9


def test_unlinks_and_empty_braids(opt):
    for n in range(1, 6):
        assert abs(evaluate(Braid(n, ()), optimizer=opt).value - fibonacci.PHI ** (n - 1)) < 1e-12
    assert abs(evaluate(Braid(6, ()), closure="plat", optimizer=opt).value - fibonacci.PHI**2) < 1e-12


def test_cost_is_reported_before_contracting_and_cap_skips(opt):
    b = random_braid(strands=10, crossings=60, seed=3)
    seen = []
    r = evaluate(b, optimizer=opt, on_cost=lambda f, w: seen.append((f, w)))
    assert seen == [(r.log10_flops, r.width)]
    assert r.contracted and r.log10_flops > 0 and r.width >= 1
    skipped = evaluate(b, optimizer=opt, max_log10_flops=r.log10_flops - 0.5)
    assert not skipped.contracted and skipped.seconds_contract == 0.0


def test_wide_braid_beyond_dense_limit(opt):
    # 30 strands is beyond the dense representation; Markov invariance still checks the contraction
    b = random_braid(strands=30, crossings=40, seed=8)
    v = evaluate(b, optimizer=opt).value
    v2 = evaluate(b.stabilize().conjugate(Braid.parse("5,-7")), optimizer=opt).value
    assert abs(v - v2) < 1e-8 * max(1.0, abs(v))
    assert abs(v) <= fibonacci.PHI**29


def test_bad_closure():
    with pytest.raises(InputError):
        braid_network(Braid.parse("1"), closure="torus")
    with pytest.raises(InputError):
        braid_network(Braid.parse("1,2"), closure="plat")


def test_docstring_examples_run():
    import doctest

    import jones.tensornet as module

    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
