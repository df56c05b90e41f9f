"""A local secret key, generated once and kept beside the database.

Deployments set SECRET_KEY; a laptop should not need to, but must not share
one key with every other checkout either.
"""

from __future__ import annotations

import secrets
from pathlib import Path


def local_secret_key(path: Path) -> str:
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    path.write_text(key)
    path.chmod(0o600)
    return key
