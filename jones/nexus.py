"""Quantinuum Nexus: the targets jobs may be sent to, and the one transport every submission goes through.

:class:`Transport` is the whole network surface of the job store (:mod:`jones.jobstore`): ``send`` starts an
execute job, ``find`` looks a job up by its name, ``status`` and ``results`` read it back. The store never
imports ``qnexus`` itself. :func:`default_transport` returns the real :class:`NexusTransport` only when the
user opts in with ``FTQ_JONES_NEXUS=1`` (a paid submission is never an accident); otherwise a
:class:`DisabledTransport` that refuses in one sentence, so a job stays "not sent" and can be resent.
Tests pass their own transport to :class:`jones.jobstore.JobStore`.

Targets (:func:`targets`) come from the machine list shipped with pytket-quantinuum (offline, no login):
each H-series machine (``H2-1``, ``H2-2``, …), its emulator (``H2-1E``, …) and the Nexus-hosted
``H2-Emulator``. An emulator is compiled offline against its parent machine and submitted under its own
name; its qubit count and shot limit are the parent's.

Example::

    >>> t = target("H2-1E")
    >>> (t.parent, t.emulator, t.qubits, t.max_shots)
    ('H2-1', True, 56, 10000)
    >>> DisabledTransport().find("ftq-jones-x")
    Traceback (most recent call last):
    ...
    jones.nexus.NotSent: Quantinuum Nexus is off here; set FTQ_JONES_NEXUS=1 to send and fetch jobs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

from ftq.errors import InputError

__all__ = [
    "OPT_IN_ENV",
    "REMOTE_STATES",
    "FINAL_STATES",
    "FAILED_STATES",
    "Target",
    "targets",
    "target",
    "SendRequest",
    "RemoteStatus",
    "NotSent",
    "Transport",
    "DisabledTransport",
    "NexusTransport",
    "default_transport",
    "describe",
]

#: Environment variable that must be "1" for :func:`default_transport` to reach Quantinuum Nexus.
OPT_IN_ENV = "FTQ_JONES_NEXUS"

#: Nexus job states (``qnexus.models.job_status.JobStatusEnum``), as stored: lower case.
REMOTE_STATES: tuple[str, ...] = (
    "submitted",
    "queued",
    "running",
    "retrying",
    "cancelling",
    "completed",
    "error",
    "cancelled",
    "terminated",
    "depleted",
)
#: States after which Nexus does nothing more with a job.
FINAL_STATES: tuple[str, ...] = ("completed", "error", "cancelled", "terminated", "depleted")
#: Final states without results (the job may be resent).
FAILED_STATES: tuple[str, ...] = ("error", "cancelled", "terminated", "depleted")

#: Nexus-hosted emulators not in pytket-quantinuum's machine list, and the machine they emulate.
_HOSTED_EMULATORS = {"H2-Emulator": "H2-1"}


@dataclass(frozen=True)
class Target:
    """A device jobs can be sent to: ``name`` as Nexus knows it, the ``parent`` machine it is compiled for,
    whether it is an ``emulator``, and the parent's ``qubits`` and ``max_shots`` per job.

    Example::

        >>> target("H2-2").qubits
        56
    """

    name: str
    parent: str
    emulator: bool
    qubits: int
    max_shots: int


@lru_cache(maxsize=1)
def targets() -> dict[str, Target]:
    """Every H-series machine in pytket-quantinuum's offline machine list, its emulator, and ``H2-Emulator``.

    Example::

        >>> {"H2-1", "H2-2", "H2-1E", "H2-2E", "H2-Emulator"} <= set(targets())
        True
    """
    from pytket.extensions.quantinuum import QuantinuumAPIOffline

    out: dict[str, Target] = {}
    for m in QuantinuumAPIOffline().get_machine_list():
        name = m["name"]
        qubits, shots = int(m["n_qubits"]), int(m["max_n_shots"])
        out[name] = Target(name, name, False, qubits, shots)
        if m.get("emulator"):
            out[m["emulator"]] = Target(m["emulator"], name, True, qubits, shots)
    for name, parent in _HOSTED_EMULATORS.items():
        if parent in out:
            p = out[parent]
            out[name] = Target(name, parent, True, p.qubits, p.max_shots)
    return out


def target(name: str) -> Target:
    """The target called ``name``; an :class:`InputError` lists the valid names otherwise.

    Example::

        >>> target("H3")
        Traceback (most recent call last):
        ...
        ftq.errors.InputError: device 'H3' is not a Quantinuum target; valid: H1-1, H1-1E, H2-1, H2-1E, H2-2, H2-2E, H2-Emulator.
    """
    found = targets().get(name)
    if found is None:
        raise InputError(
            f"device {name!r} is not a Quantinuum target; valid: {', '.join(sorted(targets()))}."
        )
    return found


@dataclass(frozen=True)
class SendRequest:
    """One execute job to start: its unique ``name``, the target ``device``, the circuit compiled offline
    for the parent machine (a pytket ``Circuit``), ``shots``, and ``max_cost`` in HQC (None: no cap).

    Example::

        >>> from pytket import Circuit
        >>> SendRequest("n", "H2-1E", Circuit(1), 10, None).shots
        10
    """

    name: str
    device: str
    circuit: Any
    shots: int
    max_cost: float | None


@dataclass(frozen=True)
class RemoteStatus:
    """A job's state on Nexus (one of :data:`REMOTE_STATES`) and its detail (error text, queue position).

    Example::

        >>> RemoteStatus("error", "out of memory").final
        True
    """

    state: str
    detail: str | None = None

    def __post_init__(self) -> None:
        if self.state not in REMOTE_STATES:
            raise InputError(f"Nexus state {self.state!r} is not one of {', '.join(REMOTE_STATES)}.")

    @property
    def final(self) -> bool:
        """Whether Nexus is done with the job.

        Example::

            >>> RemoteStatus("queued").final
            False
        """
        return self.state in FINAL_STATES


class NotSent(Exception):
    """Raised by :meth:`Transport.send` when nothing can have reached Nexus (the job certainly does not exist).

    Any other exception from ``send`` means the job *may* exist; the store then looks it up by name.
    """


class Transport(Protocol):
    """Everything the job store asks of Quantinuum Nexus."""

    def send(self, request: SendRequest) -> str:
        """Start the execute job; return its Nexus id. Raise :class:`NotSent` if nothing reached Nexus."""
        ...

    def find(self, name: str) -> str | None:
        """The Nexus id of the job called ``name``, or None if Nexus has no such job."""
        ...

    def status(self, handle: str) -> RemoteStatus:
        """The job's current state and detail."""
        ...

    def results(self, handle: str) -> Any:
        """The completed job's ``pytket.backends.backendresult.BackendResult``."""
        ...


class DisabledTransport:
    """The transport used without the ``FTQ_JONES_NEXUS=1`` opt-in: every call refuses with :class:`NotSent`.

    Example::

        >>> DisabledTransport().status("x")
        Traceback (most recent call last):
        ...
        jones.nexus.NotSent: Quantinuum Nexus is off here; set FTQ_JONES_NEXUS=1 to send and fetch jobs.
    """

    def _refuse(self) -> NotSent:
        return NotSent(f"Quantinuum Nexus is off here; set {OPT_IN_ENV}=1 to send and fetch jobs.")

    def send(self, request: SendRequest) -> str:
        """Refuse (nothing is sent)."""
        raise self._refuse()

    def find(self, name: str) -> str | None:
        """Refuse (nothing is looked up)."""
        raise self._refuse()

    def status(self, handle: str) -> RemoteStatus:
        """Refuse (nothing is looked up)."""
        raise self._refuse()

    def results(self, handle: str) -> Any:
        """Refuse (nothing is downloaded)."""
        raise self._refuse()


def _unreachable(e: BaseException) -> bool:
    """True if ``e`` says no connection was made at all (so no request reached Nexus)."""
    kind = type(e).__name__
    text = str(e)
    return kind in ("ConnectError", "ConnectTimeout", "gaierror") or "Name or service not known" in text


class NexusTransport:
    """The real transport, through ``qnexus`` (credentials from its own login, never stored by ftq).

    Jobs and circuits go to the Nexus project ``ftq-jones``; the job's name is the store's unique name.
    """

    project_name = "ftq-jones"

    def send(self, request: SendRequest) -> str:
        """Upload the compiled circuit and start the execute job (``max_cost`` per item when set)."""
        import qnexus as qnx

        try:  # no job exists before start_execute_job: a failure here is certainly "not sent"
            project = qnx.projects.get_or_create(name=self.project_name)
            cref = qnx.circuits.upload(circuit=request.circuit, project=project, name=request.name)
            config = qnx.QuantinuumConfig(device_name=request.device)
        except Exception as e:
            raise NotSent(describe(e)) from e
        try:
            ref = qnx.start_execute_job(
                programs=[cref],
                n_shots=[request.shots],
                backend_config=config,
                name=request.name,
                project=project,
                max_cost=[request.max_cost] if request.max_cost is not None else [],
            )
        except Exception as e:
            if _unreachable(e):
                raise NotSent(describe(e)) from e
            raise
        return str(ref.id)

    def find(self, name: str) -> str | None:
        """The id of the job called ``name`` (None if Nexus has none)."""
        import qnexus as qnx
        from qnexus.exceptions import ZeroMatches

        try:
            return str(qnx.jobs.get(name=name).id)
        except ZeroMatches:
            return None

    def status(self, handle: str) -> RemoteStatus:
        """The job's state (lower case) and its error detail, message or queue position."""
        import qnexus as qnx

        st = qnx.jobs.status(qnx.jobs.get(id=handle))
        state = str(getattr(st.status, "value", st.status)).lower()
        detail = st.error_detail or st.message or None
        if st.queue_position is not None:
            detail = f"position {st.queue_position} in the queue"
        return RemoteStatus(state, detail)

    def results(self, handle: str) -> Any:
        """The BackendResult of the job's single program."""
        import qnexus as qnx

        return qnx.jobs.results(qnx.jobs.get(id=handle))[0].download_result()


def default_transport() -> Transport:
    """:class:`NexusTransport` if ``FTQ_JONES_NEXUS=1``, else :class:`DisabledTransport`.

    Example::

        >>> import os
        >>> _ = os.environ.pop("FTQ_JONES_NEXUS", None)  # no opt-in
        >>> type(default_transport()).__name__
        'DisabledTransport'
    """
    return NexusTransport() if os.environ.get(OPT_IN_ENV) == "1" else DisabledTransport()


def describe(e: BaseException) -> str:
    """One sentence for an exception met while talking to Nexus.

    Example::

        >>> describe(ConnectionError("Name or service not known"))
        'Quantinuum Nexus is not reachable from here (ConnectionError: Name or service not known).'
    """
    if isinstance(e, NotSent):
        return str(e)
    kind = type(e).__name__
    text = " ".join(str(e).split())[:200].rstrip(".")
    if "Connect" in kind or "Network" in kind or "Timeout" in kind or "Name or service" in text:
        return f"Quantinuum Nexus is not reachable from here ({kind}: {text})."
    if "Auth" in kind or "token" in text.lower() or "login" in text.lower():
        return f"no Quantinuum Nexus login is available ({kind}); run `qnx login`."
    return f"Quantinuum Nexus answered with an error ({kind}: {text})."
