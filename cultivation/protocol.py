"""Whole RP² cultivation circuits: the stages of :mod:`cultivation.stages` assembled, then noise applied once.

Protocols:

* ``cultivation`` — injection, RP rounds, morph, flagged check (and, for d1 = 5, growth RP-3 → RP-5 and a second
  check), morph back, noiseless readout of the stabilizers and of Y_L. Every detector is postselected.
* ``end2end`` — the same up to the last check, then morph back, one-round expansion into a rotated surface code of
  distance D (D ≥ 2·d1 + 1), d1 more surface-code rounds, noiseless readout. Expansion and surface detectors are decoded.

>>> c = build_noiseless("cultivation", d1=3)
>>> c.num_detectors, c.num_observables
(44, 1)
"""

from __future__ import annotations

import stim

from cultivation.morph import MorphPlan, morph_plan
from cultivation.stages import (
    PROXIES,
    Stage,
    State,
    check,
    expand,
    fix_x_frame,
    grow,
    inject,
    logical_readout,
    morph,
    morph_back,
    rp_round,
    surface_round,
)
from ftq.errors import InputError

PROTOCOLS = ("cultivation", "end2end")
DISTANCES = (3, 5)

#: The largest end-to-end surface-code distance built (about 30 s here; the cost grows as D³).
MAX_FINAL_DISTANCE = 41


def build_cost(final_distance: int) -> tuple[int, float]:
    """(qubits, estimated build seconds) of an end-to-end circuit of distance D, before building it.

    Qubits: the rotated surface code's 2D² - 1 dominate; seconds: measured 7.6 s at D = 27 on one core,
    scaled as D³ (the number of rounds does not grow with D).

    >>> build_cost(27)
    (1457, 7.6)
    """
    return 2 * final_distance**2 - 1, round(7.6 * (final_distance / 27) ** 3, 1)


def validate(protocol: str, *, d1: int, final_distance: int | None, proxy: str = "S") -> int | None:
    """Check the parameters; returns the final distance (default 2·d1 + 1 for end2end). Raises InputError."""
    if protocol not in PROTOCOLS:
        raise InputError(f"protocol {protocol!r} is unknown; valid protocols are {', '.join(PROTOCOLS)}")
    if not isinstance(d1, int) or d1 not in DISTANCES:
        raise InputError(f"d1={d1!r} is not supported; valid cultivation distances are 3 and 5 (odd, >= 3)")
    if proxy not in PROXIES:
        raise InputError(f"proxy {proxy!r} is unknown; valid proxy gates are {', '.join(PROXIES)}")
    if protocol == "cultivation":
        if final_distance is not None:
            raise InputError(f"a final distance (D={final_distance!r}) applies only to the end2end protocol")
        return None
    D = 2 * d1 + 1 if final_distance is None else final_distance
    if not isinstance(D, int) or D < 2 * d1 + 1 or D % 2 == 0:
        raise InputError(f"final distance D={D!r} must be an odd integer >= 2*d1+1 = {2 * d1 + 1}")
    if D > MAX_FINAL_DISTANCE:
        qubits, seconds = build_cost(D)
        cap_q, cap_s = build_cost(MAX_FINAL_DISTANCE)
        raise InputError(
            f"final distance D={D} would build a circuit on {qubits:,} qubits in about {seconds:.2g} s; "
            f"the largest supported is D={MAX_FINAL_DISTANCE} ({cap_q:,} qubits, about {cap_s:.0f} s)"
        )
    return D


def _cultivate(d1: int, proxy: str) -> tuple[State, MorphPlan]:
    """Cultivation up to the last check; returns the state and the morph still to be undone."""
    st = inject(d=3, proxy=proxy)
    rp_round(st, stage=Stage.ROUND)
    plan = morph_plan(3)
    morph(st, plan)
    check(st, plan)
    if d1 == 3:
        return st, plan
    grow(st, plan)
    fix_x_frame(st)
    rp_round(st, stage=Stage.ROUND)
    plan5 = morph_plan(5)
    morph(st, plan5)
    check(st, plan5)
    return st, plan5


def build_noiseless(
    protocol: str, *, d1: int, final_distance: int | None = None, proxy: str = "S"
) -> stim.Circuit:
    """The noiseless, stage-tagged circuit of a protocol."""
    D = validate(protocol, d1=d1, final_distance=final_distance, proxy=proxy)
    st, plan = _cultivate(d1, proxy)
    if protocol == "cultivation":
        morph_back(st, plan)
        logical_readout(st, postselected=True)
        return st.builder.finish()
    expand(st, distance=D, plan=plan)
    for _ in range(d1):
        surface_round(st)
    logical_readout(st, postselected=False)
    return st.builder.finish()


def build(
    protocol: str,
    *,
    d1: int,
    final_distance: int | None = None,
    noise: str = "uniform",
    p: float = 1e-3,
    proxy: str = "S",
) -> stim.Circuit:
    """The noisy circuit: :func:`build_noiseless` then :func:`ftq.noise.apply_noise` with the named model."""
    from ftq.noise import apply_noise

    return apply_noise(
        build_noiseless(protocol, d1=d1, final_distance=final_distance, proxy=proxy), model=noise, p=p
    )
