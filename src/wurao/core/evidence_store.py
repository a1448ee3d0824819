"""The evidence files of inspection records and penalty cases, kept once by their SHA-256.

One content-addressed folder under the var directory: a file uploaded to a record and again to
the case that record led to is stored once, and its hash in either table names it. An upload
is written to a temporary file and moved into place only when complete, so a broken upload
never leaves a file under a hash it does not have.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import BinaryIO

from wurao.core.config import get_settings
from wurao.core.errors import InvalidInput

MAX_BYTES = 200 * 1024 * 1024
"""Larger recordings are kept elsewhere and registered by their SHA-256 and location."""

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def is_sha256(text: str) -> bool:
    """Whether ``text`` is a SHA-256 digest in lowercase hex."""
    return bool(_SHA256.match(text))


def store_dir() -> Path:
    """Where evidence files are kept, by SHA-256."""
    return get_settings().var_dir / "evidence"


def path_of(sha256: str) -> Path:
    """The stored file of an evidence hash."""
    if not is_sha256(sha256):
        raise InvalidInput("SHA-256 摘要格式不正确。", field="sha256")
    return store_dir() / sha256


def store(stream: BinaryIO) -> tuple[str, int]:
    """Store an upload by its SHA-256: (digest, size in bytes)."""
    folder = store_dir()
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(1024 * 1024):
                size += len(chunk)
                if size > MAX_BYTES:
                    raise InvalidInput(
                        "文件过大；音视频请保存在外部并登记其 SHA-256。", field="file"
                    )
                digest.update(chunk)
                out.write(chunk)
        sha = digest.hexdigest()
        os.replace(tmp, folder / sha)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return sha, size


def clean_filename(filename: str) -> str:
    """The file name without any client path, at most 200 characters; empty is refused."""
    name = Path(filename.replace("\\", "/")).name.strip()
    if not name:
        raise InvalidInput("请选择文件。", field="file")
    return name[:200]
