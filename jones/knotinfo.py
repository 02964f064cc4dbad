"""KnotInfo look-ups: a knot's braid word and its listed Jones polynomial (PyPI ``database-knotinfo``).

The database is the project's external truth for conventions: its braid words use σ_i = i, σ_i⁻¹ = −i
and its Jones polynomials are V(t) of the closed braid (3_1 = [1,1,1] has V = t + t³ − t⁴).

Example::

    >>> k = knot("4_1")
    >>> str(k.braid), str(k.jones)
    ('[1,-2,1,-2]', 't^(-2)-t^(-1)+1-t+t^2')
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

from ftq.errors import InputError
from jones.braids import Braid
from jones.exact import JonesPolynomial

__all__ = ["KnotRecord", "parse_polynomial", "parse_braids", "knot", "knots"]

_TERM = re.compile(
    r"""(?P<sign>[+-])?
        (?P<coef>\d+)?
        (?:(?P<op>[*/])?
           t(?:\^(?:\((?P<pexp>-?\d+(?:/\d+)?)\)|(?P<exp>-?\d+(?:/\d+)?)))?
        )?""",
    re.VERBOSE,
)


def parse_polynomial(text: str) -> JonesPolynomial:
    """Parse KnotInfo's Jones-polynomial text, e.g. ``"t^(-2)-t^(-1)+ 1-t+ t^2"`` or ``"7 + t^(-2) - 3/t"``.

    Example::

        >>> parse_polynomial("7 + t^(-2) - 3/t - 11*t").as_dict()[Fraction(-1)]
        -3
    """
    body = re.sub(r"\s+", "", text or "")
    if not body:
        raise InputError(f"polynomial text {text!r} is empty.")
    coeffs: dict[Fraction, int] = {}
    pos = 0
    while pos < len(body):
        m = _TERM.match(body, pos)
        if m is None or m.end() == pos or (pos > 0 and m.group("sign") is None):
            raise InputError(f"polynomial text {text!r} is malformed near {body[pos:]!r}.")
        sign = -1 if m.group("sign") == "-" else 1
        coef = int(m.group("coef")) if m.group("coef") else 1
        has_t = "t" in m.group(0)
        if not has_t:
            if m.group("coef") is None:
                raise InputError(f"polynomial text {text!r} is malformed near {body[pos:]!r}.")
            exp = Fraction(0)
        else:
            raw = m.group("pexp") or m.group("exp")
            exp = Fraction(raw) if raw else Fraction(1)
            if m.group("op") == "/":
                exp = -exp
            elif m.group("op") is None and m.group("coef"):
                raise InputError(f"polynomial text {text!r} is malformed near {body[pos:]!r}.")
        coeffs[exp] = coeffs.get(exp, 0) + sign * coef
        pos = m.end()
    return JonesPolynomial.from_dict(coeffs)


def parse_braids(text: str) -> tuple[Braid, ...]:
    """KnotInfo braid notation, ``"[1,-2,1]"`` or several ``"[[…],[…]]"``, as braids.

    Example::

        >>> [b.word for b in parse_braids("[[1,1,1],[1,2,-1,2]]")]
        [(1, 1, 1), (1, 2, -1, 2)]
    """
    body = (text or "").strip()
    if body.startswith("[["):
        parts = re.findall(r"\[([^\[\]]*)\]", body)
    elif body.startswith("{"):
        parts = re.findall(r"\[([^\[\]]*)\]", body) or [body.strip("{}")]
    else:
        parts = [body]
    return tuple(Braid.parse(p) for p in parts)


@dataclass(frozen=True)
class KnotRecord:
    """One KnotInfo knot: name, crossing number, braid word(s) and the listed Jones polynomial.

    Example::

        >>> knot("3_1").crossing_number
        3
    """

    name: str
    crossing_number: int
    braids: tuple[Braid, ...]
    jones: JonesPolynomial
    jones_text: str

    @property
    def braid(self) -> Braid:
        """The first listed braid word.

        Example::

            >>> knot("5_2").braid.word
            (1, 1, 1, 2, -1, 2)
        """
        return self.braids[0]


@lru_cache(maxsize=1)
def _table() -> dict[str, KnotRecord]:
    from database_knotinfo import link_list

    out: dict[str, KnotRecord] = {}
    for row in link_list():
        name = row.get("name", "")
        if not re.fullmatch(r"\d+[an]?_\d+", name or ""):
            continue  # the header row
        braids = parse_braids(row["braid_notation"]) if row["braid_notation"].strip() else (Braid(1, ()),)
        out[name] = KnotRecord(
            name=name,
            crossing_number=int(row["crossing_number"]),
            braids=braids,
            jones=parse_polynomial(row["jones_polynomial"]),
            jones_text=row["jones_polynomial"],
        )
    return out


def knot(name: str) -> KnotRecord:
    """Look up a knot by KnotInfo name (``3_1``, ``10_132``, ``12a_1``, ``13n_5``).

    Example::

        >>> knot("0_1").braid.strands
        1
    """
    table = _table()
    key = name.strip()
    if key not in table:
        raise InputError(
            f"knot {name!r} is not in KnotInfo; use names like 3_1, 10_132, 11a_1 or 13n_5 "
            "(up to 13 crossings)."
        )
    return table[key]


def knots(*, max_crossings: int = 10, min_crossings: int = 0) -> list[KnotRecord]:
    """All KnotInfo knots with min_crossings ≤ crossing number ≤ max_crossings, in table order.

    Example::

        >>> [k.name for k in knots(max_crossings=4)]
        ['0_1', '3_1', '4_1']
    """
    return [k for k in _table().values() if min_crossings <= k.crossing_number <= max_crossings]
