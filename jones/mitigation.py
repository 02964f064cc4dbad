"""Problem-tailored error mitigation for the Jones Hadamard tests, reported raw and mitigated side by side.

Three methods (spec §3), each reported separately:

* **postselect** — discard shots whose recorded or inferred register string left the Fibonacci subspace
  (x_0 ≠ 0 or two adjacent 0s): such strings can only come from errors.
* **rescale** — run a circuit of the *same shape* (an echo of the braid's runs: as many runs, so the same
  ZZ count, the first half identical) whose value is known exactly, measure its decay f =
  Re(τ̄_exact·τ_measured)/|τ_exact|², and divide the target's postselected estimate by f.
* **symmetrise** — average over equivalent braids: here the braid and its mirror image (whose value is the
  complex conjugate, spec §5 "conjugate trick"), each postselected and rescaled; conjugates by extra words
  can be added with ``equivalents``.

Example::

    >>> from jones.braids import Braid
    >>> rep = mitigated_estimate(Braid.parse("1,1,1"), backend="noiseless", shots=200, seed=1)
    >>> sorted(rep["methods"])
    ['postselected', 'raw', 'rescaled', 'symmetrised']
"""

from __future__ import annotations

import math

import numpy as np

from ftq.errors import InputError
from jones.braids import Braid
from jones.circuits import (
    JonesEstimate,
    PartEstimate,
    braid_runs,
    combine_parts,
    echo_runs,
    estimate_part,
    exact_value,
    hadamard_test,
    runs_braid,
    shot_values,
    value_scale,
)
from jones.fibonacci import markov_tau, plat_amplitude
from jones.quantinuum import NoiseModel, run_local

__all__ = [
    "run_parts",
    "reference_circuit",
    "rescale",
    "symmetrise",
    "mitigated_estimate",
]


def run_parts(
    braid: Braid,
    *,
    closure: str = "markov",
    backend: str = "noiseless",
    shots: int = 1000,
    seed: int = 0,
    noise: NoiseModel | None = None,
    runs: tuple[tuple[int, int], ...] | None = None,
) -> dict[str, JonesEstimate | float]:
    """Run re and im parts locally; returns raw and postselected estimates and the kept fraction.

    ``runs`` overrides the circuit's runs (see :func:`jones.circuits.hadamard_test`).

    Example::

        >>> r = run_parts(Braid.parse("1,-2,1,-2"), shots=100, seed=2)
        >>> r["kept"]
        1.0
    """
    raw: dict[str, PartEstimate] = {}
    post: dict[str, PartEstimate] = {}
    kept = []
    for k, part in enumerate(("re", "im")):
        test = hadamard_test(braid, closure=closure, part=part, runs=runs)
        data = run_local(test, shots=shots, backend=backend, noise=noise, seed=seed * 7919 + k)
        v, keep = shot_values(data.strings, data.outcomes)
        raw[part] = estimate_part(v)
        post[part] = estimate_part(v, keep)
        kept.append(float(np.mean(keep)))
    return {
        "raw": combine_parts(braid, re=raw["re"], im=raw["im"], closure=closure),
        "postselected": combine_parts(braid, re=post["re"], im=post["im"], closure=closure),
        "kept": float(np.mean(kept)),
    }


def _exact_amplitude(braid: Braid, closure: str) -> complex:
    return markov_tau(braid) if closure == "markov" else plat_amplitude(braid)


def reference_circuit(braid: Braid) -> tuple[Braid, tuple[tuple[int, int], ...]]:
    """The same-shape known-value reference: an echo of the braid's runs (same run count, so the same ZZ
    count; the first half on the same qubits), and the braid of that product for its exact value.

    Example::

        >>> ref, runs = reference_circuit(Braid.parse("1,2,1,-2"))
        >>> len(runs) == len(braid_runs(Braid.parse("1,2,1,-2")))
        True
    """
    runs = echo_runs(braid_runs(braid))
    return runs_braid(braid.strands, runs), runs


def rescale(
    target: JonesEstimate, reference: JonesEstimate, *, reference_exact_tau: complex, scale: complex
) -> JonesEstimate:
    """Divide the target by the decay f = Re(τ̄_exact τ_measured)/|τ_exact|² of the reference circuit.

    ``scale`` is the target's c in V = c·τ (:func:`jones.circuits.value_scale`).

    Example::

        >>> t = JonesEstimate(0.5 + 0j, 0.01, 0.01, 0.5 + 0j, 0.01, 0.01)
        >>> r = JonesEstimate(0.4 + 0j, 0.01, 0.01, 0.8 + 0j, 0.01, 0.01)
        >>> round(rescale(t, r, reference_exact_tau=1.0, scale=1.0).value.real, 6)
        0.625
    """
    e = complex(reference_exact_tau)
    if abs(e) < 1e-9:
        raise InputError("the reference circuit's exact value is 0; it cannot calibrate a decay.")
    f = (e.conjugate() * reference.tau).real / abs(e) ** 2
    var_f = ((e.real * reference.tau_stderr_re) ** 2 + (e.imag * reference.tau_stderr_im) ** 2) / abs(e) ** 4
    if f <= 0:
        f = float("nan")
    tau = target.tau / f
    sr = math.sqrt(target.tau_stderr_re**2 / f**2 + tau.real**2 * var_f / f**2)
    si = math.sqrt(target.tau_stderr_im**2 / f**2 + tau.imag**2 * var_f / f**2)
    c = complex(scale)
    err_re = math.sqrt((c.real * sr) ** 2 + (c.imag * si) ** 2)
    err_im = math.sqrt((c.imag * sr) ** 2 + (c.real * si) ** 2)
    return JonesEstimate(complex(c * tau), err_re, err_im, complex(tau), sr, si)


def symmetrise(estimates: list[JonesEstimate]) -> JonesEstimate:
    """Inverse-variance weighted mean of estimates of the same value (e.g. from equivalent braids).

    Example::

        >>> a = JonesEstimate(1 + 1j, 0.1, 0.1, 1 + 1j, 0.1, 0.1)
        >>> b = JonesEstimate(3 + 1j, 0.1, 0.1, 3 + 1j, 0.1, 0.1)
        >>> symmetrise([a, b]).value
        (2+1j)
    """
    if not estimates:
        raise InputError("symmetrise needs at least one estimate.")
    wr = np.array([1 / max(e.stderr_re, 1e-12) ** 2 for e in estimates])
    wi = np.array([1 / max(e.stderr_im, 1e-12) ** 2 for e in estimates])
    re = float(np.sum(wr * [e.value.real for e in estimates]) / wr.sum())
    im = float(np.sum(wi * [e.value.imag for e in estimates]) / wi.sum())
    sr, si = 1 / math.sqrt(wr.sum()), 1 / math.sqrt(wi.sum())
    return JonesEstimate(complex(re, im), sr, si, complex(re, im), sr, si)


def _conj(e: JonesEstimate) -> JonesEstimate:
    return JonesEstimate(e.value.conjugate(), e.stderr_re, e.stderr_im, e.tau.conjugate(), e.tau_stderr_re,
                         e.tau_stderr_im)  # fmt: skip


def _summary(e: JonesEstimate, exact: complex, shots: int) -> dict:
    err = abs(e.value - exact)
    return {
        "re": e.value.real,
        "im": e.value.imag,
        "stderr_re": e.stderr_re,
        "stderr_im": e.stderr_im,
        "abs_error": err,
        "rel_error": err / abs(exact) if abs(exact) > 1e-12 else float("nan"),
        "shots": shots,
    }


def mitigated_estimate(
    braid: Braid,
    *,
    closure: str = "markov",
    backend: str = "noisy",
    shots: int = 1000,
    seed: int = 0,
    noise: NoiseModel | None = None,
    target: dict | None = None,
) -> dict:
    """Raw, postselected, rescaled and symmetrised (braid + mirror) estimates side by side with the exact V.

    ``shots`` is per part per circuit; each method's entry says how many shots it used in total.
    ``target`` may pass the braid's own :func:`run_parts` result (same arguments) to avoid re-running it.

    Example::

        >>> rep = mitigated_estimate(Braid.parse("1,-2,1,-2"), backend="noiseless", shots=100, seed=0)
        >>> rep["methods"]["raw"]["shots"], rep["methods"]["symmetrised"]["shots"]
        (200, 800)
    """
    exact = exact_value(braid, closure=closure)
    kw = {"closure": closure, "backend": backend, "shots": shots, "noise": noise}
    out: dict[str, dict] = {}
    tgt = target if target is not None else run_parts(braid, seed=seed, **kw)
    ref_b, ref_runs = reference_circuit(braid)
    ref = run_parts(ref_b, seed=seed + 1, runs=ref_runs, **kw)
    ref_tau = _exact_amplitude(ref_b, closure)
    c = value_scale(braid, closure=closure)
    resc = rescale(tgt["postselected"], ref["postselected"], reference_exact_tau=ref_tau, scale=c)
    mir = braid.mirror()
    tgt_m = run_parts(mir, seed=seed + 2, **kw)
    ref_m_b, ref_m_runs = reference_circuit(mir)
    ref_m = run_parts(ref_m_b, seed=seed + 3, runs=ref_m_runs, **kw)
    resc_m = rescale(
        tgt_m["postselected"],
        ref_m["postselected"],
        reference_exact_tau=_exact_amplitude(ref_m_b, closure),
        scale=value_scale(mir, closure=closure),
    )
    sym = symmetrise([resc, _conj(resc_m)])
    out["raw"] = _summary(tgt["raw"], exact, 2 * shots)
    out["postselected"] = _summary(tgt["postselected"], exact, 2 * shots)
    out["rescaled"] = _summary(resc, exact, 4 * shots)
    out["symmetrised"] = _summary(sym, exact, 8 * shots)
    return {
        "braid": str(braid),
        "strands": braid.strands,
        "closure": closure,
        "backend": backend,
        "exact_re": exact.real,
        "exact_im": exact.imag,
        "scale": abs(value_scale(braid, closure=closure)),
        "kept_fraction": tgt["kept"],
        "reference_braid": str(ref_b),
        "two_qubit_gates_braid": 3 * len(braid_runs(braid)),
        "methods": out,
    }


# ------------------------------------------------------------------------------- interleaved design
def depolarising_fidelity(second_moment: float, cross_moment: float, *, chance: float) -> float:
    """Fidelity f of a global depolarising model from per-shot moments of the interleaved design.

    Model: with probability f a part runs ideally, otherwise its output is uniform. For the four parts of
    one shot (same string s), ``second_moment`` M = E[v²] (any part) = f(1 + A)/2 + (1 − f)·g and
    ``cross_moment`` Q = E[v_bre·v_mre − v_bim·v_mim] = f²·A, with A = E_s|⟨s|ρ(b)|s⟩|² and g = ``chance``,
    the probability that a uniform output has v ≠ 0 (2^{−n} on all shots, 1/F_{n+1} on postselected ones).
    Eliminating A: (1/2 − g)f² + (g − M)f + Q/2 = 0. Its roots are f and f·A/(1 − 2g), so the larger
    root is f whenever A < 1 − 2g (any braid whose diagonal amplitudes are not all near unit modulus; at
    15 strands 1 − 2g > 0.99) and otherwise an overestimate (the smaller correction, as the anchor's
    "minimal depolarisation" choice). Returns the larger positive root clipped to 1, or nan if none. The model is crude for local Pauli noise: a Z error on
    the Hadamard-test qubit flips v without changing v², so M overstates f and the inversion undercorrects.

    Example::

        >>> f, a, g = 0.6, 0.3, 2.0**-4
        >>> m, q = f * (1 + a) / 2 + (1 - f) * g, f * f * a
        >>> round(depolarising_fidelity(m, q, chance=g), 12)
        0.6
    """
    a2, a1, a0 = 0.5 - chance, chance - second_moment, cross_moment / 2
    if not all(math.isfinite(x) for x in (a2, a1, a0)):
        return float("nan")
    if abs(a2) < 1e-12:  # g = 1/2 (two strands, postselected): the equation is linear
        roots = [-a0 / a1] if a1 != 0 else []
    else:
        disc = a1 * a1 - 4 * a2 * a0
        if disc < 0:
            return float("nan")
        roots = [(-a1 + s * math.sqrt(disc)) / (2 * a2) for s in (1, -1)]
    ok = [r for r in roots if r > 0]
    if not ok:
        return float("nan")
    return min(1.0, max(ok))


def _interleaved_methods(v: np.ndarray, keep: np.ndarray, *, chance_all: float, chance_kept: float) -> dict:
    """τ estimates of every method from per-shot values v (shots × 4, parts in TAGS order) and the
    per-shot keep mask (all four parts postselected). Returns name → (τ, stderr_re, stderr_im)."""
    out: dict[str, tuple[complex, float, float]] = {}

    def mean_se(x: np.ndarray) -> tuple[float, float]:
        n = len(x)
        if n == 0:
            return float("nan"), float("inf")
        return float(x.mean()), (float(x.std(ddof=1)) / math.sqrt(n) if n > 1 else 1.0)

    for name, rows in (("raw", slice(None)), ("postselected", keep)):
        r, sr = mean_se(v[rows, 0])
        i, si = mean_se(v[rows, 1])
        out[name] = (complex(r, i), sr, si)
    for name, rows, g in (("conjugate", keep, chance_kept), ("conjugate_raw", slice(None), chance_all)):
        w = v[rows]
        zr, sr = mean_se(0.5 * (w[:, 0] + w[:, 2]))  # Re τ from the braid and its mirror, shot by shot
        zi, si = mean_se(0.5 * (w[:, 1] - w[:, 3]))  # Im τ: the mirror's Im is −Im τ
        out[name] = (complex(zr, zi), sr, si)
        f = depolarising_fidelity(
            float(np.mean(w**2)) if len(w) else float("nan"),
            float(np.mean(w[:, 0] * w[:, 2] - w[:, 1] * w[:, 3])) if len(w) else float("nan"),
            chance=g,
        )
        key = "depolarising" if name == "conjugate" else "depolarising_raw"
        out[key] = (
            (complex(zr, zi) / f, sr / f, si / f) if f == f else (complex("nan"), float("nan"), float("nan"))
        )
    return out


def interleaved_estimate(
    braid: Braid, data, *, closure: str = "markov", bootstrap: int = 2000, seed: int = 0
) -> dict:
    """Analyse shots of the four-part interleaved design (:class:`jones.interleaved.InterleavedShots`).

    Every shot carries, for one string s, the values v of braid Re, braid Im, mirror Re, mirror Im
    (:func:`jones.circuits.shot_values`); a shot is postselected when all four parts kept a Fibonacci
    string (as the anchor does). Methods (τ estimates turned into V by :func:`jones.circuits.value_scale`):

    * ``raw`` / ``postselected`` — the braid's two parts alone;
    * ``conjugate`` — the shot-level conjugate trick: per shot ½(v_bre + v_mre) and ½(v_bim − v_mim)
      (the mirror's value is the conjugate), averaged over postselected shots (``conjugate_raw``: all);
      a common phase error of the braid and its mirror cancels, the per-shot spread sets the error bar;
    * ``depolarising`` — ``conjugate`` divided by the fidelity of a global depolarising model fitted to
      the per-shot second moments (:func:`depolarising_fidelity`; ``depolarising_raw`` on all shots).

    Each method gets its value, standard errors, |Δ| and relative error against the exact value, and the
    standard deviation of the relative error over ``bootstrap`` resamples of the shots (seeded).

    Example::

        >>> from jones.interleaved import interleaved_test, run_interleaved
        >>> b = Braid.parse("1,1,1")
        >>> rep = interleaved_estimate(b, run_interleaved(interleaved_test(b), shots=200, seed=1), bootstrap=20)
        >>> sorted(rep["methods"])[:3], rep["methods"]["raw"]["shots"]
        (['conjugate', 'conjugate_raw', 'depolarising'], 200)
    """
    from jones.fibonacci import fibonacci_number

    exact = exact_value(braid, closure=closure)
    c = value_scale(braid, closure=closure)
    values, keeps = [], []
    for k in range(4):
        p = data.part(k)
        v, keep = shot_values(p.strings, p.outcomes)
        values.append(v)
        keeps.append(keep)
    v = np.stack(values, axis=1).astype(float)
    keep = np.all(np.stack(keeps, axis=1), axis=1)
    n = braid.strands
    chance_all = 2.0**-n
    chance_kept = 1.0 / fibonacci_number(n + 1)  # F_{n+1} Fibonacci strings (x_0 = 0, x_1 = 1) on n+1 labels
    kw = {"chance_all": chance_all, "chance_kept": chance_kept}
    est = _interleaved_methods(v, keep, **kw)
    rng = np.random.default_rng(seed)
    boots: dict[str, list[float]] = {name: [] for name in est}
    for _ in range(bootstrap):
        idx = rng.integers(0, len(v), len(v))
        for name, (tau, _, _) in _interleaved_methods(v[idx], keep[idx], **kw).items():
            boots[name].append(abs(c * tau - exact) / abs(exact))
    shots = int(len(v))
    methods = {}
    for name, (tau, sr, si) in est.items():
        used = int(keep.sum()) if name in ("postselected", "conjugate", "depolarising") else shots
        e = combine_parts(braid, re=PartEstimate(tau.real, sr, used, shots), im=PartEstimate(tau.imag, si, used, shots),
                          closure=closure)  # fmt: skip
        m = _summary(e, exact, used)
        b = np.array(boots[name], dtype=float)
        b = b[np.isfinite(b)]
        m["rel_error_boot_sd"] = float(b.std(ddof=1)) if len(b) > 1 else float("nan")
        m["bootstrap_resamples"] = int(len(b))
        methods[name] = m
    fid = {
        "kept": depolarising_fidelity(float(np.mean(v[keep] ** 2)), float(np.mean(v[keep, 0] * v[keep, 2] - v[keep, 1] * v[keep, 3])), chance=chance_kept),
        "all": depolarising_fidelity(float(np.mean(v**2)), float(np.mean(v[:, 0] * v[:, 2] - v[:, 1] * v[:, 3])), chance=chance_all),
    }  # fmt: skip
    return {
        "braid": str(braid),
        "strands": n,
        "closure": closure,
        "design": "interleaved",
        "shots": shots,
        "exact_re": exact.real,
        "exact_im": exact.imag,
        "scale": abs(c),
        "kept_fraction": float(keep.mean()),
        "kept_fraction_parts": [float(k.mean()) for k in keeps],
        "fidelity": fid,
        "methods": methods,
    }
