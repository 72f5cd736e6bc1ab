"""Traffic assignment of A/B tests, bit for bit the server's (src/stats/assignment.ts):

    seed   = MurmurHash3_x86_32(UTF-8(test salt), seed 0)
    bucket = MurmurHash3_x86_32(UTF-8(unit id), seed) mod 10000
    arm    = "control" if bucket < split["control"] else "treatment"

Checked against vectors the TypeScript side wrote (test/fixtures/assignment/vectors.json).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from .errors import invalid

BASIS_POINTS = 10_000
Arm = Literal["control", "treatment"]

_C1, _C2, _MASK = 0xCC9E2D51, 0x1B873593, 0xFFFFFFFF


def _rotl(x: int, r: int) -> int:
    return ((x << r) | (x >> (32 - r))) & _MASK


def murmurhash3_x86_32(data: bytes, seed: int = 0) -> int:
    """MurmurHash3, x86 32-bit variant, as an unsigned 32-bit integer.

    :see: Appleby, MurmurHash3 (SMHasher, public domain); equal to ``mmh3.hash(data, seed, signed=False)``.
    """
    h = seed & _MASK
    body = len(data) - (len(data) & 3)
    for i in range(0, body, 4):
        k = int.from_bytes(data[i : i + 4], "little")
        k = (_rotl((k * _C1) & _MASK, 15) * _C2) & _MASK
        h = (_rotl(h ^ k, 13) * 5 + 0xE6546B64) & _MASK
    tail = data[body:]
    if tail:
        k = int.from_bytes(tail, "little")
        h ^= (_rotl((k * _C1) & _MASK, 15) * _C2) & _MASK
    h ^= len(data)
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & _MASK
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & _MASK
    h ^= h >> 16
    return h


def _non_empty(field: str, value: object) -> str:
    if not isinstance(value, str) or value == "":
        raise invalid(field, "must be a non-empty string")
    return value


class Assigner:
    """The assignment function of one test: ``Assigner(salt, split).assign(unit_id) -> (arm, bucket)``.

    ``split`` is integer basis points ``{"control": c, "treatment": t}`` with ``c + t == 10000``.
    :raises ModelctlError: INVALID_INPUT for an empty salt or unit id, or a split that is not that.
    """

    def __init__(self, salt: str, split: Mapping[str, int]) -> None:
        self.salt = _non_empty("test salt", salt)
        control, treatment = split.get("control"), split.get("treatment")
        if (
            set(split) != {"control", "treatment"}
            or not all(type(v) is int and v >= 0 for v in (control, treatment))
            or (control or 0) + (treatment or 0) != BASIS_POINTS
        ):
            raise invalid("traffic split", f"must be integer basis points summing to {BASIS_POINTS}, got {dict(split)}")
        self.control_points = int(control or 0)
        self._seed = murmurhash3_x86_32(self.salt.encode("utf-8"), 0)

    def bucket(self, unit_id: str) -> int:
        """The unit's bucket, 0 to 9999."""
        return murmurhash3_x86_32(_non_empty("unit id", unit_id).encode("utf-8"), self._seed) % BASIS_POINTS

    def assign(self, unit_id: str) -> tuple[Arm, int]:
        """The unit's arm and bucket."""
        bucket = self.bucket(unit_id)
        return ("control" if bucket < self.control_points else "treatment"), bucket
