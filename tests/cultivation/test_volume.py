"""Tests of cultivation.volume: the RP² τ table applied through the stage names the tags carry."""

import stim

from cultivation.protocol import build
from cultivation.volume import TAU, stage_layout
from ftq.resources import StageLayout


def test_layout_uses_tau_table_with_project_tags():
    c = stim.Circuit("""
        R 0 1
        TICK
        M 0
        DETECTOR[check,post,Z](0, 0, 0, 3, 1, 1) rec[-1]
        TICK
        R 0
        TICK
        M 0
        DETECTOR[surface,decoded,Z](0, 0, 1, 7, 0, 1) rec[-1]
    """)
    layout = stage_layout(c)
    assert layout.tau_source == "stage tags"
    assert [s.tau for s in layout.segments] == [1.5, 1.0]  # CHECK (morph to SRP + half check), SURFACE


def test_morph_back_qubits_count_in_the_round_it_runs_inside():
    # the morph-back segment (τ = 0) measures extras 1, 2 inside the expansion round, which keeps qubit 3 only
    c = stim.Circuit("""
        R 0
        TICK
        M 0
        DETECTOR[check,post,Z](0, 0, 0, 3, 1, 1) rec[-1]
        TICK
        R 1 2 3
        TICK
        M 1 2
        DETECTOR[morph,post,Z](0, 0, 1, 2, 1, 1) rec[-1]
        TICK
        M 3
        DETECTOR[expand,decoded,Z](0, 0, 2, 6, 0, 1) rec[-1]
    """)
    morph, expand = stage_layout(c).segments[1:]
    assert (morph.tau, morph.n_live) == (0.0, 3)
    assert (expand.tau, expand.n_live) == (1.5, 3)


def test_without_the_table_the_kit_falls_back_to_tick_based_tau():
    c = build("cultivation", d1=3)
    assert StageLayout.from_circuit(c).tau_source == "tick-based"
    layout = stage_layout(c)
    assert layout.tau_source == "stage tags"
    assert all(s.tau == TAU[s.stage] for s in layout.segments)
