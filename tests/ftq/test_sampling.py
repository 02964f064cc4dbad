"""Tests of ftq.sampling: tag postselection, staged sampling equals whole-circuit sampling."""

import math
import pathlib

import numpy as np
import pytest
import stim

from ftq.sampling import (
    MAX_CHUNK,
    SparseEvents,
    StagedCircuit,
    StagedSampler,
    _kept_events,
    _unpack_kept,
    make_task,
    perfectionist_predictor,
    postselection_mask_packed,
    sample_events,
    sample_packed,
    sample_shots,
    sample_staged,
    sample_whole,
    stage_groups,
)
from ftq.tags import postselection_mask


def _binomial_close(k1: int, n1: int, k2: int, n2: int, sigmas: float = 5.0) -> bool:
    """Two binomial proportions agree within `sigmas` standard errors (pooled)."""
    p = (k1 + k2) / (n1 + n2)
    se = math.sqrt(max(p * (1 - p), 1e-12) * (1 / n1 + 1 / n2))
    return abs(k1 / n1 - k2 / n2) <= sigmas * se + 1e-12


# A small project-tagged circuit: coords (x, y, t, stage, postselected, basis).
CARRY = stim.Circuit("""
    R 0 1
    RX 2
    X_ERROR(1) 0
    Z_ERROR(1) 2
    M 0
    M 1
    DETECTOR(0, 0, 0, 1, 1, 1) rec[-1]
    TICK
    M 0
    DETECTOR(0, 0, 1, 7, 0, 1) rec[-1] rec[-3]
    DETECTOR(0, 0, 1, 7, 0, 1) rec[-1]
    MX 2
    DETECTOR(0, 0, 1, 7, 0, 0) rec[-1]
    OBSERVABLE_INCLUDE(0) rec[-4]
""")


def test_mask_comes_from_tags_on_published_circuits(reference_dir):
    for name, n_post in [("rp_3_T_cult.stim", 44), ("rp_3_sc_7_end2end_4_full_rds.stim", 34)]:
        c = stim.Circuit.from_file(reference_dir / "rp2" / name)
        mask = postselection_mask(c)
        assert mask.sum() == n_post  # spec §5: 34 postselected detectors at d=3 end to end
        packed = postselection_mask_packed(c)
        assert np.array_equal(np.unpackbits(packed, bitorder="little")[: c.num_detectors].astype(bool), mask)
        assert np.array_equal(make_task(c, decoder="gap").postselection_mask, packed)


def test_split_keeps_every_postselected_detector_in_prefix(reference_dir):
    c = stim.Circuit.from_file(reference_dir / "rp2" / "rp_3_sc_7_end2end_4_full_rds.stim")
    s = StagedCircuit.from_circuit(c)
    mask = postselection_mask(c)
    assert s.num_prefix_detectors == int(np.flatnonzero(mask)[-1]) + 1
    assert not mask[s.num_prefix_detectors :].any()
    assert len(s.prefix) + len(s.suffix) == len(c.flattened())
    assert s.prefix.num_detectors + s.suffix.num_detectors == c.num_detectors


def test_frames_and_measurement_record_are_carried_to_survivors():
    r = sample_staged(StagedCircuit.from_circuit(CARRY), shots=300, seed=7)
    assert r.kept == 300
    # suffix detector comparing a prefix measurement with a suffix one: both flipped -> quiet
    assert not r.detectors[:, 1].any()
    # X frame of qubit 0 and Z frame of qubit 2 survive the cut
    assert r.detectors[:, 2].all() and r.detectors[:, 3].all()
    # observable on a prefix measurement keeps its flip
    assert r.observables[:, 0].all()


def test_stage_groups_follow_time_order():
    c = stim.Circuit(
        "M 0 1 2\nDETECTOR[morph,post,Z](0,0,0,2,1,1) rec[-3]\nDETECTOR[injection,post,Z](0,0,0,0,1,1) rec[-2]\n"
        "DETECTOR(0,0,0) rec[-1]"
    )
    groups = stage_groups(c)
    assert [label for label, _ in groups] == ["morph", "injection"]  # names from the instruction tags
    assert [idx.tolist() for _, idx in groups] == [[0], [1]]


def test_recurring_stage_kinds_are_separate_segments_in_time_order():
    # the d1=5 protocol runs an RP round, check and flag at d=3, grows, and runs them again at d=5
    c = stim.Circuit.from_file(
        pathlib.Path(__file__).parents[2] / "circuits" / "rp2_end2end_d5_D11_uniform_p0.001.stim"
    )
    groups = stage_groups(c)
    labels = [label for label, _ in groups]
    assert labels[:5] == ["injection", "round", "check", "flag", "grow"]
    assert {"round#2", "check#2", "flag#2"} <= set(labels)
    firsts = [int(idx.min()) for _, idx in groups]
    lasts = [int(idx.max()) for _, idx in groups]
    assert all(a < b for a, b in zip(lasts[:-1], firsts[1:], strict=True))  # segments do not overlap


@pytest.mark.parametrize("sampler", [sample_staged, sample_packed])
def test_staged_matches_whole_circuit_statistics(sampler, reference_dir):
    c = stim.Circuit.from_file(reference_dir / "rp2" / "rp_3_sc_7_end2end_4_full_rds.stim")
    n = 40_000
    staged = sampler(StagedCircuit.from_circuit(c), shots=n, seed=11)
    whole = sample_whole(c, shots=n, seed=12)
    assert _binomial_close(staged.kept, n, whole.kept, n)
    for a, b in zip(staged.survivors, whole.survivors, strict=True):
        assert _binomial_close(a, n, b, n)
    # decoded detectors and the observable among kept shots
    sd, wd = staged.detectors[:, 34:], whole.detectors[:, 34:]
    assert _binomial_close(int(sd.sum()), sd.size, int(wd.sum()), wd.size)
    busiest = np.argsort(wd.mean(axis=0))[-5:]
    for k in busiest:
        assert _binomial_close(int(sd[:, k].sum()), staged.kept, int(wd[:, k].sum()), whole.kept)
    so, wo = staged.observables[:, 0], whole.observables[:, 0]
    assert _binomial_close(int(so.sum()), staged.kept, int(wo.sum()), whole.kept)
    # kept fraction of the published end-to-end circuit before the gap cut: 56.2% (spec §7)
    assert _binomial_close(staged.kept, n, round(0.562 * 10**6), 10**6)


def test_published_cultivation_survival(reference_dir):
    c = stim.Circuit.from_file(reference_dir / "rp2" / "rp_3_T_cult.stim")
    n = 100_000
    r = sample_staged(StagedCircuit.from_circuit(c), shots=n, seed=3)
    published = [0.912, 0.831, 0.772, 0.642, 0.562, 0.514]  # spec §7 survival after stages
    assert len(r.survivors) == len(published)
    for got, want in zip(r.survivors, published, strict=True):
        # published values are rounded to 1e-3: allow that on top of 5 sigma
        assert abs(got / n - want) <= 5 * math.sqrt(want * (1 - want) / n) + 5e-4
    assert not r.detectors.any()


def test_sampler_counts_are_consistent():
    c = stim.Circuit("""
        X_ERROR(0.2) 0 1
        M 0
        DETECTOR(0, 0, 0, 0, 1, 1) rec[-1]
        M 1
        DETECTOR(0, 0, 1, 1, 1, 1) rec[-1]
        X_ERROR(0.1) 2
        M 2
        OBSERVABLE_INCLUDE(0) rec[-1]
    """)
    stats = (
        StagedSampler(perfectionist_predictor)
        .compiled_sampler_for_task(make_task(c, decoder="p"))
        .sample(20_000)
    )
    kept = stats.shots - stats.discards
    assert sum(v for k, v in stats.custom_counts.items() if k[0] in "CE") == kept
    assert stats.custom_counts["S0"] >= stats.custom_counts["S1"] == kept
    assert _binomial_close(kept, stats.shots, 6400, 10_000)  # 0.8 * 0.8 survive
    assert _binomial_close(stats.errors, kept, 1000, 10_000)  # 10% observable flips


def test_shots_must_be_positive():
    with pytest.raises(ValueError, match="shots=0"):
        sample_staged(StagedCircuit.from_circuit(CARRY), shots=0)


@pytest.mark.slow
def test_published_cultivation_kept_and_ler_long(reference_dir):
    # spec §7: kept 51.40%, LER 8.3e-7 (856 errors in 2e9 shots); 2e7 shots here
    c = stim.Circuit.from_file(reference_dir / "rp2" / "rp_3_T_cult.stim")
    s = StagedCircuit.from_circuit(c)
    shots, kept, errors = 0, 0, 0
    for seed in range(20):
        r = sample_staged(s, shots=1_000_000, seed=100 + seed)
        shots += r.shots
        kept += r.kept
        errors += int(r.observables.any(axis=1).sum())
    assert abs(kept / shots - 0.514) <= 5 * math.sqrt(0.514 * 0.486 / shots) + 5e-4
    expected = 8.3e-7 * kept
    assert errors <= expected + 5 * math.sqrt(expected) + 3


def test_sampler_sizes_its_own_batches():
    # sinter hands a sampler that handles throttling all remaining shots; one call must stay one batch
    compiled = StagedSampler().compiled_sampler_for_task(make_task(CARRY, decoder="perfectionist"))
    assert compiled.handles_throttling()
    first = compiled.sample(10**12)
    assert 0 < first.shots <= MAX_CHUNK
    assert sample_shots(compiled, 3 * MAX_CHUNK + 5).shots == 3 * MAX_CHUNK + 5


def test_decoded_sample_states_steady_state_rate_apart_from_setup():
    from ftq.decoders import load_decoder
    from ftq.sampling import SETUP_SHOTS, sample_decoded

    c = stim.Circuit("X_ERROR(0.3) 0\nM 0\nDETECTOR(0,0,0,1) rec[-1]\nOBSERVABLE_INCLUDE(0) rec[-1]")
    r = sample_decoded(c, load_decoder("perfectionist"), shots=SETUP_SHOTS + 20_000, seed=2)
    assert r.shots == SETUP_SHOTS + 20_000
    # the steady part counts only the shots after the setup batch
    assert 0.6 * 20_000 < r.steady_kept < 0.8 * 20_000 and r.kept > r.steady_kept
    assert r.kept_per_second == pytest.approx(r.steady_kept / r.seconds)
    only_setup = sample_decoded(c, load_decoder("perfectionist"), shots=100, seed=2)
    assert only_setup.kept_per_second is None and only_setup.seconds == 0.0


@pytest.mark.parametrize("shots", [8, 13, 64, 1001])
def test_kept_events_equal_the_dense_unpacking(shots):
    """The sparse reader lists exactly the set bits of the kept columns on the chosen rows (tail bytes masked)."""
    rng = np.random.default_rng(shots)
    bits = rng.random((9, shots)) < 0.2
    packed = np.packbits(bits, axis=1, bitorder="little")
    alive_bits = rng.random(shots) < 0.6
    alive = np.packbits(alive_bits, bitorder="little")
    kept = np.flatnonzero(alive_bits)
    rank = np.full(packed.shape[1] * 8, -1, dtype=np.int64)
    rank[kept] = np.arange(len(kept))
    rows = np.array([0, 2, 3, 7, 8], dtype=np.int64)
    indptr, indices = _kept_events(packed, alive, rank, rows, len(kept))
    dense = SparseEvents(indptr, indices, 9).dense()
    expected = _unpack_kept(packed, kept)
    expected[:, [1, 4, 5, 6]] = False
    assert np.array_equal(dense, expected)
    assert all(np.all(np.diff(indices[a:b]) > 0) for a, b in zip(indptr[:-1], indptr[1:], strict=True))


def test_sparse_events_rows_and_concatenation():
    rng = np.random.default_rng(3)
    a, b = rng.random((5, 7)) < 0.3, rng.random((4, 7)) < 0.3
    both = SparseEvents.concatenate([SparseEvents.from_dense(a), SparseEvents.from_dense(b)], 7)
    assert np.array_equal(both.dense(), np.concatenate([a, b]))
    assert np.array_equal(both.dense(np.array([8, 0, 5])), np.concatenate([a, b])[[8, 0, 5]])
    assert SparseEvents.concatenate([], 7).num_shots == 0


def test_sample_events_is_sample_packed_sparse(reference_dir):
    c = stim.Circuit.from_file(reference_dir / "rp2" / "rp_3_sc_7_end2end_4_full_rds.stim")
    staged = StagedCircuit.from_circuit(c)
    ev = sample_events(staged, shots=MAX_CHUNK + 77, seed=5)
    dense = sample_packed(staged, shots=MAX_CHUNK + 77, seed=5)
    assert ev.kept == dense.kept and ev.survivors == dense.survivors
    assert not ev.events.dense()[:, staged.postselected].any()
    assert np.array_equal(ev.events.dense(), dense.detectors)
