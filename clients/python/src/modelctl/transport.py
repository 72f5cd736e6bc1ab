"""HTTP to ``modelctl serve``: bearer auth, JSON in and out, problem+json answers turned into ModelctlError."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import httpx

from .config import Settings
from .errors import ModelctlError, UnavailableError

API_PREFIX = "/api/v1"


def _error_of(response: httpx.Response) -> ModelctlError:
    """The ModelctlError of an error answer: the problem's code and detail, or the status when the body is not one."""
    request_id = response.headers.get("x-request-id")
    code, detail = "UNEXPECTED", f"HTTP {response.status_code}"
    try:
        body = response.json()
        if isinstance(body, dict):
            code = str(body.get("code", code))
            detail = str(body.get("detail", detail))
    except ValueError:
        pass
    kind = UnavailableError if response.status_code >= 500 or response.status_code == 429 else ModelctlError
    return kind(code, detail, status=response.status_code, request_id=request_id)


class Transport:
    """One httpx client per registry; safe to share between threads (httpx.Client is)."""

    def __init__(self, settings: Settings) -> None:
        headers = {"user-agent": "modelctl-python/0.1"}
        if settings.token is not None:
            headers["authorization"] = f"Bearer {settings.token}"
        self.base_url = settings.url
        self._timeout = settings.timeout
        self._client = httpx.Client(base_url=settings.url + API_PREFIX, headers=headers, timeout=settings.timeout)

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, str | list[str]] | None = None,
        content: Iterable[bytes] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """Sends one request and returns the decoded JSON answer. A request that asks the server to wait
        (``wait=true`` with ``timeoutSeconds``) gets that long on top of the client's per-request timeout.

        :raises UnavailableError: UNAVAILABLE when the server cannot be reached or times out; the server's code
            (UNAVAILABLE, RATE_LIMITED, UNEXPECTED) for a 5xx or 429 answer.
        :raises ModelctlError: the server's code for any other error answer.
        """
        if self._client.is_closed:
            raise ModelctlError(
                "CLOSED", "this registry client is closed; create another with create_versioning_system"
            )
        try:
            response = self._client.request(
                method,
                path,
                json=json,
                params=params,
                content=content,
                headers=headers,
                timeout=self._timeout_of(params),
            )
        except httpx.TransportError as err:
            raise UnavailableError(
                "UNAVAILABLE", f"cannot reach {self.base_url}: {type(err).__name__}: {err}".rstrip(": ")
            ) from None
        if response.status_code >= 400:
            raise _error_of(response)
        try:
            return response.json()
        except ValueError:
            raise ModelctlError(
                "UNEXPECTED",
                f"{method} {path} answered {response.status_code} with a body that is not JSON",
                status=response.status_code,
                request_id=response.headers.get("x-request-id"),
            ) from None

    def _timeout_of(self, params: Mapping[str, str | list[str]] | None) -> float:
        """Seconds to wait for the answer: the server holds a ``wait=true`` request up to ``timeoutSeconds``."""
        if params is None or params.get("wait") != "true":
            return self._timeout
        held = params.get("timeoutSeconds")
        try:
            return self._timeout + float(held) if isinstance(held, str) else self._timeout
        except ValueError:
            return self._timeout

    def download(self, path: str, target: Path) -> None:
        """Streams a GET answer's body into ``target`` (written to a temporary name, renamed when complete).

        :raises UnavailableError, ModelctlError: as :meth:`request`.
        """
        partial = target.with_name(target.name + ".partial")
        try:
            with self._client.stream("GET", path) as response:
                if response.status_code >= 400:
                    response.read()
                    raise _error_of(response)
                with partial.open("wb") as f:
                    for chunk in response.iter_bytes():
                        f.write(chunk)
        except httpx.TransportError as err:
            partial.unlink(missing_ok=True)
            raise UnavailableError("UNAVAILABLE", f"cannot reach {self.base_url}: {type(err).__name__}") from None
        partial.replace(target)

    def close(self) -> None:
        self._client.close()
