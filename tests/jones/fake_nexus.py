"""A scripted stand-in for Quantinuum Nexus, passed to the job store as its transport in tests.

It keeps jobs by handle, each with the request it was sent with, a state and detail the test sets, and a
``BackendResult`` built from the local emulator's shots (registers ``s`` and ``m``, as the real circuit).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from pytket import Bit
from pytket.backends.backendresult import BackendResult
from pytket.utils.outcomearray import OutcomeArray

from jones.nexus import RemoteStatus, SendRequest


def backend_result(strings: np.ndarray, outcomes: np.ndarray) -> BackendResult:
    """A BackendResult whose bits s[j], m[j] hold the given shots (as Nexus returns the Hadamard test)."""
    nq = strings.shape[1]
    bits = [Bit("s", j) for j in range(nq)] + [Bit("m", j) for j in range(nq)]
    readouts = np.hstack([strings, outcomes]).astype(np.uint8)
    return BackendResult(shots=OutcomeArray.from_readouts(readouts.tolist()), c_bits=bits)


@dataclass
class FakeJob:
    request: SendRequest
    state: str = "submitted"
    detail: str | None = None
    result: BackendResult | None = None


@dataclass
class FakeNexus:
    """Jobs by handle; ``send_error`` is raised by the next send (after creating the job if
    ``create_on_error``), ``find_error`` by every lookup while set. Every call is counted in ``calls``."""

    jobs: dict[str, FakeJob] = field(default_factory=dict)
    send_error: BaseException | None = None
    create_on_error: bool = False
    find_error: BaseException | None = None
    calls: list[str] = field(default_factory=list)

    def send(self, request: SendRequest) -> str:
        self.calls.append("send")
        if self.send_error is not None:
            err, self.send_error = self.send_error, None
            if self.create_on_error:
                self._create(request)
            raise err
        return self._create(request)

    def _create(self, request: SendRequest) -> str:
        handle = f"nexus-{len(self.jobs) + 1}"
        self.jobs[handle] = FakeJob(request)
        return handle

    def find(self, name: str) -> str | None:
        self.calls.append("find")
        if self.find_error is not None:
            raise self.find_error
        found = [h for h, j in self.jobs.items() if j.request.name == name]
        assert len(found) <= 1, f"job {name} was sent {len(found)} times"
        return found[0] if found else None

    def status(self, handle: str) -> RemoteStatus:
        self.calls.append("status")
        job = self.jobs[handle]
        return RemoteStatus(job.state, job.detail)

    def results(self, handle: str) -> BackendResult:
        self.calls.append("results")
        job = self.jobs[handle]
        assert job.state == "completed" and job.result is not None
        return job.result

    def set(self, handle: str, state: str, detail: str | None = None, result: BackendResult | None = None):
        job = self.jobs[handle]
        job.state, job.detail, job.result = state, detail, result
