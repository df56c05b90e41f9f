"""A local secret key, generated once and kept beside the database.

Deployments set SECRET_KEY; a laptop should not need to, but must not share
one key with every other checkout either.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def local_secret_key(path: Path) -> str:
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    try:
        # Created 0600 in one step: never readable by others, not even for a moment.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()  # another process started at the same moment
    with os.fdopen(fd, "w") as file:
        file.write(key)
    return key
