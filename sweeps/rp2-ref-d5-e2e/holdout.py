"""Held-out front of each gap decoder version on the published d=5 circuit, with 95% Clopper-Pearson intervals.

    python sweeps/rp2-ref-d5-e2e/holdout.py [--stats PATH] [8.85 10.7 13.5]

``--select-rows K``: instead of even/odd rows, choose the thresholds on each version's first K rows and measure them
on all later rows (fresh draws: e.g. K = 2 on the published circuit, whose first 1.0e9 v8 shots were compacted into
two rows before more were sampled). ``--stats`` reads another sweep's stats.csv (e.g. sweeps/rp2-d5-e2e/stats.csv, the project's own d1=5 circuit);
the published decoder's column is then still the published circuit's, for reference.

For each budget B of attempts per kept shot: the best point within B on all rows (likelihood-ratio-1000 band, as
`ftq plot` prints), then the threshold pair chosen on rows 0, 2, 4, ... and measured on rows 1, 3, 5, ... with the
95% Clopper-Pearson interval of the held-out rate (the issue's "95% upper bound"). Beside them, the published
decoder's best point within B from the authors' histogram.
"""

import functools
import operator
import pathlib
import sys

from cultivation.published import published_stats
from ftq.importance import clopper_pearson
from ftq.resources import holdout_points, pareto_front, pareto_points, point_at
from ftq.sweeps import read_stats_rows

HERE = pathlib.Path(__file__).resolve().parent


def within(points, budget):
    ok = [p for p in points if p.attempts_per_kept <= budget]
    return min(ok, key=lambda p: (p.ler, p.attempts_per_kept)) if ok else None


def fresh_pairs(rows, k: int):
    """(selection point, held-out point) with the thresholds chosen on rows[:k] and measured on rows[k:]."""
    if len(rows) <= k:
        return []
    sel = functools.reduce(operator.add, rows[:k])
    rest = functools.reduce(operator.add, rows[k:])
    return [(p, point_at(rest, p.gap_db, p.gap2_db)) for p in pareto_front(pareto_points(sel))]


def main(
    budgets: list[float], stats: pathlib.Path = HERE / "stats.csv", select_rows: int | None = None
) -> None:
    rows = read_stats_rows(stats)
    pub = pareto_front(pareto_points(published_stats("rp_3_rp_5_sc_11_end2end_6_full_rds.stim")))
    for v in sorted({r.json_metadata.get("decoder_version") for r in rows} - {None}):
        mine = [r for r in rows if r.json_metadata.get("decoder_version") == v]
        total = functools.reduce(operator.add, mine)
        front = pareto_front(pareto_points(total))
        pairs = holdout_points(mine) if select_rows is None else fresh_pairs(mine, select_rows)
        print(f"gap decoder v{v}: {len(mine)} rows, {total.shots:,} shots")
        for b in budgets:
            p = within(front, b)
            chosen = within([a for a, _ in pairs], b)
            held = next(h for a, h in pairs if a is chosen) if chosen else None
            q = within(pub, b)
            line = f"  <= {b:g}: all rows {p.ler:.3g} [{p.ler_low:.2g}, {p.ler_high:.2g}] at {p.attempts_per_kept:.3f} ({p.errors} errors, {p.threshold})"
            if held is not None:
                lo, hi = clopper_pearson(held.errors, held.kept)
                line += f"; held out {held.ler:.3g} [{lo:.3g}, {hi:.3g}] 95% CP at {held.attempts_per_kept:.3f} ({held.errors} errors)"
            print(line + f"; published {q.ler:.3g} at {q.attempts_per_kept:.2f}")


if __name__ == "__main__":
    args = sys.argv[1:]
    path = HERE / "stats.csv"
    select = None
    while args[:1] in (["--stats"], ["--select-rows"]):
        if args[0] == "--stats":
            path = pathlib.Path(args[1])
        else:
            select = int(args[1])
        args = args[2:]
    main([float(x) for x in args] or [8.85, 10.7, 13.5], path, select)
