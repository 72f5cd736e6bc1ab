"""Client settings from arguments, then ``MODELCTL_URL`` / ``MODELCTL_TOKEN`` / ``MODELCTL_RUNS_DIR``."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from .errors import ModelctlError

DEFAULT_URL = "http://127.0.0.1:8080"
DEFAULT_RUNS_DIR = Path(".modelctl") / "runs"


@dataclass(frozen=True)
class Settings:
    """Where the server is, the token that acts, and where run journals live.

    ``url`` is the server's base URL (``http(s)://host[:port]``, no path), ``token`` the bearer secret or None,
    ``runs_dir`` the directory of run journals, ``timeout`` seconds per HTTP request.
    """

    url: str
    token: str | None
    runs_dir: Path
    timeout: float = 30.0


def _pick(argument: str | None, variable: str) -> str | None:
    """The argument, else the environment variable; an empty value is an error, not a default."""
    value = argument if argument is not None else os.environ.get(variable)
    if value is not None and value.strip() == "":
        source = "argument" if argument is not None else variable
        raise ModelctlError("CONFIGURATION", f"{source} is empty; unset it to get the default")
    return value


def load_settings(
    url: str | None = None,
    token: str | None = None,
    runs_dir: str | os.PathLike[str] | None = None,
    timeout: float = 30.0,
) -> Settings:
    """Settings from the arguments, falling back to ``MODELCTL_URL`` (default ``http://127.0.0.1:8080``),
    ``MODELCTL_TOKEN`` (default none) and ``MODELCTL_RUNS_DIR`` (default ``./.modelctl/runs``).

    :raises ModelctlError: CONFIGURATION for an empty value, a URL that is not ``http(s)://host[:port]``, or a
        timeout outside (0, 3600] seconds.
    """
    chosen_url = (_pick(url, "MODELCTL_URL") or DEFAULT_URL).rstrip("/")
    parts = urlsplit(chosen_url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/"):
        raise ModelctlError(
            "CONFIGURATION", f"invalid MODELCTL_URL {chosen_url!r}: use http(s)://host[:port] with no path"
        )
    chosen_token = _pick(token, "MODELCTL_TOKEN")
    runs = _pick(os.fspath(runs_dir) if runs_dir is not None else None, "MODELCTL_RUNS_DIR")
    if not 0 < timeout <= 3600:
        raise ModelctlError("CONFIGURATION", f"invalid timeout {timeout!r}: must be in (0, 3600] seconds")
    return Settings(
        url=chosen_url,
        token=chosen_token.strip() if chosen_token is not None else None,
        runs_dir=Path(runs) if runs is not None else DEFAULT_RUNS_DIR,
        timeout=timeout,
    )
