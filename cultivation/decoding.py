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
3. In each part the observable is rewritten as a **homology class**: a node potential φ (φ(u) ⊕ φ(v)
   equals the observable flip of every interior edge u–v where possible) is found by a spanning-forest walk;
   boundary edges then split into side 0 (flip = φ(u)) and side 1, and interior edges that contradict the
   potential close odd loops without touching a boundary — logical loops through the cross-cap (the
   antipodal identification of RP², in the first decoded rounds), kept in
   :attr:`SplitGraph.cross_cap_edges`. A correction E of syndrome S has a boundary parity b (side-1
   boundary edges used) and a cross-cap parity x (odd interior edges used), and
   obs(E) = φ(S) ⊕ b ⊕ x.
4. Each part is matched once on the plain graph (the prediction, with its b and x as fault ids). The
   competing corrections of the other logical class are of two kinds, and each gives one soft output
   (in dB, weight × 10/ln 10, over the best correction's weight):

   * the **boundary gap** φ_bd: b flipped, x kept — one more boundary-to-boundary string. Found by
     matching on the two-sided graph (side 1 is an extra node ``B1`` forced to 0 and to 1); when that
     correction also flips x, the cheapest cross-cap loop is added to it (an upper bound);
   * the **cross-cap gap** φ_RP²: x flipped, b kept — one more loop through the cross-cap. Candidates:
     the best correction plus the cheapest loop (:attr:`SplitGraph.cross_cap_loop`, an upper bound), and,
     per cross-cap edge e=(u,v), the best correction forced through e (e plus a matching of S ⊕ {u, v}
     on the graph without e) and the best one avoiding e; these two are matched only for syndromes with
     a detection event on the edge's ends or their neighbours (an approximation: a correction sharing
     edges with a loop through a cross-cap edge whose neighbourhood holds no detection event is missed).

   Each is exact when the best competitor differs from the best correction by one string or one loop;
   otherwise it is an upper bound.
5. **Exact gaps for small syndromes.** For a part with at most :data:`EXACT_EVENTS` detection events
   (most kept shots), best correction and both competitors are replaced by exact values from
   all-pairs shortest paths on the two-sheeted cover of the part's graph (:class:`CoverDistances`: odd
   edges change sheet, so a path's sheet change is its cross-cap parity): every pairing of the events
   with each other or with a boundary side is tried, classes add up. This matters: the candidate search
   above misses competitors whose loop runs through a second cross-cap edge, and gave pairs of likely
   faults a confident 54 dB on the project's d=3 end-to-end circuit. It also overstates φ_bd whenever the
   lightest correction of the other boundary class has the other cross-cap parity too: on the published
   d=5 end-to-end circuit, of 3000 kept syndromes with 9–11 events per part, 23% had a candidate φ_bd more
   than 5 dB above the exact one and 1% more than 38 dB (seed 11), which is why the limit is 14, not 8.

   A shot's soft outputs are the smallest over parts (flipping either
   part's class flips the logical); the decoder returns them as two columns, and a shot is kept when
   φ_bd ≥ t_bd and φ_RP² ≥ t_RP², both thresholds chosen after sampling (the published RP² analysis
   thresholds the two gaps separately, too). Identical syndromes are decoded once.

Why two outputs: the first decoded round still holds the distance-3 (or 5) RP² code, so every shot has a
competitor three heavy edges away through the cross-cap, and φ_RP² saturates near the weight of the
cheapest odd loop (≈ 56 dB on the published d=3 end-to-end circuit; :attr:`SplitGraph.cross_cap_loop`).
The single gap min(φ_bd, φ_RP²) saturates with it, so one threshold cannot ask more of the boundary gap
than that; the two-dimensional cut can.

Known limitation: the X and Z parts are matched independently. The dominant faults of the first decoded
round of the RP² circuits are Y-type (an X error between S and S_DAG becomes Y) and flip both parts.

Basis inference from measurements assumes CSS circuits that measure X checks with ``MX`` (as the RP²
circuits do); circuits that use ``H`` + ``M`` should carry the basis in their tags.

:class:`GapSampler` is a ``sinter.Sampler`` (staged sampling from :mod:`ftq.sampling` + this decoder);
its per-task ``custom_counts`` hold the two-dimensional gap histogram ``C<φ_bd>|<φ_RP²>`` /
``E<φ_bd>|<φ_RP²>`` (dB, rounded down) so both thresholds are chosen later.

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
from collections.abc import Callable

import numba
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
    cover: CoverDistances


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


def build_pruned_model(circuit: stim.Circuit) -> PrunedModel:
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
        graphs.append(_build_part(b, pieces[b], times))
    return PrunedModel(graphs, len(errors), pruned, unresolved, dropped, dem)


def _build_part(basis: str, edges: list[tuple], times: np.ndarray) -> SplitGraph:
    nodes = sorted({d for _, s, _, _ in edges for d in s})
    local = {d: i for i, d in enumerate(nodes)}
    m = len(nodes)
    node_t = times[np.array(nodes, dtype=np.int64)] if m else np.zeros(0)
    # merge parallel mechanisms: key (sorted local nodes, flag) -> probability
    merged: dict[tuple, float] = {}
    for p, s, flag, _ in edges:
        key = (tuple(sorted(local[d] for d in s)), flag)
        merged[key] = _combine(merged.get(key, 0.0), p)
    phi = _potential(m, merged, node_t)
    split = pymatching.Matching()
    side1 = m
    has_side1 = False
    cross_edges: list[tuple[int, int, bool, float]] = []
    for key, p in merged.items():
        nodes_k, flag = key
        w = _weight(p)
        kw = {"weight": w, "error_probability": p, "merge_strategy": "smallest-weight"}
        flips = _flips_class(nodes_k, flag, phi)
        if len(nodes_k) == 1:
            (u,) = nodes_k
            if flips:
                split.add_edge(u, side1, **kw)
                has_side1 = True
            else:
                split.add_boundary_edge(u, **kw)
        else:
            u, v = nodes_k
            split.add_edge(u, v, fault_ids={0} if flips else None, **kw)
            if flips:
                cross_edges.append((u, v, flag, w))
    # safety edge: node B1 can always reach the boundary, at a weight that marks "no such class"
    split.add_boundary_edge(side1, weight=_BIG, merge_strategy="smallest-weight")
    plain = _class_graph(merged, phi, m)
    # one graph per cross-cap edge without that edge: the best correction forced through the edge is
    # the edge plus a matching of S + {u, v} that does not use it again
    without = [_class_graph(merged, phi, m, skip=((u, v), flag)) for u, v, flag, _ in cross_edges]
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
    # the cheapest closed loop through the cross-cap that keeps the boundary class (b = 0, x = 1): a
    # cross-cap edge plus the cheapest even, side-0 path between its ends that avoids it
    loop = math.inf
    zero = np.zeros((1, m + 1), dtype=np.uint8)
    for (u, v, _, w_e), graph in zip(cross_edges, without, strict=True):
        zero[0, u] = zero[0, v] = 1
        x, b, w = _decode_class(graph, zero)
        zero[0, u] = zero[0, v] = 0
        if not x[0] and not b[0]:
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
        CoverDistances.from_edges(merged, phi, m),
    )


@dataclasses.dataclass
class CoverDistances:
    """Shortest paths on the two-sheeted cover of a part's graph, for exact gaps of small syndromes.

    Nodes: the part's detectors ``0..m-1``, the boundary side 0 (``m``) and side 1 (``m + 1``), each on two
    sheets (node ``n + s·(m + 2)``). An interior edge that contradicts the potential (odd: through the
    cross-cap) joins the sheets, every other edge stays on its sheet; boundary edges end on their side's
    node. A path from (u, 0) to (v, s) is a chain of errors between u and v whose cross-cap parity is s;
    passing through a boundary node uses two boundary edges of one side, so only paths that end on B1
    change the boundary parity. With the all-pairs table, the lightest correction of every class
    (b, x) of a syndrome with few detection events is exact (:meth:`class_weights`).
    """

    dist: np.ndarray
    loops: np.ndarray  # loops[b, x]: lightest closed chain (no detection event) of class (b, x)
    m: int

    @staticmethod
    def from_edges(weights: dict[tuple, float], phi: np.ndarray, m: int) -> CoverDistances:
        """All-pairs shortest paths on the cover (scipy's Dijkstra), from the part's merged mechanisms."""
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
        for _ in range(2):  # unions of disjoint loops: close the table under adding one more loop
            loops = np.minimum(loops, _class_convolve(loops, loops))
        return CoverDistances(dist, loops[0], m)

    def class_weights(self, events: np.ndarray) -> np.ndarray:
        """Lightest correction of each class ``[b, x]`` per row of ``events`` (rows × k node ids, -1 = none).

        A correction is a set of chains pairing the detection events with each other or with a boundary
        side; its class is the XOR of its chains' classes. Every pairing of up to :data:`EXACT_EVENTS`
        events is covered (:func:`_cover_events`, compiled), plus closed loops (any union
        of them: the loop table is closed under addition).
        """
        n = self.m + 2
        d = self.dist
        rows = len(events)
        out = np.full((rows, 2, 2), np.inf)
        k_of = (events >= 0).sum(axis=1)
        sides = self.m + np.array([[0, n], [1, 1 + n]])  # node of boundary side b on sheet x
        for k in np.unique(k_of):
            sel = np.flatnonzero(k_of == k)
            ev = np.sort(events[sel], axis=1)[:, events.shape[1] - k :]  # the k events, ascending
            # side[r, e, b, x]: event e to boundary side b with cross-cap parity x
            side = d[ev[:, :, None, None], sides[None, None]]
            # pair[r, u, v, x]: event u to event v with cross-cap parity x (boundary parity 0)
            pair = d[ev[:, :, None, None], ev[:, None, :, None] + n * np.arange(2)[None, None, None]]
            out[sel] = _cover_events(side, pair)
        loops = np.broadcast_to(self.loops, (rows, 2, 2))
        return np.minimum(out, _class_convolve(out, loops))  # loops are closed under adding loops


#: Syndromes (per part) with at most this many detection events get exact gaps from the cover distances.
#: The cost grows as k·2^(k-1) class products per syndrome (about 2 ms at k = 14); at d1 = 5 the median kept
#: shot has 7 events per part and 90% have at most 13.
EXACT_EVENTS = 14


@numba.njit(cache=True)
def _cover_events(side: np.ndarray, pair: np.ndarray) -> np.ndarray:
    """Lightest class table [b, x] per row for chains covering all k events (each paired, or sent to a side).

    ``side[r, e, b, x]``: event e to boundary side b with cross-cap parity x; ``pair[r, u, v, x]``: event u to
    event v with cross-cap parity x. Dynamic programming over event subsets, smallest first: the lowest event
    of a subset either goes to a boundary or pairs with another event of the subset. Same result as trying
    all pairings (764 for k = 8, 2.4 million for k = 14), in k·2^(k-1) class products.
    """
    rows, k = side.shape[0], side.shape[1]
    out = np.full((rows, 2, 2), np.inf)
    table = np.empty((1 << k, 2, 2))
    for r in range(rows):
        table[0] = np.inf
        table[0, 0, 0] = 0.0
        for mask in range(1, 1 << k):
            i = 0
            while not (mask >> i) & 1:
                i += 1
            rest = mask ^ (1 << i)
            best = table[mask]
            best[:] = np.inf
            for b in range(2):
                for x in range(2):
                    for b1 in range(2):
                        for x1 in range(2):
                            w = side[r, i, b1, x1] + table[rest, b ^ b1, x ^ x1]
                            if w < best[b, x]:
                                best[b, x] = w
            for j in range(i + 1, k):
                if not (rest >> j) & 1:
                    continue
                sub = rest ^ (1 << j)
                for b in range(2):
                    for x in range(2):
                        w = min(pair[r, i, j, 0] + table[sub, b, x], pair[r, i, j, 1] + table[sub, b, 1 - x])
                        if w < best[b, x]:
                            best[b, x] = w
        out[r] = table[(1 << k) - 1]
    return out


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


def _class_graph(
    weights: dict[tuple, float], phi: np.ndarray, m: int, *, skip: tuple | None = None
) -> pymatching.Matching:
    """Matching graph whose fault ids give a correction's homology class (optionally without one mechanism).

    Fault id 0 marks interior edges that contradict the potential (odd loops through the cross-cap: the
    correction's cross-cap parity ``x``), fault id 1 marks side-1 boundary edges (its boundary parity
    ``b``); the correction's logical class is φ(S) ⊕ b ⊕ x.
    """
    g = pymatching.Matching()
    for key, p in weights.items():
        if key == skip:
            continue
        nodes_k, flag = key
        kw = {"weight": _weight(p), "error_probability": p, "merge_strategy": "smallest-weight"}
        flips = _flips_class(nodes_k, flag, phi)
        if len(nodes_k) == 1:
            g.add_boundary_edge(nodes_k[0], fault_ids={1} if flips else None, **kw)
        else:
            g.add_edge(nodes_k[0], nodes_k[1], fault_ids={0} if flips else None, **kw)
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


def _decode_class(
    matching: pymatching.Matching, syn: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Batch matching on a :func:`_class_graph`: (cross-cap parity x, boundary parity b, weight) per shot."""
    p, w = matching.decode_batch(syn, return_weights=True)
    zeros = np.zeros(syn.shape[0], dtype=bool)
    x = p[:, 0].astype(bool) if p.shape[1] > 0 else zeros
    b = p[:, 1].astype(bool) if p.shape[1] > 1 else zeros
    return x, b, np.asarray(w, dtype=float)


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
    ``keep`` is all True (postselection happened before) and ``gap_db`` has two columns, the boundary gap
    and the cross-cap gap, each ``inf`` when no competitor of that kind exists.

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
    def from_circuit(circuit: stim.Circuit) -> GapDecoder:
        """Build the decoder for a circuit (one observable)."""
        if circuit.num_observables != 1:
            raise ValueError(
                f"the gap decoder needs exactly 1 observable, the circuit has {circuit.num_observables}"
            )
        return GapDecoder(build_pruned_model(circuit), circuit.num_observables)

    def __call__(self, detectors: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        n = detectors.shape[0]
        pred = np.zeros(n, dtype=bool)
        gap = np.full((n, 2), np.inf)
        if n == 0:
            return np.ones(0, dtype=bool), np.zeros((0, 1), dtype=bool), gap
        for part in self.model.parts:
            uniq, inverse = _unique_rows(detectors[:, part.detectors])
            part_gap = self._part_gaps(part, uniq)
            base = (uniq & part.potential[None, :]).sum(axis=1) % 2 == 1
            pred ^= (base ^ part_gap.x ^ part_gap.b)[inverse]
            gap = np.minimum(gap, part_gap.gaps_db()[inverse])
        return np.ones(n, dtype=bool), pred[:, None], gap

    def _part_gaps(self, part: SplitGraph, uniq: np.ndarray) -> _Competitors:
        m = uniq.shape[0]
        syn = np.zeros((m, len(part.detectors) + 1), dtype=np.uint8)
        syn[:, :-1] = uniq
        x, b, w_best = _decode_class(part.matching, syn)
        comp = _Competitors(x, b, w_best, part.cross_cap_loop)
        # syndromes with few detection events get exact values below; the candidate search is for the rest
        small = uniq.sum(axis=1) <= EXACT_EVENTS
        big = np.flatnonzero(~small)
        if len(big) and part.has_side1:
            # the best correction on each side of the boundary class (B1 forced to 0 and to 1)
            sub = syn[big]
            for c in (0, 1):
                sub[:, -1] = c
                p, w = _decode(part.split, sub)
                comp.offer(big, p, np.full(len(big), bool(c)), w)
        if len(big) and self.cross_cap and part.cross_cap_edges:
            # best correction + the cheapest loop through the cross-cap is always a cross-cap competitor
            # (an upper bound); corrections sharing edges with a loop through one cross-cap edge are found
            # per edge, for the syndromes with a detection event next to that edge
            comp.rp[big] = np.minimum(comp.rp[big], w_best[big] + part.cross_cap_loop)
            edges = zip(part.cross_cap_edges, part.cross_cap_graphs, part.cross_cap_hoods, strict=True)
            for (u, v, _, w_e), graph, hood in edges:
                rows = big[uniq[big][:, hood].any(axis=1)]
                if len(rows) == 0:
                    continue
                sub = syn[rows]
                # the best correction avoiding the edge (when the best one runs through it) ...
                cx, cb, w = _decode_class(graph, sub)
                comp.offer(rows, cx, cb, w)
                # ... and the best one forced through it
                sub[:, u] ^= 1
                sub[:, v] ^= 1
                cx, cb, w = _decode_class(graph, sub)
                comp.offer(rows, ~cx, cb, w + w_e)
        comp.set_exact(part.cover, uniq, np.flatnonzero(small))
        return comp


@dataclasses.dataclass
class _Competitors:
    """Per syndrome: the best correction's class (x, b, weight) and the lightest competitor of each kind.

    A competitor differing from the best in boundary parity only is a boundary-to-boundary string
    (``bd``); one differing in cross-cap parity only is a loop through the cross-cap (``rp``). One
    differing in both has the best one's logical class; adding the cheapest cross-cap loop to it gives a
    boundary competitor (an upper bound).
    """

    x: np.ndarray
    b: np.ndarray
    w: np.ndarray
    loop: float
    bd: np.ndarray = dataclasses.field(init=False)
    rp: np.ndarray = dataclasses.field(init=False)

    def __post_init__(self) -> None:
        self.bd = np.full(len(self.w), np.inf)
        self.rp = np.full(len(self.w), np.inf)

    def offer(self, rows: slice | np.ndarray, x: np.ndarray, b: np.ndarray, w: np.ndarray) -> None:
        dx = x ^ self.x[rows]
        db = b ^ self.b[rows]
        self.bd[rows] = np.where(db & ~dx, np.minimum(self.bd[rows], w), self.bd[rows])
        self.bd[rows] = np.where(db & dx, np.minimum(self.bd[rows], w + self.loop), self.bd[rows])
        self.rp[rows] = np.where(dx & ~db, np.minimum(self.rp[rows], w), self.rp[rows])

    def set_exact(self, cover: CoverDistances, uniq: np.ndarray, small: np.ndarray) -> None:
        """Replace best class and both competitors by exact values for the rows ``small`` of ``uniq``
        (at most :data:`EXACT_EVENTS` detection events each)."""
        if len(small) == 0:
            return
        events = np.full((len(small), EXACT_EVENTS), -1, dtype=np.int64)
        rows, cols = np.nonzero(uniq[small])
        slot = np.arange(len(rows)) - np.searchsorted(rows, rows)
        events[rows, slot] = cols
        w = cover.class_weights(events)
        flat = w.reshape(len(small), 4).argmin(axis=1)
        b, x = flat // 2, flat % 2
        idx = np.arange(len(small))
        self.b[small] = b.astype(bool)
        self.x[small] = x.astype(bool)
        self.w[small] = w[idx, b, x]
        self.bd[small] = w[idx, 1 - b, x]
        self.rp[small] = w[idx, b, 1 - x]

    def gaps_db(self) -> np.ndarray:
        """(boundary gap, cross-cap gap) in dB per syndrome; ``inf`` where no competitor exists."""
        other = np.stack([self.bd, self.rp], axis=1)
        other = np.where(other >= _BIG / 2, np.inf, other)
        return np.maximum(other - self.w[:, None], 0.0) * DB_PER_NEPER


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


def samplers() -> dict[str, sinter.Sampler]:
    """The project's sinter samplers by decoder name, for ``sinter.collect(custom_decoders=...)``.

    >>> sorted(samplers())
    ['gap', 'perfectionist']
    """
    return {
        "gap": GapSampler(),
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
