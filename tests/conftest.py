"""Shared pytest configuration."""

from pathlib import Path

import pytest

from cultivation.reference import ROOT as REFERENCE


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """The published reference data carried in the repository (``cultivation/reference``: ``rp2/``, ``msc/``)."""
    assert (REFERENCE / "rp2").is_dir() and (REFERENCE / "msc").is_dir(), (
        f"reference data missing in {REFERENCE}"
    )
    return REFERENCE
