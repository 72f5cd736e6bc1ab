"""``pip install ./clients/python`` in a fresh virtual environment gives a working, typed package.

The other tests import the editable install of the development environment; this one builds the package the way a
user installs it (hatchling through pip's build isolation, httpx resolved from the index) and uses it against the
session's server from that environment alone.
"""

from __future__ import annotations

import os
import subprocess
import venv
from pathlib import Path

from serve import REPO, ServeProcess

PACKAGE = REPO / "clients" / "python"

USE_IT = """
import hashlib, pathlib, sys
import modelctl
print(pathlib.Path(modelctl.__file__).parent)
print(pathlib.Path(modelctl.__file__).with_name("py.typed").is_file())
registry = modelctl.create_versioning_system()
with registry.track_experiment("packaging-check", "training", {"lr": 0.1}) as run:
    run.log({"reward": 1.5}, step=1)
version = registry.save_model_version(
    model_obj=b"weights", model_name="packaging-check", config={"lr": 0.1}, metrics={"reward": 1.5},
    experiment_id=run, status="validation",
)
print(version["version"], version["status"], version["artifact"]["sha256"] == hashlib.sha256(b"weights").hexdigest())
registry.close()
"""


def test_pip_install_into_a_fresh_venv_installs_a_typed_package_that_talks_to_the_server(
    server: ServeProcess, tmp_path: Path
) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    installed = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(PACKAGE)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert (installed.returncode, installed.stderr) == (0, "")

    used = subprocess.run(
        [str(python), "-c", USE_IT],
        env={
            "PATH": os.environ["PATH"],
            "MODELCTL_URL": server.url,
            "MODELCTL_TOKEN": server.token,
            "MODELCTL_RUNS_DIR": str(tmp_path / "runs"),
        },
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert (used.returncode, used.stderr) == (0, "")
    package_dir, typed, registered = used.stdout.splitlines()
    # Installed into the fresh environment, not the development checkout.
    assert Path(package_dir).is_relative_to(env_dir)
    assert typed == "True"
    assert registered == "1.0.0 VALIDATION True"

    sync = subprocess.run(
        [str(env_dir / "bin" / "modelctl-sync"), "--help"], capture_output=True, text=True, timeout=60, check=False
    )
    assert sync.returncode == 0
    assert sync.stdout.startswith("usage: modelctl-sync")
