"""Exact Jones polynomials of closed braids from the Kauffman bracket, computed in the Temperley–Lieb algebra.

The braid is read letter by letter; the state is a linear combination of planar matchings (Temperley–Lieb
diagrams) with integer Laurent-polynomial coefficients in A. Each σ_i^{±1} maps a diagram D to
A^{±1}·D + A^{∓1}·(D·E_i), closing a loop when D already joins the two points (factor δ = −A² − A⁻²).
The closure (Markov: each bottom point to its top point; plat: caps (1,2), (3,4), …) counts loops.
Then V(t) = (−A³)^{−w}⟨L⟩/δ with t = A⁻⁴, the conventions of :mod:`jones.fibonacci`.

Exponents of V are in units of t^{1/2} (links with an even number of components have half-integer
powers); numerically t^{1/2} = A⁻² = e^{6πi/5}, consistent with A = e^{−3πi/5}.

Example::

    >>> from jones.braids import Braid
    >>> str(jones_polynomial(Braid.parse("1,1,1")))
    't+t^3-t^4'
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal, localcontext
from fractions import Fraction

import numpy as np

from ftq.errors import InputError
from jones.braids import Braid
from jones.fibonacci import A as A_VALUE

__all__ = ["ExactValue", "JonesPolynomial", "kauffman_bracket", "jones_polynomial", "jones_value", "SQRT_T"]

SQRT_T: complex = A_VALUE**-2
"""t^{1/2} = A⁻² = e^{6πi/5}, the square root of t = e^{2πi/5} fixed by the Kauffman variable."""


def _sqrt5_combination(a: int, b: int, digits: int) -> Decimal:
    """a + b√5 to ``digits`` significant digits; the conjugate form avoids cancellation (a² − 5b² ≠ 0)."""
    with localcontext() as ctx:
        ctx.prec = digits + 10
        r5 = Decimal(5).sqrt()
        if b == 0 or a == 0 or (a > 0) == (b > 0):
            return Decimal(a) + Decimal(b) * r5
        return Decimal(a * a - 5 * b * b) / (Decimal(a) - Decimal(b) * r5)


@dataclass(frozen=True)
class ExactValue:
    """An exact value in Q(ζ₁₀): Re = (a + b√5)/4 and Im = sin(2π/5)·(c + d√5)/2 with integers a, b, c, d.

    Every V(e^{2πi/5}) of a link has this form (the polynomial has integer coefficients and t^{1/2} is a fifth
    root of unity). :meth:`to_complex` rounds correctly however large the integers are; :meth:`decimal`
    gives the parts as decimals beyond the float range.

    Example::

        >>> v = ExactValue(a=-1, b=-1, c=5, d=-1)  # the trefoil
        >>> round(v.to_complex().real, 6), round(v.to_complex().imag, 6)
        (-0.809017, 1.314328)
    """

    a: int
    b: int
    c: int
    d: int

    def decimal(self, digits: int = 17) -> tuple[Decimal, Decimal]:
        """(Re, Im) as Decimals with ``digits`` correct significant digits (no overflow at any size).

        Example::

            >>> ExactValue(a=2, b=2, c=0, d=0).decimal(30)  # φ
            (Decimal('1.61803398874989484820458683437'), Decimal('0'))
        """
        size = max(abs(x).bit_length() for x in (self.a, self.b, self.c, self.d)) * 30103 // 100000 + 1
        prec = digits + 2 * size + 10  # |a + b√5| ≥ 1/(2|a| + 2√5|b|): enough digits survive cancellation
        with localcontext() as ctx:
            ctx.prec = prec
            sin = ((Decimal(5) + Decimal(5).sqrt()) / 8).sqrt()
            re = _sqrt5_combination(self.a, self.b, prec) / 4 if self.a or self.b else Decimal(0)
            im = sin * _sqrt5_combination(self.c, self.d, prec) / 2 if self.c or self.d else Decimal(0)
        with localcontext() as ctx:
            ctx.prec = digits
            return +re, +im

    def to_complex(self) -> complex:
        """The nearest complex float; :class:`OverflowError` when a part exceeds the float range.

        Example::

            >>> ExactValue(a=2, b=2, c=0, d=0).to_complex()  # φ
            (1.618033988749895+0j)
        """
        re, im = self.decimal(20)
        out = complex(float(re), float(im))
        if math.isinf(out.real) or math.isinf(out.imag):
            raise OverflowError(f"V = {re:.6e} {im:+.6e}i is beyond the float range")
        return out

    def __str__(self) -> str:
        return f"({self.a}{self.b:+d}√5)/4 + i·sin(2π/5)·({self.c}{self.d:+d}√5)/2"


@dataclass(frozen=True)
class JonesPolynomial:
    """A Laurent polynomial in t^{1/2} with integer coefficients: ``terms`` = ((2·exponent, coeff), …).

    Example::

        >>> p = JonesPolynomial.from_dict({1: 1, 3: 1, 4: -1})
        >>> str(p), p.is_integral
        ('t+t^3-t^4', True)
    """

    terms: tuple[tuple[int, int], ...]

    @staticmethod
    def from_dict(coeffs: dict[int | Fraction, int]) -> JonesPolynomial:
        """Build from {exponent of t (int or half-integer Fraction): coefficient}; zeros are dropped.

        Example::

            >>> JonesPolynomial.from_dict({Fraction(-1, 2): 1, 0: 0}).terms
            ((-1, 1),)
        """
        acc: dict[int, int] = {}
        for e, c in coeffs.items():
            two_e = Fraction(e) * 2
            if two_e.denominator != 1:
                raise InputError(f"exponent {e} is not an integer or half-integer.")
            acc[int(two_e)] = acc.get(int(two_e), 0) + int(c)
        return JonesPolynomial(tuple(sorted((e, c) for e, c in acc.items() if c != 0)))

    @property
    def is_integral(self) -> bool:
        """True when all exponents of t are integers (knots, odd-component links).

        Example::

            >>> JonesPolynomial.from_dict({Fraction(1, 2): 1}).is_integral
            False
        """
        return all(e % 2 == 0 for e, _ in self.terms)

    def as_dict(self) -> dict[Fraction, int]:
        """{exponent of t: coefficient} with Fraction exponents.

        Example::

            >>> JonesPolynomial.from_dict({2: 3}).as_dict()
            {Fraction(2, 1): 3}
        """
        return {Fraction(e, 2): c for e, c in self.terms}

    def __call__(self, sqrt_t: complex | None = None) -> complex:
        """Evaluate at t = sqrt_t²; by default at t = e^{2πi/5} (t^{1/2} = e^{6πi/5}), exactly.

        The default goes through :meth:`exact_value` (exact integers in Q(√5, i·sin(2π/5))), so the result is
        the correctly rounded value for any size of coefficients; other points are evaluated in floating point.
        Raises :class:`OverflowError` when |V| exceeds the float range (use :meth:`exact_value`).

        Example::

            >>> round(JonesPolynomial.from_dict({0: 1})().real, 12)
            1.0
        """
        if sqrt_t is None:
            return self.exact_value().to_complex()
        return complex(sum(c * sqrt_t**e for e, c in self.terms))

    def exact_value(self) -> ExactValue:
        """V(e^{2πi/5}) exactly, reducing powers of t^{1/2} = ω = e^{6πi/5} (ω⁵ = 1) in integers.

        Example::

            >>> str(JonesPolynomial.from_dict({1: 1, 3: 1, 4: -1}).exact_value())  # the trefoil
            '(-1-1√5)/4 + i·sin(2π/5)·(5-1√5)/2'
        """
        s = [0] * 5
        for e, c in self.terms:
            s[e % 5] += c
        return ExactValue(
            a=4 * s[0] - s[1] - s[2] - s[3] - s[4],
            b=s[2] + s[3] - s[1] - s[4],
            c=2 * (s[2] - s[3]) - (s[4] - s[1]),
            d=s[4] - s[1],
        )

    def __str__(self) -> str:
        if not self.terms:
            return "0"
        out = []
        for e2, c in self.terms:
            e = Fraction(e2, 2)
            mono = (
                ""
                if e == 0
                else ("t" if e == 1 else (f"t^{e}" if e > 0 and e.denominator == 1 else f"t^({e})"))
            )
            mag = abs(c)
            body = str(mag) if mono == "" else (mono if mag == 1 else f"{mag}*{mono}")
            sign = "-" if c < 0 else ("+" if out else "")
            out.append(sign + body)
        return "".join(out)


def _closure_edges(closure: str, strands: int) -> tuple[int, list[tuple[int, int]], list[int]]:
    """Number of points, the closing edges, and the initial matching for a closure."""
    if closure == "markov":
        npts = 2 * strands  # 0..n-1 current bottom, n..2n-1 top
        init = [0] * npts
        for p in range(strands):
            init[p], init[strands + p] = strands + p, p
        return npts, [(p, strands + p) for p in range(strands)], init
    if closure == "plat":
        if strands % 2:
            raise InputError(f"plat closure needs an even number of strands, got {strands}.")
        init = [p ^ 1 for p in range(strands)]
        return strands, [(p, p ^ 1) for p in range(0, strands, 2)], init
    raise InputError(f"closure {closure!r} is not 'markov' or 'plat'.")


def _count_loops(matching: tuple[int, ...], edges: list[tuple[int, int]]) -> int:
    other = {}
    for a, b in edges:
        other[a], other[b] = b, a
    seen = [False] * len(matching)
    loops = 0
    for start in other:
        if seen[start]:
            continue
        loops += 1
        p = start
        while not seen[p]:
            seen[p] = True
            q = matching[p]
            seen[q] = True
            p = other[q]
    return loops


def _delta_power(k: int) -> list[tuple[int, int]]:
    """δ^k = (−A² − A⁻²)^k as [(exponent of A, coefficient), …], exact (binomial coefficients)."""
    c = -1 if k % 2 else 1
    out = []
    for j in range(k + 1):
        out.append((2 * k - 4 * j, c))
        c = c * (k - j) // (j + 1)
    return out


def kauffman_bracket(braid: Braid, *, closure: str = "markov") -> dict[int, int]:
    """⟨L⟩ of the closed braid as {exponent of A: coefficient}, unknot ⟨O⟩ = δ = −A² − A⁻².

    Exact for any size: coefficients are Python integers once they could leave int64. The work grows with
    the number of Temperley–Lieb diagrams reached (at most Catalan(strands) and 2^crossings), not with
    the strand count alone: the closure's loops are counted per diagram and δ^loops is applied once per
    distinct loop count.

    Example::

        >>> kauffman_bracket(Braid.parse("1", strands=2))  # a one-crossing unknot diagram: −A³ δ
        {1: 1, 5: 1}
    """
    n = braid.strands
    npts, edges, init = _closure_edges(closure, n)
    crossings = braid.crossings
    span = 3 * crossings  # each letter shifts by ±1 and may close one loop (δ: ±2)
    size = 2 * span + 1
    # the ℓ1 norm of all coefficients grows at most ×3 per letter: int64 is exact while 3^c < 2^62
    dtype = np.int64 if crossings <= 38 else object
    zero = np.zeros(size, dtype=dtype)

    def shifted(v: np.ndarray, k: int) -> np.ndarray:
        out = zero.copy()
        if k >= 0:
            out[k:] = v[: size - k]
        else:
            out[:k] = v[-k:]
        return out

    def times_delta(v: np.ndarray) -> np.ndarray:
        return -shifted(v, 2) - shifted(v, -2)

    start = zero.copy()
    start[span] = 1
    state: dict[tuple[int, ...], np.ndarray] = {tuple(init): start}
    for g in braid.word:
        j, k = abs(g) - 1, abs(g)
        s = 1 if g > 0 else -1
        new: dict[tuple[int, ...], np.ndarray] = {}

        def add(m: tuple[int, ...], v: np.ndarray, new: dict = new) -> None:
            if m in new:
                new[m] = new[m] + v
            else:
                new[m] = v

        for m, v in state.items():
            add(m, shifted(v, s))  # identity smoothing, weight A^{±1}
            if m[j] == k:  # E_i closes a loop
                add(m, times_delta(shifted(v, -s)))
            else:
                lst = list(m)
                pj, pk = m[j], m[k]
                lst[pj], lst[pk] = pk, pj
                lst[j], lst[k] = k, j
                add(tuple(lst), shifted(v, -s))
        state = new
    by_loops: dict[int, np.ndarray] = {}
    for m, v in state.items():
        loops = _count_loops(m, edges)
        by_loops[loops] = by_loops[loops] + v if loops in by_loops else v
    total: dict[int, int] = {}
    for loops, v in by_loops.items():
        terms = [(e - span, int(c)) for e, c in enumerate(v.tolist()) if c]
        for de, dc in _delta_power(loops):
            for e, c in terms:
                total[e + de] = total.get(e + de, 0) + c * dc
    return {e: c for e, c in sorted(total.items()) if c != 0}


def _divide_by_delta(poly: dict[int, int]) -> dict[int, int]:
    """Exact division of a Laurent polynomial in A by δ = −A² − A⁻² = −A⁻²(A⁴ + 1) (linear time)."""
    if not poly:
        return {}
    lo, hi = min(poly), max(poly)
    rem = [0] * (hi - lo + 1)
    for e, c in poly.items():
        rem[e - lo] = c
    quo: dict[int, int] = {}
    # divide by (A^4 + 1) from the lowest degree, then multiply by −A²
    for i in range(len(rem) - 4):
        c = rem[i]
        if c:
            quo[lo + i] = c
            rem[i + 4] -= c
    if len(rem) <= 4 or any(rem[-4:]):
        raise ArithmeticError("bracket is not divisible by δ")
    return {e + 2: -c for e, c in quo.items()}


def jones_polynomial(braid: Braid, *, closure: str = "markov") -> JonesPolynomial:
    """V_L(t) of the Markov or plat closure (plat uses the oriented plat writhe).

    Example::

        >>> str(jones_polynomial(Braid.parse("2,2,-1,2", strands=4), closure="plat"))
        't^(-2)-t^(-1)+1-t+t^2'
    """
    bracket = kauffman_bracket(braid, closure=closure)
    w = braid.writhe if closure == "markov" else braid.plat_writhe
    sign = -1 if w % 2 else 1
    framed = {e - 3 * w: sign * c for e, c in bracket.items()}
    quotient = _divide_by_delta(framed)
    out: dict[int, int] = {}
    for e, c in quotient.items():
        if e % 2:
            raise ArithmeticError(f"odd power A^{e} in V: internal convention error")
        out[-e // 2] = c  # A^e = (t^{1/2})^{-e/2}
    return JonesPolynomial(tuple(sorted((e, c) for e, c in out.items() if c)))


def jones_value(braid: Braid, *, closure: str = "markov") -> complex:
    """V at t = e^{2πi/5} from the exact polynomial.

    Example::

        >>> round(jones_value(Braid.parse("1,-2,1,-2")).real, 6)
        -1.236068
    """
    return jones_polynomial(braid, closure=closure)()


def _catalan(k: int) -> int:
    return math.comb(2 * k, k) // (k + 1)


def _interval_bound(used: set[int]) -> int:
    """Π Catalan(len + 1) over the maximal intervals of consecutive generator indices in ``used``."""
    bound, run, prev = 1, 0, None
    for i in sorted(used):
        if prev is not None and i == prev + 1:
            run += 1
        else:
            bound *= _catalan(run + 1) if run else 1
            run = 1
        prev = i
    return bound * _catalan(run + 1) if run else bound


@dataclass(frozen=True)
class ExactCost:
    """A bound on the work of :func:`jones_polynomial` known before it starts.

    ``diagrams`` bounds the Temperley–Lieb diagrams alive at once (Markov: the product over maximal intervals of
    generator indices used so far of Catalan(interval + 1), and ≤ 2^letters; plat: ≤ Catalan(strands/2)),
    ``state_steps`` sums that bound over the letters, ``seconds`` converts it with a measured rate, and
    ``size`` = strands + crossings sets the polynomial's length (~2·size terms of up to ~0.3·size digits).

    Example::

        >>> exact_cost(Braid.parse("1,1,1")).diagrams
        2
    """

    diagrams: int
    state_steps: int
    seconds: float
    size: int


EXACT_SECONDS_PER_STATE_STEP = 3e-6
"""Measured order of magnitude (2-core machine, 10–12 strands × 40 crossings) for one diagram × one letter."""
MAX_EXACT_SIZE = 12_000
"""Largest strands + crossings for the exact polynomial (its coefficients reach ~0.3 × size decimal digits)."""


def exact_cost(braid: Braid, *, closure: str = "markov") -> ExactCost:
    """Bound the exact method's work for ``braid`` without running it (see :class:`ExactCost`).

    Example::

        >>> c = exact_cost(Braid.parse("1", strands=1000))
        >>> c.diagrams, c.size
        (2, 1001)
    """
    _closure_edges(closure, braid.strands)  # validates the closure
    used: set[int] = set()
    cap = _catalan(braid.strands // 2) if closure == "plat" else None
    states, peak, steps, bound = 1, 1, 0, 1
    for g in braid.word:
        if abs(g) not in used:
            used.add(abs(g))
            bound = _interval_bound(used)
        states = min(2 * states, bound if cap is None else min(bound, cap))
        peak = max(peak, states)
        steps += states
    return ExactCost(
        diagrams=peak,
        state_steps=steps,
        seconds=steps * EXACT_SECONDS_PER_STATE_STEP,
        size=braid.strands + braid.crossings,
    )
