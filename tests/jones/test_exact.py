"""Tests for jones.exact: Kauffman bracket in the Temperley–Lieb algebra and the Jones polynomial."""

from fractions import Fraction

import pytest

from ftq.errors import InputError
from jones import fibonacci
from jones.braids import Braid, random_braid
from jones.exact import SQRT_T, JonesPolynomial, jones_polynomial, jones_value, kauffman_bracket


def test_unknot_and_unlinks():
    assert str(jones_polynomial(Braid(1, ()))) == "1"
    # n-component unlink: (−t^{1/2} − t^{−1/2})^{n−1}
    assert jones_polynomial(Braid(2, ())).as_dict() == {Fraction(-1, 2): -1, Fraction(1, 2): -1}
    assert jones_polynomial(Braid(3, ())).as_dict() == {-1: 1, 0: 2, 1: 1}
    for word in ["1", "-1", "1,2", "1,-2,-3"]:
        assert str(jones_polynomial(Braid.parse(word))) == "1"  # stabilised unknots


def test_trefoils_and_hopf_link():
    assert str(jones_polynomial(Braid.parse("1,1,1"))) == "t+t^3-t^4"  # right-handed trefoil
    assert str(jones_polynomial(Braid.parse("-1,-1,-1"))) == "-t^(-4)+t^(-3)+t^(-1)"
    # positive Hopf link: V = −t^{1/2} − t^{5/2}
    assert jones_polynomial(Braid.parse("1,1")).as_dict() == {Fraction(1, 2): -1, Fraction(5, 2): -1}


def test_bracket_skein_relation():
    # ⟨σ⟩ = A⟨1⟩ + A⁻¹⟨E⟩ at the level of the bracket: ⟨σ1⟩ − ⟨σ1⁻¹⟩ = (A − A⁻¹)(⟨1⟩ − ⟨E⟩)
    # For two strands: ⟨1⟩ = δ², ⟨E⟩ = δ, so ⟨σ1⟩ − ⟨σ1⁻¹⟩ = (A − A⁻¹)(δ² − δ).
    pos = kauffman_bracket(Braid.parse("1"))
    neg = kauffman_bracket(Braid.parse("-1"))
    diff = {e: pos.get(e, 0) - neg.get(e, 0) for e in set(pos) | set(neg)}
    diff = {e: c for e, c in diff.items() if c}
    # δ² − δ = A⁴ + 2 + A⁻⁴ + A² + A⁻²; times (A − A⁻¹)
    d = {4: 1, 0: 2, -4: 1, 2: 1, -2: 1}
    want: dict[int, int] = {}
    for e, c in d.items():
        want[e + 1] = want.get(e + 1, 0) + c
        want[e - 1] = want.get(e - 1, 0) - c
    assert diff == {e: c for e, c in want.items() if c}


def test_mirror_inverts_t():
    for seed in range(10):
        b = random_braid(strands=4, crossings=10, seed=seed)
        p, q = jones_polynomial(b).as_dict(), jones_polynomial(b.mirror()).as_dict()
        assert q == {-e: c for e, c in p.items()}


def test_markov_moves_and_braid_relations_leave_polynomial_unchanged():
    b = random_braid(strands=4, crossings=12, seed=1)
    p = jones_polynomial(b)
    assert jones_polynomial(b.conjugate(Braid.parse("2,-3,1"))) == p
    assert jones_polynomial(b.stabilize()) == p
    assert jones_polynomial(b.stabilize(sign=-1)) == p
    assert jones_polynomial(Braid.parse("1,2,1") + b) == jones_polynomial(Braid.parse("2,1,2") + b)


def test_value_at_one_is_two_to_components_minus_one():
    # V_L(1) = (−2)^{c−1}
    for seed in range(12):
        b = random_braid(strands=5, crossings=9, seed=seed)
        c = b.markov_components()
        assert jones_polynomial(b)(1.0) == pytest.approx((-2) ** (c - 1))


@pytest.mark.parametrize("closure", ["markov", "plat"])
def test_agrees_with_fibonacci_on_random_links(closure):
    for seed in range(30):
        n = 2 * (1 + seed % 3) if closure == "plat" else 2 + seed % 5
        b = random_braid(strands=n, crossings=4 + seed % 11, seed=seed)
        want = fibonacci.markov_value(b) if closure == "markov" else fibonacci.plat_value(b)
        assert abs(jones_value(b, closure=closure) - want) < 1e-9


def test_plat_figure_eight():
    assert (
        str(jones_polynomial(Braid.parse("2,2,-1,2", strands=4), closure="plat")) == "t^(-2)-t^(-1)+1-t+t^2"
    )


def test_long_braid_uses_big_integers():
    b = random_braid(strands=3, crossings=60, seed=4)
    assert abs(jones_value(b) - fibonacci.markov_value(b)) < 1e-6


def test_polynomial_helpers():
    assert abs(SQRT_T**2 - fibonacci.T) < 1e-12
    p = JonesPolynomial.from_dict({Fraction(1, 2): 2, 1: -1})
    assert not p.is_integral
    assert str(p) == "2*t^(1/2)-t"
    with pytest.raises(InputError):
        JonesPolynomial.from_dict({Fraction(1, 3): 1})
    with pytest.raises(InputError):
        jones_polynomial(Braid.parse("1,2"), closure="plat")
    with pytest.raises(InputError):
        jones_polynomial(Braid.parse("1"), closure="torus")


def test_docstring_examples_run():
    import doctest

    import jones.exact as module

    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_plat_knots_satisfy_jones_identities():
    # for any knot V(1) = 1, V'(1) = 0 and V(e^{2πi/3}) = 1; a wrong plat writhe breaks the last two
    import cmath

    knots_seen = 0
    for seed in range(120):
        b = random_braid(strands=(4, 6, 8)[seed % 3], crossings=5 + seed % 12, seed=seed)
        p = jones_polynomial(b, closure="plat")
        d = p.as_dict()
        if b.plat_components() == 1:
            knots_seen += 1
            assert sum(d.values()) == 1
            assert sum(e * c for e, c in d.items()) == 0
            assert abs(p(cmath.exp(1j * cmath.pi / 3)) - 1) < 1e-9
        else:
            assert sum(d.values()) == (-2) ** (b.plat_components() - 1)
    assert knots_seen > 30


def test_plat_knots_invariant_under_cup_twists_and_exchanges():
    twist_top, exchange = Braid.parse("1", strands=6), Braid.parse("2,1,3,2", strands=6)
    checked = 0
    for seed in range(60):
        b = random_braid(strands=6, crossings=8 + seed % 7, seed=seed)
        if b.plat_components() != 1:
            continue
        checked += 1
        v = jones_polynomial(b, closure="plat")
        for moved in (twist_top + b, b + twist_top.inverse(), exchange + b, b + exchange):
            assert jones_polynomial(moved, closure="plat") == v
    assert checked > 10
