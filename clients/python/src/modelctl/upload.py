"""What ``save_model_version`` uploads: a path, bytes, a binary file object, or an object through a serializer,
as a file on disk whose size and sha256 are known before the bytes are streamed to the server."""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from .errors import ModelctlError, invalid

CHUNK_BYTES = 1024 * 1024

#: ``serializer(obj, binary_file)`` writes ``obj``; ``pickle.dump`` by default, e.g. ``torch.save`` or ``joblib.dump``.
Serializer = Callable[[Any, IO[bytes]], object]


def _pickle(obj: Any, file: IO[bytes]) -> None:
    pickle.dump(obj, file, protocol=pickle.HIGHEST_PROTOCOL)


@dataclass
class Upload:
    """A file to stream: ``size`` bytes hashing to ``sha256``; ``temporary`` files are removed by ``close()``."""

    path: Path
    size: int
    sha256: str
    media_type: str
    temporary: bool = False
    _done: bool = field(default=False, repr=False)

    def chunks(self) -> Iterator[bytes]:
        with self.path.open("rb") as f:
            while chunk := f.read(CHUNK_BYTES):
                yield chunk

    def close(self) -> None:
        if self.temporary and not self._done:
            self._done = True
            self.path.unlink(missing_ok=True)


def _digest(path: Path) -> tuple[int, str]:
    h, size = hashlib.sha256(), 0
    with path.open("rb") as f:
        while chunk := f.read(CHUNK_BYTES):
            h.update(chunk)
            size += len(chunk)
    return size, h.hexdigest()


def _spool(write: Callable[[IO[bytes]], object]) -> Path:
    fd, name = tempfile.mkstemp(prefix="modelctl-upload-")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name)


def prepare_upload(model_obj: object, serializer: Serializer | None = None, media_type: str | None = None) -> Upload:
    """The file to upload for ``model_obj``:

    - a ``str`` or ``os.PathLike``: that file (a directory is refused: archive it first);
    - ``bytes``/``bytearray``/``memoryview``: those bytes;
    - a binary file object (has ``read``): its bytes from the current position;
    - anything else: ``serializer(obj, file)`` (``pickle`` by default: never load a pickle from a source you do not
      trust, it runs code when loaded).

    :raises ModelctlError: NOT_FOUND for a missing path, INVALID_INPUT for a directory or a text-mode file.
    """
    octet = media_type or "application/octet-stream"
    if isinstance(model_obj, (str, os.PathLike)):
        path = Path(os.fspath(model_obj))
        if path.is_dir():
            raise invalid("model_obj", f"{path} is a directory; pass a file (archive the directory first)")
        if not path.is_file():
            raise ModelctlError("NOT_FOUND", f"model_obj: no file at {path}")
        size, digest = _digest(path)
        return Upload(path, size, digest, octet)
    if isinstance(model_obj, (bytes, bytearray, memoryview)):
        data = bytes(model_obj)
        path = _spool(lambda f: f.write(data))
        return Upload(path, len(data), hashlib.sha256(data).hexdigest(), octet, temporary=True)
    reader = getattr(model_obj, "read", None)
    if callable(reader):
        probe = reader(0)
        if not isinstance(probe, bytes):
            raise invalid("model_obj", "a file object must be opened in binary mode ('rb')")
        source: IO[bytes] = model_obj  # type: ignore[assignment]
        path = _spool(lambda f: shutil.copyfileobj(source, f, CHUNK_BYTES))
    else:
        write = serializer or _pickle
        path = _spool(lambda f: write(model_obj, f))
        if media_type is None and serializer is None:
            octet = "application/x-python-pickle"
    size, digest = _digest(path)
    return Upload(path, size, digest, octet, temporary=True)
