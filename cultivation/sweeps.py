"""The RP² circuit family for sweeps: ``builder = "cultivation.sweeps:rp2"`` in a sweep spec.

Domain parameters: ``protocol`` ("cultivation" or "end2end"), ``d1`` and, for end2end, ``D`` (each a value or
a list). They are checked by :func:`cultivation.protocol.validate`, the one check the builder itself makes
(d1 ∈ {3, 5}; D odd and ≥ 2·d1 + 1, default 2·d1 + 1). Each grid point's metadata opens with
``{"protocol", "d1", "D"}`` in that order (``D`` is None when not given), as in the stored sweeps.

>>> rp2().points({"protocol": "end2end", "d1": [3, 5], "D": 11})
[{'protocol': 'end2end', 'd1': 3, 'D': 11}, {'protocol': 'end2end', 'd1': 5, 'D': 11}]
>>> rp2().points({"protocol": "end2end", "d1": 4})
Traceback (most recent call last):
...
ftq.errors.InputError: d1=4 is not supported; valid cultivation distances are 3 and 5 (odd, >= 3)
"""

from __future__ import annotations

from collections.abc import Mapping

import stim

from ftq.errors import InputError

PARAMS = ("protocol", "d1", "D")


class RP2Family:
    """RP² cultivation circuits (:func:`cultivation.protocol.build`) on a grid of protocol × d1 × D."""

    def points(self, params: Mapping[str, object]) -> list[dict]:
        """Validated grid points, d1 outer and D inner; :class:`ftq.errors.InputError` on a bad value."""
        from cultivation.protocol import validate

        unknown = sorted(set(params) - set(PARAMS))
        if unknown:
            raise InputError(
                f"unknown sweep key {unknown[0]!r}; the RP² builder takes {', '.join(PARAMS)} besides the sweep keys."
            )
        if "protocol" not in params or "d1" not in params:
            raise InputError("an RP² sweep needs 'protocol' and 'd1' (3 or 5, or a list of them).")
        protocol = params["protocol"]
        d1s = _values("d1", params["d1"])
        Ds = _values("D", params["D"]) if "D" in params else [None]
        out = []
        for d1 in d1s:
            for D in Ds:
                validate(protocol, d1=d1, final_distance=D)
                out.append({"protocol": protocol, "d1": d1, "D": D})
        return out

    def build(self, point: Mapping[str, object], *, noise: str, p: float) -> stim.Circuit:
        """The noisy circuit of one grid point."""
        from cultivation.protocol import build

        return build(point["protocol"], d1=point["d1"], final_distance=point["D"], noise=noise, p=p)


def _values(key: str, value: object) -> list:
    vals = value if isinstance(value, list) else [value]
    if not vals:
        raise InputError(f"sweep key {key!r} is an empty list; give at least one value.")
    for v in vals:
        if isinstance(v, bool) or not isinstance(v, int):
            raise InputError(f"sweep key {key!r} has value {v!r}, which is not an integer.")
    return vals


def rp2() -> RP2Family:
    """The RP² circuit family (the ``module:function`` a sweep spec names)."""
    return RP2Family()
