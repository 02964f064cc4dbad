"""A local SQLite job store: every job is written down *before* it is sent, so no paid job is ever lost.

A job is one part ("re" or "im") of one Hadamard test: braid, closure, device, shots, seed, the circuit
(pytket JSON), a unique name (also the job's name on Quantinuum Nexus, so a job whose handle was lost in a
crash is found again), its estimated cost and cost cap in HQC, status, handle, message and results. Statuses:

* ``not sent`` — recorded, certainly not on Nexus (``ftq jones resend ID`` sends it);
* ``sending`` — a send was started and may have reached Nexus; it is reconciled by looking the job up by
  name (``results`` / ``resend`` do this) before it is ever called "not sent" or sent again;
* ``running`` — a local emulation was started (or Nexus runs the job);
* ``submitted``, ``queued``, ``retrying``, ``cancelling`` — accepted by Nexus, handle stored;
* ``completed`` — results stored (fetching again returns them unchanged: idempotent);
* ``error``, ``cancelled``, ``terminated``, ``depleted`` — Nexus ended the job without results; the message
  keeps Nexus's detail; ``resend`` sends it again under a new name.

Every state change is one SQLite transaction (rollback journal, synchronous=FULL): a ``kill -9`` at any
point leaves either the old or the new row, never a half-written one. Devices: the Quantinuum targets of
:func:`jones.nexus.targets` (``H2-1``, ``H2-2``, the emulators ``H2-1E``, ``H2-2E``, ``H2-Emulator`` …) and
the local emulators ``local-noiseless`` / ``local-noisy`` (sparse) and ``local-pecos`` (Quantinuum's
PECOS). Everything that talks to Nexus goes through the store's :class:`jones.nexus.Transport`; the
default one sends only with ``FTQ_JONES_NEXUS=1``.

Example::

    >>> import tempfile, os
    >>> from jones.braids import Braid
    >>> store = JobStore(os.path.join(tempfile.mkdtemp(), "jobs.sqlite"))
    >>> ids = store.submit(Braid.parse("1,1,1"), device="local-noiseless", shots=50, seed=1)
    >>> [store.get(i).status for i in ids]
    ['completed', 'completed']
"""

from __future__ import annotations

import json
import math
import os
import sqlite3
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ftq.errors import InputError
from jones import nexus
from jones.braids import Braid
from jones.circuits import hadamard_test

__all__ = [
    "LOCAL_DEVICES",
    "LOCAL_MAX_SHOTS",
    "STATUSES",
    "Job",
    "JobStore",
    "default_store_path",
    "describe_status",
]

#: Local emulators: the sparse emulator without and with H2-2's noise, and Quantinuum's PECOS emulator with
#: H2-2's noise figures on the circuit compiled for H2-2 (:mod:`jones.pecos_emulator`).
LOCAL_DEVICES: tuple[str, ...] = ("local-noiseless", "local-noisy", "local-pecos")
#: Shots per part on the local emulators (about a minute of emulation for the demo braid).
LOCAL_MAX_SHOTS = 1_000_000
#: Every status a stored job can have.
STATUSES: tuple[str, ...] = ("not sent", "sending", *nexus.REMOTE_STATES)
_SEED_MAX = 2**32 - 16  # a 32-bit seed for every emulator; parts add 0, 1, …

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT UNIQUE NOT NULL,
    batch TEXT NOT NULL,
    created REAL NOT NULL,
    updated REAL NOT NULL,
    braid TEXT NOT NULL,
    strands INTEGER NOT NULL,
    closure TEXT NOT NULL,
    part TEXT NOT NULL,
    device TEXT NOT NULL,
    shots INTEGER NOT NULL,
    seed INTEGER NOT NULL,
    circuit TEXT NOT NULL,
    status TEXT NOT NULL,
    handle TEXT,
    message TEXT,
    results TEXT,
    hqc REAL,
    max_hqc REAL
)
"""
_ADDED_COLUMNS = {"hqc": "REAL", "max_hqc": "REAL"}  # columns newer than the first stores


def default_store_path() -> Path:
    """``$FTQ_JONES_JOBS`` or ``~/.ftq/jones-jobs.sqlite``.

    Example::

        >>> default_store_path().name.endswith(".sqlite")
        True
    """
    env = os.environ.get("FTQ_JONES_JOBS")
    return Path(env) if env else Path.home() / ".ftq" / "jones-jobs.sqlite"


def describe_status(status: str) -> str:
    """What a stored status means, in words a user reads.

    Example::

        >>> describe_status("depleted")
        'depleted (Nexus stopped it: no credits left)'
    """
    return {
        "not sent": "not sent",
        "sending": "sending (may have reached Nexus)",
        "submitted": "submitted to Nexus",
        "queued": "queued on Nexus",
        "retrying": "retrying on Nexus",
        "cancelling": "cancelling on Nexus",
        "error": "error (reported by Nexus)",
        "cancelled": "cancelled",
        "terminated": "terminated by Nexus",
        "depleted": "depleted (Nexus stopped it: no credits left)",
    }.get(status, status)


@dataclass(frozen=True)
class Job:
    """One stored job (a row of the store); ``hqc`` is the offline cost estimate, ``max_hqc`` the cap.

    Example::

        >>> Job(1, "n", "b", 0.0, "[1,1,1]", 2, "markov", "re", "local-noisy", 10, 0, "not sent",
        ...     None, None, None).braid_obj.crossings
        3
    """

    id: int
    name: str
    batch: str
    created: float
    braid: str
    strands: int
    closure: str
    part: str
    device: str
    shots: int
    seed: int
    status: str
    handle: str | None
    message: str | None
    results: str | None
    hqc: float | None = None
    max_hqc: float | None = None

    @property
    def braid_obj(self) -> Braid:
        """The job's braid.

        Example::

            >>> Job(1, "n", "b", 0.0, "[1]", 2, "markov", "re", "H2-1", 1, 0, "not sent",
            ...     None, None, None).braid_obj.strands
            2
        """
        return Braid.parse(self.braid, strands=self.strands)

    @property
    def local(self) -> bool:
        """Whether the job runs on a local emulator.

        Example::

            >>> Job(1, "n", "b", 0.0, "[1]", 2, "markov", "re", "H2-1E", 1, 0, "not sent",
            ...     None, None, None).local
            False
        """
        return self.device in LOCAL_DEVICES

    def shot_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """Recorded strings and outcomes as uint8 arrays (shots × (strands+1)).

        Example::

            >>> j = Job(1, "n", "b", 0.0, "[1]", 2, "markov", "re", "H2-1", 1, 0, "completed", None, None,
            ...         '{"strings": ["010"], "outcomes": ["001"]}')
            >>> j.shot_arrays()[1].tolist()
            [[0, 0, 1]]
        """
        if self.results is None:
            raise InputError(f"job {self.id} has no results yet (status {self.status!r}).")
        data = json.loads(self.results)
        s = np.array([[int(c) for c in row] for row in data["strings"]], dtype=np.uint8)
        m = np.array([[int(c) for c in row] for row in data["outcomes"]], dtype=np.uint8)
        return s, m


_FIELDS = (
    "id",
    "name",
    "batch",
    "created",
    "braid",
    "strands",
    "closure",
    "part",
    "device",
    "shots",
    "seed",
    "status",
    "handle",
    "message",
    "results",
    "hqc",
    "max_hqc",
)


def _job(row: sqlite3.Row) -> Job:
    keys = row.keys()
    return Job(*(row[k] if k in keys else None for k in _FIELDS))


def _encode(strings: np.ndarray, outcomes: np.ndarray) -> str:
    return json.dumps(
        {
            "strings": ["".join(map(str, row)) for row in strings.tolist()],
            "outcomes": ["".join(map(str, row)) for row in outcomes.tolist()],
        }
    )


def _decode_result(result, *, qubits: int) -> tuple[np.ndarray, np.ndarray]:
    """(strings, outcomes) from a pytket BackendResult of the Hadamard-test circuit (registers s and m)."""
    from pytket import Bit

    s = np.asarray(result.get_shots(cbits=[Bit("s", j) for j in range(qubits)]), dtype=np.uint8)
    m = np.asarray(result.get_shots(cbits=[Bit("m", j) for j in range(qubits)]), dtype=np.uint8)
    return s, m


def _check_job_id(job_id: int) -> int:
    if isinstance(job_id, bool) or not isinstance(job_id, int) or not 1 <= job_id < 2**63:
        raise InputError(f"job {job_id} is not in the store; `ftq jones jobs` lists the stored ids.")
    return job_id


class JobStore:
    """The SQLite job store at ``path``; Nexus is reached only through ``transport``.

    ``transport`` defaults to :func:`jones.nexus.default_transport` (no network without the
    ``FTQ_JONES_NEXUS=1`` opt-in). With ``create=False`` a missing store is an :class:`InputError` and
    nothing is created (read-only use). A path that is a directory or not an SQLite job store is refused in
    one sentence.

    Example::

        >>> import tempfile, os
        >>> JobStore(os.path.join(tempfile.mkdtemp(), "j.sqlite")).list()
        []
        >>> JobStore(os.path.join(tempfile.mkdtemp(), "none.sqlite"), create=False)
        Traceback (most recent call last):
        ...
        ftq.errors.InputError: there is no job store at .../none.sqlite; `ftq jones submit` creates it.
    """

    def __init__(
        self,
        path: str | os.PathLike | None = None,
        *,
        transport: nexus.Transport | None = None,
        create: bool = True,
    ) -> None:
        self.path = Path(path) if path is not None else default_store_path()
        self.transport = transport if transport is not None else nexus.default_transport()
        if self.path.is_dir():
            raise InputError(
                f"the job store {self.path} is a directory; give a file path (e.g. jobs.sqlite)."
            )
        if not self.path.exists():
            if not create:
                raise InputError(f"there is no job store at {self.path}; `ftq jones submit` creates it.")
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except (FileExistsError, NotADirectoryError) as e:
                raise InputError(f"the job store's folder {self.path.parent} is a file, not a folder.") from e
            except OSError as e:
                raise InputError(
                    f"cannot create the job store's folder {self.path.parent} ({e.strerror})."
                ) from e
        with self._connect() as con:
            if create:
                con.execute(_SCHEMA)
            have = {r[1] for r in con.execute("PRAGMA table_info(jobs)").fetchall()}
            if not have:
                raise InputError(f"{self.path} is an SQLite file without a jobs table, not a job store.")
            for col, kind in _ADDED_COLUMNS.items():
                if col not in have:
                    con.execute(f"ALTER TABLE jobs ADD COLUMN {col} {kind}")

    def _connect(self) -> _Tx:
        try:
            con = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            con.row_factory = sqlite3.Row
            con.execute("PRAGMA synchronous=FULL")
            return _Tx(con, self.path)
        except sqlite3.Error as e:
            raise _store_error(self.path, e) from e

    # --------------------------------------------------------------------------------- rows
    def get(self, job_id: int) -> Job:
        """The job with this id.

        Example::

            >>> import tempfile, os
            >>> JobStore(os.path.join(tempfile.mkdtemp(), "j.sqlite")).get(7)
            Traceback (most recent call last):
            ...
            ftq.errors.InputError: job 7 is not in the store; `ftq jones jobs` lists the stored ids.
        """
        with self._connect() as con:
            row = con.execute("SELECT * FROM jobs WHERE id = ?", (_check_job_id(job_id),)).fetchone()
        if row is None:
            raise InputError(f"job {job_id} is not in the store; `ftq jones jobs` lists the stored ids.")
        return _job(row)

    def list(self) -> list[Job]:
        """All jobs, oldest first.

        Example::

            >>> import tempfile, os
            >>> len(JobStore(os.path.join(tempfile.mkdtemp(), "j.sqlite")).list())
            0
        """
        with self._connect() as con:
            rows = con.execute("SELECT * FROM jobs ORDER BY id").fetchall()
        return [_job(r) for r in rows]

    def batch(self, batch: str) -> list[Job]:
        """Jobs of one submission (the re and im parts of one braid).

        Example::

            >>> import tempfile, os
            >>> JobStore(os.path.join(tempfile.mkdtemp(), "j.sqlite")).batch("x")
            []
        """
        with self._connect() as con:
            rows = con.execute("SELECT * FROM jobs WHERE batch = ? ORDER BY id", (batch,)).fetchall()
        return [_job(r) for r in rows]

    def circuit_json(self, job_id: int) -> str:
        """The stored pytket circuit (JSON) of a job, exactly as recorded before sending.

        Example::

            >>> import tempfile, os
            >>> s = JobStore(os.path.join(tempfile.mkdtemp(), "j.sqlite"))
            >>> jid = s.record(Braid.parse("1"), closure="markov", part="re", device="H2-1", shots=1, seed=0,
            ...                batch="b")
            >>> '"qubits"' in s.circuit_json(jid)
            True
        """
        with self._connect() as con:
            row = con.execute("SELECT circuit FROM jobs WHERE id = ?", (_check_job_id(job_id),)).fetchone()
        if row is None:
            raise InputError(f"job {job_id} is not in the store; `ftq jones jobs` lists the stored ids.")
        return row[0]

    def _update(self, job_id: int, **fields) -> None:
        cols = ", ".join(f"{k} = ?" for k in fields)
        with self._connect() as con:
            con.execute(
                f"UPDATE jobs SET {cols}, updated = ? WHERE id = ?", (*fields.values(), time.time(), job_id)
            )

    def record(
        self,
        braid: Braid,
        *,
        closure: str,
        part: str,
        device: str,
        shots: int,
        seed: int,
        batch: str,
        max_hqc: float | None = None,
    ) -> int:
        """Check the job offline, then write it with status "not sent" (circuit stored first); returns its id.

        Checked before anything is written: the device (a local emulator or a Quantinuum target), the
        circuit's qubits against the device, shots (1 … the device's limit, 10,000 on H2), the seed
        (0 … 2^32 − 16), and for Nexus targets the offline-compiled cost against ``max_hqc``.

        Example::

            >>> import tempfile, os
            >>> s = JobStore(os.path.join(tempfile.mkdtemp(), "j.sqlite"))
            >>> jid = s.record(Braid.parse("1,1,1"), closure="markov", part="re", device="H2-1", shots=10,
            ...                seed=0, batch="b")
            >>> s.get(jid).status, s.get(jid).hqc
            ('not sent', 5.22)
            >>> s.record(Braid.parse("1"), closure="markov", part="re", device="H2-1E", shots=20_000, seed=0,
            ...          batch="b")
            Traceback (most recent call last):
            ...
            ftq.errors.InputError: shots 20000 is outside 1 … 10000 for H2-1E.
        """
        self._check(device=device, shots=shots, seed=seed, max_hqc=max_hqc)
        test = hadamard_test(braid, closure=closure, part=part)
        cost = None
        if device not in LOCAL_DEVICES:
            cost = _cost(
                _compile(test.to_pytket(), device=device), device=device, shots=shots, max_hqc=max_hqc
            )
        return self._insert(braid, test=test, device=device, shots=shots, seed=seed, batch=batch, hqc=cost,
                            max_hqc=max_hqc)  # fmt: skip

    @staticmethod
    def _check(*, device: str, shots: int, seed: int, max_hqc: float | None) -> None:
        limit = LOCAL_MAX_SHOTS if device in LOCAL_DEVICES else _target(device).max_shots
        if isinstance(shots, bool) or not isinstance(shots, int) or not 1 <= shots <= limit:
            raise InputError(f"shots {shots!r} is outside 1 … {limit} for {device}.")
        if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= _SEED_MAX:
            raise InputError(f"seed {seed!r} is outside 0 … {_SEED_MAX}.")
        if max_hqc is not None and not 0 < max_hqc < math.inf:
            raise InputError(f"--max-hqc {max_hqc!r} must be a positive, finite number of HQC.")

    def _insert(
        self, braid: Braid, *, test, device: str, shots: int, seed: int, batch: str, hqc, max_hqc
    ) -> int:
        circuit = json.dumps(test.to_pytket().to_dict())
        name = f"ftq-jones-{uuid.uuid4()}"
        now = time.time()
        with self._connect() as con:
            cur = con.execute(
                "INSERT INTO jobs (name, batch, created, updated, braid, strands, closure, part, device, "
                "shots, seed, circuit, status, hqc, max_hqc) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'not sent', ?, ?)",
                (name, batch, now, now, str(braid), braid.strands, test.closure, test.part, device, shots,
                 seed, circuit, hqc, max_hqc),
            )  # fmt: skip
            return int(cur.lastrowid)

    # --------------------------------------------------------------------------------- sending
    def submit(
        self,
        braid: Braid,
        *,
        closure: str = "markov",
        device: str = "local-noisy",
        shots: int = 1000,
        seed: int = 0,
        parts: tuple[str, ...] = ("re", "im"),
        optimisation_level: int = 2,
        max_hqc: float | None = None,
    ) -> list[int]:
        """Record one job per part, then send each (local devices run at once). Returns the job ids.

        Every part is checked (device, qubits, shots, seed, cost against ``max_hqc``) before the first is
        recorded, so a refused submission leaves nothing behind.

        Example::

            >>> import tempfile, os
            >>> s = JobStore(os.path.join(tempfile.mkdtemp(), "j.sqlite"))
            >>> len(s.submit(Braid.parse("1,-2,1,-2"), device="local-noiseless", shots=20, parts=("re",)))
            1
        """
        from pytket import Circuit

        self._check(device=device, shots=shots, seed=seed, max_hqc=max_hqc)
        planned = []
        for p in parts:  # every part is checked (and compiled, for Nexus) before anything is written
            test = hadamard_test(braid, closure=closure, part=p)
            cost = None
            if device not in LOCAL_DEVICES:
                # compiled from the circuit as stored (JSON), exactly what a later resend compiles
                stored = Circuit.from_dict(json.loads(json.dumps(test.to_pytket().to_dict())))
                compiled = _compile(stored, device=device, optimisation_level=optimisation_level)
                cost = _cost(compiled, device=device, shots=shots, max_hqc=max_hqc)
            planned.append((test, cost, compiled if device not in LOCAL_DEVICES else None))
        batch = f"batch-{uuid.uuid4()}"
        ids = [
            self._insert(
                braid,
                test=test,
                device=device,
                shots=shots,
                seed=seed + k,
                batch=batch,
                hqc=cost,
                max_hqc=max_hqc,
            )  # fmt: skip
            for k, (test, cost, _) in enumerate(planned)
        ]
        for jid, (_, _, compiled) in zip(ids, planned, strict=True):
            if compiled is None:
                self.send(jid, optimisation_level=optimisation_level)
            else:  # compiled once, for the check above and for sending
                self._send_compiled(self.get(jid), compiled)
        return ids

    def send(self, job_id: int, *, optimisation_level: int = 2) -> Job:
        """Send a recorded job: run it locally, or compile offline and start it through the transport.

        A job that may already be on Nexus (status "sending") is first looked up by name; a job Nexus has
        is never sent twice. If the transport says nothing reached Nexus the job stays "not sent" with a
        one-sentence reason; if the send failed after it may have reached Nexus, the job is looked up by
        name: found → "submitted", not found → "not sent", lookup failed → stays "sending".

        Example::

            >>> import tempfile, os
            >>> s = JobStore(os.path.join(tempfile.mkdtemp(), "j.sqlite"))
            >>> jid = s.record(Braid.parse("1,1,1"), closure="markov", part="im", device="local-noisy",
            ...                shots=20, seed=3, batch="b")
            >>> s.send(jid).status
            'completed'
        """
        job = self.get(job_id)
        if job.local:
            if job.status == "completed":
                return job
            self._update(job_id, status="running")
            return self._run_local(job)
        if job.status == "sending":
            job = self._reconcile(job)
        if job.status != "not sent":
            return job
        from pytket import Circuit

        circuit = Circuit.from_dict(json.loads(self.circuit_json(job_id)))
        return self._send_compiled(
            job, _compile(circuit, device=job.device, optimisation_level=optimisation_level)
        )

    def _send_compiled(self, job: Job, compiled) -> Job:
        """Check the cost cap, mark the job "sending", and start it through the transport."""
        job_id = job.id
        _cost(compiled, device=job.device, shots=job.shots, max_hqc=job.max_hqc)
        request = nexus.SendRequest(job.name, job.device, compiled, job.shots, job.max_hqc)
        self._update(job_id, status="sending", message=None)
        try:
            handle = self.transport.send(request)
        except nexus.NotSent as e:
            self._update(job_id, status="not sent", message=_not_sent(job_id, nexus.describe(e)))
            return self.get(job_id)
        except Exception as e:  # the job may exist on Nexus: look it up before calling it not sent
            return self._reconcile(self.get(job_id), cause=nexus.describe(e))
        self._update(job_id, status="submitted", handle=handle, message=None)
        return self.get(job_id)

    def _reconcile(self, job: Job, *, cause: str | None = None) -> Job:
        """Settle a "sending" job by looking it up on Nexus by name."""
        try:
            handle = self.transport.find(job.name)
        except Exception as e:
            why = (
                f"the send may have reached Nexus ({cause.rstrip('.')})"
                if cause
                else "a send was interrupted"
            )
            self._update(
                job.id,
                status="sending",
                message=f"{why} and looking it up by name failed: {nexus.describe(e).rstrip('.')}; "
                f"`ftq jones resend {job.id}` looks again before sending.",
            )
            return self.get(job.id)
        if handle is None:
            why = (
                f"sending failed ({cause.rstrip('.')})"
                if cause
                else "an interrupted send never reached Nexus"
            )
            self._update(
                job.id, status="not sent", message=_not_sent(job.id, f"{why}; Nexus has no job {job.name}.")
            )
        else:
            self._update(job.id, status="submitted", handle=handle, message=None)
        return self.get(job.id)

    def resend(self, job_id: int, *, optimisation_level: int = 2) -> Job:
        """Send a job again: one "not sent", one whose send was interrupted ("sending": looked up by name
        first, never sent twice), or one Nexus ended without results (sent again under a new name).

        Example::

            >>> import tempfile, os
            >>> s = JobStore(os.path.join(tempfile.mkdtemp(), "j.sqlite"))
            >>> jid = s.submit(Braid.parse("1,1,1"), device="local-noiseless", shots=10, parts=("re",))[0]
            >>> s.resend(jid)
            Traceback (most recent call last):
            ...
            ftq.errors.InputError: job 1 is completed; only jobs not sent, interrupted while sending, or ended by Nexus without results (error, cancelled, terminated, depleted) are resent.
        """
        job = self.get(job_id)
        if job.local and job.status in ("not sent", "running"):
            return self.send(job_id, optimisation_level=optimisation_level)
        if not job.local and job.status in nexus.FAILED_STATES:
            old = f"previous attempt {job.name} ({job.handle}) ended {job.status}"
            self._update(
                job_id, status="not sent", name=f"ftq-jones-{uuid.uuid4()}", handle=None, message=old
            )
            return self.send(job_id, optimisation_level=optimisation_level)
        if not job.local and job.status in ("not sent", "sending"):
            return self.send(job_id, optimisation_level=optimisation_level)
        raise InputError(
            f"job {job_id} is {job.status}; only jobs not sent, interrupted while sending, or ended by Nexus "
            f"without results ({', '.join(nexus.FAILED_STATES)}) are resent."
        )

    def _run_local(self, job: Job) -> Job:
        from jones.quantinuum import run_local

        try:
            test = hadamard_test(job.braid_obj, closure=job.closure, part=job.part)
            if job.device == "local-pecos":
                from jones.pecos_emulator import run_pecos

                data = run_pecos(test, shots=job.shots, device="H2-2", seed=job.seed)
            else:
                data = run_local(
                    test, shots=job.shots, backend=job.device.removeprefix("local-"), seed=job.seed
                )
        except BaseException as e:  # the job is not left "running" (a kill -9 still leaves it to re-run)
            self._update(
                job.id, status="not sent", message=f"the local run failed ({type(e).__name__}: {e})."
            )
            raise
        self._update(job.id, status="completed", results=_encode(data.strings, data.outcomes), message=None)
        return self.get(job.id)

    # --------------------------------------------------------------------------------- results
    def fetch(self, job_id: int) -> Job:
        """Bring a job's state and results into the store; idempotent.

        Completed jobs and jobs Nexus ended are returned unchanged; interrupted local runs are re-run (same
        seed, same result); an interrupted send is reconciled by name; other Nexus jobs are asked for their
        state, which is stored with its detail (results once completed).

        Example::

            >>> import tempfile, os
            >>> s = JobStore(os.path.join(tempfile.mkdtemp(), "j.sqlite"))
            >>> jid = s.submit(Braid.parse("1,1,1"), device="local-noiseless", shots=10, parts=("re",))[0]
            >>> s.fetch(jid).results == s.fetch(jid).results
            True
        """
        job = self.get(job_id)
        if job.status == "completed" or job.status in nexus.FAILED_STATES:
            return job
        if job.local:
            if job.status == "not sent":
                return job
            return self._run_local(job)
        if job.status == "sending":
            job = self._reconcile(job)
        if job.status in ("not sent", "sending"):
            return job
        try:
            remote = self.transport.status(job.handle)
            if remote.state == "completed":
                data = _decode_result(self.transport.results(job.handle), qubits=job.strands + 1)
        except Exception as e:
            self._update(job_id, message=f"the state could not be read: {nexus.describe(e)}")
            return self.get(job_id)
        if remote.state == "completed":
            self._update(job_id, status="completed", results=_encode(*data), message=None)
        else:
            self._update(job_id, status=remote.state, message=_remote_message(job_id, remote))
        return self.get(job_id)


def _compile(circuit, *, device: str, optimisation_level: int = 2):
    """Compile offline for the device (an emulator: for its parent machine); qubits checked."""
    from jones.quantinuum import compile_circuit

    return compile_circuit(circuit, device=device, optimisation_level=optimisation_level)


def _cost(compiled, *, device: str, shots: int, max_hqc: float | None) -> float:
    """The HQC of one compiled part at ``shots``; refused above ``max_hqc``."""
    from jones.quantinuum import circuit_hqc

    cost = round(circuit_hqc(compiled, shots=shots), 2)
    if max_hqc is not None and cost > max_hqc:
        raise InputError(
            f"one part costs {cost:.2f} HQC on {device} at {shots} shots, above --max-hqc {max_hqc:g}; "
            "nothing was sent."
        )
    return cost


def _target(device: str) -> nexus.Target:
    if device in LOCAL_DEVICES:
        raise AssertionError(device)
    if device not in nexus.targets():
        valid = ", ".join([*LOCAL_DEVICES, *sorted(nexus.targets())])
        raise InputError(f"device {device!r} is not one of {valid}.")
    return nexus.target(device)


def _not_sent(job_id: int, why: str) -> str:
    return f"{why.rstrip('.')}; kept as not sent (`ftq jones resend {job_id}` sends it)."


def _remote_message(job_id: int, remote: nexus.RemoteStatus) -> str | None:
    """Nexus's detail as one sentence (the state itself is the status column); a resend hint on failure."""
    detail = " ".join((remote.detail or "").split())[:300].rstrip(".")
    if remote.state not in nexus.FAILED_STATES:
        return f"Nexus: {detail}." if detail else None
    text = f"Nexus: {detail}" if detail else "Nexus gave no detail"
    return f"{text}; `ftq jones resend {job_id}` sends it again."


def _store_error(path: Path, e: sqlite3.Error) -> InputError:
    text = str(e)
    if isinstance(e, sqlite3.DatabaseError) and "not a database" in text:
        return InputError(f"{path} is not a job store (not an SQLite database).")
    return InputError(f"the job store {path} cannot be used ({text}).")


class _Tx:
    """One IMMEDIATE transaction per ``with`` block: commit on success, rollback on error.

    SQLite errors (a file that is not a database, an unwritable folder) become one-sentence InputErrors.
    """

    def __init__(self, con: sqlite3.Connection, path: Path) -> None:
        self.con = con
        self.path = path

    def __enter__(self) -> sqlite3.Connection:
        try:
            self.con.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as e:
            self.con.close()
            raise _store_error(self.path, e) from e
        return self.con

    def __exit__(self, exc_type, exc, tb) -> bool:
        try:
            self.con.execute("ROLLBACK" if exc_type else "COMMIT")
        except sqlite3.Error as e:
            if exc is None:
                raise _store_error(self.path, e) from e
        finally:
            self.con.close()
        if isinstance(exc, sqlite3.Error):
            raise _store_error(self.path, exc) from exc
        return False
