"""Monte Carlo sampling with postselection read from detector tags, and staged sampling.

Postselection comes only from :mod:`ftq.tags` (:func:`ftq.tags.postselection_mask`): a shot in which any
postselected detector fires is discarded. Two ways to sample:

* :func:`make_task` builds a ``sinter.Task`` whose ``postselection_mask`` is read from the tags, for sinter's
  own samplers and decoders;
* :class:`StagedCircuit` + :func:`sample_staged` simulate the circuit only up to its last postselected
  detector (stim's ``FlipSimulator``), drop every shot in which a postselected detector fired, and continue
  only the survivors through the rest of the circuit (their Pauli frames and measurement flips are carried
  over). The statistics are those of whole-circuit sampling, at a cost per kept shot close to one pass.

:class:`StagedSampler` wraps staged sampling plus a *predictor* (what to do with the kept shots' decoded
detectors) as a ``sinter.Sampler``; ``perfectionist`` (discard on any detection event, predict no flip) is
defined here, the matching ``gap`` predictor lives in :mod:`cultivation.decoding`.

Per-task ``custom_counts`` written by :class:`StagedSampler`:

* ``C<g>`` / ``E<g>``: kept shots decoded correctly / wrongly whose gap, in dB rounded down, is ``g``
  (``inf`` when the decoder has no competing logical class), so gap thresholds are chosen after sampling;
  a decoder with two soft outputs (the ``gap`` decoder: boundary gap and cross-cap gap) writes
  ``C<g1>|<g2>`` / ``E<g1>|<g2>``, a two-dimensional histogram thresholded on both;
* ``S<i>``: shots surviving the postselection of stage groups ``0..i`` (stage groups in time order, see
  :func:`stage_groups`), so the space-time volume can be computed from measured survival.

>>> import stim
>>> c = stim.Circuit('''
...     X_ERROR(0.1) 0
...     M 0
...     DETECTOR(0, 0, 0, 0, 1, 1) rec[-1]
...     X_ERROR(0.1) 0
...     M 0
...     OBSERVABLE_INCLUDE(0) rec[-1]
... ''')
>>> r = sample_staged(StagedCircuit.from_circuit(c), shots=1000, seed=1)
>>> 850 < r.kept < 950
True
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections import Counter
from collections.abc import Callable

import numba
import numpy as np
import sinter
import stim

from ftq.errors import InputError
from ftq.tags import read_detector_tags, stage_labels

#: Largest number of shots simulated at once inside one call (memory bound).
MAX_CHUNK = 1 << 15


def postselection_mask_packed(circuit: stim.Circuit) -> np.ndarray:
    """The postselection mask from the tags, bit-packed little-endian as ``sinter.Task`` expects.

    >>> import stim
    >>> c = stim.Circuit("M 0 1\\nDETECTOR(0, 0, 0, 1) rec[-1]\\nDETECTOR(0, 0, 0) rec[-2]")
    >>> postselection_mask_packed(c).tolist()
    [1]
    """
    mask = np.array([t.postselected for t in read_detector_tags(circuit)], dtype=bool)
    return np.packbits(mask, bitorder="little")


def make_task(
    circuit: stim.Circuit,
    *,
    decoder: str,
    json_metadata: dict | None = None,
    detector_error_model: stim.DetectorErrorModel | None = None,
) -> sinter.Task:
    """A ``sinter.Task`` for ``circuit`` whose postselection mask is read from the detector tags.

    >>> import stim
    >>> c = stim.Circuit("M 0\\nDETECTOR(0, 0, 0, 1) rec[-1]")
    >>> make_task(c, decoder="perfectionist", json_metadata={"p": 0.001}).postselection_mask.tolist()
    [1]
    """
    return sinter.Task(
        circuit=circuit,
        decoder=decoder,
        detector_error_model=detector_error_model,
        postselection_mask=postselection_mask_packed(circuit),
        json_metadata=json_metadata,
    )


def stage_groups(circuit: stim.Circuit) -> list[tuple[str, np.ndarray]]:
    """Postselected detectors grouped by stage segment (:func:`ftq.tags.stage_labels`), in time order.

    Returns ``(label, detector indices)`` pairs.

    >>> import stim
    >>> c = stim.Circuit("M 0 1 2\\nDETECTOR(0,0,0,1) rec[-3]\\nDETECTOR(0,0,0,0) rec[-2]\\n"
    ...                  "DETECTOR(0,0,1,1) rec[-1]")
    >>> [(label, idx.tolist()) for label, idx in stage_groups(c)]
    [('1', [0]), ('0', [1]), ('1#2', [2])]
    """
    order: list[str] = []
    members: dict[str, list[int]] = {}
    for k, label in enumerate(stage_labels(circuit)):
        if label is None:
            continue
        if label not in members:
            order.append(label)
            members[label] = []
        members[label].append(k)
    return [(label, np.array(members[label], dtype=np.int64)) for label in order]


@dataclasses.dataclass(frozen=True)
class StagedCircuit:
    """A circuit cut after the instruction that declares its last postselected detector.

    ``prefix`` holds every postselected detector; ``suffix`` only decoded ones (it may be empty).
    """

    circuit: stim.Circuit
    prefix: stim.Circuit
    suffix: stim.Circuit
    postselected: np.ndarray
    num_prefix_detectors: int
    stage_groups: tuple[tuple[str, np.ndarray], ...]

    @staticmethod
    def from_circuit(circuit: stim.Circuit) -> StagedCircuit:
        """Cut ``circuit`` (flattened) right after its last postselected detector.

        >>> import stim
        >>> c = stim.Circuit("M 0\\nDETECTOR(0,0,0,1) rec[-1]\\nM 0\\nDETECTOR(0,0,1) rec[-1]")
        >>> s = StagedCircuit.from_circuit(c)
        >>> s.num_prefix_detectors, s.suffix.num_detectors
        (1, 1)
        """
        flat = circuit.flattened()
        post = np.array([t.postselected for t in read_detector_tags(flat)], dtype=bool)
        last = int(np.flatnonzero(post)[-1]) if post.any() else -1
        prefix = stim.Circuit()
        suffix = stim.Circuit()
        seen = 0
        cut = last < 0
        for inst in flat:
            if cut:
                suffix.append(inst)
                continue
            prefix.append(inst)
            if inst.name == "DETECTOR":
                if seen == last:
                    cut = True
                seen += 1
        return StagedCircuit(
            circuit=flat,
            prefix=prefix,
            suffix=suffix,
            postselected=post,
            num_prefix_detectors=prefix.num_detectors,
            stage_groups=tuple(stage_groups(flat)),
        )


@dataclasses.dataclass
class StagedResult:
    """Outcome of :func:`sample_staged`: kept shots' detection events and observable flips, and survival.

    ``survivors[i]`` counts shots in which no postselected detector of stage groups ``0..i`` fired.
    """

    shots: int
    detectors: np.ndarray
    observables: np.ndarray
    survivors: list[int]

    @property
    def kept(self) -> int:
        """Number of shots that passed postselection."""
        return int(self.detectors.shape[0])


def _survival(dets: np.ndarray, groups: tuple[tuple[str, np.ndarray], ...]) -> tuple[list[int], np.ndarray]:
    alive = np.ones(dets.shape[1], dtype=bool)
    counts = []
    for _, idx in groups:
        alive &= ~np.any(dets[idx], axis=0)
        counts.append(int(alive.sum()))
    return counts, alive


def _unpack_columns(packed: np.ndarray, shots: int, columns: np.ndarray | None = None) -> np.ndarray:
    """Rows × shots bit-packed (little-endian, stim's layout) to bool, optionally only some shot columns."""
    if columns is not None:
        return np.ascontiguousarray(_unpack_kept(packed, columns).T)
    return np.unpackbits(packed, axis=1, count=shots, bitorder="little").view(bool)


def sample_staged(staged: StagedCircuit, *, shots: int, seed: int | None = None) -> StagedResult:
    """Sample ``shots`` shots; simulate the suffix only for shots that survive the prefix's postselection.

    Returns detection events (kept × all detectors) and observable flips (kept × observables) of the kept
    shots, with per-stage survivor counts.

    >>> import stim
    >>> c = stim.Circuit("X_ERROR(0.5) 0\\nM 0\\nDETECTOR(0,0,0,1) rec[-1]\\nM 0\\nDETECTOR(0,0,1) rec[-1]")
    >>> r = sample_staged(StagedCircuit.from_circuit(c), shots=2000, seed=3)
    >>> bool(r.detectors.any())
    False
    """
    if shots < 1:
        raise InputError(f"shots={shots} must be at least 1")
    rng = np.random.default_rng(seed)
    det_parts, obs_parts = [], []
    survivors = [0] * len(staged.stage_groups)
    remaining = shots
    nq = staged.circuit.num_qubits
    n_prefix = staged.num_prefix_detectors
    n_obs = staged.circuit.num_observables
    while remaining > 0:
        batch = min(remaining, MAX_CHUNK)
        remaining -= batch
        sim = stim.FlipSimulator(batch_size=batch, num_qubits=nq, seed=int(rng.integers(2**63)))
        sim.do(staged.prefix)
        # bit-packed along shots (a bool copy of every frame would cost more than the simulation)
        xs, zs, meas, dets_packed, obs_packed = sim.to_numpy(
            bit_packed=True,
            output_xs=True,
            output_zs=True,
            output_measure_flips=True,
            output_detector_flips=True,
            output_observable_flips=True,
        )
        dets = _unpack_columns(dets_packed, batch)
        counts, alive = _survival(dets, staged.stage_groups)
        survivors = [a + b for a, b in zip(survivors, counts, strict=True)]
        if not staged.stage_groups:
            alive = np.ones(batch, dtype=bool)
        kept = np.flatnonzero(alive)
        k = len(kept)
        if k == 0:
            continue
        obs = np.zeros((k, n_obs), dtype=bool)
        prefix_obs = _unpack_columns(obs_packed, batch, kept)
        obs[:, : prefix_obs.shape[0]] = prefix_obs.T
        if len(staged.suffix) == 0:
            det_parts.append(dets[:, kept].T)
            obs_parts.append(obs)
            continue
        sim2 = stim.FlipSimulator(
            batch_size=k, num_qubits=nq, disable_stabilizer_randomization=True, seed=int(rng.integers(2**63))
        )
        sim2.broadcast_pauli_errors(pauli="X", mask=_unpack_columns(xs, batch, kept))
        sim2.broadcast_pauli_errors(pauli="Z", mask=_unpack_columns(zs, batch, kept))
        if meas.shape[0]:
            sim2.append_measurement_flips(_unpack_columns(meas, batch, kept))
        sim2.do(staged.suffix)
        det_all = np.empty((k, n_prefix + sim2.num_detectors), dtype=bool)
        det_all[:, :n_prefix] = dets[:, kept].T
        det_all[:, n_prefix:] = sim2.get_detector_flips().T
        if sim2.num_observables:
            obs[:, : sim2.num_observables] ^= sim2.get_observable_flips().T
        det_parts.append(det_all)
        obs_parts.append(obs)
    n_det = staged.circuit.num_detectors
    detectors = np.concatenate(det_parts) if det_parts else np.zeros((0, n_det), dtype=bool)
    observables = np.concatenate(obs_parts) if obs_parts else np.zeros((0, n_obs), dtype=bool)
    return StagedResult(shots=shots, detectors=detectors, observables=observables, survivors=survivors)


@numba.njit(cache=True)
def _unpack_kept(packed: np.ndarray, kept: np.ndarray) -> np.ndarray:
    """Columns ``kept`` of a rows × shots bit-packed array (stim's little-endian layout), as shots × rows bool."""
    rows = packed.shape[0]
    n = len(kept)
    out = np.empty((n, rows), dtype=np.bool_)
    for i0 in range(0, n, 64):  # blocks of shots, so the packed rows stay in cache
        i1 = min(n, i0 + 64)
        for d in range(rows):
            row = packed[d]
            for i in range(i0, i1):
                s = kept[i]
                out[i, d] = (row[s >> 3] >> (s & 7)) & 1
    return out


@dataclasses.dataclass(frozen=True)
class SparseEvents:
    """Detection events of some shots in compressed-row form: shot ``i`` fired detectors
    ``indices[indptr[i]:indptr[i + 1]]`` (increasing), out of ``num_detectors``.

    >>> ev = SparseEvents.from_dense(np.array([[0, 1, 1], [0, 0, 0]], dtype=bool))
    >>> ev.indptr.tolist(), ev.indices.tolist(), ev.dense().astype(int).tolist()
    ([0, 2, 2], [1, 2], [[0, 1, 1], [0, 0, 0]])
    """

    indptr: np.ndarray
    indices: np.ndarray
    num_detectors: int

    @property
    def num_shots(self) -> int:
        """Number of shots (rows)."""
        return len(self.indptr) - 1

    @staticmethod
    def from_dense(detectors: np.ndarray) -> SparseEvents:
        """From a shots × detectors bool array."""
        detectors = np.asarray(detectors, dtype=bool)
        rows, cols = np.nonzero(detectors)
        indptr = np.zeros(detectors.shape[0] + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=detectors.shape[0]), out=indptr[1:])
        return SparseEvents(indptr=indptr, indices=cols.astype(np.int64), num_detectors=detectors.shape[1])

    def dense(self, rows: np.ndarray | None = None) -> np.ndarray:
        """Shots × detectors bool array of all rows, or of the rows ``rows`` (in that order)."""
        if rows is None:
            rows = np.arange(self.num_shots)
        rows = np.asarray(rows, dtype=np.int64)
        lengths = self.indptr[rows + 1] - self.indptr[rows]
        out = np.zeros((len(rows), self.num_detectors), dtype=bool)
        starts = np.repeat(self.indptr[rows], lengths)
        offsets = np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        out[np.repeat(np.arange(len(rows)), lengths), self.indices[starts + offsets]] = True
        return out

    @staticmethod
    def concatenate(parts: list[SparseEvents], num_detectors: int) -> SparseEvents:
        """The rows of ``parts``, one after another."""
        if not parts:
            return SparseEvents(np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.int64), num_detectors)
        offsets = np.cumsum([0] + [len(p.indices) for p in parts[:-1]])
        indptr = np.concatenate(
            [parts[0].indptr[:1]] + [p.indptr[1:] + o for p, o in zip(parts, offsets, strict=True)]
        )
        return SparseEvents(indptr, np.concatenate([p.indices for p in parts]), num_detectors)


#: bit position of a one-bit byte
_BIT = np.zeros(256, dtype=np.int64)
for _b in range(8):
    _BIT[1 << _b] = _b


@numba.njit(cache=True)
def _kept_events_words(
    packed: np.ndarray, alive: np.ndarray, rank: np.ndarray, rows: np.ndarray, n_kept: int
) -> tuple:
    """:func:`_kept_events` on 64-bit words (``packed`` rows × words, ``alive`` words, both uint64)."""
    counts = np.zeros(n_kept + 1, dtype=np.int64)
    nwords = packed.shape[1]
    mask = np.uint64(255)
    for sweep in range(2):  # count, then fill
        if sweep == 1:
            indptr = np.cumsum(counts)
            cursor = indptr[:-1].copy()
            indices = np.empty(indptr[-1], dtype=np.int64)
        for d in rows:
            for w in range(nwords):
                word = packed[d, w] & alive[w]
                if word == 0:  # most words: no kept shot fired this detector
                    continue
                for b in range(8):
                    v = np.int64((word >> np.uint64(8 * b)) & mask)
                    while v:
                        low = v & -v
                        r = rank[w * 64 + b * 8 + _BIT[low]]
                        if sweep == 0:
                            counts[r + 1] += 1
                        else:
                            indices[cursor[r]] = d
                            cursor[r] += 1
                        v ^= low
    return indptr, indices


def _kept_events(
    packed: np.ndarray, alive: np.ndarray, rank: np.ndarray, rows: np.ndarray, n_kept: int
) -> tuple[np.ndarray, np.ndarray]:
    """Events of the kept shots (``alive`` bit-packed, ``rank`` = index among kept) on detector ``rows`` of a
    rows × shots bit-packed array, as (indptr, indices) with increasing detector indices per shot."""
    pad = (-packed.shape[1]) % 8
    if pad:
        packed = np.pad(packed, ((0, 0), (0, pad)))
        alive = np.pad(alive, (0, pad))
    rank = np.pad(rank, (0, max(0, packed.shape[1] * 8 - len(rank))), constant_values=-1)
    words = np.ascontiguousarray(packed).view(np.uint64)
    return _kept_events_words(words, np.ascontiguousarray(alive).view(np.uint64), rank, rows, n_kept)


@dataclasses.dataclass(frozen=True)
class EventsResult:
    """Outcome of :func:`sample_events`: the kept shots' detection events (sparse), observable flips
    (kept × observables, bool) and the per-stage survivor counts, as in :class:`StagedResult`."""

    shots: int
    events: SparseEvents
    observables: np.ndarray
    survivors: list[int]

    @property
    def kept(self) -> int:
        """Number of shots that passed postselection."""
        return self.events.num_shots


def sample_events(staged: StagedCircuit, *, shots: int, seed: int | None = None) -> EventsResult:
    """Sample the whole circuit in stim's ``FlipSimulator``, postselect on bit-packed detection events and
    read only the kept shots' events, sparse: the bits that are set, never a dense shots × detectors array.

    >>> import stim
    >>> c = stim.Circuit("X_ERROR(0.5) 0\\nM 0\\nDETECTOR(0,0,0,1) rec[-1]\\nM 0\\nDETECTOR(0,0,1) rec[-1]")
    >>> r = sample_events(StagedCircuit.from_circuit(c), shots=2000, seed=3)
    >>> 900 < r.kept < 1100, len(r.events.indices)
    (True, 0)
    """
    if shots < 1:
        raise InputError(f"shots={shots} must be at least 1")
    rng = np.random.default_rng(seed)
    circuit = staged.circuit
    rows = np.flatnonzero(~staged.postselected).astype(np.int64)
    ev_parts, obs_parts = [], []
    survivors = [0] * len(staged.stage_groups)
    remaining = shots
    while remaining > 0:
        batch = min(remaining, MAX_CHUNK)
        remaining -= batch
        sim = stim.FlipSimulator(
            batch_size=batch, num_qubits=circuit.num_qubits, seed=int(rng.integers(2**63))
        )
        sim.do(circuit)
        _, _, _, dets, obs = sim.to_numpy(
            bit_packed=True, output_detector_flips=True, output_observable_flips=True
        )
        alive = np.full(dets.shape[1], 0xFF, dtype=np.uint8)
        if batch % 8:
            alive[-1] = (1 << (batch % 8)) - 1
        for i, (_, idx) in enumerate(staged.stage_groups):
            alive &= ~np.bitwise_or.reduce(dets[idx], axis=0)
            survivors[i] += int(np.unpackbits(alive, count=batch, bitorder="little").sum())
        kept = np.flatnonzero(np.unpackbits(alive, count=batch, bitorder="little"))
        rank = np.full(dets.shape[1] * 8, -1, dtype=np.int64)
        rank[kept] = np.arange(len(kept))
        indptr, indices = _kept_events(dets, alive, rank, rows, len(kept))
        ev_parts.append(SparseEvents(indptr, indices, circuit.num_detectors))
        obs_parts.append(_unpack_kept(obs, kept))
    n_obs = circuit.num_observables
    return EventsResult(
        shots=shots,
        events=SparseEvents.concatenate(ev_parts, circuit.num_detectors),
        observables=np.concatenate(obs_parts) if obs_parts else np.zeros((0, n_obs), dtype=bool),
        survivors=survivors,
    )


def sample_packed(staged: StagedCircuit, *, shots: int, seed: int | None = None) -> StagedResult:
    """:func:`sample_events` with the kept shots' detection events as a dense kept × detectors bool array.

    Same statistics as :func:`sample_staged` and :func:`sample_whole`; faster than both on the RP²
    end-to-end circuits, because only the kept shots' detection events are ever read.

    >>> import stim
    >>> c = stim.Circuit("X_ERROR(0.5) 0\\nM 0\\nDETECTOR(0,0,0,1) rec[-1]\\nM 0\\nDETECTOR(0,0,1) rec[-1]")
    >>> r = sample_packed(StagedCircuit.from_circuit(c), shots=2000, seed=3)
    >>> 900 < r.kept < 1100, bool(r.detectors[:, 0].any())
    (True, False)
    """
    r = sample_events(staged, shots=shots, seed=seed)
    return StagedResult(
        shots=r.shots, detectors=r.events.dense(), observables=r.observables, survivors=r.survivors
    )


def perfectionist_predictor(circuit: stim.Circuit) -> Callable[[np.ndarray], tuple]:
    """A predictor that discards any shot with a detection event and predicts no observable flip.

    >>> import numpy as np, stim
    >>> c = stim.Circuit("M 0\\nDETECTOR(0,0,0) rec[-1]\\nOBSERVABLE_INCLUDE(0) rec[-1]")
    >>> f = perfectionist_predictor(c)
    >>> keep, pred, gap = f(np.array([[0], [1]], dtype=bool))
    >>> keep.tolist(), pred.shape, bool(np.isinf(gap).all())
    ([True, False], (2, 1), True)
    """
    n_obs = circuit.num_observables

    def predict(detectors: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        n = detectors.shape[0]
        keep = ~np.any(detectors, axis=1)
        return keep, np.zeros((n, n_obs), dtype=bool), np.full(n, np.inf)

    return predict


def gap_key(prefix: str, *gaps_db: float) -> str:
    """The ``custom_counts`` key of a kept shot with given gap(s): ``C12`` / ``E3`` / ``Cinf`` / ``C12|55``.

    >>> gap_key("C", 12.7), gap_key("E", float("inf")), gap_key("E", 80.2, 55.9)
    ('C12', 'Einf', 'E80|55')
    """
    return prefix + "|".join("inf" if math.isinf(g) else str(int(math.floor(g))) for g in gaps_db)


class _GapCounts:
    """Gap histogram accumulated as integer codes (error flag, floored dB values; -1 for infinity) and
    written as ``custom_counts`` keys (:func:`gap_key`) once, at the end of a sampler call.

    >>> h = _GapCounts()
    >>> h.add(np.array([False, True, False]), np.array([[3.5, np.inf], [1, 2], [3.9, np.inf]]))
    >>> sorted(h.counter().items())
    [('C3|inf', 2), ('E1|2', 1)]
    """

    _SHIFT = 1 << 24

    def __init__(self) -> None:
        self.codes: Counter = Counter()
        self.width = 0

    def add(self, errors: np.ndarray, gaps: np.ndarray) -> None:
        table = np.floor(np.asarray(gaps, dtype=float))
        if table.ndim == 1:
            table = table[:, None]
        if len(table) == 0:
            return
        self.width = table.shape[1]
        codes = np.where(np.isinf(table), -1, np.minimum(table, self._SHIFT - 2)).astype(np.int64) + 1
        key = np.asarray(errors, dtype=np.int64)
        for col in range(self.width):
            key = key * self._SHIFT + codes[:, col]
        uniq, cnt = np.unique(key, return_counts=True)
        self.codes.update(dict(zip(uniq.tolist(), cnt.tolist(), strict=True)))

    def counter(self) -> Counter:
        out: Counter = Counter()
        for key, n in self.codes.items():
            values = []
            for _ in range(self.width):
                key, code = divmod(key, self._SHIFT)
                values.append(math.inf if code == 0 else float(code - 1))
            out[gap_key("E" if key else "C", *reversed(values))] += n
        return out


class StagedCompiledSampler(sinter.CompiledSampler):
    """Staged sampling + a predictor for one task; see :class:`StagedSampler`.

    It sizes its own batches (``handles_throttling``): sinter would ramp from one shot per call up to
    about a second per call, where the per-call cost of the decoder's small-syndrome tables weighs. Here
    a call takes at most :attr:`batch` shots, and the batch adapts to about :data:`TARGET_SECONDS`.
    """

    #: wall-clock seconds one call aims at when sinter hands over all remaining shots
    TARGET_SECONDS = 5.0

    def __init__(self, circuit: stim.Circuit, predictor: Callable, *, seed: int | None = None):
        self.staged = StagedCircuit.from_circuit(circuit)
        self.predictor = predictor
        self.rng = np.random.default_rng(seed)
        self.batch = MAX_CHUNK

    def handles_throttling(self) -> bool:
        """Yes: :meth:`sample` takes at most :attr:`batch` shots per call (sinter asks for all that is left)."""
        return True

    def sample(self, suggested_shots: int) -> sinter.AnonTaskStats:
        """Sample up to ``suggested_shots`` shots (at most one adaptive batch); statistics with gap counts."""
        t0 = time.monotonic()
        shots = max(1, min(int(suggested_shots), self.batch))
        counts: Counter = Counter()
        hist = _GapCounts()
        n_errors = 0
        n_kept = 0
        done = 0
        while done < shots:  # bounded memory: one chunk of detection events at a time
            batch = min(MAX_CHUNK, shots - done)
            done += batch
            r = sample_events(self.staged, shots=batch, seed=int(self.rng.integers(2**63)))
            if hasattr(self.predictor, "decode_events"):  # reads the sparse events directly
                keep, pred, gaps = self.predictor.decode_events(r.events)
            else:
                keep, pred, gaps = self.predictor(r.events.dense())
            if hasattr(self.predictor, "take_counts"):  # decoder diagnostics (e.g. parts with bounded gaps)
                counts.update(self.predictor.take_counts())
            errors = np.any(pred[keep] != r.observables[keep], axis=1)
            hist.add(errors, gaps[keep])
            for i, s in enumerate(r.survivors):
                counts[f"S{i}"] += s
            n_errors += int(errors.sum())
            n_kept += int(keep.sum())
        counts.update(hist.counter())
        elapsed = time.monotonic() - t0
        if shots == self.batch:  # a full batch: steer its size towards the target time
            scale = min(4.0, max(0.25, self.TARGET_SECONDS / max(elapsed, 1e-3)))
            self.batch = max(MAX_CHUNK // 8, int(self.batch * scale))
        return sinter.AnonTaskStats(
            shots=shots,
            errors=n_errors,
            discards=shots - n_kept,
            seconds=time.monotonic() - t0,
            custom_counts=counts,
        )


def sample_shots(compiled: sinter.CompiledSampler, shots: int) -> sinter.AnonTaskStats:
    """Exactly ``shots`` shots from a compiled sampler, calling it as often as its batches require.

    >>> import stim
    >>> c = stim.Circuit("X_ERROR(0.1) 0\\nM 0\\nDETECTOR(0, 0, 0, 1) rec[-1]\\nOBSERVABLE_INCLUDE(0) rec[-1]")
    >>> compiled = StagedSampler().compiled_sampler_for_task(make_task(c, decoder="perfectionist"))
    >>> sample_shots(compiled, 100_000).shots
    100000
    """
    total = sinter.AnonTaskStats()
    while total.shots < shots:
        total += compiled.sample(shots - total.shots)
    return total


class StagedSampler(sinter.Sampler):
    """A ``sinter.Sampler``: staged sampling with tag postselection, then a predictor on kept shots.

    ``predictor_factory(circuit)`` returns the predictor; it must be picklable (a module-level function)
    because sinter ships samplers to worker processes.

    >>> import sinter, stim
    >>> c = stim.Circuit("X_ERROR(0.2) 0\\nM 0\\nDETECTOR(0,0,0,1) rec[-1]\\nOBSERVABLE_INCLUDE(0) rec[-1]")
    >>> task = make_task(c, decoder="perfectionist")
    >>> stats = StagedSampler(perfectionist_predictor).compiled_sampler_for_task(task).sample(1000)
    >>> stats.shots, stats.errors
    (1000, 0)
    """

    def __init__(self, predictor_factory: Callable[[stim.Circuit], Callable] = perfectionist_predictor):
        self.predictor_factory = predictor_factory

    def compiled_sampler_for_task(self, task: sinter.Task) -> sinter.CompiledSampler:
        """Compile the task's circuit: cut it into stages and build the predictor."""
        circuit = task.circuit
        if circuit is None:
            circuit = stim.Circuit.from_file(task.circuit_path)
        return StagedCompiledSampler(circuit, self.predictor_factory(circuit))


@dataclasses.dataclass(frozen=True)
class DecodedSample:
    """Shots, kept shots and logical errors (before any gap cut) of one circuit under one decoder, and the cost.

    ``setup_seconds`` is the one-time cost (DEM, decoding graphs, compiled kernels, the first batch);
    ``seconds`` the CPU time of the steady-state batches that follow, in which ``steady_kept`` shots were
    kept: the throughput is stated from those two.
    """

    shots: int
    kept: int
    errors: int
    seconds: float
    setup_seconds: float = 0.0
    steady_kept: int | None = None

    @property
    def ler(self) -> float | None:
        """Logical errors per kept shot (None when nothing was kept)."""
        return self.errors / self.kept if self.kept else None

    @property
    def kept_per_second(self) -> float | None:
        """Steady-state kept shots per CPU-second (None when no shot ran after the setup batch)."""
        kept = self.kept if self.steady_kept is None else self.steady_kept
        return kept / self.seconds if self.seconds > 0 and kept else None

    def to_json(self) -> dict:
        """``shots, kept, errors, ler, seconds, setup_seconds, kept_shots_per_second`` (``ftq sample --json``)."""
        rate = self.kept_per_second
        return {"shots": self.shots, "kept": self.kept, "errors": self.errors, "ler": self.ler,
                "seconds": round(self.seconds, 3), "setup_seconds": round(self.setup_seconds, 3),
                "kept_shots_per_second": None if rate is None else round(rate, 1)}  # fmt: skip


def sample_decoded(
    circuit: stim.Circuit,
    decoder,
    *,
    shots: int,
    seed: int | None = None,
    on_shots: Callable[[int], None] | None = None,
) -> DecodedSample:
    """Sample ``shots`` shots of ``circuit`` with a registered decoder (:class:`ftq.decoders.Decoder`).

    ``on_shots(done)`` is called after each chunk of :data:`PROGRESS_CHUNK` shots (a multiple of the
    staged sampler's batch, so a seed gives the same samples with or without it).

    A staged decoder (a :class:`StagedSampler`) is seeded with ``seed``; any other sinter sampler draws its
    own randomness. Times are CPU time: building the sampler and its first batch (at most
    :data:`SETUP_SHOTS` shots) are the setup, the rest is the steady state.

    >>> import stim
    >>> from ftq.decoders import load_decoder
    >>> c = stim.Circuit("X_ERROR(0.5) 0\\nM 0\\nDETECTOR(0,0,0,1) rec[-1]\\nOBSERVABLE_INCLUDE(0) rec[-1]")
    >>> r = sample_decoded(c, load_decoder("perfectionist"), shots=10_000, seed=1)
    >>> r.shots, r.errors, 4000 < r.kept < 6000, r.kept_per_second > 0
    (10000, 0, True, True)
    """
    t0 = time.process_time()
    sampler = decoder.sampler
    if isinstance(sampler, StagedSampler):
        compiled = StagedCompiledSampler(circuit, sampler.predictor_factory(circuit), seed=seed)
    else:
        compiled = sampler.compiled_sampler_for_task(make_task(circuit, decoder=decoder.name))
    first = sample_shots(compiled, min(shots, SETUP_SHOTS))
    t1 = time.process_time()
    rest = sinter.AnonTaskStats()
    while first.shots + rest.shots < shots:
        rest += sample_shots(compiled, min(PROGRESS_CHUNK, shots - first.shots - rest.shots))
        if on_shots is not None:
            on_shots(first.shots + rest.shots)
    seconds = time.process_time() - t1
    stats = first + rest
    return DecodedSample(
        shots=stats.shots,
        kept=stats.shots - stats.discards,
        errors=stats.errors,
        seconds=seconds if rest.shots else 0.0,
        setup_seconds=t1 - t0,
        steady_kept=rest.shots - rest.discards,
    )


#: Shots of the first batch of :func:`sample_decoded`, counted as setup (compiled kernels load on first use).
SETUP_SHOTS = 2000

#: Shots between two progress reports of :func:`sample_decoded` (a multiple of :data:`MAX_CHUNK`).
PROGRESS_CHUNK = 8 * MAX_CHUNK


def perfectionist_sampler() -> StagedSampler:
    """The ``perfectionist`` decoder (registered in ``ftq.decoders``): discard on any detection event.

    >>> import stim
    >>> c = stim.Circuit("X_ERROR(0.2) 0\\nM 0\\nDETECTOR(0,0,0) rec[-1]\\nOBSERVABLE_INCLUDE(0) rec[-1]")
    >>> perfectionist_sampler().compiled_sampler_for_task(make_task(c, decoder="perfectionist")).sample(500).errors
    0
    """
    return StagedSampler(perfectionist_predictor)


def sample_whole(circuit: stim.Circuit, *, shots: int, seed: int | None = None) -> StagedResult:
    """Sample the whole circuit at once (stim's detector sampler) and apply tag postselection afterwards.

    The reference that :func:`sample_staged` must agree with.

    >>> import stim
    >>> c = stim.Circuit("X_ERROR(0.5) 0\\nM 0\\nDETECTOR(0,0,0,1) rec[-1]")
    >>> r = sample_whole(c, shots=1000, seed=2)
    >>> 400 < r.kept < 600
    True
    """
    groups = tuple(stage_groups(circuit))
    dets, obs = circuit.compile_detector_sampler(seed=seed).sample(shots, separate_observables=True)
    counts, alive = _survival(dets.T, groups)
    if not groups:
        alive = np.ones(shots, dtype=bool)
    return StagedResult(shots=shots, detectors=dets[alive], observables=obs[alive], survivors=counts)
