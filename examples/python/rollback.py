"""Rollback: a new version goes to production, misbehaves, and the previous one comes back.

``MODELCTL_URL=… MODELCTL_TOKEN=… python rollback.py`` (an admin token).
"""

from __future__ import annotations

import os

import modelctl
from modelctl import ModelStatus

MODEL = os.environ.get("EXAMPLE_MODEL", "churn-model")


def main() -> None:
    registry = modelctl.create_versioning_system()
    stable = registry.save_model_version(b"churn v1", MODEL, metrics={"auc": 0.91}, status=ModelStatus.VALIDATION)
    registry.promote(MODEL, stable, reason="initial release")
    candidate = registry.save_model_version(b"churn v2", MODEL, metrics={"auc": 0.93}, status="validation")
    registry.promote(MODEL, candidate, reason="better offline AUC")
    print(f"production: {registry.production_model(MODEL)['version']}")

    rolled = registry.rollback(MODEL, target_version=stable["version"], reason="error rate doubled after release")
    print(f"rolled back to {rolled['version']}")
    history = registry.history(MODEL)
    for version in history["versions"]:
        print(f"{version['version']}: {version['status']}")


if __name__ == "__main__":
    main()
