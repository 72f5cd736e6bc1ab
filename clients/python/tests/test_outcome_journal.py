"""A/B test outcomes on the serving side: journaled before record() returns, sent through an outage, and sent by
sync after the serving process was killed."""

from __future__ import annotations

import logging
import re
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

import modelctl
from modelctl.outcome_journal import AB_TESTS_DIR, OUTCOMES_FILE
from modelctl.sync import main as sync_main
from serve import ServeProcess

HERE = Path(__file__).parent


def wait_for(condition: Any, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {seconds} s")
        time.sleep(0.05)


def journal_rows(path: Path) -> dict[str, float]:
    """The outcomes of a journal another process may be writing; empty until its schema exists."""
    if not path.is_file():
        return {}
    try:
        with closing(sqlite3.connect(path)) as db:
            return {str(u): float(v) for u, v in db.execute("select unit, value from outcomes")}
    except sqlite3.OperationalError:
        return {}


def server_outcomes(server: ServeProcess, test_id: str) -> dict[str, float]:
    """What the server stored for a test, read from its own SQLite registry."""
    with closing(sqlite3.connect(server.home / "registry.sqlite")) as db:
        rows = db.execute("select unit_id, value from ab_outcomes where test_id = ?", (test_id,)).fetchall()
    return {str(u): float(v) for u, v in rows}


def start_test(registry: modelctl.Registry, model: str, **kwargs: Any) -> modelctl.AbTest:
    a = registry.save_model_version(b"a", model)
    b = registry.save_model_version(b"b", model)
    return registry.run_ab_test(f"{model}-test", a, b, duration_hours=1.0, metric_kind="continuous", **kwargs)


def test_record_journals_before_it_returns_and_the_thread_sends_every_unit_once(
    registry: modelctl.Registry, server: ServeProcess
) -> None:
    test = start_test(registry, "outcomes-journal", send_interval=0.1)
    test.record({f"u{i}": float(i) for i in range(15_000)})
    assert test.journal is not None
    path = test.journal.path
    assert path.parent.parent == registry.settings.runs_dir / AB_TESTS_DIR
    assert path.parent.name.startswith("outcomes-journal-test.")
    assert len(journal_rows(path)) == 15_000
    test.record([("u0", 5.0), ("extra", 1.0)])  # a unit again: its latest value
    wait_for(lambda: test.journal is not None and test.journal.counts()["pending"] == 0)
    assert test.journal.counts() == {"recorded": 15_001, "sent": 15_001, "rejected": 0, "pending": 0}
    expected = {f"u{i}": float(i) for i in range(15_000)} | {"u0": 5.0, "extra": 1.0}
    assert server_outcomes(server, test.id) == expected
    assert test.flush() == 0
    test.abort(reason="done")
    test.record({"late": 1.0})
    # The sending thread meets the refusal: it marks the outcome rejected, logs it and does not send it again.
    wait_for(lambda: test.journal is not None and test.journal.counts()["pending"] == 0)
    assert test.journal.counts() == {"recorded": 15_002, "sent": 15_001, "rejected": 1, "pending": 0}
    assert "late" not in server_outcomes(server, test.id)
    assert test.flush() == 0


def test_flush_after_the_end_raises_the_refusal_and_marks_the_outcomes_rejected(
    registry: modelctl.Registry, server: ServeProcess
) -> None:
    # An hour between sends: only flush() sends, so it is the one that meets the refusal.
    test = start_test(registry, "outcomes-refused", send_interval=3600)
    test.record({"early": 1.0})
    assert test.flush() == 1
    test.abort(reason="done")
    test.record({"late": 1.0, "later": 0.0})
    with pytest.raises(modelctl.ModelctlError) as late:
        test.flush()
    assert late.value.code == "REFUSED"
    assert "ABORTED" in late.value.message
    assert test.journal is not None
    assert test.journal.counts() == {"recorded": 3, "sent": 1, "rejected": 2, "pending": 0}
    assert server_outcomes(server, test.id) == {"early": 1.0}
    assert test.flush() == 0


def test_the_server_stopped_during_recording_the_outcomes_arrive_after_restart(
    server: ServeProcess, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "home").mkdir()
    own = ServeProcess(tmp_path / "home", temporal_address=server.temporal_address)
    # Its own task queue and worker: the session's worker serves another registry.
    own.env["TEMPORAL_TASK_QUEUE"] = "outcomes-outage"
    own.start()
    try:
        own.start_worker()
        registry = modelctl.create_versioning_system(own.url, own.token, runs_dir=tmp_path / "runs")
        test = start_test(registry, "outage", send_interval=0.1)
        test._max_backoff = 0.5
        with caplog.at_level(logging.WARNING, logger="modelctl"):
            test.record({f"u{i}": float(i % 2) for i in range(100)})
            wait_for(lambda: len(server_outcomes(own, test.id)) == 100)
            own.stop()
            for i in range(100, 3000):
                test.record({f"u{i}": float(i % 2)})  # never raises, never waits for the server
                if i % 1000 == 0:
                    time.sleep(0.3)
            wait_for(lambda: any("sent when the server is back" in r.getMessage() for r in caplog.records))
            assert test.journal is not None
            assert test.journal.counts()["pending"] > 0
            own.start()
            wait_for(lambda: test.journal is not None and test.journal.counts()["pending"] == 0)
        outage = [r.getMessage() for r in caplog.records if "sent when the server is back" in r.getMessage()]
        assert len(outage) == 1
        assert outage[0].startswith(f"modelctl: cannot reach {own.url}: ConnectError")
        assert server_outcomes(own, test.id) == {f"u{i}": float(i % 2) for i in range(3000)}
        test.abort(reason="done")
        registry.close()
    finally:
        own.dispose()


def test_kill_9_mid_recording_then_sync_sends_every_journaled_outcome_exactly_once(
    registry: modelctl.Registry, server: ServeProcess, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    test = start_test(registry, "outcomes-killed")
    runs_dir = tmp_path / "serving-runs"
    child_stderr = tmp_path / "child.stderr"
    with child_stderr.open("wb") as err:
        child = subprocess.Popen(
            [sys.executable, str(HERE / "serving_child.py"), server.url, server.token, str(runs_dir), test.id],
            stderr=err,
        )
    try:
        wait_for(lambda: child.poll() is not None or (runs_dir / AB_TESTS_DIR).is_dir())
        wait_for(lambda: child.poll() is not None or any((runs_dir / AB_TESTS_DIR).glob(f"*/{OUTCOMES_FILE}")))
        assert child.poll() is None, f"the serving child exited early: {child_stderr.read_text()}"
        [journal] = (runs_dir / AB_TESTS_DIR).glob(f"*/{OUTCOMES_FILE}")
        # Killed while it records: the server has a batch, the journal 1,000 outcomes more recorded since.
        wait_for(lambda: len(server_outcomes(server, test.id)) > 0 or child.poll() is not None)
        sent = len(server_outcomes(server, test.id))
        wait_for(lambda: len(journal_rows(journal)) >= sent + 1_000 or child.poll() is not None)
        assert child.poll() is None, f"the serving child exited early: {child_stderr.read_text()}"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert child.returncode == -signal.SIGKILL
    journaled = journal_rows(journal)
    assert journaled == {f"u-{i}": float(i % 2) for i in range(len(journaled))}
    before = server_outcomes(server, test.id)
    assert 0 < len(before) < len(journaled)

    # modelctl-sync (every journal under --runs-dir) sends the rest; a second pass sends nothing.
    assert sync_main(["--url", server.url, "--token", server.token, "--runs-dir", str(runs_dir)]) == 0
    name = f"{test.id}/{journal.parent.name}"
    printed = capsys.readouterr().out
    assert re.fullmatch(rf"A/B test {re.escape(name)}: sent (\d+) outcomes, done\n", printed), printed
    # At least what the server lacked; a batch the child sent but was killed before marking goes again, once.
    assert int(printed.split(" sent ")[1].split()[0]) >= len(journaled) - len(before)
    assert server_outcomes(server, test.id) == journaled
    assert registry.sync([journal.parent])[name].sent == 0
    assert server_outcomes(server, test.id) == journaled
    test.abort(reason="done")
