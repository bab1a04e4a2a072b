"""Fixtures for intake, text-layer and rendering tests: default limits and a file writer."""

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from archive_api.settings import Settings
from ingest.types import Limits


@pytest.fixture
def limits() -> Limits:
    """The limits of a default installation, whatever DIWAN_* variables the shell has."""
    return Limits.from_settings(Settings.model_construct())


@pytest.fixture
def small_limits(limits: Limits) -> Limits:
    """Default limits with a 1-megapixel image cap, so tests can exceed it with small files."""
    return replace(limits, max_image_pixels=1_000_000)


@pytest.fixture
def write_file(tmp_path: Path) -> Callable[[str, bytes], Path]:
    """Write bytes to a named file in this test's temporary directory and return its path."""

    def write(name: str, data: bytes) -> Path:
        path = tmp_path / name
        path.write_bytes(data)
        return path

    return write
