"""Closed sets of the registry, with the literal spellings the original API accepted ("completed", "validation")."""

from __future__ import annotations

from enum import Enum
from typing import TypeVar

from .errors import invalid


class ExperimentType(str, Enum):
    """What an experiment is."""

    TRAINING = "TRAINING"
    AB_TEST = "AB_TEST"
    VALIDATION = "VALIDATION"
    BENCHMARK = "BENCHMARK"
    HYPERPARAMETER_SWEEP = "HYPERPARAMETER_SWEEP"


class ExperimentStatus(str, Enum):
    """Where an experiment is: RUNNING, then one terminal status."""

    RUNNING = "RUNNING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"


class ModelStatus(str, Enum):
    """Lifecycle status of a model version (docs/architecture.md, "Domain")."""

    TRAINING = "TRAINING"
    VALIDATION = "VALIDATION"
    PRODUCTION = "PRODUCTION"
    DEPRECATED = "DEPRECATED"
    FAILED = "FAILED"


E = TypeVar("E", bound=Enum)


def coerce(kind: type[E], value: object, field: str) -> E:
    """``value`` as a member of ``kind``: a member, or its name in any case (``"completed"`` → COMPLETED).

    :raises ModelctlError: INVALID_INPUT naming ``field`` and the allowed values.
    """
    if isinstance(value, kind):
        return value
    if isinstance(value, str):
        try:
            return kind[value.strip().upper()]
        except KeyError:
            pass
    allowed = ", ".join(m.name for m in kind)
    raise invalid(field, f"must be one of {allowed}, got {value!r}")
