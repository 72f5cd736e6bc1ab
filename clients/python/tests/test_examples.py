"""The examples under examples/python run as written against the session's server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import modelctl
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


@pytest.mark.parametrize(
    ("script", "model", "expected"),
    [
        (
            "basic_training.py",  # tracks, logs per epoch, registers two versions, updates and compares them
            "example-basic",
            [
                "registered example-basic@1.0.0 accuracy=0.8161",
                "registered example-basic@1.0.1 accuracy=0.9751",
                "accuracy: 0.8161 -> 0.9751",
                "loss: 0.3679 -> 0.0498",
                "experiment fraud-lr-0.003: COMPLETED",
            ],
        ),
        (
            "rollback.py",  # promotes two versions, then rolls back to the first
            "example-rollback",
            ["production: 1.0.1", "rolled back to 1.0.0", "1.0.0: PRODUCTION", "1.0.1: DEPRECATED"],
        ),
    ],
)
def test_an_example_prints_what_it_did(
    server: ServeProcess, tmp_path: Path, script: str, model: str, expected: list[str]
) -> None:
    assert run_example(script, server, tmp_path, EXAMPLE_MODEL=model).splitlines() == expected


def test_ab_test_assigns_records_and_decides_for_the_better_version(server: ServeProcess, tmp_path: Path) -> None:
    out = run_example("ab_test.py", server, tmp_path, EXAMPLE_MODEL="example-ab", EXAMPLE_AB_HOURS="0.001")
    lines = out.splitlines()
    assert lines[0].startswith("served ")
    served = [int(n) for n in lines[0].split() if n.isdigit()]
    assert sum(served) == 4000
    assert lines[1:] == ["status: RUNNING", "decision: treatment"]


def test_cartpole_trains_two_policies_compares_them_and_promotes_the_a_b_winner(
    server: ServeProcess, tmp_path: Path
) -> None:
    out = run_example("cartpole.py", server, tmp_path, EXAMPLE_MODEL="example-cartpole", CARTPOLE_AB_HOURS="0.004")
    lines = out.splitlines()
    assert lines[0] == "example-cartpole@1.0.0: 60 episodes, mean evaluation return 41.6"
    assert lines[1] == "example-cartpole@1.0.1: 300 episodes, mean evaluation return 193.6"
    assert lines[2].startswith("paired-t on 50 seeds: 41.6 -> 193.6, p = ")
    assert lines[2].endswith(", better")
    assert float(lines[2].split("p = ", 1)[1].split(",")[0]) < 0.001
    assert lines[3:] == [
        "A/B test example-cartpole-ab: decision treatment",
        "production: example-cartpole@1.0.1 (PROMOTED)",
    ]
    # The server paired the two versions' evaluation episodes by seed.
    with modelctl.create_versioning_system(server.url, server.token, runs_dir=tmp_path / "check") as registry:
        compared = registry.compare_versions("example-cartpole", "1.0.0", "1.0.1")
        for version in ("1.0.0", "1.0.1"):
            [summary] = registry.evaluation_summaries("example-cartpole", version)
            assert (summary["evalSet"], summary["metric"], summary["units"]) == ("cartpole-v1-seeds", "return", 50)
    [paired] = compared["significance"]
    assert {k: paired[k] for k in ("evalSet", "metric", "paired", "test", "units", "verdict")} == {
        "evalSet": "cartpole-v1-seeds",
        "metric": "return",
        "paired": True,
        "test": "paired-t",
        "units": {"a": 50, "b": 50},
        "verdict": "better",
    }
    assert (round(paired["a"]["mean"], 1), round(paired["b"]["mean"], 1)) == (41.6, 193.6)
    assert paired["difference"]["ciLow"] > 100
