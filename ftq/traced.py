"""Sampling with the faults recorded: which error mechanisms fired in each kept shot that a decoder got wrong.

stim's samplers return detection events, not the faults behind them (its DEM sampler can, at about a
thousand shots per second on the d=5 end-to-end circuit). Here the detector error model is sampled
directly: each mechanism fires in ``Binomial(shots, p)`` shots placed uniformly (independent mechanisms, as
the DEM assumes), detection events and observable flips are sparse GF(2) products, and postselection reads
the tags. :func:`trace_failures` returns the kept shots that a predictor decodes wrongly and that a
selection (e.g. both soft outputs above a cut) keeps, each with the mechanisms that fired.

>>> import stim
>>> c = stim.Circuit('''
...     X_ERROR(0.2) 0 1
...     M 0 1
...     DETECTOR(0, 0, 0, 1) rec[-2] rec[-1]
...     OBSERVABLE_INCLUDE(0) rec[-2]
... ''')
>>> never = lambda dets: (np.ones(len(dets), bool), np.zeros((len(dets), 1), bool), np.zeros((len(dets), 1)))
>>> r = trace_failures(c, never, shots=10_000, seed=1)
>>> 0.045 < r.kept_errors / r.kept < 0.075  # kept: none or both flipped (0.68); both flip the observable (0.04)
True
>>> sorted({tuple(f.mechanisms.tolist()) for f in r.failures})
[(0, 1)]
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np
import scipy.sparse as sp
import stim

from ftq.errors import InputError
from ftq.tags import postselection_mask


@dataclasses.dataclass(frozen=True)
class Mechanisms:
    """A circuit's DEM as arrays: probabilities, detectors (CSR rows) and observable flips per mechanism."""

    probabilities: np.ndarray
    detectors: sp.csr_matrix  # mechanisms × detectors, 0/1
    observables: sp.csr_matrix  # mechanisms × observables, 0/1

    @staticmethod
    def from_circuit(circuit: stim.Circuit) -> Mechanisms:
        """The flattened DEM (no decomposition, disjoint errors approximated as independent)."""
        dem = circuit.detector_error_model(
            decompose_errors=False, flatten_loops=True, approximate_disjoint_errors=True
        )
        probs, det_rows, det_cols, obs_rows, obs_cols = [], [], [], [], []
        for inst in dem.flattened():
            if inst.type != "error":
                continue
            i = len(probs)
            probs.append(inst.args_copy()[0])
            for t in inst.targets_copy():
                if t.is_relative_detector_id():
                    det_rows.append(i)
                    det_cols.append(t.val)
                elif t.is_logical_observable_id():
                    obs_rows.append(i)
                    obs_cols.append(t.val)
        n = len(probs)

        def matrix(rows: list[int], cols: list[int], width: int) -> sp.csr_matrix:
            m = sp.csr_matrix((np.ones(len(rows), np.int32), (rows, cols)), shape=(n, width))
            m.data %= 2  # a target listed twice cancels
            m.eliminate_zeros()
            return m

        return Mechanisms(
            np.array(probs),
            matrix(det_rows, det_cols, dem.num_detectors),
            matrix(obs_rows, obs_cols, dem.num_observables),
        )


@dataclasses.dataclass(frozen=True)
class Failure:
    """One kept shot decoded wrongly: its detection events, true observable flips, soft outputs, faults."""

    detectors: np.ndarray
    observables: np.ndarray
    soft_outputs: np.ndarray
    mechanisms: np.ndarray  # indices into the circuit's flattened DEM errors


@dataclasses.dataclass(frozen=True)
class TracedRun:
    """Attempts, kept shots and errors among them, and the failures the selection kept."""

    shots: int
    kept: int
    kept_errors: int
    failures: tuple[Failure, ...]


def _draw(rng: np.random.Generator, probabilities: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(mechanism, shot) pairs: mechanism i fires in a uniformly random set of Binomial(n, p_i) distinct shots
    (positions drawn with replacement, repeats drawn again until every set is complete)."""
    want = rng.binomial(n, probabilities)
    mech = np.zeros(0, dtype=np.int64)
    shot = np.zeros(0, dtype=np.int64)
    missing = want
    while missing.any():
        new_mech = np.repeat(np.arange(len(probabilities)), missing)
        mech = np.concatenate([mech, new_mech])
        shot = np.concatenate([shot, rng.integers(0, n, size=len(new_mech))])
        _, first = np.unique(mech * n + shot, return_index=True)
        mech, shot = mech[first], shot[first]
        missing = want - np.bincount(mech, minlength=len(probabilities))
    return mech, shot


def trace_failures(
    circuit: stim.Circuit,
    predictor: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray]],
    *,
    shots: int,
    seed: int | None = None,
    select: Callable[[np.ndarray], np.ndarray] | None = None,
    batch: int = 1 << 17,
) -> TracedRun:
    """Sample ``shots`` attempts from the circuit's DEM, decode the kept ones, return the wrong ones.

    ``predictor`` is a :class:`ftq.sampling.StagedSampler` predictor (detection events of kept shots →
    ``(keep, predictions, soft outputs)``); ``select(soft_outputs)`` picks which wrong shots to return
    (default: all).
    """
    if shots < 1:
        raise InputError(f"shots={shots} must be at least 1")
    mech = Mechanisms.from_circuit(circuit)
    post = np.flatnonzero(postselection_mask(circuit))
    rng = np.random.default_rng(seed)
    n_mech = len(mech.probabilities)
    failures: list[Failure] = []
    kept = errors = 0
    done = 0
    while done < shots:
        n = min(batch, shots - done)
        done += n
        fired, shot = _draw(rng, mech.probabilities, n)
        events = sp.csr_matrix((np.ones(len(fired), np.int32), (shot, fired)), shape=(n, n_mech))
        dets = events @ mech.detectors
        dets.data %= 2
        dets.eliminate_zeros()
        obs = (events @ mech.observables).toarray() % 2 == 1
        discarded = np.zeros(n, dtype=bool)
        discarded[dets[:, post].nonzero()[0]] = True
        rows = np.flatnonzero(~discarded)
        dense = dets[rows].toarray().astype(bool)
        keep, pred, soft = predictor(dense)
        wrong = keep & np.any(pred != obs[rows], axis=1)
        kept += int(keep.sum())
        errors += int(wrong.sum())
        chosen = wrong if select is None else wrong & np.asarray(select(soft), dtype=bool)
        for j in np.flatnonzero(chosen):
            s = rows[j]
            failures.append(
                Failure(dense[j].copy(), obs[s].copy(), np.asarray(soft[j]).copy(), events[s].indices.copy())
            )
    return TracedRun(shots=shots, kept=kept, kept_errors=errors, failures=tuple(failures))
