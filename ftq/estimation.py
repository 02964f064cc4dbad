"""Rare-event estimation of postselected logical error rates: one result type, three methods.

* ``enumerate`` — exact sums over undetected error sets of ≤ w mechanisms (:mod:`ftq.enumeration`);
* ``importance`` — sampling stratified by fault count, or with inflated noise and exact likelihood-ratio
  weights (:mod:`ftq.importance`);
* ``brute`` — plain stim sampling of the circuit, for validation.

Every method returns an :class:`Estimate` (``ler``, ``ler_low``, ``ler_high``, ``method``, ``cpu_seconds``, and
typed method-specific ``details``: :class:`BruteDetails`, :class:`EnumerationDetails`,
:class:`StratifiedDetails` or :class:`ScaledDetails`) that can be written as a sinter CSV row (:meth:`Estimate.to_task_stats`) and so shares sinter's plotting path.

The logical error rate is ``P(observable flipped | no postselected detector fired)``; circuits whose
detectors are all postselected (cultivation-only) are supported.

>>> import stim
>>> c = stim.Circuit('''
...     X_ERROR(0.01) 0 1
...     CX 0 2 1 2
...     M 2 0
...     DETECTOR(0, 0, 0, 1) rec[-2]
...     OBSERVABLE_INCLUDE(0) rec[-1]''')
>>> e = estimate(c, method="enumerate", max_weight=4)
>>> e.method, e.ler_low <= e.ler <= e.ler_high
('enumerate', True)
"""

from __future__ import annotations

import collections
import dataclasses
import hashlib
import json
import math
import time
from typing import Any

import numpy as np
import sinter
import stim

from ftq.errors import InputError

METHODS = ("enumerate", "importance", "brute")
Z95 = 1.959963984540054


class _Details:
    """JSON of a details record: its fields in order, optional ones (listed in ``_OPTIONAL``) only when set."""

    _OPTIONAL: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            f.name: getattr(self, f.name)
            for f in dataclasses.fields(self)
            if f.name not in self._OPTIONAL or getattr(self, f.name) is not None
        }


@dataclasses.dataclass(frozen=True)
class BruteDetails(_Details):
    """Plain sampling: shots, logical errors among kept shots, discarded and kept shots."""

    shots: int
    errors: int
    discards: int
    kept_shots: int


@dataclasses.dataclass(frozen=True)
class EnumerationDetails(_Details):
    """Exact enumeration up to ``max_weight`` faults; the ``tail`` fields only with ``tail_orders`` > 0.

    ``ler_by_weight`` / ``counts_*`` are keyed by the weight as a string (JSON keys);
    ``ler_high_extrapolated`` is the estimate plus the geometric continuation of the last two orders (a
    heuristic, not a bound; None when it diverges); ``tail_by_weight`` maps a weight to (LER contribution,
    standard error).
    """

    _OPTIONAL = ("tail_by_weight", "tail_paths", "ler_with_tail", "ler_with_tail_low", "ler_with_tail_high")

    max_weight: int
    fault_distance: int | None
    ler_by_weight: dict[str, float]
    counts_logical: dict[str, int]
    counts_benign: dict[str, int]
    truncation_bound: float
    ler_high_extrapolated: float | None
    num_mechanisms: int
    search_nodes: int
    custom_counts: dict[str, int]
    tail_by_weight: dict[str, list[float]] | None = None
    tail_paths: int | None = None
    ler_with_tail: float | None = None
    ler_with_tail_low: float | None = None
    ler_with_tail_high: float | None = None


@dataclasses.dataclass(frozen=True)
class StratifiedDetails(_Details):
    """Importance sampling stratified by fault count (:func:`ftq.importance.stratified_sample`)."""

    scheme: str
    samples: int
    samples_by_fault_count: dict[str, int]
    hits_by_fault_count: dict[str, Any]
    k_max: int
    unsampled_tail_probability: float
    effective_sample_size: float
    custom_counts: dict[str, Any]


@dataclasses.dataclass(frozen=True)
class ScaledDetails(_Details):
    """Importance sampling with scaled noise and likelihood-ratio weights (:func:`ftq.importance.importance_sample`)."""

    scheme: str
    shots: int
    scale: float
    hits: int
    kept_shots: int
    effective_sample_size: float


@dataclasses.dataclass(frozen=True)
class Estimate:
    """A logical error rate among kept shots with a 95% interval, the method, and its CPU cost.

    ``details`` holds the method's own facts as a typed record (weight-resolved sums, effective sample size,
    shots …), or None.
    """

    ler: float
    ler_low: float
    ler_high: float
    method: str
    cpu_seconds: float
    kept_fraction: float | None = None
    details: BruteDetails | EnumerationDetails | StratifiedDetails | ScaledDetails | None = None

    @property
    def relative_error(self) -> float:
        """Half width of the interval over the estimate (inf when the estimate is 0)."""
        if not self.ler > 0:
            return math.inf
        return (self.ler_high - self.ler_low) / (2 * self.ler)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict: the common keys first, then the details.

        >>> Estimate(1e-6, 5e-7, 2e-6, "brute", 1.0).to_json()["method"]
        'brute'
        """
        out: dict[str, Any] = {
            "ler": _finite(self.ler),
            "ler_low": _finite(self.ler_low),
            "ler_high": _finite(self.ler_high),
            "method": self.method,
            "cpu_seconds": round(self.cpu_seconds, 3),
            "relative_error": _finite(self.relative_error),
            "kept_fraction": self.kept_fraction,
        }
        if self.details is not None:
            out.update(self.details.to_json())
        return out

    def to_task_stats(self, *, json_metadata: dict[str, Any] | None = None) -> sinter.TaskStats:
        """A sinter row. Brute force writes its real counts; the other methods write *equivalent* counts.

        Equivalent counts: the kept shots and errors of a binomial experiment with the same estimate and the
        same relative interval half width (``errors = (1.96 / rel_error)²``), so `sinter plot` draws the
        point with about the right error bar. ``json_metadata["counts"]`` says which kind the row holds, and
        the exact estimate and interval are in ``json_metadata`` too.

        >>> row = Estimate(1e-6, 0.8e-6, 1.2e-6, "enumerate", 2.0).to_task_stats(json_metadata={"d": 3})
        >>> row.errors, row.json_metadata["counts"]
        (96, 'equivalent')
        """
        meta = dict(json_metadata or {})
        meta.update(
            method=self.method,
            ler=_finite(self.ler),
            ler_low=_finite(self.ler_low),
            ler_high=_finite(self.ler_high),
            cpu_seconds=round(self.cpu_seconds, 3),
        )
        custom = {k: int(v) for k, v in getattr(self.details, "custom_counts", {}).items()}
        if self.method == "brute":
            shots, errors, discards = self.details.shots, self.details.errors, self.details.discards
            meta["counts"] = "sampled"
        else:
            rel = self.relative_error
            if self.ler > 0 and 0 < rel < math.inf:
                errors = max(1, round((Z95 / rel) ** 2))
                kept = max(errors, round(errors / self.ler))
            else:
                errors, kept = 0, 1
            shots, discards = kept, 0
            meta["counts"] = "equivalent"
        strong = json.dumps(meta, sort_keys=True)
        return sinter.TaskStats(
            strong_id=hashlib.sha256(strong.encode()).hexdigest(),
            decoder=f"ftq-{self.method}",
            json_metadata=meta,
            shots=int(shots),
            errors=int(errors),
            discards=int(discards),
            seconds=float(self.cpu_seconds),
            custom_counts=collections.Counter(custom),
        )


def _finite(x: float) -> float | None:
    return float(x) if x is not None and math.isfinite(x) else None


def scale_noise(circuit: stim.Circuit, factor: float) -> stim.Circuit:
    """The circuit with every noise-channel argument multiplied by ``factor`` (REPEAT blocks included).

    Noise channels are stim's noisy gates (``DEPOLARIZE1``, ``X_ERROR``, ``PAULI_CHANNEL_2``, noisy
    measurements ``M(p)`` …); gates without arguments are left alone. A scaled probability outside stim's valid
    range is an :class:`InputError`.

    >>> print(scale_noise(stim.Circuit("DEPOLARIZE1(0.001) 0\\nM(0.002) 0"), 3))
    DEPOLARIZE1(0.003) 0
    M(0.006) 0
    """
    if not 0 <= factor < math.inf:
        raise InputError(f"noise scale factor {factor} must be a finite non-negative number")
    limit = max_noise_scale(circuit)
    if factor > limit:
        raise InputError(
            f"noise scale factor {factor:g} is outside the valid range [0, {limit:.4g}] for this circuit "
            "(beyond it its noisiest channel is no longer a valid probability)"
        )
    out = stim.Circuit()
    for inst in circuit:
        if isinstance(inst, stim.CircuitRepeatBlock):
            out.append(
                stim.CircuitRepeatBlock(
                    inst.repeat_count, scale_noise(inst.body_copy(), factor), tag=inst.tag
                )
            )
            continue
        args = inst.gate_args_copy()
        if args and stim.gate_data(inst.name).is_noisy_gate:
            new = [a * factor for a in args]
            try:
                out.append(stim.CircuitInstruction(inst.name, inst.targets_copy(), new, tag=inst.tag))
            except ValueError as e:
                raise InputError(
                    f"scaling {inst.name}{tuple(args)} by {factor} gives {tuple(new)}, outside its valid range"
                ) from e
        else:
            out.append(inst)
    return out


#: Largest probability stim analyses for these channels (fully mixing); every other channel: 1.
_MAX_MIXING = {"DEPOLARIZE1": 3 / 4, "DEPOLARIZE2": 15 / 16}


def max_noise_scale(circuit: stim.Circuit) -> float:
    """The largest factor :func:`scale_noise` accepts: every scaled channel stays one stim can analyse.

    A depolarizing channel may reach full mixing (3/4, 15/16), a Pauli channel's probabilities may sum to
    1, any other noise argument may reach 1.

    >>> max_noise_scale(stim.Circuit("DEPOLARIZE2(0.001) 0 1\\nX_ERROR(0.01) 0"))
    100.0
    """
    limit = math.inf
    for inst in circuit.flattened():
        args = inst.gate_args_copy()
        if not args or not stim.gate_data(inst.name).is_noisy_gate:
            continue
        if inst.name.startswith("PAULI_CHANNEL"):
            worst, bound = sum(args), 1.0
        else:
            worst, bound = max(args), _MAX_MIXING.get(inst.name, 1.0)
        if worst > 0:
            limit = min(limit, bound / worst)
    return limit


def wilson_interval(k: int, n: int, *, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion k / n (95% by default).

    >>> lo, hi = wilson_interval(0, 1000)
    >>> lo, round(hi, 5)
    (0.0, 0.00383)
    """
    if n <= 0:
        return 0.0, 1.0
    ph = k / n
    den = 1 + z * z / n
    centre = (ph + z * z / (2 * n)) / den
    half = z * math.sqrt(ph * (1 - ph) / n + z * z / (4 * n * n)) / den
    lo = 0.0 if k == 0 else max(0.0, centre - half)
    return lo, min(1.0, centre + half)


def brute_force(
    circuit: stim.Circuit,
    *,
    shots: int = 10_000_000,
    target_rel_error: float | None = None,
    max_seconds: float | None = None,
    batch: int = 1_000_000,
    seed: int | None = None,
) -> Estimate:
    """Plain sampling: kept = no postselected detector fired; error = kept and an observable flipped.

    Stops after ``shots``, or once the Wilson interval's half width is ≤ ``target_rel_error`` × estimate,
    or after ``max_seconds`` of CPU time.

    >>> c = stim.Circuit("X_ERROR(0.1) 0\\nM 0\\nOBSERVABLE_INCLUDE(0) rec[-1]")
    >>> e = brute_force(c, shots=10_000, seed=1)
    >>> e.ler_low < 0.1 < e.ler_high
    True
    """
    from ftq.tags import postselection_mask

    if shots < 1:
        raise InputError(f"shots {shots} must be a positive integer")
    t0 = time.process_time()
    if circuit.num_observables == 0:
        raise InputError("the circuit has no OBSERVABLE_INCLUDE; there is no logical error to estimate")
    ndet = circuit.num_detectors
    mask = postselection_mask(circuit) if ndet else np.zeros(0, dtype=bool)
    if ndet and not mask.all():
        raise InputError(
            f"the circuit has {int((~mask).sum())} decoded detectors; brute force here covers circuits whose "
            "detectors are all postselected"
        )
    sampler = circuit.compile_detector_sampler(seed=seed)
    n = kept = errors = 0
    while n < shots:
        b = min(batch, shots - n)
        det, obs = sampler.sample(b, separate_observables=True, bit_packed=True)
        ok = ~np.any(det != 0, axis=1) if ndet else np.ones(b, dtype=bool)
        kept += int(ok.sum())
        errors += int(np.any(obs[ok] != 0, axis=1).sum())
        n += b
        if target_rel_error is not None and errors >= 10:
            lo, hi = wilson_interval(errors, kept)
            if hi - lo <= 2 * target_rel_error * errors / kept:
                break
        if max_seconds is not None and time.process_time() - t0 > max_seconds:
            break
    lo, hi = wilson_interval(errors, kept)
    ler = errors / kept if kept else math.nan
    return Estimate(
        ler=ler,
        ler_low=lo,
        ler_high=hi,
        method="brute",
        cpu_seconds=time.process_time() - t0,
        kept_fraction=kept / n,
        details=BruteDetails(shots=n, errors=errors, discards=n - kept, kept_shots=kept),
    )


def enumeration_estimate(
    circuit: stim.Circuit | stim.DetectorErrorModel,
    *,
    max_weight: int = 5,
    tail_orders: int = 0,
    tail_paths: int = 2_000_000,
    seed: int = 0,
) -> Estimate:
    """Exact sum over undetected error sets of ≤ ``max_weight`` mechanisms, as an :class:`Estimate`.

    With ``tail_orders`` > 0 the next orders (weights max_weight+1 … max_weight+tail_orders) are estimated by
    :func:`ftq.enumeration.tail_estimate` with ``tail_paths`` random paths and reported in ``details`` as
    ``ler_with_tail`` with a 95% interval (``ler_with_tail_low/high``); ``ler`` stays the exact partial sum.

    ``ler_low``/``ler_high`` are rigorous: they add everything not enumerated (bounded by the probability
    that more than w mechanisms fire, plus unions of enumerated sets) to the kept and to the wrong-and-kept
    sums respectively; that bound is
    loose, so ``details`` also carries ``ler_high_extrapolated``: the estimate plus the geometric continuation
    of the last two weight orders (a heuristic, not a bound), and the contribution of every weight.

    >>> c = stim.Circuit("X_ERROR(0.01) 0 1\\nCX 0 2 1 2\\nM 2 0\\nDETECTOR(0, 0, 0, 1) rec[-2]\\n"
    ...                  "OBSERVABLE_INCLUDE(0) rec[-1]")
    >>> round(enumeration_estimate(c, max_weight=2).ler, 6)
    0.000102
    """
    from ftq.enumeration import enumerate_undetected

    t0 = time.process_time()
    res = enumerate_undetected(circuit, max_weight=max_weight)
    tail = res.unenumerated_bound
    n_sum = float(res.sum_logical.sum())
    d_sum = res.kept_sum
    ler = n_sum / d_sum
    lo = n_sum / (d_sum + tail)
    hi = min(1.0, (n_sum + tail) / d_sum)
    by_w = res.ler_by_weight()
    terms = [by_w[k] for k in range(max_weight + 1)]
    extra = math.inf
    if len(terms) >= 2 and terms[-2] > 0:
        rho = terms[-1] / terms[-2]
        extra = terms[-1] * rho / (1 - rho) if rho < 1 else math.inf
    details = EnumerationDetails(
        max_weight=max_weight,
        fault_distance=res.fault_distance,
        ler_by_weight={str(k): v for k, v in by_w.items() if v > 0},
        counts_logical={str(k): int(v) for k, v in enumerate(res.counts_logical) if v},
        counts_benign={str(k): int(v) for k, v in enumerate(res.counts_benign) if v},
        truncation_bound=res.truncation_bound,
        ler_high_extrapolated=_finite(ler + extra),
        num_mechanisms=res.num_mechanisms,
        search_nodes=res.nodes,
        custom_counts={f"logical_w{k}": int(v) for k, v in enumerate(res.counts_logical) if v},
    )
    if tail_orders > 0:
        from ftq.enumeration import tail_estimate

        t = tail_estimate(circuit, max_weight=max_weight + tail_orders, paths=tail_paths, seed=seed)
        extra_w = range(max_weight + 1, max_weight + tail_orders + 1)
        add = float(sum(t.sum_logical[k] for k in extra_w))
        se = math.sqrt(float(sum(t.se_logical[k] ** 2 for k in extra_w)))
        d_tail = d_sum + float(sum(t.sum_benign[k] + t.sum_logical[k] for k in extra_w))
        details = dataclasses.replace(
            details,
            tail_by_weight={
                str(k): [float(t.sum_logical[k]) / d_tail, float(t.se_logical[k]) / d_tail] for k in extra_w
            },
            tail_paths=tail_paths,
            ler_with_tail=(n_sum + add) / d_tail,
            ler_with_tail_low=(n_sum + max(0.0, add - Z95 * se)) / d_tail,
            ler_with_tail_high=(n_sum + add + Z95 * se) / d_tail,
        )
    return Estimate(
        ler=ler,
        ler_low=lo,
        ler_high=hi,
        method="enumerate",
        cpu_seconds=time.process_time() - t0,
        kept_fraction=res.kept_fraction,
        details=details,
    )


def importance_estimate(
    circuit: stim.Circuit | stim.DetectorErrorModel,
    *,
    scheme: str = "stratified",
    shots: int = 20_000_000,
    target_rel_error: float | None = None,
    max_seconds: float | None = None,
    scale: float | None = None,
    mean_faults: float = 3.0,
    seed: int | None = None,
) -> Estimate:
    """Importance sampling as an :class:`Estimate`: ``scheme`` = "stratified" (by fault count, default) or
    "scaled" (noise multiplied by ``scale``, exact likelihood-ratio weights); see :mod:`ftq.importance`.

    >>> c = stim.Circuit("X_ERROR(0.001) 0\\nM 0\\nOBSERVABLE_INCLUDE(0) rec[-1]")
    >>> e = importance_estimate(c, scheme="scaled", shots=50_000, scale=100, seed=3)
    >>> e.ler_low < 0.001 < e.ler_high
    True
    """
    from ftq.importance import importance_sample, stratified_sample

    if scheme == "stratified":
        s = stratified_sample(
            circuit, samples=shots, target_rel_error=target_rel_error, max_seconds=max_seconds, seed=seed
        )
        return Estimate(
            ler=s.ler,
            ler_low=s.ler_low,
            ler_high=s.ler_high,
            method="importance",
            cpu_seconds=s.cpu_seconds,
            kept_fraction=s.kept_fraction,
            details=StratifiedDetails(
                scheme="stratified",
                samples=sum(s.samples.values()),
                samples_by_fault_count={str(k): v for k, v in s.samples.items()},
                hits_by_fault_count={str(k): v for k, v in s.hits.items()},
                k_max=s.k_max,
                unsampled_tail_probability=s.tail_probability,
                effective_sample_size=s.ess,
                custom_counts={f"hits_k{k}": v for k, v in s.hits.items()},
            ),
        )
    if scheme != "scaled":
        raise InputError(f"importance scheme {scheme!r} is not one of stratified, scaled")
    r = importance_sample(
        circuit,
        shots=shots,
        target_rel_error=target_rel_error,
        max_seconds=max_seconds,
        scale=scale,
        mean_faults=mean_faults,
        seed=seed,
    )
    return Estimate(
        ler=r.ler,
        ler_low=r.ler_low,
        ler_high=r.ler_high,
        method="importance",
        cpu_seconds=r.cpu_seconds,
        kept_fraction=r.kept_fraction,
        details=ScaledDetails(
            scheme="scaled",
            shots=r.shots,
            scale=r.scale,
            hits=r.hits,
            kept_shots=r.kept_shots,
            effective_sample_size=r.ess,
        ),
    )


def _check_budget(*, shots, max_seconds, target_rel_error, tail_orders, tail_paths, seed) -> None:
    """Raise :class:`InputError` naming the first argument of :func:`estimate` outside its valid range."""
    checks = (
        ("shots", shots, shots is None or (isinstance(shots, int) and 1 <= shots < 2**63), "an integer >= 1"),
        ("max_seconds", max_seconds, max_seconds is None or 0 < max_seconds < math.inf, "a finite number > 0"),
        ("target_rel_error", target_rel_error, target_rel_error is None or 0 < target_rel_error < math.inf,
         "a finite number > 0"),
        ("tail_orders", tail_orders, isinstance(tail_orders, int) and tail_orders >= 0, "an integer >= 0"),
        ("tail_paths", tail_paths, isinstance(tail_paths, int) and tail_paths >= 1, "an integer >= 1"),
        ("seed", seed, seed is None or (isinstance(seed, int) and 0 <= seed < 2**63),
         "an integer in [0, 2**63)"),
    )  # fmt: skip
    for name, value, ok, valid in checks:
        if not ok:
            raise InputError(f"{name}={value!r} is not valid; it must be {valid}")


def estimate(
    circuit: stim.Circuit,
    *,
    method: str,
    target_rel_error: float | None = None,
    max_weight: int | None = None,
    shots: int | None = None,
    max_seconds: float | None = None,
    scheme: str = "stratified",
    tail_orders: int = 0,
    tail_paths: int = 2_000_000,
    seed: int | None = None,
) -> Estimate:
    """Estimate the postselected logical error rate of ``circuit`` with ``method`` (enumerate|importance|brute).

    >>> c = stim.Circuit("X_ERROR(0.1) 0\\nM 0\\nOBSERVABLE_INCLUDE(0) rec[-1]")
    >>> estimate(c, method="brute", shots=1000, seed=1).method
    'brute'
    """
    if method not in METHODS:
        raise InputError(f"method {method!r} is not one of {', '.join(METHODS)}")
    _check_budget(shots=shots, max_seconds=max_seconds, target_rel_error=target_rel_error,
                  tail_orders=tail_orders, tail_paths=tail_paths, seed=seed)  # fmt: skip
    if method == "enumerate":
        return enumeration_estimate(
            circuit,
            max_weight=5 if max_weight is None else max_weight,
            tail_orders=tail_orders,
            tail_paths=tail_paths,
            seed=0 if seed is None else seed,
        )
    if method == "importance":
        return importance_estimate(
            circuit,
            scheme=scheme,
            shots=shots or 10**9,
            target_rel_error=target_rel_error,
            max_seconds=max_seconds,
            seed=seed,
        )
    return brute_force(
        circuit,
        shots=shots or 10**12,
        target_rel_error=target_rel_error,
        max_seconds=max_seconds,
        seed=seed,
    )
