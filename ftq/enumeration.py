"""Exact low-weight enumeration of undetected logical errors in a postselected detector error model.

In a postselection-only circuit (every detector discards the shot when it fires) a shot is kept when the
fired error mechanisms ``S`` have zero detector symptom, ``H·S = 0``, and it is wrong when, in addition, the
observable is flipped, ``L·S = 1``. With ``r_i = p_i / (1 - p_i)`` the exact rates are

    P(kept)             = Π_j (1 - p_j) · Σ_{S: H·S = 0} Π_{i∈S} r_i
    P(kept and wrong)   = Π_j (1 - p_j) · Σ_{S: H·S = 0, L·S = 1} Π_{i∈S} r_i

so the postselected logical error rate ``LER = P(wrong | kept)`` is a ratio of two sums over the kernel of
``H`` in which the common factor ``Π(1 - p_j)`` cancels. :func:`enumerate_undetected` walks every kernel
element of weight ≤ w once, by a depth-first search that always cancels a still-firing detector:

* seed = the lowest-index mechanism of ``S``;
* at each step pick the firing detector with the smallest total ``Σ r`` among mechanisms containing it, and
  branch over those mechanisms in index order, excluding the earlier siblings from later branches (so each
  set has exactly one path);
* the last mechanism is not searched but looked up: it must have exactly the remaining symptom (a sorted
  table of 64-bit symptom hashes — meet in the middle — with an exact bit-packed check on every hit).

The search stops a branch as soon as the symptom is cancelled, so it finds the *primitive* kernel sets
(those whose canonical path closes only at the end). A general kernel set is a disjoint union of primitive
ones; unions of two or more primitive sets have weight ≥ 2·3 and enter only through the truncation term.

Truncation: everything not enumerated is (a) kernel sets of more than w mechanisms, whose total probability
is below ``P(more than w mechanisms fire)`` — computed exactly from the Poisson-binomial distribution of the
fault count (:func:`fault_count_distribution`), rigorous but loose — and (b) unions of two or more primitive
sets of weight ≤ w, bounded by ``e^P − 1 − P`` (P the enumerated sum, so this is of order P²). The
weight-resolved sums show how fast the series converges, which is the practical measure of truncation;
:func:`tail_estimate` estimates the next orders without bias by random paths through the same search tree.

>>> import stim
>>> c = stim.Circuit('''
...     X_ERROR(0.01) 0 1
...     CX 0 2 1 2
...     M 2 0
...     DETECTOR(0, 0, 0, 1) rec[-2]
...     OBSERVABLE_INCLUDE(0) rec[-1]''')
>>> res = enumerate_undetected(c, max_weight=3)
>>> int(res.counts_logical[2]), res.fault_distance
(1, 2)
"""

from __future__ import annotations

import dataclasses
import math

import numba
import numpy as np
import stim

from ftq.errors import InputError
from ftq.tags import postselection_mask


@dataclasses.dataclass(frozen=True)
class DemArrays:
    """A detector error model as arrays: one row per error mechanism.

    ``masks`` holds the detector symptom bit-packed into uint64 words, ``obs`` the flipped observables as a
    bit mask, ``p`` the probability. Only the detectors kept in ``detectors`` are present (renumbered).
    """

    p: np.ndarray
    masks: np.ndarray
    obs: np.ndarray
    num_detectors: int
    det_ptr: np.ndarray
    det_idx: np.ndarray

    @property
    def num_mechanisms(self) -> int:
        """Number of error mechanisms."""
        return len(self.p)

    @property
    def r(self) -> np.ndarray:
        """Odds ``p / (1 - p)`` of every mechanism."""
        return self.p / (1.0 - self.p)

    def symptom_weights(self) -> np.ndarray:
        """Number of detectors each mechanism flips."""
        return np.array([int(sum(int(w).bit_count() for w in row)) for row in self.masks], dtype=np.int64)


def postselected_dem(
    circuit: stim.Circuit | stim.DetectorErrorModel, *, allow_decoded: bool = False
) -> stim.DetectorErrorModel:
    """The circuit's undecomposed detector error model, checking that every detector is postselected.

    Raises :class:`InputError` when some detector is decoded (3 published coordinates, or ``postselected = 0``),
    unless ``allow_decoded`` (then decoded detectors are simply ignored by :func:`dem_arrays`).

    >>> c = stim.Circuit("X_ERROR(0.1) 0\\nM 0\\nDETECTOR(0, 0, 0, 1) rec[-1]\\nOBSERVABLE_INCLUDE(0) rec[-1]")
    >>> postselected_dem(c).num_detectors
    1
    """
    if isinstance(circuit, stim.Circuit):
        dem = circuit.detector_error_model(decompose_errors=False, approximate_disjoint_errors=True)
    else:
        dem = circuit
    if dem.num_detectors and not allow_decoded:
        mask = postselection_mask(dem)
        if not mask.all():
            raise InputError(
                f"the circuit has {int((~mask).sum())} decoded detectors; rare-event estimation covers circuits "
                "whose detectors are all postselected (cultivation-only circuits)"
            )
    if dem.num_observables == 0:
        raise InputError("the circuit has no OBSERVABLE_INCLUDE; there is no logical error to estimate")
    return dem


def dem_arrays(dem: stim.DetectorErrorModel, *, detectors: np.ndarray | None = None) -> DemArrays:
    """Bit-packed arrays of a detector error model (``detectors``: boolean mask of the detectors to keep).

    Mechanisms with probability 0 are dropped; mechanisms with identical symptoms are kept separate.

    >>> d = dem_arrays(stim.DetectorErrorModel("error(0.1) D0 D1 L0\\nerror(0.2) D1"))
    >>> d.num_mechanisms, int(d.masks[0, 0]), int(d.obs[0])
    (2, 3, 1)
    """
    n_det = dem.num_detectors
    if detectors is None:
        keep = np.ones(n_det, dtype=bool)
    else:
        keep = np.asarray(detectors, dtype=bool)
    new_index = np.cumsum(keep) - 1
    m = int(keep.sum())
    words = max(1, (m + 63) // 64)
    if dem.num_observables > 64:
        raise InputError(f"the circuit has {dem.num_observables} observables; at most 64 are supported")
    ps: list[float] = []
    rows: list[list[int]] = []
    obs: list[int] = []
    for inst in dem.flattened():
        if inst.type != "error":
            continue
        p = float(inst.args_copy()[0])
        if p <= 0:
            continue
        dets: set[int] = set()
        o = 0
        for t in inst.targets_copy():
            if t.is_relative_detector_id():
                if keep[t.val]:
                    dets ^= {int(new_index[t.val])}
            elif t.is_logical_observable_id():
                o ^= 1 << t.val
        ps.append(p)
        rows.append(sorted(dets))
        obs.append(o)
    if any(p >= 0.5 for p in ps):
        raise InputError("an error mechanism has probability ≥ 0.5; rescale the noise to keep p in (0, 0.5)")
    masks = np.zeros((len(ps), words), dtype=np.uint64)
    for i, row in enumerate(rows):
        for d in row:
            masks[i, d // 64] |= np.uint64(1) << np.uint64(d % 64)
    counts = np.zeros(m + 1, dtype=np.int64)
    for row in rows:
        for d in row:
            counts[d + 1] += 1
    det_ptr = np.cumsum(counts)
    det_idx = np.zeros(int(det_ptr[-1]), dtype=np.int64)
    fill = det_ptr[:-1].copy()
    for i, row in enumerate(rows):
        for d in row:
            det_idx[fill[d]] = i
            fill[d] += 1
    return DemArrays(
        p=np.array(ps, dtype=np.float64),
        masks=masks,
        obs=np.array(obs, dtype=np.uint64),
        num_detectors=m,
        det_ptr=det_ptr.astype(np.int64),
        det_idx=det_idx,
    )


def fault_count_distribution(p: np.ndarray, *, k_max: int) -> np.ndarray:
    """Exact ``P(K = k)`` for k = 0..k_max, K the number of independent mechanisms that fire.

    >>> np.round(fault_count_distribution(np.array([0.5, 0.5]), k_max=2), 3)
    array([0.25, 0.5 , 0.25])
    """
    dist = np.zeros(k_max + 1)
    dist[0] = 1.0
    for q in np.asarray(p, dtype=np.float64):
        dist[1:] = dist[1:] * (1 - q) + dist[:-1] * q
        dist[0] *= 1 - q
    return dist


@dataclasses.dataclass(frozen=True)
class EnumerationResult:
    """Weight-resolved sums over undetected error sets (index = weight, 0..max_weight).

    ``sum_logical[k]`` = Σ Π r over primitive undetected sets of weight k that flip the observable,
    ``sum_benign[k]`` the same for those that do not; ``counts_*`` count the sets.
    """

    max_weight: int
    counts_logical: np.ndarray
    counts_benign: np.ndarray
    sum_logical: np.ndarray
    sum_benign: np.ndarray
    log_no_fault: float
    tail_probability: float
    num_mechanisms: int
    nodes: int

    @property
    def fault_distance(self) -> int | None:
        """Smallest weight of an undetected logical error found (None if none up to max_weight)."""
        nz = np.nonzero(self.counts_logical)[0]
        return int(nz[0]) if len(nz) else None

    @property
    def kept_sum(self) -> float:
        """Σ Π r over all enumerated undetected sets, including the empty set (= P(kept)/Π(1-p), truncated)."""
        return 1.0 + float(self.sum_logical.sum() + self.sum_benign.sum())

    @property
    def ler(self) -> float:
        """Leading-order logical error rate among kept shots, from the enumerated sets."""
        return float(self.sum_logical.sum()) / self.kept_sum

    @property
    def kept_fraction(self) -> float:
        """P(kept) from the enumerated sets (a lower bound on the exact value)."""
        return math.exp(self.log_no_fault) * self.kept_sum

    @property
    def composite_bound(self) -> float:
        """Bound on Σ Π r over kernel sets that are unions of ≥ 2 enumerated primitive sets: e^P − 1 − P.

        Each such union is determined by the set of its primitive parts, so its weight appears in the
        expansion of Π_j (1 + P_j) − 1 − Σ_j P_j ≤ e^P − 1 − P, with P the sum over enumerated primitive sets.
        """
        total = float(self.sum_logical.sum() + self.sum_benign.sum())
        return math.expm1(total) - total

    @property
    def composite_logical_bound(self) -> float:
        """Bound on Σ Π r over the *logical* kernel sets that are unions of ≥ 2 enumerated primitive sets.

        Such a union has at least one logical part, so its weight appears in the expansion of
        Π_B(1 + P_j) · (Π_L(1 + P_j) − 1) − P_L ≤ e^{P_B} (e^{P_L} − 1) − P_L (B: benign, L: logical parts):
        of order P_L · P_B, far below :attr:`composite_bound` (order P_B²) when logical sets are rare.
        """
        p_l = float(self.sum_logical.sum())
        p_b = float(self.sum_benign.sum())
        return max(0.0, math.expm1(p_l) - p_l + math.expm1(p_b) * math.expm1(p_l))

    @property
    def unenumerated_bound(self) -> float:
        """Rigorous bound on Σ Π r over all kernel sets not enumerated: P(K > w)/Π(1−p) + composite bound."""
        return self.tail_probability / math.exp(self.log_no_fault) + self.composite_bound

    @property
    def truncation_bound(self) -> float:
        """Rigorous bound on the LER error from everything not enumerated (loose: dominated by P(K > w))."""
        return self.unenumerated_bound / self.kept_sum

    def ler_by_weight(self) -> dict[int, float]:
        """Contribution of each weight to the LER (the series whose convergence the truncation is about)."""
        return {k: float(self.sum_logical[k]) / self.kept_sum for k in range(self.max_weight + 1)}


@numba.njit(cache=True)
def _popcount(x: np.ndarray) -> int:
    c = 0
    for w in x:
        v = w
        while v:
            v &= v - np.uint64(1)
            c += 1
    return c


@numba.njit(cache=True)
def _pick_detector(syn, det_cost):
    best = -1
    best_cost = np.inf
    for wi in range(syn.shape[0]):
        v = syn[wi]
        b = 0
        while v:
            if v & np.uint64(1):
                d = wi * 64 + b
                if det_cost[d] < best_cost:
                    best_cost = det_cost[d]
                    best = d
            v >>= np.uint64(1)
            b += 1
    return best


@numba.njit(cache=True)
def _close_with_one(
    h, level, size, seed, sorted_h, sorted_id, excluded, in_c, masks, syn, ob, obs, wt, r, out_c, out_s
):
    """Count every single mechanism whose symptom equals the remaining one (hash lookup, exact check)."""
    words = masks.shape[1]
    j = np.searchsorted(sorted_h, h)
    while j < sorted_h.shape[0] and sorted_h[j] == h:
        m = sorted_id[j]
        j += 1
        if m <= seed or excluded[m] or in_c[m]:
            continue
        same = True
        for wi in range(words):
            if masks[m, wi] != syn[level, wi]:
                same = False
        if same:
            lg = 1 if (ob[level] ^ obs[m]) != 0 else 0
            out_c[size + 1, lg] += 1
            out_s[size + 1, lg] += wt[level] * r[m]


@numba.njit(cache=True)
def _search(
    masks,
    obs,
    r,
    hashes,
    det_ptr,
    det_idx,
    det_cost,
    sorted_h,
    sorted_id,
    pair_h,
    pair_a,
    pair_b,
    max_w,
    max_sym,
    out_c,
    out_s,
):
    m_count, words = masks.shape
    excluded = np.zeros(m_count, dtype=np.uint8)
    in_c = np.zeros(m_count, dtype=np.uint8)
    stack = np.zeros(m_count + 1, dtype=np.int64)
    top = 0
    chosen = np.zeros(max_w + 1, dtype=np.int64)
    syn = np.zeros((max_w + 1, words), dtype=np.uint64)
    hsh = np.zeros(max_w + 1, dtype=np.uint64)
    ob = np.zeros(max_w + 1, dtype=np.uint64)
    wt = np.zeros(max_w + 1, dtype=np.float64)
    bdet = np.zeros(max_w + 1, dtype=np.int64)
    pos = np.zeros(max_w + 1, dtype=np.int64)
    estart = np.zeros(max_w + 1, dtype=np.int64)
    new = np.zeros(words, dtype=np.uint64)
    nodes = 0
    for seed in range(m_count):
        nonzero = False
        for wi in range(words):
            if masks[seed, wi] != 0:
                nonzero = True
        if not nonzero:
            lg = 1 if obs[seed] != 0 else 0
            out_c[1, lg] += 1
            out_s[1, lg] += r[seed]
            continue
        if max_w < 2:
            continue
        level = 0
        chosen[0] = seed
        syn[0, :] = masks[seed]
        hsh[0] = hashes[seed]
        ob[0] = obs[seed]
        wt[0] = r[seed]
        in_c[seed] = 1
        bdet[0] = _pick_detector(syn[0], det_cost)
        pos[0] = det_ptr[bdet[0]]
        estart[0] = top
        while level >= 0:
            nodes += 1
            size = level + 1
            descend = False
            if max_w - 2 <= size <= max_w - 1:
                # meet in the middle: close with one mechanism from the sorted hash table, and (one level
                # earlier) with a pair from the pair table
                h = hsh[level]
                _close_with_one(
                    h,
                    level,
                    size,
                    seed,
                    sorted_h,
                    sorted_id,
                    excluded,
                    in_c,
                    masks,
                    syn,
                    ob,
                    obs,
                    wt,
                    r,
                    out_c,
                    out_s,
                )
                if size == max_w - 2:
                    j = np.searchsorted(pair_h, h)
                    while j < pair_h.shape[0] and pair_h[j] == h:
                        a = pair_a[j]
                        b = pair_b[j]
                        j += 1
                        if a <= seed or b <= seed or excluded[a] or excluded[b] or in_c[a] or in_c[b]:
                            continue
                        same = True
                        for wi in range(words):
                            if masks[a, wi] ^ masks[b, wi] != syn[level, wi]:
                                same = False
                        if same:
                            lg = 1 if (ob[level] ^ obs[a] ^ obs[b]) != 0 else 0
                            out_c[size + 2, lg] += 1
                            out_s[size + 2, lg] += wt[level] * r[a] * r[b]
            else:
                d = bdet[level]
                while pos[level] < det_ptr[d + 1]:
                    m = det_idx[pos[level]]
                    pos[level] += 1
                    if m <= seed or excluded[m] or in_c[m]:
                        continue
                    zero = True
                    for wi in range(words):
                        new[wi] = syn[level, wi] ^ masks[m, wi]
                        if new[wi] != 0:
                            zero = False
                    if zero:
                        lg = 1 if (ob[level] ^ obs[m]) != 0 else 0
                        out_c[size + 1, lg] += 1
                        out_s[size + 1, lg] += wt[level] * r[m]
                    elif _popcount(new) <= (max_w - size - 1) * max_sym:
                        nl = level + 1
                        chosen[nl] = m
                        syn[nl, :] = new
                        hsh[nl] = hsh[level] ^ hashes[m]
                        ob[nl] = ob[level] ^ obs[m]
                        wt[nl] = wt[level] * r[m]
                        in_c[m] = 1
                        bdet[nl] = _pick_detector(new, det_cost)
                        pos[nl] = det_ptr[bdet[nl]]
                        estart[nl] = top
                        level = nl
                        descend = True
                        break
                    excluded[m] = 1
                    stack[top] = m
                    top += 1
            if descend:
                continue
            # level exhausted: undo its exclusions, leave it, and exclude its mechanism from later siblings
            while top > estart[level]:
                top -= 1
                excluded[stack[top]] = 0
            m = chosen[level]
            in_c[m] = 0
            level -= 1
            if level >= 0:
                excluded[m] = 1
                stack[top] = m
                top += 1
    return nodes


def _symptom_hashes(masks: np.ndarray, *, seed: int = 12345) -> np.ndarray:
    """Linear 64-bit hash of each symptom: XOR of a random key per detector."""
    rng = np.random.default_rng(seed)
    words = masks.shape[1]
    keys = rng.integers(0, 2**63, size=words * 64, dtype=np.int64).astype(np.uint64)
    keys ^= rng.integers(0, 2, size=words * 64, dtype=np.int64).astype(np.uint64) << np.uint64(63)
    h = np.zeros(masks.shape[0], dtype=np.uint64)
    for wi in range(words):
        for b in range(64):
            bit = (masks[:, wi] >> np.uint64(b)) & np.uint64(1)
            h ^= bit * keys[wi * 64 + b]
    return h


def _pair_table(
    masks: np.ndarray, hashes: np.ndarray, *, use: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """All pairs of mechanisms with non-empty symptoms, sorted by the hash of their combined symptom."""
    idx = np.nonzero(masks.any(axis=1))[0] if use else np.zeros(0, dtype=np.int64)
    hs, aa, bb = [], [], []
    for k, a in enumerate(idx[:-1]):
        rest = idx[k + 1 :]
        hs.append(hashes[a] ^ hashes[rest])
        aa.append(np.full(len(rest), a, dtype=np.int64))
        bb.append(rest.astype(np.int64))
    if not hs:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    h = np.concatenate(hs)
    order = np.argsort(h, kind="stable")
    return h[order], np.concatenate(aa)[order], np.concatenate(bb)[order]


def enumerate_undetected(
    circuit: stim.Circuit | stim.DetectorErrorModel, *, max_weight: int = 4, allow_decoded: bool = False
) -> EnumerationResult:
    """Every primitive undetected error set of ≤ ``max_weight`` mechanisms, with exact probability sums.

    ``circuit`` is a postselection-only stim circuit (or its detector error model). See the module docstring
    for the method and the meaning of the truncation bound.

    >>> c = stim.Circuit('''
    ...     X_ERROR(0.01) 0 1
    ...     CX 0 2 1 2
    ...     M 2 0
    ...     DETECTOR(0, 0, 0, 1) rec[-2]
    ...     OBSERVABLE_INCLUDE(0) rec[-1]''')
    >>> res = enumerate_undetected(c, max_weight=2)
    >>> int(res.counts_logical[2]), round(res.ler, 6)
    (1, 0.000102)
    """
    _check_max_weight(max_weight)
    dem = postselected_dem(circuit, allow_decoded=allow_decoded)
    keep = postselection_mask(dem) if allow_decoded and dem.num_detectors else None
    arr = dem_arrays(dem, detectors=keep)
    return _enumerate_arrays(arr, max_weight=max_weight)


def silent_floor(circuit: stim.Circuit, *, max_weight: int = 3) -> EnumerationResult:
    """Undetected error sets with *every* detector silent, decoded ones included.

    In a circuit with decoded detectors this is the floor under any decoder and any soft-output cut: a shot whose
    detectors are all silent looks perfect to every cut, and it is wrong when the observable flipped. Its ``ler``
    is the leading-order probability of that among all-silent shots.

    >>> c = stim.Circuit('''
    ...     X_ERROR(0.01) 0 1
    ...     CX 0 2 1 2
    ...     M 2 0
    ...     DETECTOR(0, 0, 0) rec[-2]
    ...     OBSERVABLE_INCLUDE(0) rec[-1]''')
    >>> silent_floor(c, max_weight=2).fault_distance
    2
    """
    _check_max_weight(max_weight)
    dem = postselected_dem(circuit, allow_decoded=True)
    return _enumerate_arrays(dem_arrays(dem), max_weight=max_weight)  # every detector kept


def postselected_floor(
    circuit: stim.Circuit | stim.DetectorErrorModel, *, max_weight: int = 5
) -> EnumerationResult:
    """Sets of *postselected-stage* mechanisms (each flips at least one postselected detector) that no detector
    sees, decoded ones included: errors of the postselected stage that the later stages cannot see either.

    Given such a set ``S`` and no other postselected-stage fault, the decoded stage sees only its own faults,
    so a decoder is wrong exactly when ``S`` flips the observable and the decoder would have been right without
    it. Markov chains started from plain failures (:mod:`ftq.splitting`) do not reach these sets (a separate
    mode): they are added from here. ``exp(log_no_fault) · sum_logical[k]`` is their probability per attempt
    at weight k (``log_no_fault`` over the postselected-stage mechanisms only).

    >>> c = stim.Circuit('''
    ...     X_ERROR(0.01) 0 1
    ...     CX 0 2 1 2
    ...     M 2 0
    ...     DETECTOR(0, 0, 0, 1) rec[-2]
    ...     M 2
    ...     DETECTOR(0, 0, 1) rec[-1] rec[-3]
    ...     OBSERVABLE_INCLUDE(0) rec[-2]''')
    >>> r = postselected_floor(c, max_weight=2)
    >>> r.num_mechanisms, r.fault_distance, int(r.counts_logical[2])
    (2, 2, 1)
    """
    _check_max_weight(max_weight)
    dem = postselected_dem(circuit, allow_decoded=True)
    post = postselection_mask(dem) if dem.num_detectors else np.zeros(0, dtype=bool)
    stage = stim.DetectorErrorModel()
    for inst in dem.flattened():
        if inst.type == "error" and any(
            t.is_relative_detector_id() and post[t.val] for t in inst.targets_copy()
        ):
            stage.append(inst)
    if dem.num_detectors:  # keep every detector, also those only later-stage mechanisms flip
        stage.append("detector", [], [stim.target_relative_detector_id(dem.num_detectors - 1)])
    return _enumerate_arrays(dem_arrays(stage), max_weight=max_weight)


def _check_max_weight(max_weight: int) -> None:
    if not 1 <= max_weight <= 12:
        raise InputError(f"max weight {max_weight} is outside the supported range 1..12")


def _enumerate_arrays(arr: DemArrays, *, max_weight: int) -> EnumerationResult:
    r = arr.r
    hashes = _symptom_hashes(arr.masks)
    order = np.argsort(hashes, kind="stable")
    det_cost = np.array(
        [r[arr.det_idx[arr.det_ptr[d] : arr.det_ptr[d + 1]]].sum() for d in range(arr.num_detectors)]
        + [np.inf] * (arr.masks.shape[1] * 64 - arr.num_detectors)
    )
    max_sym = int(arr.symptom_weights().max()) if arr.num_mechanisms else 0
    pair_h, pair_a, pair_b = _pair_table(arr.masks, hashes, use=max_weight >= 3)
    out_c = np.zeros((max_weight + 2, 2), dtype=np.int64)
    out_s = np.zeros((max_weight + 2, 2), dtype=np.float64)
    nodes = 0
    if arr.num_mechanisms:
        nodes = _search(
            arr.masks,
            arr.obs,
            r,
            hashes,
            arr.det_ptr,
            arr.det_idx,
            det_cost,
            hashes[order],
            order.astype(np.int64),
            pair_h,
            pair_a,
            pair_b,
            max_weight,
            max(max_sym, 1),
            out_c,
            out_s,
        )
    dist = fault_count_distribution(arr.p, k_max=max_weight)
    tail = max(0.0, 1.0 - float(dist.sum()))
    return EnumerationResult(
        max_weight=max_weight,
        counts_logical=out_c[: max_weight + 1, 1].copy(),
        counts_benign=out_c[: max_weight + 1, 0].copy(),
        sum_logical=out_s[: max_weight + 1, 1].copy(),
        sum_benign=out_s[: max_weight + 1, 0].copy(),
        log_no_fault=float(np.log1p(-arr.p).sum()),
        tail_probability=tail,
        num_mechanisms=arr.num_mechanisms,
        nodes=int(nodes),
    )


@numba.njit(cache=True)
def _sis(
    masks, obs, r, hashes, det_ptr, det_idx, det_cost, sorted_h, sorted_id, pair_h, pair_a, pair_b, max_w, max_sym,
    seed_cdf, n_paths, rng_seed, s1, s2
):  # fmt: skip
    np.random.seed(rng_seed)
    m_count, words = masks.shape
    total_r = 0.0
    for i in range(m_count):
        total_r += r[i]
    excluded = np.zeros(m_count, dtype=np.uint8)
    in_c = np.zeros(m_count, dtype=np.uint8)
    stack = np.zeros(m_count + 1, dtype=np.int64)
    chosen = np.zeros(max_w + 1, dtype=np.int64)
    syn = np.zeros(words, dtype=np.uint64)
    new = np.zeros(words, dtype=np.uint64)
    val = np.zeros((max_w + 2, 2), dtype=np.float64)
    cand = np.zeros(m_count, dtype=np.int64)
    for _ in range(n_paths):
        val[:, :] = 0.0
        top = 0
        s = np.searchsorted(seed_cdf, np.random.random(), side="right")
        if s >= m_count:
            s = m_count - 1
        inv = total_r / r[s]
        syn[:] = masks[s]
        h = hashes[s]
        ob = obs[s]
        wt = r[s]
        in_c[s] = 1
        chosen[0] = s
        level = 0
        nonzero = False
        for wi in range(words):
            if syn[wi] != 0:
                nonzero = True
        if not nonzero:
            val[1, 1 if ob != 0 else 0] += inv * wt
        while nonzero and level + 1 < max_w:
            size = level + 1
            if size >= max_w - 2:
                j = np.searchsorted(sorted_h, h)
                while j < sorted_h.shape[0] and sorted_h[j] == h:
                    m = sorted_id[j]
                    j += 1
                    if m <= s or excluded[m] or in_c[m]:
                        continue
                    same = True
                    for wi in range(words):
                        if masks[m, wi] != syn[wi]:
                            same = False
                    if same:
                        val[size + 1, 1 if (ob ^ obs[m]) != 0 else 0] += inv * wt * r[m]
                if size == max_w - 2:
                    j = np.searchsorted(pair_h, h)
                    while j < pair_h.shape[0] and pair_h[j] == h:
                        a = pair_a[j]
                        b = pair_b[j]
                        j += 1
                        if a <= s or b <= s or excluded[a] or excluded[b] or in_c[a] or in_c[b]:
                            continue
                        same = True
                        for wi in range(words):
                            if masks[a, wi] ^ masks[b, wi] != syn[wi]:
                                same = False
                        if same:
                            val[size + 2, 1 if (ob ^ obs[a] ^ obs[b]) != 0 else 0] += inv * wt * r[a] * r[b]
                break
            d = _pick_detector(syn, det_cost)
            n_c = 0
            tot = 0.0
            for pos in range(det_ptr[d], det_ptr[d + 1]):
                m = det_idx[pos]
                if m <= s or excluded[m] or in_c[m]:
                    continue
                zero = True
                for wi in range(words):
                    new[wi] = syn[wi] ^ masks[m, wi]
                    if new[wi] != 0:
                        zero = False
                if zero:
                    val[size + 1, 1 if (ob ^ obs[m]) != 0 else 0] += inv * wt * r[m]
                elif _popcount(new) <= (max_w - size - 1) * max_sym:
                    cand[n_c] = m
                    n_c += 1
                    tot += r[m]
            if n_c == 0:
                break
            u = np.random.random() * tot
            acc = 0.0
            pick = cand[n_c - 1]
            for k in range(n_c):
                acc += r[cand[k]]
                if u < acc:
                    pick = cand[k]
                    break
            inv *= tot / r[pick]
            # earlier siblings (in candidate order) are excluded below the chosen branch
            for pos in range(det_ptr[d], det_ptr[d + 1]):
                m = det_idx[pos]
                if m == pick:
                    break
                if m <= s or excluded[m] or in_c[m]:
                    continue
                excluded[m] = 1
                stack[top] = m
                top += 1
            for wi in range(words):
                syn[wi] ^= masks[pick, wi]
            h ^= hashes[pick]
            ob ^= obs[pick]
            wt *= r[pick]
            level += 1
            chosen[level] = pick
            in_c[pick] = 1
        for k in range(level + 1):
            in_c[chosen[k]] = 0
        while top > 0:
            top -= 1
            excluded[stack[top]] = 0
        for a in range(max_w + 2):
            for b in range(2):
                s1[a, b] += val[a, b]
                s2[a, b] += val[a, b] * val[a, b]


@dataclasses.dataclass(frozen=True)
class TailEstimate:
    """Unbiased Monte-Carlo estimates of the weight-resolved sums (index = weight), with standard errors."""

    max_weight: int
    paths: int
    sum_logical: np.ndarray
    se_logical: np.ndarray
    sum_benign: np.ndarray
    se_benign: np.ndarray


def tail_estimate(
    circuit: stim.Circuit | stim.DetectorErrorModel,
    *,
    max_weight: int = 7,
    paths: int = 1_000_000,
    seed: int = 0,
) -> TailEstimate:
    """Estimate the same weight-resolved sums as :func:`enumerate_undetected` by random paths of its search.

    Knuth's estimator on the search tree: a path starts at a seed mechanism drawn ∝ r, closes every branch that
    cancels at once exactly, follows one of the others drawn ∝ r, and finishes with the exact one- and
    two-mechanism lookups; each path's sums divided by its probability are unbiased for the full sums. Used to
    reach one or two weights beyond the exhaustive search (compare the weights both cover).

    >>> c = stim.Circuit("X_ERROR(0.01) 0 1\\nCX 0 2 1 2\\nM 2 0\\nDETECTOR(0, 0, 0, 1) rec[-2]\\n"
    ...                  "OBSERVABLE_INCLUDE(0) rec[-1]")
    >>> t = tail_estimate(c, max_weight=2, paths=10_000)
    >>> exact = (0.01 / 0.99) ** 2
    >>> abs(t.sum_logical[2] - exact) < 4 * t.se_logical[2]
    np.True_
    """
    if not 2 <= max_weight <= 12:
        raise InputError(f"max weight {max_weight} is outside the supported range 2..12")
    if paths < 2:
        raise InputError(f"paths {paths} must be at least 2")
    arr = dem_arrays(postselected_dem(circuit))
    r = arr.r
    hashes = _symptom_hashes(arr.masks)
    order = np.argsort(hashes, kind="stable")
    det_cost = np.array(
        [r[arr.det_idx[arr.det_ptr[d] : arr.det_ptr[d + 1]]].sum() for d in range(arr.num_detectors)]
        + [np.inf] * (arr.masks.shape[1] * 64 - arr.num_detectors)
    )
    max_sym = max(1, int(arr.symptom_weights().max()))
    pair_h, pair_a, pair_b = _pair_table(arr.masks, hashes, use=True)
    cdf = np.cumsum(r / r.sum())
    cdf[-1] = 1.0
    s1 = np.zeros((max_weight + 2, 2))
    s2 = np.zeros((max_weight + 2, 2))
    _sis(
        arr.masks, arr.obs, r, hashes, arr.det_ptr, arr.det_idx, det_cost, hashes[order], order.astype(np.int64),
        pair_h, pair_a, pair_b, max_weight, max_sym, cdf, paths, seed, s1, s2,
    )  # fmt: skip
    mean = s1 / paths
    se = np.sqrt(np.maximum(s2 / paths - mean**2, 0.0) / (paths - 1))
    return TailEstimate(
        max_weight=max_weight,
        paths=paths,
        sum_logical=mean[: max_weight + 1, 1],
        se_logical=se[: max_weight + 1, 1],
        sum_benign=mean[: max_weight + 1, 0],
        se_benign=se[: max_weight + 1, 0],
    )
