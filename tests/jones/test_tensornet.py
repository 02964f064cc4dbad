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


def test_default_path_is_reused_for_the_same_network_shape(monkeypatch):
    import cotengra as ctg
    import numpy as np

    from jones import tensornet

    rng = np.random.default_rng(11)
    gens = [1]
    while len(gens) < 25:  # consecutive indices differ, so every run is one tensor
        i = int(rng.integers(1, 7))
        if i != gens[-1]:
            gens.append(i)

    def braid_with(powers):
        return Braid(
            7,
            tuple(i * (1 if p > 0 else -1) for i, p in zip(gens, powers, strict=True) for _ in range(abs(p))),
        )

    b = braid_with(rng.choice([-3, -2, -1, 1, 2, 3], size=len(gens)))
    first = evaluate(b)

    def no_search(*args, **kwargs):
        raise AssertionError("path search ran again")

    monkeypatch.setattr(ctg, "array_contract_tree", no_search)
    again = evaluate(b)
    assert again.value == first.value and again.log10_flops == first.log10_flops
    # other run powers, same run structure: the same path serves (powers are not part of the shape)
    shifted = braid_with(rng.choice([-4, 4, 1, -1], size=len(gens)))
    assert abs(evaluate(shifted).value - fibonacci.markov_value(shifted)) < 1e-9
    assert len(tensornet._PATH_CACHE) >= 1


def test_no_overflow_at_many_strands_and_typed_error_beyond_float():
    n = 1400  # |V| = φ^1398 ≈ 10^292: the unscaled network's scalar (≈ φ^1400 · φ) stays finite only when scaled
    r = evaluate(Braid(n, (1,)))
    want = fibonacci.PHI ** (n - 2)
    assert abs(r.value - want) < 1e-9 * want
    with pytest.raises(InputError, match="beyond the float range"):
        evaluate(Braid(3000, (1,)))


def test_network_size_is_refused_before_the_path_search():
    from jones.tensornet import MAX_TENSORS

    with pytest.raises(InputError, match="tensors"):
        evaluate(Braid(MAX_TENSORS + 10, (1,)))
