"""A training process: logs one point per step, as fast as it can, until it is killed (``forever``), or logs
``steps`` points and exits without ending its run (the interpreter's exit drains them)."""

from __future__ import annotations

import sys
import time

import modelctl


def main(url: str, token: str, runs_dir: str, experiment_id: str, steps: str = "forever") -> None:
    registry = modelctl.create_versioning_system(url, token, runs_dir=runs_dir)
    run = registry.track_experiment("killed", modelctl.ExperimentType.TRAINING, experiment_id=experiment_id)
    step = 0
    while steps == "forever" or step < int(steps):
        run.log({"x": float(step)}, step=step)
        step += 1
        if step % 1000 == 0:
            # A training step takes time; a loop that only logs would starve the journaling thread of the GIL.
            time.sleep(0.001)


if __name__ == "__main__":
    main(*sys.argv[1:6])
