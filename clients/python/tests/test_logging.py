"""Metric logging: validation at the call, the journal, outages, kill -9, offline runs and sync."""

from __future__ import annotations

import logging
import os
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
from modelctl.journal import JOURNAL_FILE, Journal
from modelctl.shipper import MAX_BATCH_BYTES, MAX_BATCH_POINTS, experiment_path
from modelctl.transport import Transport
from serve import ServeProcess, free_port

HERE = Path(__file__).parent


def journal_rows(path: Path) -> list[tuple[int, float]]:
    with closing(sqlite3.connect(path)) as db:
        return [(int(s), float(v)) for s, v in db.execute("select step, value from points order by seq")]


def journaled_count(path: Path) -> int:
    """Points in a journal another process is writing; 0 until its schema exists."""
    if not path.is_file():
        return 0
    try:
        with closing(sqlite3.connect(path)) as db:
            return int(db.execute("select count(*) from points").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


def wait_for(condition: Any, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {seconds} s")
        time.sleep(0.05)


@pytest.mark.parametrize(
    ("metrics", "step", "message"),
    [
        ({"loss": float("nan")}, 3, "invalid metric 'loss' at step 3: is nan: non-finite values are rejected"),
        ({"loss": float("inf")}, 4, "invalid metric 'loss' at step 4: is inf: non-finite values are rejected"),
        ({"loss": "0.5"}, 5, "invalid metric 'loss' at step 5: must be a real number, got str '0.5'"),
        ({"ok": True}, 6, "invalid metric 'ok' at step 6: must be a real number, got bool True"),
        ({"loss": None}, 7, "invalid metric 'loss' at step 7: must be a real number, got NoneType None"),
        ({3: 1.0}, 8, "invalid metric key at step 8: must be a string, got int 3"),
        (
            {" loss": 1.0},
            9,
            "invalid metric key ' loss' at step 9: must be 1-200 characters without leading or trailing spaces",
        ),
        ({"loss": 1.0}, -1, "invalid step: must be an integer in [0, 2^53-1], got -1"),
        ({"loss": 1.0}, 1.5, "invalid step: must be an integer >= 0, got 1.5"),
    ],
)
def test_a_bad_point_raises_at_once_naming_key_and_step_and_logs_nothing(
    tmp_path: Path, metrics: Any, step: Any, message: str
) -> None:
    registry = modelctl.create_versioning_system("http://127.0.0.1:9", runs_dir=tmp_path, offline=True)
    with registry.track_experiment("bad", "training") as run:
        with pytest.raises(modelctl.ModelctlError) as caught:
            run.log({"fine": 1.0, **metrics}, step=step)
        assert (caught.value.code, caught.value.message) == ("INVALID_INPUT", message)
    assert journal_rows(run.journal.path) == []


def test_numpy_values_and_steps_are_accepted(tmp_path: Path) -> None:
    np = pytest.importorskip("numpy")
    registry = modelctl.create_versioning_system(runs_dir=tmp_path, offline=True)
    with registry.track_experiment("np", "training") as run:
        run.log({"a": np.float32(0.5), "b": np.int64(3)}, step=np.int64(2))
        run.log({"a": 1})
    assert journal_rows(run.journal.path) == [(2, 0.5), (2, 3.0), (3, 1.0)]
    with pytest.raises(modelctl.ModelctlError) as caught:
        run.log({"a": 1.0}, step=4)
    assert caught.value.code == "REFUSED"


def test_a_batch_resent_after_its_answer_was_lost_is_stored_once(
    registry: modelctl.Registry, server: ServeProcess
) -> None:
    run = registry.track_experiment("resend", "training", send_interval=3600)
    run.log({"x": 1.0}, step=0)
    run.log({"x": 2.0}, step=1)
    run._flush_queue()
    batch = run.journal.next_batch(MAX_BATCH_POINTS, MAX_BATCH_BYTES)
    assert batch is not None
    # The server stores the batch, but the client never records the answer (as if it was killed right then).
    transport = Transport(registry.settings)
    body = {"points": batch.points, "idempotencyKey": batch.idempotency_key}
    assert transport.request("POST", experiment_path(run.id) + "/metrics", json=body) == {"stored": 2}
    assert run.end() is True
    assert [(p["step"], p["value"]) for p in registry.metric_history(run, "x")] == [(0, 1.0), (1, 2.0)]
    transport.close()


def test_kill_9_mid_logging_then_sync_sends_every_journaled_point_exactly_once(
    registry: modelctl.Registry, server: ServeProcess, tmp_path: Path
) -> None:
    runs_dir = tmp_path / "child-runs"
    # stderr to a file, not a pipe nobody reads: a child that warns must never block on a full pipe.
    child_stderr = tmp_path / "child.stderr"
    with child_stderr.open("wb") as err:
        child = subprocess.Popen(
            [sys.executable, str(HERE / "training_child.py"), server.url, server.token, str(runs_dir), "killed-run"],
            stderr=err,
        )
    journal = runs_dir / "killed-run" / JOURNAL_FILE
    try:
        wait_for(lambda: journaled_count(journal) >= 30_000 or child.poll() is not None)
        assert child.poll() is None, f"the training child exited early: {child_stderr.read_text()}"
        # Killed while it sends: the server has some points, the journal more.
        wait_for(lambda: len(registry.metric_history("killed-run", "x")) > 0)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert child.returncode == -signal.SIGKILL
    journaled = journal_rows(journal)
    assert journaled == [(step, float(step)) for step in range(len(journaled))]
    on_server_before = len(registry.metric_history("killed-run", "x"))
    assert on_server_before < len(journaled)

    results = registry.sync([runs_dir / "killed-run"])
    assert results["killed-run"].pending == 0
    assert results["killed-run"].error is None
    points = registry.metric_history("killed-run", "x")
    assert [(p["step"], p["value"]) for p in points] == journaled
    # The run never ended: its experiment is still RUNNING, and a second sync sends nothing more.
    assert registry.sync([runs_dir / "killed-run"])["killed-run"].sent == 0
    assert registry.get_experiment_results("killed-run")["experiment"]["status"] == "RUNNING"


def test_an_interpreter_exiting_without_ending_its_run_drains_its_points_first(
    registry: modelctl.Registry, server: ServeProcess, tmp_path: Path
) -> None:
    child = [sys.executable, str(HERE / "training_child.py"), server.url, server.token, str(tmp_path), "exits", "7000"]
    done = subprocess.run(child, capture_output=True, text=True, timeout=120, check=False)
    assert (done.returncode, done.stderr) == (0, "")
    assert [p["step"] for p in registry.metric_history("exits", "x")] == list(range(7000))
    assert registry.get_experiment_results("exits")["experiment"]["status"] == "RUNNING"


def test_the_server_stopped_during_training_training_goes_on_and_the_points_arrive_after_restart(
    server: ServeProcess, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    own = ServeProcess(tmp_path / "home", temporal_address=server.temporal_address)
    (tmp_path / "home").mkdir()
    own.start()
    try:
        registry = modelctl.create_versioning_system(own.url, own.token, runs_dir=tmp_path / "runs")
        run = registry.track_experiment("outage", "training", send_interval=0.1)
        run._max_backoff = 0.5
        with caplog.at_level(logging.WARNING, logger="modelctl"):
            for step in range(1000):
                run.log({"reward": float(step)}, step=step)
            wait_for(lambda: len(registry.metric_history(run, "reward")) == 1000)
            own.stop()
            for step in range(1000, 3000):
                run.log({"reward": float(step)}, step=step)  # never raises, never waits for the server
                if step % 500 == 0:
                    time.sleep(0.3)
            wait_for(lambda: any("training goes on" in r.getMessage() for r in caplog.records))
            own.start()
            wait_for(lambda: len(registry.metric_history(run, "reward")) == 3000)
            assert run.end() is True
        outage = [r.getMessage() for r in caplog.records if "training goes on" in r.getMessage()]
        assert len(outage) == 1
        assert outage[0].startswith(f"modelctl: cannot reach {own.url}: ConnectError")
        points = registry.metric_history(run, "reward")
        assert [p["step"] for p in points] == list(range(3000))
        assert registry.get_experiment_results(run)["experiment"]["status"] == "COMPLETED"
        registry.close()
    finally:
        own.dispose()


def test_an_offline_run_is_created_filled_and_ended_by_sync(registry: modelctl.Registry, tmp_path: Path) -> None:
    offline = modelctl.create_versioning_system(
        registry.settings.url, runs_dir=registry.settings.runs_dir, offline=True
    )
    with offline.track_experiment("on-a-plane", "benchmark", config={"seed": 7}, experiment_id="offline-1") as run:
        for step in range(25_000):
            run.log({"loss": 1.0 / (step + 1)}, step=step)
    with pytest.raises(modelctl.ModelctlError) as caught:
        registry.get_experiment_results("offline-1")
    assert caught.value.code == "NOT_FOUND"
    with pytest.raises(modelctl.ModelctlError) as refused:
        offline.history("x")
    assert refused.value.code == "OFFLINE"

    done = subprocess.run(
        [
            str(Path(sys.executable).parent / "modelctl-sync"),
            "--url",
            registry.settings.url,
            "--runs-dir",
            str(registry.settings.runs_dir),
        ],
        env={**os.environ, "MODELCTL_TOKEN": registry.settings.token or ""},
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "run offline-1: sent 25000 points, done\n", "")
    results = registry.get_experiment_results("offline-1", max_points=2)
    assert (results["experiment"]["status"], results["experiment"]["config"]) == ("COMPLETED", {"seed": 7})
    assert len(registry.metric_history("offline-1", "loss")) == 25_000
    again = registry.sync()
    assert (again["offline-1"].sent, again["offline-1"].done) == (0, True)


def test_modelctl_sync_without_a_server_exits_7_with_one_line(tmp_path: Path) -> None:
    offline = modelctl.create_versioning_system(runs_dir=tmp_path, offline=True)
    with offline.track_experiment("x", "training", experiment_id="lonely") as run:
        run.log({"a": 1.0}, step=0)
    done = subprocess.run(
        [
            str(Path(sys.executable).parent / "modelctl-sync"),
            "--url",
            f"http://127.0.0.1:{free_port()}",
            "--runs-dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 7
    assert done.stdout == ""
    assert len(done.stderr.splitlines()) == 1
    assert done.stderr.startswith("modelctl-sync: run lonely: cannot reach http://127.0.0.1:")
    assert done.stderr.endswith("; 1 points kept\n")
    assert journal_rows(tmp_path / "lonely" / JOURNAL_FILE) == [(0, 1.0)]
    assert Journal(tmp_path / "lonely" / JOURNAL_FILE).counts() == {"sent": 0, "rejected": 0, "pending": 1, "logged": 1}
