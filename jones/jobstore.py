"""A local SQLite job store: every job is written down *before* it is sent, so no paid job is ever lost.

A job is one part ("re" or "im") of one Hadamard test: braid, closure, device, shots, seed, the circuit
(pytket JSON), a unique name (also used as the job name on Quantinuum Nexus, so a job whose handle was lost
in a crash can be found again), status, handle, message and results. Statuses:

* ``not sent`` — recorded, not (successfully) sent; ``sending`` — a send was started (crash window);
* ``running`` — a local emulation was started; ``submitted`` — accepted by Nexus, handle stored;
* ``completed`` — results stored (fetching again returns them unchanged: idempotent).

Every state change is one SQLite transaction (rollback journal, synchronous=FULL): a ``kill -9`` at any
point leaves either the old or the new row, never a half-written one. Devices: ``H2-1``, ``H2-2`` (sent
through ``qnexus``, credentials from its own login, never stored here) and the local emulators
``local-noiseless`` / ``local-noisy``.

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
import os
import sqlite3
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ftq.errors import InputError
from jones.braids import Braid
from jones.circuits import hadamard_test

__all__ = ["LOCAL_DEVICES", "HARDWARE_DEVICES", "Job", "JobStore", "default_store_path"]

LOCAL_DEVICES: tuple[str, ...] = ("local-noiseless", "local-noisy")
HARDWARE_DEVICES: tuple[str, ...] = ("H2-1", "H2-2")

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
    results TEXT
)
"""


def default_store_path() -> Path:
    """``$FTQ_JONES_JOBS`` or ``~/.ftq/jones-jobs.sqlite``.

    Example::

        >>> default_store_path().name.endswith(".sqlite")
        True
    """
    env = os.environ.get("FTQ_JONES_JOBS")
    return Path(env) if env else Path.home() / ".ftq" / "jones-jobs.sqlite"


@dataclass(frozen=True)
class Job:
    """One stored job (a row of the store).

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

    @property
    def braid_obj(self) -> Braid:
        """The job's braid.

        Example::

            >>> Job(1, "n", "b", 0.0, "[1]", 2, "markov", "re", "H2-1", 1, 0, "not sent",
            ...     None, None, None).braid_obj.strands
            2
        """
        return Braid.parse(self.braid, strands=self.strands)

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


_COLUMNS = (
    "id, name, batch, created, braid, strands, closure, part, device, shots, seed, status, handle, "
    "message, results"
)


def _encode(strings: np.ndarray, outcomes: np.ndarray) -> str:
    return json.dumps(
        {
            "strings": ["".join(map(str, row)) for row in strings.tolist()],
            "outcomes": ["".join(map(str, row)) for row in outcomes.tolist()],
        }
    )


class JobStore:
    """The SQLite job store at ``path`` (created on first use).

    Example::

        >>> import tempfile, os
        >>> JobStore(os.path.join(tempfile.mkdtemp(), "j.sqlite")).list()
        []
    """

    def __init__(self, path: str | os.PathLike | None = None) -> None:
        self.path = Path(path) if path is not None else default_store_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as con:
            con.execute(_SCHEMA)

    def _connect(self) -> _Tx:
        con = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        con.execute("PRAGMA synchronous=FULL")
        return _Tx(con)

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
            row = con.execute(f"SELECT {_COLUMNS} FROM jobs WHERE id = ?", (int(job_id),)).fetchone()
        if row is None:
            raise InputError(f"job {job_id} is not in the store; `ftq jones jobs` lists the stored ids.")
        return Job(*row)

    def list(self) -> list[Job]:
        """All jobs, oldest first.

        Example::

            >>> import tempfile, os
            >>> len(JobStore(os.path.join(tempfile.mkdtemp(), "j.sqlite")).list())
            0
        """
        with self._connect() as con:
            rows = con.execute(f"SELECT {_COLUMNS} FROM jobs ORDER BY id").fetchall()
        return [Job(*r) for r in rows]

    def batch(self, batch: str) -> list[Job]:
        """Jobs of one submission (the re and im parts of one braid).

        Example::

            >>> import tempfile, os
            >>> JobStore(os.path.join(tempfile.mkdtemp(), "j.sqlite")).batch("x")
            []
        """
        with self._connect() as con:
            rows = con.execute(
                f"SELECT {_COLUMNS} FROM jobs WHERE batch = ? ORDER BY id", (batch,)
            ).fetchall()
        return [Job(*r) for r in rows]

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
            row = con.execute("SELECT circuit FROM jobs WHERE id = ?", (int(job_id),)).fetchone()
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
        self, braid: Braid, *, closure: str, part: str, device: str, shots: int, seed: int, batch: str
    ) -> int:
        """Write a new job with status "not sent" (the circuit is built and stored first); returns its id.

        Example::

            >>> import tempfile, os
            >>> s = JobStore(os.path.join(tempfile.mkdtemp(), "j.sqlite"))
            >>> jid = s.record(Braid.parse("1,1,1"), closure="markov", part="re", device="H2-1", shots=10,
            ...                seed=0, batch="b")
            >>> s.get(jid).status
            'not sent'
        """
        if device not in LOCAL_DEVICES + HARDWARE_DEVICES:
            raise InputError(
                f"device {device!r} is not one of {', '.join(LOCAL_DEVICES + HARDWARE_DEVICES)}."
            )
        if not isinstance(shots, int) or shots < 1:
            raise InputError(f"shots {shots!r} must be a positive integer.")
        test = hadamard_test(braid, closure=closure, part=part)
        circuit = json.dumps(test.to_pytket().to_dict())
        name = f"ftq-jones-{uuid.uuid4()}"
        now = time.time()
        with self._connect() as con:
            cur = con.execute(
                "INSERT INTO jobs (name, batch, created, updated, braid, strands, closure, part, device, "
                "shots, seed, circuit, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'not sent')",
                (
                    name,
                    batch,
                    now,
                    now,
                    str(braid),
                    braid.strands,
                    closure,
                    part,
                    device,
                    shots,
                    seed,
                    circuit,
                ),
            )
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
    ) -> list[int]:
        """Record one job per part, then send each (local devices run at once). Returns the job ids.

        Example::

            >>> import tempfile, os
            >>> s = JobStore(os.path.join(tempfile.mkdtemp(), "j.sqlite"))
            >>> len(s.submit(Braid.parse("1,-2,1,-2"), device="local-noiseless", shots=20, parts=("re",)))
            1
        """
        batch = f"batch-{uuid.uuid4()}"
        ids = [
            self.record(
                braid, closure=closure, part=p, device=device, shots=shots, seed=seed + k, batch=batch
            )
            for k, p in enumerate(parts)
        ]
        for jid in ids:
            self.send(jid, optimisation_level=optimisation_level)
        return ids

    def send(self, job_id: int, *, optimisation_level: int = 2) -> Job:
        """Send a recorded job: run it locally, or compile offline and start it on Nexus.

        Without credentials or network the job stays "not sent" and ``message`` says why in one sentence.

        Example::

            >>> import tempfile, os
            >>> s = JobStore(os.path.join(tempfile.mkdtemp(), "j.sqlite"))
            >>> jid = s.record(Braid.parse("1,1,1"), closure="markov", part="im", device="local-noisy",
            ...                shots=20, seed=3, batch="b")
            >>> s.send(jid).status
            'completed'
        """
        job = self.get(job_id)
        if job.status in ("completed", "submitted"):
            return job
        if job.device in LOCAL_DEVICES:
            self._update(job_id, status="running")
            return self._run_local(job)
        self._update(job_id, status="sending")
        try:
            handle = _nexus_send(job, self.circuit_json(job_id), optimisation_level=optimisation_level)
        except Exception as e:  # network, login, service: the job stays recorded
            self._update(job_id, status="not sent", message=_one_sentence(e))
            return self.get(job_id)
        self._update(job_id, status="submitted", handle=handle, message=None)
        return self.get(job_id)

    def _run_local(self, job: Job) -> Job:
        from jones.quantinuum import run_local

        test = hadamard_test(job.braid_obj, closure=job.closure, part=job.part)
        backend = job.device.removeprefix("local-")
        data = run_local(test, shots=job.shots, backend=backend, seed=job.seed)
        self._update(job.id, status="completed", results=_encode(data.strings, data.outcomes), message=None)
        return self.get(job.id)

    # --------------------------------------------------------------------------------- results
    def fetch(self, job_id: int) -> Job:
        """Bring a job's results into the store if they are available; idempotent.

        Completed jobs are returned unchanged; interrupted local runs are re-run (same seed, same result);
        Nexus jobs are looked up by handle, or by name if a crash lost the handle.

        Example::

            >>> import tempfile, os
            >>> s = JobStore(os.path.join(tempfile.mkdtemp(), "j.sqlite"))
            >>> jid = s.submit(Braid.parse("1,1,1"), device="local-noiseless", shots=10, parts=("re",))[0]
            >>> s.fetch(jid).results == s.fetch(jid).results
            True
        """
        job = self.get(job_id)
        if job.status == "completed":
            return job
        if job.device in LOCAL_DEVICES:
            return self._run_local(job)
        if job.status == "not sent":
            return job
        try:
            handle, status, data = _nexus_fetch(job)
        except Exception as e:
            self._update(job_id, message=_one_sentence(e))
            return self.get(job_id)
        if data is None:
            self._update(job_id, status="submitted", handle=handle, message=f"Nexus status: {status}.")
        else:
            self._update(job_id, status="completed", handle=handle, results=_encode(*data), message=None)
        return self.get(job_id)


class _Tx:
    """One IMMEDIATE transaction per ``with`` block: commit on success, rollback on error."""

    def __init__(self, con: sqlite3.Connection) -> None:
        self.con = con

    def __enter__(self) -> sqlite3.Connection:
        self.con.execute("BEGIN IMMEDIATE")
        return self.con

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            self.con.execute("ROLLBACK" if exc_type else "COMMIT")
        finally:
            self.con.close()


def _one_sentence(e: Exception) -> str:
    kind = type(e).__name__
    text = " ".join(str(e).split())[:200]
    if "Connect" in kind or "Network" in kind or "Timeout" in kind or "Name or service" in text:
        return f"Quantinuum Nexus is not reachable from here ({kind}: {text}); the job is kept as not sent."
    if "Auth" in kind or "auth" in text.lower() or "token" in text.lower() or "login" in text.lower():
        return f"No Quantinuum Nexus login is available ({kind}); run `qnx login` and send again."
    return f"Sending to Quantinuum Nexus failed ({kind}: {text})."


def _nexus_send(job: Job, circuit_json: str, *, optimisation_level: int) -> str:
    """Compile offline, upload and start the execute job on Nexus; returns the job id."""
    import qnexus as qnx
    from pytket import Circuit

    from jones.quantinuum import compile_circuit

    circuit = Circuit.from_dict(json.loads(circuit_json))
    compiled = compile_circuit(circuit, device=job.device, optimisation_level=optimisation_level)
    project = qnx.projects.get_or_create(name="ftq-jones")
    cref = qnx.circuits.upload(circuit=compiled, project=project, name=job.name)
    ref = qnx.start_execute_job(
        programs=[cref],
        n_shots=[job.shots],
        backend_config=qnx.QuantinuumConfig(device_name=job.device),
        name=job.name,
        project=project,
    )
    return str(ref.id)


def _nexus_fetch(job: Job) -> tuple[str, str, tuple[np.ndarray, np.ndarray] | None]:
    """(handle, status text, (strings, outcomes) or None) from Nexus, finding the job by name if needed."""
    import qnexus as qnx
    from pytket import Bit

    ref = qnx.jobs.get(id=job.handle) if job.handle else qnx.jobs.get(name=job.name)
    status = qnx.jobs.status(ref)
    text = str(getattr(status, "status", status))
    if "COMPLETED" not in text.upper():
        return str(ref.id), text, None
    result = qnx.jobs.results(ref)[0].download_result()
    nq = job.strands + 1
    s = np.asarray(result.get_shots(cbits=[Bit("s", j) for j in range(nq)]), dtype=np.uint8)
    m = np.asarray(result.get_shots(cbits=[Bit("m", j) for j in range(nq)]), dtype=np.uint8)
    return str(ref.id), text, (s, m)
