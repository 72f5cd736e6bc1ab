"""A serving process: records one outcome per request of A/B test ``test_id``, as fast as it can, until it is killed.
Unit ``u-<i>`` gets the value ``i % 2``. Its sender wakes only for a full batch (10,000 outcomes), so between two
batches the journal holds outcomes the server has not seen, whatever the machine's speed."""

from __future__ import annotations

import sys

import modelctl


def main(url: str, token: str, runs_dir: str, test_id: str) -> None:
    registry = modelctl.create_versioning_system(url, token, runs_dir=runs_dir)
    test = registry.ab_test(test_id, send_interval=3600.0)
    i = 0
    while True:
        test.record({f"u-{i}": float(i % 2)})
        i += 1


if __name__ == "__main__":
    main(*sys.argv[1:5])
