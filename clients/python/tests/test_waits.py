"""Requests the server holds open (``wait=true``) outlive the client's per-request timeout."""

from __future__ import annotations

import time
from pathlib import Path

import modelctl
from serve import ServeProcess


def test_a_wait_longer_than_the_request_timeout_is_answered_not_timed_out(server: ServeProcess, tmp_path: Path) -> None:
    # One second per request, and a wait of about three: the client must give the held request its wait on top.
    registry = modelctl.create_versioning_system(server.url, server.token, runs_dir=tmp_path / "runs", timeout=1.0)
    try:
        a = registry.save_model_version(b"a", "waits")
        b = registry.save_model_version(b"b", "waits")
        test = registry.run_ab_test("waits-test", a, b, duration_hours=1.0, metric_kind="continuous")
        started = time.monotonic()
        assert test.result(wait=True, timeout=3.0) is None
        assert time.monotonic() - started >= 1.5
        assert test.abort(reason="done")["status"] == "RUNNING"
        assert test.status()["status"] == "COMPLETED"
    finally:
        registry.close()
