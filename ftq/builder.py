"""A small builder for stim circuits on 2-D coordinates.

Qubits are named by their position (a complex number ``x + iy``), measurements by a hashable key, so detectors and
observables are written by *name of measurement* rather than ``rec[-k]`` arithmetic. Layers are separated by TICK.

>>> import enum
>>> Stage = enum.IntEnum("Stage", {"ROUND": 1})
>>> b = CircuitBuilder()
>>> b.reset([0, 1j], basis="Z")
>>> b.tick()
>>> b.cx([(0, 1j)])
>>> b.tick()
>>> b.measure([0, 1j], basis="Z", keys=["a", "b"])
>>> b.detector(["a", "b"], pos=0.5j, t=0, stage=Stage.ROUND, postselected=True, basis="Z")
>>> c = b.finish()
>>> c.num_detectors, c.num_qubits
(1, 2)
"""

from __future__ import annotations

import enum
from collections.abc import Hashable, Iterable, Sequence

import stim

from ftq.tags import DetectorTag

NOISELESS = "noiseless"

_RESET = {"X": "RX", "Z": "R", "Y": "RY"}
_MEASURE = {"X": "MX", "Z": "M", "Y": "MY"}


def _sort_key(q: complex) -> tuple[float, float]:
    return (q.real, q.imag)


class CircuitBuilder:
    """Accumulates a stim circuit with position-named qubits and key-named measurements."""

    def __init__(self) -> None:
        self._index: dict[complex, int] = {}
        self._body = stim.Circuit()
        self._meas: dict[Hashable, int] = {}
        self._num_meas = 0
        self._layer_has_ops = False

    def copy(self) -> CircuitBuilder:
        """An independent copy (to try a construction and keep it only if it checks out)."""
        other = CircuitBuilder()
        other._index = dict(self._index)
        other._body = self._body.copy()
        other._meas = dict(self._meas)
        other._num_meas = self._num_meas
        other._layer_has_ops = self._layer_has_ops
        return other

    # -- qubits ---------------------------------------------------------------------------------------------
    def q(self, pos: complex) -> int:
        """The stim index of the qubit at ``pos``, allocating one on first use."""
        pos = complex(pos)
        if pos not in self._index:
            self._index[pos] = len(self._index)
        return self._index[pos]

    @property
    def positions(self) -> list[complex]:
        """Every qubit position used so far, in index order."""
        return list(self._index)

    # -- operations -----------------------------------------------------------------------------------------
    def append(
        self, name: str, targets: Iterable, *, arg: float | Sequence[float] | None = None, tag: str = ""
    ):
        """Append a gate on qubits given by position; pairs for two-qubit gates."""
        flat: list[int] = []
        for t in targets:
            if isinstance(t, tuple):
                flat.extend(self.q(p) for p in t)
            else:
                flat.append(self.q(t))
        if not flat:
            return
        self._body.append(stim.CircuitInstruction(name, flat, [] if arg is None else arg, tag=tag))
        self._layer_has_ops = True

    def reset(self, qubits: Iterable[complex], *, basis: str) -> None:
        """Reset qubits in the X, Y or Z basis."""
        self.append(_RESET[basis], sorted(qubits, key=_sort_key))

    def cx(self, pairs: Iterable[tuple[complex, complex]]) -> None:
        """CX gates given as (control, target) position pairs, all in the current layer."""
        pairs = list(pairs)
        used = [p for pair in pairs for p in pair]
        if len(set(used)) != len(used):
            raise ValueError(f"a qubit is used twice in one CX layer: {pairs}")
        self.append("CX", pairs)

    def measure(self, qubits: Sequence[complex], *, basis: str, keys: Sequence[Hashable]) -> None:
        """Measure qubits in a basis; each result is stored under the matching key."""
        if len(qubits) != len(keys):
            raise ValueError("measure needs one key per qubit")
        self.append(_MEASURE[basis], qubits)
        for k in keys:
            if k in self._meas:
                raise ValueError(f"measurement key {k!r} used twice")
            self._meas[k] = self._num_meas
            self._num_meas += 1

    def mpp(
        self,
        products: Sequence[dict[complex, str]],
        *,
        keys: Sequence[Hashable],
        inverted: Sequence[bool] = (),
    ):
        """Noiseless Pauli-product measurements, one per dict {position: 'X'|'Y'|'Z'}."""
        inverted = list(inverted) or [False] * len(products)
        targets: list[stim.GateTarget] = []
        for prod, inv in zip(products, inverted, strict=True):
            terms = [
                stim.target_pauli(self.q(p), b)
                for p, b in sorted(prod.items(), key=lambda kv: _sort_key(kv[0]))
            ]
            if inv:
                terms[0] = stim.target_pauli(terms[0].value, terms[0].pauli_type, invert=True)
            for j, t in enumerate(terms):
                if j:
                    targets.append(stim.target_combiner())
                targets.append(t)
        self._body.append(stim.CircuitInstruction("MPP", targets, tag=NOISELESS))
        for k in keys:
            self._meas[k] = self._num_meas
            self._num_meas += 1

    def feedforward(self, gate: str, key: Hashable, target: complex) -> None:
        """Noiseless classically controlled Pauli (``CX``/``CZ`` from a measurement record)."""
        rec = stim.target_rec(self._meas[key] - self._num_meas)
        self._body.append(stim.CircuitInstruction(gate, [rec, self.q(target)], tag=NOISELESS))

    def tick(self) -> None:
        """End the current layer (no-op if the layer is empty)."""
        if self._layer_has_ops:
            self._body.append("TICK")
            self._layer_has_ops = False

    # -- annotations ----------------------------------------------------------------------------------------
    def has(self, key: Hashable) -> bool:
        return key in self._meas

    def rec(self, keys: Iterable[Hashable]) -> list[stim.GateTarget]:
        """Record targets for measurement keys (relative to the current end of the record)."""
        return [stim.target_rec(self._meas[k] - self._num_meas) for k in keys]

    def index_of(self, key: Hashable) -> int:
        """Absolute measurement index of a key."""
        return self._meas[key]

    @property
    def num_measurements(self) -> int:
        return self._num_meas

    def detector(
        self,
        keys: Iterable[Hashable],
        *,
        pos: complex,
        t: float,
        stage: enum.IntEnum,
        postselected: bool,
        basis: str,
    ) -> None:
        """A detector on named measurements, tagged with its stage, basis and whether it postselects.

        ``stage`` is a member of the domain's stage enumeration: its value goes into the coordinates, its
        name (lower case) into the instruction tag (:mod:`ftq.tags`).
        """
        tag = DetectorTag(
            pos.real, pos.imag, t, int(stage), postselected, basis, stage_name=stage.name.lower()
        )
        self._body.append(
            stim.CircuitInstruction("DETECTOR", self.rec(keys), tag.coords(), tag=tag.instruction_tag())
        )

    def observable(self, keys: Iterable[Hashable], *, index: int = 0) -> None:
        self._body.append(stim.CircuitInstruction("OBSERVABLE_INCLUDE", self.rec(keys), [index]))

    def finish(self) -> stim.Circuit:
        """The circuit with QUBIT_COORDS for every qubit, in index order."""
        out = stim.Circuit()
        for pos, i in self._index.items():
            out.append("QUBIT_COORDS", [i], [pos.real, pos.imag])
        out += self._body
        return out
