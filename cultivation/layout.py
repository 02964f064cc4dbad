"""Geometry of the RP-d code and the rotated surface code: data qubits, checks, ancilla positions.

Positions are complex numbers ``x + iy`` with y growing downward. A check is measured by one ancilla at its
representative centre; its data list is in the order the ancilla touches them (see :mod:`cultivation.schedule`).

>>> len(rp_checks(3)), sorted({len(c.data) for c in rp_checks(3)})
(10, [2, 4])
"""

from __future__ import annotations

import dataclasses

NW, NE, SW, SE = -0.5 - 0.5j, 0.5 - 0.5j, -0.5 + 0.5j, 0.5 + 0.5j
ORDER = {"X": (NW, SW, NE, SE), "Z": (NW, NE, SW, SE)}


@dataclasses.dataclass(frozen=True)
class Check:
    """One stabilizer measured by an ancilla: its basis, ancilla position and data positions."""

    basis: str
    ancilla: complex
    data: tuple[complex, ...]
    wraps: bool = False  # True for RP² checks merged across the antipodal identification


def check_basis(centre: complex) -> str:
    """X where x − y is even at a half-integer centre, Z where odd: X at (−½, −½)."""
    return "X" if round(centre.real - centre.imag) % 2 == 0 else "Z"


def _validate_odd(d: int, name: str = "d", minimum: int = 3) -> None:
    if not isinstance(d, int) or d < minimum or d % 2 == 0:
        raise ValueError(f"{name}={d!r} must be an odd integer >= {minimum}")


def square(d: int) -> list[complex]:
    """Data positions of a d×d patch centred at the origin."""
    r = (d - 1) // 2
    return [complex(x, y) for y in range(-r, r + 1) for x in range(-r, r + 1)]


def _corners(centre: complex, d: int) -> list[complex]:
    r = (d - 1) // 2
    out = []
    for off in ORDER[check_basis(centre)]:
        p = centre + off
        if abs(p.real) <= r and abs(p.imag) <= r:
            out.append(p)
    return out


def rp_checks(d: int) -> list[Check]:
    """Checks of the RP-d code: bulk plaquettes plus antipodally merged boundary half-plaquettes.

    The ancilla of a merged check sits at the representative centre: top row (y = −r−½) or left column
    (x = −r−½), corners (−r−½, −r−½) and (r+½, −r−½).
    """
    _validate_odd(d)
    r = (d - 1) // 2
    edge = r + 0.5
    checks = []
    centres = [complex(x + 0.5, y + 0.5) for y in range(-r - 1, r + 1) for x in range(-r - 1, r + 1)]
    for c in centres:
        on_boundary = abs(c.real) == edge or abs(c.imag) == edge
        if not on_boundary:
            checks.append(Check(check_basis(c), c, tuple(_corners(c, d))))
            continue
        is_rep = c.imag == -edge or (c.real == -edge and c.imag != edge)
        if not is_rep:
            continue
        data = tuple(_corners(c, d)) + tuple(_corners(-c, d))
        checks.append(Check(check_basis(c), c, data, wraps=True))
    return checks


def rp_logicals(d: int) -> dict[str, dict[complex, str]]:
    """X_L on row y = 0, Z_L on column x = 0, Y_L = i X_L Z_L (weight 2d − 1)."""
    _validate_odd(d)
    r = (d - 1) // 2
    x = {complex(k, 0): "X" for k in range(-r, r + 1)}
    z = {complex(0, k): "Z" for k in range(-r, r + 1)}
    y = dict(x)
    y.update(z)
    y[0j] = "Y"
    return {"X": x, "Z": z, "Y": y}


def surface_checks(D: int) -> list[Check]:
    """Rotated surface code of distance D: Z boundaries top/bottom, X boundaries left/right."""
    _validate_odd(D, "D")
    r = (D - 1) // 2
    edge = r + 0.5
    checks = []
    for y in range(-r - 1, r + 1):
        for x in range(-r - 1, r + 1):
            c = complex(x + 0.5, y + 0.5)
            basis = check_basis(c)
            data = _corners(c, D)
            if len(data) == 1:
                continue
            if len(data) == 2:
                top_bottom = abs(c.imag) == edge
                if (basis == "Z") != top_bottom:
                    continue
            checks.append(Check(basis, c, tuple(data)))
    return checks
