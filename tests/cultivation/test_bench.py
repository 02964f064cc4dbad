"""Smoke test of the throughput benchmark (the benchmark itself is `make bench`; no timing is asserted)."""

from cultivation.bench import run_bench


def test_bench_reports_both_circuits_with_their_kept_fractions(reference_dir):
    r = run_bench(shots=3000, quiet=True)
    assert r["d3"]["circuit"].startswith("published") and r["d5"]["circuit"].startswith("published")
    # kept fractions of the published end-to-end circuits before the gap cut: 56.2% and 12.2% (3000 shots)
    assert abs(r["d3"]["kept_fraction"] - 0.562) < 0.05 and abs(r["d5"]["kept_fraction"] - 0.122) < 0.03
    for row in r.values():
        assert row["gap_kept_per_s"] > 0 and row["stim_bare_kept_per_s"] > 0
    assert r["d3"]["sinter_pymatching_kept_per_s"] > 0
