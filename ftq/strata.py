"""Strata of the postselected stage: which of its fault sets a kept shot carries, with exact probabilities.

A shot is kept when the mechanisms that flip postselected detectors (*postselected-stage* mechanisms) fired
in a set ``S`` that no postselected detector sees; the later-stage mechanisms are independent of ``S``. So

    P(A) = Σ_S P(stage faults = S) · P(A | S),    P(stage faults = S) = Π_{stage}(1 − p) · Π_{i∈S} p_i/(1 − p_i)

for any event ``A`` of a kept shot. :func:`postselected_strata` lists every such ``S`` of up to three
mechanisms (weight 0: the empty set; no single stage mechanism is silent) grouped by weight. A Markov chain
over the later-stage faults cannot move between these sets (it would have to flip two or three stage
mechanisms at once and stay kept), so :func:`ftq.splitting.subset_simulation` runs once per stratum, drawing
``S`` within the stratum in proportion to its probability (and redrawing it as a chain move), and
:class:`StratifiedRun` adds the strata with their exact weights. Sets of four or more mechanisms are left
out: :func:`postselected_strata` reports their enumerated weight-4 probability beside the listed strata
(``next_weight_mass``) so that their share can be judged; the sets no detector sees at all are added exactly
by :func:`ftq.enumeration.postselected_floor`.

>>> import stim
>>> c = stim.Circuit('''
...     X_ERROR(0.01) 0 1
...     CX 0 2 1 2
...     M 2 0
...     DETECTOR(0, 0, 0, 1) rec[-2]
...     OBSERVABLE_INCLUDE(0) rec[-1]''')
>>> strata = postselected_strata(c)
>>> [(s.weight, len(s.sets)) for s in strata]
[(0, 1), (2, 1)]
>>> round(strata[1].mass / strata[0].mass, 8)  # r0 · r1
0.00010203
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Sequence

import numpy as np
import stim

from ftq.errors import InputError
from ftq.tags import postselection_mask
from ftq.traced import Mechanisms


@dataclasses.dataclass(frozen=True)
class Stratum:
    """The stage fault sets of one weight (rows of mechanism indices into the circuit's flattened DEM, as
    :class:`ftq.traced.Mechanisms` orders them) and each set's probability per attempt."""

    weight: int
    sets: np.ndarray
    probabilities: np.ndarray

    @property
    def mass(self) -> float:
        """Probability per attempt that the stage faults are one of this stratum's sets."""
        return float(self.probabilities.sum())

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` sets (rows of mechanism indices), each drawn in proportion to its probability."""
        if len(self.sets) == 1:
            return np.repeat(self.sets, n, axis=0)
        cdf = self._cdf
        idx = np.searchsorted(cdf, rng.random(n) * cdf[-1], side="right")
        return self.sets[np.minimum(idx, len(self.sets) - 1)]

    @functools.cached_property
    def _cdf(self) -> np.ndarray:
        # computed once: a chain step draws from it, and weight 4 has tens of millions of sets
        return np.cumsum(self.probabilities)


def stage_mechanisms(mech: Mechanisms, post: np.ndarray) -> np.ndarray:
    """Boolean mask of the mechanisms that flip at least one postselected detector."""
    if not post.any():
        return np.zeros(len(mech.probabilities), dtype=bool)
    return np.asarray(mech.detectors[:, np.flatnonzero(post)].sum(axis=1)).ravel() > 0


def postselected_strata(circuit: stim.Circuit, *, max_weight: int = 3) -> list[Stratum]:
    """The strata of weight 0 and 2..``max_weight`` (≤ 4) that exist, in that order. See the module docstring.
    Weight 4 lists every silent 4-set once (primitive ones and unions of two silent pairs): tens of millions
    of sets on a d=5 circuit (about 1 GB).

    Raises :class:`InputError` when ``max_weight`` is outside 0..4.
    """
    if not 0 <= max_weight <= 4:
        raise InputError(f"max_weight={max_weight} is outside 0..4 (heavier sets are not listed)")
    mech = Mechanisms.from_circuit(circuit)
    post = postselection_mask(circuit)
    stage = np.flatnonzero(stage_mechanisms(mech, post))
    p = mech.probabilities
    base = float(np.log1p(-p[stage]).sum())
    strata = [Stratum(0, np.zeros((1, 0), dtype=np.int64), np.array([math.exp(base)]))]
    if max_weight < 2 or not len(stage):
        return strata
    sym = mech.detectors[stage][:, np.flatnonzero(post)].tocsr()
    sym.sort_indices()
    keys = [sym.indices[sym.indptr[i] : sym.indptr[i + 1]].tobytes() for i in range(len(stage))]
    rng = np.random.default_rng(2024)
    salt = rng.integers(1, 2**62, size=sym.shape[1], dtype=np.int64)
    h = np.array(
        [
            np.bitwise_xor.reduce(salt[sym.indices[sym.indptr[i] : sym.indptr[i + 1]]])
            for i in range(len(stage))
        ]
    )
    r = p[stage] / (1 - p[stage])
    # weight 2: equal symptoms
    groups: dict[bytes, list[int]] = {}
    for i, k in enumerate(keys):
        groups.setdefault(k, []).append(i)
    pairs = [(a, b) for g in groups.values() for ia, a in enumerate(g) for b in g[ia + 1 :]]
    if pairs:
        arr = np.array(pairs, dtype=np.int64)
        strata.append(Stratum(2, stage[arr], math.exp(base) * r[arr[:, 0]] * r[arr[:, 1]]))
    packed = _packed(sym)
    if max_weight >= 3:
        triples = _triples(h, packed)
        if len(triples):
            strata.append(Stratum(3, stage[triples], math.exp(base) * np.prod(r[triples], axis=1)))
    if max_weight >= 4:
        quads = _quads(h, packed)
        if len(quads):
            prob = math.exp(base) * np.prod(r[quads], axis=1)
            strata.append(Stratum(4, stage[quads].astype(np.int32), prob))
    return strata


def _packed(sym) -> np.ndarray:
    """Rows of a 0/1 sparse matrix as bit-packed uint64 words."""
    words = max(1, (sym.shape[1] + 63) // 64)
    out = np.zeros((sym.shape[0], words), dtype=np.uint64)
    rows = np.repeat(np.arange(sym.shape[0]), np.diff(sym.indptr))
    np.bitwise_or.at(
        out, (rows, sym.indices // 64), np.left_shift(np.uint64(1), (sym.indices % 64).astype(np.uint64))
    )
    return out


def _quads(h: np.ndarray, packed: np.ndarray, *, chunk: int = 4_000_000) -> np.ndarray:
    """Every 4-set a < b < c < d with no symptom, once: the pairs (a, b) and (c, d) have equal symptoms
    (equal pair hashes, then an exact check on the bit-packed symptoms), b < c picks one of its three
    pairings."""
    ia, ib = np.triu_indices(len(h), k=1)
    ph = h[ia] ^ h[ib]
    order = np.argsort(ph, kind="stable")
    ph, ia, ib = ph[order], ia[order].astype(np.int32), ib[order].astype(np.int32)
    starts = np.flatnonzero(np.r_[True, ph[1:] != ph[:-1]])
    lengths = np.diff(np.r_[starts, len(ph)])
    found = []
    for length in np.unique(lengths[lengths >= 2]):
        runs = starts[lengths == length]
        u, v = np.triu_indices(int(length), k=1)
        step = max(1, chunk // len(u))
        for lo in range(0, len(runs), step):
            block = runs[lo : lo + step]
            for ulo in range(0, len(u), chunk):
                pu = (block[:, None] + u[None, ulo : ulo + chunk]).ravel()
                pv = (block[:, None] + v[None, ulo : ulo + chunk]).ravel()
                a, b, c, d = ia[pu], ib[pu], ia[pv], ib[pv]
                first = b < c
                second = d < a
                keep = first | second
                a, b, c, d, first = a[keep], b[keep], c[keep], d[keep], first[keep]
                quad = np.where(first[:, None], np.stack([a, b, c, d], 1), np.stack([c, d, a, b], 1))
                silent = ~np.any(
                    packed[quad[:, 0]] ^ packed[quad[:, 1]] ^ packed[quad[:, 2]] ^ packed[quad[:, 3]], axis=1
                )
                found.append(quad[silent])
    return np.concatenate(found) if found else np.zeros((0, 4), dtype=np.int32)


def _triples(h: np.ndarray, packed: np.ndarray) -> np.ndarray:
    """All a < b < c with symptom(a) ^ symptom(b) = symptom(c) (hash match, then an exact check on the
    bit-packed symptoms, as :func:`_quads`)."""
    order = np.argsort(h, kind="stable")
    sorted_h = h[order]
    found = []
    n = len(h)
    for a in range(n - 2):
        b = np.arange(a + 1, n)
        target = h[a] ^ h[b]
        lo = np.searchsorted(sorted_h, target, side="left")
        hi = np.searchsorted(sorted_h, target, side="right")
        for j in np.flatnonzero(hi > lo):
            for c in order[lo[j] : hi[j]]:
                bb = int(b[j])
                if c <= bb:
                    continue
                if not np.any(packed[a] ^ packed[bb] ^ packed[c]):
                    found.append((a, bb, int(c)))
    return np.array(found, dtype=np.int64).reshape(-1, 3)


@dataclasses.dataclass(frozen=True)
class StratifiedRun:
    """One independent run per stratum (``runs[k]`` sampled with stratum ``weights[k]`` fixed), added with the
    strata's exact probabilities: ``P(A) = Σ_k mass_k · P(A | stratum k)``. It answers what
    :func:`ftq.splitting.front` asks of a run (``error_mass``, ``kept_mass``, ``ray``).

    >>> from ftq.splitting import Level, SplittingRun
    >>> part = SplittingRun(10, 10, 2, (1.0,), (Level(-math.inf, 0.2, 0.2, 1.0, np.array([[5.0], [1.0]])),),
    ...                     np.array([[5.0], [1.0]]), np.array([5, 5]), 12, 0.5)
    >>> r = StratifiedRun((0, 2), (0.9, 0.01), (part, part))
    >>> round(r.error_mass((3,)), 6), round(r.kept_mass((3,)), 6)
    (0.091, 0.455)
    >>> StratifiedRun.from_json(r.to_json()).error_mass((3,)) == r.error_mass((3,))
    True
    """

    weights: tuple[int, ...]
    masses: tuple[float, ...]
    runs: tuple  # SplittingRun per stratum

    @property
    def ray(self) -> tuple[float, ...]:
        return self.runs[0].ray

    @property
    def seconds(self) -> float:
        return sum(r.seconds for r in self.runs)

    @property
    def decodes(self) -> int:
        return sum(r.decodes for r in self.runs)

    def error_mass(self, cut: Sequence[float]) -> float:
        """Estimated ``P(kept, wrong, soft ≥ cut)`` per attempt: the strata's estimates weighted by their mass."""
        return sum(m * r.error_mass(cut) for m, r in zip(self.masses, self.runs, strict=True))

    def kept_mass(self, cut: Sequence[float]) -> float:
        """Estimated ``P(kept, soft ≥ cut)`` per attempt (strata heavier than listed left out)."""
        return sum(m * r.kept_at(cut) / r.attempts for m, r in zip(self.masses, self.runs, strict=True))

    def soft_values(self) -> list[np.ndarray]:
        """Every stored soft-output array of the parts (level-0 kept shots and level samples)."""
        return [a for r in self.runs for a in (r.kept_soft, *(lv.soft for lv in r.levels))]

    def to_json(self) -> dict:
        return {
            "seconds": self.seconds,
            "strata": [
                {"weight": w, "mass": m, "run": r.to_json()}
                for w, m, r in zip(self.weights, self.masses, self.runs, strict=True)
            ],
        }

    @staticmethod
    def from_json(data: dict) -> StratifiedRun:
        from ftq.splitting import SplittingRun

        parts = data["strata"]
        return StratifiedRun(
            tuple(int(p["weight"]) for p in parts),
            tuple(float(p["mass"]) for p in parts),
            tuple(SplittingRun.from_json(p["run"]) for p in parts),
        )
