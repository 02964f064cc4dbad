"""Multilevel splitting (subset simulation) of rare decoder failures that carry large soft outputs.

A decoder with soft outputs (gaps) keeps a shot at the cut ``t`` when every soft output ``g_j ≥ t_j``; the rare
event behind a deep point of the front is ``A(t)`` = {no postselected detector fired, the decoder is wrong,
``floor(g_j) ≥ t_j`` for all ``j``}. Plain sampling needs ~10/P(A) attempts. Subset simulation (Au & Beck 2001)
writes P(A) as a product of conditional probabilities that are each ~``p0``, estimated in turn by Markov chains:

* the *score* of a fault configuration ``x`` (the set of detector-error-model mechanisms that fired) is
  ``Y(x) = min_j floor(g_j) / s_j`` when the shot is kept and decoded wrongly, −∞ otherwise; ``s`` is the *ray*
  (one positive weight per soft output), so that the cuts ``t = y·s`` are nested level sets of ``Y``;
* level 0 is plain sampling of the DEM (independent mechanisms, :mod:`ftq.traced`): ``P_0 = P(Y > −∞)`` is the
  fraction of attempts kept and decoded wrongly, and those shots are exact draws from the prior conditioned on
  that event (if there are fewer than ``samples`` of them, Markov chains started from them fill the level);
* level ``i + 1``: the threshold ``y_{i+1}`` is the ``1 − p0`` quantile of level ``i``'s scores; the samples at or
  above it seed Markov chains that stay in ``{Y ≥ y_{i+1}}``. A chain step refreshes every mechanism from its
  prior with probability ``rho`` (a move that is reversible for the prior) and is accepted only when the new
  configuration's score is still ``≥ y_{i+1}``, so the chains sample the prior conditioned on the level;
  ``P_{i+1} = P_i ·`` (fraction of level ``i``'s samples at or above ``y_{i+1}``).

The error mass of any cut is then ``P(A(t)) = P_i ·`` (fraction of level ``i``'s samples in ``A(t)``), ``i`` the
deepest level with ``y_i ≤ min_j t_j / s_j``; the kept mass ``P(kept at t)`` is not rare and comes from level 0's
kept shots. Every decode is one call of the predictor, so any registered decoder works.

Intervals: the estimate of one run is (up to an O(1/samples) bias) unbiased, but its chains are correlated, so
no per-run formula is trusted: :func:`front` takes ``R`` independent runs and gives a Student-t 95% interval on
their mean (sampling error between runs, chain correlation included). What it cannot see is a failure mode
that no chain reaches (e.g. a cultivation error that no detector sees: :func:`ftq.enumeration.silent_floor`
and the cultivation-only estimators cover that one exactly): validate against plain sampling where it reaches.

>>> import stim
>>> c = stim.Circuit('''
...     X_ERROR(0.1) 0 1 2
...     M 0 1 2
...     OBSERVABLE_INCLUDE(0) rec[-3]
... ''')
>>> def majority(dets):  # no detectors: a decoder that always says "no flip", gap 10 dB
...     n = len(dets)
...     return np.ones(n, bool), np.zeros((n, 1), bool), np.full(n, 10.0)
>>> r = subset_simulation(c, majority, errors=50, samples=200, seed=1)
>>> r.levels[0].threshold, 0.05 < r.levels[0].probability < 0.16
(-inf, True)
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable, Sequence

import numpy as np
import scipy.sparse as sp
import stim

from ftq.errors import InputError
from ftq.importance import clopper_pearson
from ftq.sampling import SparseEvents
from ftq.strata import Stratum, stage_mechanisms
from ftq.tags import postselection_mask
from ftq.traced import Mechanisms, _draw

Predictor = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray]]


@dataclasses.dataclass(frozen=True)
class Level:
    """One level of a run: its score threshold, ``P(Y ≥ threshold)`` per attempt (estimated), the conditional
    fraction that carried it from the previous level, the chain acceptance rate while it was filled, and the
    floored soft outputs of its samples (``samples × outputs``; ``inf`` where a shot has no competitor)."""

    threshold: float
    probability: float
    conditional: float
    acceptance: float
    soft: np.ndarray


@dataclasses.dataclass(frozen=True)
class SplittingRun:
    """One subset-simulation run: level-0 plain sampling, then the levels, with the cost.

    ``kept_soft`` / ``kept_counts``: the distinct floored soft-output rows of level 0's kept shots and how often
    each occurred (the kept mass of any cut); ``decodes``: predictor calls' shots in all.
    """

    attempts: int
    kept: int
    errors: int
    ray: tuple[float, ...]
    levels: tuple[Level, ...]
    kept_soft: np.ndarray
    kept_counts: np.ndarray
    decodes: int
    seconds: float

    def error_mass(self, cut: Sequence[float]) -> float:
        """Estimated ``P(kept, wrong, floor(g_j) ≥ cut_j ∀j)`` per attempt, from the deepest level containing it."""
        cut = _as_cut(cut, len(self.ray))
        c = min(t / s for t, s in zip(cut, self.ray, strict=True))
        level = max((lv for lv in self.levels if lv.threshold <= c), key=lambda lv: lv.threshold)
        inside = np.all(level.soft >= cut, axis=1)
        return level.probability * float(inside.mean()) if len(inside) else 0.0

    def kept_at(self, cut: Sequence[float]) -> int:
        """Number of level-0 attempts kept at ``cut`` (out of :attr:`attempts`)."""
        cut = _as_cut(cut, len(self.ray))
        return int(self.kept_counts[np.all(self.kept_soft >= cut, axis=1)].sum())

    def to_json(self) -> dict:
        """A JSON-ready dict (soft outputs as distinct rows with counts, ``"inf"`` for infinity);
        :meth:`from_json` reads it back.

        >>> r = SplittingRun(10, 5, 1, (1.0,), (Level(-math.inf, 0.1, 0.1, 1.0, np.array([[3.0], [3.0]])),),
        ...                  np.array([[3.0], [np.inf]]), np.array([4, 1]), 12, 0.5)
        >>> back = SplittingRun.from_json(r.to_json())
        >>> back.error_mass((3,)), back.kept_at((4,)), back.levels[0].soft.ravel().tolist()
        (0.1, 1, [3.0, 3.0])
        """
        return {
            "attempts": self.attempts,
            "kept": self.kept,
            "errors": self.errors,
            "ray": list(self.ray),
            "levels": [
                {
                    "threshold": _num(lv.threshold),
                    "probability": lv.probability,
                    "conditional": lv.conditional,
                    "acceptance": lv.acceptance,
                    "soft": _rows(*np.unique(lv.soft, axis=0, return_counts=True)),
                }
                for lv in self.levels
            ],
            "kept_soft": _rows(self.kept_soft, self.kept_counts),
            "decodes": self.decodes,
            "seconds": self.seconds,
        }

    @staticmethod
    def from_json(data: dict) -> SplittingRun:
        """The run :meth:`to_json` wrote."""
        levels = []
        for lv in data["levels"]:
            values, counts = _unrows(lv["soft"], len(data["ray"]))
            levels.append(
                Level(
                    float(lv["threshold"]),
                    lv["probability"],
                    lv["conditional"],
                    lv["acceptance"],
                    np.repeat(values, counts, axis=0),
                )
            )
        kept_soft, kept_counts = _unrows(data["kept_soft"], len(data["ray"]))
        return SplittingRun(
            attempts=int(data["attempts"]),
            kept=int(data["kept"]),
            errors=int(data["errors"]),
            ray=tuple(float(v) for v in data["ray"]),
            levels=tuple(levels),
            kept_soft=kept_soft,
            kept_counts=kept_counts,
            decodes=int(data["decodes"]),
            seconds=float(data["seconds"]),
        )


def _num(v: float) -> float | str:
    return v if math.isfinite(v) else ("inf" if v > 0 else "-inf")


def _rows(values: np.ndarray, counts: np.ndarray) -> list[list]:
    return [[*(_num(float(v)) for v in row), int(n)] for row, n in zip(values, counts, strict=True)]


def _unrows(rows: list[list], width: int) -> tuple[np.ndarray, np.ndarray]:
    values = np.array([[float(v) for v in row[:-1]] for row in rows], dtype=float).reshape(len(rows), width)
    return values, np.array([int(row[-1]) for row in rows], dtype=np.int64)


def _as_cut(cut: Sequence[float], width: int) -> np.ndarray:
    cut = np.atleast_1d(np.asarray(cut, dtype=float))
    if cut.shape != (width,):
        raise InputError(
            f"a cut needs {width} soft-output thresholds (one per soft output), got {cut.tolist()}"
        )
    return cut


#: The DEM arrays and postselection mask of the last circuits seen: a stratified run builds one model per
#: stratum, and a sweep one per run, all on the same circuit.
_DEMS: dict[str, tuple[Mechanisms, np.ndarray]] = {}


def _dem_of(circuit: stim.Circuit) -> tuple[Mechanisms, np.ndarray]:
    key = str(circuit)
    if key not in _DEMS:
        if len(_DEMS) >= 4:
            _DEMS.clear()
        _DEMS[key] = (Mechanisms.from_circuit(circuit), postselection_mask(circuit))
    return _DEMS[key]


class _Model:
    """The circuit's DEM as sparse matrices, and one predictor call on a batch of fault configurations."""

    def __init__(self, circuit: stim.Circuit, predictor: Predictor, stratum: Stratum | None = None) -> None:
        self.mech, self.post = _dem_of(circuit)
        self.p = self.mech.probabilities
        self.stratum = stratum
        # with a stratum, the postselected-stage faults are one of its sets; the other mechanisms are free
        self.stage = stage_mechanisms(self.mech, self.post) if stratum is not None else None
        self.free_p = self.p if self.stage is None else np.where(self.stage, 0.0, self.p)
        self.num_detectors = circuit.num_detectors
        self.predictor = predictor
        self.decodes = 0
        self.width = self._decode(sp.csr_matrix((1, self.num_detectors), dtype=np.int32))[2].shape[1]

    def prior(self, rng: np.random.Generator, n: int) -> sp.csr_matrix:
        """``n`` configurations drawn from the prior (each free mechanism fires independently with its
        probability; with a stratum, plus one of its sets drawn in proportion to its probability)."""
        mech, shot = _draw(rng, self.free_p, n)
        if self.stratum is not None and self.stratum.weight:
            sets = self.stratum.draw(rng, n)
            mech = np.concatenate([mech, sets.ravel()])
            shot = np.concatenate([shot, np.repeat(np.arange(n), sets.shape[1])])
        return _configs(shot, mech, n, len(self.p))

    def evaluate(self, x: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(kept, wrong, floored soft outputs) of each configuration (row of ``x``)."""
        n = x.shape[0]
        dets = x @ self.mech.detectors
        dets.data %= 2
        dets.eliminate_zeros()
        obs = (x @ self.mech.observables).toarray() % 2 == 1
        discarded = np.zeros(n, dtype=bool)
        if self.post.any():
            discarded[sp.csr_matrix(dets[:, np.flatnonzero(self.post)]).nonzero()[0]] = True
        rows = np.flatnonzero(~discarded)
        kept = np.zeros(n, dtype=bool)
        wrong = np.zeros(n, dtype=bool)
        soft = np.full((n, self.width), -np.inf)
        if len(rows):
            keep, pred, gaps = self._decode(sp.csr_matrix(dets[rows]))
            kept[rows] = keep
            wrong[rows] = keep & np.any(pred != obs[rows], axis=1)
            soft[rows] = gaps
        return kept, wrong, soft

    def _decode(self, dets: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        dets.sort_indices()
        if hasattr(self.predictor, "decode_events"):  # reads sparse events directly
            events = SparseEvents(
                dets.indptr.astype(np.int64), dets.indices.astype(np.int64), self.num_detectors
            )
            keep, pred, gaps = self.predictor.decode_events(events)
        else:
            keep, pred, gaps = self.predictor(dets.toarray().astype(bool))
        self.decodes += dets.shape[0]
        n = dets.shape[0]
        gaps = np.floor(np.asarray(gaps, dtype=float).reshape(n, -1))
        return np.asarray(keep, dtype=bool), np.asarray(pred, dtype=bool).reshape(n, -1), gaps


def soft_output_count(circuit: stim.Circuit, predictor: Predictor) -> int:
    """How many soft outputs ``predictor`` gives per shot of ``circuit``: the length a ray needs.

    >>> c = stim.Circuit("X_ERROR(0.1) 0\\nM 0\\nOBSERVABLE_INCLUDE(0) rec[-1]")
    >>> soft_output_count(c, lambda d: (np.ones(len(d), bool), np.zeros((len(d), 1), bool), np.zeros(len(d))))
    1
    """
    return _Model(circuit, predictor).width


def _configs(rows: np.ndarray, mechs: np.ndarray, n: int, m: int) -> sp.csr_matrix:
    x = sp.csr_matrix((np.ones(len(rows), np.int8), (rows, mechs)), shape=(n, m))
    x.sum_duplicates()
    return x


def _score(soft: np.ndarray, wrong: np.ndarray, ray: np.ndarray) -> np.ndarray:
    y = np.min(soft / ray[None, :], axis=1)
    return np.where(wrong, y, -np.inf)


def _propose(model: _Model, rng: np.random.Generator, x: sp.csr_matrix, rho: float) -> sp.csr_matrix:
    """Refresh every free mechanism of every configuration from its prior with probability ``rho``; with a
    stratum of several sets, also redraw each configuration's set with probability ``rho`` (an independent
    draw from the stratum's own distribution). Both moves are reversible for the prior."""
    n, m = x.shape
    coo = x.tocoo()
    rows, mechs = coo.row.astype(np.int64), coo.col.astype(np.int64)
    stay = rng.random(len(mechs)) >= rho * (1.0 - model.p[mechs])  # a refreshed fired mechanism stays w.p. p
    new_rows, new_mechs = [], []
    if model.stage is not None:
        in_set = model.stage[mechs]
        stay |= in_set
        if len(model.stratum.sets) > 1:
            redraw = rng.random(n) < rho
            stay &= ~(in_set & redraw[rows])
            chosen = np.flatnonzero(redraw)
            sets = model.stratum.draw(rng, len(chosen))
            new_rows.append(np.repeat(chosen, sets.shape[1]))
            new_mechs.append(sets.ravel())
    on_mech, on_row = _draw(rng, model.free_p * rho, n)
    fresh = ~np.isin(on_row * m + on_mech, rows * m + mechs)  # refreshing an unfired one fires it w.p. p
    return _configs(
        np.concatenate([rows[stay], on_row[fresh], *new_rows]),
        np.concatenate([mechs[stay], on_mech[fresh], *new_mechs]),
        n,
        m,
    )


def _fill(
    model: _Model,
    rng: np.random.Generator,
    seeds: sp.csr_matrix,
    seed_soft: np.ndarray,
    seed_score: np.ndarray,
    *,
    threshold: float,
    samples: int,
    rho: float,
    ray: np.ndarray,
) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray, float]:
    """Run one chain per seed in lockstep, conditioned on ``score ≥ threshold``, until ``samples`` states are
    collected (chain lengths as equal as possible, each seed counted as its chain's first state)."""
    k = seeds.shape[0]
    lengths = np.full(k, samples // k)
    lengths[: samples % k] += 1
    state, soft, score = seeds, seed_soft.copy(), seed_score.copy()
    out_x, out_soft, out_score = [state[lengths >= 1]], [soft[lengths >= 1]], [score[lengths >= 1]]
    accepted = proposed = 0
    for step in range(1, int(lengths.max())):
        active = np.flatnonzero(lengths > step)
        prop = _propose(model, rng, state[active], rho)
        _, wrong, psoft = model.evaluate(prop)
        pscore = _score(psoft, wrong, ray)
        ok = wrong & (pscore >= threshold)  # the level: kept, decoded wrongly, score at or above
        accepted += int(ok.sum())
        proposed += len(active)
        src = np.arange(k)
        src[active[ok]] = k + np.flatnonzero(ok)
        state = sp.vstack([state, prop]).tocsr()[src]
        soft[active[ok]] = psoft[ok]
        score[active[ok]] = pscore[ok]
        out_x.append(state[active])
        out_soft.append(soft[active])
        out_score.append(score[active])
    acceptance = accepted / proposed if proposed else 1.0
    return sp.vstack(out_x).tocsr(), np.concatenate(out_soft), np.concatenate(out_score), acceptance


def subset_simulation(
    circuit: stim.Circuit,
    predictor: Predictor,
    *,
    errors: int = 200,
    samples: int = 1000,
    p0: float = 0.1,
    ray: Sequence[float] | None = None,
    stop_score: float = math.inf,
    max_levels: int = 20,
    rho: float = 0.15,
    stratum: Stratum | None = None,
    seed: int | None = None,
    batch: int = 1 << 16,
    max_attempts: int = 10**10,
    progress: Callable[[str], None] | None = None,
) -> SplittingRun:
    """One run: plain DEM sampling until ``errors`` kept-and-wrong attempts, then splitting levels of
    ``samples`` states each (conditional fraction ``p0``) until a threshold reaches ``stop_score`` or no
    progress is possible. ``ray``: one weight per soft output (default all 1). With a ``stratum``
    (:mod:`ftq.strata`) the postselected-stage faults are one of its sets and the probabilities are
    conditional on that stratum (attempts are draws within it). See the module docstring.

    Plain sampling stops after ``max_attempts`` attempts even with fewer than ``errors`` found; the levels
    start from those found, and with none the run has only level 0, at probability 0 (a stratum that cannot
    fail estimates 0 with ``attempts`` behind it). Raises :class:`InputError` for parameters outside their
    ranges.
    """
    if errors < 1 or samples < 2 or max_attempts < 1:
        raise InputError(
            f"errors={errors} and max_attempts={max_attempts} must be ≥ 1, samples={samples} ≥ 2"
        )
    if not 0 < p0 < 1:
        raise InputError(f"p0={p0} must lie in (0, 1)")
    if not 0 < rho <= 1:
        raise InputError(f"rho={rho} must lie in (0, 1]")
    if ray is not None and (len(ray) == 0 or any(not (s > 0) for s in ray)):
        raise InputError(f"ray={list(ray)} needs positive weights, one per soft output")
    t0 = time.process_time()
    rng = np.random.default_rng(seed)
    model = _Model(circuit, predictor, stratum)
    ray_arr = np.ones(model.width) if ray is None else np.asarray(ray, dtype=float)
    if len(ray_arr) != model.width:
        raise InputError(
            f"the ray has {len(ray_arr)} weights but the decoder gives {model.width} soft outputs"
        )
    attempts = kept_n = 0
    found_x, found_soft, kept_rows = [], [], []
    while sum(x.shape[0] for x in found_x) < errors and attempts < max_attempts:
        x = model.prior(rng, min(batch, max_attempts - attempts))
        kept, wrong, soft = model.evaluate(x)
        attempts += x.shape[0]
        kept_n += int(kept.sum())
        kept_rows.append(soft[kept])
        found_x.append(x[wrong])
        found_soft.append(soft[wrong])
        if progress:
            progress(f"level 0: {sum(f.shape[0] for f in found_x)} errors in {attempts:,} attempts")
    kept_soft, kept_counts = np.unique(np.concatenate(kept_rows), axis=0, return_counts=True)
    x = sp.vstack(found_x).tocsr()
    soft = np.concatenate(found_soft)
    n_err = x.shape[0]
    prob = n_err / attempts
    score = _score(soft, np.ones(n_err, dtype=bool), ray_arr)
    acceptance = 1.0
    if 0 < n_err < samples:
        x, soft, score, acceptance = _fill(
            model, rng, x, soft, score, threshold=-np.inf, samples=samples, rho=rho, ray=ray_arr
        )
    levels = [Level(-math.inf, prob, prob, acceptance, soft)]
    while n_err and len(levels) < max_levels:
        order = np.sort(score)
        y = order[min(len(order) - 1, int(math.ceil((1 - p0) * len(order))))]
        if y <= levels[-1].threshold:  # ties at the previous threshold: move to the next value present
            above = order[order > levels[-1].threshold]
            if not len(above):
                break
            y = above[0]
        if not math.isfinite(y):
            break
        chosen = np.flatnonzero(score >= y)
        frac = len(chosen) / len(score)
        prob *= frac
        x, soft, score, acceptance = _fill(
            model,
            rng,
            x[chosen],
            soft[chosen],
            score[chosen],
            threshold=y,
            samples=samples,
            rho=rho,
            ray=ray_arr,
        )
        levels.append(Level(float(y), prob, frac, acceptance, soft))
        if progress:
            progress(f"level {len(levels) - 1}: score ≥ {y:g}, P = {prob:.3g}, acceptance {acceptance:.2f}")
        if y >= stop_score:
            break
    return SplittingRun(
        attempts=attempts,
        kept=kept_n,
        errors=n_err,
        ray=tuple(float(s) for s in ray_arr),
        levels=tuple(levels),
        kept_soft=kept_soft,
        kept_counts=kept_counts,
        decodes=model.decodes,
        seconds=time.process_time() - t0,
    )


@dataclasses.dataclass(frozen=True)
class FrontPoint:
    """The front at one cut, from ``runs`` independent runs.

    ``error_mass`` (per attempt) is the mean of the runs' estimates with a Student-t 95% interval over runs
    (sampling error only); ``kept_fraction`` pools level 0's attempts with a Clopper-Pearson 95% interval;
    For :class:`ftq.strata.StratifiedRun` runs the kept fraction is a Student-t 95% interval over the runs too.
    ``floor_mass`` (per attempt) is the mode the chains cannot reach, added from enumeration
    (:func:`ftq.enumeration.postselected_floor`): ``floor × P(kept at the cut | kept)``, with ``floor_high``
    in place of ``floor`` at the upper end. ``ler`` = (error_mass + floor_mass) / kept_fraction, its interval
    the ratio of the intervals' ends (Bonferroni: each at 97.5%, so together ≥ 95% when the runs' spread is
    normal).
    """

    cut: tuple[float, ...]
    runs: int
    error_mass: float
    error_mass_low: float
    error_mass_high: float
    kept_fraction: float
    kept_low: float
    kept_high: float
    floor_mass: float = 0.0
    floor_mass_high: float = 0.0

    @property
    def attempts_per_kept(self) -> float:
        return 1.0 / self.kept_fraction if self.kept_fraction > 0 else math.inf

    @property
    def ler(self) -> float:
        total = self.error_mass + self.floor_mass
        return total / self.kept_fraction if self.kept_fraction > 0 else math.nan

    @property
    def ler_low(self) -> float:
        total = max(0.0, self.error_mass_low) + self.floor_mass
        return total / self.kept_high if self.kept_high > 0 else math.nan

    @property
    def ler_high(self) -> float:
        total = self.error_mass_high + self.floor_mass_high
        return total / self.kept_low if self.kept_low > 0 else math.inf


def _kept_mass(run, cut: Sequence[float]) -> float:
    """``P(kept, soft ≥ cut)`` per attempt of a :class:`SplittingRun` or :class:`ftq.strata.StratifiedRun`."""
    if isinstance(run, SplittingRun):
        return run.kept_at(cut) / run.attempts
    return run.kept_mass(cut)


def soft_values(run) -> list[np.ndarray]:
    """The stored soft-output arrays of a run (level-0 kept shots and every level's samples)."""
    if isinstance(run, SplittingRun):
        return [run.kept_soft, *(lv.soft for lv in run.levels)]
    return run.soft_values()


def front(
    runs: Sequence,
    cuts: Sequence[Sequence[float]],
    *,
    floor: float = 0.0,
    floor_high: float | None = None,
) -> list[FrontPoint]:
    """The front at each cut from independent runs (see :class:`FrontPoint` for the intervals); ``floor`` /
    ``floor_high``: per-attempt probability of the unreached mode (its enumerated value and upper end).

    Raises :class:`InputError` with fewer than two runs (no spread to measure) or a floor out of order.
    """
    from scipy.stats import t as student

    if len(runs) < 2:
        raise InputError(f"{len(runs)} run(s): the interval needs at least two independent runs")
    floor_high = floor if floor_high is None else floor_high
    if not 0 <= floor <= floor_high:
        raise InputError(f"floor={floor} and floor_high={floor_high} must satisfy 0 ≤ floor ≤ floor_high")
    q = float(student.ppf(1 - 0.025 / 2, len(runs) - 1))
    pooled = all(isinstance(r, SplittingRun) for r in runs)  # plain runs: kept counts out of attempts
    attempts = sum(r.attempts for r in runs) if pooled else 0
    lowest = [-math.inf] * len(runs[0].ray)
    kept_all = [_kept_mass(r, lowest) for r in runs]
    out = []
    for cut in cuts:
        masses = np.array([r.error_mass(cut) for r in runs])
        mean = float(masses.mean())
        half = q * float(masses.std(ddof=1)) / math.sqrt(len(runs))
        kept = np.array([_kept_mass(r, cut) for r in runs])
        if pooled:
            n_kept = sum(r.kept_at(cut) for r in runs)
            kf = n_kept / attempts
            lo, hi = clopper_pearson(n_kept, attempts, level=0.975)
        else:
            kf = float(kept.mean())
            k_half = q * float(kept.std(ddof=1)) / math.sqrt(len(runs))
            lo, hi = max(0.0, kf - k_half), kf + k_half
        if pooled:  # the floor's share of the kept shots that the cut keeps
            share = sum(r.kept_at(cut) for r in runs) / max(1, sum(r.kept for r in runs))
        else:
            share = float(np.mean(kept / np.maximum(kept_all, 1e-300)))
        out.append(
            FrontPoint(
                cut=tuple(float(c) for c in cut),
                runs=len(runs),
                error_mass=mean,
                error_mass_low=mean - half,
                error_mass_high=mean + half,
                kept_fraction=kf,
                kept_low=lo,
                kept_high=hi,
                floor_mass=floor * share,
                floor_mass_high=floor_high * share,
            )
        )
    return out
