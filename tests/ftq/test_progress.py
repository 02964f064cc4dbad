"""Progress lines (issue 14): the sweep ETA accounts for max_errors."""

import io
import time

from ftq.sweeps import _ProgressPrinter


def test_sweep_eta_stops_at_max_errors():
    # a task at 1 error per 1000 shots with max_errors = 100 ends after about 100,000 shots, not 10^12
    out = io.StringIO()
    p = _ProgressPrinter(
        total_shots=10**12, done=0, out=out, max_shots=10**12, max_errors=100, tasks={"a": (0, 0)}
    )
    p.start = time.monotonic() - 10.0  # 10 s for the first 10,000 shots
    p.add("a", 10_000, 10)
    p.show()
    eta = float(out.getvalue().rsplit("ETA ", 1)[1].split("s")[0])
    assert 85 <= eta <= 95  # 90,000 more shots at 1,000 per second
    p.add("a", 90_000, 90)
    assert p.remaining_shots() == 0


def test_sweep_eta_without_errors_uses_max_shots():
    p = _ProgressPrinter(
        total_shots=1000, done=0, out=io.StringIO(), max_shots=1000, max_errors=5, tasks={"a": (0, 0)}
    )
    p.add("a", 400, 0)
    assert p.remaining_shots() == 600
