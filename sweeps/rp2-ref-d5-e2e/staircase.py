"""Staircase cuts: keep the gap cells whose calibrated error estimate w·10^(-g_b/10) + 10^(-g_x/10) is at most a
level, instead of a rectangle g_b >= t1, g_x >= t2. The level is chosen on rows 0, 2, 4, ... of the v8 sweep and
measured on rows 1, 3, 5, ... (95% Clopper-Pearson), beside the same family's best cut on the authors' histogram.

    python sweeps/rp2-ref-d5-e2e/staircase.py
"""

import functools
import operator
import pathlib

import numpy as np

from cultivation.published import published_stats
from ftq.importance import clopper_pearson
from ftq.resources import gap_histogram_2d
from ftq.sweeps import read_stats_rows

HERE = pathlib.Path(__file__).resolve().parent


def cells(stats) -> dict[tuple[float, float], tuple[int, int]]:
    """(boundary gap, cross-cap gap) cell -> (correct, wrong) kept shots."""
    g1, g2, c, e = gap_histogram_2d(stats.custom_counts)
    return {
        (a, b): (int(c[i, j]), int(e[i, j]))
        for i, a in enumerate(g1)
        for j, b in enumerate(g2)
        if c[i, j] + e[i, j]
    }


def best_level(grid: dict, shots: int, score, budget: float) -> float | None:
    """The level of the lowest error rate among cuts keeping at least shots / budget shots."""
    items = sorted(grid.items(), key=lambda kv: score(*kv[0]))
    scores = np.array([score(*g) for g, _ in items])
    kept = np.cumsum([c + e for _, (c, e) in items])
    err = np.cumsum([e for _, (_, e) in items])
    ends = np.r_[scores[1:] != scores[:-1], True]  # cut only between distinct scores
    idx = np.flatnonzero(ends & (shots / np.maximum(kept, 1) <= budget))
    if len(idx) == 0:
        return None
    return float(scores[idx[np.argmin(err[idx] / kept[idx])]])


def at_level(grid: dict, score, level: float) -> tuple[int, int]:
    """(kept, errors) of the cells at or below ``level``."""
    inside = [(c, e) for g, (c, e) in grid.items() if score(*g) <= level]
    return sum(c + e for c, e in inside), sum(e for _, e in inside)


def main() -> None:
    rows = [r for r in read_stats_rows(HERE / "stats.csv") if r.json_metadata.get("decoder_version") == 8]
    sel = functools.reduce(operator.add, rows[0::2])
    held = functools.reduce(operator.add, rows[1::2])
    pub = published_stats("rp_3_rp_5_sc_11_end2end_6_full_rds.stim")
    grids = {name: cells(s) for name, s in (("sel", sel), ("held", held), ("pub", pub))}
    for budget in (8.85, 10.7, 13.5):
        for w in (0.01, 0.1, 1, 10, 100):

            def score(g1, g2, w=w):
                return w * 10 ** (-g1 / 10) + 10 ** (-g2 / 10)

            level = best_level(grids["sel"], sel.shots, score, budget)
            if level is None:
                continue
            kb, eb = at_level(grids["held"], score, level)
            lo, hi = clopper_pearson(eb, kb)
            pl = best_level(grids["pub"], pub.shots, score, budget)
            kp, ep = at_level(grids["pub"], score, pl)
            print(
                f"<= {budget} w={w}: held out {eb / kb:.3g} [{lo:.3g}, {hi:.3g}] 95% CP at {held.shots / kb:.3f} "
                f"({eb} errors); published decoder, same family: {ep / kp:.3g} at {pub.shots / kp:.2f}"
            )


if __name__ == "__main__":
    main()
