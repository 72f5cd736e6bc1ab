"""A/B tests from Python: the test's arguments as the original API took them, and the handle serving code uses."""

from __future__ import annotations

import atexit
import logging
import math
import numbers
import os
import re
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .assignment import BASIS_POINTS, Arm, Assigner
from .errors import ModelctlError, invalid
from .outcome_journal import (
    MAX_OUTCOMES_PER_REQUEST,
    OUTCOMES_FILE,
    OutcomeJournal,
    OutcomeShipResult,
    outcome_journal_dir,
    ship_outcomes,
)
from .transport import Transport

log = logging.getLogger("modelctl")

#: Outcome journals open in this process, by path: ``sync`` leaves them to their own handles.
OPEN_OUTCOME_JOURNALS: set[str] = set()
#: Longest duration a test may have: 3650 days, as the server bounds every duration.
MAX_DURATION_MS = 3650 * 24 * 3600 * 1000
# The server bounds one wait to 60 s; result(wait=True) asks again until the test ends or its own timeout passes.
_WAIT_SECONDS = 60

SPLIT_KEYS = (("model_a", "model_b"), ("control", "treatment"))


def split_basis_points(traffic_split: Mapping[str, object] | None) -> dict[str, int]:
    """``{"model_a": 0.5, "model_b": 0.5}`` (or ``control``/``treatment``) as basis points ``{"control": 5000,
    "treatment": 5000}``: shares are fractions in (0, 1), each an exact multiple of 0.0001, summing to exactly 1.

    :raises ModelctlError: INVALID_INPUT naming the field and the allowed forms.
    """
    if traffic_split is None:
        return {"control": BASIS_POINTS // 2, "treatment": BASIS_POINTS // 2}
    keys = next((pair for pair in SPLIT_KEYS if set(traffic_split) == set(pair)), None)
    if keys is None:
        raise invalid(
            "traffic_split",
            f"must have the keys model_a and model_b (or control and treatment), got {sorted(traffic_split)}",
        )
    points: list[int] = []
    for key in keys:
        share = traffic_split[key]
        if isinstance(share, bool) or not isinstance(share, numbers.Real) or not 0 < float(share) < 1:
            raise invalid(f"traffic_split.{key}", f"must be a fraction between 0 and 1 (exclusive), got {share!r}")
        scaled = float(share) * BASIS_POINTS
        if abs(scaled - round(scaled)) > 1e-6:
            raise invalid(f"traffic_split.{key}", f"must be a multiple of 0.0001 (one basis point), got {share!r}")
        points.append(round(scaled))
    if sum(points) != BASIS_POINTS:
        raise invalid("traffic_split", f"shares must sum to 1, got {' + '.join(str(traffic_split[k]) for k in keys)}")
    return {"control": points[0], "treatment": points[1]}


def duration_ms(duration_hours: object) -> int:
    """Hours as whole milliseconds: positive, at most 3650 days, and a whole number of milliseconds.

    :raises ModelctlError: INVALID_INPUT naming ``duration_hours``.
    """
    if isinstance(duration_hours, bool) or not isinstance(duration_hours, numbers.Real):
        raise invalid("duration_hours", f"must be a number of hours, got {duration_hours!r}")
    ms = float(duration_hours) * 3_600_000
    if not math.isfinite(ms) or ms < 1 or ms > MAX_DURATION_MS:
        raise invalid("duration_hours", f"must be from 1 ms to 3650 days (87600 hours), got {duration_hours!r}")
    if abs(ms - round(ms)) > 1e-3:
        raise invalid("duration_hours", f"must be a whole number of milliseconds, got {duration_hours!r} hours")
    return round(ms)


def ab_test_id_for(test_name: str) -> str:
    """An A/B test id for a name: letters, digits, ``.``, ``_``, ``-``, at most 200 characters."""
    if not isinstance(test_name, str) or test_name.strip() == "":
        raise invalid("test_name", "must be a non-empty string")
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", test_name.strip()).strip("-._")[:200]
    if slug == "":
        raise invalid("test_name", f"needs a letter or digit to make a test id, got {test_name!r}")
    return slug


@dataclass(frozen=True)
class Assignment:
    """Where a unit lands: its ``arm``, ``bucket`` (0..9999) and the model ``version`` that serves it."""

    unit_id: str
    arm: Arm
    bucket: int
    version: str


class AbTest:
    """A running A/B test. ``assign`` is computed here, with the server's hash. ``record`` appends outcomes to this
    handle's journal (SQLite, WAL, under ``<runs_dir>/ab-tests/``) before it returns; a background thread sends them
    in batches of at most 10,000 (every ``send_interval`` seconds, or once a batch is full), keeping them through an
    outage; ``flush()`` sends what is pending now. At interpreter exit the handle drains for at most
    ``drain_timeout`` seconds; what is left (or what a killed process left) is sent by ``modelctl-sync``."""

    def __init__(
        self,
        transport: Transport,
        *,
        test_id: str,
        model: str,
        control: str,
        treatment: str,
        split: Mapping[str, int],
        runs_dir: Path,
        salt: str | None = None,
        send_interval: float = 1.0,
        drain_timeout: float = 10.0,
        max_backoff: float = 5.0,
    ) -> None:
        self.id = test_id
        self.model = model
        self.control = control
        self.treatment = treatment
        self.split = dict(split)
        self._assigner = Assigner(salt or test_id, self.split)
        self._transport = transport
        self._path = "/ab-tests/" + quote(test_id, safe="")
        self._runs_dir = runs_dir
        self._journal: OutcomeJournal | None = None
        self._lock = threading.Lock()
        # One sender at a time: the thread, flush() and the exit drain.
        self._ship_lock = threading.Lock()
        self._send_interval = send_interval
        self.drain_timeout = drain_timeout
        self._max_backoff = max_backoff
        self._wake = threading.Event()
        self._closing = threading.Event()
        self._thread: threading.Thread | None = None
        self._warned = False
        # Recorded since the last pass of the sender: a full batch wakes it early.
        self._unsent = 0

    @property
    def journal(self) -> OutcomeJournal | None:
        """This handle's outcome journal, opened by the first ``record``."""
        return self._journal

    def assign(self, unit_id: str) -> Assignment:
        """The arm and version serving ``unit_id``; the same in every process and in the server."""
        arm, bucket = self._assigner.assign(unit_id)
        return Assignment(unit_id, arm, bucket, self.control if arm == "control" else self.treatment)

    def record(self, outcomes: Mapping[str, object] | Iterable[tuple[str, object]]) -> None:
        """Records outcomes ``{unit_id: value}`` (or pairs): 0/1 for a binary metric, any finite number for a
        continuous one. A unit recorded again replaces its value. Returns once they are in the journal (one SQLite
        transaction per call); it never waits on the network.

        :raises ModelctlError: INVALID_INPUT at once for an empty unit id or a value that is not a finite number
            (nothing of the call is recorded).
        """
        items = outcomes.items() if isinstance(outcomes, Mapping) else outcomes
        checked: dict[str, float] = {}
        for unit_id, value in items:
            if not isinstance(unit_id, str) or not 1 <= len(unit_id) <= 500:
                raise invalid("outcome unit id", f"must be a string of 1 to 500 characters, got {unit_id!r}")
            if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(float(value)):
                raise invalid(f"outcome of {unit_id!r}", f"must be a finite number, got {value!r}")
            checked[unit_id] = float(value)
        if not checked:
            return
        self._open_journal().record(checked)
        with self._lock:
            self._unsent += len(checked)
            full = self._unsent >= MAX_OUTCOMES_PER_REQUEST
        if full:
            self._wake.set()

    def _open_journal(self) -> OutcomeJournal:
        with self._lock:
            if self._journal is None:
                journal = OutcomeJournal(outcome_journal_dir(self._runs_dir, self.id) / OUTCOMES_FILE)
                journal.set("test_id", self.id)
                journal.set("url", self._transport.base_url)
                journal.set("pid", str(os.getpid()))
                OPEN_OUTCOME_JOURNALS.add(str(journal.path))
                self._journal = journal
                self._thread = threading.Thread(target=self._loop, name=f"modelctl-abtest-{self.id}", daemon=True)
                self._thread.start()
                atexit.register(self._at_exit)
            return self._journal

    def _ship(self, deadline: float | None = None) -> OutcomeShipResult:
        assert self._journal is not None
        with self._ship_lock:
            with self._lock:
                self._unsent = 0
            return ship_outcomes(self._journal, self._transport, deadline=deadline)

    def _loop(self) -> None:
        backoff = 0.5
        wait = self._send_interval
        while not self._closing.is_set():
            self._wake.wait(wait)
            self._wake.clear()
            if self._closing.is_set():
                return
            try:
                result = self._ship()
            except Exception as err:  # a broken answer must not end the thread that sends the rest
                log.warning("modelctl: sending outcomes of A/B test %s failed: %s", self.id, err)
                wait = self._max_backoff
                continue
            if result.error is not None:
                if not self._warned:
                    log.warning(
                        "modelctl: %s; outcomes of A/B test %s are kept in %s and sent when the server is back",
                        result.error.message,
                        self.id,
                        self._journal.path if self._journal is not None else self._runs_dir,
                    )
                    self._warned = True
                wait = backoff
                backoff = min(backoff * 2, self._max_backoff)
                continue
            if self._warned:
                log.warning("modelctl: the server is back; A/B test %s sends its outcomes again", self.id)
                self._warned = False
            backoff, wait = 0.5, self._send_interval

    def _at_exit(self) -> None:
        """At interpreter exit: send what is pending for at most ``drain_timeout`` seconds, retrying while the server
        cannot be reached; what is left stays in the journal for ``modelctl-sync``. Never raises."""
        self._closing.set()
        self._wake.set()
        if self._journal is None:
            return
        try:
            result = self._drain(self.drain_timeout)
        except Exception as err:  # nothing may raise at exit; the journal keeps the outcomes
            log.warning("modelctl: outcomes of A/B test %s: %s; they are kept in %s", self.id, err, self._journal.path)
            return
        finally:
            OPEN_OUTCOME_JOURNALS.discard(str(self._journal.path))
        if result.pending > 0:
            log.warning(
                "modelctl: %d outcomes of A/B test %s kept in %s; run modelctl-sync to send them",
                result.pending,
                self.id,
                self._journal.path,
            )
        else:
            self._journal.set("closed", "1")

    def _drain(self, timeout: float) -> OutcomeShipResult:
        deadline = time.monotonic() + timeout
        while True:
            result = self._ship(deadline)
            if result.error is None or time.monotonic() + 0.2 >= deadline:
                return result
            time.sleep(0.2)

    def flush(self) -> int:
        """Sends every pending outcome now and returns how many went.

        :raises ModelctlError: UNAVAILABLE (they stay journaled and go later), or the server's refusal (NOT_FOUND,
            REFUSED …: those outcomes are marked rejected in the journal and not sent again).
        """
        if self._journal is None:
            return 0
        result = self._ship()
        if result.error is not None:
            raise result.error
        if result.refusal is not None:
            raise result.refusal
        return result.sent

    def status(self) -> dict[str, Any]:
        """The test's run now: ``status`` (Temporal's), ``state`` (the test's own status and times), ``interim``
        (the analysis of the outcomes so far while it runs), ``result`` once it ended."""
        result: dict[str, Any] = self._transport.request("GET", self._path)
        return result

    def result(self, wait: bool = True, timeout: float | None = None) -> dict[str, Any] | None:
        """The test's result (decision, analysis) once it ended; with ``wait``, flushes the outcomes and waits for
        the end (at most ``timeout`` seconds; default no limit). None when it has not ended.

        :raises ModelctlError: the run's failure code when the test failed.
        """
        if not wait:
            answer = self.status()
            return _ended_result(answer)
        self.flush()
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            remaining = (
                _WAIT_SECONDS if deadline is None else max(1, min(_WAIT_SECONDS, int(deadline - time.monotonic())))
            )
            answer = self._transport.request(
                "GET", self._path, params={"wait": "true", "timeoutSeconds": str(remaining)}
            )
            ended = _ended_result(answer)
            if ended is not None or (deadline is not None and time.monotonic() >= deadline):
                return ended

    def stop(self, reason: str | None = None) -> dict[str, Any]:
        """Ends a sequential test early with its decision (admin); returns the state the test answered with, once
        the test has ended (or after at most 60 s)."""
        return self._control("stop", reason)

    def abort(self, reason: str | None = None) -> dict[str, Any]:
        """Ends the test without a decision (admin); returns the state the test answered with, once the test has
        ended (or after at most 60 s)."""
        return self._control("abort", reason)

    def _control(self, verb: str, reason: str | None) -> dict[str, Any]:
        self.flush()
        body = {} if reason is None else {"reason": reason}
        result: dict[str, Any] = self._transport.request("POST", f"{self._path}/{verb}", json=body)
        # The test answers the request before it records its end; outcomes sent in between would still be taken.
        self._transport.request("GET", self._path, params={"wait": "true", "timeoutSeconds": str(_WAIT_SECONDS)})
        return result


def _ended_result(answer: Mapping[str, Any]) -> dict[str, Any] | None:
    failure = answer.get("failure")
    if failure:
        raise ModelctlError(str(failure.get("code", "UNEXPECTED")), str(failure.get("message", "the test failed")))
    if answer.get("status") == "RUNNING":
        return None
    result = answer.get("result")
    return dict(result) if isinstance(result, Mapping) else None
