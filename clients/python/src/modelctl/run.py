"""A tracked run: ``log()`` validates and enqueues; a background thread journals the points and ships them."""

from __future__ import annotations

import atexit
import logging
import math
import numbers
import os
import threading
import time
from collections import deque
from collections.abc import Mapping
from types import TracebackType
from typing import Any

from .enums import ExperimentStatus, coerce
from .errors import ModelctlError, invalid
from .journal import Journal
from .shipper import MAX_BATCH_POINTS, ShipResult, ship
from .transport import Transport

log = logging.getLogger("modelctl")

MAX_STEP = 2**53 - 1
MAX_KEY_LENGTH = 200
#: Runs open in this process, by journal path: ``sync`` leaves their journals to their own threads.
OPEN_JOURNALS: set[str] = set()


class Run:
    """An experiment being tracked: the ``experiment_id`` wherever one is expected, and a context manager that ends
    it COMPLETED, or FAILED with the exception's message.

    ``log()`` never waits on the network: it appends to an in-memory queue; every ``journal_interval`` seconds the
    background thread moves the queue into the run's journal (SQLite, WAL) and, every ``send_interval`` seconds or
    once ``send_batch_points`` points are waiting, sends them in batches of at most 10,000 points. While the server
    cannot be reached it logs one warning and retries with backoff up to ``max_backoff`` seconds.
    """

    def __init__(
        self,
        *,
        experiment: dict[str, Any],
        journal: Journal,
        transport: Transport | None,
        journal_interval: float = 0.05,
        send_interval: float = 1.0,
        send_batch_points: int = 5_000,
        max_backoff: float = 5.0,
        drain_timeout: float = 10.0,
    ) -> None:
        self.id: str = str(experiment["id"])
        self.experiment = experiment
        self.journal = journal
        self._transport = transport
        self._journal_interval = journal_interval
        self._send_interval = send_interval
        self._send_batch_points = min(send_batch_points, MAX_BATCH_POINTS)
        self._max_backoff = max_backoff
        self.drain_timeout = drain_timeout
        self._queue: deque[tuple[str, float, int, float]] = deque()
        self._known_keys: set[str] = set()
        self._next_step = 0
        self._ended = False
        self._closing = threading.Event()
        self._wake = threading.Event()
        self._outage_warned = False
        # One sender at a time: a batch resent concurrently would race on its idempotency key.
        self._ship_lock = threading.Lock()
        journal.set("pid", str(os.getpid()))
        OPEN_JOURNALS.add(str(journal.path))
        self._thread = threading.Thread(target=self._loop, name=f"modelctl-run-{self.id}", daemon=True)
        self._thread.start()
        atexit.register(self._at_exit)

    # -- the training loop's side ---------------------------------------------------------------------------

    def log(self, metrics: Mapping[str, object], step: int | None = None) -> None:
        """Enqueues one point per ``key: value`` at ``step`` (an integer ≥ 0; default: one past the last step logged).

        Values are finite real numbers (Python or numpy ints and floats, not bools).
        :raises ModelctlError: INVALID_INPUT at once, naming key and step, for a wrong type, a non-finite value, a
            bad key (a string of 1 to 200 characters without surrounding spaces) or a bad step; REFUSED after ``end()``.
        """
        if self._ended:
            raise ModelctlError("REFUSED", f"run {self.id} has ended; metrics are logged only while it runs")
        if step is None:
            step = self._next_step
        elif type(step) is not int and (not isinstance(step, numbers.Integral) or isinstance(step, bool)):
            raise invalid("step", f"must be an integer >= 0, got {step!r}")
        if not 0 <= step <= MAX_STEP:
            raise invalid("step", f"must be an integer in [0, 2^53-1], got {step}")
        step = int(step)
        if not isinstance(metrics, Mapping):
            raise invalid("metrics", f"must be a mapping of metric names to numbers, got {type(metrics).__name__}")
        at = time.time()
        points: list[tuple[str, float, int, float]] = []
        for key, value in metrics.items():
            if key not in self._known_keys:
                self._check_key(key, step)
            if type(value) is float:
                number = value
            elif isinstance(value, numbers.Real) and not isinstance(value, bool):
                number = float(value)
            else:
                raise invalid(
                    f"metric {key!r} at step {step}", f"must be a real number, got {type(value).__name__} {value!r}"
                )
            if not math.isfinite(number):
                raise invalid(f"metric {key!r} at step {step}", f"is {number}: non-finite values are rejected")
            points.append((key, number, step, at))
        # All or nothing: a bad value anywhere in the mapping enqueues none of its points.
        self._queue.extend(points)
        self._next_step = step + 1

    def _check_key(self, key: object, step: int) -> None:
        if not isinstance(key, str):
            raise invalid(f"metric key at step {step}", f"must be a string, got {type(key).__name__} {key!r}")
        if key.strip() != key or not 1 <= len(key) <= MAX_KEY_LENGTH:
            raise invalid(
                f"metric key {key!r} at step {step}",
                f"must be 1-{MAX_KEY_LENGTH} characters without leading or trailing spaces",
            )
        self._known_keys.add(key)

    # -- the background thread ------------------------------------------------------------------------------

    def _flush_queue(self) -> int:
        taken: list[tuple[str, float, int, float]] = []
        pop = self._queue.popleft
        try:
            while len(taken) < 100_000:
                taken.append(pop())
        except IndexError:
            pass
        self.journal.append(taken)
        return len(taken)

    def _loop(self) -> None:
        waiting, last_send, retry_at, backoff = 0, time.monotonic(), 0.0, 0.5
        while True:
            self._wake.wait(self._journal_interval)
            self._wake.clear()
            try:
                waiting += self._flush_queue()
            except Exception as err:  # a full disk must not kill the thread that keeps the points
                log.warning("modelctl: cannot write the journal %s: %s", self.journal.path, err)
                self._closing.wait(1.0)
                continue
            if self._closing.is_set():
                return
            now = time.monotonic()
            due = waiting >= self._send_batch_points or now - last_send >= self._send_interval
            if self._transport is None or waiting == 0 or not due or now < retry_at:
                continue
            try:
                with self._ship_lock:
                    result = ship(self.journal, self._transport, max_batches=10)
            except Exception as err:  # a refused creation, a broken answer: keep the points, try again later
                log.warning("modelctl: run %s: %s", self.id, err)
                retry_at = now + self._max_backoff
                continue
            last_send = time.monotonic()
            if result.error is not None:
                if not self._outage_warned:
                    log.warning(
                        "modelctl: %s; training goes on, points are kept in %s and sent when the server is back",
                        result.error.message,
                        self.journal.path,
                    )
                    self._outage_warned = True
                retry_at = last_send + backoff
                backoff = min(backoff * 2, self._max_backoff)
                continue
            if self._outage_warned:
                log.warning("modelctl: the server is back; run %s sends its points again", self.id)
                self._outage_warned = False
            backoff = 0.5
            waiting = result.pending

    def _stop_thread(self) -> None:
        self._closing.set()
        self._wake.set()
        self._thread.join()
        self._flush_queue()

    # -- the end --------------------------------------------------------------------------------------------

    def flush(self, timeout: float | None = None) -> bool:
        """Journals the queue and sends every pending point now, waiting at most ``timeout`` seconds (default
        ``drain_timeout``). Returns True when the server has acknowledged every point."""
        self._flush_queue()
        if self._transport is None:
            return False
        result = self._drain(self.drain_timeout if timeout is None else timeout)
        return result.pending == 0 and result.error is None

    def _drain(self, timeout: float) -> ShipResult:
        """Ships until nothing is left or ``timeout`` seconds pass, retrying every 0.2 s while the server cannot be
        reached (a restarted server refuses the connections kept from before)."""
        assert self._transport is not None
        deadline = time.monotonic() + timeout
        while True:
            with self._ship_lock:
                result = ship(self.journal, self._transport, deadline=deadline)
            if result.done or result.error is None or time.monotonic() + 0.2 >= deadline:
                return result
            time.sleep(0.2)

    def end(self, status: ExperimentStatus | str = ExperimentStatus.COMPLETED, *, message: str | None = None) -> bool:
        """Ends the run: journals the queue, records the end (``status``; a ``message`` is added to the
        experiment's warnings) and drains for at most ``drain_timeout`` seconds. Whatever is left stays in the
        journal for ``modelctl-sync`` / ``Registry.sync()``, which sends the points, then the end.

        Returns True when everything, end included, reached the server. Ending twice does nothing.
        :raises ModelctlError: INVALID_INPUT for a status that is not terminal.
        """
        final = coerce(ExperimentStatus, status, "status")
        if final is ExperimentStatus.RUNNING:
            raise invalid("status", "must be COMPLETED, FAILED or CANCELLED to end a run")
        if self._ended:
            return True
        self._ended = True
        atexit.unregister(self._at_exit)
        self._stop_thread()
        patch: dict[str, Any] = {"status": final.value}
        if message:
            patch["addWarnings"] = [message[:2000]]
        self.journal.set_json("end", patch)
        done = False
        if self._transport is not None:
            done = self._drain(self.drain_timeout).done
        OPEN_JOURNALS.discard(str(self.journal.path))
        if not done:
            pending = self.journal.pending_points()
            log.warning(
                "modelctl: run %s ended with %d points%s kept in %s; run modelctl-sync to send them",
                self.id,
                pending,
                " and its end" if pending == 0 else "",
                self.journal.path,
            )
        return done

    def _at_exit(self) -> None:
        """At interpreter exit without ``end()``: journal the queue and send for at most ``drain_timeout``."""
        if self._ended:
            return
        self._stop_thread()
        OPEN_JOURNALS.discard(str(self.journal.path))
        if self._transport is None:
            return
        try:
            result = self._drain(self.drain_timeout)
        except Exception as err:  # nothing may raise at exit; the journal keeps the points
            log.warning("modelctl: run %s: %s; its points are kept in %s", self.id, err, self.journal.path)
            return
        if not result.done:
            log.warning(
                "modelctl: run %s: %d points kept in %s; run modelctl-sync to send them",
                self.id,
                result.pending,
                self.journal.path,
            )

    def __enter__(self) -> Run:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if error is None:
            self.end(ExperimentStatus.COMPLETED)
        else:
            self.end(ExperimentStatus.FAILED, message=f"{type(error).__name__}: {error}")

    def __str__(self) -> str:
        return self.id

    def __repr__(self) -> str:
        return f"Run(id={self.id!r}, name={self.experiment.get('name')!r})"
