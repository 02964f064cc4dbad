"""The morph between RP-d and the self-dual SRP-d code: extra Bell pairs, then a fold about the X_L row.

A morph is data: extra qubits (top half prepared in |+>, bottom half in |0>), the Bell-pair CX layer, and the CX layers
that fold row −k onto row k. Running the layers backwards (and measuring the extras) morphs back.

>>> m = morph_plan(3)
>>> len(m.extras_x) + len(m.extras_z), len(m.layers)
(6, 3)
"""

from __future__ import annotations

import dataclasses

from cultivation.layout import square


@dataclasses.dataclass(frozen=True)
class MorphPlan:
    """Extra qubits and CX layers (control, target) that turn an RP-d code state into an SRP-d one."""

    d: int
    extras_x: tuple[complex, ...]  # reset in |+>, measured in X after morphing back
    extras_z: tuple[complex, ...]  # reset in |0>, measured in Z after morphing back
    layers: tuple[tuple[tuple[complex, complex], ...], ...]
    flag_min_row: int  # the check flags every RP-d data qubit with y >= flag_min_row

    @property
    def flags(self) -> dict[complex, complex]:
        """Flag qubit (at the data's NW ancilla site) for each data qubit the logical check flags."""
        return {q: q - 0.5 - 0.5j for q in square(self.d) if q.imag >= self.flag_min_row}

    @property
    def qubits(self) -> list[complex]:
        """All qubits of the SRP-d code: the RP-d data plus the extras."""
        return square(self.d) + list(self.extras_x) + list(self.extras_z)


def morph_plan(d: int) -> MorphPlan:
    """The RP-d → SRP-d morph for d ∈ {3, 5}.

    d = 3: a Bell pair (x, −4)–(x, 4) per column; (x, −4) → (x, −1) and (x, 1) → (x, 4); then fold (x, −1) → (x, 1).
    d = 5: a Bell pair (x, −6)–(x, 6) per column; each of the 10 fold pairs ((x, −k), (x, k)), k ∈ {1, 2}, receives one
    half of a Bell pair (e → (x, −k), (x, k) → e); then fold (x, −k) → (x, k). Which extra feeds which pair decides the
    circuit's fault distance: with the published assignment the morph back alone (all earlier noise removed) keeps
    undetected logical errors of 4 faults, so the d1 = 5 circuit has fault distance 4; the assignment used here (every
    extra within one column of its pair, 4 column shifts) gives fault distance 5 together with the spine tree of
    :func:`cultivation.stages._tree_layers` (found by searching such assignments for zero undetected logical errors
    of ≤ 4 faults with :func:`ftq.enumeration.enumerate_undetected`).

    Flags: all 9 data qubits at d = 3, the 15 with y ≥ 0 at d = 5 (as published; with the published morph assignment,
    flagging all 25 at d = 5 kept the fault distance at 4 and cost 1.8 points of acceptance).
    """
    if d == 3:
        cols = range(-1, 2)
        top = tuple(complex(x, -4) for x in cols)
        bot = tuple(complex(x, 4) for x in cols)
        bell = tuple((t, b) for t, b in zip(top, bot, strict=True))
        attach = tuple((complex(x, -4), complex(x, -1)) for x in cols) + tuple(
            (complex(x, 1), complex(x, 4)) for x in cols
        )
        fold = tuple((complex(x, -1), complex(x, 1)) for x in cols)
        return MorphPlan(3, top, bot, (bell, attach, fold), flag_min_row=-1)
    if d == 5:
        cols = range(-2, 3)
        top = tuple(complex(x, -6) for x in cols)
        bot = tuple(complex(x, 6) for x in cols)
        bell = tuple((t, b) for t, b in zip(top, bot, strict=True))
        # which extra feeds which fold pair (x, -k) <-> (x, k); the published circuit uses (-1,-6) -> (-1,-1),
        # (0,-6) -> (-1,-2), (-1,6) -> (0,-1), (0,6) -> (0,-2), (1,6) -> (1,-1), (2,6) -> (2,-1) (fault distance 4)
        owner = {
            complex(-2, -6): complex(-2, -2),
            complex(-1, -6): complex(-1, -2),
            complex(0, -6): complex(0, -1),
            complex(1, -6): complex(1, -2),
            complex(2, -6): complex(2, -2),
            complex(-2, 6): complex(-2, -1),
            complex(-1, 6): complex(0, -2),
            complex(0, 6): complex(-1, -1),
            complex(1, 6): complex(2, -1),
            complex(2, 6): complex(1, -1),
        }
        into = tuple((e, t) for e, t in owner.items())
        out = tuple((t.conjugate(), e) for e, t in owner.items())
        fold = tuple((t, t.conjugate()) for t in owner.values())
        return MorphPlan(5, top, bot, (bell, into, out, fold), flag_min_row=0)
    raise ValueError(f"d={d!r}: the SRP morph exists for d ∈ {{3, 5}}")
