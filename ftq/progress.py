"""A progress line on stderr for long commands: done / total, rate and ETA, redrawn at most once a second.

Quiet when asked (``--json``) or when stderr is not a terminal, so logs and pipes stay clean.

>>> import io
>>> out = io.StringIO()
>>> line = ProgressLine(total=1000, unit="shots", out=out, enabled=True, every=0.0)
>>> line.update(500)
>>> "500/1,000 shots" in out.getvalue() and "ETA" in out.getvalue()
True
"""

from __future__ import annotations

import math
import sys
import time
from typing import TextIO


def _duration(seconds: float) -> str:
    if not math.isfinite(seconds):
        return "?"
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds / size:.1f} {unit}"
    return f"{seconds:.0f} s"


class ProgressLine:
    """``update(done)`` redraws ``label: done/total unit, rate/s, ETA``; ``close()`` ends the line."""

    def __init__(
        self,
        *,
        total: int,
        unit: str,
        label: str = "",
        out: TextIO | None = None,
        enabled: bool | None = None,
        every: float = 1.0,
    ):
        self.total = max(1, total)
        self.unit = unit
        self.label = f"{label}: " if label else ""
        self.out = out if out is not None else sys.stderr
        self.enabled = self.out.isatty() if enabled is None else enabled
        self.every = every
        self.start = time.monotonic()
        self.last = -math.inf
        self.drawn = False

    def update(self, done: int) -> None:
        now = time.monotonic()
        if not self.enabled or now - self.last < self.every:
            return
        self.last = now
        elapsed = now - self.start
        rate = done / elapsed if elapsed > 0 else 0.0
        eta = (self.total - done) / rate if rate > 0 else math.inf
        print(
            f"\r{self.label}{done:,}/{self.total:,} {self.unit}, {rate:,.0f}/s, ETA {_duration(eta)}   ",
            end="",
            file=self.out,
            flush=True,
        )
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            print(file=self.out, flush=True)


class BudgetLine:
    """A context manager redrawing ``label: N s CPU time of at most M (budget)`` once a second from a thread.

    For work whose progress is known only by its budget (rare-event estimates stop at a target error or a
    CPU-time budget, whichever comes first). Quiet when ``enabled`` is False or stderr is not a terminal.

    >>> import io
    >>> out = io.StringIO()
    >>> with BudgetLine(label="brute", budget=60.0, out=out, enabled=True, every=0.01):
    ...     time.sleep(0.05)
    >>> "CPU time of at most 1.0 min (budget)" in out.getvalue()
    True
    """

    def __init__(
        self,
        *,
        label: str,
        budget: float | None,
        out: TextIO | None = None,
        enabled: bool | None = None,
        every: float = 1.0,
    ):
        import threading

        self.label = label
        self.budget = budget
        self.out = out if out is not None else sys.stderr
        self.enabled = self.out.isatty() if enabled is None else enabled
        self.every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="ftq-progress")
        self._cpu0 = time.process_time()

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            cpu = time.process_time() - self._cpu0
            left = "" if self.budget is None else f" of at most {_duration(self.budget)} (budget)"
            print(f"\r{self.label}: {_duration(cpu)} CPU time{left}   ", end="", file=self.out, flush=True)

    def __enter__(self) -> BudgetLine:
        if self.enabled:
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        if self.enabled:
            self._stop.set()
            self._thread.join()
            print(file=self.out, flush=True)
