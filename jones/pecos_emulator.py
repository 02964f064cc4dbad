"""Quantinuum's own emulator, PECOS (through pytket-pecos), as the reference noisy path for the Hadamard tests.

The circuit run is the one sent to Nexus: the Hadamard test compiled offline for an H2 machine (native
PhasedX, Rz, ZZPhase; on-device string sampling, mid-circuit measurements and conditional CNOTs for the
Markov closure), simulated by PECOS's state-vector simulator with its ``GenericErrorModel`` — the
stochastic Pauli model of the H-series emulators: depolarising after 1q gates (p1) and 2q gates (p2),
bit flips after preparation (p_prep) and at measurement (p_meas). pytket-pecos starts every qubit in |0⟩
without an operation, so PECOS would put preparation noise only on mid-circuit resets; :func:`run_pecos`
adds an explicit reset of every qubit at the start of a noisy run, so each preparation gets its p_prep as
on the device (and as the sparse emulator does).

Two ways to set the rates:

* :func:`hseries_params` — the device's published figures as PECOS reads them: p1, p2 are *average*
  infidelities (PECOS turns them into total Pauli probabilities ×3/2 and ×5/4);
* :func:`matched_params` — the channel of :class:`jones.quantinuum.NoiseModel` (the sparse emulator, which
  uses p1, p2 as total Pauli probabilities), for a like-for-like cross-check. Not modelled by PECOS here:
  idle memory errors (``p_mem``); modelled by PECOS and not by the sparse emulator: noise on Rz (p1 ≈ 3e-5).

Requires the ``pecos`` extra (``pip install -e '.[pecos]'``; ``make install`` does it).

Example::

    >>> from jones.braids import Braid
    >>> from jones.circuits import hadamard_test
    >>> d = run_pecos(hadamard_test(Braid.parse("1,1,1"), part="re"), shots=20, seed=1)
    >>> d.outcomes.shape, d.strings.shape
    ((20, 3), (20, 3))
"""

from __future__ import annotations

import numpy as np

from ftq.errors import InputError
from jones.circuits import HadamardTest
from jones.quantinuum import NoiseModel, ShotData, compile_circuit, offline_backend

__all__ = ["hseries_params", "matched_params", "run_pecos", "run_pecos_circuit"]


def hseries_params(device: str = "H2-2", *, scale: float = 1.0) -> dict[str, float]:
    """PECOS ``GenericErrorModel`` parameters from the device's offline noise figures (pytket-quantinuum).

    Example::

        >>> p = hseries_params("H2-2")
        >>> p["p2"], round(p["p_meas"], 6)
        (0.00083, 0.000935)
    """
    spec = offline_backend(device).backend_info.misc["noise_specs"]
    spam = spec["spam_error"]
    p_meas = 0.5 * (spam["p_meas_0"] + spam["p_meas_1"])
    return {
        "p1": scale * spec["1q_gate_error"]["p1"],
        "p2": scale * spec["2q_gate_error"]["p2"],
        "p_meas": scale * p_meas,
        "p_prep": scale * p_meas,
    }


def matched_params(noise: NoiseModel) -> dict[str, float]:
    """PECOS parameters giving the sparse emulator's channels: total Pauli probabilities p1, p2 (PECOS
    multiplies its inputs by 3/2 and 5/4), the same readout and preparation flips; ``p_mem`` is dropped.

    Example::

        >>> matched_params(NoiseModel(p1=3e-4, p2=1e-2, p_meas=2e-3, p_init=1e-3, p_mem=0.0))["p2"]
        0.008
    """
    return {"p1": noise.p1 * 2 / 3, "p2": noise.p2 * 4 / 5, "p_meas": noise.p_meas, "p_prep": noise.p_init}


def run_pecos(
    test: HadamardTest,
    *,
    shots: int,
    params: dict[str, float] | None = None,
    noisy: bool = True,
    device: str = "H2-2",
    seed: int = 0,
    optimisation_level: int = 2,
) -> ShotData:
    """Run a Hadamard test compiled for ``device`` on PECOS: ``params`` (default :func:`hseries_params` of
    the device) unless ``noisy`` is False. Returns the recorded strings and outcomes like
    :func:`jones.quantinuum.run_local`.

    Example::

        >>> from jones.braids import Braid
        >>> from jones.circuits import hadamard_test
        >>> run_pecos(hadamard_test(Braid.parse("1"), part="im"), shots=5, noisy=False).shots
        5
    """
    if isinstance(shots, bool) or not isinstance(shots, int) or shots < 1:
        raise InputError(f"shots {shots!r} must be a positive integer.")
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**32:
        raise InputError(f"seed {seed!r} is outside 0 … {2**32 - 1}.")
    compiled = compile_circuit(test.to_pytket(), device=device, optimisation_level=optimisation_level)
    regs = run_pecos_circuit(compiled, shots=shots, params=params, noisy=noisy, device=device, seed=seed)
    nq = test.n_qubits
    return ShotData(regs["s"][:, :nq], regs["m"][:, :nq])


def run_pecos_circuit(
    compiled,
    *,
    shots: int,
    params: dict[str, float] | None = None,
    noisy: bool = True,
    device: str = "H2-2",
    seed: int = 0,
) -> dict[str, np.ndarray]:
    """Run an already compiled pytket circuit on PECOS's state-vector simulator; returns every classical
    register as a (shots × width) uint8 array (bit j in column j). Noise: ``params`` (default
    :func:`hseries_params` of ``device``) unless ``noisy`` is False; a noisy run starts with an explicit
    reset of every qubit so each preparation gets its p_prep (module doc).

    Example::

        >>> from pytket import Circuit
        >>> run_pecos_circuit(Circuit(1, 1).X(0).Measure(0, 0), shots=2, noisy=False)["c"].tolist()
        [[1], [1]]
    """
    if isinstance(shots, bool) or not isinstance(shots, int) or shots < 1:
        raise InputError(f"shots {shots!r} must be a positive integer.")
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**32:
        raise InputError(f"seed {seed!r} is outside 0 … {2**32 - 1}.")
    try:
        from pecos.noise.generic_error_model import GenericErrorModel
        from pytket_pecos import Emulator
    except ImportError as e:
        raise InputError(
            f"the PECOS emulator is not installed ({e.name}); `pip install -e '.[pecos]'` installs it."
        ) from e

    model = None
    if noisy:
        model = GenericErrorModel(dict(params) if params is not None else hseries_params(device))
    if model is not None:  # every qubit is prepared, so every preparation gets its p_prep (see module doc)
        from pytket import Circuit

        prep = Circuit()
        for q in compiled.qubits:
            prep.add_qubit(q)
        for b in compiled.bits:
            prep.add_bit(b)
        for q in compiled.qubits:
            prep.Reset(q)
        prep.append(compiled)
        compiled = prep
    widths: dict[str, int] = {}
    for b in compiled.bits:
        widths[b.reg_name] = max(widths.get(b.reg_name, 0), b.index[0] + 1)
    em = Emulator(compiled, qsim="state-vector", error_model=model, seed=seed)
    # the engine's per-register integers (pytket-pecos 0.3.3's own readout pads registers to varying widths,
    # so bit j of each register is read from the integer instead)
    raw = em.engine.run(em.phir, foreign_object=em.foreign_object, shots=shots)
    out = {}
    for name, width in widths.items():
        values = np.array([int(b, 2) for b in raw[name]], dtype=np.int64)
        shifts = np.arange(width)
        out[name] = ((values[:, None] >> shifts[None, :]) & 1).astype(np.uint8)
    return out
