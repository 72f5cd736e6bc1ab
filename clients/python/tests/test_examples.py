"""The examples under examples/python run as written against the session's server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from serve import REPO, ServeProcess

EXAMPLES = REPO / "examples" / "python"


def run_example(name: str, server: ServeProcess, tmp_path: Path, **env: str) -> str:
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / name)],
        env={
            **os.environ,
            "MODELCTL_URL": server.url,
            "MODELCTL_TOKEN": server.token,
            "MODELCTL_RUNS_DIR": str(tmp_path / "runs"),
            **env,
        },
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, "")
    return done.stdout


def test_basic_training_registers_two_versions_and_compares_them(server: ServeProcess, tmp_path: Path) -> None:
    out = run_example("basic_training.py", server, tmp_path, EXAMPLE_MODEL="example-basic")
    assert out.splitlines() == [
        "registered example-basic@1.0.0 accuracy=0.8161",
        "registered example-basic@1.0.1 accuracy=0.9751",
        "accuracy: 0.8161 -> 0.9751",
        "loss: 0.3679 -> 0.0498",
        "experiment fraud-lr-0.003: COMPLETED",
    ]
