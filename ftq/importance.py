"""Importance sampling of a postselected logical error rate, with exact likelihood-ratio weights.

The circuit's detector error model (every mechanism i fires independently with probability p_i) is sampled
with inflated probabilities ``q_i = α·p_i``; stim's DEM sampler returns which mechanisms fired in each shot,
so each shot's likelihood ratio ``w = Π p_i^x_i (1-p_i)^(1-x_i) / Π q_i^x_i (1-q_i)^(1-x_i)`` is exact.
Both ``P(kept)`` and ``P(kept and wrong)`` are estimated as weighted means, and the logical error rate is
their ratio; the confidence interval comes from the delta method on the ratio (with fewer than 10 logical
errors seen, its upper end is at least a rigorous bound: the largest weight a faulty shot can carry times the
exact upper bound on the hit fraction), and the effective sample size ``(Σ w·f)² / Σ (w·f)²`` of the wrong-and-kept shots says how many shots the estimate is worth.

Scaling helps when the rare event is "few faults in the right places": choosing α so that the expected
number of faults is about the fault distance makes logical errors common while the weights stay moderate.
It does not help when logical errors are rare even among shots with that many faults (published d=5
cultivation: use :mod:`ftq.enumeration` there).

>>> import stim
>>> c = stim.Circuit('''
...     X_ERROR(0.01) 0 1
...     CX 0 2 1 2
...     M 2 0
...     DETECTOR(0, 0, 0, 1) rec[-2]
...     OBSERVABLE_INCLUDE(0) rec[-1]''')
>>> res = importance_sample(c, shots=20_000, seed=1)
>>> res.ler_low < 0.0001 / 0.9802 < res.ler_high
True
"""

from __future__ import annotations

import dataclasses
import math
import time

import numpy as np
import stim

from ftq.enumeration import postselected_dem
from ftq.errors import InputError
from ftq.tags import postselection_mask

Z95 = 1.959963984540054


@dataclasses.dataclass(frozen=True)
class ImportanceResult:
    """Weighted estimates from importance sampling (95% delta-method interval)."""

    ler: float
    ler_low: float
    ler_high: float
    kept_fraction: float
    scale: float
    shots: int
    hits: int
    kept_shots: int
    ess: float
    cpu_seconds: float


def _scaled_dem(
    dem: stim.DetectorErrorModel, scale: float
) -> tuple[stim.DetectorErrorModel, np.ndarray, np.ndarray]:
    """The flattened DEM with every error probability multiplied by ``scale``; also p and q per error."""
    out = stim.DetectorErrorModel()
    ps: list[float] = []
    qs: list[float] = []
    for inst in dem.flattened():
        if inst.type == "error":
            p = float(inst.args_copy()[0])
            q = min(p * scale, 0.5) if p > 0 else 0.0
            ps.append(p)
            qs.append(q)
            out.append("error", q, inst.targets_copy())
        else:
            out.append(inst)
    return out, np.array(ps), np.array(qs)


def importance_sample(
    circuit: stim.Circuit | stim.DetectorErrorModel,
    *,
    shots: int = 1_000_000,
    scale: float | None = None,
    mean_faults: float = 3.0,
    target_rel_error: float | None = None,
    max_seconds: float | None = None,
    batch: int = 200_000,
    seed: int | None = None,
) -> ImportanceResult:
    """Estimate P(observable flipped | no postselected detector fired) by reweighted sampling.

    ``scale`` multiplies every error probability; by default it is chosen so the expected number of faults
    is ``mean_faults`` (never below 1). Sampling stops after ``shots`` shots, or earlier once the interval's
    half width is at most ``target_rel_error`` × estimate (with at least 10 wrong-and-kept shots), or when
    ``max_seconds`` of CPU time are spent.

    >>> c = stim.Circuit("X_ERROR(0.001) 0\\nM 0\\nOBSERVABLE_INCLUDE(0) rec[-1]")
    >>> r = importance_sample(c, shots=100_000, scale=100, seed=2)
    >>> abs(r.ler - 0.001) < 0.0002
    True
    """
    if shots < 1:
        raise InputError(f"shots {shots} must be a positive integer")
    if scale is not None and not scale > 0:
        raise InputError(f"scale {scale} must be positive")
    if target_rel_error is not None and not 0 < target_rel_error < 1:
        raise InputError(f"target relative error {target_rel_error} is outside (0, 1)")
    t0 = time.process_time()
    dem = postselected_dem(circuit)
    mask = postselection_mask(dem) if dem.num_detectors else np.zeros(0, dtype=bool)
    p_all = np.array([float(i.args_copy()[0]) for i in dem.flattened() if i.type == "error"])
    if scale is None:
        scale = max(1.0, mean_faults / max(float(p_all.sum()), 1e-300))
    sdem, p, q = _scaled_dem(dem, scale)
    live = q > 0
    # log w = const + Σ x_i a_i  (x_i = 1 when mechanism i fired)
    a = np.zeros_like(p)
    a[live] = np.log(p[live] / q[live]) - np.log1p(-p[live]) + np.log1p(-q[live])
    const = float(np.sum(np.log1p(-p[live]) - np.log1p(-q[live])))
    sampler = sdem.compile_sampler(seed=seed)
    n_err = len(p)
    sum_k = sum_f = 0.0
    sq_k = sq_f = cross = 0.0
    n = hits = kept_total = 0
    det_words = None
    while n < shots:
        b = min(batch, shots - n)
        det, obs, err = sampler.sample(shots=b, bit_packed=True, return_errors=True)
        if det_words is None and dem.num_detectors:
            bits = np.zeros(det.shape[1] * 8, dtype=bool)
            bits[: dem.num_detectors] = mask
            det_words = np.packbits(bits, bitorder="little")
        kept = ~np.any(det & det_words, axis=1) if dem.num_detectors else np.ones(b, dtype=bool)
        idx = np.nonzero(kept)[0]
        if len(idx):
            x = np.unpackbits(err[idx], axis=1, bitorder="little", count=n_err).astype(np.float64)
            w = np.exp(const + x @ a)
            f = np.any(obs[idx] != 0, axis=1)
            wf = w * f
            sum_k += float(w.sum())
            sq_k += float((w * w).sum())
            sum_f += float(wf.sum())
            sq_f += float((wf * wf).sum())
            cross += float((wf * w).sum())
            hits += int(f.sum())
            kept_total += len(idx)
        n += b
        if target_rel_error is not None and hits >= 10:
            r = _ratio(n, sum_f, sum_k, sq_f, sq_k, cross)
            if r[2] - r[0] <= target_rel_error * r[0]:
                break
        if max_seconds is not None and time.process_time() - t0 > max_seconds:
            break
    ler, lo, hi = (
        _ratio(n, sum_f, sum_k, sq_f, sq_k, cross)
        if sum_k > 0
        else (float("nan"), float("nan"), float("nan"))
    )
    if sum_k > 0 and hits < RESOLVED_HITS:
        # too few logical errors for the delta method: bound P(kept and wrong) by the largest weight a shot
        # with ≥ 1 fault can carry, Π(1−p)/(1−q) / min(q/p), times the exact upper bound on the hit fraction
        lr = q[live] / p[live]
        cap = math.exp(const) / float(lr.min()) if lr.size else 0.0
        hi = max(hi, min(1.0, cap * clopper_pearson(hits, n)[1] / (sum_k / n)))
    ess = sum_f**2 / sq_f if sq_f > 0 else 0.0
    return ImportanceResult(
        ler=ler,
        ler_low=lo,
        ler_high=hi,
        kept_fraction=sum_k / n,
        scale=float(scale),
        shots=n,
        hits=hits,
        kept_shots=kept_total,
        ess=ess,
        cpu_seconds=time.process_time() - t0,
    )


def _ratio(n: int, sf: float, sk: float, qf: float, qk: float, cross: float) -> tuple[float, float, float]:
    """Ratio estimate R = mean(w f) / mean(w k) with a 95% delta-method interval (lower end clipped at 0)."""
    r = sf / sk
    # sample variance of the residuals w f - R w k, per shot
    resid = (qf - 2 * r * cross + r * r * qk) / n - ((sf - r * sk) / n) ** 2
    var = max(resid, 0.0) * n / max(n - 1, 1) / n / (sk / n) ** 2
    half = Z95 * math.sqrt(var)
    return r, max(r - half, 0.0), r + half


def clopper_pearson(k: int, n: int, *, level: float = 0.95) -> tuple[float, float]:
    """Exact (Clopper–Pearson) two-sided interval for a binomial proportion k / n: it never undercovers.

    >>> lo, hi = clopper_pearson(0, 1000)
    >>> lo, round(hi, 5)
    (0.0, 0.00368)
    """
    from scipy.stats import beta

    if n <= 0:
        return 0.0, 1.0
    a = (1 - level) / 2
    lo = 0.0 if k <= 0 else float(beta.ppf(a, k, n - k + 1))
    hi = 1.0 if k >= n else float(beta.ppf(1 - a, k + 1, n - k))
    return lo, hi


#: A stratum's proportion is *resolved* (normal interval) from this many successes on; below, Clopper–Pearson.
RESOLVED_HITS = 10


@dataclasses.dataclass(frozen=True)
class StrataSum:
    """``Σ_k π_k x_k`` over strata from per-stratum binomial counts: estimate, 95% interval, and the parts.

    Strata with ≥ :data:`RESOLVED_HITS` successes enter with a normal interval (their variances add);
    strata with fewer enter with their exact Clopper–Pearson interval, added linearly (conservative: a stratum
    nobody resolved still widens the upper end by ``π_k`` × its exact upper bound); a stratum never drawn
    enters as ``[0, π_k]``. ``margins[k]`` is each stratum's share of the upper half width (for allocation).
    """

    est: float
    low: float
    high: float
    margins: np.ndarray


def strata_sum(pis: np.ndarray, successes: np.ndarray, draws: np.ndarray) -> StrataSum:
    """The :class:`StrataSum` of per-stratum counts (arrays indexed alike; ``pis`` are exact weights).

    >>> s = strata_sum(np.array([0.5, 0.5]), np.array([50, 0]), np.array([100, 100]))
    >>> round(s.est, 3), s.low < 0.25 < s.high, s.high > 0.25 + 0.5 * 0.03
    (0.25, True, True)
    """
    pis = np.asarray(pis, dtype=np.float64)
    est = var = up = down = 0.0
    margins = np.zeros(len(pis))
    for k, (pi, x, n) in enumerate(zip(pis, successes, draws, strict=True)):
        x, n = int(x), int(n)
        if pi <= 0:
            continue
        if n <= 0:
            up += pi
            margins[k] = pi
            continue
        f = x / n
        est += pi * f
        if x >= RESOLVED_HITS and n - x >= RESOLVED_HITS:
            v = pi * pi * f * (1 - f) / n
            var += v
            margins[k] = Z95 * math.sqrt(v)
        else:
            lo, hi = clopper_pearson(x, n)
            up += pi * (hi - f)
            down += pi * (f - lo)
            margins[k] = pi * (hi - f)
    half = Z95 * math.sqrt(var)
    est = float(est)
    return StrataSum(
        est=est, low=float(max(0.0, est - half - down)), high=float(est + half + up), margins=margins
    )


class StrataSampler:
    """Draws fault sets of a fixed size k exactly from a DEM's distribution conditioned on K = k.

    Given K = k the fired set S has probability ∝ Π_{i∈S} r_i (r = p/(1−p)): k mechanisms drawn
    independently ∝ r, rejecting draws with a repeat. Counts per stratum: valid draws ``n``, kept ``kept``
    (zero symptom), kept-and-wrong ``hits``.
    """

    def __init__(self, arr, k_max: int, *, seed: int | None = None) -> None:
        self.arr = arr
        self.rng = np.random.default_rng(seed)
        cdf = np.cumsum(arr.r / arr.r.sum())
        cdf[-1] = 1.0
        self.cdf = cdf
        self.n = np.zeros(k_max + 1, dtype=np.int64)
        self.kept = np.zeros(k_max + 1, dtype=np.int64)
        self.hits = np.zeros(k_max + 1, dtype=np.int64)

    def draw(self, k: int, b: int) -> None:
        """Draw ``b`` candidate sets of size ``k`` (fewer count: sets with a repeated mechanism are rejected)."""
        arr = self.arr
        for start in range(0, b, 200_000):
            m = min(200_000, b - start)
            idx = np.searchsorted(self.cdf, self.rng.random((m, k)), side="right")
            idx = np.minimum(idx, arr.num_mechanisms - 1)
            if k > 1:
                srt = np.sort(idx, axis=1)
                idx = idx[~np.any(srt[:, 1:] == srt[:, :-1], axis=1)]
            syn = np.bitwise_xor.reduce(arr.masks[idx], axis=1)
            ob = np.bitwise_xor.reduce(arr.obs[idx], axis=1)
            ok = ~np.any(syn != 0, axis=1)
            self.n[k] += len(idx)
            self.kept[k] += int(ok.sum())
            self.hits[k] += int((ok & (ob != 0)).sum())


@dataclasses.dataclass(frozen=True)
class StratifiedResult:
    """Fault-count-stratified estimate with a 95% interval that accounts for every stratum (see
    :func:`stratified_sample`)."""

    ler: float
    ler_low: float
    ler_high: float
    kept_fraction: float
    k_max: int
    tail_probability: float
    samples: dict[int, int]
    kept: dict[int, int]
    hits: dict[int, int]
    ess: float
    cpu_seconds: float


def stratified_sample(
    circuit: stim.Circuit | stim.DetectorErrorModel,
    *,
    samples: int = 10_000_000,
    target_rel_error: float | None = None,
    max_seconds: float | None = None,
    tail_tolerance: float = 1e-12,
    batch: int = 500_000,
    seed: int | None = None,
) -> StratifiedResult:
    """Estimate P(wrong | kept) by sampling the error set conditional on its size K, stratum by stratum.

    ``P(K = k)`` is exact (Poisson-binomial); given K = k the fired set is drawn exactly
    (:class:`StrataSampler`). Each stratum estimates ``P(kept | K=k)`` and ``P(kept and wrong | K=k)``;
    the sums over strata and their intervals are :func:`strata_sum`: a stratum with few or no logical errors
    seen contributes its exact Clopper–Pearson upper bound, so the interval never leaves out mass nobody
    sampled (with no logical error seen anywhere the upper end is still that bound, not 0). Strata
    ``k > k_max`` (``P(K > k_max) ≤ tail_tolerance``) are not sampled and their whole probability is added
    to the upper end. The LER interval is ``[A_low / B_high, A_high / B_low]`` (A = P(kept and wrong),
    B = P(kept)). After a pilot, each round's draws go to strata in proportion to their share of the half
    width. Stops at ``samples`` draws, the ``target_rel_error``, or ``max_seconds``.

    Compared with scaling the noise, no shot is wasted on background faults: a stratum-k draw is kept
    exactly when its k faults cancel, so at the fault distance logical errors are ~1/P(K = k) more common.

    >>> c = stim.Circuit("X_ERROR(0.01) 0 1\\nCX 0 2 1 2\\nM 2 0\\nDETECTOR(0, 0, 0, 1) rec[-2]\\n"
    ...                  "OBSERVABLE_INCLUDE(0) rec[-1]")
    >>> r = stratified_sample(c, samples=200_000, seed=1)
    >>> round(r.ler, 6), sorted(r.hits), r.ler_low <= 0.000102 <= r.ler_high
    (0.000102, [2], True)
    """
    from ftq.enumeration import dem_arrays, fault_count_distribution

    if samples < 1:
        raise InputError(f"samples {samples} must be a positive integer")
    if target_rel_error is not None and not 0 < target_rel_error < 1:
        raise InputError(f"target relative error {target_rel_error} is outside (0, 1)")
    t0 = time.process_time()
    arr = dem_arrays(postselected_dem(circuit))
    # strata up to k_max with P(K > k_max) below the tolerance
    k_cap = max(8, int(4 * arr.p.sum() + 40))
    dist = fault_count_distribution(arr.p, k_max=min(k_cap, arr.num_mechanisms))
    tails = 1.0 - np.cumsum(dist)
    k_max = int(np.argmax(tails <= tail_tolerance)) if np.any(tails <= tail_tolerance) else len(dist) - 1
    tail = max(0.0, float(tails[k_max]))
    pis = dist[: k_max + 1]
    st = StrataSampler(arr, k_max, seed=seed)
    strata = np.arange(1, k_max + 1)

    def summary() -> tuple[float, float, float, float, np.ndarray]:
        a = strata_sum(pis[1:], st.hits[1:], st.n[1:])
        b = strata_sum(pis[1:], st.kept[1:], st.n[1:])
        p0 = float(pis[0])
        b_est, b_low, b_high = p0 + b.est, p0 + b.low, p0 + b.high + tail
        ratio = a.est / b_est
        return ratio, a.low / b_high, min(1.0, (a.high + tail) / b_low), b_est, a.margins

    pilot = max(1000, min(batch, samples // (4 * max(1, k_max))))
    for k in strata:
        st.draw(int(k), pilot)
    while int(st.n[1:].sum()) < samples:
        ratio, lo, hi, _, margins = summary()
        if target_rel_error is not None and ratio > 0 and hi - lo <= 2 * target_rel_error * ratio:
            break
        if max_seconds is not None and time.process_time() - t0 > max_seconds:
            break
        alloc = margins / margins.sum() if margins.sum() > 0 else np.full(len(strata), 1 / len(strata))
        budget = min(batch * 4, samples - int(st.n[1:].sum()))
        drawn = 0
        for k, share in zip(strata, alloc, strict=True):
            b = int(round(budget * share))
            if b > 0:
                st.draw(int(k), b)
                drawn += b
        if drawn == 0:
            break
    ratio, lo, hi, b_est, _ = summary()
    n, hits = st.n, st.hits
    w = np.where(n > 0, pis / np.maximum(n, 1), 0.0)
    num = float(np.dot(w, hits))
    den = float(np.dot(w**2, hits))
    return StratifiedResult(
        ler=ratio,
        ler_low=lo,
        ler_high=hi,
        kept_fraction=b_est,
        k_max=k_max,
        tail_probability=tail,
        samples={int(k): int(n[k]) for k in strata},
        kept={int(k): int(st.kept[k]) for k in strata if st.kept[k]},
        hits={int(k): int(hits[k]) for k in strata if hits[k]},
        ess=num**2 / den if den > 0 else 0.0,
        cpu_seconds=time.process_time() - t0,
    )
