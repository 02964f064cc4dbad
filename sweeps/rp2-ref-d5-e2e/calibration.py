"""Calibration of the two soft outputs on the published d=5 end-to-end circuit: ours (each gap decoder version in
stats.csv) beside the authors' decoder (their histogram, columns in our bd|rp order).

    python sweeps/rp2-ref-d5-e2e/calibration.py > sweeps/rp2-ref-d5-e2e/calibration.md

Per 10 dB bin of one gap, among kept shots whose other gap is at least 50 dB: the share of kept shots, the error
rate with its 95% Clopper-Pearson interval, and 1/(1 + 10^(g/10)) at the bin's lower edge (a calibrated
log-likelihood ratio stays at or below it). A soft output that ranks shots well puts many shots in high bins and
keeps their error rate low there.
"""

import functools
import operator
import pathlib

from cultivation.published import published_stats
from ftq.resources import gap_calibration
from ftq.sweeps import read_stats_rows

HERE = pathlib.Path(__file__).resolve().parent


def tables() -> list[str]:
    sources = {}
    rows = read_stats_rows(HERE / "stats.csv")
    for v in sorted({r.json_metadata.get("decoder_version") for r in rows} - {None}):
        mine = [r for r in rows if r.json_metadata.get("decoder_version") == v]
        total = functools.reduce(operator.add, mine)
        sources[f"gap decoder v{v} ({total.shots / 1e6:.0f}M shots)"] = total
    pub = published_stats("rp_3_rp_5_sc_11_end2end_6_full_rds.stim")
    sources[f"published decoder ({pub.shots / 1e9:.0f}G shots)"] = pub
    out = []
    for axis, name, other in ((1, "cross-cap gap", "boundary"), (0, "boundary gap", "cross-cap")):
        out.append(f"\n### {name} bins, {other} gap >= 50 dB\n")
        out.append("| bin (dB) | " + " | ".join(sources) + " |")
        out.append("|---|" + "---|" * len(sources))
        per = {
            k: {b.low: b for b in gap_calibration(s.custom_counts, axis=axis, other_min=50)}
            for k, s in sources.items()
        }
        for low in range(0, 100, 10):
            cells = []
            for k in sources:
                b = per[k].get(float(low))
                cells.append("—" if b is None else
                             f"{b.kept_fraction:.3f} kept, {b.rate:.1e} [{b.rate_low:.1e}, {b.rate_high:.1e}] ({b.errors})")  # fmt: skip
            model = 1 / (1 + 10 ** (low / 10))
            label = f"[{low}, {low + 10})" if low < 90 else f"≥ {low}"
            out.append(f"| {label}, model {model:.0e} | " + " | ".join(cells) + " |")
    return out


if __name__ == "__main__":
    print("# Soft-output calibration, published d=5 end-to-end circuit (uniform p = 1e-3)")
    print(__doc__.split("\n\n")[2].replace("\n", " "))
    print("\n".join(tables()))
