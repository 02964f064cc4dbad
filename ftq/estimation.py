"""Rare-event estimation of postselected logical error rates: one result type, four methods.

* ``combined`` — exact enumeration to W faults, stratified sampling above, an extrapolated tail, one 95%
  interval with each part's contribution (:func:`combined_estimate`, the CLI default);
* ``enumerate`` — exact sums over undetected error sets of ≤ w mechanisms (:mod:`ftq.enumeration`);
* ``importance`` — sampling stratified by fault count, or with inflated noise and exact likelihood-ratio
  weights (:mod:`ftq.importance`);
* ``brute`` — plain stim sampling of the circuit, for validation.

Every method returns an :class:`Estimate` (``ler``, ``ler_low``, ``ler_high``, ``method``, ``cpu_seconds``, and
typed method-specific ``details``: :class:`BruteDetails`, :class:`EnumerationDetails`,
:class:`StratifiedDetails`, :class:`ScaledDetails` or :class:`CombinedDetails`) that can be written as a sinter CSV row (:meth:`Estimate.to_task_stats`) and so shares sinter's plotting path.

No method prints an interval that leaves out probability it did not account for: what it did not resolve
widens the upper end (a rigorous bound, or for the combined tail a bound under the assumption it names).

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

METHODS = ("combined", "enumerate", "importance", "brute")
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
class Part(_Details):
    """One part of a combined estimate, in LER units (its share of P(kept and wrong), over P(kept)).

    ``weights`` names the fault counts it covers (``"0-6"``, ``"7-9"``, ``"10+"``), ``method`` how it was
    obtained, ``ler_low``/``ler_high`` its own 95% range (rigorous, sampled, or under the stated assumption).
    """

    method: str
    weights: str
    ler: float
    ler_low: float
    ler_high: float


@dataclasses.dataclass(frozen=True)
class CombinedDetails(_Details):
    """The combined estimator (:func:`combined_estimate`): exact, sampled and extrapolated parts.

    ``parts`` maps ``exact`` / ``sampled`` / ``extrapolated`` to :class:`Part` JSON; ``dominant_uncertainty``
    names the part (or ``kept`` for the denominator) with the widest range; ``strata`` maps a sampled
    fault count k to ``[P(K=k), draws, kept, logical errors]``; ``enumeration_seconds`` the CPU time of each
    enumeration depth tried while choosing ``max_weight``.
    """

    max_weight: int
    fault_distance: int | None
    ler_by_weight: dict[str, float]
    parts: dict[str, dict[str, Any]]
    dominant_uncertainty: str
    enumeration_seconds: dict[str, float]
    strata: dict[str, list[float]]
    k_max: int
    tail_probability: float
    samples: int
    custom_counts: dict[str, int]


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
    details: (
        BruteDetails | EnumerationDetails | StratifiedDetails | ScaledDetails | CombinedDetails | None
    ) = None

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


def _dem_probabilities(circuit: stim.Circuit | stim.DetectorErrorModel) -> np.ndarray:
    """Every error mechanism's probability (undecomposed DEM), as :func:`ftq.enumeration.dem_arrays` keeps them."""
    from ftq.enumeration import postselected_dem

    dem = postselected_dem(circuit)
    return np.array(
        [float(i.args_copy()[0]) for i in dem.flattened() if i.type == "error" and i.args_copy()[0] > 0]
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
    ``ler_with_tail`` with a 95% interval (``ler_with_tail_low/high``; the upper end also adds the rigorous
    bound on everything beyond those orders); ``ler`` stays the exact partial sum.

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
        # what neither the enumeration nor the paths reach: more than max_weight + tail_orders faults, and
        # unions of primitive sets; rigorous, added to the upper end so the interval omits no mass
        from ftq.enumeration import fault_count_distribution

        arr_p = _dem_probabilities(circuit)
        beyond = max(0.0, 1.0 - float(fault_count_distribution(arr_p, k_max=max_weight + tail_orders).sum()))
        beyond = beyond / math.exp(res.log_no_fault) + res.composite_logical_bound
        details = dataclasses.replace(
            details,
            tail_by_weight={
                str(k): [float(t.sum_logical[k]) / d_tail, float(t.se_logical[k]) / d_tail] for k in extra_w
            },
            tail_paths=tail_paths,
            ler_with_tail=(n_sum + add) / d_tail,
            ler_with_tail_low=(n_sum + max(0.0, add - Z95 * se)) / d_tail,
            ler_with_tail_high=min(1.0, (n_sum + add + Z95 * se + beyond) / d_tail),
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


def _geometric_tail(orders: list[float]) -> tuple[float, float, float] | None:
    """Continuation of a decaying per-weight series from its last two terms: (ratio, sum, sum at twice the ratio).

    None when the last two terms are not both positive or the ratio is ≥ 1/2 (no stated decay to lean on).
    """
    if len(orders) < 2 or not (orders[-1] > 0 and orders[-2] > 0):
        return None
    rho = orders[-1] / orders[-2]
    if rho >= 0.5:
        return None
    return rho, orders[-1] * rho / (1 - rho), orders[-1] * 2 * rho / (1 - 2 * rho)


def combined_estimate(
    circuit: stim.Circuit | stim.DetectorErrorModel,
    *,
    target_rel_error: float = 0.3,
    max_seconds: float = 600.0,
    max_weight: int | None = None,
    min_weight: int = 3,
    seed: int | None = None,
) -> Estimate:
    """Exact enumeration up to W faults, stratified sampling above, an extrapolated tail: one 95% interval.

    With A = P(kept and wrong) and B = P(kept), both split by the fault count K (``P(K = k)`` exact):

    * **exact** (k ≤ W): :func:`ftq.enumeration.enumerate_undetected`; its upper end adds the rigorous bound
      on unions of primitive sets (:attr:`~ftq.enumeration.EnumerationResult.composite_logical_bound`);
    * **sampled** (W < k, up to the first stratum with fewer than 10 logical errors seen): exact draws of
      k-fault sets (:class:`ftq.importance.StrataSampler`), a normal interval per stratum;
    * **extrapolated** (the remaining strata, and K > k_max): when the last two known orders a_{j−1}, a_j
      fall with ratio ρ < 1/2, the geometric continuation a_j ρ/(1−ρ), with upper end a_j 2ρ/(1−2ρ) —
      *assuming* the per-weight contributions keep falling at least at twice the last ratio — capped by the
      rigorous sampled bound of those strata; otherwise that rigorous bound (Clopper–Pearson per stratum,
      plus P(K > k_max)) alone. The part's ``method`` says which.

    The LER is A/B with interval [A_low / B_high, A_high / B_low]. W (unless given) grows from
    ``min_weight`` until the extrapolated part's upper end is below a quarter of the target half width,
    or the next depth would not fit in 60% of ``max_seconds``; sampling then runs until the interval's half
    width is ``target_rel_error`` × LER, the CPU budget is spent, or sampling can no longer narrow it. The
    reported sampled numbers come from a second, fresh set of draws with the allocation the first phase chose,
    so the stopping rule cannot bias them (it costs twice the sampling).

    >>> c = stim.Circuit("X_ERROR(0.01) 0 1\\nCX 0 2 1 2\\nM 2 0\\nDETECTOR(0, 0, 0, 1) rec[-2]\\n"
    ...                  "OBSERVABLE_INCLUDE(0) rec[-1]")
    >>> e = combined_estimate(c, max_weight=2, seed=1)
    >>> round(e.ler, 6), e.ler_low <= e.ler <= e.ler_high, sorted(e.details.parts)
    (0.000102, True, ['exact', 'extrapolated', 'sampled'])
    """
    from ftq.enumeration import (
        dem_arrays,
        enumerate_undetected,
        fault_count_distribution,
        postselected_dem,
    )
    from ftq.importance import RESOLVED_HITS, StrataSampler, strata_sum

    if not 0 < target_rel_error < 1:
        raise InputError(f"target relative error {target_rel_error} is outside (0, 1)")
    if not max_seconds > 0:
        raise InputError(f"CPU budget {max_seconds} s must be positive")
    t0 = time.process_time()
    dem = postselected_dem(circuit)
    arr = dem_arrays(dem)
    c0 = math.exp(float(np.log1p(-arr.p).sum()))  # P(no fault)

    # 1. exact part, choosing W
    w = max_weight if max_weight is not None else min_weight
    seconds: dict[str, float] = {}
    while True:
        t = time.process_time()
        res = enumerate_undetected(dem, max_weight=w)
        seconds[str(w)] = round(time.process_time() - t, 3)
        if max_weight is not None:
            break
        orders = [c0 * float(x) for x in res.sum_logical]
        a_exact = c0 * float(res.sum_logical.sum())
        geo = _geometric_tail(orders)
        if geo is not None and a_exact > 0 and geo[2] <= target_rel_error / 4 * a_exact:
            break
        prev = seconds.get(str(w - 1))
        growth = max(15.0, seconds[str(w)] / prev) if prev and prev > 0.5 else 15.0
        spent = time.process_time() - t0
        if w >= 12 or spent + max(seconds[str(w)], 0.05) * growth > 0.6 * max_seconds:
            break
        w += 1
    a_ex = c0 * float(res.sum_logical.sum())
    a_ex_hi = a_ex + c0 * res.composite_logical_bound
    b_ex = c0 * res.kept_sum
    b_ex_hi = b_ex + c0 * res.composite_bound

    # 2. strata above W: exact P(K = k), sampled k-fault sets
    a_scale = a_ex if a_ex > 0 else 1e-12 * b_ex
    tol = 0.01 * target_rel_error * a_scale
    k_cap = max(w + 8, int(4 * arr.p.sum() + 40))
    dist = fault_count_distribution(arr.p, k_max=min(k_cap, arr.num_mechanisms))
    tails = 1.0 - np.cumsum(dist)
    hit = np.nonzero((tails <= tol) & (np.arange(len(dist)) >= w))[0]
    k_max = int(hit[0]) if len(hit) else len(dist) - 1
    tail = max(0.0, float(tails[k_max]))
    pis = dist[: k_max + 1]
    st = StrataSampler(arr, k_max, seed=seed)
    strata = list(range(w + 1, k_max + 1))

    def summary():
        k_u = next((k for k in strata if st.hits[k] < RESOLVED_HITS), k_max + 1)
        res_k = [k for k in strata if k < k_u]
        unres_k = [k for k in strata if k >= k_u]
        samp = strata_sum(pis[res_k], st.hits[res_k], st.n[res_k])
        unres = strata_sum(pis[unres_k], st.hits[unres_k], st.n[unres_k])
        kept = strata_sum(pis[strata], st.kept[strata], st.n[strata])
        known = [c0 * float(x) for x in res.sum_logical] + [
            float(pis[k]) * int(st.hits[k]) / int(st.n[k]) for k in res_k
        ]
        rigorous_hi = unres.high + tail
        geo = _geometric_tail(known)
        last = k_u - 1
        if geo is not None:
            rho, g, g_hi = geo
            ex = Part(
                method=f"geometric continuation of orders {last - 1} and {last} (ratio {rho:.3g}); upper end "
                f"at ratio {2 * rho:.3g}, assuming the per-weight contributions keep falling at least that "
                "fast; capped by the rigorous sampled bound",
                weights=f"{k_u}+",
                ler=min(g, rigorous_hi),
                ler_low=unres.low,
                ler_high=min(g_hi, rigorous_hi),
            )
        else:
            ex = Part(
                method="rigorous bound: Clopper-Pearson upper end of each unresolved sampled stratum, plus "
                "P(K > k_max) (no decaying series to extrapolate)",
                weights=f"{k_u}+",
                ler=unres.est,
                ler_low=unres.low,
                ler_high=rigorous_hi,
            )
        a = a_ex + samp.est + ex.ler
        a_lo = a_ex + samp.low + ex.ler_low
        a_hi = a_ex_hi + samp.high + ex.ler_high
        b = b_ex + kept.est
        b_lo, b_hi = b_ex + kept.low, b_ex_hi + kept.high + tail
        ler, lo, hi = a / b, a_lo / b_hi, min(1.0, a_hi / b_lo)
        parts = {
            "exact": Part(
                method="exact enumeration of undetected sets; upper end adds the rigorous bound on unions of "
                "primitive sets",
                weights=f"0-{w}",
                ler=a_ex / b,
                ler_low=a_ex / b,
                ler_high=a_ex_hi / b,
            ),
            "sampled": Part(
                method=f"stratified sampling of k-fault sets, exact P(K=k), normal interval per stratum "
                f"(>= {RESOLVED_HITS} logical errors each)",
                weights=f"{w + 1}-{k_u - 1}" if res_k else "none",
                ler=samp.est / b,
                ler_low=samp.low / b,
                ler_high=samp.high / b,
            ),
            "extrapolated": dataclasses.replace(
                ex, ler=ex.ler / b, ler_low=ex.ler_low / b, ler_high=ex.ler_high / b
            ),
        }
        widths = {k: v.ler_high - v.ler_low for k, v in parts.items()}
        widths["kept"] = ler * ((b_hi - b_lo) / b)
        reducible = widths["sampled"] + widths["kept"] + (widths["extrapolated"] if geo is None else 0.0)
        return ler, lo, hi, parts, widths, reducible, unres.margins, samp.margins, res_k, unres_k

    pilot = 20_000
    for k in strata:
        st.draw(k, pilot)
    budget_rounds = 2_000_000
    while strata:
        ler, lo, hi, parts, widths, reducible, m_unres, m_samp, res_k, unres_k = summary()
        total = hi - lo
        if ler > 0 and total <= 2 * target_rel_error * ler:
            break
        if time.process_time() - t0 > max_seconds or reducible < 0.25 * total:
            break
        margins = np.zeros(k_max + 1)
        margins[res_k] = m_samp
        margins[unres_k] = m_unres
        m = margins[strata]
        alloc = m / m.sum() if m.sum() > 0 else np.full(len(strata), 1 / len(strata))
        for k, share in zip(strata, alloc, strict=True):
            b = int(round(budget_rounds * share))
            if b > 0:
                st.draw(k, b)
    if strata:
        # the reported numbers come from fresh draws with the allocation chosen above, so the stopping rule
        # (stop once the target is met, which favours lucky high counts) cannot bias them
        fresh = StrataSampler(arr, k_max, seed=None if seed is None else seed + 7_919)
        for k in strata:
            fresh.draw(k, int(st.n[k]))
        st = fresh
    ler, lo, hi, parts, widths, _, _, _, _, _ = summary()
    details = CombinedDetails(
        max_weight=w,
        fault_distance=res.fault_distance,
        ler_by_weight={str(k): v for k, v in res.ler_by_weight().items() if v > 0},
        parts={k: v.to_json() for k, v in parts.items()},
        dominant_uncertainty=max(widths, key=widths.get),
        enumeration_seconds=seconds,
        strata={str(k): [float(pis[k]), int(st.n[k]), int(st.kept[k]), int(st.hits[k])] for k in strata},
        k_max=k_max,
        tail_probability=tail,
        samples=int(st.n.sum()),
        custom_counts={f"hits_k{k}": int(st.hits[k]) for k in strata if st.hits[k]},
    )
    return Estimate(
        ler=ler,
        ler_low=lo,
        ler_high=hi,
        method="combined",
        cpu_seconds=time.process_time() - t0,
        kept_fraction=b_ex + float(np.dot(pis[strata], st.kept[strata] / np.maximum(st.n[strata], 1))),
        details=details,
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
    if method == "combined":
        return combined_estimate(
            circuit,
            target_rel_error=0.3 if target_rel_error is None else target_rel_error,
            max_seconds=600.0 if max_seconds is None else max_seconds,
            max_weight=max_weight,
            seed=seed,
        )
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
