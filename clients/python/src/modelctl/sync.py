"""``modelctl-sync``: sends the points (and the ends) that run journals still hold, and the outcomes A/B test
journals still hold."""

from __future__ import annotations

import argparse
import sys

from .errors import ModelctlError, UnavailableError
from .registry import create_versioning_system

#: Exit codes, as the modelctl CLI uses them (docs/errors.md).
EXIT_INVALID, EXIT_NOT_FOUND, EXIT_REFUSED, EXIT_UNAVAILABLE = 2, 3, 5, 7


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="modelctl-sync", description="Send what run and A/B test outcome journals hold to a modelctl server."
    )
    parser.add_argument("run_dirs", nargs="*", help="run directories (default: every run under --runs-dir)")
    parser.add_argument("--url", help="server URL (default: MODELCTL_URL, else http://127.0.0.1:8080)")
    parser.add_argument("--token", help="API token (default: MODELCTL_TOKEN)")
    parser.add_argument(
        "--runs-dir", help="directory of run journals (default: MODELCTL_RUNS_DIR, else ./.modelctl/runs)"
    )
    args = parser.parse_args(argv)
    try:
        registry = create_versioning_system(args.url, args.token, runs_dir=args.runs_dir, offline=False)
        with registry:
            results = registry.sync(args.run_dirs or None)
    except ModelctlError as err:
        print(f"modelctl-sync: {err.message}", file=sys.stderr)
        codes = {"INVALID_INPUT": EXIT_INVALID, "CONFIGURATION": EXIT_INVALID, "NOT_FOUND": EXIT_NOT_FOUND}
        return EXIT_UNAVAILABLE if isinstance(err, UnavailableError) else codes.get(err.code, EXIT_REFUSED)
    status = 0
    for name, result in results.items():
        label = f"A/B test {name}" if result.what == "outcomes" else f"run {name}"
        if result.error is not None:
            print(
                f"modelctl-sync: {label}: {result.error.message}; {result.pending} {result.what} kept",
                file=sys.stderr,
            )
            status = EXIT_UNAVAILABLE
            continue
        state = "done" if result.done else f"{result.pending} {result.what} left"
        print(f"{label}: sent {result.sent} {result.what}, {state}")
    if not results:
        print("no journal to send")
    return status


if __name__ == "__main__":
    sys.exit(main())
