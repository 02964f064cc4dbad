"""Detector tags: the meaning of every detector, carried in its coordinates.

Project circuits write detector coordinates ``(x, y, t, stage, postselected, basis)``:

* ``stage``: a :class:`Stage` value,
* ``postselected``: 1 if any firing of the detector discards the shot, else 0 (decoded),
* ``basis``: 0 for an X-type detector, 1 for Z-type, -1 when mixed or unknown.

The same detector also carries a stim instruction tag such as ``DETECTOR[check,post,X]``.

Published RP² circuits use a shorter convention: 3 coordinates ``(x, y, t)`` for decoded detectors and
4 coordinates ``(x, y, t, stage)`` for postselected ones. :func:`read_detector_tags` reads both.

>>> import stim
>>> c = stim.Circuit("M 0\\nDETECTOR(0, 0, 1, 3, 1, 0) rec[-1]\\nDETECTOR(0, 0, 1) rec[-1]")
>>> [t.postselected for t in read_detector_tags(c)]
[True, False]
"""

from __future__ import annotations

import dataclasses
import enum

import numpy as np
import stim


class Stage(enum.IntEnum):
    """Protocol stages, in time order. The integer is what detector coordinates store."""

    INJECTION = 0
    ROUND = 1
    MORPH = 2
    CHECK = 3
    FLAG = 4
    GROW = 5
    EXPAND = 6
    SURFACE = 7
    READOUT = 8


BASIS_CODE = {"X": 0, "Z": 1, "?": -1}
BASIS_NAME = {v: k for k, v in BASIS_CODE.items()}


@dataclasses.dataclass(frozen=True)
class DetectorTag:
    """What one detector means: where, when, in which stage, whether it discards, its basis."""

    x: float
    y: float
    t: float
    stage: Stage | None
    postselected: bool
    basis: str

    def coords(self) -> tuple[float, ...]:
        """The coordinates a project circuit writes for this tag."""
        stage = -1 if self.stage is None else int(self.stage)
        return (self.x, self.y, self.t, stage, int(self.postselected), BASIS_CODE[self.basis])

    def instruction_tag(self) -> str:
        """The stim instruction tag, e.g. ``check,post,X``."""
        stage = "unknown" if self.stage is None else self.stage.name.lower()
        return f"{stage},{'post' if self.postselected else 'decoded'},{self.basis}"

    @staticmethod
    def from_coords(coords: tuple[float, ...] | list[float]) -> DetectorTag:
        """Read a tag from detector coordinates (project format, or the published 3/4-coordinate one)."""
        c = list(coords)
        if len(c) >= 6:
            stage = None if c[3] < 0 else Stage(int(c[3]))
            return DetectorTag(c[0], c[1], c[2], stage, bool(c[4]), BASIS_NAME.get(int(c[5]), "?"))
        if len(c) == 4:
            return DetectorTag(c[0], c[1], c[2], None, True, "?")
        if len(c) == 3:
            return DetectorTag(c[0], c[1], c[2], None, False, "?")
        raise ValueError(
            f"detector coordinates {tuple(c)} have {len(c)} entries; expected 3 or 4 (published format) "
            "or 6 (x, y, t, stage, postselected, basis)"
        )


def read_detector_tags(circuit_or_dem: stim.Circuit | stim.DetectorErrorModel) -> list[DetectorTag]:
    """The tag of every detector, in detector order. Detectors with no coordinates are an error."""
    coords = circuit_or_dem.get_detector_coordinates()
    n = circuit_or_dem.num_detectors
    missing = [k for k in range(n) if k not in coords or not coords[k]]
    if missing:
        raise ValueError(f"detectors {missing[:5]} carry no coordinates, so their stage cannot be read")
    return [DetectorTag.from_coords(coords[k]) for k in range(n)]


def postselection_mask(circuit_or_dem: stim.Circuit | stim.DetectorErrorModel) -> np.ndarray:
    """Boolean array over detectors: True where a firing detector discards the shot."""
    return np.array([t.postselected for t in read_detector_tags(circuit_or_dem)], dtype=bool)


def stage_labels(circuit: stim.Circuit) -> list[str | None]:
    """The postselected stage segment of every detector (``None`` for decoded detectors), in detector order.

    A project detector's label is its stage's name; a published detector (4 coordinates) carries its stage
    number in the 4th coordinate. When a stage kind comes back after another stage (the d=5 protocols run
    an RP round and a check at d=3 and again at d=5), its second run is labelled ``round#2``, so every
    segment is one stretch of time.

    >>> import stim
    >>> c = stim.Circuit("M 0 1 2 3\\nDETECTOR(0,0,0,1,1,0) rec[-4]\\nDETECTOR(0,0,1,5,1,0) rec[-3]\\n"
    ...                  "DETECTOR(0,0,2,1,1,0) rec[-2]\\nDETECTOR(0,0,3) rec[-1]")
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
        base = tag.stage.name.lower() if tag.stage is not None else f"{coords[k][3]:g}"
        if base != previous:
            runs[base] = runs.get(base, 0) + 1
            previous = base
        out.append(base if runs[base] == 1 else f"{base}#{runs[base]}")
    return out
