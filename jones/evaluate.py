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
import time
from collections.abc import Callable

from ftq.errors import InputError
from jones.braids import Braid

METHODS = ("exact", "fibonacci", "tensornet")


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
    log10_flops: float | None = None  # tensornet only
    width: float | None = None  # tensornet only

    def to_json(self) -> dict:
        """``re, im, method, closure, strands, crossings, seconds`` and the method's own keys."""
        out = {
            "re": self.value.real,
            "im": self.value.imag,
            "method": self.method,
            "closure": self.closure,
            "strands": self.strands,
            "crossings": self.crossings,
            "seconds": round(self.seconds, 6),
        }
        if self.polynomial is not None:
            out["polynomial"] = self.polynomial
        if self.log10_flops is not None:
            out.update(log10_flops=round(self.log10_flops, 3), width=self.width)
        return out


def evaluate(
    braid: Braid,
    *,
    closure: str,
    method: str,
    on_cost: Callable[[float, float], None] | None = None,
) -> Evaluation:
    """Evaluate ``braid`` closed by ``closure`` (markov or plat) with ``method`` (one of :data:`METHODS`).

    ``on_cost(log10_flops, width)`` is told the tensor network's contraction cost before it contracts.
    """
    if method not in METHODS:
        raise InputError(f"evaluation method {method!r} is unknown; valid methods are {', '.join(METHODS)}.")
    t0 = time.perf_counter()
    extra: dict = {}
    if method == "exact":
        from jones.exact import jones_polynomial

        poly = jones_polynomial(braid, closure=closure)
        value = poly()
        extra["polynomial"] = str(poly)
    elif method == "fibonacci":
        from jones.fibonacci import markov_value, plat_value

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
