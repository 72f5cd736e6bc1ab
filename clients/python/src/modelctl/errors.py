"""One exception family: every error the client raises is a :class:`ModelctlError` with a string ``code``."""

from __future__ import annotations


class ModelctlError(Exception):
    """An error with modelctl's error code.

    ``code`` is the server's code from its problem+json answer (``NOT_FOUND``, ``INVALID_INPUT``, ``CONFLICT``,
    ``UNAUTHENTICATED``, ``FORBIDDEN``, ``REFUSED``, ``CHECKSUM_MISMATCH``, ``RATE_LIMITED``, ``UNAVAILABLE`` …, as
    listed in docs/errors.md), or one of the client's own: ``INVALID_INPUT`` for an argument refused before anything
    is sent, ``CONFIGURATION`` for a bad URL or token setting, ``UNAVAILABLE`` when the server cannot be reached,
    ``OFFLINE`` for an operation that needs the server while the client is offline, ``CLOSED`` after
    ``Registry.close()``, ``TIMEOUT`` when a workflow has not ended within the time given.
    ``status`` is the HTTP status (None when no answer came) and ``request_id`` the server's ``x-request-id``.
    """

    def __init__(self, code: str, message: str, *, status: int | None = None, request_id: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.request_id = request_id

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class UnavailableError(ModelctlError):
    """The server could not be reached or answered 5xx/429; the operation may succeed later (code ``UNAVAILABLE``
    or ``RATE_LIMITED``)."""


def invalid(field: str, message: str) -> ModelctlError:
    """An ``INVALID_INPUT`` error for an argument, naming it: ``invalid step: must be an integer >= 0, got -1``."""
    return ModelctlError("INVALID_INPUT", f"invalid {field}: {message}")
