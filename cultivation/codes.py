"""RP-d and SRP-d as checkable code objects (:class:`ftq.codes.StabilizerCode`).

Qubits are numbered in the order of :func:`code_qubits`: the RP-d data row by row, then (for SRP-d) the extra qubits
of the morph. SRP-d is not typed in: it is the image of RP-d (plus the extras' reset states) under the morph circuit
of :mod:`cultivation.morph`, so the code object and the circuit cannot disagree.

>>> rp = rp_code(3)
>>> rp.n, rp.k
(9, 1)
>>> srp = srp_code(3)
>>> srp.n, srp.k, srp.is_self_dual()
(15, 1, True)
"""

from __future__ import annotations

import functools

import stim

from cultivation.layout import rp_checks, rp_logicals, square
from cultivation.morph import morph_plan
from ftq.codes import StabilizerCode


def code_qubits(d: int, *, srp: bool = False) -> list[complex]:
    """Positions of the code's qubits, in index order."""
    return morph_plan(d).qubits if srp else square(d)


@functools.cache
def rp_code(d: int) -> StabilizerCode:
    """RP-d = [[d², 1, d]]: the rotated surface code on the real projective plane."""
    qubits = code_qubits(d)
    index = {q: i for i, q in enumerate(qubits)}
    checks = rp_checks(d)
    logicals = rp_logicals(d)
    return StabilizerCode.from_css(
        n=len(qubits),
        x_checks=[[index[q] for q in c.data] for c in checks if c.basis == "X"],
        z_checks=[[index[q] for q in c.data] for c in checks if c.basis == "Z"],
        logical_x=[index[q] for q in logicals["X"]],
        logical_z=[index[q] for q in logicals["Z"]],
        name=f"RP-{d}",
    )


def morph_circuit(d: int) -> stim.Circuit:
    """The unitary part of the RP-d → SRP-d morph, on the SRP qubit numbering."""
    plan = morph_plan(d)
    index = {q: i for i, q in enumerate(plan.qubits)}
    c = stim.Circuit()
    for layer in plan.layers:
        c.append("CX", [index[q] for pair in layer for q in pair])
    return c


@functools.cache
def srp_code(d: int) -> StabilizerCode:
    """SRP-d: the self-dual code RP-d morphs into; logical X = X^⊗n, Z = Z^⊗n (checked, not assumed)."""
    plan = morph_plan(d)
    n = len(plan.qubits)
    index = {q: i for i, q in enumerate(plan.qubits)}
    rp = rp_code(d)
    before = [stim.PauliString(str(s) + "_" * (n - rp.n)) for s in rp.stabilizers]
    for e in plan.extras_x:
        p = stim.PauliString(n)
        p[index[e]] = "X"
        before.append(p)
    for e in plan.extras_z:
        p = stim.PauliString(n)
        p[index[e]] = "Z"
        before.append(p)
    tableau = morph_circuit(d).to_tableau()
    after = tuple(tableau(p) for p in before)
    return StabilizerCode(
        after,
        stim.PauliString("X" * n),
        stim.PauliString("Z" * n),
        f"SRP-{d}",
    )


def morphed_logicals(d: int) -> dict[str, stim.PauliString]:
    """Images of RP-d's X_L and Z_L under the morph (equal to X^⊗n, Z^⊗n up to stabilizers)."""
    plan = morph_plan(d)
    n = len(plan.qubits)
    rp = rp_code(d)
    tableau = morph_circuit(d).to_tableau()
    pad = "_" * (n - rp.n)
    return {
        "X": tableau(stim.PauliString(str(rp.logical_x) + pad)),
        "Z": tableau(stim.PauliString(str(rp.logical_z) + pad)),
    }
