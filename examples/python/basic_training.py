"""Basic training: track an experiment, log per-epoch metrics, register two versions and compare them.

Run against a modelctl server (``modelctl serve``): ``MODELCTL_URL=… MODELCTL_TOKEN=… python basic_training.py``.
"""

from __future__ import annotations

import math
import os

import modelctl
from modelctl import ExperimentType, ModelStatus

MODEL = os.environ.get("EXAMPLE_MODEL", "fraud-detector")


def train(lr: float, epochs: int) -> tuple[dict[str, list[float]], list[float]]:
    """A stand-in for training: a loss that decays with the learning rate, and the 'weights' it ends with."""
    history: dict[str, list[float]] = {"loss": [], "accuracy": []}
    for epoch in range(epochs):
        loss = math.exp(-lr * 100 * (epoch + 1))
        history["loss"].append(loss)
        history["accuracy"].append(1.0 - loss / 2)
    return history, [lr * i for i in range(8)]


def main() -> None:
    registry = modelctl.create_versioning_system()
    versions = []
    for lr in (0.001, 0.003):
        config = {"learning_rate": lr, "epochs": 10, "optimizer": "adam"}
        with registry.track_experiment(
            name=f"fraud-lr-{lr}",
            experiment_type=ExperimentType.TRAINING,
            config=config,
            description="baseline training run",
            tags=["example", "fraud"],
        ) as experiment:
            history, weights = train(lr, epochs=10)
            for epoch, (loss, accuracy) in enumerate(zip(history["loss"], history["accuracy"], strict=True)):
                experiment.log({"loss": loss, "accuracy": accuracy}, step=epoch)
            final = {"loss": history["loss"][-1], "accuracy": history["accuracy"][-1]}
            version = registry.save_model_version(
                model_obj={"weights": weights},
                model_name=MODEL,
                config=config,
                metrics=final,
                experiment_id=experiment,
                status=ModelStatus.VALIDATION,
            )
            registry.update_experiment(experiment, metrics=final)
        versions.append(version["version"])
        print(f"registered {MODEL}@{version['version']} accuracy={final['accuracy']:.4f}")
    diff = registry.compare_versions(MODEL, versions[0], versions[1])
    for metric in diff["metrics"]:
        print(f"{metric['name']}: {metric['a']:.4f} -> {metric['b']:.4f}")
    results = registry.get_experiment_results(experiment)
    print(f"experiment {results['experiment']['name']}: {results['experiment']['status']}")


if __name__ == "__main__":
    main()
