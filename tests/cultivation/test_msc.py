"""Tests of cultivation.msc: the MSC baseline in the S-proxy convention."""

import pytest

from cultivation.msc import load_msc_baseline
from ftq.errors import InputError


def test_msc_baseline_is_halved_to_s_proxy(reference_dir):
    series = {s.label: s for s in load_msc_baseline(reference_dir / "msc")}
    d3 = series["MSC d1=3 (published)"]
    # spec §7: MSC d1=3 end to end, 1.68e-6 at V = 6284 (S-proxy); the file stores T = 2 x S-proxy
    near = min(d3.points, key=lambda pt: abs(pt.volume - 6284))
    assert near.volume == pytest.approx(6284, rel=1e-3)
    assert near.ler == pytest.approx(1.68e-6, rel=0.01)
    assert all(pt.ler_low <= pt.ler <= pt.ler_high for pt in d3.points)
    assert d3.volume_formula == "MSC formula"


def test_missing_baseline_is_one_sentence(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        load_msc_baseline(tmp_path)
