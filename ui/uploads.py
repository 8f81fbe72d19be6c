"""An uploaded file kept on the server between an import's preview and its confirmation.

The file lies in a private folder (mode 0700) under the system's temporary directory, named by a random
token; the token is kept in the signed session of the user who uploaded it (so nobody else can confirm
it) and in the preview job's result. The file is deleted when the import has run, when it is cancelled,
and otherwise after :data:`KEEP` (pruned at the next upload). Every dashboard process on the machine
sees the same folder.
"""

from __future__ import annotations

import os
import re
import secrets
import tempfile
import time
from pathlib import Path
from typing import BinaryIO

KEEP = 3600  # seconds an upload waits for its confirmation
_TOKEN = re.compile(r"^[0-9a-f]{32}$")


def folder() -> Path:
    path = Path(os.environ.get("PATHWAYS_UPLOADS") or Path(tempfile.gettempdir()) / "pathways-uploads")
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def path_of(token: str) -> Path | None:
    """The stored file of ``token``, if the token is well-formed and the file is still there."""
    if not _TOKEN.match(token or ""):
        return None
    path = folder() / token
    return path if path.is_file() else None


def create() -> tuple[str, BinaryIO]:
    """A new token and its file, open for writing (only this user may read it). Old uploads are pruned."""
    prune()
    token = secrets.token_hex(16)
    descriptor = os.open(folder() / token, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    return token, os.fdopen(descriptor, "wb")


def delete(token: str) -> None:
    path = path_of(token)
    if path is not None:
        path.unlink(missing_ok=True)


def prune(now: float | None = None) -> None:
    """Delete uploads older than KEEP (an import never confirmed). ``now``: seconds since the epoch."""
    # the files' modification times are wall-clock times: the injected clock (a test's fixed date) cannot
    # be compared with them
    limit = (now if now is not None else time.time()) - KEEP  # noqa: TID251
    for path in folder().iterdir():
        try:
            if _TOKEN.match(path.name) and path.stat().st_mtime < limit:
                path.unlink(missing_ok=True)
        except OSError:
            continue
