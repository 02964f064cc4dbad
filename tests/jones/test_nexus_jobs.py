"""The job store against a scripted Nexus (tests/jones/fake_nexus.py): emulator targets, every job state,
reconciliation of sends that may have reached Nexus, resend, the cost guard and the device limits."""

from __future__ import annotations

import json
import sqlite3
import sys
import types

import numpy as np
import pytest
from pytket import Circuit

from ftq.errors import InputError
from jones import nexus
from jones.braids import Braid
from jones.circuits import hadamard_test
from jones.jobstore import JobStore
from jones.nexus import FAILED_STATES, NexusTransport, NotSent, target
from jones.quantinuum import compile_circuit, compile_report, run_local
from tests.jones.fake_nexus import FakeNexus, backend_result

TREFOIL = Braid.parse("1,1,1")


def _store(tmp_path, fake: FakeNexus) -> JobStore:
    return JobStore(tmp_path / "j.sqlite", transport=fake)


def _result(part: str, shots: int = 300, seed: int = 5):
    data = run_local(hadamard_test(TREFOIL, closure="markov", part=part), shots=shots, seed=seed)
    return data, backend_result(data.strings, data.outcomes)


@pytest.mark.parametrize("device, parent", [("H2-1E", "H2-1"), ("H2-2E", "H2-2"), ("H2-Emulator", "H2-1")])
def test_emulators_are_compiled_for_their_parent_and_sent_under_their_own_name(tmp_path, device, parent):
    fake = FakeNexus()
    store = _store(tmp_path, fake)
    (jid,) = store.submit(TREFOIL, device=device, shots=100, parts=("re",), max_hqc=50)
    job = store.get(jid)
    assert job.status == "submitted" and job.handle == "nexus-1"
    (sent,) = [j.request for j in fake.jobs.values()]
    assert sent.device == device and sent.name == job.name and sent.shots == 100 and sent.max_cost == 50
    test = hadamard_test(TREFOIL, closure="markov", part="re")
    stored = Circuit.from_dict(json.loads(store.circuit_json(jid)))
    assert sent.circuit == compile_circuit(stored, device=parent)  # compiled offline for the parent
    assert job.hqc == pytest.approx(compile_report(test, device=parent, shots=100)["hqc"], abs=0.01)


def test_the_target_list_covers_the_installed_machine_list():
    from pytket.extensions.quantinuum import QuantinuumAPIOffline

    machines = QuantinuumAPIOffline().get_machine_list()
    names = {m["name"] for m in machines} | {m["emulator"] for m in machines}
    assert names | {"H2-Emulator"} == set(nexus.targets())
    assert all(target(n).max_shots == 10_000 and target(n).qubits >= 20 for n in names)


def test_every_nexus_state_is_stored_with_its_detail(tmp_path):
    fake = FakeNexus()
    store = _store(tmp_path, fake)
    jid = store.submit(TREFOIL, device="H2-1E", shots=300, parts=("re",))[0]
    for state in ("submitted", "queued", "running", "retrying", "cancelling"):
        fake.set("nexus-1", state, f"detail of {state}")
        job = store.fetch(jid)
        assert job.status == state and f"detail of {state}" in job.message and "Enum" not in job.message
    for state in FAILED_STATES:
        fake.set("nexus-1", state, f"why {state}")
        job = store.fetch(jid)
        assert job.status == state and f"why {state}" in job.message and f"resend {jid}" in job.message
        calls = len(fake.calls)
        assert store.fetch(jid) == job and len(fake.calls) == calls  # final: not asked again
        store._update(jid, status="running")  # back to a waiting state for the next final state
    data, result = _result("re")
    fake.set("nexus-1", "completed", None, result)
    job = store.fetch(jid)
    assert job.status == "completed" and job.message is None
    s, m = job.shot_arrays()
    assert np.array_equal(s, data.strings) and np.array_equal(m, data.outcomes)
    calls = len(fake.calls)
    assert store.fetch(jid) == job and len(fake.calls) == calls  # idempotent, Nexus not asked again


def test_failed_jobs_are_resent_under_a_new_name(tmp_path):
    fake = FakeNexus()
    store = _store(tmp_path, fake)
    jid = store.submit(TREFOIL, device="H2-1", shots=10, parts=("im",))[0]
    first = store.get(jid)
    fake.set(first.handle, "depleted", "no credits")
    assert store.fetch(jid).status == "depleted"
    again = store.resend(jid)
    assert again.status == "submitted" and again.handle == "nexus-2" and again.name != first.name
    assert fake.jobs["nexus-2"].request.name == again.name
    with pytest.raises(InputError, match="submitted; only jobs"):
        store.resend(jid)


def test_a_send_that_reached_nexus_is_found_by_name_and_never_sent_twice(tmp_path):
    fake = FakeNexus(send_error=TimeoutError("read timed out"), create_on_error=True)
    store = _store(tmp_path, fake)
    jid = store.submit(TREFOIL, device="H2-2", shots=10, parts=("re",))[0]
    job = store.get(jid)
    assert job.status == "submitted" and job.handle == "nexus-1" and len(fake.jobs) == 1
    assert fake.calls == ["send", "find"]


def test_a_send_that_did_not_reach_nexus_is_not_sent_after_the_lookup(tmp_path):
    fake = FakeNexus(send_error=TimeoutError("read timed out"))
    store = _store(tmp_path, fake)
    jid = store.submit(TREFOIL, device="H2-2", shots=10, parts=("re",))[0]
    job = store.get(jid)
    assert job.status == "not sent" and "read timed out" in job.message and job.name in job.message
    assert fake.calls == ["send", "find"] and not fake.jobs
    assert store.resend(jid).status == "submitted" and len(fake.jobs) == 1


def test_a_certain_failure_is_not_sent_without_a_lookup(tmp_path):
    fake = FakeNexus(send_error=NotSent("Quantinuum Nexus is not reachable from here."))
    store = _store(tmp_path, fake)
    jid = store.submit(TREFOIL, device="H2-2", shots=10, parts=("re",))[0]
    assert store.get(jid).status == "not sent" and fake.calls == ["send"]


def test_an_unsettled_send_stays_sending_until_the_lookup_answers(tmp_path):
    fake = FakeNexus(send_error=TimeoutError("read timed out"), create_on_error=True)
    fake.find_error = ConnectionError("network down")
    store = _store(tmp_path, fake)
    jid = store.submit(TREFOIL, device="H2-1E", shots=10, parts=("re",))[0]
    job = store.get(jid)
    assert (
        job.status == "sending" and "may have reached Nexus" in job.message and f"resend {jid}" in job.message
    )
    assert store.fetch(jid).status == "sending"  # results cannot settle it either while the lookup fails
    fake.find_error = None
    assert store.resend(jid).status == "submitted"  # found by name, not sent again
    assert len(fake.jobs) == 1 and fake.calls.count("send") == 1


def test_a_kill_during_a_send_is_reconciled_by_results(tmp_path):
    fake = FakeNexus()
    store = _store(tmp_path, fake)
    jid = store.submit(TREFOIL, device="H2-1E", shots=10, parts=("re",))[0]
    name = store.get(jid).name
    store._update(jid, status="sending", handle=None)  # what a kill -9 inside transport.send leaves
    job = store.fetch(jid)
    assert job.status == "submitted" and job.handle == "nexus-1" and job.name == name
    other = store.record(TREFOIL, closure="markov", part="im", device="H2-1E", shots=10, seed=0, batch="b")
    store._update(other, status="sending")  # killed before Nexus heard of it
    assert store.fetch(other).status == "not sent" and len(fake.jobs) == 1


def test_cost_guard_and_device_limits_refuse_before_anything_is_recorded(tmp_path):
    fake = FakeNexus()
    store = _store(tmp_path, fake)
    cost = compile_report(hadamard_test(TREFOIL, closure="markov", part="re"), device="H2-1", shots=1000)[
        "hqc"
    ]
    with pytest.raises(InputError, match=r"costs .* HQC .* above --max-hqc"):
        store.submit(TREFOIL, device="H2-1E", shots=1000, max_hqc=cost - 1)
    with pytest.raises(InputError, match="outside 1 … 10000 for H2-1"):
        store.submit(TREFOIL, device="H2-1", shots=10_001)
    with pytest.raises(InputError, match="needs 61 qubits but H2-2E has 56"):
        store.submit(Braid.parse("1", strands=60), device="H2-2E", shots=10)
    with pytest.raises(InputError, match="seed -1"):
        store.submit(TREFOIL, device="local-noisy", shots=10, seed=-1)
    with pytest.raises(InputError, match="not one of local-noiseless"):
        store.submit(TREFOIL, device="H3", shots=10)
    assert store.list() == [] and fake.calls == []
    store.submit(TREFOIL, device="H2-1E", shots=1000, max_hqc=cost + 1, parts=("re",))
    assert [j.request.max_cost for j in fake.jobs.values()] == [cost + 1]


def test_a_failed_local_run_does_not_stay_running(tmp_path, monkeypatch):
    import jones.quantinuum

    def broken(*args, **kwargs):
        raise MemoryError("no room")

    monkeypatch.setattr(jones.quantinuum, "run_local", broken)
    store = JobStore(tmp_path / "j.sqlite", transport=FakeNexus())
    with pytest.raises(MemoryError):
        store.submit(TREFOIL, device="local-noisy", shots=10, parts=("re",))
    (job,) = store.list()
    assert job.status == "not sent" and "no room" in job.message


def test_bad_store_paths_are_refused_and_read_only_use_creates_nothing(tmp_path):
    with pytest.raises(InputError, match="is a directory"):
        JobStore(tmp_path)
    garbage = tmp_path / "g.sqlite"
    garbage.write_bytes(b"not a database at all" * 100)
    with pytest.raises(InputError, match="not a job store"):
        JobStore(garbage)
    assert garbage.read_bytes() == b"not a database at all" * 100
    other = tmp_path / "o.sqlite"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(InputError, match="without a jobs table"):
        JobStore(other, create=False)
    missing = tmp_path / "new" / "dir" / "x.sqlite"
    with pytest.raises(InputError, match="no job store"):
        JobStore(missing, create=False)
    assert not (tmp_path / "new").exists()
    with pytest.raises(InputError, match="not in the store"):
        JobStore(tmp_path / "j.sqlite").get(2**70)


def test_nexus_transport_calls_qnexus_with_the_emulator_name_and_max_cost(monkeypatch):
    """The real transport against a stand-in ``qnexus`` module: the calls qnexus 0.5x documents."""
    calls: dict = {}

    class Ref:
        id = "uuid-1"

    class ZeroMatches(Exception):
        pass

    def start_execute_job(**kwargs):
        calls["start"] = kwargs
        return Ref()

    fake = types.ModuleType("qnexus")
    fake.projects = types.SimpleNamespace(get_or_create=lambda name: f"project {name}")
    fake.circuits = types.SimpleNamespace(upload=lambda circuit, project, name: ("cref", name))
    fake.QuantinuumConfig = lambda device_name: ("config", device_name)
    fake.start_execute_job = start_execute_job

    def get(name=None, id=None):
        if name == "missing":
            raise ZeroMatches()
        return Ref()

    fake.jobs = types.SimpleNamespace(get=get)
    exceptions = types.ModuleType("qnexus.exceptions")
    exceptions.ZeroMatches = ZeroMatches
    monkeypatch.setitem(sys.modules, "qnexus", fake)
    monkeypatch.setitem(sys.modules, "qnexus.exceptions", exceptions)
    t = NexusTransport()
    req = nexus.SendRequest("ftq-jones-x", "H2-1E", Circuit(2), 100, 12.5)
    assert t.send(req) == "uuid-1"
    start = calls["start"]
    assert start["backend_config"] == ("config", "H2-1E") and start["name"] == "ftq-jones-x"
    assert (
        start["n_shots"] == [100]
        and start["max_cost"] == [12.5]
        and start["programs"] == [("cref", "ftq-jones-x")]
    )
    assert t.find("ftq-jones-x") == "uuid-1" and t.find("missing") is None

    def unreachable(**kwargs):
        raise type("ConnectError", (Exception,), {})("[Errno -2] Name or service not known")

    fake.start_execute_job = unreachable
    with pytest.raises(NotSent, match="not reachable"):
        t.send(req)
    fake.start_execute_job = lambda **kw: (_ for _ in ()).throw(TimeoutError("read timed out"))
    with pytest.raises(TimeoutError):  # may have reached Nexus: not "NotSent", the store looks it up
        t.send(req)
