"""Detector tags: the meaning of every detector, carried in its coordinates.

Project circuits write detector coordinates ``(x, y, t, stage, postselected, basis)``:

* ``stage``: the number of the detector's stage in the domain's numbering (time order), -1 if unknown,
* ``postselected``: 1 if any firing of the detector discards the shot, else 0 (decoded),
* ``basis``: 0 for an X-type detector, 1 for Z-type, -1 when mixed or unknown.

The same detector also carries a stim instruction tag ``DETECTOR[<stage name>,post|decoded,<basis>]``, e.g.
``DETECTOR[check,post,X]``: the stage's name travels with the circuit, so the kit needs no list of stages
(the cultivation domain's are :class:`cultivation.stages.Stage`).

Published RP² circuits use a shorter convention: 3 coordinates ``(x, y, t)`` for decoded detectors and
4 coordinates ``(x, y, t, stage)`` for postselected ones. :func:`read_detector_tags` reads both.

Circuits in other conventions (MSC's ``(x, y, t, -1, -9)``, no coordinates at all, …) say which detectors are
postselected the way sinter does: a predicate, a Python expression in ``index``, ``coords`` and ``metadata`` (the
meaning of ``sinter collect --postselected_detectors_predicate``). :func:`apply_postselection_predicate` rewrites such
a circuit into one whose every detector carries a project tag, so every kit command reads it unchanged; without a
predicate, a detector whose coordinates are no tag is refused in one sentence naming the option.

>>> import stim
>>> c = stim.Circuit("M 0\\nDETECTOR[check,post,X](0, 0, 1, 3, 1, 0) rec[-1]\\nDETECTOR(0, 0, 1) rec[-1]")
>>> [(t.postselected, t.stage, t.stage_name) for t in read_detector_tags(c)]
[(True, 3, 'check'), (False, None, None)]
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import stim

from ftq.errors import InputError

#: How a user says which detectors are postselected when the tags do not (CLI option; sweep key in brackets).
PREDICATE_HINT = (
    "--postselected-detectors-predicate EXPR (sweep key postselected_detectors_predicate), a Python expression "
    "in index and coords as in sinter collect, e.g. 'True' to postselect every detector"
)

BASIS_CODE = {"X": 0, "Z": 1, "?": -1}
BASIS_NAME = {v: k for k, v in BASIS_CODE.items()}


@dataclasses.dataclass(frozen=True)
class DetectorTag:
    """What one detector means: where, when, in which stage (number and name), whether it discards, its basis.

    >>> tag = DetectorTag(1.5, -0.5, 3, 3, True, "X", stage_name="check")
    >>> tag.coords(), tag.instruction_tag()
    ((1.5, -0.5, 3, 3, 1, 0), 'check,post,X')
    """

    x: float
    y: float
    t: float
    stage: int | None
    postselected: bool
    basis: str
    stage_name: str | None = None

    def coords(self) -> tuple[float, ...]:
        """The coordinates a project circuit writes for this tag."""
        stage = -1 if self.stage is None else int(self.stage)
        return (self.x, self.y, self.t, stage, int(self.postselected), BASIS_CODE[self.basis])

    def instruction_tag(self) -> str:
        """The stim instruction tag, e.g. ``check,post,X``."""
        stage = self.stage_name or "unknown"
        return f"{stage},{'post' if self.postselected else 'decoded'},{self.basis}"

    @staticmethod
    def from_coords(coords: tuple[float, ...] | list[float], *, stage_name: str | None = None) -> DetectorTag:
        """Read a tag from detector coordinates (project format, or the published 3/4-coordinate one).

        ``stage_name`` is the name from the detector's instruction tag, if any (project format only).
        """
        c = list(coords)
        if len(c) >= 6:
            stage = None if c[3] < 0 else int(c[3])
            basis = BASIS_NAME.get(int(c[5]), "?")
            return DetectorTag(c[0], c[1], c[2], stage, bool(c[4]), basis, stage_name=stage_name)
        if len(c) == 4:
            return DetectorTag(c[0], c[1], c[2], None, True, "?")
        if len(c) == 3:
            return DetectorTag(c[0], c[1], c[2], None, False, "?")
        raise InputError(
            f"detector coordinates {tuple(c)} have {len(c)} entries, which is no postselection tag (3 or 4 "
            f"published entries, or 6 project ones); say which detectors are postselected with {PREDICATE_HINT}."
        )


def read_detector_tags(circuit_or_dem: stim.Circuit | stim.DetectorErrorModel) -> list[DetectorTag]:
    """The tag of every detector, in detector order. Detectors with no coordinates are an error.

    Stage names are read from a circuit's instruction tags (a detector error model carries numbers only).
    """
    coords = circuit_or_dem.get_detector_coordinates()
    n = circuit_or_dem.num_detectors
    missing = [k for k in range(n) if k not in coords or not coords[k]]
    if missing:
        raise InputError(
            f"detectors {missing[:5]} carry no coordinates, so no postselection tag; say which detectors are "
            f"postselected with {PREDICATE_HINT}."
        )
    names = _stage_names(circuit_or_dem) if isinstance(circuit_or_dem, stim.Circuit) else [None] * n
    out = []
    for k in range(n):
        try:
            out.append(DetectorTag.from_coords(coords[k], stage_name=names[k]))
        except InputError as e:
            raise InputError(f"detector {k}: {e}") from None
    return out


def _stage_names(circuit: stim.Circuit) -> list[str | None]:
    """The stage name of every detector's instruction tag ``<stage>,<post|decoded>,<basis>`` (None if absent)."""
    names: list[str | None] = []
    for inst in circuit.flattened():
        if inst.name == "DETECTOR":
            parts = inst.tag.split(",")
            ok = len(parts) == 3 and parts[1] in ("post", "decoded") and parts[0] not in ("", "unknown")
            names.append(parts[0] if ok else None)
    return names


def postselection_mask(circuit_or_dem: stim.Circuit | stim.DetectorErrorModel) -> np.ndarray:
    """Boolean array over detectors: True where a firing detector discards the shot."""
    return np.array([t.postselected for t in read_detector_tags(circuit_or_dem)], dtype=bool)


def stage_labels(circuit: stim.Circuit) -> list[str | None]:
    """The postselected stage segment of every detector (``None`` for decoded detectors), in detector order.

    A project detector's label is its stage's name (from its instruction tag); a detector without one (the
    published 4-coordinate format) is labelled by its stage number, the 4th coordinate. When a stage kind comes back after another stage (the d=5 protocols run
    an RP round and a check at d=3 and again at d=5), its second run is labelled ``round#2``, so every
    segment is one stretch of time.

    >>> import stim
    >>> c = stim.Circuit("M 0 1 2 3\\nDETECTOR[round,post,X](0,0,0,1,1,0) rec[-4]\\n"
    ...                  "DETECTOR[grow,post,X](0,0,1,5,1,0) rec[-3]\\nDETECTOR[round,post,X](0,0,2,1,1,0) rec[-2]\\n"
    ...                  "DETECTOR(0,0,3) rec[-1]")
    >>> stage_labels(c)
    ['round', 'grow', 'round#2', None]
    """
    tags = read_detector_tags(circuit)
    coords = circuit.get_detector_coordinates()
    runs: dict[str, int] = {}
    previous = None
    out: list[str | None] = []
    for k, tag in enumerate(tags):
        if not tag.postselected:
            out.append(None)
            continue
        base = tag.stage_name if tag.stage_name is not None else f"{coords[k][3]:g}"
        if base != previous:
            runs[base] = runs.get(base, 0) + 1
            previous = base
        out.append(base if runs[base] == 1 else f"{base}#{runs[base]}")
    return out


def compile_predicate(expr: str) -> Callable[[int, Any, list[float]], bool]:
    """The function ``(index, metadata, coords) -> bool`` of a sinter postselection predicate expression.

    The expression sees ``index`` (the detector's number), ``coords`` (its coordinates, a list of floats, empty
    when it has none), ``metadata`` (the task's metadata dict, empty outside a sweep) and ``math``, exactly the
    names ``sinter collect --postselected_detectors_predicate`` gives it (plus ``math``).

    >>> f = compile_predicate("len(coords) == 5 or coords[2] > 0")
    >>> f(0, {}, [1.0, 2.0, 0.0]), f(1, {}, [1.0, 2.0, 0.0, -1.0, -9.0])
    (False, True)
    """
    if not isinstance(expr, str) or not expr.strip():
        raise InputError(f"postselected-detectors predicate {expr!r} is empty; give a Python expression.")
    try:
        code = compile(
            f"lambda index, metadata, coords: ({expr})", "postselected_detectors_predicate", "eval"
        )
    except SyntaxError as e:
        raise InputError(
            f"postselected-detectors predicate {expr!r} is not a Python expression ({e.msg})."
        ) from None
    return eval(code, {"math": math})  # noqa: S307 - the user's own expression, as in sinter collect


def predicate_mask(
    circuit_or_dem: stim.Circuit | stim.DetectorErrorModel, expr: str, *, metadata: Any = None
) -> np.ndarray:
    """Boolean array over detectors: True where the predicate (sinter's meaning) says postselected.

    >>> c = stim.Circuit("M 0 1\\nDETECTOR(0, 0, 0) rec[-2]\\nDETECTOR(1, 0, 0, -1, -9) rec[-1]")
    >>> predicate_mask(c, "len(coords) == 5").tolist()
    [False, True]
    """
    f = compile_predicate(expr)
    coords = circuit_or_dem.get_detector_coordinates()
    meta = {} if metadata is None else metadata
    out = np.zeros(circuit_or_dem.num_detectors, dtype=bool)
    for k in range(circuit_or_dem.num_detectors):
        c = list(coords.get(k, []))
        try:
            out[k] = bool(f(k, meta, c))
        except Exception as e:  # the user's expression may raise anything
            raise InputError(
                f"postselected-detectors predicate {expr!r} fails on detector {k} with coords {tuple(c)} "
                f"({type(e).__name__}: {e})."
            ) from None
    return out


def apply_postselection_predicate(circuit: stim.Circuit, expr: str, *, metadata: Any = None) -> stim.Circuit:
    """The circuit (flattened) with every detector re-tagged: postselected exactly where ``expr`` is true.

    The predicate overrides whatever the tags said. A detector in project format keeps its stage and basis;
    any other keeps its first three coordinates as ``(x, y, t)`` (missing ones are 0), stage unknown, basis
    ``?`` and stage name ``predicate``. Noise, measurements and observables are unchanged, so the rewritten
    circuit has the same detector error model up to detector coordinates.

    >>> c = stim.Circuit("M 0 1\\nDETECTOR(0, 0, 0) rec[-2]\\nDETECTOR(1, 0, 0, -1, -9) rec[-1]")
    >>> [t.postselected for t in read_detector_tags(apply_postselection_predicate(c, "True"))]
    [True, True]
    """
    mask = predicate_mask(circuit, expr, metadata=metadata)
    flat = circuit.flattened()
    coords = flat.get_detector_coordinates()
    names = _stage_names(flat)
    out = stim.Circuit()
    k = 0
    for inst in flat:
        if inst.name != "DETECTOR":
            out.append(inst)
            continue
        c = list(coords.get(k, []))
        if len(c) >= 6:
            old = DetectorTag.from_coords(c, stage_name=names[k])
            tag = dataclasses.replace(old, postselected=bool(mask[k]))
        else:
            x, y, t = (c + [0.0, 0.0, 0.0])[:3]
            tag = DetectorTag(x, y, t, None, bool(mask[k]), "?", stage_name="predicate")
        out.append(
            stim.CircuitInstruction("DETECTOR", inst.targets_copy(), tag.coords(), tag=tag.instruction_tag())
        )
        k += 1
    return out
