"""The original run_ab_test arguments map onto the A/B test's split and duration exactly, or are refused."""

from __future__ import annotations

import pytest

import modelctl
from modelctl.ab_test import ab_test_id_for, duration_ms, split_basis_points


def test_fractions_become_basis_points() -> None:
    assert split_basis_points({"model_a": 0.5, "model_b": 0.5}) == {"control": 5000, "treatment": 5000}
    assert split_basis_points({"model_a": 0.9, "model_b": 0.1}) == {"control": 9000, "treatment": 1000}
    assert split_basis_points({"control": 0.0001, "treatment": 0.9999}) == {"control": 1, "treatment": 9999}
    assert split_basis_points(None) == {"control": 5000, "treatment": 5000}


@pytest.mark.parametrize(
    ("split", "message"),
    [
        ({"model_a": 0.5, "model_b": 0.4}, "invalid traffic_split: shares must sum to 1, got 0.5 + 0.4"),
        (
            {"model_a": 1 / 3, "model_b": 2 / 3},
            "invalid traffic_split.model_a: must be a multiple of 0.0001 (one basis point), got 0.3333333333333333",
        ),
        (
            {"model_a": 1.0, "model_b": 0.0},
            "invalid traffic_split.model_a: must be a fraction between 0 and 1 (exclusive), got 1.0",
        ),
        (
            {"a": 0.5, "b": 0.5},
            "invalid traffic_split: must have the keys model_a and model_b (or control and treatment), got ['a', 'b']",
        ),
        (
            {"model_a": "0.5", "model_b": 0.5},
            "invalid traffic_split.model_a: must be a fraction between 0 and 1 (exclusive), got '0.5'",
        ),
    ],
)
def test_a_split_that_does_not_map_exactly_is_refused(split: dict[str, object], message: str) -> None:
    with pytest.raises(modelctl.ModelctlError) as caught:
        split_basis_points(split)
    assert (caught.value.code, caught.value.message) == ("INVALID_INPUT", message)


def test_hours_become_whole_milliseconds() -> None:
    assert duration_ms(24.0) == 86_400_000
    assert duration_ms(0.001) == 3_600
    assert duration_ms(87_600) == 315_360_000_000


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        (0, "invalid duration_hours: must be from 1 ms to 3650 days (87600 hours), got 0"),
        (-1.0, "invalid duration_hours: must be from 1 ms to 3650 days (87600 hours), got -1.0"),
        (87_601, "invalid duration_hours: must be from 1 ms to 3650 days (87600 hours), got 87601"),
        (float("nan"), "invalid duration_hours: must be from 1 ms to 3650 days (87600 hours), got nan"),
        (1e-7, "invalid duration_hours: must be from 1 ms to 3650 days (87600 hours), got 1e-07"),
        (1.0000001, "invalid duration_hours: must be a whole number of milliseconds, got 1.0000001 hours"),
        ("24", "invalid duration_hours: must be a number of hours, got '24'"),
    ],
)
def test_a_duration_that_is_not_whole_milliseconds_in_range_is_refused(hours: object, message: str) -> None:
    with pytest.raises(modelctl.ModelctlError) as caught:
        duration_ms(hours)
    assert (caught.value.code, caught.value.message) == ("INVALID_INPUT", message)


def test_test_names_become_ids() -> None:
    assert ab_test_id_for("recommender_ab_test") == "recommender_ab_test"
    assert ab_test_id_for("Checkout: new button!") == "Checkout-new-button"
    with pytest.raises(modelctl.ModelctlError):
        ab_test_id_for("!!!")
