"""Keeping an upload between the wizard's steps: one CSV file and one JSON sidecar per
upload under VAR_DIR/imports, named by a random token, removed after a day."""

from __future__ import annotations

import json
import os
import re
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings

TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{22,64}")
MAX_AGE_SECONDS = 24 * 3600


def import_dir() -> Path:
    return Path(settings.VAR_DIR) / "imports"


@dataclass
class StoredImport:
    """An upload: `<token>.csv` holds the bytes, `<token>.json` who uploaded them
    and what was decided at each step (mapping, list, tags, results, job id)."""

    token: str
    meta: dict[str, Any]

    @property
    def csv_path(self) -> Path:
        return import_dir() / f"{self.token}.csv"

    @property
    def meta_path(self) -> Path:
        return import_dir() / f"{self.token}.json"

    @property
    def started(self) -> bool:
        return "rows" in self.meta

    def read_bytes(self) -> bytes:
        return self.csv_path.read_bytes()

    def save(self) -> None:
        _write_atomically(self.meta_path, json.dumps(self.meta).encode())


def _write_atomically(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def remove_stale_uploads(now: float | None = None) -> int:
    """Deletes the files of uploads older than a day; returns how many went."""
    cutoff = (now or time.time()) - MAX_AGE_SECONDS
    removed = 0
    folder = import_dir()
    if not folder.is_dir():
        return 0
    for path in folder.iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            pass  # another request cleaned it first
    return removed


def save_upload(*, user, data: bytes, filename: str) -> StoredImport:
    remove_stale_uploads()
    import_dir().mkdir(parents=True, exist_ok=True)
    stored = StoredImport(
        token=secrets.token_urlsafe(24),
        meta={
            "user_id": user.pk,
            "filename": filename[:255],
            "size": len(data),
            "uploaded_at": datetime.now(UTC).isoformat(),
        },
    )
    _write_atomically(stored.csv_path, data)
    stored.save()
    return stored


def load_upload(token: str, user) -> StoredImport | None:
    """The upload if `user` made it and it is still there; None otherwise."""
    if not TOKEN_RE.fullmatch(token or ""):
        return None
    stored = StoredImport(token=token, meta={})
    try:
        meta = json.loads(stored.meta_path.read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(meta, dict) or meta.get("user_id") != user.pk:
        return None
    if not stored.csv_path.is_file():
        return None
    stored.meta = meta
    return stored


def recent_uploads(user, limit: int = 10) -> list[StoredImport]:
    """The user's uploads still on disk, newest first."""
    folder = import_dir()
    if not folder.is_dir():
        return []
    found = [s for s in (load_upload(p.stem, user) for p in folder.glob("*.json")) if s]
    found.sort(key=lambda s: s.meta.get("uploaded_at", ""), reverse=True)
    return found[:limit]
