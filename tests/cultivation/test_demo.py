from cultivation.demo import run_demo
from ftq.estimation import wilson_interval


def test_sampled_kept_fraction_agrees_with_enumeration(tmp_path):
    r = run_demo(shots=50_000, seed=3, max_weight=4, out=tmp_path / "d.png")
    lo, hi = wilson_interval(r.kept, r.shots, z=4.0)
    # the enumeration's kept fraction is a truncated lower bound, but sets of > 4 faults are rare here
    assert lo <= r.estimate.kept_fraction <= hi
    assert r.stats["detectors"] == r.stats["postselected_detectors"]


def test_interval_holds_the_estimate_and_the_series_falls(tmp_path):
    r = run_demo(shots=1000, seed=3, max_weight=5, out=tmp_path / "d.png")
    e = r.estimate
    assert e.ler_low <= e.ler <= e.ler_high
    terms = [e.details.ler_by_weight[str(w)] for w in (3, 4, 5)]
    assert terms[0] > terms[1] > terms[2] > 0
    assert abs(sum(terms) - e.ler) <= 1e-12 * e.ler
    assert any(line.startswith("published: 8.3e-7") for line in r.lines())
