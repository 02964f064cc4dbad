"""The RP² volume's τ table: rounds each cultivation stage takes (spec §6), for :class:`ftq.resources.StageLayout`.

τ per segment, keyed by the stage of the detectors that close the segment: 1 per round and per half of the
check, 0.5 for morph-to-SRP, 1.5 for morph-back + grow / expand; the final MPP is one round. The segment
closed by the check detector holds morph-to-SRP and the first half of the check (0.5 + 1); the flag segment
the second half (1); morph-back detectors are read during the grow / expand round, whose segment carries the
1.5, so their own segment counts 0.

>>> from cultivation.protocol import build
>>> layout = stage_layout(build("cultivation", d1=3))
>>> layout.tau_source, [(s.label, s.tau) for s in layout.segments][:3]
('stage tags', [('injection', 1.0), ('round', 1.0), ('check', 1.5)])
"""

from __future__ import annotations

from collections.abc import Mapping

import stim

from cultivation.stages import Stage
from ftq.resources import StageLayout

#: τ per stage name (the lower-case :class:`cultivation.stages.Stage` names the tags carry).
TAU = {
    stage.name.lower(): tau
    for stage, tau in {
        Stage.INJECTION: 1.0,
        Stage.ROUND: 1.0,
        Stage.CHECK: 1.5,
        Stage.FLAG: 1.0,
        Stage.MORPH: 0.0,
        Stage.GROW: 1.5,
        Stage.EXPAND: 1.5,
        Stage.SURFACE: 1.0,
        Stage.READOUT: 1.0,
    }.items()
}


def stage_layout(circuit: stim.Circuit, *, tau: Mapping[str, float] | None = None) -> StageLayout:
    """The stage layout of an RP² circuit with this τ table (``tau`` by segment label overrides it)."""
    return StageLayout.from_circuit(
        circuit, tau=tau, tau_by_stage=TAU, final_stage=Stage.READOUT.name.lower()
    )
