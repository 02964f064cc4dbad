"""Finding deterministic measurement parities in a noiseless circuit.

A detector is a set of measurements whose parity is fixed in the absence of noise. Given a noiseless circuit and a
small list of candidate measurements, :func:`deterministic_relations` returns the parity relations among them that hold
on every sampled shot: a GF(2) null space of the sampled outcome matrix (augmented with a constant column). With 256
shots, a relation that is not truly deterministic survives with probability below 2^-200.

>>> import stim
>>> c = stim.Circuit("H 0\\nCX 0 1\\nM 0 1")
>>> deterministic_relations(c, [0, 1])
[[0, 1]]
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import stim


def gf2_nullspace(matrix: np.ndarray) -> np.ndarray:
    """Basis (rows) of the right null space of a 0/1 matrix over GF(2)."""
    m = (np.asarray(matrix, dtype=np.uint8) & 1).copy()
    rows, cols = m.shape
    pivots: list[int] = []
    r = 0
    for c in range(cols):
        hit = np.nonzero(m[r:, c])[0]
        if len(hit) == 0:
            continue
        p = r + hit[0]
        m[[r, p]] = m[[p, r]]
        others = np.nonzero(m[:, c])[0]
        others = others[others != r]
        m[others] ^= m[r]
        pivots.append(c)
        r += 1
        if r == rows:
            break
    free = [c for c in range(cols) if c not in pivots]
    basis = []
    for f in free:
        v = np.zeros(cols, dtype=np.uint8)
        v[f] = 1
        for i, pc in enumerate(pivots):
            v[pc] = m[i, f]
        basis.append(v)
    return np.array(basis, dtype=np.uint8).reshape(len(basis), cols)


class MeasurementSampler:
    """Noiseless measurement samples of a circuit, reused across many relation queries."""

    def __init__(self, circuit: stim.Circuit, *, shots: int = 256, seed: int = 1) -> None:
        self.samples = circuit.compile_sampler(seed=seed).sample(shots).astype(np.uint8)

    def relations(self, candidates: Sequence[int], *, must_include: int | None = None) -> list[list[int]]:
        """Minimal-weight deterministic parities among ``candidates`` (optionally containing ``must_include``)."""
        cand = list(dict.fromkeys(candidates))
        sub = self.samples[:, cand]
        # parity is constant  <=>  (sub @ v) equal on all rows  <=>  (rows differ from row 0) @ v == 0
        diff = sub ^ sub[0:1, :]
        null = gf2_nullspace(diff)
        if len(null) == 0:
            return []
        vectors = _minimal_vectors(null)
        out = []
        for v in vectors:
            rel = [cand[i] for i in np.nonzero(v)[0]]
            if must_include is None or must_include in rel:
                out.append(sorted(rel))
        return out


def _minimal_vectors(null: np.ndarray) -> list[np.ndarray]:
    """All non-zero vectors of the span, lightest first (the span is small: candidates are local)."""
    k = len(null)
    if k > 16:
        raise ValueError(f"null space of dimension {k} is too large to enumerate; narrow the candidates")
    vecs = []
    for bits in itertools.product((0, 1), repeat=k):
        if any(bits):
            v = np.bitwise_xor.reduce(null[np.array(bits, dtype=bool)], axis=0)
            if v.any():
                vecs.append(v)
    vecs.sort(key=lambda v: int(v.sum()))
    return vecs


def deterministic_relations(circuit: stim.Circuit, candidates: Sequence[int]) -> list[list[int]]:
    """Deterministic parities among the given absolute measurement indices, lightest first."""
    return MeasurementSampler(circuit).relations(candidates)


def gf2_solve(matrix: np.ndarray, rhs: np.ndarray) -> np.ndarray | None:
    """One solution v of matrix @ v = rhs over GF(2), or None if there is none.

    >>> gf2_solve(np.array([[1, 1, 0], [0, 1, 1]]), np.array([1, 0])).tolist()
    [1, 0, 0]
    """
    a = np.concatenate(
        [np.asarray(matrix, dtype=np.uint8) & 1, (np.asarray(rhs, dtype=np.uint8) & 1)[:, None]], 1
    )
    rows, cols = a.shape[0], a.shape[1] - 1
    pivots: list[int] = []
    r = 0
    for c in range(cols):
        hit = np.nonzero(a[r:, c])[0]
        if len(hit) == 0:
            continue
        p = r + hit[0]
        a[[r, p]] = a[[p, r]]
        others = np.nonzero(a[:, c])[0]
        others = others[others != r]
        a[others] ^= a[r]
        pivots.append(c)
        r += 1
        if r == rows:
            break
    if a[r:, -1].any():
        return None
    v = np.zeros(cols, dtype=np.uint8)
    for i, c in enumerate(pivots):
        v[c] = a[i, -1]
    return v
