"""The client's assignment hash against vectors written by the TypeScript side (test/fixtures/assignment)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import modelctl
from modelctl.assignment import Assigner, murmurhash3_x86_32

VECTORS = Path(__file__).resolve().parents[3] / "test" / "fixtures" / "assignment" / "vectors.json"


def test_100000_unit_ids_land_in_the_same_buckets_as_in_typescript() -> None:
    cases = json.loads(VECTORS.read_text(encoding="utf-8"))["cases"]
    assert sum(len(c["units"]) for c in cases) == 100_000
    for case in cases:
        assigner = Assigner(case["salt"], {"control": 5000, "treatment": 5000})
        mismatches = [u for u, b in zip(case["units"], case["buckets"], strict=True) if assigner.bucket(u) != b]
        assert mismatches == []


def test_murmurhash3_known_answers() -> None:
    # SMHasher's verification values for MurmurHash3_x86_32.
    assert murmurhash3_x86_32(b"", 0) == 0
    assert murmurhash3_x86_32(b"", 1) == 0x514E28B7
    assert murmurhash3_x86_32(b"", 0xFFFFFFFF) == 0x81F16F39
    assert murmurhash3_x86_32(b"\xff\xff\xff\xff", 0) == 0x76293B50
    assert murmurhash3_x86_32(b"\x21\x43\x65\x87", 0) == 0xF55B516B
    assert murmurhash3_x86_32(b"Hello, world!", 1234) == 0xFAF6CDB3


def test_the_split_decides_the_arm_at_the_bucket_boundary() -> None:
    assigner = Assigner("t", {"control": 2500, "treatment": 7500})
    arms = {assigner.assign(f"u{i}") for i in range(2000)}
    assert all((arm == "control") == (bucket < 2500) for arm, bucket in arms)


@pytest.mark.parametrize(
    "split",
    [{"control": 5000, "treatment": 4999}, {"control": 5000.0, "treatment": 5000}, {"control": 10000}],
)
def test_a_split_that_is_not_basis_points_summing_to_10000_is_refused(split: dict[str, int]) -> None:
    with pytest.raises(modelctl.ModelctlError) as caught:
        Assigner("t", split)
    assert caught.value.code == "INVALID_INPUT"
    assert caught.value.message.startswith("invalid traffic split: must be integer basis points summing to 10000")
