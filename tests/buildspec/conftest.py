"""Fixtures shared by the buildspec tests."""

from pathlib import Path

import pytest


@pytest.fixture
def fixture_buildspec(fixture_source, monkeypatch):
    """Copy tests/fixtures/buildspec/<case> to tmp_path; return its buildspec as the relative path users type."""

    def copy(case: str) -> Path:
        monkeypatch.chdir(fixture_source(f"buildspec/{case}", git=False))
        return Path("buildspec.yml")

    return copy
