"""A real ``modelctl serve`` for the tests: ``node bin/modelctl.js serve`` on a free port over a SQLite registry in
a temporary MODELCTL_HOME, with the embedded Temporal dev server of its home (or another server's)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
BIN = REPO / "bin" / "modelctl.js"
STARTUP_SECONDS = 90.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class ServeProcess:
    """One ``modelctl serve`` process that can be stopped and started again on the same port and home."""

    def __init__(self, home: Path, temporal_address: str | None = None) -> None:
        self.home = home
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("MODELCTL_", "TEMPORAL_ADDRESS"))}
        self.env.pop("DATABASE_URL", None)
        self.env.pop("ARTIFACT_STORE", None)
        self.env["MODELCTL_HOME"] = str(home)
        if temporal_address is None:
            self.env["MODELCTL_TEMPORAL_PORT"] = str(free_port())
            self.env["MODELCTL_TEMPORAL_UI_PORT"] = str(free_port())
        else:
            self.env["TEMPORAL_ADDRESS"] = temporal_address
        self.process: subprocess.Popen[bytes] | None = None
        self.worker: subprocess.Popen[bytes] | None = None
        self.token = ""

    @property
    def temporal_address(self) -> str:
        return self.env.get("TEMPORAL_ADDRESS") or f"127.0.0.1:{self.env['MODELCTL_TEMPORAL_PORT']}"

    def start(self) -> None:
        log_path = self.home / "serve.log"
        # A restart appends to the same log: only what this start writes counts.
        offset = log_path.stat().st_size if log_path.exists() else 0
        log = log_path.open("ab")
        self.process = subprocess.Popen(
            ["node", str(BIN), "serve", "--port", str(self.port)],
            env=self.env,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"modelctl serve exited: {log_path.read_text(errors='replace')[-2000:]}")
            if f"listening on {self.url}".encode() in log_path.read_bytes()[offset:]:
                self.token = (self.home / "admin-token").read_text().strip()
                return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"modelctl serve did not listen within {STARTUP_SECONDS} s")

    def start_worker(self) -> None:
        """Starts ``modelctl worker`` on the same home and Temporal server, for the workflow routes."""
        log_path = self.home / "worker.log"
        self.worker = subprocess.Popen(
            ["node", str(BIN), "worker"],
            env=self.env,
            stdout=log_path.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + STARTUP_SECONDS
        while b"polling task queue" not in log_path.read_bytes():
            if self.worker.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"modelctl worker did not start: {log_path.read_text(errors='replace')[-2000:]}")
            time.sleep(0.1)

    @staticmethod
    def _terminate(process: subprocess.Popen[bytes] | None) -> None:
        if process is None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def stop(self) -> None:
        self._terminate(self.process)
        self.process = None

    def dispose(self) -> None:
        """Stops the worker and the server, then the background dev server its home started, then removes the home."""
        self._terminate(self.worker)
        self.worker = None
        self.stop()
        if "TEMPORAL_ADDRESS" not in self.env:
            subprocess.run(
                ["node", str(BIN), "dev", "--stop"], env=self.env, capture_output=True, timeout=60, check=False
            )
        shutil.rmtree(self.home, ignore_errors=True)
