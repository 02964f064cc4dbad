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

>>> import stim
>>> c = stim.Circuit("M 0\\nDETECTOR[check,post,X](0, 0, 1, 3, 1, 0) rec[-1]\\nDETECTOR(0, 0, 1) rec[-1]")
>>> [(t.postselected, t.stage, t.stage_name) for t in read_detector_tags(c)]
[(True, 3, 'check'), (False, None, None)]
"""

from __future__ import annotations

import dataclasses

import numpy as np
import stim

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
        raise ValueError(
            f"detector coordinates {tuple(c)} have {len(c)} entries; expected 3 or 4 (published format) "
            "or 6 (x, y, t, stage, postselected, basis)"
        )


def read_detector_tags(circuit_or_dem: stim.Circuit | stim.DetectorErrorModel) -> list[DetectorTag]:
    """The tag of every detector, in detector order. Detectors with no coordinates are an error.

    Stage names are read from a circuit's instruction tags (a detector error model carries numbers only).
    """
    coords = circuit_or_dem.get_detector_coordinates()
    n = circuit_or_dem.num_detectors
    missing = [k for k in range(n) if k not in coords or not coords[k]]
    if missing:
        raise ValueError(f"detectors {missing[:5]} carry no coordinates, so their stage cannot be read")
    names = _stage_names(circuit_or_dem) if isinstance(circuit_or_dem, stim.Circuit) else [None] * n
    return [DetectorTag.from_coords(coords[k], stage_name=names[k]) for k in range(n)]


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
