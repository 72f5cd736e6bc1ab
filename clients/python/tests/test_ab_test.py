"""A/B tests, promotion and rollback through the workflow routes of a real server and worker."""

from __future__ import annotations

import pytest

import modelctl
from modelctl.transport import Transport
from serve import ServeProcess


def test_local_assignment_matches_the_server_and_outcomes_reach_the_test(
    registry: modelctl.Registry, server: ServeProcess
) -> None:
    a = registry.save_model_version(b"a", "ab-handle")
    b = registry.save_model_version(b"b", "ab-handle")
    test = registry.run_ab_test(
        "handle test", a, b, traffic_split={"model_a": 0.3, "model_b": 0.7}, duration_hours=1.0, sequential=True
    )
    assert (test.id, test.model, test.control, test.treatment, test.split) == (
        "handle-test",
        "ab-handle",
        "1.0.0",
        "1.0.1",
        {"control": 3000, "treatment": 7000},
    )
    units = [f"user-{i}" for i in range(500)]
    transport = Transport(registry.settings)
    served = transport.request("POST", "/ab-tests/handle-test/assignments", json={"units": units})["items"]
    transport.close()
    local = [test.assign(u) for u in units]
    assert [(x.unit_id, x.arm, x.bucket, x.version) for x in local] == [
        (s["unitId"], s["arm"], s["bucket"], s["version"]) for s in served
    ]

    test.record({x.unit_id: 1.0 if x.arm == "treatment" and x.bucket % 2 == 0 else 0.0 for x in local})
    test.record([("user-0", 1.0)])
    test.flush()
    attached = registry.ab_test("handle-test")
    assert (attached.split, attached.assign("user-7")) == (test.split, test.assign("user-7"))
    status = test.status()
    assert (status["status"], status["state"]["status"]) == ("RUNNING", "RUNNING")
    interim = status["interim"]["analysis"]
    assert interim["control"]["units"] + interim["treatment"]["units"] == 500
    stopped = test.stop(reason="enough")
    assert stopped["stopRequestedBy"] == "admin"
    result = test.result(wait=True, timeout=60)
    assert result is not None
    assert result["status"] == "STOPPED"


def test_a_bad_outcome_raises_at_once_and_a_missing_version_is_not_found(registry: modelctl.Registry) -> None:
    a = registry.save_model_version(b"a", "ab-errors")
    with pytest.raises(modelctl.ModelctlError) as missing:
        registry.run_ab_test("missing arm", a, "ab-errors@9.9.9", duration_hours=1.0)
    assert missing.value.code == "NOT_FOUND"
    b = registry.save_model_version(b"b", "ab-errors")
    test = registry.run_ab_test("errors", a, b, duration_hours=1.0)
    with pytest.raises(modelctl.ModelctlError) as bad:
        test.record({"u1": float("nan")})
    assert (bad.value.code, bad.value.message) == (
        "INVALID_INPUT",
        "invalid outcome of 'u1': must be a finite number, got nan",
    )
    with pytest.raises(modelctl.ModelctlError) as other_model:
        registry.run_ab_test("mixed", a, {"model": "other", "version": "1.0.0"})
    assert (
        other_model.value.message
        == "invalid model_b_version: must be a version of ab-errors, like model_a_version; got other"
    )
    test.abort(reason="done")
    test.record({"late": 1.0})
    with pytest.raises(modelctl.ModelctlError) as late:
        test.flush()
    assert (late.value.code, late.value.status) == ("REFUSED", 422)
    with pytest.raises(modelctl.ModelctlError) as unknown:
        registry.ab_test("no-such-test")
    assert unknown.value.code == "NOT_FOUND"


def test_promote_then_rollback_through_the_workflows(registry: modelctl.Registry) -> None:
    v1 = registry.save_model_version(b"one", "lifecycle")
    v2 = registry.save_model_version(b"two", "lifecycle")
    first = registry.promote("lifecycle", v1, reason="first")
    assert (first["version"], first["outcome"], first["previousVersion"]) == ("1.0.0", "PROMOTED", None)
    second = registry.promote("lifecycle", "1.0.1")
    assert (second["version"], second["previousVersion"]) == ("1.0.1", "1.0.0")
    assert registry.production_model("lifecycle")["version"] == "1.0.1"
    with pytest.raises(modelctl.ModelctlError) as no_reason:
        registry.rollback("lifecycle", reason=" ")
    assert (no_reason.value.code, no_reason.value.message) == (
        "INVALID_INPUT",
        "invalid reason: a rollback needs a reason",
    )
    rolled = registry.rollback("lifecycle", reason="latency regression")
    assert rolled["version"] == "1.0.0"
    assert [v["status"] for v in registry.history("lifecycle")["versions"]] == ["PRODUCTION", "DEPRECATED"]
    assert v2["version"] == "1.0.1"
