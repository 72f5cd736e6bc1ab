"""The original operations against a real ``modelctl serve``."""

from __future__ import annotations

import hashlib
import io
import json
import pickle
from pathlib import Path
from typing import IO, Any

import pytest

import modelctl
from modelctl import ExperimentType, ModelStatus


def test_track_experiment_as_a_context_manager_ends_completed_with_its_points(registry: modelctl.Registry) -> None:
    with registry.track_experiment(
        "ppo", ExperimentType.TRAINING, config={"lr": 0.001}, description="first try", tags=["rl"]
    ) as run:
        for step in range(5):
            run.log({"reward": float(step), "loss": 1.0 / (step + 1)}, step=step)
    results = registry.get_experiment_results(run)
    experiment = results["experiment"]
    assert (experiment["name"], experiment["type"], experiment["status"]) == ("ppo", "TRAINING", "COMPLETED")
    assert (experiment["config"], experiment["description"], experiment["tags"]) == ({"lr": 0.001}, "first try", ["rl"])
    assert [(p["step"], p["value"]) for p in results["series"]["reward"]] == [(s, float(s)) for s in range(5)]
    assert [p["value"] for p in registry.metric_history(run, "loss")] == [1.0, 0.5, 1 / 3, 0.25, 0.2]


def test_an_exception_ends_the_run_failed_with_its_message(registry: modelctl.Registry) -> None:
    with pytest.raises(RuntimeError), registry.track_experiment("crash", "training") as run:
        run.log({"loss": 1.0}, step=0)
        raise RuntimeError("diverged at step 0")
    experiment = registry.get_experiment_results(run.id)["experiment"]
    assert experiment["status"] == "FAILED"
    assert experiment["warnings"] == ["RuntimeError: diverged at step 0"]


def test_update_experiment_takes_the_run_and_literal_status(registry: modelctl.Registry) -> None:
    run = registry.track_experiment("sweep", experiment_type="hyperparameter_sweep")
    run.end("completed")
    updated = registry.update_experiment(run, metrics={"best_reward": 195.5}, config={"lr": 0.01})
    assert (updated["type"], updated["status"], updated["summary"], updated["config"]) == (
        "HYPERPARAMETER_SWEEP",
        "COMPLETED",
        {"best_reward": 195.5},
        {"lr": 0.01},
    )
    with pytest.raises(modelctl.ModelctlError) as caught:
        registry.update_experiment(run, status="failed")
    assert caught.value.code == "ILLEGAL_TRANSITION"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda r: r.track_experiment("x", "training_run"),
            "invalid experiment_type: must be one of TRAINING, AB_TEST, VALIDATION, BENCHMARK, "
            "HYPERPARAMETER_SWEEP, got 'training_run'",
        ),
        (
            lambda r: r.update_experiment("e", status="done"),
            "invalid status: must be one of RUNNING, COMPLETED, FAILED, CANCELLED, got 'done'",
        ),
        (
            lambda r: r.update_experiment("e", metrics={"auc": float("nan")}),
            "invalid metrics.auc: must be a finite number, got nan",
        ),
        (
            lambda r: r.save_model_version(b"x", "m", status=ModelStatus.PRODUCTION),
            "invalid status: a new version starts in VALIDATION or TRAINING, not PRODUCTION",
        ),
        (
            lambda r: r.save_model_version(b"x", "m", config={"f": object()}),
            "invalid config: must be a JSON object of finite values (Object of type object is not JSON serializable)",
        ),
    ],
)
def test_bad_arguments_are_refused_before_anything_is_sent(
    registry: modelctl.Registry, call: Any, message: str
) -> None:
    with pytest.raises(modelctl.ModelctlError) as caught:
        call(registry)
    assert (caught.value.code, caught.value.message) == ("INVALID_INPUT", message)
    assert list((registry.settings.runs_dir).glob("*")) == []


class Policy:
    """A picklable stand-in for a trained model."""

    def __init__(self, weights: list[float]) -> None:
        self.weights = weights


def test_save_model_version_from_path_bytes_file_and_object(registry: modelctl.Registry, tmp_path: Path) -> None:
    run = registry.track_experiment("train-policy", ExperimentType.TRAINING)
    model_file = tmp_path / "policy.bin"
    model_file.write_bytes(b"weights v1" * 1000)
    v1 = registry.save_model_version(
        model_obj=model_file,
        model_name="policy",
        config={"hidden": 32},
        metrics={"reward": 190.5},
        experiment_id=run,
        status=ModelStatus.VALIDATION,
    )
    assert (v1["version"], v1["status"], v1["experimentId"], v1["config"], v1["metrics"]) == (
        "1.0.0",
        "VALIDATION",
        run.id,
        {"hidden": 32},
        {"reward": 190.5},
    )
    assert v1["artifact"]["sha256"] == hashlib.sha256(model_file.read_bytes()).hexdigest()
    assert v1["artifact"]["sizeBytes"] == 10_000
    assert v1["author"] == "admin"

    v2 = registry.save_model_version(b"raw bytes", "policy", bump="minor", parent="1.0.0", status="training")
    assert (v2["version"], v2["status"], v2["parentVersion"]) == ("1.1.0", "TRAINING", "1.0.0")
    assert v2["artifact"]["sha256"] == hashlib.sha256(b"raw bytes").hexdigest()

    v3 = registry.save_model_version(io.BytesIO(b"from a file object"), "policy")
    assert v3["artifact"]["sha256"] == hashlib.sha256(b"from a file object").hexdigest()

    v4 = registry.save_model_version(Policy([0.5, -1.0]), "policy")
    assert v4["artifact"]["mediaType"] == "application/x-python-pickle"
    registry.download_artifact("policy", v4["version"], tmp_path / "back.pkl")
    restored = pickle.loads((tmp_path / "back.pkl").read_bytes())  # our own artifact, just written
    assert restored.weights == [0.5, -1.0]

    def as_json(obj: Any, f: IO[bytes]) -> None:
        f.write(json.dumps(obj.weights).encode())

    v5 = registry.save_model_version(Policy([1.0]), "policy", serializer=as_json, media_type="application/json")
    assert (v5["artifact"]["mediaType"], v5["artifact"]["sizeBytes"]) == ("application/json", 5)
    assert [v["version"] for v in registry.history("policy")["versions"]] == [
        "1.0.0",
        "1.1.0",
        "1.1.1",
        "1.1.2",
        "1.1.3",
    ]


def test_save_model_version_refuses_a_missing_path_a_directory_and_a_taken_version(
    registry: modelctl.Registry, tmp_path: Path
) -> None:
    with pytest.raises(modelctl.ModelctlError) as missing:
        registry.save_model_version(tmp_path / "nope.bin", "policy-b")
    assert (missing.value.code, missing.value.message) == (
        "NOT_FOUND",
        f"model_obj: no file at {tmp_path / 'nope.bin'}",
    )
    with pytest.raises(modelctl.ModelctlError) as directory:
        registry.save_model_version(tmp_path, "policy-b")
    assert directory.value.code == "INVALID_INPUT"
    registry.save_model_version(b"a", "policy-b", version="2.0.0")
    with pytest.raises(modelctl.ModelctlError) as taken:
        registry.save_model_version(b"b", "policy-b", version="2.0.0")
    assert (taken.value.code, taken.value.status) == ("ALREADY_EXISTS", 409)


def test_compare_history_production_and_report(registry: modelctl.Registry) -> None:
    registry.save_model_version(b"a", "ranker", metrics={"ndcg": 0.5, "loss": 0.4})
    registry.save_model_version(b"b", "ranker", metrics={"ndcg": 0.6, "loss": 0.3})
    diff = registry.compare_versions("ranker", "1.0.0", "1.0.1", metrics=["ndcg"])
    assert [(m["name"], m["a"], m["b"]) for m in diff["metrics"]] == [("ndcg", 0.5, 0.6)]
    assert registry.production_model("ranker")["version"] is None
    history = registry.history("ranker")
    assert [v["version"] for v in history["versions"]] == ["1.0.0", "1.0.1"]
    report = registry.export_report()
    assert report["schemaVersion"] == 1
    assert "ranker" in [m["model"] for m in report["models"]]
    with pytest.raises(modelctl.ModelctlError) as caught:
        registry.compare_versions("ranker", "1.0.0", "9.9.9")
    assert caught.value.code == "NOT_FOUND"
