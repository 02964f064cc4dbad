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


def test_sample_reports_progress_and_keeps_the_samples_of_a_seed():
    import stim

    from ftq.decoders import load_decoder
    from ftq.sampling import (
        SETUP_SHOTS,
        StagedCompiledSampler,
        perfectionist_predictor,
        sample_decoded,
        sample_shots,
    )

    c = stim.Circuit(
        "X_ERROR(0.3) 0\nM 0\nDETECTOR(0, 0, 0, 0, 1, 1) rec[-1]\nX_ERROR(0.1) 1\nM 1\nOBSERVABLE_INCLUDE(0) rec[-1]"
    )
    shots = 600_000
    seen = []
    r = sample_decoded(c, load_decoder("perfectionist"), shots=shots, seed=9, on_shots=seen.append)
    assert seen == sorted(seen) and seen[-1] == shots and len(seen) >= 2
    # the same seed without chunks: the samples of the old single call
    compiled = StagedCompiledSampler(c, perfectionist_predictor(c), seed=9)
    whole = sample_shots(compiled, SETUP_SHOTS) + sample_shots(compiled, shots - SETUP_SHOTS)
    assert (r.kept, r.errors) == (whole.shots - whole.discards, whole.errors)


def test_progress_line_is_quiet_off_a_terminal():
    from ftq.progress import ProgressLine

    out = io.StringIO()  # not a TTY
    line = ProgressLine(total=10, unit="shots", out=out, every=0.0)
    line.update(5)
    line.close()
    assert out.getvalue() == ""
