"""The journal of one run: a SQLite file in WAL mode holding every point logged, the batches formed from them and
which of those the server acknowledged, and the run's create and end requests still to send.

A batch, once formed, never changes: it is resent whole under the same idempotency key until the server answers,
so a point the server stored before an answer was lost is not stored twice.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from hashlib import sha256
from pathlib import Path
from typing import Any

JOURNAL_FILE = "journal.sqlite"

_SCHEMA = """
create table if not exists meta (key text primary key, value text not null);
create table if not exists points (
  seq integer primary key, key text not null, value real not null, step integer not null,
  at real not null, batch integer
);
create index if not exists points_unbatched on points (batch, seq);
create table if not exists batches (
  id integer primary key, first_seq integer not null, last_seq integer not null,
  state text not null check (state in ('pending', 'sent', 'rejected')), error text
);
"""

# Bytes a point takes in a batch's JSON body beyond its key: value, step, timestamp and punctuation.
_POINT_OVERHEAD_BYTES = 96


@dataclass(frozen=True)
class Batch:
    """Points ``first_seq..last_seq`` of the journal, sent as one request under ``idempotency_key``."""

    id: int
    idempotency_key: str
    points: list[dict[str, Any]]


def run_dir_name(experiment_id: str) -> str:
    """A directory name for an experiment id: the id itself when it is a safe file name, else a hash of it."""
    if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}", experiment_id):
        return experiment_id
    return "id-" + sha256(experiment_id.encode("utf-8")).hexdigest()[:32]


def iso_time(unix_seconds: float) -> str:
    """UTC ISO 8601 with milliseconds, as the server stores times: ``2026-12-02T15:31:04.123Z``."""
    moment = datetime.fromtimestamp(unix_seconds, tz=timezone.utc)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def open_journal_db(path: Path, schema: str) -> sqlite3.Connection:
    """A journal's SQLite connection, usable from any thread, with ``schema`` applied.

    Autocommit mode: each statement, or each explicit transaction, commits on its own. WAL with synchronous=NORMAL
    survives a killed process; only a power loss can drop the last commits.
    """
    db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30.0)
    db.execute("pragma journal_mode=wal")
    db.execute("pragma synchronous=normal")
    db.executescript(schema)
    return db


class Journal:
    """One run's journal file. Thread-safe: one lock serialises the writer thread, ``end()`` and ``sync``."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._db = open_journal_db(path, _SCHEMA)
        with self._lock:
            if self._get("journal_id") is None:
                self._set("journal_id", uuid.uuid4().hex)

    @classmethod
    def exists_in(cls, run_dir: Path) -> bool:
        return (run_dir / JOURNAL_FILE).is_file()

    def _get(self, key: str) -> str | None:
        row = self._db.execute("select value from meta where key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def _set(self, key: str, value: str) -> None:
        self._db.execute("insert or replace into meta (key, value) values (?, ?)", (key, value))

    def get(self, key: str) -> str | None:
        """A meta value: ``experiment_id``, ``journal_id``, ``url``, ``pid``, ``create``, ``created``, ``end``,
        ``ended``."""
        with self._lock:
            return self._get(key)

    def set(self, key: str, value: str) -> None:
        with self._lock:
            self._set(key, value)

    def get_json(self, key: str) -> Any:
        raw = self.get(key)
        return None if raw is None else json.loads(raw)

    def set_json(self, key: str, value: Any) -> None:
        self.set(key, json.dumps(value))

    def append(self, points: list[tuple[str, float, int, float]]) -> None:
        """Appends points ``(key, value, step, unix seconds)`` in one transaction."""
        if not points:
            return
        with self._lock:
            self._db.execute("begin")
            self._db.executemany("insert into points (key, value, step, at) values (?, ?, ?, ?)", points)
            self._db.execute("commit")

    def next_batch(self, max_points: int, max_bytes: int) -> Batch | None:
        """The oldest batch not yet acknowledged, else a new one formed from the oldest unbatched points (at most
        ``max_points`` points and about ``max_bytes`` of JSON); None when every point is acknowledged."""
        with self._lock:
            row = self._db.execute(
                "select id, first_seq, last_seq from batches where state = 'pending' order by id limit 1"
            ).fetchone()
            if row is None:
                row = self._form_batch(max_points, max_bytes)
                if row is None:
                    return None
            batch_id, first, last = int(row[0]), int(row[1]), int(row[2])
            rows = self._db.execute(
                "select key, value, step, at from points where seq between ? and ? order by seq", (first, last)
            ).fetchall()
            journal_id = self._get("journal_id")
        points = [{"key": k, "value": v, "step": s, "timestamp": iso_time(a)} for k, v, s, a in rows]
        return Batch(id=batch_id, idempotency_key=f"{journal_id}:{batch_id}", points=points)

    def _form_batch(self, max_points: int, max_bytes: int) -> tuple[int, int, int] | None:
        rows = self._db.execute(
            "select seq, length(cast(key as blob)) from points where batch is null order by seq limit ?",
            (max_points,),
        ).fetchall()
        if not rows:
            return None
        size, last = 0, int(rows[0][0])
        for seq, key_bytes in rows:
            size += int(key_bytes) + _POINT_OVERHEAD_BYTES
            if size > max_bytes and seq != rows[0][0]:
                break
            last = int(seq)
        first = int(rows[0][0])
        self._db.execute("begin immediate")
        cursor = self._db.execute(
            "insert into batches (first_seq, last_seq, state) values (?, ?, 'pending')", (first, last)
        )
        batch_id = int(cursor.lastrowid or 0)
        self._db.execute("update points set batch = ? where seq between ? and ?", (batch_id, first, last))
        self._db.execute("commit")
        return batch_id, first, last

    def mark(self, batch_id: int, state: str, error: str | None = None) -> None:
        """Records the server's answer to a batch: ``sent`` (stored) or ``rejected`` (refused, with its error)."""
        with self._lock:
            self._db.execute("update batches set state = ?, error = ? where id = ?", (state, error, batch_id))

    def pending_points(self) -> int:
        """Points the server has not acknowledged: unbatched, or in a batch not yet answered."""
        with self._lock:
            row = self._db.execute(
                "select count(*) from points p left join batches b on b.id = p.batch "
                "where p.batch is null or b.state = 'pending'"
            ).fetchone()
        return int(row[0])

    def counts(self) -> dict[str, int]:
        """Points per state: ``logged``, ``sent``, ``rejected``, ``pending``."""
        with self._lock:
            rows = self._db.execute(
                "select coalesce(b.state, 'pending'), count(*) from points p left join batches b on b.id = p.batch "
                "group by 1"
            ).fetchall()
        found = {str(state): int(n) for state, n in rows}
        out = {s: found.get(s, 0) for s in ("sent", "rejected", "pending")}
        out["logged"] = sum(out.values())
        return out

    def close(self) -> None:
        with self._lock:
            self._db.close()
