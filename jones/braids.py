"""Braid words: parsing, validation, Markov moves and writhe for Markov (trace) and plat closures.

A braid on ``strands`` strands is a word of signed, 1-based Artin generators, as in KnotInfo's
``braid_notation``: ``i`` is σ_i (strand i crosses over strand i+1 — the positive crossing when both
strands run downward) and ``-i`` is σ_i⁻¹.

Example::

    >>> from jones.braids import Braid
    >>> b = Braid.parse("[1,-2,1,-2]")
    >>> (b.strands, b.crossings, b.writhe)
    (3, 4, 0)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ftq.errors import InputError

__all__ = ["Braid", "random_braid", "MAX_STRANDS"]

MAX_STRANDS = 1_000_000
"""Largest strand count accepted (far beyond any method's reach; keeps every index inside int64)."""

_TOKEN = r"[+-]?[0-9]+"
_WORD = re.compile(rf"{_TOKEN}(?:\s*,\s*{_TOKEN}|\s+{_TOKEN})*", re.ASCII)


def _is_int(x: object) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


@dataclass(frozen=True)
class Braid:
    """An immutable braid word on ``strands`` strands, generators signed and 1-based.

    Example::

        >>> Braid(strands=2, word=(1, 1, 1)).writhe
        3
    """

    strands: int
    word: tuple[int, ...]

    def __post_init__(self) -> None:
        if not _is_int(self.strands) or not 1 <= self.strands <= MAX_STRANDS:
            raise InputError(
                f"braid strand count {self.strands!r} is not an integer from 1 to {MAX_STRANDS:,}."
            )
        word = tuple(self.word)
        for g in word:
            if not _is_int(g):
                raise InputError(f"braid generator {g!r} is not an integer; use signed integers like 1,-2,1.")
            if g == 0:
                raise InputError("braid generator 0 is not allowed; generators are ±1 … ±(strands-1).")
            if abs(g) >= self.strands:
                raise InputError(
                    f"braid generator {g} needs {abs(g) + 1} strands but the braid has {self.strands}; "
                    f"valid generators are ±1 … ±{self.strands - 1}."
                )
        object.__setattr__(self, "word", word)

    # ------------------------------------------------------------------ construction
    @staticmethod
    def parse(text: str, *, strands: int | None = None) -> Braid:
        """Parse ``"1,-2,1"`` or ``"[1,-2,1]"`` (spaces allowed); strands default to max|i|+1.

        Example::

            >>> Braid.parse("[1, -2, 1]")
            Braid(strands=3, word=(1, -2, 1))
        """
        if not isinstance(text, str):
            raise InputError(f"braid word {text!r} is not a string like '1,-2,1'.")
        body = text.strip()
        if body.startswith("[") and body.endswith("]"):
            body = body[1:-1]
        body = body.strip()
        if body == "":
            word: tuple[int, ...] = ()
        elif _WORD.fullmatch(body) is None:
            raise InputError(
                f"braid word {text!r} is malformed; write signed integers separated by commas, e.g. '1,-2,1'."
            )
        else:
            tokens = re.split(r"[,\s]+", body)
            for tok in tokens:
                if len(tok.lstrip("+-")) > len(str(MAX_STRANDS)) or abs(int(tok)) >= MAX_STRANDS:
                    shown = tok if len(tok) <= 24 else tok[:20] + "…"
                    raise InputError(
                        f"braid generator {shown} is out of range; generators are ±1 … ±{MAX_STRANDS - 1:,}."
                    )
            word = tuple(int(tok) for tok in tokens)
        if strands is None:
            strands = max((abs(g) for g in word), default=0) + 1
        return Braid(strands=strands, word=word)

    # ------------------------------------------------------------------ invariants of the word
    @property
    def crossings(self) -> int:
        """Number of crossings (letters) in the word.

        Example::

            >>> Braid.parse("1,-2,1").crossings
            3
        """
        return len(self.word)

    @property
    def writhe(self) -> int:
        """Sum of the generator signs: the writhe of the Markov (trace) closure.

        Example::

            >>> Braid.parse("1,1,-2").writhe
            1
        """
        return sum(1 if g > 0 else -1 for g in self.word)

    # ------------------------------------------------------------------ operations
    def inverse(self) -> Braid:
        """The inverse braid: reversed word with flipped signs.

        Example::

            >>> Braid.parse("1,-2").inverse().word
            (2, -1)
        """
        return Braid(self.strands, tuple(-g for g in reversed(self.word)))

    def mirror(self) -> Braid:
        """The mirror image: every crossing flipped (closure is the mirror link, V(t) → V(1/t)).

        Example::

            >>> Braid.parse("1,1,1").mirror().word
            (-1, -1, -1)
        """
        return Braid(self.strands, tuple(-g for g in self.word))

    def __add__(self, other: Braid) -> Braid:
        """Concatenation (``self`` then ``other``) on the larger strand count.

        Example::

            >>> (Braid.parse("1") + Braid.parse("-2")).word
            (1, -2)
        """
        if not isinstance(other, Braid):
            return NotImplemented
        return Braid(max(self.strands, other.strands), self.word + other.word)

    def conjugate(self, by: Braid) -> Braid:
        """``by · self · by⁻¹``: a Markov move of the first kind (same closure).

        Example::

            >>> Braid.parse("1,1,1").conjugate(Braid.parse("2")).word
            (2, 1, 1, 1, -2)
        """
        return by + self + by.inverse()

    def stabilize(self, *, sign: int = 1) -> Braid:
        """Markov stabilisation: add a strand and append σ_n^{±1} (same Markov-closure link).

        Example::

            >>> Braid.parse("1,1,1").stabilize()
            Braid(strands=3, word=(1, 1, 1, 2))
        """
        if sign not in (1, -1):
            raise InputError(f"stabilisation sign {sign!r} is not +1 or -1.")
        n = self.strands
        return Braid(n + 1, self.word + (sign * n,))

    def with_strands(self, strands: int) -> Braid:
        """The same word on ``strands`` strands (extra strands close to unlinked circles).

        Example::

            >>> Braid.parse("1").with_strands(4).strands
            4
        """
        return Braid(strands, self.word)

    def runs(self) -> list[tuple[int, int]]:
        """Maximal runs of the same generator index as (index, net power), e.g. σ1σ1σ1⁻¹ → (1, 1).

        Example::

            >>> Braid.parse("1,1,-2,-2,-2,1").runs()
            [(1, 2), (2, -3), (1, 1)]
        """
        out: list[tuple[int, int]] = []
        for g in self.word:
            i, s = abs(g), (1 if g > 0 else -1)
            if out and out[-1][0] == i:
                out[-1] = (i, out[-1][1] + s)
            else:
                out.append((i, s))
        return out

    def permutation(self) -> tuple[int, ...]:
        """Where each top position (0-based) ends at the bottom.

        Example::

            >>> Braid.parse("1,2").permutation()
            (2, 0, 1)
        """
        pos = list(range(self.strands))  # pos[strand] = current position
        at = list(range(self.strands))  # at[position] = strand
        for g in self.word:
            i = abs(g) - 1
            a, b = at[i], at[i + 1]
            at[i], at[i + 1] = b, a
            pos[a], pos[b] = i + 1, i
        return tuple(pos)

    def markov_components(self) -> int:
        """Number of components of the Markov (trace) closure.

        Example::

            >>> Braid.parse("1,1").markov_components()
            2
        """
        perm = self.permutation()
        seen = [False] * self.strands
        count = 0
        for s in range(self.strands):
            if not seen[s]:
                count += 1
                while not seen[s]:
                    seen[s] = True
                    s = perm[s]
        return count

    # ------------------------------------------------------------------ plat closure
    def check_plat(self) -> None:
        """Raise InputError unless the strand count is even (plat closure needs 2m strands).

        Example::

            >>> Braid.parse("2,2,-1,2", strands=4).check_plat()
        """
        if self.strands % 2:
            raise InputError(f"plat closure needs an even number of strands, got {self.strands}.")

    def plat_signs(self) -> tuple[int, ...]:
        """Signs of the crossings in the oriented plat closure (cups on top, caps below).

        Each component is oriented by following it downward from the left end of the first top cup it
        meets; a crossing between strands running in opposite vertical directions has the opposite sign
        of its generator. For knots the result does not depend on the choice.

        Example::

            >>> Braid.parse("2,2,-1,2", strands=4).plat_signs()
            (-1, -1, 1, 1)
        """
        self.check_plat()
        n, word = self.strands, self.word
        depth = len(word)
        # at each crossing k, the vertical direction (+1 down, -1 up) of its two strands:
        # strand 0 joins top-left to bottom-right, strand 1 joins top-right to bottom-left
        dirs: list[list[int]] = [[0, 0] for _ in range(depth)]
        top_seen = [False] * n
        for start in range(0, n, 2):
            if top_seen[start]:
                continue
            p, level, d = start, 0, 1  # position, level (0 = top), direction
            while True:
                if d == 1:
                    if level == 0:
                        top_seen[p] = True
                    # go down through crossings level, level+1, ...
                    while level < depth:
                        i = abs(word[level]) - 1
                        if p == i or p == i + 1:
                            dirs[level][p - i] = 1
                            p = 2 * i + 1 - p
                        level += 1
                    p, d = p ^ 1, -1  # cap at the bottom
                else:
                    while level > 0:
                        i = abs(word[level - 1]) - 1
                        if p == i or p == i + 1:
                            dirs[level - 1][1 - (p - i)] = -1
                            p = 2 * i + 1 - p
                        level -= 1
                    top_seen[p] = True
                    p, d = p ^ 1, 1  # cup at the top
                    if p == start:
                        break
        return tuple((1 if g > 0 else -1) * dirs[k][0] * dirs[k][1] for k, g in enumerate(word))

    @property
    def plat_writhe(self) -> int:
        """Writhe of the oriented plat closure (see :meth:`plat_signs`).

        Example::

            >>> Braid.parse("2,2,-1,2", strands=4).plat_writhe
            0
        """
        return sum(self.plat_signs())

    def plat_components(self) -> int:
        """Number of components of the plat closure.

        Example::

            >>> Braid.parse("2", strands=4).plat_components()
            1
        """
        self.check_plat()
        perm = self.permutation()
        inv = [0] * self.strands
        for s, e in enumerate(perm):
            inv[e] = s
        seen = [False] * self.strands
        count = 0
        for s in range(self.strands):
            if seen[s]:
                continue
            count += 1
            p = s  # a top position; follow down, cap, up, cup
            while not seen[p]:
                seen[p] = True
                seen[p ^ 1] = True
                q = perm[p ^ 1] ^ 1  # from top p^1 down to bottom perm, cap to partner
                p = inv[q]  # up to the top
        return count

    def __str__(self) -> str:
        return "[" + ",".join(str(g) for g in self.word) + "]"


def random_braid(*, strands: int, crossings: int, seed: int) -> Braid:
    """A uniformly random braid word (each letter ±i, i uniform in 1..strands-1), reproducible by seed.

    Example::

        >>> b = random_braid(strands=5, crossings=20, seed=1)
        >>> (b.strands, b.crossings)
        (5, 20)
    """
    import numpy as np

    if strands < 2:
        raise InputError(f"random braid needs at least 2 strands, got {strands}.")
    rng = np.random.default_rng(seed)
    idx = rng.integers(1, strands, size=crossings)
    sgn = rng.choice([-1, 1], size=crossings)
    return Braid(strands, tuple(int(i * s) for i, s in zip(idx, sgn, strict=True)))
