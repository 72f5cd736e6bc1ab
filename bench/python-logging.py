"""The cost of one metric-logging call in training code: modelctl's Python client beside MLflow's, in one run.

modelctl: ``Run.log({key: value}, step=i)`` against a real ``modelctl serve`` (SQLite); it only validates and
enqueues, a background thread journals and sends. MLflow: ``MlflowClient.log_metric`` (one HTTP request per call,
synchronous) and ``mlflow.log_metric(..., synchronous=False)`` (its async queue) against an MLflow tracking server
on SQLite. Per-call figures are medians over blocks of 1,000 calls (10 for the synchronous MLflow call; p99 over the
same blocks); throughput counts
from the first call until the server acknowledged every point.

Run by ``npm run bench`` (scripts/bench) with MLflow's virtual environment, which has the client installed:
``.tools/mlflow-venv/bin/python bench/python-logging.py [--quick]``. Starts its own servers on 127.0.0.1 (unless
BENCH_MLFLOW_SQLITE names a running MLflow) and stops them. Prints a Markdown table, then one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import mlflow
import modelctl
from mlflow.tracking import MlflowClient

REPO = Path(__file__).resolve().parents[1]
BLOCK = 1_000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_line(log: Path, needle: str, process: subprocess.Popen[bytes], seconds: float = 120.0) -> None:
    deadline = time.monotonic() + seconds
    while needle.encode() not in log.read_bytes():
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{needle!r} not in {log}: {log.read_text(errors='replace')[-1500:]}")
        time.sleep(0.1)


def blocks(call: Any, count: int, size: int = BLOCK) -> list[float]:
    """Per-call seconds of each block of ``size`` calls; call(i) for i in range(count)."""
    out = []
    for start in range(0, count, size):
        t0 = time.perf_counter()
        for i in range(start, min(start + size, count)):
            call(i)
        out.append((time.perf_counter() - t0) / (min(start + size, count) - start))
    return out


def summary(name: str, per_call: list[float], points: int, seconds: float) -> dict[str, Any]:
    ordered = sorted(per_call)
    return {
        "client": name,
        "median_us": statistics.median(per_call) * 1e6,
        "p99_us": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1e6,
        "points": points,
        "points_per_second": points / seconds,
    }


def bench_modelctl(url: str, token: str, runs_dir: str, count: int) -> dict[str, Any]:
    registry = modelctl.create_versioning_system(url, token, runs_dir=runs_dir)
    run = registry.track_experiment("bench-log", "benchmark")
    log = run.log
    t0 = time.perf_counter()
    per_call = blocks(lambda i: log({"loss": 1.0 / (i + 1)}, step=i), count)
    if not run.flush(timeout=300):
        raise RuntimeError("modelctl did not acknowledge every point within 300 s")
    seconds = time.perf_counter() - t0
    run.end()
    assert len(registry.metric_history(run, "loss")) == count
    registry.close()
    return summary("modelctl Run.log", per_call, count, seconds)


def bench_mlflow(uri: str, sync_count: int, async_count: int) -> list[dict[str, Any]]:
    client = MlflowClient(tracking_uri=uri)
    experiment = client.create_experiment(f"bench-log-{time.time_ns()}")
    run_id = client.create_run(experiment).info.run_id
    t0 = time.perf_counter()
    # One request per call: blocks of 10 calls still give a p99.
    sync = blocks(lambda i: client.log_metric(run_id, "loss", 1.0 / (i + 1), step=i), sync_count, size=10)
    sync_seconds = time.perf_counter() - t0

    mlflow.set_tracking_uri(uri)
    with mlflow.start_run(experiment_id=experiment) as active:
        t0 = time.perf_counter()
        queued = blocks(lambda i: mlflow.log_metric("loss", 1.0 / (i + 1), step=i, synchronous=False), async_count)
        mlflow.flush_async_logging()
        async_seconds = time.perf_counter() - t0
    assert len(client.get_metric_history(active.info.run_id, "loss")) == async_count
    return [
        summary("MLflow log_metric (synchronous)", sync, sync_count, sync_seconds),
        summary("MLflow log_metric (synchronous=False)", queued, async_count, async_seconds),
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer calls (about 20 s of measuring)")
    args = parser.parse_args()
    counts = (20_000, 200, 2_000) if args.quick else (200_000, 1_000, 5_000)
    work = Path(tempfile.mkdtemp(prefix="modelctl-bench-python-"))
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("MODELCTL_") and k not in ("DATABASE_URL", "TEMPORAL_ADDRESS")
    }
    env.update(
        MODELCTL_HOME=str(work / "home"),
        MODELCTL_TEMPORAL_PORT=str(free_port()),
        MODELCTL_TEMPORAL_UI_PORT=str(free_port()),
    )
    processes: list[subprocess.Popen[bytes]] = []
    try:
        port = free_port()
        (work / "home").mkdir()
        serve_log = work / "serve.log"
        serve = subprocess.Popen(
            ["node", str(REPO / "bin" / "modelctl.js"), "serve", "--port", str(port)],
            env=env,
            stdout=serve_log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        processes.append(serve)
        mlflow_uri = os.environ.get("BENCH_MLFLOW_SQLITE")
        if not mlflow_uri:
            mlflow_port = free_port()
            mlflow_log = work / "mlflow.log"
            mlflow_server = subprocess.Popen(
                [
                    str(Path(sys.executable).parent / "mlflow"),
                    "server",
                    "--backend-store-uri",
                    f"sqlite:///{work}/mlflow.db",
                    "--artifacts-destination",
                    str(work / "mlflow-artifacts"),
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(mlflow_port),
                ],
                env={**env, "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"},
                stdout=mlflow_log.open("wb"),
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            processes.append(mlflow_server)
            wait_for_line(mlflow_log, "Uvicorn running on", mlflow_server)
            mlflow_uri = f"http://127.0.0.1:{mlflow_port}"
        wait_for_line(serve_log, "listening on", serve)
        token = (work / "home" / "admin-token").read_text().strip()
        rows = [bench_modelctl(f"http://127.0.0.1:{port}", token, str(work / "runs"), counts[0])]
        rows += bench_mlflow(mlflow_uri, counts[1], counts[2])
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
        subprocess.run(
            ["node", str(REPO / "bin" / "modelctl.js"), "dev", "--stop"], env=env, capture_output=True, check=False
        )
        shutil.rmtree(work, ignore_errors=True)
    print("| client | calls | median per call | p99 per call | points/s until acknowledged |")
    print("|---|---|---|---|---|")
    for r in rows:
        cells = [r["client"], f"{r['points']:,}", f"{r['median_us']:.2f} µs", f"{r['p99_us']:.2f} µs"]
        print(f"| {' | '.join(cells)} | {r['points_per_second']:,.0f} |")
    print(json.dumps({"pythonLogging": rows}))


if __name__ == "__main__":
    main()
