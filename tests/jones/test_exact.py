"""Tests for jones.exact: Kauffman bracket in the Temperley–Lieb algebra and the Jones polynomial."""

import math
from fractions import Fraction

import pytest

from ftq.errors import InputError
from jones import fibonacci
from jones.braids import Braid, random_braid
from jones.exact import SQRT_T, ExactValue, JonesPolynomial, jones_polynomial, jones_value, kauffman_bracket

PHI_FLOAT = (1 + math.sqrt(5)) / 2


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


def _lucas_fibonacci(k: int) -> tuple[int, int]:
    """(L_k, F_k) by the integer recurrences, independent of any floating point."""
    lucas, fib = (2, 1), (0, 1)
    for _ in range(k):
        lucas, fib = (lucas[1], lucas[0] + lucas[1]), (fib[1], fib[0] + fib[1])
    return lucas[0], fib[0]


@pytest.mark.parametrize("strands", [200, 1000])
def test_exact_at_hundreds_of_strands_is_the_closed_form(strands):
    # σ1 on n strands closes to the (n−1)-component unlink: V = (−t^{1/2} − t^{−1/2})^{n−2}, whose value at
    # t = e^{2πi/5} is φ^{n−2} = (L + F√5)/2 with Lucas and Fibonacci numbers L_{n−2}, F_{n−2}.
    from decimal import Decimal, localcontext

    k = strands - 2
    p = jones_polynomial(Braid(strands, (1,)))
    # coefficient of t^{j − k/2} is (−1)^k C(k, j): every binomial, exactly
    sign = -1 if k % 2 else 1
    assert p.terms == tuple((2 * j - k, sign * math.comb(k, j)) for j in range(k + 1))
    lucas, fib = _lucas_fibonacci(k)
    assert p.exact_value() == ExactValue(a=2 * lucas, b=2 * fib, c=0, d=0)
    with localcontext() as ctx:
        ctx.prec = 60
        want = ((1 + Decimal(5).sqrt()) / 2) ** k
    v = p()
    assert v.imag == 0.0
    assert abs(Decimal(v.real) - want) <= want * Decimal(2.0**-52)  # correctly rounded, not just close
    re, im = p.exact_value().decimal(30)
    assert abs(re - want) <= want * Decimal(10) ** -29 and im == 0


def test_float_summation_would_have_failed_at_150_strands():
    # the old evaluation summed the polynomial in floating point; the exact one keeps full relative precision
    p = jones_polynomial(Braid(150, (1,)))
    naive = complex(sum(c * SQRT_T**e for e, c in p.terms))
    exact = p()
    assert abs(exact - PHI_FLOAT**148) <= 1e-12 * PHI_FLOAT**148
    assert abs(naive - exact) > 1e-6 * abs(exact)  # the property this test protects is a real one


def test_exact_value_matches_float_evaluation_on_small_links():
    for seed in range(20):
        b = random_braid(strands=2 + seed % 4, crossings=3 + seed % 9, seed=seed)
        p = jones_polynomial(b)
        assert abs(p() - p(SQRT_T)) < 1e-9


def test_overflow_beyond_float_range_is_reported_not_silent():
    p = jones_polynomial(Braid(1500, (1,)))  # φ^1498 ≈ 10^313
    with pytest.raises(OverflowError):
        p()
    re, _ = p.exact_value().decimal(12)
    assert re.adjusted() == math.floor(1498 * math.log10(PHI_FLOAT))  # 10^313: decimal exponent exact


def test_exact_cost_bounds_and_refusal():
    from jones.evaluate import evaluate
    from jones.exact import exact_cost

    small = exact_cost(Braid.parse("1,-2,1,-2"))
    assert small.diagrams <= 5 and small.seconds < 1  # Catalan(3) = 5 diagrams on 3 strands
    word = ",".join(str(i) for _ in range(3) for i in range(1, 24))
    big = Braid.parse(word, strands=24)
    assert exact_cost(big).diagrams > 10**9
    with pytest.raises(InputError, match="Temperley–Lieb diagrams"):
        evaluate(big, closure="markov", method="exact")
    with pytest.raises(InputError, match="strands \\+ crossings"):
        evaluate(Braid(100_000, (1,)), closure="markov", method="exact")
