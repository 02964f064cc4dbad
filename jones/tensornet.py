"""Closed braids as quimb tensor networks, contracted along a cotengra hyper-optimised path.

The network lives on the qubit (path-label) encoding of :mod:`jones.fibonacci`: label x_j is a wire;
a run σ_i^k becomes one tensor ``T[a, b, m_out, m_in]`` = ⟨a m_out b| ρ(σ)^k |a m_in b⟩ on wires
(x_{i−1}, x_i, x_{i+1}). Only the middle label can change, so the outer labels are shared (hyper)
indices and each crossing tensor has rank 4. The Markov closure identifies each wire's last index with
its first (trace by reindexing) and adds small constraint tensors on the first indices: x_0 = 0, x_1 = 1,
no two adjacent 0s (the Fibonacci subspace is invariant, so projecting once suffices) and the quantum
dimension weight φ^{x_n}. The plat closure pins both ends of every wire to the cup string (0,1,0,1,…,0).

The contraction path comes from ``cotengra.HyperOptimizer`` with a small fixed budget; its cost
(log10 flops, width = log2 of the largest intermediate) is reported before contracting, and a
``max_log10_flops`` cap lets callers skip hopeless contractions.

Example::

    >>> from jones.braids import Braid
    >>> r = evaluate(Braid.parse("1,1,1"))
    >>> round(r.value.real, 6), round(r.value.imag, 6)
    (-0.809017, 1.314328)
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

from ftq.errors import InputError
from jones.braids import Braid
from jones.fibonacci import PHI, cup_string, local_generator, markov_from_tau, plat_from_amplitude

if TYPE_CHECKING:
    import quimb.tensor as qtn

__all__ = [
    "TensorNetworkResult",
    "braid_network",
    "default_tree",
    "time_ordered_tree",
    "make_optimizer",
    "evaluate",
]


@lru_cache(maxsize=16)
def _crossing_tensor(power: int) -> np.ndarray:
    """T[a, b, m_out, m_in] = ⟨a m_out b|ρ(σ)^power|a m_in b⟩ (read-only, cached by power)."""
    U = local_generator(power).reshape(2, 2, 2, 2, 2, 2)  # [a', m', b', a, m, b]
    T = np.empty((2, 2, 2, 2), dtype=complex)
    for a in range(2):
        for b in range(2):
            T[a, b] = U[a, :, b, a, :, b]
    T.setflags(write=False)
    return T


def _network(braid: Braid, closure: str) -> tuple[list[tuple[str, ...]], list[np.ndarray], list[set[str]]]:
    """The closed braid's tensors as (index names, arrays, tags), without importing quimb.

    Index names depend only on the braid's run structure and the closure, so braids that differ only in
    run powers share one contraction path. The Markov closure's no-00 constraints are scaled by 1/φ
    (spectral radius 1), so the scalar stays O(1) at any strand count: S' = S/φ^{n−1}.
    """
    n = braid.strands
    if closure == "plat":
        braid.check_plat()
    elif closure != "markov":
        raise InputError(f"closure {closure!r} is not 'markov' or 'plat'.")
    segment = [0] * (n + 1)

    def ind(j: int, k: int | None = None) -> str:
        return f"x{j}_{segment[j] if k is None else k}"

    inputs: list[tuple[str, ...]] = []
    arrays: list[np.ndarray] = []
    tags: list[set[str]] = []
    # the rightmost letter acts first on a ket: build in that order so S is ⟨·|ρ(b)|·⟩, not its transpose
    for step, (i, power) in enumerate(reversed(braid.runs())):
        if power % 10 == 0:
            continue
        m_in = ind(i)
        segment[i] += 1
        inputs.append((ind(i - 1), ind(i + 1), ind(i), m_in))
        arrays.append(_crossing_tensor(power % 10))
        tags.append({"CROSSING", f"S{i}", f"R{step}"})
    if closure == "markov":
        # trace: the last segment of each wire is its first
        last = {ind(j): ind(j, 0) for j in range(n + 1) if segment[j] > 0}
        for k, (a, b, m_out, m_in) in enumerate(inputs):
            if last.get(m_out) == m_in:  # the wire's only flip: its trace is a diagonal
                arrays[k] = np.einsum("abmm->abm", arrays[k])
                inputs[k] = (last.get(a, a), last.get(b, b), m_in)
            else:
                inputs[k] = tuple(last.get(x, x) for x in inputs[k])

        def add(inds: tuple[str, ...], data: np.ndarray, tag: str) -> None:
            inputs.append(inds)
            arrays.append(data)
            tags.append({tag})

        add((ind(0, 0),), _E0, "BOUNDARY")
        if n >= 1:
            add((ind(1, 0),), _E1, "BOUNDARY")
        for j in range(1, n):
            add((ind(j, 0), ind(j + 1, 0)), _NO00, "CONSTRAINT")
        add((ind(n, 0),), _WEIGHT, "WEIGHT")
    else:
        c = cup_string(n)
        for j in range(n + 1):
            vec = _E1 if c[j] else _E0
            inputs.append((ind(j, 0),))
            arrays.append(vec)
            tags.append({"BOUNDARY"})
            if segment[j] > 0:
                inputs.append((ind(j),))
                arrays.append(vec)
                tags.append({"BOUNDARY"})
    return inputs, arrays, tags


_E0 = np.array([1.0, 0.0])
_E1 = np.array([0.0, 1.0])
_NO00 = np.array([[0.0, 1.0], [1.0, 1.0]]) / PHI
_WEIGHT = np.array([1.0, PHI])


def braid_network(braid: Braid, *, closure: str = "markov") -> qtn.TensorNetwork:
    """The closed braid as a ``quimb.tensor.TensorNetwork`` whose full contraction is a scalar S'.

    Markov: S' = φ^{1−n} Σ_s φ^{x_n}⟨s|ρ(b)|s⟩ over Fibonacci strings; plat: S' = ⟨c|ρ(b)|c⟩.

    Example::

        >>> tn = braid_network(Braid.parse("1,-2,1,-2"))
        >>> tn.num_tensors  # 4 crossings, x_0 and x_1 pinned, 2 constraints, 1 weight
        9
    """
    import quimb.tensor as qtn

    inputs, arrays, tags = _network(braid, closure)
    return qtn.TensorNetwork(
        [qtn.Tensor(data, inds=inds, tags=tag) for inds, data, tag in zip(inputs, arrays, tags, strict=True)]
    )


def make_optimizer(
    *, max_repeats: int = 8, max_time: float | None = None, reconfigure: bool = False, seed: int = 0
) -> Any:
    """A reusable cotengra hyper-optimiser with a small fixed budget (greedy trials, single process).

    It is a ``ReusableHyperOptimizer``: one instance can serve many different networks (a fresh
    ``HyperOptimizer`` runs for each new contraction and the path is cached in memory). Subtree
    reconfiguration improves paths by a few × in flops but costs seconds per trial on networks of
    hundreds of tensors, so it is off unless ``reconfigure=True``.

    Example::

        >>> opt = make_optimizer(max_repeats=4)
        >>> type(opt).__name__
        'ReusableHyperOptimizer'
    """
    import cotengra as ctg

    return ctg.ReusableHyperOptimizer(
        methods=["greedy"],
        max_repeats=max_repeats,
        max_time=max_time,
        minimize="flops",
        parallel=False,
        optlib="random",
        reconf_opts={} if reconfigure else None,
        simulated_annealing_opts=None,
        progbar=False,
        seed=seed,
    )


@dataclass(frozen=True)
class TensorNetworkResult:
    """A contraction's cost (known before contracting) and, unless skipped, the value V(e^{2πi/5}).

    Example::

        >>> r = evaluate(Braid.parse("1,1"))
        >>> r.contracted and r.width >= 0
        True
    """

    value: complex | None
    closure: str
    strands: int
    crossings: int
    num_tensors: int
    log10_flops: float
    width: float
    seconds_path: float
    seconds_contract: float

    @property
    def contracted(self) -> bool:
        """Whether the network was contracted (False when the cost exceeded the cap).

        Example::

            >>> evaluate(Braid.parse("1")).contracted
            True
        """
        return self.value is not None


MAX_TENSORS = 10_000
"""Largest network :func:`evaluate` searches a path for (greedy search grows faster than linearly)."""
GREEDY_GOOD_ENOUGH_LOG10_FLOPS = 7.0
"""Above this greedy cost the default path search also tries the time-ordered path."""
_PATH_CACHE: OrderedDict[tuple, tuple[tuple[int, int], ...]] = OrderedDict()
_PATH_CACHE_SIZE = 256


def time_ordered_tree(inputs: list[str], size_dict: dict[str, int]) -> Any:
    """The time-ordered path over a network from :func:`_network` (canonical one-character indices).

    Boundary and constraint tensors first, then every crossing tensor in braid order: one growing tensor on
    the wires' first and current segments, a transfer matrix of width ≤ 2 × strands. Greedy search misses it
    on braids deeper than they are wide (brickwall 10 × 220 layers: greedy 10^10.2 flops, this 10^9.3).

    Example::

        >>> inputs, _, _ = _network(Braid.parse("1,2,1,2"), "markov")
        >>> symbols = {ix: chr(97 + k) for k, ix in enumerate(dict.fromkeys(i for t in inputs for i in t))}
        >>> canon = ["".join(symbols[i] for i in t) for t in inputs]
        >>> time_ordered_tree(canon, dict.fromkeys(symbols.values(), 2)).contraction_width() <= 2 * 3
        True
    """
    import cotengra as ctg

    crossing = {k for k, inds in enumerate(inputs) if len(inds) >= 3}
    order = [k for k in range(len(inputs)) if k not in crossing] + sorted(crossing)
    ssa, last = [], order[0]
    for step, k in enumerate(order[1:]):
        ssa.append((last, k))
        last = len(inputs) + step
    return ctg.ContractionTree.from_path(inputs, "", size_dict, ssa_path=ssa)


def default_tree(inputs: list[tuple[str, ...]], size_dict: dict[str, int]) -> Any:
    """A contraction tree for the network, with the search sized to it and paths reused.

    Networks of the same structure (index names; powers do not matter) reuse the cached path. Otherwise a
    greedy path is found (milliseconds to a second); when it would cost more than 10^7 flops, the time-ordered
    path (:func:`time_ordered_tree`) is tried too and the cheaper tree is kept. A cotengra hyper-optimiser is
    not run by default: its first trial alone took 4 s on an 8 × 60 brickwall here (pass ``optimizer`` to
    :func:`evaluate` for one, e.g. :func:`make_optimizer`).

    Example::

        >>> inputs, _, _ = _network(Braid.parse("1,1,1"), "markov")
        >>> tree = default_tree(inputs, {ix: 2 for inds in inputs for ix in inds})
        >>> tree.N == len(inputs)
        True
    """
    import cotengra as ctg

    # one character per index, in order of first appearance: the key is the network's shape up to renaming
    symbols: dict[str, str] = {}
    for inds in inputs:
        for ix in inds:
            if ix not in symbols:
                symbols[ix] = ctg.get_symbol(len(symbols))
    canon = tuple("".join(symbols[ix] for ix in inds) for inds in inputs)
    key = (canon, tuple(size_dict[ix] for ix in symbols))
    sizes = {symbols[ix]: size_dict[ix] for ix in symbols}
    if key in _PATH_CACHE:
        _PATH_CACHE.move_to_end(key)
        return ctg.ContractionTree.from_path(canon, "", sizes, path=_PATH_CACHE[key])
    tree = ctg.array_contract_tree(canon, "", sizes, optimize="greedy")
    log10_flops = math.log10(max(float(tree.contraction_cost()), 1.0))
    if log10_flops > GREEDY_GOOD_ENOUGH_LOG10_FLOPS:
        other = time_ordered_tree(canon, sizes)
        if other.contraction_cost() < tree.contraction_cost():
            tree = other
    _PATH_CACHE[key] = tuple(tuple(int(x) for x in pair) for pair in tree.get_path())
    while len(_PATH_CACHE) > _PATH_CACHE_SIZE:
        _PATH_CACHE.popitem(last=False)
    return tree


def evaluate(
    braid: Braid,
    *,
    closure: str = "markov",
    optimizer: Any = None,
    max_log10_flops: float | None = None,
    max_width: float | None = None,
    on_cost: Callable[[float, float], None] | None = None,
) -> TensorNetworkResult:
    """Find a contraction path, report its cost, then (if under ``max_log10_flops`` and ``max_width``) contract.

    ``optimizer`` None uses :func:`default_tree` (search sized to the network, paths reused across calls);
    otherwise any cotengra optimiser. ``on_cost(log10_flops, width)`` is called before contracting, so
    callers can print the cost first.

    Example::

        >>> r = evaluate(Braid.parse("2,2,-1,2", strands=4), closure="plat")
        >>> round(r.value.real, 5)
        -1.23607
    """
    inputs, arrays, _ = _network(braid, closure)
    if len(inputs) > MAX_TENSORS:
        raise InputError(
            f"the tensor network of {braid.strands} strands and {braid.crossings} crossings has {len(inputs)} "
            f"tensors; the path search is limited to {MAX_TENSORS:,} (measured: 2 s at 10,000, 230 s at 20,000)."
        )
    t0 = time.perf_counter()
    size_dict = {ix: 2 for inds in inputs for ix in inds}
    if optimizer is None:
        tree = default_tree(inputs, size_dict)
    else:
        import cotengra as ctg

        tree = ctg.array_contract_tree(inputs, (), size_dict, optimize=optimizer)
    log10_flops = math.log10(max(float(tree.contraction_cost()), 1.0))
    width = float(tree.contraction_width())
    t1 = time.perf_counter()
    if on_cost is not None:
        on_cost(log10_flops, width)
    base = dict(
        closure=closure,
        strands=braid.strands,
        crossings=braid.crossings,
        num_tensors=len(inputs),
        log10_flops=log10_flops,
        width=width,
        seconds_path=t1 - t0,
    )
    too_costly = max_log10_flops is not None and log10_flops > max_log10_flops
    too_wide = max_width is not None and width > max_width
    if too_costly or too_wide:
        return TensorNetworkResult(value=None, seconds_contract=0.0, **base)
    scalar = complex(tree.contract(arrays))
    t2 = time.perf_counter()
    w = braid.writhe if closure == "markov" else braid.plat_writhe
    try:
        if closure == "markov":
            value = markov_from_tau(scalar / PHI, strands=braid.strands, writhe=w)  # τ = S/φ^n = S'/φ
        else:
            value = plat_from_amplitude(scalar, strands=braid.strands, writhe=w)
    except OverflowError:
        scale = (braid.strands - 1 if closure == "markov" else braid.strands // 2 - 1) * math.log10(PHI)
        raise InputError(
            f"V of this {braid.strands}-strand braid is beyond the float range (|S| = {abs(scalar):.3g} "
            f"times 10^{scale:.0f}); use --method exact, which is exact at any magnitude."
        ) from None
    return TensorNetworkResult(value=value, seconds_contract=t2 - t1, **base)
