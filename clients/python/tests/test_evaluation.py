"""Evaluation samples from Python: attached over HTTP, summarised, and compared with the server's paired tests."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import modelctl


def test_samples_attach_as_dicts_mappings_or_numpy_and_compare_runs_the_paired_test(
    registry: modelctl.Registry,
) -> None:
    seeds = np.arange(100, 120)
    returns_a = np.array([150.0 + (i % 5) for i in range(20)])
    returns_b = returns_a + np.array([10.0 if i % 2 else 20.0 for i in range(20)])
    v1 = registry.save_model_version(
        b"policy-a",
        "eval-policy",
        metrics={"mean_return": float(returns_a.mean())},
        eval_samples={"return": returns_a},
        eval_units=seeds,
        eval_set="seeds",
    )
    assert (v1["version"], v1["evaluation"]) == (
        "1.0.0",
        {"model": "eval-policy", "version": "1.0.0", "evalSet": "seeds", "samples": 20, "metrics": ["return"]},
    )
    v2 = registry.save_model_version(b"policy-b", "eval-policy")
    attached = registry.evaluate(
        "eval-policy",
        v2,
        [{"unit": int(s), "metric": "return", "value": r} for s, r in zip(seeds, returns_b, strict=True)],
        eval_set="seeds",
    )
    assert attached == {
        "model": "eval-policy",
        "version": "1.0.1",
        "evalSet": "seeds",
        "samples": 20,
        "metrics": ["return"],
    }
    # A {metric: {unit: value}} mapping on a second set; a binary metric beside it.
    registry.evaluate("eval-policy", "1.0.1", {"solved": {str(s): 1 for s in seeds}}, eval_set="solved")
    assert registry.evaluation_summaries("eval-policy", "1.0.0") == [
        {"evalSet": "seeds", "metric": "return", "units": 20, "mean": 152.0, "sd": pytest.approx(1.4509525002200232)}
    ]
    assert [(s["evalSet"], s["metric"], s["units"]) for s in registry.evaluation_summaries("eval-policy", "1.0.1")] == [
        ("seeds", "return", 20),
        ("solved", "solved", 20),
    ]
    compared = registry.compare_versions("eval-policy", "1.0.0", "1.0.1")
    assert compared["significanceNote"] is None
    [significance] = compared["significance"]
    assert {k: significance[k] for k in ("evalSet", "metric", "paired", "test", "units", "verdict")} == {
        "evalSet": "seeds",
        "metric": "return",
        "paired": True,
        "test": "paired-t",
        "units": {"a": 20, "b": 20},
        "verdict": "better",
    }
    assert significance["difference"]["estimate"] == pytest.approx(15.0)
    assert significance["pValue"] < 1e-6


@pytest.mark.parametrize(
    ("samples", "units", "message"),
    [
        ([], None, "invalid samples: must hold at least one sample"),
        ([{"unit": "a", "metric": "m", "value": float("nan")}], None, "invalid samples[0].value: must be a finite"),
        ([{"unit": "a", "metric": "m", "value": True}], None, "invalid samples[0].value: must be a finite"),
        ([{"unit": "", "metric": "m", "value": 1}], None, "invalid samples[0].unit: must be a string of 1-200"),
        ([{"unit": "a", "metric": " m", "value": 1}], None, "invalid samples[0].metric: must be 1-200 characters"),
        (
            [{"unit": "a", "value": 1}],
            None,
            "invalid samples[0]: must be a mapping with exactly unit, metric and value",
        ),
        (
            [{"unit": 1, "metric": "m", "value": 1}, {"unit": "1", "metric": "m", "value": 2}],
            None,
            "invalid samples[1].unit: unit '1' already has a value of 'm' at samples[0]",
        ),
        ({"m": [1.0, 2.0]}, None, "invalid samples['m']: is a sequence of values: give units="),
        ({"m": np.array([1.0, 2.0])}, ["a"], "invalid samples['m']: holds 2 values for 1 units"),
        ({"m": {"a": float("inf")}}, None, "invalid samples['m']['a'].value: must be a finite"),
        ([{"unit": "a", "metric": "m", "value": 1}], ["a"], "invalid units: is taken only with samples given as"),
        ([{"unit": str(i), "metric": "m", "value": 0} for i in range(100_001)], None, "at most 100000 samples"),
    ],
)
def test_bad_samples_are_refused_before_anything_is_sent(
    registry: modelctl.Registry, samples: Any, units: Any, message: str
) -> None:
    with pytest.raises(modelctl.ModelctlError) as caught:
        registry.evaluate("eval-refused", "1.0.0", samples, units=units)
    assert caught.value.code == "INVALID_INPUT"
    assert caught.value.message.startswith(message) or message in caught.value.message


def test_bad_samples_register_nothing_and_an_unknown_version_is_not_found(registry: modelctl.Registry) -> None:
    with pytest.raises(modelctl.ModelctlError) as caught:
        registry.save_model_version(b"x", "eval-nothing", eval_samples=[{"unit": "a", "metric": "m", "value": "1"}])
    assert caught.value.code == "INVALID_INPUT"
    with pytest.raises(modelctl.ModelctlError) as missing:
        registry.history("eval-nothing")
    assert missing.value.code == "NOT_FOUND"
    with pytest.raises(modelctl.ModelctlError) as bad_set:
        registry.evaluate("eval-nothing", "1.0.0", [{"unit": "a", "metric": "m", "value": 1}], eval_set="a b")
    assert bad_set.value.code == "INVALID_INPUT"
    with pytest.raises(modelctl.ModelctlError) as unknown:
        registry.evaluate("eval-nothing", "1.0.0", [{"unit": "a", "metric": "m", "value": 1}])
    assert (unknown.value.code, unknown.value.message) == (
        "NOT_FOUND",
        "model version eval-nothing@1.0.0 does not exist",
    )
