"""README numbers that come from code: the circuit statistics table, and the paths its commands name."""

import functools
import json
import pathlib
import re

import pytest
import stim

from cultivation.reference import RP2
from ftq.stats import circuit_stats

ROOT = pathlib.Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
PUBLISHED = {
    ("cultivation", 3): "rp_3_T_cult.stim",
    ("end2end", 3): "rp_3_sc_7_end2end_4_full_rds.stim",
    ("cultivation", 5): "rp_3_rp_5_T_cult.stim",
    ("end2end", 5): "rp_3_rp_5_sc_11_end2end_6_full_rds.stim",
}


def _table_rows() -> dict[tuple[str, int, str], dict[str, int]]:
    """``| d1=3 → D=7, ours | 252 (34) | 826 | 63 | 103 | … |`` rows of the statistics table, parsed."""
    rows = {}
    pattern = r"^\| d1=(\d) (cultivation|→ D=\d+), (ours|published) \| (\d+) \((\d+)\) \| (\d+) \| (\d+) \| (\d+) \|"
    for m in re.finditer(pattern, README, flags=re.M):
        d1, what, who, det, post, gates, ticks, peak = m.groups()
        protocol = "cultivation" if what == "cultivation" else "end2end"
        rows[(protocol, int(d1), who)] = {
            "detectors": int(det),
            "postselected_detectors": int(post),
            "two_qubit_gates": int(gates),
            "ticks": int(ticks),
            "peak_live_qubits": int(peak),
        }
    return rows


ROWS = _table_rows()


def test_the_table_has_every_circuit():
    assert set(ROWS) == {(proto, d1, who) for proto, d1 in PUBLISHED for who in ("ours", "published")}


@pytest.mark.parametrize("protocol, d1", sorted(PUBLISHED))
def test_our_rows_match_the_manifest(protocol, d1):
    manifest = json.loads((ROOT / "circuits" / "manifest.json").read_text())
    (record,) = [m for m in manifest if (m["protocol"], m["d1"], m["p"]) == (protocol, d1, 0.001)]
    assert ROWS[(protocol, d1, "ours")] == {k: record[k] for k in ROWS[(protocol, d1, "ours")]}


@pytest.mark.parametrize("protocol, d1", sorted(PUBLISHED))
def test_published_rows_match_the_published_circuits(protocol, d1):
    stats = circuit_stats(stim.Circuit.from_file(RP2 / PUBLISHED[(protocol, d1)]))
    assert ROWS[(protocol, d1, "published")] == {k: stats[k] for k in ROWS[(protocol, d1, "published")]}


def test_every_file_a_readme_command_names_exists():
    blocks = re.findall(r"```\n(.*?)```", README, flags=re.S)
    commands = [line for block in blocks for line in block.splitlines() if line.startswith("ftq ")]
    assert commands
    paths = [tok for line in commands for tok in line.split() if re.search(r"/.*\.(stim|toml)$", tok)]
    assert paths
    missing = [p for p in paths if not (ROOT / p).is_file()]
    assert not missing


def _best_within(points, attempts: float):
    return min((p for p in points if p.attempts_per_kept <= attempts), key=lambda p: p.ler)


@pytest.mark.parametrize(
    "sweep, decoder_version, attempts",
    [("rp2-ref-d5-e2e", 8, 8.85), ("rp2-ref-d5-e2e", 8, 10.7), ("rp2-d5-e2e", 8, 8.9)],
)
def test_d5_results_row_is_the_stored_sweeps_front(sweep, decoder_version, attempts):
    # the README's d=5 end-to-end row quotes the best point within a budget of the stored sweep: recompute it
    import functools

    from ftq.resources import pareto_front, pareto_points
    from ftq.sweeps import read_stats_rows

    rows = [
        r
        for r in read_stats_rows(ROOT / "sweeps" / sweep / "stats.csv")
        if r.json_metadata.get("decoder_version") == decoder_version
    ]
    best = _best_within(pareto_front(pareto_points(functools.reduce(lambda a, b: a + b, rows))), attempts)
    mantissa, exponent = f"{best.ler:.2e}".split("e")
    quoted = f"{float(mantissa):.3g}e{int(exponent)}** at {best.attempts_per_kept:.2f} ({best.errors} error"
    assert quoted in README


def test_published_front_quoted_in_readme_is_the_authors_histogram():
    from cultivation.published import published_series

    points = published_series(PUBLISHED[("end2end", 5)]).points
    for attempts in (8.85, 10.7, 13.5):
        best = _best_within(points, attempts)
        mantissa, exponent = f"{best.ler:.2e}".split("e")
        assert f"{float(mantissa):.3g}e{int(exponent)} at {best.attempts_per_kept:.2f}" in README


def _sci(x: float) -> str:
    mantissa, exponent = f"{x:.2e}".split("e")
    return f"{float(mantissa):.3g}e{int(exponent)}"


#: the estimated d=5 points the README quotes: (splitting sweep, cut)
ESTIMATED_POINTS = [
    ("rp2-ref-d5-split", (65.0, 57.0)),
    ("rp2-ref-d5-split", (85.0, 74.0)),
    ("rp2-ref-d5-split", (95.0, 83.0)),
    ("rp2-ref-d5-split", (100.0, 88.0)),
    ("rp2-d5-split", (65.0, 57.0)),
    ("rp2-d5-split", (85.0, 74.0)),
    ("rp2-d5-split", (100.0, 88.0)),
]


@functools.cache
def _estimated(sweep: str) -> tuple[int, dict]:
    """(number of runs, the front by cut) of a stored splitting sweep, read once."""
    from ftq.splitting_sweep import estimated_front, read_splitting

    ((_, runs, floor),) = read_splitting(ROOT / "sweeps" / sweep / "splitting.jsonl").values()
    return len(runs), {p.cut: p for p in estimated_front(runs, floor=floor)}


@pytest.mark.parametrize("sweep, cut", ESTIMATED_POINTS)
def test_d5_estimated_points_are_the_stored_runs(sweep, cut):
    # the README's estimated d=5 points: recompute them from the stored splitting runs
    runs, points = _estimated(sweep)
    pt = points[cut]
    quoted = f"**{_sci(pt.ler)}** [{_sci(pt.ler_low)}, {_sci(pt.ler_high)}] at {pt.attempts_per_kept:.2f}"
    assert quoted in README
    assert f"{runs} runs" in README
