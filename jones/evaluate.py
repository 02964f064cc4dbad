"""One closed braid evaluated by one method: exact polynomial, dense Fibonacci representation or tensor network.

:func:`evaluate` returns an :class:`Evaluation` (value, method, closure, size, wall time, and the method's own
facts: the polynomial for ``exact``, contraction cost for ``tensornet``); ``to_json`` is what
``ftq jones value --json`` prints.

>>> from jones.braids import Braid
>>> e = evaluate(Braid.parse("1,1,1"), closure="markov", method="exact")
>>> round(e.value.real, 6), e.polynomial
(-0.809017, 't+t^3-t^4')
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable

from ftq.errors import InputError
from jones.braids import Braid

METHODS = ("exact", "fibonacci", "tensornet")
MAX_EXACT_SECONDS = 120.0
"""The exact and dense methods are refused when their estimated time exceeds this."""
DENSE_SECONDS_PER_ELEMENT_RUN = 50e-9
"""Measured (loaded 2-core machine): the Markov trace costs 41–74 ns per matrix element per run at 16–18 strands."""


@dataclasses.dataclass(frozen=True)
class Evaluation:
    """V(e^{2πi/5}) of a closed braid by one method, with what it cost."""

    value: complex
    method: str
    closure: str
    strands: int
    crossings: int
    seconds: float
    polynomial: str | None = None  # exact only
    exact: object | None = None  # exact only: the jones.exact.ExactValue
    log10_flops: float | None = None  # tensornet only
    width: float | None = None  # tensornet only

    def to_json(self) -> dict:
        """``re, im, method, closure, strands, crossings, seconds`` and the method's own keys.

        ``exact`` adds ``re_decimal``/``im_decimal`` (17 correct significant digits, any magnitude) and
        ``exact_value`` (the closed form in integers); ``re``/``im`` are null when beyond the float range.
        """
        finite = math.isfinite(self.value.real) and math.isfinite(self.value.imag)
        out = {
            "re": self.value.real if finite else None,
            "im": self.value.imag if finite else None,
            "method": self.method,
            "closure": self.closure,
            "strands": self.strands,
            "crossings": self.crossings,
            "seconds": round(self.seconds, 6),
        }
        if self.polynomial is not None:
            out["polynomial"] = self.polynomial
        if self.exact is not None:
            re, im = self.exact.decimal(17)
            out.update(re_decimal=str(re), im_decimal=str(im), exact_value=str(self.exact))
        if self.log10_flops is not None:
            out.update(log10_flops=round(self.log10_flops, 3), width=self.width)
        return out


def evaluate(
    braid: Braid,
    *,
    closure: str,
    method: str,
    on_cost: Callable[[float, float], None] | None = None,
    max_exact_seconds: float = MAX_EXACT_SECONDS,
) -> Evaluation:
    """Evaluate ``braid`` closed by ``closure`` (markov or plat) with ``method`` (one of :data:`METHODS`).

    ``on_cost(log10_flops, width)`` is told the tensor network's contraction cost before it contracts.
    ``exact`` is refused with :class:`InputError` before it starts when its bound
    (:func:`jones.exact.exact_cost`) exceeds ``max_exact_seconds`` or its size exceeds
    :data:`jones.exact.MAX_EXACT_SIZE`; ``fibonacci`` (Markov) when dimension² × runs × 50 ns exceeds
    ``max_exact_seconds`` (beyond 26 strands :mod:`jones.fibonacci` refuses by dimension).
    """
    if method not in METHODS:
        raise InputError(f"evaluation method {method!r} is unknown; valid methods are {', '.join(METHODS)}.")
    t0 = time.perf_counter()
    extra: dict = {}
    if method == "exact":
        from jones.exact import MAX_EXACT_SIZE, exact_cost, jones_polynomial

        cost = exact_cost(braid, closure=closure)
        if cost.seconds > max_exact_seconds:
            raise InputError(
                f"the exact method on {braid.strands} strands and {braid.crossings} crossings may hold up to "
                f"{cost.diagrams:.3g} Temperley–Lieb diagrams (about {cost.seconds:.3g} s, limit "
                f"{max_exact_seconds:.0f} s); use --method tensornet or fibonacci."
            )
        if cost.size > MAX_EXACT_SIZE:
            raise InputError(
                f"the exact polynomial for {braid.strands} strands and {braid.crossings} crossings would have "
                f"~{2 * cost.size} terms of up to ~{0.3 * cost.size:.0f} digits (strands + crossings "
                f"{cost.size} > {MAX_EXACT_SIZE}); use --method tensornet."
            )

        poly = jones_polynomial(braid, closure=closure)
        exact = poly.exact_value()
        try:
            value = exact.to_complex()
        except OverflowError:
            value = complex(math.inf, math.inf)
        extra.update(polynomial=str(poly), exact=exact)
    elif method == "fibonacci":
        from jones.fibonacci import fibonacci_number, markov_value, plat_value

        if closure == "markov":
            dim, runs = fibonacci_number(braid.strands + 1), max(len(braid.runs()), 1)
            seconds = dim * dim * runs * DENSE_SECONDS_PER_ELEMENT_RUN
            if seconds > max_exact_seconds and braid.strands <= 26:
                raise InputError(
                    f"the dense Markov trace on {braid.strands} strands (dimension {dim}) with {runs} runs would "
                    f"take about {seconds:.3g} s (limit {max_exact_seconds:.0f} s); use --method tensornet."
                )

        value = markov_value(braid) if closure == "markov" else plat_value(braid)
    else:
        from jones.tensornet import evaluate as contract

        r = contract(braid, closure=closure, on_cost=on_cost)
        value = r.value
        extra.update(log10_flops=r.log10_flops, width=r.width)
    return Evaluation(
        value=complex(value),
        method=method,
        closure=closure,
        strands=braid.strands,
        crossings=braid.crossings,
        seconds=time.perf_counter() - t0,
        **extra,
    )
