"""The decoder registry: sinter samplers registered by name through the ``ftq.decoders`` entry points.

A decoder is one module with a function that returns a ``sinter.Sampler`` (sinter's ``module:function``
convention for custom decoders), registered by one line in ``pyproject.toml``::

    [project.entry-points."ftq.decoders"]
    perfectionist = "ftq.sampling:perfectionist_sampler"
    gap = "cultivation.decoders:gap"

The sampler may carry ``decoder_version`` (an int) beside it: the version of its soft outputs, written into
the ``json_metadata`` (so into the strong id) of every sweep task using it, so rows sampled before a change
of the decoder become a separate task instead of being silently added to new ones. A decoder without one
never changed; its tasks carry no version. After adding an entry point, reinstall (``pip install -e .``;
the Makefile does it when ``pyproject.toml`` changes) so that it appears.

>>> "perfectionist" in decoder_names()
True
>>> load_decoder("perfectionist").version is None
True
>>> load_decoder("nope")
Traceback (most recent call last):
...
ftq.errors.InputError: unknown decoder 'nope'; registered decoders are ...
"""

from __future__ import annotations

import dataclasses
import functools
from importlib.metadata import entry_points

import sinter

from ftq.errors import InputError

#: The entry-point group decoders are registered under.
GROUP = "ftq.decoders"


@dataclasses.dataclass(frozen=True)
class Decoder:
    """A registered decoder: its name, its sinter sampler and the version of its outputs (or None)."""

    name: str
    sampler: sinter.Sampler
    version: int | None

    def metadata(self) -> dict[str, int]:
        """What a task using this decoder adds to its ``json_metadata``: ``{"decoder_version": v}`` or nothing."""
        return {} if self.version is None else {"decoder_version": self.version}


def decoder_names() -> tuple[str, ...]:
    """Names of the registered decoders, sorted (reads package metadata only; imports nothing)."""
    return tuple(sorted({ep.name for ep in entry_points(group=GROUP)}))


@functools.cache
def load_decoder(name: str) -> Decoder:
    """The registered decoder ``name``; :class:`ftq.errors.InputError` naming the valid ones if unknown."""
    eps = [ep for ep in entry_points(group=GROUP) if ep.name == name]
    if not eps:
        raise InputError(f"unknown decoder {name!r}; registered decoders are {', '.join(decoder_names())}.")
    sampler = eps[0].load()()
    if not isinstance(sampler, sinter.Sampler):
        raise TypeError(
            f"decoder {name!r} ({eps[0].value}) returned {type(sampler).__name__}, not a sinter.Sampler"
        )
    version = getattr(sampler, "decoder_version", None)
    return Decoder(name=name, sampler=sampler, version=version)


def samplers() -> dict[str, sinter.Sampler]:
    """Every registered decoder's sampler by name, for ``sinter.collect(custom_decoders=...)``."""
    return {name: load_decoder(name).sampler for name in decoder_names()}
