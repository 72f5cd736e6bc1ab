"""Sends what a journal holds to the server: the run's creation, its unacknowledged batches, then its end."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from urllib.parse import quote

from .errors import ModelctlError, UnavailableError
from .journal import Journal
from .transport import Transport

log = logging.getLogger("modelctl")

#: Most points per request: the server's limit for one metric batch.
MAX_BATCH_POINTS = 10_000
#: Most JSON bytes per request, below the server's 1 MiB body limit.
MAX_BATCH_BYTES = 900_000


@dataclass
class ShipResult:
    """What one pass sent: ``sent`` points (or outcomes) acknowledged, ``pending`` still to send, ``done`` when nothing
    (points, creation or end) is left, ``error`` the reason it stopped early (the server unreachable)."""

    sent: int
    pending: int
    done: bool
    error: UnavailableError | None = None
    #: What was sent: ``"points"`` of a run, or ``"outcomes"`` of an A/B test.
    what: str = "points"


def experiment_path(experiment_id: str) -> str:
    return "/experiments/" + quote(experiment_id, safe="")


def _send_once(
    journal: Journal, transport: Transport, *, request: str, done_flag: str, method: str, path: str, tolerated: str
) -> None:
    """Sends the journal's recorded ``request`` (``create`` or ``end``) unless ``done_flag`` says it went; an answer
    with the ``tolerated`` code means an earlier sync got there first, and counts as sent."""
    body = journal.get_json(request)
    if body is None or journal.get(done_flag) == "1":
        return
    try:
        transport.request(method, path, json=body)
    except UnavailableError:
        raise
    except ModelctlError as err:
        if err.code != tolerated:
            raise
    journal.set(done_flag, "1")


def ship(
    journal: Journal, transport: Transport, *, deadline: float | None = None, max_batches: int = 1_000
) -> ShipResult:
    """Sends the journal's pending work until it is all acknowledged, the server is unreachable, ``deadline``
    (``time.monotonic()`` seconds) passes or ``max_batches`` requests went. A batch the server refuses (4xx) is
    marked rejected with the error and logged once; it is not retried.

    :raises ModelctlError: the creation or the end refused by the server (not UNAVAILABLE: that is returned).
    """
    experiment_id = journal.get("experiment_id")
    if experiment_id is None:
        raise ModelctlError("INVALID_INPUT", f"journal {journal.path} names no experiment")
    sent = 0
    try:
        # The experiment of an offline run is created first; an experiment that exists already counts.
        _send_once(
            journal,
            transport,
            request="create",
            done_flag="created",
            method="POST",
            path="/experiments",
            tolerated="ALREADY_EXISTS",
        )
        for _ in range(max_batches):
            if deadline is not None and time.monotonic() >= deadline:
                break
            batch = journal.next_batch(MAX_BATCH_POINTS, MAX_BATCH_BYTES)
            if batch is None:
                break
            try:
                transport.request(
                    "POST",
                    experiment_path(experiment_id) + "/metrics",
                    json={"points": batch.points, "idempotencyKey": batch.idempotency_key},
                )
            except UnavailableError:
                raise
            except ModelctlError as err:
                journal.mark(batch.id, "rejected", str(err))
                log.warning(
                    "modelctl: the server refused %d points of run %s (%s); they stay in %s",
                    len(batch.points),
                    experiment_id,
                    err,
                    journal.path,
                )
                continue
            journal.mark(batch.id, "sent")
            sent += len(batch.points)
        pending = journal.pending_points()
        if pending == 0:
            # The end goes last: an ended experiment takes no more points. Ended already (by an earlier sync) counts.
            _send_once(
                journal,
                transport,
                request="end",
                done_flag="ended",
                method="PATCH",
                path=experiment_path(experiment_id),
                tolerated="ILLEGAL_TRANSITION",
            )
    except UnavailableError as err:
        return ShipResult(sent=sent, pending=journal.pending_points(), done=False, error=err)
    pending = journal.pending_points()
    left = pending > 0 or (journal.get("end") is not None and journal.get("ended") != "1")
    return ShipResult(sent=sent, pending=pending, done=not left)
