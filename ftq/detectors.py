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

from ftq import gf2


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
        null = gf2.nullspace(diff)
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
