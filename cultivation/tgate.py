"""The real T check on SRP codes, beyond the S-proxy: which T/T† pattern makes the transversal check logical.

The flagged check measures W X^⊗n W† for a transversal W of T and T† gates, i.e. ⊗_i (X_i ± Y_i)/√2. SRP codes are
self-dual but not doubly even, so T everywhere does not act logically; T† on a set B with |S ∩ B| ≡ |S|/2 (mod 2) for
every X-stabilizer generator S does (spec §2). This module finds such a B by GF(2) linear algebra and measures the
logical action of the check operator with a state vector on the 2^n code (n = 15 for SRP-3).

>>> from cultivation.codes import srp_code
>>> action = check_operator_action(srp_code(3), t_dagger_on=mixed_t_pattern(srp_code(3)))
>>> round(action.leakage, 12), action.is_h_xy
(0.0, True)
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ftq import gf2
from ftq.codes import StabilizerCode

_X = np.array([[0, 1], [1, 0]], dtype=complex)
_Y = np.array([[0, -1j], [1j, 0]], dtype=complex)


def _x_generators(code: StabilizerCode) -> np.ndarray:
    rows = []
    for s in code.stabilizers:
        xs, zs = s.to_numpy()
        if xs.any() and not zs.any():
            rows.append(xs.astype(np.uint8))
    return np.array(rows, dtype=np.uint8)


def mixed_t_pattern(code: StabilizerCode) -> list[int]:
    """Qubits that get T† (the rest get T) so that the transversal check is logical; raises if none exists."""
    if not code.is_self_dual():
        raise ValueError(
            f"{code.name or 'code'} is not self-dual; the transversal check needs a self-dual code"
        )
    gens = _x_generators(code)
    rhs = (gens.sum(axis=1) // 2) % 2
    b = gf2.solve(gens, rhs)
    if b is None:
        raise ValueError(f"no T/T† pattern makes the check logical on {code.name or 'this code'}")
    return [int(i) for i in np.nonzero(b)[0]]


def _codewords(code: StabilizerCode) -> tuple[np.ndarray, np.ndarray]:
    """|0_L> (uniform superposition over the X-stabilizer span) and |1_L> = X^⊗n |0_L>, as state vectors."""
    gens = _x_generators(code)
    n = code.n
    span = {0}
    for g in gens:
        word = int("".join(map(str, g[::-1])), 2)
        span |= {s ^ word for s in span}
    zero = np.zeros(2**n, dtype=complex)
    zero[list(span)] = 1
    zero /= np.linalg.norm(zero)
    one = zero[::-1].copy()  # X on every qubit reverses the basis index
    return zero, one


def _apply_single(state: np.ndarray, ops: list[np.ndarray]) -> np.ndarray:
    n = len(ops)
    psi = state.reshape([2] * n)
    for q, op in enumerate(ops):
        axis = n - 1 - q  # qubit q is bit q of the basis index
        psi = np.moveaxis(np.tensordot(op, psi, axes=([1], [axis])), 0, axis)
    return psi.reshape(-1)


@dataclasses.dataclass(frozen=True)
class LogicalAction:
    """The check operator restricted to the code: its 2×2 logical matrix and how much weight leaves the code."""

    matrix: np.ndarray
    leakage: float

    @property
    def is_h_xy(self) -> bool:
        """True when the logical matrix is ±(X + Y)/√2 or ±(X − Y)/√2 and nothing leaks."""
        targets = [(_X + _Y) / np.sqrt(2), (_X - _Y) / np.sqrt(2)]
        return self.leakage < 1e-9 and any(
            np.allclose(self.matrix, s * t, atol=1e-9) for t in targets for s in (1, -1)
        )


def check_operator_action(code: StabilizerCode, *, t_dagger_on: list[int]) -> LogicalAction:
    """Logical matrix and leakage of ⊗_i (X_i ± Y_i)/√2, with − on the T† qubits (state vector, 2^n amplitudes)."""
    if code.n > 20:
        raise ValueError(f"n={code.n} is too large for a state vector here (at most 20 qubits)")
    bset = set(t_dagger_on)
    ops = [(_X - _Y) / np.sqrt(2) if q in bset else (_X + _Y) / np.sqrt(2) for q in range(code.n)]
    basis = _codewords(code)
    m = np.zeros((2, 2), dtype=complex)
    leak = 0.0
    for j, v in enumerate(basis):
        w = _apply_single(v, ops)
        for i, u in enumerate(basis):
            m[i, j] = np.vdot(u, w)
        leak = max(leak, float(np.linalg.norm(w) ** 2 - np.sum(np.abs(m[:, j]) ** 2)))
    return LogicalAction(m, leak)
