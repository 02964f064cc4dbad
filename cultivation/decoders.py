"""The cultivation decoders registered with ``ftq`` (entry points ``ftq.decoders`` in ``pyproject.toml``).

``gap`` — :class:`cultivation.decoding.GapSampler`: staged sampling, tag postselection, matching on the
pruned X/Z-split DEM with two soft outputs (boundary gap and cross-cap gap).

>>> s = gap()
>>> s.decoder_version
8
"""

from __future__ import annotations

import sinter

#: Version of the gap decoder's soft outputs, written into its sweep tasks' metadata (so their strong ids):
#: 4 = two gaps, exact for syndromes of up to 8 events per decoding part; 5 = exact up to 14 events;
#: 6 = exact class weights by a pairing DP, exact up to 16 events per part (larger parts: exact matching,
#: both gaps 0); 7 = a part's mechanism of more than two detectors is a hyperedge used whole (its pieces had
#: been independent edges: one piece plus a known edge closed a 54 dB cross-cap loop at d=5, now 72 dB).
#: 8 = such mechanisms, and mixed ones with a part that is no known single-basis error, are left out of the
#: model, as the published decoder does (fewer errors before the cut, 3× faster decoding at d=5, cross-cap
#: cap 91 dB). Bump it whenever the gap values a syndrome gets can change.
GAP_VERSION = 8


def gap() -> sinter.Sampler:
    """The ``gap`` decoder's sinter sampler, with its :data:`GAP_VERSION`."""
    from cultivation.decoding import GapSampler

    sampler = GapSampler()
    sampler.decoder_version = GAP_VERSION
    return sampler
