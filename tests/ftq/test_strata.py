"""Postselected-stage strata: the listed sets against the enumeration's sums, and chain moves within a stratum."""

from __future__ import annotations

import math
import pathlib

import numpy as np
import pytest
import stim

from ftq.enumeration import enumerate_undetected
from ftq.errors import InputError
from ftq.sampling import perfectionist_predictor
from ftq.splitting import _Model, _propose
from ftq.strata import postselected_strata, stage_mechanisms
from ftq.tags import postselection_mask
from ftq.traced import Mechanisms

CIRCUIT = pathlib.Path(__file__).parents[2] / "circuits" / "rp2_end2end_d3_D7_uniform_p0.001.stim"


@pytest.fixture(scope="module")
def d3():
    c = stim.Circuit.from_file(CIRCUIT)
    return c, postselected_strata(c, max_weight=3)


def test_strata_are_every_silent_stage_set_of_weight_two_and_three(d3):
    c, strata = d3
    ref = enumerate_undetected(c, max_weight=3, allow_decoded=True)  # weight ≥ 2: stage mechanisms only
    by_weight = {s.weight: s for s in strata}
    assert set(by_weight) == {0, 2, 3}
    base = by_weight[0].mass
    for w in (2, 3):
        s = by_weight[w]
        assert len(s.sets) == ref.counts_logical[w] + ref.counts_benign[w]
        assert s.mass / base == pytest.approx(ref.sum_logical[w] + ref.sum_benign[w], rel=1e-9)
        assert len({tuple(sorted(row)) for row in s.sets.tolist()}) == len(s.sets)  # each set once
    mech = Mechanisms.from_circuit(c)
    post = np.flatnonzero(postselection_mask(c))
    stage = stage_mechanisms(mech, postselection_mask(c))
    assert math.isclose(by_weight[0].mass, math.exp(np.log1p(-mech.probabilities[stage]).sum()))
    for s in strata[1:]:
        rows = np.repeat(np.arange(len(s.sets)), s.weight)
        x = np.zeros((len(s.sets), len(mech.probabilities)), dtype=np.int64)
        np.add.at(x, (rows, s.sets.ravel()), 1)
        symptom = (x @ mech.detectors[:, post].toarray()) % 2
        assert not symptom.any()  # silent on every postselected detector
        assert stage[s.sets].all()


def test_chain_moves_keep_one_set_of_the_stratum_drawn_in_proportion(d3):
    c, strata = d3
    s = strata[1]
    model = _Model(c, perfectionist_predictor(c), s)
    rng = np.random.default_rng(9)
    x = model.prior(rng, 4000)
    for _ in range(4):
        x = _propose(model, rng, x, 0.5)
    allowed = {tuple(sorted(row)) for row in s.sets.tolist()}
    stage_parts = []
    for i in range(x.shape[0]):
        cols = x.indices[x.indptr[i] : x.indptr[i + 1]]
        part = tuple(sorted(int(m) for m in cols if model.stage[m]))
        assert part in allowed
        stage_parts.append(part)
    top = tuple(sorted(s.sets[int(np.argmax(s.probabilities))].tolist()))
    share = s.probabilities.max() / s.probabilities.sum()
    seen = sum(part == top for part in stage_parts)
    assert abs(seen - 4000 * share) < 4 * math.sqrt(4000 * share * (1 - share)) + 1


def test_weight_out_of_range_is_an_input_error(d3):
    with pytest.raises(InputError, match="max_weight=5 is outside 0..4"):
        postselected_strata(d3[0], max_weight=5)


def test_weight_four_lists_every_silent_four_set_once(d3):
    """Against a direct listing: group all pairs by their combined symptom; two disjoint pairs of a group
    make a silent 4-set (primitive ones and unions of two silent pairs alike)."""
    c, strata = d3
    mech = Mechanisms.from_circuit(c)
    post = postselection_mask(c)
    stage = np.flatnonzero(stage_mechanisms(mech, post))
    sym = mech.detectors[stage][:, np.flatnonzero(post)].tocsr()
    rows = [frozenset(sym.indices[sym.indptr[i] : sym.indptr[i + 1]].tolist()) for i in range(len(stage))]
    groups: dict = {}
    for a in range(len(stage)):
        for b in range(a + 1, len(stage)):
            groups.setdefault(rows[a] ^ rows[b], []).append((a, b))
    direct = set()
    for g in groups.values():
        for i, (a, b) in enumerate(g):
            for c2, d in g[i + 1 :]:
                if len({a, b, c2, d}) == 4:
                    direct.add(frozenset(int(stage[k]) for k in (a, b, c2, d)))
    four = postselected_strata(c, max_weight=4)[-1]
    assert four.weight == 4
    listed = [frozenset(row) for row in four.sets.tolist()]
    assert len(set(listed)) == len(listed) and set(listed) == direct
    r = mech.probabilities / (1 - mech.probabilities)
    assert four.probabilities[:50] == pytest.approx(
        strata[0].mass * np.prod(r[four.sets[:50]], axis=1), rel=1e-12
    )
