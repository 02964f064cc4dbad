"""Stage builders of the RP² cultivation protocol (spec §3), writing into one :class:`ftq.builder.CircuitBuilder`.

Every stage emits noiseless gates and detectors tagged with their :class:`Stage`; whether a detector is
postselected follows from its stage. Detectors are found, not hand-written: for each new measurement the builder looks
for the lightest deterministic parity among a few local candidates (the same check and its antipode, now and in the
previous snapshot) by sampling the noiseless circuit so far (:mod:`ftq.detectors`).

>>> st = inject(d=3, proxy="S")
>>> rp_round(st, stage=Stage.ROUND)
>>> st.builder.finish().num_detectors
18
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Hashable, Iterable, Sequence

import numpy as np

from cultivation.layout import Check, rp_checks, rp_logicals, square, surface_checks
from cultivation.morph import MorphPlan
from cultivation.schedule import syndrome_layers
from ftq import gf2
from ftq.builder import CircuitBuilder
from ftq.detectors import MeasurementSampler


class Stage(enum.IntEnum):
    """Protocol stages, in time order. The integer is what detector coordinates store, the lower-case name
    what their instruction tags carry (:mod:`ftq.tags`)."""

    INJECTION = 0
    ROUND = 1
    MORPH = 2
    CHECK = 3
    FLAG = 4
    GROW = 5
    EXPAND = 6
    SURFACE = 7
    READOUT = 8


PROXIES = ("I", "S", "Z", "S_DAG")
INVERSE = {"I": "I", "S": "S_DAG", "Z": "Z", "S_DAG": "S"}
POSTSELECTED_STAGES = frozenset(
    {Stage.INJECTION, Stage.ROUND, Stage.MORPH, Stage.CHECK, Stage.FLAG, Stage.GROW}
)


@dataclasses.dataclass
class State:
    """The circuit under construction and what the next stage needs to know about it."""

    builder: CircuitBuilder
    proxy: str
    d: int  # current RP distance (or surface-code distance once expanded)
    checks: list[Check]
    last: dict[complex, Hashable]  # ancilla position -> key of the latest measurement of that check
    t: int = 0
    emitted: set[frozenset[int]] = dataclasses.field(default_factory=set)


def _emit_detectors(
    st: State,
    new: list[tuple[Check, Hashable]],
    *,
    stage: Stage,
    previous: dict[complex, Hashable],
    extra_candidates: Iterable[Hashable] = (),
    postselected: bool | None = None,
) -> None:
    """Add, for each new check measurement, a deterministic local parity containing it.

    The comparison with the same check's previous measurement is preferred whenever it is deterministic, so that a
    fault flips detectors only where it happens (round-to-round differences, as a matching decoder needs); otherwise
    the lightest deterministic parity among the local candidates is used.
    """
    b = st.builder
    sampler = MeasurementSampler(b.finish())
    now = {c.ancilla: k for c, k in new}
    extra = list(extra_candidates)
    for check, key in new:
        cand_keys = [key]
        for pos in (check.ancilla, -check.ancilla):
            if pos in now and now[pos] != key:
                cand_keys.append(now[pos])
            if pos in previous:
                cand_keys.append(previous[pos])
        cand_keys += extra
        idx = [b.index_of(k) for k in cand_keys]
        pair = None
        if check.ancilla in previous:
            pair = sorted([b.index_of(key), b.index_of(previous[check.ancilla])])
        if pair is not None and pair in sampler.relations(pair):
            rel = frozenset(pair)
        else:
            rels = sampler.relations(idx, must_include=b.index_of(key))
            if not rels:
                continue
            rel = frozenset(rels[0])
        if rel in st.emitted:
            continue
        st.emitted.add(rel)
        by_index = {b.index_of(k): k for k in cand_keys}
        b.detector(
            [by_index[i] for i in sorted(rel)],
            pos=check.ancilla,
            t=st.t,
            stage=stage,
            postselected=stage in POSTSELECTED_STAGES if postselected is None else postselected,
            basis=check.basis,
        )


def _gate(b: CircuitBuilder, gate: str, qubits: Iterable[complex]) -> None:
    if gate != "I":
        b.append(gate, sorted(qubits, key=lambda q: (q.imag, q.real)))


def inject(*, d: int = 3, proxy: str = "S") -> State:
    """Injection: centre in G|+> (G = proxy for T), the other d²−1 data qubits as antipodal Bell pairs."""
    if proxy not in PROXIES:
        raise ValueError(f"proxy={proxy!r} must be one of {PROXIES}")
    b = CircuitBuilder()
    data = square(d)
    neg = [q for q in data if (q.imag, q.real) < (0, 0)]
    pos = [-q for q in neg]
    b.reset(neg + [0j], basis="X")
    b.reset(pos, basis="Z")
    b.tick()
    b.cx(zip(neg, pos, strict=True))
    _gate(b, proxy, [0j])
    b.tick()
    st = State(b, proxy, d, rp_checks(d), {})
    rp_round(st, stage=Stage.INJECTION)
    fix_x_frame(st)
    return st


def fix_x_frame(st: State) -> None:
    """Feed-forward: noiseless classically controlled X corrections so that every Z check reads deterministically.

    After projecting Bell pairs onto the code, some Z-check outcomes are random; the state is then the code state up to
    an X-type Pauli frame, which a real T gate could not absorb. For each random outcome (or antipodal pair sharing one
    random bit) an X pattern flipping exactly those checks and commuting with Z_L is applied, conditioned on the record.
    """
    b = st.builder
    sampler = MeasurementSampler(b.finish())
    z_checks = [c for c in st.checks if c.basis == "Z"]
    data = sorted({q for c in st.checks for q in c.data}, key=lambda q: (q.imag, q.real))
    col = {q: i for i, q in enumerate(data)}
    h = np.zeros((len(z_checks) + 1, len(data)), dtype=np.uint8)
    for i, c in enumerate(z_checks):
        for q in c.data:
            h[i, col[q]] = 1
    for q in rp_logicals(st.d)["Z"]:
        h[-1, col[q]] = 1
    idx = {c.ancilla: b.index_of(st.last[c.ancilla]) for c in z_checks}
    random = [c for c in z_checks if not sampler.relations([idx[c.ancilla]])]
    handled: set[complex] = set()
    for c in random:
        if c.ancilla in handled:
            continue
        group = [c.ancilla]
        for other in random:
            if other.ancilla not in handled and other is not c:
                if sampler.relations([idx[c.ancilla], idx[other.ancilla]]):
                    group.append(other.ancilla)
        handled |= set(group)
        syndrome = np.array([1 if z.ancilla in group else 0 for z in z_checks] + [0], dtype=np.uint8)
        v = gf2.solve(h, syndrome)
        if v is None:
            raise RuntimeError(f"no X correction flips exactly the Z checks at {group}")
        for q in data:
            if v[col[q]]:
                b.feedforward("CX", st.last[c.ancilla], q)


def _round(
    st: State,
    checks: list[Check],
    *,
    stage: Stage,
    steps: int,
    extra: Iterable[Hashable] = (),
    fresh: dict[str, list[complex]] | None = None,
    bell: Sequence[tuple[complex, complex]] = (),
    back: MorphPlan | None = None,
    back_stage: Stage = Stage.MORPH,
) -> None:
    """One syndrome round, optionally preparing new qubits and running a morph back inside it.

    ``fresh`` (basis -> qubits) are reset just before the round's first CX layer, ``bell`` pairs are reset in the
    first tick and entangled in the second; the reversed layers of ``back`` run from the first tick, each syndrome
    CX layer starts once no later morph-back layer touches its qubits, and the extras are measured in the tick
    after the last morph-back layer, beside the syndrome CX layers (spec §3: morph back + grow or expand in one
    round). Without any of these it is a plain round: ancilla reset, the CX layers, measurement.
    """
    b = st.builder
    syn = syndrome_layers(checks, steps=steps)
    undo = [list(layer) for layer in reversed(back.layers)] if back is not None else []
    used = {q for layer in syn for pair in layer for q in pair}
    z = [c.ancilla for c in checks if c.basis == "Z"]
    x = [c.ancilla for c in checks if c.basis == "X"]
    fresh = {"X": list((fresh or {}).get("X", [])) + x, "Z": list((fresh or {}).get("Z", [])) + z}
    extras = set(back.extras_x) | set(back.extras_z) if back is not None else set()
    start = max(
        [1 + bool(bell)]
        + [k + 1 for k, layer in enumerate(undo) if used & {q for pair in layer for q in pair}]
        # a new qubit where an extra was is reset in the tick after the extras are measured
        + [len(undo) + 2 for qs in fresh.values() if extras & set(qs)]
    )
    final = start + len(syn)
    if len(undo) > final:
        raise RuntimeError(f"the morph back ({len(undo)} layers) outlasts the round ({final} ticks)")
    for k in range(final + 1):
        if k == 0 and bell:
            b.reset([a for a, _ in bell], basis="X")
            b.reset([t for _, t in bell], basis="Z")
        if k == start - 1:
            b.reset(fresh["Z"], basis="Z")
            b.reset(fresh["X"], basis="X")
        layer = list(undo[k]) if k < len(undo) else []
        if k == 1 and bell:
            layer += list(bell)
        if start <= k < final:
            layer += syn[k - start]
        if layer:
            b.cx(layer)
        if back is not None and k == len(undo):
            _measure_extras(st, back, stage=back_stage)
        if k < final:
            b.tick()
    keys_z = [("m", st.t, a) for a in z]
    keys_x = [("m", st.t, a) for a in x]
    b.measure(z, basis="Z", keys=keys_z)
    b.measure(x, basis="X", keys=keys_x)
    new = [(c, ("m", st.t, c.ancilla)) for c in checks]
    _emit_detectors(st, new, stage=stage, previous=st.last, extra_candidates=extra)
    b.tick()
    st.last = {c.ancilla: k for c, k in new}
    st.checks = checks
    st.t += 1


def rp_round(st: State, *, stage: Stage) -> None:
    """One RP-d syndrome round (5 CX layers), detectors against the previous round."""
    _round(st, rp_checks(st.d), stage=stage, steps=5)


def morph(st: State, plan: MorphPlan) -> None:
    """RP-d → SRP-d: reset the extras, then the Bell and fold CX layers."""
    b = st.builder
    b.reset(plan.extras_x, basis="X")
    b.reset(plan.extras_z, basis="Z")
    b.tick()
    for layer in plan.layers:
        b.cx(layer)
        b.tick()


def _tree_parents(plan: MorphPlan) -> dict[complex, complex]:
    """Parent of every SRP qubit but the centre in the X-parity tree.

    Row y = 0 is the spine ((x, 0) → (x ∓ 1, 0) towards the centre). With a morph that feeds each fold pair from one
    extra (d = 5: ``into`` e → (x, −k), ``out`` (x, k) → e), column x of the spine gathers the pairs fed by its two
    extras, along morph edges: the pair of the top extra (x, −r−1−…) as the chain (x', −k) → (x', k) → e, the pair of the
    bottom extra as the leaf (x', −k) and the chain (x', k) → e. This is the shape of the published d = 5 check; with
    the morph of :func:`cultivation.morph.morph_plan` it gives fault distance 5 (a column tree (x, ±k) → (x, ±(k−1))
    with the extras under their ``out`` partners gives 4). Otherwise (d = 3) every other data qubit hangs off its
    neighbour one row closer to the spine and each extra off its partner in the morph.
    """
    parent: dict[complex, complex] = {}
    for q in square(plan.d):
        if q == 0:
            continue
        x, y = int(q.real), int(q.imag)
        if y != 0:
            parent[q] = complex(x, y - (1 if y > 0 else -1))
        else:
            parent[q] = complex(x - (1 if x > 0 else -1), 0)
    if len(plan.layers) == 4:
        into = plan.layers[1]
        for e, a in into:
            spine, b = complex(e.real, 0), a.conjugate()
            parent[e] = b
            if e in plan.extras_x:
                parent[b], parent[a] = a, spine
            else:
                parent[b], parent[a] = spine, spine
        return parent
    for layer in plan.layers[1:-1]:
        for c, t in layer:
            e, q = (c, t) if c in plan.extras_x or c in plan.extras_z else (t, c)
            parent[e] = q
    return parent


def _tree_layers(plan: MorphPlan) -> list[list[tuple[complex, complex]]]:
    """CX layers (parent → child) gathering the X parity of every SRP qubit into the centre, leaves first."""
    parent = _tree_parents(plan)
    children: dict[complex, list[complex]] = {}
    for ch, p in parent.items():
        children.setdefault(p, []).append(ch)
    # schedule: an edge (p, c) may run once c has absorbed all its children; p takes one edge per layer
    ready_at: dict[complex, int] = {}

    def finish(node: complex) -> int:
        if node in ready_at:
            return ready_at[node]
        kids = sorted(children.get(node, []), key=finish)
        t = 0
        for k in kids:
            t = max(t, finish(k)) + 1
        ready_at[node] = t
        return t

    finish(0j)
    layers: dict[int, list[tuple[complex, complex]]] = {}

    def place(node: complex) -> None:
        kids = sorted(children.get(node, []), key=finish)
        t = 0
        for k in kids:
            place(k)
            t = max(t, finish(k)) + 1
            layers.setdefault(t, []).append((node, k))

    place(0j)
    return [layers[k] for k in sorted(layers)]


def check(st: State, plan: MorphPlan) -> None:
    """Flagged logical check on SRP-d: G^⊗n or G†^⊗n, X-parity tree into the centre, MX, uncompute, flags, inverse.

    Which of G, G† comes first is the one for which the check reads +1 on the ideal state (this depends on how the
    morph maps the logical onto X^⊗n Z^⊗n); it is found by simulating the noiseless circuit, not assumed.
    """
    for pre in dict.fromkeys((st.proxy, INVERSE[st.proxy])):
        trial = st.builder.copy()
        _check_gates(trial, plan, pre=pre, t=st.t)
        bits = trial.finish().compile_sampler(seed=3).sample(64)[:, trial.index_of(("check", st.t))]
        if not bits.any():
            break
    else:
        raise RuntimeError("the logical check is not deterministic +1 for either order of the proxy gate")
    _check_gates(st.builder, plan, pre=pre, t=st.t)
    qubits = plan.qubits
    fl = list(plan.flags.values())
    _emit_detectors(st, [(Check("X", 0j, tuple(qubits)), ("check", st.t))], stage=Stage.CHECK, previous={})
    _emit_detectors(st, [(Check("X", f, ()), ("flag", st.t, f)) for f in fl], stage=Stage.FLAG, previous={})
    st.t += 1


def _check_gates(b: CircuitBuilder, plan: MorphPlan, *, pre: str, t: int) -> None:
    qubits = plan.qubits
    flags = plan.flags
    tree = _tree_layers(plan)
    _gate(b, pre, qubits)
    b.tick()
    b.reset(flags.values(), basis="X")
    b.tick()
    b.cx((f, q) for q, f in flags.items())
    b.tick()
    for layer in tree:
        b.cx(layer)
        b.tick()
    b.measure([0j], basis="X", keys=[("check", t)])
    b.tick()
    b.reset([0j], basis="X")
    b.tick()
    for layer in reversed(tree):
        b.cx(layer)
        b.tick()
    b.cx((f, q) for q, f in flags.items())
    b.tick()
    fl = list(flags.values())
    b.measure(fl, basis="X", keys=[("flag", t, f) for f in fl])
    b.tick()
    _gate(b, INVERSE[pre], qubits)
    b.tick()


def morph_back(st: State, plan: MorphPlan, *, stage: Stage = Stage.MORPH) -> None:
    """SRP-d → RP-d on its own: the morph layers reversed, then the extras measured (each must read its reset value).

    Where a round follows, the morph back runs inside it instead (:func:`grow`, :func:`expand`).
    """
    b = st.builder
    for layer in reversed(plan.layers):
        b.cx(layer)
        b.tick()
    _measure_extras(st, plan, stage=stage)
    b.tick()


def _measure_extras(st: State, plan: MorphPlan, *, stage: Stage) -> None:
    b = st.builder
    b.measure(plan.extras_x, basis="X", keys=[("extra", st.t, e) for e in plan.extras_x])
    b.measure(plan.extras_z, basis="Z", keys=[("extra", st.t, e) for e in plan.extras_z])
    extras = list(plan.extras_x) + list(plan.extras_z)
    basis = {e: ("X" if e in plan.extras_x else "Z") for e in extras}
    _emit_detectors(
        st, [(Check(basis[e], e, ()), ("extra", st.t, e)) for e in extras], stage=stage, previous={}
    )


def logical_readout(st: State, *, postselected: bool) -> None:
    """Noiseless MPP of every stabilizer and of G X_L G† (Y_L for the S proxy); the observable is the last one."""
    b = st.builder
    checks = st.checks
    products = [{q: c.basis for q in c.data} for c in checks]
    logical = _logical_product(st)
    keys = [("final", c.ancilla) for c in checks]
    sign = {"I": False, "S": False, "Z": True, "S_DAG": True}[st.proxy]
    b.mpp(products + [logical], keys=keys + [("final", "L")], inverted=[False] * len(checks) + [sign])
    new = [(c, ("final", c.ancilla)) for c in checks]
    _emit_detectors(st, new, stage=Stage.READOUT, previous=st.last, postselected=postselected)
    b.observable([("final", "L")])


def _logical_product(st: State) -> dict[complex, str]:
    r = (st.d - 1) // 2
    logicals = rp_logicals(2 * r + 1)
    return dict(logicals["Y"] if st.proxy in ("S", "S_DAG") else logicals["X"])


def _bell_ring(radius: int) -> list[tuple[complex, complex]]:
    """The ring at Chebyshev radius ``radius`` as antipodal pairs (control in |+>, target in |0>)."""
    ring = [q for q in square(2 * radius + 1) if max(abs(q.real), abs(q.imag)) == radius]
    return [(q, -q) for q in ring if (q.imag, q.real) < (0, 0)]


def grow(st: State, plan: MorphPlan) -> None:
    """Morph back + grow RP-d → RP-(d+2) in one round: the ring at radius d//2+1 as antipodal Bell pairs, the morph
    back of ``plan`` inside the round; its detectors (and the extras') are growth detectors, postselected."""
    ring = _bell_ring(st.d // 2 + 1)
    st.d += 2
    _round(st, rp_checks(st.d), stage=Stage.GROW, steps=5, bell=ring, back=plan, back_stage=Stage.GROW)


def expand(st: State, *, distance: int, plan: MorphPlan | None = None) -> None:
    """(Morph back +) expand RP-d → rotated surface code of distance D in one round.

    The ring at radius d//2+1 as antipodal Bell pairs, the outer top/bottom triangles (|y| > |x|) in |0>, left/right
    in |+>; with ``plan`` the morph back runs inside the round.
    """
    if distance < 2 * st.d + 1:
        raise ValueError(f"final distance D={distance} must be >= 2d+1 = {2 * st.d + 1}")
    grow_ring = st.d // 2 + 1
    outer = [q for q in square(distance) if max(abs(q.real), abs(q.imag)) > grow_ring]
    zeros = [
        q for q in outer if abs(q.imag) > abs(q.real) or (abs(q.imag) == abs(q.real) and q.real * q.imag > 0)
    ]
    plus = [q for q in outer if q not in set(zeros)]
    st.d = distance
    _round(
        st,
        surface_checks(distance),
        stage=Stage.EXPAND,
        steps=4,
        fresh={"X": plus, "Z": zeros},
        bell=_bell_ring(grow_ring),
        back=plan,
    )


def surface_round(st: State) -> None:
    """One rotated-surface-code round (4 CX layers), decoded."""
    _round(st, surface_checks(st.d), stage=Stage.SURFACE, steps=4)
