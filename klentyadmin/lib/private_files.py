"""The data folder (var/) is readable by this app's user only, whatever the umask.

It holds the SQLite database with its WAL and SHM files, uploaded CSVs of personal data
(imports/), mail written to files (sent-mail/), the local secret key and the rate
limiters' state. A umask of 077 for the whole process makes everything it creates 0600
(folders 0700): SQLite gives its WAL and SHM files the database file's mode, and Django's
file mail backend and the import upload use the process's umask. Files left by an
earlier version or another tool are tightened once at start-up.
"""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE_UMASK = 0o077
PRIVATE_FOLDER = 0o700
PRIVATE_FILE = 0o600


def keep_private(folder: Path) -> None:
    """Called by the settings, so every process (manage.py, the WSGI server, the
    workers) sets it before it creates a file."""
    os.umask(PRIVATE_UMASK)
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(PRIVATE_FOLDER)
    for path in folder.rglob("*"):
        try:
            if not path.is_symlink():
                path.chmod(PRIVATE_FOLDER if path.is_dir() else PRIVATE_FILE)
        except FileNotFoundError:
            pass  # removed meanwhile by another process (an upload cleaned up, a WAL closed)
