"""A/B test: two versions in production traffic, assignment in the serving code, outcomes back, a decision.

``MODELCTL_URL=… MODELCTL_TOKEN=… python ab_test.py``. ``EXAMPLE_AB_HOURS`` shortens the test (default 24 hours).
"""

from __future__ import annotations

import os
import random

import modelctl

MODEL = os.environ.get("EXAMPLE_MODEL", "recommender")
HOURS = float(os.environ.get("EXAMPLE_AB_HOURS", "24.0"))


def main() -> None:
    registry = modelctl.create_versioning_system()
    model_a = registry.save_model_version(b"recommender v1", MODEL, metrics={"ctr": 0.10})
    model_b = registry.save_model_version(b"recommender v2", MODEL, metrics={"ctr": 0.12})
    registry.promote(MODEL, model_a, reason="baseline in production")

    test = registry.run_ab_test(
        test_name="recommender_ab_test",
        model_a_version=model_a,
        model_b_version=model_b,
        traffic_split={"model_a": 0.5, "model_b": 0.5},
        duration_hours=HOURS,
    )
    # The serving side: each user gets the same arm every time; a click is a conversion.
    rng = random.Random(7)
    click_rate = {model_a["version"]: 0.10, model_b["version"]: 0.20}
    served = {model_a["version"]: 0, model_b["version"]: 0}
    for user in range(4000):
        assignment = test.assign(f"user-{user}")
        served[assignment.version] += 1
        test.record({assignment.unit_id: 1.0 if rng.random() < click_rate[assignment.version] else 0.0})
    print(f"served {served[model_a['version']]} users by A and {served[model_b['version']]} by B")
    print(f"status: {test.status()['state']['status']}")
    result = test.result(wait=True)
    assert result is not None
    print(f"decision: {result['decision']}")


if __name__ == "__main__":
    main()
