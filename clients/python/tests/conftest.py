"""Fixtures: one real ``modelctl serve`` for the session, and a client of it per test with its own runs dir."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

import modelctl
from serve import ServeProcess


@pytest.fixture(scope="session")
def server() -> Iterator[ServeProcess]:
    serve = ServeProcess(Path(tempfile.mkdtemp(prefix="modelctl-pytest-")))
    try:
        serve.start()
        serve.start_worker()
        yield serve
    finally:
        serve.dispose()


@pytest.fixture
def registry(server: ServeProcess, tmp_path: Path) -> Iterator[modelctl.Registry]:
    client = modelctl.create_versioning_system(server.url, server.token, runs_dir=tmp_path / "runs")
    try:
        yield client
    finally:
        client.close()
