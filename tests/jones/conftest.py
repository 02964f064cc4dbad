"""Jones test fixtures: no test can reach Quantinuum Nexus.

Every test runs without the FTQ_JONES_NEXUS opt-in and with ``qnexus`` replaced by a module that fails the
test on first use; tests that exercise submission pass a :class:`FakeNexus` transport explicitly (the
``fake_nexus`` fixture also makes it the CLI's transport).
"""

from __future__ import annotations

import sys
import types

import pytest

from jones import nexus
from tests.jones.fake_nexus import FakeNexus


class _NoNexus(types.ModuleType):
    def __getattr__(self, name):
        raise AssertionError(f"a test reached for qnexus.{name}: pass a fake transport instead")


@pytest.fixture(autouse=True)
def _no_network_submission(monkeypatch):
    monkeypatch.delenv(nexus.OPT_IN_ENV, raising=False)
    monkeypatch.setitem(sys.modules, "qnexus", _NoNexus("qnexus"))


@pytest.fixture
def fake_nexus(monkeypatch) -> FakeNexus:
    """A scripted Nexus, also returned by ``jones.nexus.default_transport`` (so the CLI uses it)."""
    fake = FakeNexus()
    monkeypatch.setattr(nexus, "default_transport", lambda: fake)
    return fake
