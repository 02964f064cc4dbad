"""Smoke test of the throughput benchmark (the benchmark itself is `make bench`, not a test)."""

from cultivation.bench import run_bench


def test_bench_rates_are_ordered(reference_dir):
    r = run_bench(shots=4000, quiet=True)
    assert r["circuit"].startswith("published")
    assert r["staged_gap"] > 0 and r["sinter_pymatching"] > 0
    # bare sampling without any decoding is the limit no decoding sampler beats
    assert r["stim_bare"] > r["staged_gap"]
