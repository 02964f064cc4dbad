"""Tests of cultivation.decoding: pruning, X/Z split, complementary gap, the gap sampler."""

import math
import pathlib

import numpy as np
import pymatching
import pytest
import stim

from cultivation.decoding import (
    DB_PER_NEPER,
    GapDecoder,
    GapSampler,
    _pairing_table,
    _subset_table,
    build_pruned_model,
    detector_bases,
    infer_detector_bases,
    pruned_split_dem,
)
from ftq.sampling import StagedCircuit, make_task, sample_staged
from ftq.sweeps import read_stats_rows
from ftq.tags import postselection_mask

# Repetition code, 3 data qubits, two decoded Z detectors, observable on qubit 0: every error has p = 0.1.
REP = stim.Circuit("""
    R 0 1 2
    X_ERROR(0.1) 0 1 2
    M 0 1 2
    DETECTOR(0, 0, 0) rec[-3] rec[-2]
    DETECTOR(1, 0, 0) rec[-2] rec[-1]
    OBSERVABLE_INCLUDE(0) rec[-3]
""")


@pytest.fixture(scope="module")
def e2e(reference_dir):
    return stim.Circuit.from_file(reference_dir / "rp2" / "rp_3_sc_7_end2end_4_full_rds.stim")


def test_gap_is_the_weight_difference_in_db():
    dec = GapDecoder.from_circuit(REP)
    w = math.log(0.9 / 0.1)
    keep, pred, gap = dec(np.array([[0, 0], [1, 0], [1, 1], [0, 1]], dtype=bool))
    assert keep.all()
    # no events: best is no error (class 0), the other class needs all three errors
    # a chain has no cross-cap: the second soft output never has a competitor
    assert gap.shape == (4, 2) and np.isinf(gap[:, 1]).all()
    bd = gap[:, 0]
    assert pred[0, 0] == 0 and bd[0] == pytest.approx(3 * w * DB_PER_NEPER, rel=1e-3)
    # D0 alone: qubit 0 (weight w, flips) beats qubits 1 + 2 (weight 2w)
    assert pred[1, 0] == 1 and bd[1] == pytest.approx(w * DB_PER_NEPER, rel=1e-3)
    # D0 D1: qubit 1 (w) vs qubits 0 + 2 (2w, flips)
    assert pred[2, 0] == 0 and bd[2] == pytest.approx(w * DB_PER_NEPER, rel=1e-3)
    # D1 alone: qubit 2 (w, no flip) vs qubits 0 + 1 (2w, flips)
    assert pred[3, 0] == 0 and bd[3] == pytest.approx(w * DB_PER_NEPER, rel=1e-3)


def test_bases_inferred_from_measurements(e2e):
    assert infer_detector_bases(stim.Circuit("MX 0\nM 1\nDETECTOR rec[-2]\nDETECTOR rec[-1]")) == ["X", "Z"]
    bases = detector_bases(e2e)
    decoded = ~postselection_mask(e2e)
    # the distance-7 code has as many X as Z checks; every decoded detector gets a definite basis
    assert {bases[k] for k in np.flatnonzero(decoded)} == {"X", "Z"}
    assert sum(bases[k] == "X" for k in np.flatnonzero(decoded)) == sum(
        bases[k] == "Z" for k in np.flatnonzero(decoded)
    )


def test_tag_basis_wins_over_inference():
    c = stim.Circuit("M 0\nDETECTOR(0, 0, 0, 7, 0, 0) rec[-1]")
    assert detector_bases(c) == ["X"]


def test_pruned_model_never_touches_postselected_detectors(e2e):
    model = build_pruned_model(e2e)
    post = postselection_mask(e2e)
    assert model.pruned_errors > 0
    for part in model.parts:
        assert not post[part.detectors].any()
    assert {p.basis for p in model.parts} == {"X", "Z"}
    dem = pruned_split_dem(e2e)
    assert dem.num_detectors == e2e.num_detectors
    for inst in dem.flattened():
        if inst.type == "error":
            dets = [t.val for t in inst.targets_copy() if t.is_relative_detector_id()]
            assert not post[dets].any()
    pymatching.Matching.from_detector_error_model(dem)  # graph-like after the split


def test_gap_cut_lowers_logical_error(e2e):
    n = 30_000
    r = sample_staged(StagedCircuit.from_circuit(e2e), shots=n, seed=21)
    _, pred, gap = GapDecoder.from_circuit(e2e)(r.detectors)
    err = pred[:, 0] != r.observables[:, 0]
    # before the cut: published LER 4.0e-3 (spec §7) lies within 5 sigma of ours
    ler = err.mean()
    assert abs(ler - 4.0e-3) <= 5 * math.sqrt(4.0e-3 / r.kept)
    # a 30 dB cut keeps most shots and removes most errors
    sel = gap.min(axis=1) >= 30
    assert sel.mean() > 0.7
    assert 4 * err[sel].sum() < err.sum()


def test_gap_sampler_counts(e2e):
    stats = GapSampler().compiled_sampler_for_task(make_task(e2e, decoder="gap")).sample(3000)
    kept = stats.shots - stats.discards
    ce = {k: v for k, v in stats.custom_counts.items() if k[0] in "CE"}
    assert all("|" in k for k in ce)  # two soft outputs: boundary|cross-cap
    assert sum(ce.values()) == kept
    assert sum(v for k, v in ce.items() if k[0] == "E") == stats.errors


def test_single_observable_required():
    c = stim.Circuit("M 0\nDETECTOR(0, 0, 0) rec[-1]")
    with pytest.raises(ValueError, match="exactly 1 observable"):
        GapDecoder.from_circuit(c)


# Three detectors in a ring and no boundary: the loop a+b+c flips the observable without being detected,
# like a logical loop through the cross-cap of RP².
RING = stim.Circuit("""
    R 0 1 2
    X_ERROR(0.1) 0 1 2
    M 0 1 2
    DETECTOR(0, 0, 0) rec[-3] rec[-1]
    DETECTOR(1, 0, 0) rec[-3] rec[-2]
    DETECTOR(2, 0, 0) rec[-2] rec[-1]
    OBSERVABLE_INCLUDE(0) rec[-1]
""")


def test_cross_cap_gap_on_a_boundaryless_odd_loop():
    dec = GapDecoder.from_circuit(RING)
    (part,) = dec.model.parts
    assert len(part.cross_cap_edges) >= 1
    w = math.log(0.9 / 0.1)
    assert part.cross_cap_loop == pytest.approx(3 * w, rel=1e-3)
    _, pred, gap = dec(np.array([[0, 0, 0], [1, 1, 0], [1, 0, 1]], dtype=bool))
    # no boundary: only the cross-cap soft output has competitors
    assert np.isinf(gap[:, 0]).all()
    rp = gap[:, 1]
    assert rp[0] == pytest.approx(3 * w * DB_PER_NEPER, rel=1e-3)
    # qubit 0 alone (D0, D1): weight w, no flip; the other class is qubits 1 + 2 (2w, flips)
    assert pred[1, 0] == 0 and rp[1] == pytest.approx(w * DB_PER_NEPER, rel=1e-3)
    # qubit 2 alone (D0, D2): weight w, flips
    assert pred[2, 0] == 1 and rp[2] == pytest.approx(w * DB_PER_NEPER, rel=1e-3)


# The ring plus two boundary errors of p = 0.2: qubit 3 on D0 (flips the observable), qubit 4 on D1 (does
# not). Competing corrections are boundary strings (qubits 3 + 4 + a path D0-D1) or loops round the ring.
RING_WITH_BOUNDARY = stim.Circuit("""
    R 0 1 2 3 4
    X_ERROR(0.1) 0 1 2
    X_ERROR(0.2) 3 4
    M 0 1 2 3 4
    DETECTOR(0, 0, 0) rec[-5] rec[-3] rec[-2]
    DETECTOR(1, 0, 0) rec[-5] rec[-4] rec[-1]
    DETECTOR(2, 0, 0) rec[-4] rec[-3]
    OBSERVABLE_INCLUDE(0) rec[-3] rec[-2]
""")


def test_boundary_and_cross_cap_gaps_are_separate():
    dec = GapDecoder.from_circuit(RING_WITH_BOUNDARY)
    w, w4 = math.log(0.9 / 0.1), math.log(0.8 / 0.2)
    _, pred, gap = dec(np.array([[0, 0, 0], [1, 0, 0]], dtype=bool))
    # no events: the cheapest boundary string is qubits 3 + 4 + 0 (2 w4 + w); the cheapest loop the ring (3w)
    assert pred[0, 0] == 0
    assert gap[0] == pytest.approx([(2 * w4 + w) * DB_PER_NEPER, 3 * w * DB_PER_NEPER], rel=1e-3)
    # D0 alone: qubit 3 (w4, flips). Boundary competitor: qubits 0 + 4 (w + w4, no flip). Cross-cap
    # competitor: qubit 3 plus the ring (w4 + 3w). Qubits 2 + 1 + 4 have the best one's class: no competitor.
    assert pred[1, 0] == 1
    assert gap[1] == pytest.approx([w * DB_PER_NEPER, 3 * w * DB_PER_NEPER], rel=1e-3)


def test_published_end_to_end_has_short_cross_cap_loops(e2e):
    # the first decoded round still carries RP-3 (distance 3): odd loops through the cross-cap exist there
    model = build_pruned_model(e2e)
    for part in model.parts:
        assert math.isfinite(part.cross_cap_loop)
        assert part.cross_cap_edges


def test_cross_cap_gap_is_capped_by_the_cheapest_loop_and_the_boundary_gap_is_not(e2e):
    n = 20_000
    r = sample_staged(StagedCircuit.from_circuit(e2e), shots=n, seed=3)
    dec = GapDecoder.from_circuit(e2e)
    _, _, gap = dec(r.detectors)
    cap = max(p.cross_cap_loop for p in dec.model.parts) * DB_PER_NEPER
    assert gap[:, 1].max() <= cap + 1e-6
    # a two-dimensional cut can demand more of the boundary gap than any one-gap cut could
    assert (gap[:, 0] > cap + 20).mean() > 0.2


def test_likely_fault_pairs_fail_only_at_low_gap(e2e):
    # any two of the most likely decoded-region faults: either decoded right or flagged by a small gap
    post = postselection_mask(e2e)
    dem = e2e.detector_error_model(decompose_errors=False, approximate_disjoint_errors=True)
    mechs = []
    for inst in dem.flattened():
        if inst.type != "error":
            continue
        dets = [t.val for t in inst.targets_copy() if t.is_relative_detector_id()]
        if not dets or post[dets].any():
            continue
        row = np.zeros(e2e.num_detectors, dtype=bool)
        row[dets] = True
        flip = any(t.is_logical_observable_id() for t in inst.targets_copy())
        mechs.append((inst.args_copy()[0], row, flip))
    mechs.sort(key=lambda m: -m[0])
    top = mechs[:150]
    rows = np.array([m[1] for m in top])
    flips = np.array([m[2] for m in top])
    i, j = np.triu_indices(len(top), 1)
    _, pred, gap = GapDecoder.from_circuit(e2e)(rows[i] ^ rows[j])
    wrong = pred[:, 0] != (flips[i] ^ flips[j])
    assert wrong.any()  # some pairs are genuinely ambiguous ...
    assert gap[wrong].min(axis=1).max() < 40  # ... and all of them carry a gap below 40 dB
    _, pred1, _ = GapDecoder.from_circuit(e2e)(rows)
    assert np.array_equal(pred1[:, 0], flips)  # every single fault is corrected


def _two_detector_mechanisms(circuit):
    post = postselection_mask(circuit)
    dem = circuit.detector_error_model(decompose_errors=False, approximate_disjoint_errors=True)
    out = []
    for inst in dem.flattened():
        dets = (
            [t.val for t in inst.targets_copy() if t.is_relative_detector_id()]
            if inst.type == "error"
            else []
        )
        if len(dets) == 2 and not post[dets].any():
            out.append((dets, any(t.is_logical_observable_id() for t in inst.targets_copy())))
    return out


@pytest.mark.parametrize("which", ["published", "project"])
def test_adjacent_fault_pairs_are_never_confidently_wrong(which, reference_dir):
    # two decoded-region errors sharing a detector leave at most two detection events, where the gaps are
    # exact (paths on the two-sheeted cover); a wrong decoding must come with a small gap. The earlier
    # candidate search missed competitors through a second cross-cap edge and gave such pairs 54 dB.
    path = (
        reference_dir / "rp2" / "rp_3_sc_7_end2end_4_full_rds.stim"
        if which == "published"
        else pathlib.Path(__file__).parents[2] / "circuits" / "rp2_end2end_d3_D7_uniform_p0.001.stim"
    )
    c = stim.Circuit.from_file(path)
    mechs = _two_detector_mechanisms(c)
    by_det: dict[int, list[int]] = {}
    for k, (dets, _) in enumerate(mechs):
        for d in dets:
            by_det.setdefault(d, []).append(k)
    pairs = np.array(sorted({(a, b) for ks in by_det.values() for a in ks for b in ks if a < b}))
    rows = np.zeros((len(mechs), c.num_detectors), dtype=bool)
    for k, (dets, _) in enumerate(mechs):
        rows[k, dets] = True
    flips = np.array([f for _, f in mechs])
    _, pred, gap = GapDecoder.from_circuit(c)(rows[pairs[:, 0]] ^ rows[pairs[:, 1]])
    wrong = pred[:, 0] != (flips[pairs[:, 0]] ^ flips[pairs[:, 1]])
    assert len(pairs) > 5000 and wrong.any()
    assert gap[wrong].min(axis=1).max() < 35


def test_small_syndrome_gaps_equal_brute_force():
    # every error subset of the ring with boundary: the lightest correction of each logical class
    dec = GapDecoder.from_circuit(RING_WITH_BOUNDARY)
    probs = np.array([0.1, 0.1, 0.1, 0.2, 0.2])
    # qubit k flipped: the detectors and observable of the circuit above
    cols = np.array([[1, 1, 0], [0, 1, 1], [1, 0, 1], [1, 0, 0], [0, 1, 0]], dtype=bool)
    flip = np.array([0, 0, 1, 1, 0], dtype=bool)
    best: dict[tuple, list[float]] = {}
    for mask in range(32):
        chosen = np.array([(mask >> k) & 1 for k in range(5)], dtype=bool)
        syn = tuple(np.bitwise_xor.reduce(cols[chosen], axis=0) if chosen.any() else np.zeros(3, dtype=bool))
        w = float(np.log((1 - probs[chosen]) / probs[chosen]).sum())
        cls = int(np.bitwise_xor.reduce(flip[chosen])) if chosen.any() else 0
        slot = best.setdefault(tuple(bool(v) for v in syn), [math.inf, math.inf])
        slot[cls] = min(slot[cls], w)
    syndromes = sorted(best)
    _, pred, gap = dec(np.array(syndromes, dtype=bool))
    for k, syn in enumerate(syndromes):
        lo, hi = sorted(best[syn])
        assert pred[k, 0] == int(np.argmin(best[syn]))
        assert gap[k].min() == pytest.approx((hi - lo) * DB_PER_NEPER, rel=1e-6)


#: Thresholds (boundary gap, cross-cap gap) in dB: the best pair within 2.5 (published circuit) or 2.37 (project
#: circuit) attempts per kept shot chosen on half the rows of the circuit's sweep (``ftq plot … --max-attempts``,
#: held-out check); the shots below use their own seeds.
END_TO_END_D3 = {
    "published": ("rp2-ref-d3-e2e", (60.0, 53.0)),
    "project": ("rp2-d3-e2e", (75.0, 57.0)),
}


@pytest.mark.slow
@pytest.mark.parametrize("which", sorted(END_TO_END_D3))
def test_end_to_end_two_gap_cut_reaches_the_published_point(which, reference_dir):
    # spec §7: 1.52e-6 at 2.37 attempts per kept shot; done-when: at or below 1.6e-6 at <= 2.5 attempts
    sweep, (t_bd, t_rp) = END_TO_END_D3[which]
    path = (
        reference_dir / "rp2" / "rp_3_sc_7_end2end_4_full_rds.stim"
        if which == "published"
        else pathlib.Path(__file__).parents[2] / "circuits" / "rp2_end2end_d3_D7_uniform_p0.001.stim"
    )
    circuit = stim.Circuit.from_file(path)
    staged = StagedCircuit.from_circuit(circuit)
    dec = GapDecoder.from_circuit(circuit)
    shots = kept = kept_cut = errors_cut = 0
    for seed in range(40):
        r = sample_staged(staged, shots=300_000, seed=9000 + seed)
        _, pred, gap = dec(r.detectors)
        err = pred[:, 0] != r.observables[:, 0]
        cut = (gap[:, 0] >= t_bd) & (gap[:, 1] >= t_rp)
        shots += r.shots
        kept += r.kept
        kept_cut += int(cut.sum())
        errors_cut += int((err & cut).sum())
    # the kept fraction before the cut agrees with the circuit's stored sweep (and, published, with spec §7)
    print(
        f"{which}: {shots} shots, kept {kept / shots:.4f}, {shots / kept_cut:.3f} attempts/kept at {t_bd}|{t_rp} dB, "
        f"{errors_cut} errors in {kept_cut} -> {errors_cut / kept_cut:.2e}"
    )
    rows = read_stats_rows(pathlib.Path(__file__).parents[2] / "sweeps" / sweep / "stats.csv")
    stored = 1 - sum(r.discards for r in rows) / sum(r.shots for r in rows)
    assert abs(kept / shots - stored) <= 5 * math.sqrt(stored * (1 - stored) / shots)
    if which == "published":
        assert abs(kept / shots - 0.562) <= 5 * math.sqrt(0.562 * 0.438 / shots) + 2e-3
    assert shots / kept_cut <= 2.5
    expected = 1.6e-6 * kept_cut
    assert errors_cut <= expected + 3 * math.sqrt(expected) + 1


def _ring_circuit(
    n: int, boundary: dict[int, bool], flip_ring_edge: int, probs: list[float]
) -> tuple[stim.Circuit, list]:
    """A ring of ``n`` detectors (edge k joins k and k+1; edge ``flip_ring_edge`` flips the observable) with
    boundary edges at the detectors in ``boundary`` (value: whether it flips the observable)."""
    edges = [((k, (k + 1) % n), k == flip_ring_edge) for k in range(n)]
    edges += [((d,), f) for d, f in boundary.items()]
    lines = [f"R {' '.join(map(str, range(len(edges))))}"]
    lines += [f"X_ERROR({p}) {q}" for q, p in enumerate(probs)]
    lines.append(f"M {' '.join(map(str, range(len(edges))))}")
    for d in range(n):
        recs = [q - len(edges) for q, (ends, _) in enumerate(edges) if d in ends]
        lines.append(f"DETECTOR({d}, 0, 0) " + " ".join(f"rec[{r}]" for r in recs))
    lines.append(
        "OBSERVABLE_INCLUDE(0) " + " ".join(f"rec[{q - len(edges)}]" for q, (_, f) in enumerate(edges) if f)
    )
    return stim.Circuit("\n".join(lines)), edges


def test_large_syndrome_gaps_equal_brute_force():
    # a ring of 10 detectors with a cross-cap edge and 4 boundary edges: every error subset (2^14), so syndromes
    # of up to 10 events (more than the candidate search's old exact limit of 8)
    probs = [0.05, 0.08, 0.11, 0.06, 0.09, 0.12, 0.07, 0.1, 0.13, 0.045, 0.15, 0.2, 0.17, 0.22]
    c, edges = _ring_circuit(10, {0: True, 3: False, 5: False, 8: False}, 6, probs)
    p = np.array(probs)
    best: dict[tuple, list[float]] = {}
    for mask in range(1 << len(edges)):
        chosen = [q for q in range(len(edges)) if (mask >> q) & 1]
        syn = [False] * 10
        cls = 0
        for q in chosen:
            for d in edges[q][0]:
                syn[d] ^= True
            cls ^= edges[q][1]
        w = float(np.log((1 - p[chosen]) / p[chosen]).sum())
        slot = best.setdefault(tuple(syn), [math.inf, math.inf])
        slot[cls] = min(slot[cls], w)
    syndromes = sorted(best)
    assert max(sum(s) for s in syndromes) == 10
    _, pred, gap = GapDecoder.from_circuit(c)(np.array(syndromes, dtype=bool))
    for k, syn in enumerate(syndromes):
        lo, hi = sorted(best[syn])
        assert pred[k, 0] == int(np.argmin(best[syn]))
        assert gap[k].min() == pytest.approx((hi - lo) * DB_PER_NEPER, rel=1e-6)


def _two_basis_ring_circuit() -> tuple[
    stim.Circuit, dict[str, list[tuple[tuple[int, ...], bool, float]]], list
]:
    """A Z part (ring of 5 detectors, measured with M) and an X part (ring of 4, measured with MX), each with
    an observable-flipping ring edge (a logical loop, like the cross-cap) and two boundary edges, plus
    three Y-type mechanisms that flip one edge of each part at once (``E`` = correlated error).

    Returns the circuit, the decoder's expected merged model per part (local detector ids, observable flip,
    probability) and the circuit's mechanisms as (detector set, flip, probability) for the joint check.
    """
    z_edges = [((k, (k + 1) % 5), k == 2) for k in range(5)] + [((0,), True), ((3,), False)]
    x_edges = [((k, (k + 1) % 4), k == 1) for k in range(4)] + [((1,), False), ((2,), True)]
    pz = [0.05, 0.08, 0.11, 0.06, 0.09, 0.15, 0.2]
    px = [0.07, 0.1, 0.12, 0.05, 0.18, 0.13]
    y = [(0, 0, 0.04), (2, 1, 0.06), (4, 3, 0.03)]  # (Z-part edge, X-part edge, probability)
    nz, nx = len(z_edges), len(x_edges)
    lines = [f"R {' '.join(map(str, range(nz)))}", f"RX {' '.join(map(str, range(nz, nz + nx)))}"]
    lines += [f"X_ERROR({p}) {q}" for q, p in enumerate(pz)]
    lines += [f"Z_ERROR({p}) {nz + q}" for q, p in enumerate(px)]
    lines += [f"E({p}) X{a} Z{nz + b}" for a, b, p in y]
    lines += [f"M {' '.join(map(str, range(nz)))}", f"MX {' '.join(map(str, range(nz, nz + nx)))}"]
    total = nz + nx
    for ring, edges, offset in ((5, z_edges, 0), (4, x_edges, nz)):
        for d in range(ring):
            recs = [offset + q - total for q, (ends, _) in enumerate(edges) if d in ends]
            lines.append(f"DETECTOR({offset + d}, 0, 0) " + " ".join(f"rec[{r}]" for r in recs))
    flips = [
        offset + q - total
        for edges, offset in ((z_edges, 0), (x_edges, nz))
        for q, (_, f) in enumerate(edges)
        if f
    ]
    lines.append("OBSERVABLE_INCLUDE(0) " + " ".join(f"rec[{r}]" for r in flips))
    # the decoder's model: each Y mechanism split into its two edges, parallel mechanisms merged
    model = {}
    for name, edges, probs, side in (("Z", z_edges, pz, 0), ("X", x_edges, px, 1)):
        merged = list(probs)
        for yz, yx, p in y:
            k = (yz, yx)[side]
            merged[k] = merged[k] * (1 - p) + p * (1 - merged[k])
        model[name] = [(ends, f, q) for (ends, f), q in zip(edges, merged, strict=True)]
    shift = 5  # X-part detectors follow the Z part's in the circuit
    mechanisms = [(set(ends), f, p) for (ends, f), p in zip(z_edges, pz, strict=True)]
    mechanisms += [({d + shift for d in ends}, f, p) for (ends, f), p in zip(x_edges, px, strict=True)]
    for yz, yx, p in y:
        dets = set(z_edges[yz][0]) ^ {d + shift for d in x_edges[yx][0]}
        mechanisms.append((dets, z_edges[yz][1] ^ x_edges[yx][1], p))
    return stim.Circuit("\n".join(lines)), model, mechanisms


def _brute_force_classes(edges, n_dets) -> dict[tuple, list[float]]:
    """Every subset of a part's edges: lightest weight of each observable class per syndrome."""
    best: dict[tuple, list[float]] = {}
    for mask in range(1 << len(edges)):
        syn = [False] * n_dets
        cls = 0
        w = 0.0
        for q, (ends, flip, p) in enumerate(edges):
            if (mask >> q) & 1:
                for d in ends:
                    syn[d] ^= True
                cls ^= flip
                w += math.log((1 - p) / p)
        slot = best.setdefault(tuple(syn), [math.inf, math.inf])
        slot[cls] = min(slot[cls], w)
    return best


def test_two_part_gaps_with_y_faults_equal_brute_force():
    # the soft outputs of a circuit with Y-type (correlated) faults: each part's lightest correction of each
    # observable class by brute force over all subsets of that part's (split, merged) mechanisms; the
    # predicted flip is the XOR of the parts' best classes, and the smaller soft output is the smallest
    # extra weight that flips the observable in one part
    c, model, mechanisms = _two_basis_ring_circuit()
    assert detector_bases(c) == ["Z"] * 5 + ["X"] * 4
    bz = _brute_force_classes(model["Z"], 5)
    bx = _brute_force_classes(model["X"], 4)
    rows, expect_flip, expect_gap = [], [], []
    for sz, wz in bz.items():
        for sx, wx in bx.items():
            rows.append([*sz, *sx])
            expect_flip.append(int(np.argmin(wz)) ^ int(np.argmin(wx)))
            expect_gap.append(min(abs(wz[1] - wz[0]), abs(wx[1] - wx[0])) * DB_PER_NEPER)
    assert len(rows) == 2**5 * 2**4  # with boundary edges every syndrome of each part occurs
    _, pred, gap = GapDecoder.from_circuit(c)(np.array(rows, dtype=bool))
    assert pred[:, 0].tolist() == expect_flip
    assert gap.min(axis=1) == pytest.approx(expect_gap, rel=1e-6)
    # the joint model: every single fault, Y-type ones included, is corrected
    single = np.zeros((len(mechanisms), 9), dtype=bool)
    for k, (dets, _, _) in enumerate(mechanisms):
        single[k, sorted(dets)] = True
    _, pred1, _ = GapDecoder.from_circuit(c)(single)
    assert pred1[:, 0].tolist() == [f for _, f, _ in mechanisms]


@pytest.mark.parametrize("composites", ["hyperedge", "drop"])
@pytest.mark.parametrize("extra_flip", [False, True])
def test_hyperedge_gaps_equal_brute_force(extra_flip, composites):
    # a ring of 8 detectors (edge k joins k and k+1; edge 5 flips the observable) with two boundary edges, and
    # one mechanism flipping ring edges 1 and 4 at once: 4 detectors, a hyperedge the decoder uses whole
    # (composites="hyperedge") or leaves out of its model (composites="drop", the default).
    # With extra_flip it also flips the observable by itself (its pieces' flips do not add up to its own)
    n = 8
    edges = [((k, (k + 1) % n), k == 5) for k in range(n)] + [((0,), True), ((3,), False)]
    probs = [0.05, 0.08, 0.11, 0.06, 0.09, 0.12, 0.07, 0.1, 0.15, 0.2]
    p_hyper = 0.06
    q = len(edges)  # qubit measured into the observable only
    lines = [f"R {' '.join(map(str, range(q + 1)))}"]
    lines += [f"X_ERROR({p}) {k}" for k, p in enumerate(probs)]
    lines.append(f"E({p_hyper}) X1 X4" + (f" X{q}" if extra_flip else ""))
    lines.append(f"M {' '.join(map(str, range(q + 1)))}")
    for d in range(n):
        recs = [k - q - 1 for k, (ends, _) in enumerate(edges) if d in ends]
        lines.append(f"DETECTOR({d}, 0, 0) " + " ".join(f"rec[{r}]" for r in recs))
    obs = [k - q - 1 for k, (_, f) in enumerate(edges) if f] + [-1]
    lines.append("OBSERVABLE_INCLUDE(0) " + " ".join(f"rec[{r}]" for r in obs))
    c = stim.Circuit("\n".join(lines))
    model = build_pruned_model(c, composites=composites)
    (part,) = model.parts
    assert len(part.cover.hyper_w) == (composites == "hyperedge")
    assert model.dropped_hyperedges == (composites == "drop")
    # brute force over every subset of the 11 mechanisms, the hyperedge counted once and whole
    mechs = [(set(ends), f, p) for (ends, f), p in zip(edges, probs, strict=True)]
    if composites == "hyperedge":
        mechs.append(({1, 2} ^ {4, 5}, edges[1][1] ^ edges[4][1] ^ extra_flip, p_hyper))
    best = _brute_force_classes(mechs, n)
    syndromes = sorted(best)
    _, pred, gap = GapDecoder.from_circuit(c, composites=composites)(np.array(syndromes, dtype=bool))
    for k, syn in enumerate(syndromes):
        lo, hi = sorted(best[syn])
        assert pred[k, 0] == int(np.argmin(best[syn]))
        assert gap[k].min() == pytest.approx((hi - lo) * DB_PER_NEPER, rel=1e-6)


def _tables_both_ways(side: np.ndarray, pair: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """(subset DP table, cluster-split table, number of clusters) of one instance."""
    k = side.shape[0]
    want, got = np.empty((2, 2)), np.empty((2, 2))
    _subset_table(side, pair.copy(), k, np.empty((1 << k, 2, 2)), want)
    comp, side2, pair2 = np.empty(k, dtype=np.int64), np.empty((k, 2, 2)), np.empty((k, k, 2))
    _pairing_table(side, pair.copy(), k, np.empty((1 << k, 2, 2)), got, comp, side2, pair2)
    return want, got, len(set(comp.tolist()))


def _random_pairs(rng: np.random.Generator, k: int, low: float, high: float) -> np.ndarray:
    pair = np.zeros((k, k, 2))
    for a in range(k):
        for c in range(a + 1, k):
            pair[a, c] = rng.uniform(low, high, size=2)
    return pair


@pytest.mark.parametrize("k", [9, 12, 14])
def test_cluster_split_gives_the_subset_table(k):
    """Leaving out dominated pairs and splitting into clusters changes no class weight: random instances of
    clustered events (cheap pairs inside a cluster, pairs across clusters dearer than both events' boundary
    paths, except where a cluster is far from every boundary) and unclustered ones."""
    rng = np.random.default_rng(k)
    splits = 0
    for trial in range(30):
        cluster = rng.integers(0, max(2, k // 3), size=k)
        side = rng.uniform(1.0, 6.0, size=(k, 2, 2))
        if trial % 5 == 1:  # a cluster far from the boundary: its cross pairs are not dominated
            side[cluster == 0] += 20.0
        pair = _random_pairs(rng, k, 13.0, 30.0)
        near = _random_pairs(rng, k, 0.5, 4.0)
        same = (cluster[:, None] == cluster[None, :]) | (trial % 5 == 0)
        pair[same] = near[same]
        want, got, n_clusters = _tables_both_ways(side, pair)
        assert np.allclose(got, want, rtol=0, atol=1e-9)
        splits += n_clusters > 1
    assert splits >= 12  # the split path is exercised


def test_dominated_pairs_are_decided_per_class():
    """Pairs about as dear as the boundary paths, every class weight drawn independently: a pair is left out
    only where the same class is reached as cheaply through one boundary side."""
    rng = np.random.default_rng(5)
    for _ in range(1000):
        want, got, _ = _tables_both_ways(
            rng.uniform(0.5, 6.0, size=(10, 2, 2)), _random_pairs(rng, 10, 1.0, 10.0)
        )
        assert np.allclose(got, want, rtol=0, atol=1e-9)
