"""KnotInfo/LinkInfo look-ups: a knot's or link's braid word and its listed Jones polynomial.

Source: PyPI ``database-knotinfo`` (KnotInfo: knots up to 13 crossings; LinkInfo: oriented links up to
11 crossings, whose Jones polynomials are written in x = t^{1/2}).

The database is the project's external truth for conventions: its braid words use σ_i = i, σ_i⁻¹ = −i
and its Jones polynomials are V(t) of the closed braid (3_1 = [1,1,1] has V = t + t³ − t⁴).

Example::

    >>> k = knot("4_1")
    >>> str(k.braid), str(k.jones)
    ('[1,-2,1,-2]', 't^(-2)-t^(-1)+1-t+t^2')
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property, lru_cache
from pathlib import Path

from ftq.errors import InputError
from jones.braids import Braid
from jones.exact import JonesPolynomial

__all__ = ["KnotRecord", "parse_polynomial", "parse_braids", "knot", "knots", "links"]

_TERM_PATTERN = r"""(?P<sign>[+-])?
        (?P<coef>\d+)?
        (?:(?P<op>[*/])?
           VAR(?:\^(?:\((?P<pexp>-?\d+(?:/\d+)?)\)|(?P<exp>-?\d+(?:/\d+)?)))?
        )?"""
_TERMS = {v: re.compile(_TERM_PATTERN.replace("VAR", v), re.VERBOSE) for v in ("t", "x")}


def parse_polynomial(text: str, *, variable: str = "t") -> JonesPolynomial:
    """Parse KnotInfo's Jones-polynomial text, e.g. ``"t^(-2)-t^(-1)+ 1-t+ t^2"`` or ``"7 + t^(-2) - 3/t"``.

    LinkInfo writes link polynomials in x = t^{1/2}: pass ``variable="x"``.

    Example::

        >>> parse_polynomial("7 + t^(-2) - 3/t - 11*t").as_dict()[Fraction(-1)]
        -3
        >>> str(parse_polynomial("-x-x^5", variable="x"))
        '-t^(1/2)-t^(5/2)'
    """
    if variable not in _TERMS:
        raise InputError(f"polynomial variable {variable!r} is not 't' or 'x' (= t^(1/2)).")
    term = _TERMS[variable]
    scale = Fraction(1, 2) if variable == "x" else Fraction(1)
    body = re.sub(r"\s+", "", text or "")
    if not body:
        raise InputError(f"polynomial text {text!r} is empty.")
    coeffs: dict[Fraction, int] = {}
    pos = 0
    while pos < len(body):
        m = term.match(body, pos)
        if m is None or m.end() == pos or (pos > 0 and m.group("sign") is None):
            raise InputError(f"polynomial text {text!r} is malformed near {body[pos:]!r}.")
        sign = -1 if m.group("sign") == "-" else 1
        coef = int(m.group("coef")) if m.group("coef") else 1
        has_t = variable in m.group(0)
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
        coeffs[exp * scale] = coeffs.get(exp * scale, 0) + sign * coef
        pos = m.end()
    return JonesPolynomial.from_dict(coeffs)


def parse_braids(text: str) -> tuple[Braid, ...]:
    """KnotInfo braid notation, ``"[1,-2,1]"`` or several ``"[[…],[…]]"``, as braids.

    Example::

        >>> [b.word for b in parse_braids("[[1,1,1],[1,2,-1,2]]")]
        [(1, 1, 1), (1, 2, -1, 2)]
        >>> parse_braids("{3, {1, 1}}")[0].strands
        3
    """
    body = (text or "").strip()
    m = re.fullmatch(r"\{\s*(\d+)\s*,\s*\{([^{}]*)\}\s*\}", body)
    if m:  # LinkInfo: {strands, {word}}
        return (Braid.parse(m.group(2), strands=int(m.group(1))),)
    if body.startswith("[["):
        parts = re.findall(r"\[([^\[\]]*)\]", body)
    elif body.startswith("{"):
        parts = re.findall(r"\[([^\[\]]*)\]", body) or [body.strip("{}")]
    else:
        parts = [body]
    return tuple(Braid.parse(p) for p in parts)


@dataclass(frozen=True)
class KnotRecord:
    """One KnotInfo knot (or LinkInfo link): name, crossing number, braid word(s) and the listed Jones polynomial.

    The braid words and the polynomial are parsed from the table's text on first use.

    Example::

        >>> knot("3_1").crossing_number
        3
    """

    name: str
    crossing_number: int
    braid_text: str
    jones_text: str
    variable: str = "t"

    @cached_property
    def braids(self) -> tuple[Braid, ...]:
        """Every listed braid word (the unknot's empty notation is the 1-strand empty braid).

        Example::

            >>> len(knot("4_1").braids)
            1
        """
        return parse_braids(self.braid_text) if self.braid_text.strip() else (Braid(1, ()),)

    @cached_property
    def jones(self) -> JonesPolynomial:
        """The listed Jones polynomial V(t).

        Example::

            >>> str(knot("3_1").jones)
            't+t^3-t^4'
        """
        return parse_polynomial(self.jones_text, variable=self.variable)

    @property
    def braid(self) -> Braid:
        """The first listed braid word.

        Example::

            >>> knot("5_2").braid.word
            (1, 1, 1, 2, -1, 2)
        """
        return self.braids[0]


_KNOT_NAME = re.compile(r"\d+[an]?_\d+")
_LINK_NAME = re.compile(r"L\d+[an]\d+\{[\d,]*\}")


def _record(row: dict, *, link: bool) -> KnotRecord:
    return KnotRecord(
        name=row["name"],
        crossing_number=int(row["crossing_number"]),
        braid_text=row["braid_notation"],
        jones_text=row["jones_polynomial"],
        variable="x" if link else "t",
    )


@lru_cache(maxsize=1)
def _table() -> dict[str, KnotRecord]:
    from database_knotinfo import link_list

    out: dict[str, KnotRecord] = {}
    for row in link_list():
        if _KNOT_NAME.fullmatch(row.get("name", "") or ""):  # skips the header row
            out[row["name"]] = _record(row, link=False)
    return out


@lru_cache(maxsize=1)
def _link_table() -> dict[str, KnotRecord]:
    from database_knotinfo import link_list

    out: dict[str, KnotRecord] = {}
    for row in link_list(proper_links=True):
        if not _LINK_NAME.fullmatch(row.get("name", "") or ""):
            continue  # the header row
        if not row["braid_notation"].strip() or not row["jones_polynomial"].strip():
            continue
        record = _record(row, link=True)
        try:
            record.braids  # noqa: B018 - parsed here to drop bad rows
        except InputError:
            continue  # one LinkInfo row has a typo in its braid notation
        out[row["name"]] = record
    return out


def _csv_file(*, link: bool) -> Path | None:
    """The package's own CSV table (one row per line, ``|``-separated), if it is where the package keeps it."""
    import database_knotinfo

    name = "linkinfo_data_complete.csv" if link else "knotinfo_data_complete.csv"
    path = Path(database_knotinfo.__file__).resolve().parent / "csv_data" / name
    return path if path.is_file() else None


@lru_cache(maxsize=256)
def _lookup(name: str, *, link: bool) -> KnotRecord | None:
    """One row by name, scanning the CSV for its line instead of parsing the whole table (~0.1 s at worst)."""
    path = _csv_file(link=link)
    if path is None:  # pragma: no cover - another packaging of database-knotinfo
        return (_link_table() if link else _table()).get(name)
    prefix = name.encode() + b"|"
    with path.open("rb") as f:
        header = next(csv.reader([f.readline().decode()], delimiter="|"))
        for line in f:
            if line.startswith(prefix):
                row = dict(zip(header, next(csv.reader([line.decode()], delimiter="|")), strict=False))
                if link and not (row["braid_notation"].strip() and row["jones_polynomial"].strip()):
                    return None
                record = _record(row, link=link)
                try:
                    record.braids  # noqa: B018 - the same rows as the full table
                except InputError:
                    return None
                return record
    return None


def links(*, max_crossings: int = 11, min_crossings: int = 0) -> list[KnotRecord]:
    """LinkInfo's oriented multi-component links (with a braid word) in a crossing range, in table order.

    Example::

        >>> [k.name for k in links(max_crossings=2)]
        ['L2a1{0}', 'L2a1{1}']
    """
    return [k for k in _link_table().values() if min_crossings <= k.crossing_number <= max_crossings]


def knot(name: str) -> KnotRecord:
    """Look up a knot by KnotInfo name (``3_1``, ``10_132``, ``12a_1``, ``13n_5``) or an oriented link by
    LinkInfo name (``L2a1{1}``, ``L4a1{0}``).

    Example::

        >>> knot("0_1").braid.strands
        1
        >>> str(knot("L2a1{1}").jones)
        '-t^(1/2)-t^(5/2)'
    """
    key = name.strip()
    link = key.startswith("L")
    valid = (_LINK_NAME if link else _KNOT_NAME).fullmatch(key) is not None
    record = _lookup(key, link=link) if valid else None
    if record is None:
        raise InputError(
            f"knot {name!r} is not in KnotInfo/LinkInfo; use names like 3_1, 10_132, 11a_1, 13n_5 "
            "or oriented links like L2a1{1}."
        )
    return record


def knots(*, max_crossings: int = 10, min_crossings: int = 0) -> list[KnotRecord]:
    """All KnotInfo knots with min_crossings ≤ crossing number ≤ max_crossings, in table order.

    Example::

        >>> [k.name for k in knots(max_crossings=4)]
        ['0_1', '3_1', '4_1']
    """
    return [k for k in _table().values() if min_crossings <= k.crossing_number <= max_crossings]
