"""The ``gap`` decoder: matching on the pruned, X/Z-split detector error model, with soft outputs.

Construction (spec/cultivation.md §5):

1. The detector error model is **pruned**: every error mechanism touching a postselected detector (read from
   :mod:`ftq.tags`) is removed — a shot in which it acts is discarded anyway (to first order).
2. Each remaining error is **split by detector basis** into an X part and a Z part (stim's
   ``decompose_errors=True`` fails on these circuits). The basis of a detector comes from its tag; when the
   tag says ``?`` (published circuits) it is inferred from the basis of the measurements the detector
   compares (``M``/``MR`` → Z, ``MX``/``MRX`` → X, ``MPP`` of all-X / all-Z products → X / Z), see
   :func:`infer_detector_bases`. The observable flip of a mixed error is attributed to the part whose
   detectors, alone, are a known single-basis error (that error's flip); the rest goes to the other part.
3. In each part the observable is rewritten as a **boundary class**: a node potential φ (φ(u) ⊕ φ(v) equals
   the observable flip of every interior edge u–v) is found by a spanning-forest walk; boundary edges then
   split into side 0 (flip = φ(u)) and side 1. For any correction E of syndrome S,
   obs(E) = φ(S) ⊕ parity(E's side-1 boundary edges). Side 1 becomes an extra matching node ``B1``.
4. Each part is matched once on the plain graph (true flips as fault ids: the prediction) and twice on
   the two-sided graph, ``B1`` = 0 and ``B1`` = 1: the minimum-weight corrections with each boundary class. The **complementary gap** of the part is the weight difference
   between the best correction and the best one of the other logical class, in dB (weight × 10/ln 10);
   the shot's gap is the smallest over parts (flipping either part's class flips the logical).
5. Interior edges that contradict the potential close an odd loop without touching a boundary — a logical
   loop through the cross-cap (the antipodal identification of RP², in the first decoded rounds). They are
   kept in :attr:`SplitGraph.cross_cap_edges`. The **cross-cap gap** candidates: for each such edge e=(u,v),
   the best correction forced through e (e plus a matching of S ⊕ {u, v} on the graph without e) and the
   best one avoiding e (matching of S without e). The competing-class weight of a shot is the lightest
   candidate (two boundary-forced decodings, two per cross-cap edge) whose class differs from the plain
   matching's; the gap is its excess over the plain matching weight. This is exact when the
   best competing correction differs from the best one by one boundary-to-boundary string or one loop
   through one cross-cap edge; otherwise it is an upper bound. Predictions are always the plain matching's.
   Speed-ups: identical syndromes are decoded once; every shot gets the candidate "best correction plus the
   cheapest odd loop through the cross-cap" (:attr:`SplitGraph.cross_cap_loop`, a valid other-class
   correction, so an upper bound); the two matchings of a cross-cap edge are run only for syndromes with a
   detection event on the edge's endpoints or their neighbours (an approximation: a correction sharing
   edges with a loop through a cross-cap edge whose neighbourhood holds no detection event is missed).

Known limitation: the X and Z parts are matched independently. The dominant faults of the first decoded
round of the RP² circuits are Y-type (an X error between S and S_DAG becomes Y) and flip both parts; their
X (or Z) pieces raise the weight of short odd loops in each part, so every shot's gap is capped near the
weight of the cheapest such loop (≈ 56 dB on the published d=3 end-to-end circuit), while the joint loop is
not a logical. A correlated decoder would lift this cap.

Basis inference from measurements assumes CSS circuits that measure X checks with ``MX`` (as the RP²
circuits do); circuits that use ``H`` + ``M`` should carry the basis in their tags.

:class:`GapSampler` is a ``sinter.Sampler`` (staged sampling from :mod:`ftq.sampling` + this decoder);
its per-task ``custom_counts`` hold the gap histogram ``C<dB>``/``E<dB>`` so thresholds are chosen later.

>>> import stim
>>> c = stim.Circuit.generated(
...     "surface_code:rotated_memory_x", distance=3, rounds=2, after_clifford_depolarization=0.001
... )
>>> dec = GapDecoder.from_circuit(c)
>>> keep, pred, gap = dec(np.zeros((1, c.num_detectors), dtype=bool))
>>> bool(pred[0, 0]), float(gap[0]) > 10
(False, True)
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable

import numpy as np
import pymatching
import sinter
import stim

from ftq.sampling import StagedSampler, perfectionist_predictor
from ftq.tags import read_detector_tags

DB_PER_NEPER = 10 / math.log(10)
_BIG = 200.0  # nepers; pymatching discretises weights relative to the largest one

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
    """One basis part of the pruned DEM as a matching problem with a two-sided boundary."""

    basis: str
    detectors: np.ndarray
    matching: pymatching.Matching
    split: pymatching.Matching
    potential: np.ndarray
    has_side1: bool
    cross_cap_edges: list[tuple[int, int, bool, float]]
    cross_cap_region: np.ndarray
    cross_cap_loop: float
    cross_cap_graphs: list[pymatching.Matching]
    cross_cap_hoods: list[np.ndarray]


@dataclasses.dataclass
class PrunedModel:
    """The pruned DEM split into parts, with bookkeeping of what the split could not place."""

    parts: list[SplitGraph]
    kept_errors: int
    pruned_errors: int
    unresolved_mixed: int
    dropped_hyperedges: int
    dem: stim.DetectorErrorModel


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


def build_pruned_model(circuit: stim.Circuit, *, mixed_weight: float = 1.0) -> PrunedModel:
    """Prune the circuit's DEM of postselected detectors and split it into X and Z matching graphs.

    >>> import stim
    >>> c = stim.Circuit.generated(
    ...     "surface_code:rotated_memory_z", distance=3, rounds=2, after_clifford_depolarization=0.001
    ... )
    >>> m = build_pruned_model(c)
    >>> m.pruned_errors, [p.basis for p in m.parts]
    (0, ['Z'])
    """
    tags = read_detector_tags(circuit)
    post = np.array([t.postselected for t in tags], dtype=bool)
    bases = detector_bases(circuit)
    times = np.array([t.t for t in tags], dtype=float)
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
    pieces: dict[str, list[tuple[float, frozenset, bool, bool]]] = {}
    unresolved = 0
    dropped = 0
    for p, dets, obs in errors:
        parts = split(dets)
        order = sorted(parts)
        flags: dict[str, bool] = {}
        if len(order) == 1:
            flags[order[0]] = obs
        else:
            placed = None
            for b in order:
                if parts[b] in known.get(b, {}):
                    placed = b
                    break
            if placed is None:
                unresolved += 1
                placed = order[0]
                flags = {b: False for b in order}
                flags[placed] = obs
            else:
                flags = {b: False for b in order}
                flags[placed] = known[placed][parts[placed]]
                rest = [b for b in order if b != placed]
                flags[rest[0]] = obs ^ flags[placed]
        for b in order:
            s = parts[b]
            if len(s) <= 2:
                pieces.setdefault(b, []).append((p, s, flags[b], len(order) > 1))
                continue
            sub = _split_hyperedge(s, known.get(b, {}))
            if sub is None:
                dropped += 1
                continue
            total = False
            for _, flag in sub:
                total ^= flag
            # the hyperedge's own flip must equal the pieces' total; if not, the last piece absorbs it
            for i, (piece, flag) in enumerate(sub):
                if i == len(sub) - 1:
                    flag ^= total ^ flags[b]
                pieces.setdefault(b, []).append((p, piece, flag, len(order) > 1))
    graphs = []
    for b in sorted(pieces):
        if b == "?":
            continue
        graphs.append(_build_part(b, pieces[b], times, mixed_weight=mixed_weight))
    return PrunedModel(graphs, len(errors), pruned, unresolved, dropped, dem)


def _build_part(
    basis: str, edges: list[tuple], times: np.ndarray, *, mixed_weight: float = 1.0
) -> SplitGraph:
    nodes = sorted({d for _, s, _, _ in edges for d in s})
    local = {d: i for i, d in enumerate(nodes)}
    m = len(nodes)
    node_t = times[np.array(nodes, dtype=np.int64)] if m else np.zeros(0)
    # merge parallel mechanisms: key (sorted local nodes, flag) -> probability
    merged: dict[tuple, float] = {}
    alt: dict[tuple, float] = {}  # the weights competing-class candidates are matched with
    for p, s, flag, mixed in edges:
        key = (tuple(sorted(local[d] for d in s)), flag)
        merged[key] = _combine(merged.get(key, 0.0), p)
        if not mixed or mixed_weight > 0:
            alt[key] = _combine(alt.get(key, 0.0), p * (mixed_weight if mixed else 1.0))
    phi = _potential(m, merged, node_t)
    plain = _plain_graph(merged, m)
    split = pymatching.Matching()
    side1 = m
    has_side1 = False
    cross_edges: list[tuple[int, int, bool, float]] = []
    for key, p in alt.items():
        nodes_k, flag = key
        w = _weight(p)
        kw = {"weight": w, "error_probability": p, "merge_strategy": "smallest-weight"}
        if len(nodes_k) == 1:
            (u,) = nodes_k
            if bool(phi[u]) ^ flag:
                split.add_edge(u, side1, **kw)
                has_side1 = True
            else:
                split.add_boundary_edge(u, **kw)
        else:
            u, v = nodes_k
            odd = bool(phi[u] ^ phi[v]) != flag
            split.add_edge(u, v, fault_ids={0} if odd else None, **kw)
            if odd:
                cross_edges.append((u, v, flag, w))
    # safety edge: node B1 can always reach the boundary, at a weight that marks "no such class"
    split.add_boundary_edge(side1, weight=_BIG, merge_strategy="smallest-weight")
    # one graph per cross-cap edge without that edge: the best correction forced through the edge is
    # the edge plus a matching of S + {u, v} that does not use it again
    without = [_plain_graph(alt, m, skip=((u, v), flag)) for u, v, flag, _ in cross_edges]
    neighbours: list[set[int]] = [set() for _ in range(m)]
    for u, v, _ in plain.edges():
        if v is not None and u < m and v < m:
            neighbours[u].add(v)
            neighbours[v].add(u)
    hoods = []
    for u, v, _, _ in cross_edges:
        hood = np.zeros(m, dtype=bool)
        hood[[u, v, *neighbours[u], *neighbours[v]]] = True
        hoods.append(hood)
    region = np.any(hoods, axis=0) if hoods else np.zeros(m, dtype=bool)
    loop = math.inf
    zero = np.zeros((1, m + 1), dtype=np.uint8)
    for (u, v, flag, w_e), graph in zip(cross_edges, without, strict=True):
        zero[0, u] = zero[0, v] = 1
        p, w = _decode(graph, zero)
        zero[0, u] = zero[0, v] = 0
        if bool(p[0]) != flag:
            loop = min(loop, float(w[0]) + w_e)
    return SplitGraph(
        basis,
        np.array(nodes, dtype=np.int64),
        plain,
        split,
        phi,
        has_side1,
        cross_edges,
        region,
        loop,
        without,
        hoods,
    )


def _plain_graph(merged: dict[tuple, float], m: int, *, skip: tuple | None = None) -> pymatching.Matching:
    """Matching graph with the true observable flips as fault id 0 (optionally without one mechanism)."""
    g = pymatching.Matching()
    for key, p in merged.items():
        if key == skip:
            continue
        nodes_k, flag = key
        kw = {"weight": _weight(p), "error_probability": p, "merge_strategy": "smallest-weight"}
        if len(nodes_k) == 1:
            g.add_boundary_edge(nodes_k[0], fault_ids={0} if flag else None, **kw)
        else:
            g.add_edge(nodes_k[0], nodes_k[1], fault_ids={0} if flag else None, **kw)
    g.add_boundary_edge(m, weight=_BIG, merge_strategy="smallest-weight")
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


def _decode(matching: pymatching.Matching, syn: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Batch matching: (observable-0 flip as bool, solution weight) per shot."""
    p, w = matching.decode_batch(syn, return_weights=True)
    flip = p[:, 0].astype(bool) if p.shape[1] else np.zeros(syn.shape[0], dtype=bool)
    return flip, np.asarray(w, dtype=float)


def _unique_rows(bits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct rows of a bool matrix and, per row, the index of its distinct row (fast: packed words)."""
    n = bits.shape[0]
    packed = np.packbits(bits, axis=1)
    width = -(-packed.shape[1] // 8) * 8
    padded = np.zeros((n, max(width, 8)), dtype=np.uint8)
    padded[:, : packed.shape[1]] = packed
    words = padded.view(np.uint64)
    order = np.lexsort(words.T[::-1])
    sorted_words = words[order]
    new = np.ones(n, dtype=bool)
    new[1:] = np.any(sorted_words[1:] != sorted_words[:-1], axis=1)
    group = np.cumsum(new) - 1
    inverse = np.empty(n, dtype=np.int64)
    inverse[order] = group
    return bits[order[new]], inverse


class GapDecoder:
    """Decode kept shots on the pruned split model: predictions plus the complementary gap in dB.

    Call it on detection events (shots × detectors, bool); it returns ``(keep, predictions, gap_db)``, where
    ``keep`` is all True (postselection happened before) and ``gap_db`` is ``inf`` when no part can change
    the logical class.

    >>> import stim
    >>> c = stim.Circuit.generated(
    ...     "surface_code:rotated_memory_x", distance=3, rounds=2, after_clifford_depolarization=0.001
    ... )
    >>> dec = GapDecoder.from_circuit(c)
    >>> dets, obs = c.compile_detector_sampler(seed=1).sample(200, separate_observables=True)
    >>> keep, pred, gap = dec(dets)
    >>> float(np.mean(pred == obs)) > 0.95
    True
    """

    def __init__(self, model: PrunedModel, num_observables: int, *, cross_cap: bool = True):
        self.model = model
        self.cross_cap = cross_cap
        self.num_observables = num_observables

    @staticmethod
    def from_circuit(circuit: stim.Circuit, *, mixed_weight: float = 1.0) -> GapDecoder:
        """Build the decoder for a circuit (one observable).

        ``mixed_weight`` scales the probability of the pieces of mixed (X and Z) errors in the graphs the
        competing-class candidates are matched on (1: as in the model; 0: single-basis errors only, the
        ``gap-pure`` variant). Predictions always use the full model.
        """
        if circuit.num_observables != 1:
            raise ValueError(
                f"the gap decoder needs exactly 1 observable, the circuit has {circuit.num_observables}"
            )
        return GapDecoder(build_pruned_model(circuit, mixed_weight=mixed_weight), circuit.num_observables)

    def __call__(self, detectors: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        n = detectors.shape[0]
        pred = np.zeros(n, dtype=bool)
        gap = np.full(n, np.inf)
        if n == 0:
            return np.ones(0, dtype=bool), np.zeros((0, 1), dtype=bool), gap
        for part in self.model.parts:
            uniq, inverse = _unique_rows(detectors[:, part.detectors])
            m = uniq.shape[0]
            syn = np.zeros((m, len(part.detectors) + 1), dtype=np.uint8)
            syn[:, :-1] = uniq
            best, w_best = _decode(part.matching, syn)
            pred ^= best[inverse]
            if not part.has_side1 and not part.cross_cap_edges:
                continue
            other = np.full(m, np.inf)
            if part.has_side1:
                base = (uniq & part.potential[None, :]).sum(axis=1) % 2 == 1
                for c in (0, 1):
                    syn[:, -1] = c
                    p, w = _decode(part.split, syn)
                    k = base ^ bool(c) ^ p
                    other = np.where(k != best, np.minimum(other, w), other)
                syn[:, -1] = 0
            if self.cross_cap and part.cross_cap_edges:
                # best correction + the cheapest odd loop through the cross-cap is always a correction of
                # the other class (an upper bound); corrections that share edges with the loop are found
                # exactly, per cross-cap edge, for the syndromes with a detection event next to that edge
                other = np.minimum(other, w_best + part.cross_cap_loop)
                edges = zip(part.cross_cap_edges, part.cross_cap_graphs, part.cross_cap_hoods, strict=True)
                for (u, v, flag, w_e), graph, hood in edges:
                    rows = np.flatnonzero(uniq[:, hood].any(axis=1))
                    if len(rows) == 0:
                        continue
                    sub = syn[rows]
                    # the best correction avoiding the edge (when the best one runs through it) ...
                    p, w = _decode(graph, sub)
                    other[rows] = np.where(p != best[rows], np.minimum(other[rows], w), other[rows])
                    # ... and the best one forced through it
                    sub[:, u] ^= 1
                    sub[:, v] ^= 1
                    p, w = _decode(graph, sub)
                    k = p ^ flag
                    other[rows] = np.where(k != best[rows], np.minimum(other[rows], w + w_e), other[rows])
            other = np.where(other >= _BIG / 2, np.inf, other)
            part_gap = np.maximum(other - w_best, 0.0) * DB_PER_NEPER
            gap = np.minimum(gap, part_gap[inverse])
        return np.ones(n, dtype=bool), pred[:, None], gap


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


def gap_pure_predictor(circuit: stim.Circuit) -> Callable:
    """Like :func:`gap_predictor`, with competing classes matched on single-basis errors only.

    >>> import stim
    >>> c = stim.Circuit.generated(
    ...     "surface_code:rotated_memory_x", distance=3, rounds=1, after_clifford_depolarization=0.001
    ... )
    >>> gap_pure_predictor(c)(np.zeros((1, c.num_detectors), dtype=bool))[1].tolist()
    [[False]]
    """
    if not any(not t.postselected for t in read_detector_tags(circuit)):
        return perfectionist_predictor(circuit)
    return GapDecoder.from_circuit(circuit, mixed_weight=0.0)


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


def samplers() -> dict[str, sinter.Sampler]:
    """The project's sinter samplers by decoder name, for ``sinter.collect(custom_decoders=...)``.

    >>> sorted(samplers())
    ['gap', 'gap-pure', 'perfectionist']
    """
    return {
        "gap": GapSampler(),
        "gap-pure": StagedSampler(gap_pure_predictor),
        "perfectionist": StagedSampler(perfectionist_predictor),
    }


def pruned_split_dem(circuit: stim.Circuit) -> stim.DetectorErrorModel:
    """The pruned DEM with every error written as its X and Z parts (``^``-separated), same detector count.

    Lets sinter's built-in matching decoders run on these circuits (for comparison).

    >>> import stim
    >>> c = stim.Circuit("X_ERROR(0.1) 0\\nM 0\\nDETECTOR(0,0,0) rec[-1]\\nOBSERVABLE_INCLUDE(0) rec[-1]")
    >>> pruned_split_dem(c).num_errors, pruned_split_dem(c).num_observables
    (1, 1)
    """
    tags = read_detector_tags(circuit)
    post = np.array([t.postselected for t in tags], dtype=bool)
    bases = detector_bases(circuit)
    dem = circuit.detector_error_model(
        decompose_errors=False, flatten_loops=True, approximate_disjoint_errors=True
    )
    out = stim.DetectorErrorModel()
    for inst in dem.flattened():
        if inst.type != "error":
            continue
        dets = [t.val for t in inst.targets_copy() if t.is_relative_detector_id()]
        obs = [t for t in inst.targets_copy() if t.is_logical_observable_id()]
        if any(post[d] for d in dets) or not dets:
            continue
        groups: dict[str, list[int]] = {}
        for d in dets:
            groups.setdefault(bases[d], []).append(d)
        targets: list[stim.DemTarget] = []
        for i, b in enumerate(sorted(groups)):
            if i:
                targets.append(stim.target_separator())
            targets.extend(stim.target_relative_detector_id(d) for d in groups[b])
            if i == 0:
                targets.extend(obs)
        out.append("error", inst.args_copy(), targets)
    if out.num_detectors < dem.num_detectors:
        out.append("detector", [], [stim.target_relative_detector_id(dem.num_detectors - 1)])
    return out
