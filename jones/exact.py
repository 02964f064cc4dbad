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

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from ftq.errors import InputError
from jones.braids import Braid
from jones.fibonacci import A as A_VALUE

__all__ = ["JonesPolynomial", "kauffman_bracket", "jones_polynomial", "jones_value", "SQRT_T"]

SQRT_T: complex = A_VALUE**-2
"""t^{1/2} = A⁻² = e^{6πi/5}, the square root of t = e^{2πi/5} fixed by the Kauffman variable."""


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

    def __call__(self, sqrt_t: complex = SQRT_T) -> complex:
        """Evaluate at t = sqrt_t²; default t = e^{2πi/5} with t^{1/2} = e^{6πi/5}.

        Example::

            >>> round(JonesPolynomial.from_dict({0: 1})().real, 12)
            1.0
        """
        return complex(sum(c * sqrt_t**e for e, c in self.terms))

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


def kauffman_bracket(braid: Braid, *, closure: str = "markov") -> dict[int, int]:
    """⟨L⟩ of the closed braid as {exponent of A: coefficient}, unknot ⟨O⟩ = δ = −A² − A⁻².

    Example::

        >>> kauffman_bracket(Braid.parse("1", strands=2))  # a one-crossing unknot diagram: −A³ δ
        {1: 1, 5: 1}
    """
    n = braid.strands
    npts, edges, init = _closure_edges(closure, n)
    crossings = braid.crossings
    max_loops = crossings + npts
    span = crossings + 2 * max_loops + 4  # |exponent| bound
    size = 2 * span + 1
    dtype = np.int64 if crossings + n <= 36 else object
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
    total = zero.copy()
    for m, v in state.items():
        loops = _count_loops(m, edges)
        for _ in range(loops):
            v = times_delta(v)
        total = total + v
    return {int(e) - span: int(c) for e, c in enumerate(total) if c != 0}


def _divide_by_delta(poly: dict[int, int]) -> dict[int, int]:
    """Exact division of a Laurent polynomial in A by δ = −A² − A⁻² = −A⁻²(A⁴ + 1)."""
    if not poly:
        return {}
    rem = dict(poly)
    quo: dict[int, int] = {}
    # divide by (A^4 + 1) from the lowest degree, then multiply by −A²
    while rem:
        low = min(rem)
        c = rem.pop(low)
        if c == 0:
            continue
        quo[low] = c
        rem[low + 4] = rem.get(low + 4, 0) - c
        if rem[low + 4] == 0:
            del rem[low + 4]
        if len(quo) > 10_000:
            raise ArithmeticError("bracket is not divisible by δ")
        if rem and min(rem) > max(poly) + 4:
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
