"""CX schedules for syndrome extraction.

Bulk plaquettes keep the standard orders (X: NW, SW, NE, SE; Z: NW, NE, SW, SE) in increasing steps. Checks merged across the
antipodal identification of RP² are placed by a small backtracking search over 5 steps so that no qubit is used twice in
a step and every overlapping X/Z pair of checks is interleaved compatibly (an even number of shared qubits touched by
the X check first), which is the condition for the circuit to measure commuting stabilizers.

>>> from cultivation.layout import rp_checks
>>> layers = syndrome_layers(rp_checks(3))
>>> len(layers), sum(len(layer) for layer in layers)
(5, 36)
"""

from __future__ import annotations

import functools
import itertools

from cultivation.layout import ORDER, Check

Schedule = dict[Check, dict[complex, int]]  # check -> {data position: step}


def _compatible(xc: dict[complex, int], zc: dict[complex, int]) -> bool:
    shared = xc.keys() & zc.keys()
    x_first = sum(1 for q in shared if xc[q] < zc[q])
    return x_first % 2 == 0


def _options(check: Check, steps: int):
    """Candidate step maps: bulk checks keep their order (any increasing steps); merged checks any order."""
    if not check.wraps:
        order = [check.ancilla + off for off in ORDER[check.basis] if check.ancilla + off in check.data]
        for chosen in itertools.combinations(range(steps), len(order)):
            yield dict(zip(order, chosen, strict=True))
    else:
        for perm in itertools.permutations(range(steps), len(check.data)):
            yield dict(zip(check.data, perm, strict=True))


@functools.cache
def _schedule(
    checks: tuple[Check, ...], steps: int
) -> tuple[tuple[Check, tuple[tuple[complex, int], ...]], ...]:
    busy: dict[int, set[complex]] = {s: set() for s in range(steps)}
    by_qubit: dict[complex, list[Check]] = {}
    for c in checks:
        for q in c.data:
            by_qubit.setdefault(q, []).append(c)
    options = {c: list(_options(c, steps)) for c in checks}

    def consistent(c: Check, times: dict[complex, int], assigned: Schedule) -> bool:
        if any(q in busy[s] for q, s in times.items()):
            return False
        neighbours = {o for q in c.data for o in by_qubit[q] if o.basis != c.basis and o in assigned}
        for o in neighbours:
            xc, zc = (times, assigned[o]) if c.basis == "X" else (assigned[o], times)
            if not _compatible(xc, zc):
                return False
        return True

    assigned: Schedule = {}

    def search() -> bool:
        # most-constrained check next (fewest consistent options), with forward checking
        best, best_opts = None, None
        for c in checks:
            if c in assigned:
                continue
            opts = [t for t in options[c] if consistent(c, t, assigned)]
            if not opts:
                return False
            if best_opts is None or len(opts) < len(best_opts):
                best, best_opts = c, opts
        if best is None:
            return True
        for times in best_opts:
            assigned[best] = times
            for q, s in times.items():
                busy[s].add(q)
            if search():
                return True
            del assigned[best]
            for q, s in times.items():
                busy[s].discard(q)
        return False

    if not search():
        raise ValueError(f"no {steps}-step schedule exists for these checks")
    return tuple((c, tuple(sorted(assigned[c].items(), key=lambda kv: kv[1]))) for c in checks)


def schedule(checks: list[Check], *, steps: int = 5) -> Schedule:
    """Step of every (check, data qubit) interaction."""
    return {c: dict(times) for c, times in _schedule(tuple(checks), steps)}


def syndrome_layers(checks: list[Check], *, steps: int = 5) -> list[list[tuple[complex, complex]]]:
    """CX layers as (control, target) pairs: data→ancilla for Z checks, ancilla→data for X checks."""
    sched = schedule(checks, steps=steps)
    n = 1 + max((s for times in sched.values() for s in times.values()), default=-1)
    layers: list[list[tuple[complex, complex]]] = [[] for _ in range(n)]
    for c, times in sched.items():
        for q, s in times.items():
            layers[s].append((c.ancilla, q) if c.basis == "X" else (q, c.ancilla))
    return [layer for layer in layers if layer]
