"""The journal of an A/B test's outcomes on the serving side: a SQLite file in WAL mode holding every outcome
recorded, one row per unit, and whether the server has acknowledged its latest value.

The server keeps one outcome per unit and replaces it when the unit is recorded again, so resending a batch whose
answer was lost, or sending what a killed process left, stores each unit once with its latest value.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from .errors import ModelctlError, UnavailableError
from .journal import open_journal_db, run_dir_name
from .transport import Transport

log = logging.getLogger("modelctl")

OUTCOMES_FILE = "outcomes.sqlite"
#: Where outcome journals live under the runs directory: ``<runs_dir>/ab-tests/<test id>.<journal id>/``.
AB_TESTS_DIR = "ab-tests"
#: Most outcomes per request (the server's limit).
MAX_OUTCOMES_PER_REQUEST = 10_000

_SCHEMA = """
create table if not exists meta (key text primary key, value text not null);
create table if not exists outcomes (
  unit text primary key, value real not null, seq integer not null,
  state text not null check (state in ('pending', 'sent', 'rejected')), error text
);
create index if not exists outcomes_pending on outcomes (state, seq);
"""


def outcome_journal_dir(runs_dir: Path, test_id: str) -> Path:
    """A new journal directory for one handle of test ``test_id``: each serving process writes its own file."""
    return runs_dir / AB_TESTS_DIR / f"{run_dir_name(test_id)}.{uuid.uuid4().hex[:12]}"


@dataclass(frozen=True)
class OutcomeBatch:
    """Pending outcomes ``(unit, value, seq)``; ``seq`` tells whether a unit was recorded again meanwhile."""

    rows: list[tuple[str, float, int]]


class OutcomeJournal:
    """One handle's outcome journal. Thread-safe: one lock serialises ``record``, the sender and ``sync``."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._db = open_journal_db(path, _SCHEMA)
        self._seq = int(self._db.execute("select coalesce(max(seq), 0) from outcomes").fetchone()[0])

    def get(self, key: str) -> str | None:
        """A meta value: ``test_id``, ``url``, ``pid``, ``closed``."""
        with self._lock:
            row = self._db.execute("select value from meta where key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set(self, key: str, value: str) -> None:
        with self._lock:
            self._db.execute("insert or replace into meta (key, value) values (?, ?)", (key, value))

    def record(self, outcomes: dict[str, float]) -> None:
        """Journals outcomes ``{unit: value}`` in one transaction (a unit again: its new value, pending again)."""
        with self._lock:
            rows = []
            for unit, value in outcomes.items():
                self._seq += 1
                rows.append((unit, value, self._seq))
            self._db.execute("begin")
            self._db.executemany(
                "insert into outcomes (unit, value, seq, state) values (?, ?, ?, 'pending') "
                "on conflict (unit) do update set value = excluded.value, seq = excluded.seq, state = 'pending', "
                "error = null",
                rows,
            )
            self._db.execute("commit")

    def next_batch(self, max_outcomes: int = MAX_OUTCOMES_PER_REQUEST) -> OutcomeBatch | None:
        """The oldest pending outcomes, at most ``max_outcomes``; None when every one is acknowledged."""
        with self._lock:
            rows = self._db.execute(
                "select unit, value, seq from outcomes where state = 'pending' order by seq limit ?", (max_outcomes,)
            ).fetchall()
        return None if not rows else OutcomeBatch([(str(u), float(v), int(s)) for u, v, s in rows])

    def mark(self, batch: OutcomeBatch, state: str, error: str | None = None) -> None:
        """Records the server's answer: ``sent`` or ``rejected``; a unit recorded again since stays pending."""
        with self._lock:
            self._db.execute("begin")
            self._db.executemany(
                "update outcomes set state = ?, error = ? where unit = ? and seq = ?",
                [(state, error, unit, seq) for unit, _, seq in batch.rows],
            )
            self._db.execute("commit")

    def _pending(self) -> int:
        return int(self._db.execute("select count(*) from outcomes where state = 'pending'").fetchone()[0])

    def pending(self) -> int:
        """Outcomes the server has not acknowledged."""
        with self._lock:
            return self._pending()

    def counts(self) -> dict[str, int]:
        """Units per state: ``recorded``, ``sent``, ``rejected``, ``pending``."""
        with self._lock:
            found = dict(self._db.execute("select state, count(*) from outcomes group by state").fetchall())
        out = {s: int(found.get(s, 0)) for s in ("sent", "rejected", "pending")}
        out["recorded"] = sum(out.values())
        return out

    def close(self) -> None:
        with self._lock:
            self._db.close()


@dataclass
class OutcomeShipResult:
    """What one pass sent: ``sent`` outcomes acknowledged, ``pending`` still to send, ``rejected`` refused by the
    server in this pass, ``error`` why it stopped early (the server unreachable)."""

    sent: int
    pending: int
    rejected: int = 0
    error: UnavailableError | None = None
    refusal: ModelctlError | None = None

    @property
    def done(self) -> bool:
        return self.pending == 0 and self.error is None


def outcomes_path(test_id: str) -> str:
    return "/ab-tests/" + quote(test_id, safe="") + "/outcomes"


def ship_outcomes(
    journal: OutcomeJournal, transport: Transport, *, deadline: float | None = None, max_batches: int = 1_000
) -> OutcomeShipResult:
    """Sends the journal's pending outcomes in batches of at most 10,000 until none is left, the server cannot be
    reached, ``deadline`` (``time.monotonic()`` seconds) passes or ``max_batches`` requests went. A batch the server
    refuses (the test ended or does not exist) is marked rejected with the error, kept in the journal, logged, and
    returned as ``refusal``; no retry could change that answer.
    """
    test_id = journal.get("test_id")
    if test_id is None:
        raise ModelctlError("INVALID_INPUT", f"outcome journal {journal.path} names no A/B test")
    sent = rejected = 0
    refusal: ModelctlError | None = None
    for _ in range(max_batches):
        if deadline is not None and time.monotonic() >= deadline:
            break
        batch = journal.next_batch()
        if batch is None:
            break
        body = {"outcomes": [{"unitId": unit, "value": value} for unit, value, _ in batch.rows]}
        try:
            transport.request("POST", outcomes_path(test_id), json=body)
        except UnavailableError as err:
            return OutcomeShipResult(sent, journal.pending(), rejected, error=err, refusal=refusal)
        except ModelctlError as err:
            journal.mark(batch, "rejected", str(err))
            rejected += len(batch.rows)
            refusal = err
            log.warning(
                "modelctl: the server refused %d outcomes of A/B test %s (%s); they stay in %s",
                len(batch.rows),
                test_id,
                err,
                journal.path,
            )
            continue
        journal.mark(batch, "sent")
        sent += len(batch.rows)
    return OutcomeShipResult(sent, journal.pending(), rejected, refusal=refusal)
