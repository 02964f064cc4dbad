"""The Jones-polynomial anchor's demonstration braid (arXiv:2503.05625), carried as facts (see README.md here).

:data:`ANCHOR_BRAID` is the file holding the 15-strand, 114-crossing braid word the anchor ran on H2-2;
:func:`anchor_braid` reads it. :data:`ANCHOR_VALUE` is its published exact value in the standard convention
(t = e^{2πi/5}, KnotInfo's; the anchor's own convention is the complex conjugate).

>>> b = anchor_braid()
>>> b.strands, b.crossings
(15, 114)
"""

from __future__ import annotations

from pathlib import Path

from jones.braids import Braid

#: The braid word file: comma-separated generators (σ_i as i, σ_i⁻¹ as −i).
ANCHOR_BRAID = Path(__file__).resolve().parent / "b_n15_l15.txt"
#: Published exact value V(e^{2πi/5}) of the Markov closure, standard convention.
ANCHOR_VALUE = complex(-314.33377541936, -623.02186764560)


def anchor_braid() -> Braid:
    """The anchor's demonstration braid on 15 strands."""
    return Braid.parse(ANCHOR_BRAID.read_text(), strands=15)
