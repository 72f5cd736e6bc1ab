"""Evaluation samples: per-unit values of a version's metrics on a named evaluation set, for paired comparisons."""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Iterable, Mapping
from typing import Any

from .errors import invalid

#: Most samples one call attaches: the HTTP API replaces a set whole in one request of at most this many.
MAX_EVALUATION_SAMPLES = 100_000
#: The set samples belong to when none is named.
DEFAULT_EVAL_SET = "default"
_EVAL_SET = re.compile(r"[A-Za-z0-9._-]{1,100}")
MAX_UNIT_LENGTH = 200
MAX_METRIC_LENGTH = 200

#: What ``samples`` may be: ``[{"unit": …, "metric": …, "value": …}, …]``, ``{metric: {unit: value}}``, or
#: ``{metric: values}`` (a sequence or numpy array) with ``units=`` naming the unit of each position.
EvaluationSamples = Iterable[Mapping[str, Any]] | Mapping[str, Any]


def check_eval_set(eval_set: object) -> str:
    """The evaluation set's name, checked: 1-100 letters, digits, ``.``, ``_``, ``-``.

    :raises ModelctlError: INVALID_INPUT naming ``eval_set``.
    """
    if not isinstance(eval_set, str) or _EVAL_SET.fullmatch(eval_set) is None:
        raise invalid("eval_set", f'must be 1-100 letters, digits, ".", "_" or "-", got {eval_set!r}')
    return eval_set


def _unit(unit: object, where: str) -> str:
    # Seeds and row numbers are natural unit ids: integers (Python or numpy) become their decimal string.
    if isinstance(unit, numbers.Integral) and not isinstance(unit, bool):
        return str(int(unit))
    if not isinstance(unit, str) or not 1 <= len(unit) <= MAX_UNIT_LENGTH:
        raise invalid(
            f"{where}.unit", f"must be a string of 1-{MAX_UNIT_LENGTH} characters or an integer, got {unit!r}"
        )
    return unit


def _metric(metric: object, where: str) -> str:
    if not isinstance(metric, str) or metric.strip() != metric or not 1 <= len(metric) <= MAX_METRIC_LENGTH:
        raise invalid(
            f"{where}.metric",
            f"must be 1-{MAX_METRIC_LENGTH} characters without leading or trailing spaces, got {metric!r}",
        )
    return metric


def _value(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(float(value)):
        raise invalid(f"{where}.value", f"must be a finite number (0/1 for a binary metric), got {value!r}")
    return float(value)


def _as_list(values: object, where: str) -> list[Any]:
    tolist = getattr(values, "tolist", None)  # a numpy array: one conversion instead of a scalar per element
    if callable(tolist):
        values = tolist()
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise invalid(where, f"must be a sequence or an array, got {type(values).__name__}")
    return list(values)


def _triples(samples: EvaluationSamples, units: object) -> Iterable[tuple[object, object, object, str]]:
    """(unit, metric, value, where) of each sample of any accepted form, unchecked."""
    if isinstance(samples, Mapping):
        unit_list = None if units is None else _as_list(units, "units")
        for metric, values in samples.items():
            if isinstance(values, Mapping):
                for unit, value in values.items():
                    yield unit, metric, value, f"samples[{metric!r}][{unit!r}]"
                continue
            if unit_list is None:
                raise invalid(
                    f"samples[{metric!r}]",
                    "is a sequence of values: give units= (the unit id of each position) or a {unit: value} mapping",
                )
            value_list = _as_list(values, f"samples[{metric!r}]")
            if len(value_list) != len(unit_list):
                raise invalid(f"samples[{metric!r}]", f"holds {len(value_list)} values for {len(unit_list)} units")
            for i, (unit, value) in enumerate(zip(unit_list, value_list, strict=True)):
                yield unit, metric, value, f"samples[{metric!r}][{i}]"
        return
    if units is not None:
        raise invalid("units", "is taken only with samples given as {metric: values}")
    if isinstance(samples, (str, bytes)) or not isinstance(samples, Iterable):
        raise invalid(
            "samples", f"must be a list of {{unit, metric, value}} or a mapping, got {type(samples).__name__}"
        )
    for i, sample in enumerate(samples):
        if not isinstance(sample, Mapping) or set(sample) != {"unit", "metric", "value"}:
            raise invalid(f"samples[{i}]", f"must be a mapping with exactly unit, metric and value, got {sample!r}")
        yield sample["unit"], sample["metric"], sample["value"], f"samples[{i}]"


def normalize_samples(samples: EvaluationSamples, units: object = None) -> list[dict[str, Any]]:
    """The samples as the server takes them, ``[{"unit": str, "metric": str, "value": float}, …]``, checked whole
    before anything is sent: units are strings of 1-200 characters (integers become their decimal string), metrics
    1-200 characters, values finite (numpy scalars and arrays accepted), each (unit, metric) once, 1 to 100,000.

    :raises ModelctlError: INVALID_INPUT naming the sample and field.
    """
    out: list[dict[str, Any]] = []
    seen: dict[tuple[str, str], str] = {}
    for raw_unit, raw_metric, raw_value, where in _triples(samples, units):
        metric = _metric(raw_metric, where)
        unit = _unit(raw_unit, where)
        value = _value(raw_value, where)
        first = seen.get((metric, unit))
        if first is not None:
            raise invalid(f"{where}.unit", f"unit {unit!r} already has a value of {metric!r} at {first}")
        seen[(metric, unit)] = where
        out.append({"unit": unit, "metric": metric, "value": value})
        if len(out) > MAX_EVALUATION_SAMPLES:
            raise invalid("samples", f"must hold at most {MAX_EVALUATION_SAMPLES} samples per call")
    if not out:
        raise invalid("samples", "must hold at least one sample")
    return out
