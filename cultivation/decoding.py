"""The ``gap`` decoder: exact class weights on the pruned, X/Z-split detector error model, with two soft outputs.

Contract. :class:`GapDecoder` takes the detection events of kept shots and returns, per shot, the predicted
observable flip and two soft outputs in dB (weight × 10/ln 10 over the best correction's weight): the
**boundary gap** φ_bd and the **cross-cap gap** φ_RP². A shot is kept when φ_bd ≥ t_bd and φ_RP² ≥ t_RP²,
both thresholds chosen after sampling from the histogram ``C<φ_bd>|<φ_RP²>`` / ``E<φ_bd>|<φ_RP²>`` that
:class:`GapSampler` writes.

Model (spec/cultivation.md §5):

1. The DEM is **pruned** of every mechanism touching a postselected detector (read from :mod:`ftq.tags`)
   and each remaining mechanism is **split by detector basis** into an X and a Z part
   (:func:`detector_bases`); each part is decoded on its own graph. A mechanism that is not a sum of known
   single-basis errors of at most two detectors is left out (:func:`split_mechanisms`, ``composites``), as
   the published decoder does: a part of more than two detectors has no edge to stand for it, and a mixed
   mechanism with an unknown part cannot say which part flips the observable. The published d=5 circuit
   has two (4 + 4 detectors, p = 2.7e-4; X and Z pairs of the first decoded round, p = 1.2e-3), the
   project's d1=5 and d1=3 circuits two and one mixed ones (p = 1.6e-3 and 1.9e-3; 2.7e-4).
2. In a part, a node potential turns the observable into a **class** (b, x) ∈ Z2 × Z2 of every correction:
   b counts side-1 boundary edges, x counts interior edges that contradict the potential — loops through
   the cross-cap (the antipodal identification of RP² in the first decoded round). The observable of a
   correction is φ(S) ⊕ b ⊕ x.
3. **Class weights** W(b, x), the lightest correction of each class, come from all-pairs shortest paths on
   the two-sheeted cover of the part's graph (:class:`CoverDistances`: odd edges change sheet) and a
   dynamic programme over pairings of the detection events, compiled (:func:`_class_tables`). It is
   **exact** for a part with at most :data:`EXACT_EVENTS` detection events. Larger parts are predicted by
   exact matching (PyMatching) and get both gaps 0; the decoder counts them (``unresolved_parts``).
4. With (b0, x0) the best class: φ_bd = W(1−b0, x0) − W0 (one more boundary-to-boundary string) and
   φ_RP² = W(b0, 1−x0) − W0 (one more loop through the cross-cap). Both flip the observable; W(1−b0, 1−x0)
   does not. A shot's soft outputs are the smallest over parts.

Not modelled: correlations between the X and Z parts (Y-type faults are matched as two independent edges).

>>> import stim
>>> c = stim.Circuit.generated(
...     "surface_code:rotated_memory_x", distance=3, rounds=2, after_clifford_depolarization=0.001
... )
>>> dec = GapDecoder.from_circuit(c)
>>> keep, pred, gap = dec(np.zeros((1, c.num_detectors), dtype=bool))
>>> bool(pred[0, 0]), gap.shape, bool(gap[0, 0] > 10)
(False, (1, 2), True)
"""

from __future__ import annotations

import dataclasses
import math
from collections import Counter
from collections.abc import Callable, Sequence

import numba
import numpy as np
import pymatching
import stim

from ftq.errors import InputError
from ftq.sampling import SparseEvents, StagedSampler, perfectionist_predictor
from ftq.tags import read_detector_tags

DB_PER_NEPER = 10 / math.log(10)

_MEASURE_BASIS = {"M": "Z", "MZ": "Z", "MR": "Z", "MRZ": "Z", "MX": "X", "MRX": "X"}


def infer_detector_bases(circuit: stim.Circuit) -> list[str]:
    """Each detector's basis from the basis of the measurements it compares: ``X``, ``Z`` or ``?`` (mixed).

    >>> import stim
    >>> c = stim.Circuit("MX 0\\nM 1\\nDETECTOR rec[-2]\\nDETECTOR rec[-1]\\nDETECTOR rec[-1] rec[-2]")
    >>> infer_detector_bases(c)
    ['X', 'Z', '?']
    """
    record: list[str] = []
    bases: list[str] = []
    for inst in circuit.flattened():
        name = inst.name
        if name == "MPP":
            for group in inst.target_groups():
                kinds = {"X" if t.is_x_target else "Z" if t.is_z_target else "?" for t in group}
                record.append(kinds.pop() if len(kinds) == 1 else "?")
        elif name in _MEASURE_BASIS:
            record.extend(_MEASURE_BASIS[name] for _ in inst.targets_copy())
        elif name == "DETECTOR":
            kinds = {
                record[len(record) + t.value] for t in inst.targets_copy() if t.is_measurement_record_target
            }
            bases.append(kinds.pop() if len(kinds) == 1 else "?")
        elif stim.gate_data(name).produces_measurements:
            n = len(inst.target_groups())
            record.extend("?" for _ in range(n))
    return bases


def detector_bases(circuit: stim.Circuit) -> list[str]:
    """Basis of every detector: the tag's basis, else (published circuits, ``?``) inferred from measurements.

    >>> import stim
    >>> detector_bases(stim.Circuit("M 0\\nDETECTOR(0,0,0) rec[-1]\\nDETECTOR(0,0,0,7,0,0) rec[-1]"))
    ['Z', 'X']
    """
    tags = read_detector_tags(circuit)
    inferred = None
    out = []
    for k, t in enumerate(tags):
        if t.basis in ("X", "Z"):
            out.append(t.basis)
        else:
            if inferred is None:
                inferred = infer_detector_bases(circuit)
            out.append(inferred[k])
    return out


@dataclasses.dataclass
class SplitGraph:
    """One basis part of the pruned DEM: its detectors, node potential, matching graph and cover distances.

    ``matching`` carries fault id 0 on odd (cross-cap) interior edges and fault id 1 on side-1 boundary
    edges, so a matched correction reports its class (x, b).
    """

    basis: str
    detectors: np.ndarray
    matching: pymatching.Matching
    potential: np.ndarray
    cross_cap_edges: list[tuple[int, int, bool, float]]
    cover: CoverDistances
    _local: dict[int, np.ndarray] = dataclasses.field(default_factory=dict, repr=False, compare=False)

    def local_index(self, num_detectors: int) -> np.ndarray:
        """``out[d]``: this part's index of the circuit's detector ``d``, or -1 (cached per detector count)."""
        if num_detectors not in self._local:
            if len(self.detectors) and self.detectors[-1] >= num_detectors:
                raise ValueError(f"num_detectors={num_detectors} is less than the part needs")
            out = np.full(num_detectors, -1, dtype=np.int64)
            out[self.detectors] = np.arange(len(self.detectors))
            self._local[num_detectors] = out
        return self._local[num_detectors]

    @property
    def cross_cap_loop(self) -> float:
        """Weight (nepers) of the lightest closed chain of class (b, x) = (0, 1): the cap on φ_RP²."""
        return float(self.cover.loops[0, 1])


@dataclasses.dataclass
class PrunedModel:
    """The pruned DEM split into parts, with bookkeeping of what the split could not place."""

    parts: list[SplitGraph]
    kept_errors: int
    pruned_errors: int
    unresolved_mixed: int
    dropped_hyperedges: int


def _weight(p: float) -> float:
    p = min(max(p, 1e-300), 0.5 - 1e-12)
    return math.log((1 - p) / p)


def _combine(p: float, q: float) -> float:
    return p * (1 - q) + q * (1 - p)


def _split_hyperedge(h: frozenset, known: dict) -> list[tuple[frozenset, bool]] | None:
    """Split a >2-detector component into known edges (pairs or singles), greedily; None if impossible."""
    items = sorted(h)
    if not items:
        return []
    first = items[0]
    for other in [*items[1:], None]:
        piece = frozenset([first]) if other is None else frozenset([first, other])
        if piece in known:
            rest = _split_hyperedge(h - piece, known)
            if rest is not None:
                return [(piece, known[piece]), *rest]
    return None


@dataclasses.dataclass(frozen=True)
class SplitMechanisms:
    """The pruned DEM's mechanisms, each split by detector basis into pieces of at most two detectors.

    ``mechanisms``: per mechanism its probability and its pieces ``(basis, detectors, observable flip, group)``
    (a mixed mechanism's flip goes to the part whose detectors alone are a known single-basis error, with
    that error's flip, the rest to the other part; a part of more than two detectors is cut into known
    pieces sharing a ``group`` number ≥ 0; ordinary pieces have group -1). ``pruned``: mechanisms touching a
    postselected detector; ``unresolved_mixed``: mixed ones with no known part (flip put on the first basis);
    ``dropped``: parts that could not be cut.
    """

    mechanisms: tuple[tuple[float, tuple[tuple[str, frozenset, bool, int], ...]], ...]
    pruned: int
    unresolved_mixed: int
    dropped: int


def split_mechanisms(circuit: stim.Circuit, *, composites: str = "drop") -> SplitMechanisms:
    """Prune the circuit's DEM of postselected detectors and split every mechanism by detector basis.

    ``composites`` says what becomes of a mechanism that is not a sum of known single-basis errors of at most
    two detectors (a part of more than two detectors, or a mixed mechanism with an unknown part):
    ``"drop"`` (the default, decoder_version 8) leaves it out of the model (counted in ``dropped``), as the
    published RP² decoder does; ``"hyperedge"`` (version 7) keeps it: a large part is cut into known pieces
    sharing a group, used whole by the class DP, and an unknown mixed part stays as it is.

    >>> import stim
    >>> c = stim.Circuit("R 0 1\\nRX 2\\nE(0.1) X0 Z2\\nX_ERROR(0.1) 0\\nZ_ERROR(0.1) 2\\nM 0 1\\nMX 2\\n"
    ...                  "DETECTOR(0,0,0) rec[-3]\\nDETECTOR(1,0,0) rec[-1]\\nOBSERVABLE_INCLUDE(0) rec[-3]")
    >>> [pieces for _, pieces in split_mechanisms(c).mechanisms]  # the Y-type one's Z part carries the flip
    [(('X', frozenset({1}), False, -1), ('Z', frozenset({0}), True, -1)), (('Z', frozenset({0}), True, -1),), (('X', frozenset({1}), False, -1),)]
    """
    tags = read_detector_tags(circuit)
    post = np.array([t.postselected for t in tags], dtype=bool)
    bases = detector_bases(circuit)
    dem = circuit.detector_error_model(
        decompose_errors=False, flatten_loops=True, approximate_disjoint_errors=True
    )
    errors: list[tuple[float, frozenset, bool]] = []
    pruned = 0
    for inst in dem.flattened():
        if inst.type != "error":
            continue
        dets: set[int] = set()
        obs = False
        for t in inst.targets_copy():
            if t.is_relative_detector_id():
                dets ^= {t.val}
            elif t.is_logical_observable_id():
                obs ^= True
        if any(post[d] for d in dets):
            pruned += 1
            continue
        if not dets:
            continue
        errors.append((inst.args_copy()[0], frozenset(dets), obs))

    def split(dets: frozenset) -> dict[str, frozenset]:
        out: dict[str, set] = {}
        for d in dets:
            out.setdefault(bases[d], set()).add(d)
        return {b: frozenset(s) for b, s in out.items()}

    known: dict[str, dict[frozenset, bool]] = {}
    for _, dets, obs in errors:
        parts = split(dets)
        if len(parts) == 1:
            ((b, s),) = parts.items()
            if len(s) <= 2:
                known.setdefault(b, {}).setdefault(s, obs)
    mechanisms = []
    unresolved = 0
    dropped = 0
    groups = 0
    if composites not in ("hyperedge", "drop"):
        raise InputError(f"composites={composites!r} must be 'hyperedge' or 'drop'")
    for p, dets, obs in errors:
        parts = split(dets)
        order = sorted(parts)
        if composites == "drop" and (len(order) > 1 or len(parts[order[0]]) > 2):
            if not all(parts[b] in known.get(b, {}) for b in order):
                dropped += 1
                continue
        flags = {b: False for b in order}
        if len(order) == 1:
            flags[order[0]] = obs
        else:
            placed = next((b for b in order if parts[b] in known.get(b, {})), None)
            if placed is None:
                unresolved += 1
                flags[order[0]] = obs
            else:
                flags[placed] = known[placed][parts[placed]]
                rest = [b for b in order if b != placed]
                flags[rest[0]] = obs ^ flags[placed]
        pieces: list[tuple[str, frozenset, bool, int]] = []
        for b in order:
            s = parts[b]
            if len(s) <= 2:
                pieces.append((b, s, flags[b], -1))
                continue
            sub = _split_hyperedge(s, known.get(b, {}))
            if sub is None:
                dropped += 1
                continue
            total = False
            for _, flag in sub:
                total ^= flag
            # the part's own flip must equal the pieces' total; if not, the last piece absorbs it
            for i, (piece, flag) in enumerate(sub):
                pieces.append((b, piece, flag ^ (total ^ flags[b] if i == len(sub) - 1 else False), groups))
            groups += 1
        mechanisms.append((p, tuple(pieces)))
    return SplitMechanisms(tuple(mechanisms), pruned, unresolved, dropped)


def build_pruned_model(circuit: stim.Circuit, *, composites: str = "drop") -> PrunedModel:
    """Prune the circuit's DEM of postselected detectors and split it into X and Z matching graphs.

    >>> import stim
    >>> c = stim.Circuit.generated(
    ...     "surface_code:rotated_memory_z", distance=3, rounds=2, after_clifford_depolarization=0.001
    ... )
    >>> m = build_pruned_model(c)
    >>> m.pruned_errors, [p.basis for p in m.parts]
    (0, ['Z'])
    """
    times = np.array([t.t for t in read_detector_tags(circuit)], dtype=float)
    split = split_mechanisms(circuit, composites=composites)
    pieces: dict[str, list[tuple[float, frozenset, bool, int]]] = {}
    for p, parts in split.mechanisms:
        for b, dets, flag, group in parts:
            pieces.setdefault(b, []).append((p, dets, flag, group))
    graphs = [_build_part(b, pieces[b], times) for b in sorted(pieces) if b != "?"]
    return PrunedModel(
        graphs,
        len(split.mechanisms),
        split.pruned,
        split.unresolved_mixed,
        split.dropped,
    )


def _build_part(basis: str, edges: list[tuple], times: np.ndarray) -> SplitGraph:
    nodes = sorted({d for _, s, _, _ in edges for d in s})
    local = {d: i for i, d in enumerate(nodes)}
    m = len(nodes)
    node_t = times[np.array(nodes, dtype=np.int64)] if m else np.zeros(0)
    # merge parallel mechanisms: key (sorted local nodes, flag) -> probability. The matching graph (for exact
    # matching of large syndromes) takes every piece; the cover takes only ordinary pieces, and the pieces of a
    # split multi-detector part come back whole, as a hyperedge the class DP may use once
    merged: dict[tuple, float] = {}
    ordinary: dict[tuple, float] = {}
    grouped: dict[int, list[tuple[tuple, bool]]] = {}
    group_p: dict[int, float] = {}
    for p, s, flag, group in edges:
        key = (tuple(sorted(local[d] for d in s)), flag)
        merged[key] = _combine(merged.get(key, 0.0), p)
        if group < 0:
            ordinary[key] = _combine(ordinary.get(key, 0.0), p)
        else:
            grouped.setdefault(group, []).append(key)
            group_p[group] = p
    phi = _potential(m, merged, node_t)
    cross_edges = [
        (k[0][0], k[0][1], k[1], _weight(p))
        for k, p in ordinary.items()
        if len(k[0]) == 2 and _flips_class(k[0], k[1], phi)
    ]
    hyper = []
    for group, keys in grouped.items():
        dets: set[int] = set()
        b = x = False
        for nodes_k, flag in keys:
            dets ^= set(nodes_k)
            flips = _flips_class(nodes_k, flag, phi)
            if len(nodes_k) == 1:
                b ^= flips
            else:
                x ^= flips
        hyper.append((np.array(sorted(dets), dtype=np.int64), _weight(group_p[group]), int(b), int(x)))
    return SplitGraph(
        basis,
        np.array(nodes, dtype=np.int64),
        _class_graph(merged, phi),
        phi,
        cross_edges,
        CoverDistances.from_edges(ordinary, phi, m, hyperedges=hyper),
    )


@dataclasses.dataclass
class CoverDistances:
    """Shortest paths on the two-sheeted cover of a part's graph, and the part's hyperedges, for exact gaps.

    Nodes: the part's detectors ``0..m-1``, the boundary side 0 (``m``) and side 1 (``m + 1``), each on two
    sheets (node ``n + s·(m + 2)``). An interior edge that contradicts the potential (odd: through the
    cross-cap) joins the sheets, every other edge stays on its sheet; boundary edges end on their side's
    node. A path from (u, 0) to (v, s) is a chain of errors between u and v whose cross-cap parity is s;
    passing through a boundary node uses two boundary edges of one side, so only paths that end on B1
    change the boundary parity. A hyperedge is a mechanism whose part has more than two detectors: it is not
    in the cover (its pieces alone are not mechanisms), and a correction may use it once, whole
    (``hyper_ptr``/``hyper_dets``: its detectors, CSR; ``hyper_w``: weight; ``hyper_b``/``hyper_x``: class).
    With the all-pairs table, the lightest correction of every class (b, x) of a syndrome with few detection
    events is exact (:meth:`class_weights`).
    """

    dist: np.ndarray
    loops: np.ndarray  # loops[b, x]: lightest closed chain (no detection event) of class (b, x)
    m: int
    hyper_ptr: np.ndarray
    hyper_dets: np.ndarray
    hyper_w: np.ndarray
    hyper_b: np.ndarray
    hyper_x: np.ndarray

    @staticmethod
    def from_edges(
        weights: dict[tuple, float], phi: np.ndarray, m: int, *, hyperedges: Sequence[tuple] = ()
    ) -> CoverDistances:
        """All-pairs shortest paths on the cover (scipy's Dijkstra), from the part's merged mechanisms, and the
        hyperedges ``(detectors, weight, b, x)``."""
        from scipy.sparse import coo_matrix
        from scipy.sparse.csgraph import shortest_path

        n = m + 2
        best: dict[tuple[int, int], float] = {}

        def add(a: int, b: int, w: float) -> None:
            key = (min(a, b), max(a, b))
            if w < best.get(key, math.inf):
                best[key] = w

        for (nodes_k, flag), p in weights.items():
            w = _weight(p)
            flips = int(_flips_class(nodes_k, flag, phi))
            if len(nodes_k) == 1:
                (u,) = nodes_k
                for s in (0, 1):
                    add(u + s * n, m + flips + s * n, w)
            else:
                u, v = nodes_k
                for s in (0, 1):
                    add(u + s * n, v + ((s + flips) % 2) * n, w)
        rows = [a for a, _ in best]
        cols = [b for _, b in best]
        graph = coo_matrix((list(best.values()), (rows, cols)), shape=(2 * n, 2 * n)).tocsr()
        dist = shortest_path(graph, method="D", directed=False)
        loops = np.array(
            [
                [0.0, float(np.min(dist[np.arange(n), np.arange(n) + n]))],
                [dist[m, m + 1], dist[m, m + 1 + n]],
            ]
        )[None]
        loops = _closed(loops)
        ptr = np.zeros(len(hyperedges) + 1, dtype=np.int64)
        ptr[1:] = np.cumsum([len(h[0]) for h in hyperedges])
        cover = CoverDistances(
            dist,
            loops[0],
            m,
            ptr,
            np.concatenate([h[0] for h in hyperedges]).astype(np.int64)
            if hyperedges
            else np.zeros(0, np.int64),
            np.array([h[1] for h in hyperedges], dtype=float),
            np.array([h[2] for h in hyperedges], dtype=np.int64),
            np.array([h[3] for h in hyperedges], dtype=np.int64),
        )
        if hyperedges:
            # a hyperedge plus a graph correction of its own detectors closes a loop of their summed class
            padded = np.full((len(hyperedges), max(len(h[0]) for h in hyperedges)), -1, dtype=np.int64)
            for i, h in enumerate(hyperedges):
                padded[i, : len(h[0])] = h[0]
            tables = cover.class_weights(padded)
            extra = np.full((1, 2, 2), np.inf)
            for (_, w, hb, hx), t in zip(hyperedges, tables, strict=True):
                for b in (0, 1):
                    for x in (0, 1):
                        extra[0, b ^ hb, x ^ hx] = min(extra[0, b ^ hb, x ^ hx], w + t[b, x])
            loops = _closed(np.minimum(loops, extra))
            cover = dataclasses.replace(cover, loops=loops[0])
        return cover

    @property
    def kernel_args(self) -> tuple:
        """What the compiled kernels read: ``(dist, m, loops, hyper_ptr, hyper_dets, hyper_w, hyper_b, hyper_x)``."""
        return (self.dist, self.m, self.loops, self.hyper_ptr, self.hyper_dets, self.hyper_w, self.hyper_b,
                self.hyper_x)  # fmt: skip

    def class_weights(self, events: np.ndarray) -> np.ndarray:
        """Lightest correction of each class ``[b, x]`` per row of ``events`` (rows × k node ids, -1 = none),
        each hyperedge used at most once; exact for rows of at most :data:`EXACT_EVENTS` events (others:
        infinity).

        >>> import stim
        >>> c = stim.Circuit("X_ERROR(0.1) 0 1\\nM 0 1\\nDETECTOR(0,0,0) rec[-2] rec[-1]\\n"
        ...                  "OBSERVABLE_INCLUDE(0) rec[-2]")
        >>> (part,) = build_pruned_model(c).parts
        >>> float(part.cover.class_weights(np.array([[0]]))[0].min()).__round__(3)  # the lighter edge
        2.197
        """
        events = np.asarray(events, dtype=np.int64)
        ordered = np.ascontiguousarray(-np.sort(-events, axis=1))  # events first, -1 padding last
        counts = (ordered >= 0).sum(axis=1).astype(np.int64)
        return _class_tables(self, ordered, counts)


@numba.njit(cache=True)
def _row_table(cover: tuple, ev: np.ndarray, k: int, exact: int, work: tuple, acc: np.ndarray) -> None:
    """Class table [b, x] of the ``k`` events ``ev`` into ``acc``: pairings on the cover, closed under loops,
    each hyperedge used at most once (a hyperedge flips its detectors: the rest is paired as usual).
    ``cover`` is :attr:`CoverDistances.kernel_args`."""
    dist, m, loops, hyper_ptr, hyper_dets, hyper_w, hyper_b, hyper_x = cover
    table, side, pair, acc2, mark, ev2, comp, side2, pair2 = work
    _fill(dist, m, ev[:k], side, pair)
    _pairing_table(side, pair, k, table, acc, comp, side2, pair2)
    _convolve_into(acc, loops)
    for h in range(len(hyper_w)):
        for i in range(k):
            mark[ev[i]] = True
        for j in range(hyper_ptr[h], hyper_ptr[h + 1]):
            mark[hyper_dets[j]] = not mark[hyper_dets[j]]
        k2 = 0
        for i in range(k):
            if mark[ev[i]]:
                ev2[k2] = ev[i]
                k2 += 1
        for j in range(hyper_ptr[h], hyper_ptr[h + 1]):
            if mark[hyper_dets[j]]:
                ev2[k2] = hyper_dets[j]
                k2 += 1
        for i in range(k):
            mark[ev[i]] = False
        for j in range(hyper_ptr[h], hyper_ptr[h + 1]):
            mark[hyper_dets[j]] = False
        if k2 > exact:
            continue
        _fill(dist, m, ev2[:k2], side, pair)
        _pairing_table(side, pair, k2, table, acc2, comp, side2, pair2)
        _convolve_into(acc2, loops)
        w, hb, hx = hyper_w[h], hyper_b[h], hyper_x[h]
        for b in range(2):
            for x in range(2):
                acc[b, x] = min(acc[b, x], w + acc2[b ^ hb, x ^ hx])


@numba.njit(cache=True)
def _work(m: int, exact: int, width: int) -> tuple:
    """Scratch arrays of :func:`_row_table`."""
    kmax = max(exact, 1)
    return (
        np.empty((1 << kmax, 2, 2)),
        np.empty((kmax, 2, 2)),
        np.empty((kmax, kmax, 2)),
        np.empty((2, 2)),
        np.zeros(m, dtype=np.bool_),
        np.empty(width + m, dtype=np.int64),
        np.empty(kmax, dtype=np.int64),
        np.empty((kmax, 2, 2)),
        np.empty((kmax, kmax, 2)),
    )


@numba.njit(cache=True)
def _class_tables_kernel(cover: tuple, events: np.ndarray, counts: np.ndarray, exact: int) -> np.ndarray:
    rows = events.shape[0]
    out = np.full((rows, 2, 2), np.inf)
    work = _work(cover[1], exact, events.shape[1])
    acc = np.empty((2, 2))
    for r in range(rows):
        k = counts[r]
        if k > exact:
            continue
        _row_table(cover, events[r], k, exact, work, acc)
        out[r] = acc
    return out


def _class_tables(cover: CoverDistances, events: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Class table [b, x] per row of ``events`` (its first ``counts[r]`` entries); rows of more than
    :data:`EXACT_EVENTS` events are left at infinity."""
    return _class_tables_kernel(cover.kernel_args, events, counts, EXACT_EVENTS)


#: Parts with at most this many detection events get exact class weights. The dynamic programme visits only
#: the event subsets reachable by pairing the lowest event first (about 1,200 of the 16,384 at k = 14):
#: 3 µs at k = 8, 46 µs at k = 14, 160 µs at k = 16 on the published d=5 end-to-end circuit.
EXACT_EVENTS = 16


#: Below this many events the subset DP is cheaper than looking for independent clusters.
SPLIT_FROM = 8


@numba.njit(cache=True)
def _pairing_table(
    side: np.ndarray,
    pair: np.ndarray,
    k: int,
    table: np.ndarray,
    out: np.ndarray,
    comp: np.ndarray,
    side2: np.ndarray,
    pair2: np.ndarray,
) -> None:
    """:func:`_subset_table`, split into independent clusters first (same table, up to rounding).

    A pair (u, v) of parity q is dominated when sending u and v to the same boundary side, with parities
    x1 and x1 ⊕ q, costs no more: same class, so the pair can be left out of every pairing. Events joined by
    no undominated pair are independent; the table of all events is the min-plus product over clusters of
    their tables, each found by the subset DP (``2^k`` for one cluster of ``k``, far less for several).
    """
    if k <= SPLIT_FROM:
        _subset_table(side, pair, k, table, out)
        return
    for a in range(k):
        comp[a] = a
    for a in range(k):
        for c in range(a + 1, k):
            for q in range(2):
                alt = min(
                    side[a, 0, 0] + side[c, 0, q],
                    side[a, 0, 1] + side[c, 0, 1 - q],
                    side[a, 1, 0] + side[c, 1, q],
                    side[a, 1, 1] + side[c, 1, 1 - q],
                )
                if pair[a, c, q] > alt:
                    pair[a, c, q] = np.inf
            if pair[a, c, 0] < np.inf or pair[a, c, 1] < np.inf:
                ra = a
                while comp[ra] != ra:
                    ra = comp[ra]
                rc = c
                while comp[rc] != rc:
                    rc = comp[rc]
                if ra != rc:
                    comp[max(ra, rc)] = min(ra, rc)
    for a in range(k):  # every event points at its cluster's lowest event
        comp[a] = comp[comp[a]]
    single = True
    for a in range(k):
        if comp[a] != 0:
            single = False
    if single:
        _subset_table(side, pair, k, table, out)
        return
    out[0, 0] = 0.0
    out[0, 1] = np.inf
    out[1, 0] = np.inf
    out[1, 1] = np.inf
    part = np.empty((2, 2))
    for r in range(k):
        if comp[r] != r:
            continue
        n = 0
        for a in range(r, k):
            if comp[a] == r:
                side2[n] = side[a]
                n2 = 0
                for c in range(r, a):
                    if comp[c] == r:
                        pair2[n2, n] = pair[c, a]
                        n2 += 1
                n += 1
        _subset_table(side2, pair2, n, table, part)
        _convolve_into(out, part)


@numba.njit(cache=True)
def _subset_table(side: np.ndarray, pair: np.ndarray, k: int, table: np.ndarray, out: np.ndarray) -> None:
    """Lightest chains covering all ``k`` events, per class [b, x], into ``out`` (2 × 2).

    ``side[e, b, x]``: event e to boundary side b with cross-cap parity x; ``pair[u, v, x]`` (u < v): event u
    to event v with cross-cap parity x. The lowest event of a subset goes to a boundary side or pairs with
    another event of the subset; only subsets reachable that way from the full set are visited (those
    missing at most i events above their lowest event i), enumerated by popcount (Gosper's hack).
    """
    table[0, 0, 0] = 0.0
    table[0, 0, 1] = np.inf
    table[0, 1, 0] = np.inf
    table[0, 1, 1] = np.inf
    for i in range(k - 1, -1, -1):
        nh = k - i - 1
        s00, s01, s10, s11 = side[i, 0, 0], side[i, 0, 1], side[i, 1, 0], side[i, 1, 1]
        for c in range(max(0, nh - i), nh + 1):
            s = (1 << c) - 1
            while s < (1 << nh):
                rest = s << (i + 1)
                mask = rest | (1 << i)
                # event i to a boundary side: class (b1, x1) added to the rest's class
                t00, t01, t10, t11 = (
                    table[rest, 0, 0],
                    table[rest, 0, 1],
                    table[rest, 1, 0],
                    table[rest, 1, 1],
                )
                b00 = min(s00 + t00, s01 + t01, s10 + t10, s11 + t11)
                b01 = min(s00 + t01, s01 + t00, s10 + t11, s11 + t10)
                b10 = min(s00 + t10, s01 + t11, s10 + t00, s11 + t01)
                b11 = min(s00 + t11, s01 + t10, s10 + t01, s11 + t00)
                # event i paired with a present event j, with cross-cap parity 0 or 1
                for j in range(i + 1, k):
                    if (rest >> j) & 1:
                        sub = rest ^ (1 << j)
                        p0, p1 = pair[i, j, 0], pair[i, j, 1]
                        t00, t01, t10, t11 = (
                            table[sub, 0, 0],
                            table[sub, 0, 1],
                            table[sub, 1, 0],
                            table[sub, 1, 1],
                        )
                        b00 = min(b00, p0 + t00, p1 + t01)
                        b01 = min(b01, p0 + t01, p1 + t00)
                        b10 = min(b10, p0 + t10, p1 + t11)
                        b11 = min(b11, p0 + t11, p1 + t10)
                table[mask, 0, 0] = b00
                table[mask, 0, 1] = b01
                table[mask, 1, 0] = b10
                table[mask, 1, 1] = b11
                if c == 0:
                    break
                low = s & -s
                v = s + low
                s = v + (((v ^ s) // low) >> 2)
    full = (1 << k) - 1
    for b in range(2):
        for x in range(2):
            out[b, x] = table[full, b, x]


@numba.njit(cache=True)
def _convolve_into(acc: np.ndarray, other: np.ndarray) -> None:
    """acc[b, x] <- min over (b1, x1) of acc[b1, x1] + other[b ^ b1, x ^ x1] (min-plus over Z2 × Z2)."""
    a00, a01, a10, a11 = acc[0, 0], acc[0, 1], acc[1, 0], acc[1, 1]
    o00, o01, o10, o11 = other[0, 0], other[0, 1], other[1, 0], other[1, 1]
    acc[0, 0] = min(a00 + o00, a01 + o01, a10 + o10, a11 + o11)
    acc[0, 1] = min(a00 + o01, a01 + o00, a10 + o11, a11 + o10)
    acc[1, 0] = min(a00 + o10, a01 + o11, a10 + o00, a11 + o01)
    acc[1, 1] = min(a00 + o11, a01 + o10, a10 + o01, a11 + o00)


@numba.njit(cache=True)
def _fill(dist: np.ndarray, m: int, ev: np.ndarray, side: np.ndarray, pair: np.ndarray) -> None:
    """Event-to-boundary and event-to-event cover distances of the events ``ev`` (see :func:`_subset_table`)."""
    n = m + 2
    k = len(ev)
    for a in range(k):
        for b in range(2):
            for x in range(2):
                side[a, b, x] = dist[ev[a], m + b + x * n]
        for c in range(a + 1, k):
            pair[a, c, 0] = dist[ev[a], ev[c]]
            pair[a, c, 1] = dist[ev[a], ev[c] + n]


@numba.njit(cache=True)
def _decode_part(
    indptr: np.ndarray,
    indices: np.ndarray,
    local: np.ndarray,
    potential: np.ndarray,
    cover: tuple,
    exact: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One part of every shot (events in compressed rows, ``local[d]`` = the part's index of detector ``d`` or
    -1): best class (b, x), gaps in dB, whether resolved, and φ(S) (the potential's parity over the events).
    Rows of more than ``exact`` events are left unresolved (gaps 0). ``cover`` is
    :attr:`CoverDistances.kernel_args`."""
    n = len(indptr) - 1
    mp = len(potential)
    b = np.zeros(n, dtype=np.bool_)
    x = np.zeros(n, dtype=np.bool_)
    base = np.zeros(n, dtype=np.bool_)
    resolved = np.ones(n, dtype=np.bool_)
    gaps = np.zeros((n, 2))
    work = _work(cover[1], exact, mp)
    acc = np.empty((2, 2))
    ev = np.empty(mp, dtype=np.int64)
    empty = np.empty((2, 2))  # the class table of no events, the same for every row
    _row_table(cover, ev, 0, exact, work, empty)
    for r in range(n):
        k = 0
        par = False
        for i in range(indptr[r], indptr[r + 1]):
            j = local[indices[i]]
            if j >= 0:
                t = k  # insertion: events in the part's order, whatever the order of the rows' indices
                while t > 0 and ev[t - 1] > j:
                    ev[t] = ev[t - 1]
                    t -= 1
                ev[t] = j
                k += 1
                par ^= potential[j]
        base[r] = par
        if k > exact:
            resolved[r] = False
            continue
        if k == 0:
            acc[:, :] = empty
        else:
            _row_table(cover, ev, k, exact, work, acc)
        best = np.inf
        bb = 0
        xx = 0
        for b1 in range(2):
            for x1 in range(2):
                if acc[b1, x1] < best:
                    best = acc[b1, x1]
                    bb = b1
                    xx = x1
        b[r] = bb == 1
        x[r] = xx == 1
        gaps[r, 0] = max(acc[1 - bb, xx] - best, 0.0) * DB_PER_NEPER
        gaps[r, 1] = max(acc[bb, 1 - xx] - best, 0.0) * DB_PER_NEPER
    return b, x, gaps, resolved, base


def _closed(loops: np.ndarray) -> np.ndarray:
    """A loop table (1 × 2 × 2) closed under adding loops: unions of up to four disjoint loops."""
    for _ in range(2):
        loops = np.minimum(loops, _class_convolve(loops, loops))
    return loops


def _class_convolve(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Min-plus product over the class group Z2 × Z2: out[b, x] = min a[b1, x1] + b[b ⊕ b1, x ⊕ x1]."""
    out = np.full(np.broadcast_shapes(a.shape, b.shape), np.inf)
    for b1 in (0, 1):
        for x1 in (0, 1):
            shifted = b[:, [b1, 1 - b1]][:, :, [x1, 1 - x1]]
            out = np.minimum(out, a[:, b1 : b1 + 1, x1 : x1 + 1] + shifted)
    return out


def _flips_class(nodes_k: tuple, flag: bool, phi: np.ndarray) -> bool:
    """Whether a merged mechanism changes a correction's class: a boundary edge on side 1 (flips b), or an
    interior edge that contradicts the potential (odd, through the cross-cap: flips x)."""
    if len(nodes_k) == 1:
        return bool(phi[nodes_k[0]]) ^ flag
    return bool(phi[nodes_k[0]] ^ phi[nodes_k[1]]) != flag


def _class_graph(weights: dict[tuple, float], phi: np.ndarray) -> pymatching.Matching:
    """Matching graph whose fault ids give a correction's class: fault id 0 marks interior edges that
    contradict the potential (cross-cap parity ``x``), fault id 1 side-1 boundary edges (boundary parity
    ``b``); the correction's observable is φ(S) ⊕ b ⊕ x."""
    g = pymatching.Matching()
    for (nodes_k, flag), p in weights.items():
        kw = {"weight": _weight(p), "error_probability": p, "merge_strategy": "smallest-weight"}
        flips = _flips_class(nodes_k, flag, phi)
        if len(nodes_k) == 1:
            g.add_boundary_edge(nodes_k[0], fault_ids={1} if flips else None, **kw)
        else:
            g.add_edge(nodes_k[0], nodes_k[1], fault_ids={0} if flips else None, **kw)
    return g


def _potential(m: int, merged: dict[tuple, float], node_t: np.ndarray) -> np.ndarray:
    """A node potential making as few interior edges as possible contradict their observable flip.

    Spanning forest built from the latest rounds backwards (the planar surface-code part first), then a
    local search flipping single nodes while that lowers the number of contradicting edges; what remains
    are loops through the cross-cap.
    """
    interior = [(k[0][0], k[0][1], k[1], p) for k, p in merged.items() if len(k[0]) == 2]
    interior.sort(key=lambda e: (-min(node_t[e[0]], node_t[e[1]]), -max(node_t[e[0]], node_t[e[1]]), -e[3]))
    parent = list(range(m))
    parity = [False] * m

    def find(u: int) -> tuple[int, bool]:
        par = False
        while parent[u] != u:
            par ^= parity[u]
            u = parent[u]
        return u, par

    for u, v, flag, _ in interior:
        ru, pu = find(u)
        rv, pv = find(v)
        if ru != rv:
            parent[ru] = rv
            parity[ru] = pu ^ pv ^ flag
    phi = np.array([find(u)[1] for u in range(m)], dtype=bool)
    incident: list[list[tuple[int, bool]]] = [[] for _ in range(m)]
    for u, v, flag, _ in interior:
        incident[u].append((v, flag))
        incident[v].append((u, flag))
    improved = True
    sweeps = 0
    while improved and sweeps < 50:
        improved = False
        sweeps += 1
        for u in range(m):
            bad = sum(1 for v, flag in incident[u] if bool(phi[u] ^ phi[v]) != flag)
            if 2 * bad > len(incident[u]):
                phi[u] = not phi[u]
                improved = True
    return phi


def _decode_class(
    matching: pymatching.Matching, syn: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Batch matching on a :func:`_class_graph`: (cross-cap parity x, boundary parity b, weight) per shot."""
    syn = np.asarray(syn, dtype=np.uint8)
    if syn.shape[1] < matching.num_detectors:
        syn = np.pad(syn, ((0, 0), (0, matching.num_detectors - syn.shape[1])))
    p, w = matching.decode_batch(syn, return_weights=True)
    zeros = np.zeros(syn.shape[0], dtype=bool)
    x = p[:, 0].astype(bool) if p.shape[1] > 0 else zeros
    b = p[:, 1].astype(bool) if p.shape[1] > 1 else zeros
    return x, b, np.asarray(w, dtype=float)


class GapDecoder:
    """Decode kept shots on the pruned split model: predictions plus the two soft outputs in dB.

    Call it on detection events (shots × detectors, bool); it returns ``(keep, predictions, gap_db)``, where
    ``keep`` is all True (postselection happened before) and ``gap_db`` has two columns, the boundary gap
    and the cross-cap gap, each ``inf`` when no competitor of that kind exists. :attr:`counts` accumulates
    ``parts`` (decoded part-syndromes) and ``unresolved_parts`` (more than :data:`EXACT_EVENTS` detection
    events: predicted by exact matching, both gaps set to 0 so that any positive cut discards the shot);
    :meth:`take_counts` returns and resets them.

    >>> import stim
    >>> c = stim.Circuit.generated(
    ...     "surface_code:rotated_memory_x", distance=3, rounds=2, after_clifford_depolarization=0.001
    ... )
    >>> dec = GapDecoder.from_circuit(c)
    >>> dets, obs = c.compile_detector_sampler(seed=1).sample(200, separate_observables=True)
    >>> keep, pred, gap = dec(dets)
    >>> float(np.mean(pred == obs)) > 0.95, dec.take_counts()["parts"]
    (True, 200)
    """

    def __init__(self, model: PrunedModel):
        self.model = model
        self.counts: Counter = Counter()

    @staticmethod
    def from_circuit(circuit: stim.Circuit, *, composites: str = "drop") -> GapDecoder:
        """Build the decoder for a circuit (one observable); ``composites`` as in :func:`split_mechanisms`."""
        if circuit.num_observables != 1:
            raise InputError(
                f"the gap decoder needs exactly 1 observable, the circuit has {circuit.num_observables}"
            )
        return GapDecoder(build_pruned_model(circuit, composites=composites))

    def take_counts(self) -> Counter:
        """The counters accumulated since the last call (and reset them)."""
        out, self.counts = self.counts, Counter()
        return out

    def __call__(self, detectors: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return self.decode_events(SparseEvents.from_dense(detectors))

    def decode_events(self, events: SparseEvents) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """As calling the decoder, on sparse detection events (what :func:`ftq.sampling.sample_events` reads)."""
        n = events.num_shots
        pred = np.zeros(n, dtype=bool)
        gap = np.full((n, 2), np.inf)
        for part in self.model.parts:
            flip, gaps, resolved = part_classes(part, events)
            pred ^= flip
            gap = np.minimum(gap, gaps)
            self.counts["parts"] += n
            self.counts["unresolved_parts"] += int(n - resolved.sum())
        return np.ones(n, dtype=bool), pred[:, None], gap


def part_classes(
    part: SplitGraph, detectors: np.ndarray | SparseEvents
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One part of every shot (rows of ``detectors``, all the circuit's detectors, dense or sparse): the predicted observable
    flip φ(S) ⊕ b ⊕ x of the best class, the two gaps in dB, and whether the row was resolved.

    Rows with more than :data:`EXACT_EVENTS` events in the part are matched exactly (PyMatching) for the
    prediction and get both gaps 0.

    >>> import stim
    >>> c = stim.Circuit("X_ERROR(0.1) 0 1\\nM 0 1\\nDETECTOR(0,0,0) rec[-2] rec[-1]\\n"
    ...                  "OBSERVABLE_INCLUDE(0) rec[-2]")
    >>> (part,) = build_pruned_model(c).parts
    >>> flip, gaps, resolved = part_classes(part, np.array([[False], [True]]))
    >>> gaps.round(3).tolist()  # no event: the other class costs both edges; one event: the edges tie
    [[19.085, inf], [0.0, inf]]
    """
    events = detectors if isinstance(detectors, SparseEvents) else SparseEvents.from_dense(detectors)
    local = part.local_index(events.num_detectors)
    b, x, gaps, resolved, base = _decode_part(
        events.indptr, events.indices, local, part.potential, part.cover.kernel_args, EXACT_EVENTS
    )
    big = np.flatnonzero(~resolved)
    if len(big):
        x[big], b[big], _ = _decode_class(part.matching, events.dense(big)[:, part.detectors])
    return base ^ b ^ x, gaps, resolved


def gap_predictor(circuit: stim.Circuit) -> Callable:
    """Predictor factory for :class:`ftq.sampling.StagedSampler` (picklable, module level).

    >>> import stim
    >>> c = stim.Circuit.generated(
    ...     "surface_code:rotated_memory_x", distance=3, rounds=1, after_clifford_depolarization=0.001
    ... )
    >>> keep, pred, gap = gap_predictor(c)(np.zeros((2, c.num_detectors), dtype=bool))
    >>> pred.tolist()
    [[False], [False]]
    """
    if not any(not t.postselected for t in read_detector_tags(circuit)):
        return perfectionist_predictor(circuit)
    return GapDecoder.from_circuit(circuit)


class GapSampler(StagedSampler):
    """The ``gap`` sinter sampler: staged sampling, tag postselection, matching with complementary gap.

    >>> import sinter, stim
    >>> from ftq.sampling import make_task
    >>> c = stim.Circuit.generated(
    ...     "surface_code:rotated_memory_x", distance=3, rounds=2, after_clifford_depolarization=0.001
    ... )
    >>> s = GapSampler().compiled_sampler_for_task(make_task(c, decoder="gap")).sample(100)
    >>> s.shots, sum(v for k, v in s.custom_counts.items() if k[0] in "CE")
    (100, 100)
    """

    def __init__(self) -> None:
        super().__init__(gap_predictor)


def pruned_split_dem(circuit: stim.Circuit) -> stim.DetectorErrorModel:
    """The pruned DEM with every mechanism written as its basis pieces (``^``-separated, at most two detectors
    each, the observable on the pieces that flip it, as :func:`split_mechanisms` assigns it), same detector
    count: sinter's and PyMatching's matching decoders (correlated matching too) run on it.

    >>> import stim
    >>> c = stim.Circuit("X_ERROR(0.1) 0\\nM 0\\nDETECTOR(0,0,0) rec[-1]\\nOBSERVABLE_INCLUDE(0) rec[-1]")
    >>> pruned_split_dem(c).num_errors, pruned_split_dem(c).num_observables
    (1, 1)
    """
    out = stim.DetectorErrorModel()
    for p, pieces in split_mechanisms(circuit).mechanisms:
        targets: list[stim.DemTarget] = []
        for i, (_, dets, flag, _) in enumerate(pieces):
            if i:
                targets.append(stim.target_separator())
            targets.extend(stim.target_relative_detector_id(d) for d in sorted(dets))
            if flag:
                targets.append(stim.target_logical_observable_id(0))
        if targets:
            out.append("error", [p], targets)
    n = circuit.num_detectors
    if out.num_detectors < n:
        out.append("detector", [], [stim.target_relative_detector_id(n - 1)])
    if out.num_observables < circuit.num_observables:
        out.append("logical_observable", [], [stim.target_logical_observable_id(circuit.num_observables - 1)])
    return out
