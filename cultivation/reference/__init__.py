"""Published reference data carried inside the project, each folder with its LICENSE and README.

* :data:`RP2` — the RP² cultivation circuits and the authors' sample results of arXiv:2503.18657
  (Zihan-Chen-PhMA/Cultiv_T_RP2, MIT);
* :data:`MSC` — the magic-state-cultivation statistics and one circuit of arXiv:2409.17595
  (Strilanc/magic-state-cultivation, Apache-2.0).

They are someone else's circuits and results, used for comparison and as test data, never presented as the
project's own. The folders are package data, so they are found relative to this module wherever it is installed.

>>> sorted(p.name for p in RP2.glob("*.stim"))[0]
'rp_3_T_cult.stim'
>>> (MSC / "emulated-historical-stats.csv").is_file()
True
"""

from __future__ import annotations

from pathlib import Path

#: This folder: ``rp2/`` and ``msc/`` sit in it.
ROOT = Path(__file__).resolve().parent
#: The published RP² circuits (``*.stim``) and ``sample_results/``.
RP2 = ROOT / "rp2"
#: The published MSC statistics (``stats.csv``, ``emulated-historical-stats.csv``) and ``circuits/``.
MSC = ROOT / "msc"
