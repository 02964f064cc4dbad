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
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ftq.errors import InputError
from jones.braids import Braid
from jones.fibonacci import PHI, cup_string, local_generator, markov_from_tau, plat_from_amplitude

if TYPE_CHECKING:
    import quimb.tensor as qtn

__all__ = ["TensorNetworkResult", "braid_network", "make_optimizer", "evaluate"]


def _crossing_tensor(power: int) -> np.ndarray:
    """T[a, b, m_out, m_in] = ⟨a m_out b|ρ(σ)^power|a m_in b⟩."""
    U = local_generator(power).reshape(2, 2, 2, 2, 2, 2)  # [a', m', b', a, m, b]
    T = np.empty((2, 2, 2, 2), dtype=complex)
    for a in range(2):
        for b in range(2):
            T[a, b] = U[a, :, b, a, :, b]
    return T


def braid_network(braid: Braid, *, closure: str = "markov") -> qtn.TensorNetwork:
    """The closed braid as a ``quimb.tensor.TensorNetwork`` whose full contraction is a scalar S.

    Markov: S = Σ_s φ^{x_n}⟨s|ρ(b)|s⟩ over Fibonacci strings; plat: S = ⟨c|ρ(b)|c⟩.

    Example::

        >>> tn = braid_network(Braid.parse("1,-2,1,-2"))
        >>> tn.num_tensors  # 4 crossings, x_0 and x_1 pinned, 2 constraints, 1 weight
        9
    """
    import quimb.tensor as qtn

    n = braid.strands
    if closure == "plat":
        braid.check_plat()
    elif closure != "markov":
        raise InputError(f"closure {closure!r} is not 'markov' or 'plat'.")
    segment = [0] * (n + 1)

    def ind(j: int, k: int | None = None) -> str:
        return f"x{j}_{segment[j] if k is None else k}"

    tensors = []
    # the rightmost letter acts first on a ket: build in that order so S is ⟨·|ρ(b)|·⟩, not its transpose
    for step, (i, power) in enumerate(reversed(braid.runs())):
        if power % 10 == 0:
            continue
        m_in = ind(i)
        segment[i] += 1
        tensors.append(
            qtn.Tensor(
                _crossing_tensor(power),
                inds=(ind(i - 1), ind(i + 1), ind(i), m_in),
                tags={"CROSSING", f"S{i}", f"R{step}"},
            )
        )
    if closure == "markov":
        # trace: the last segment of each wire is its first
        last = {ind(j): ind(j, 0) for j in range(n + 1) if segment[j] > 0}
        for k, t in enumerate(tensors):
            a, b, m_out, m_in = t.inds
            if last.get(m_out) == m_in:  # the wire's only flip: its trace is a diagonal
                data = np.einsum("abmm->abm", t.data)
                tensors[k] = qtn.Tensor(data, inds=(last.get(a, a), last.get(b, b), m_in), tags=t.tags)
            else:
                t.reindex_(last)
        tensors.append(qtn.Tensor(np.array([1.0, 0.0]), inds=(ind(0, 0),), tags={"BOUNDARY"}))
        if n >= 1:
            tensors.append(qtn.Tensor(np.array([0.0, 1.0]), inds=(ind(1, 0),), tags={"BOUNDARY"}))
        no00 = np.array([[0.0, 1.0], [1.0, 1.0]])
        for j in range(1, n):
            tensors.append(qtn.Tensor(no00, inds=(ind(j, 0), ind(j + 1, 0)), tags={"CONSTRAINT"}))
        tensors.append(qtn.Tensor(np.array([1.0, PHI]), inds=(ind(n, 0),), tags={"WEIGHT"}))
    else:
        c = cup_string(n)
        for j in range(n + 1):
            vec = np.eye(2)[c[j]]
            tensors.append(qtn.Tensor(vec, inds=(ind(j, 0),), tags={"BOUNDARY"}))
            if segment[j] > 0:
                tensors.append(qtn.Tensor(vec, inds=(ind(j),), tags={"BOUNDARY"}))
    return qtn.TensorNetwork(tensors)


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

    ``on_cost(log10_flops, width)`` is called before contracting, so callers can print the cost first.

    Example::

        >>> r = evaluate(Braid.parse("2,2,-1,2", strands=4), closure="plat")
        >>> round(r.value.real, 5)
        -1.23607
    """
    tn = braid_network(braid, closure=closure)
    if optimizer is None:
        optimizer = make_optimizer()
    t0 = time.perf_counter()
    import cotengra as ctg

    inputs = [t.inds for t in tn]
    arrays = [t.data for t in tn]
    size_dict = {ix: 2 for inds in inputs for ix in inds}
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
        num_tensors=tn.num_tensors,
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
    if closure == "markov":
        value = markov_from_tau(scalar / PHI**braid.strands, strands=braid.strands, writhe=w)
    else:
        value = plat_from_amplitude(scalar, strands=braid.strands, writhe=w)
    return TensorNetworkResult(value=value, seconds_contract=t2 - t1, **base)
