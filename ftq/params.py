"""The command-line parameter types every ``ftq`` command shares: one range per kind of number.

The error policy (``docs/architecture.md``): every input is checked where it enters. A click type refuses a
value outside its range before any work starts; the ``ftq`` group prints the refusal as one ``error:`` line
and exits with status 2, like an :class:`ftq.errors.InputError` raised by the library.

>>> SEED.convert("7", None, None), SHOTS.max == INT64_MAX
(7, True)
"""

from __future__ import annotations

import math

import click


class FiniteFloatRange(click.FloatRange):
    """:class:`click.FloatRange` that also refuses ``nan`` (which compares false with every bound).

    >>> FiniteFloatRange(0, 1).convert("nan", None, None)
    Traceback (most recent call last):
    ...
    click.exceptions.BadParameter: nan is not a finite number.
    """

    def convert(self, value, param, ctx):
        out = super().convert(value, param, ctx)
        if not math.isfinite(out):
            self.fail(f"{out} is not a finite number.", param, ctx)
        return out


#: The largest integer numpy and stim take as a count or a seed.
INT64_MAX = 2**63 - 1

#: A random seed: a non-negative integer that fits in int64 (stim and numpy both accept it).
SEED = click.IntRange(0, INT64_MAX)

#: A number of shots or samples: at least 1, at most int64.
SHOTS = click.IntRange(1, INT64_MAX)

#: A count that may be zero (orders, extra rounds).
COUNT = click.IntRange(0, INT64_MAX)

#: A CPU-time budget in seconds: positive and finite (at most about three years).
SECONDS = FiniteFloatRange(0, 1e8, min_open=True)

#: A positive finite factor or tolerance.
POSITIVE = FiniteFloatRange(0, 1e12, min_open=True)
