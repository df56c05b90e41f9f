"""The data folder and everything in it are readable by the app's user only, even when
the process starts with a loose umask (022, the usual default)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Writes each kind of file var/ holds the way the app writes it, then lists the modes of
# everything under var/ while the database is still open (its WAL and SHM files exist).
WRITE_EVERY_KIND = """
import json, os, sys
from pathlib import Path
from types import SimpleNamespace

import django
django.setup()
from django.conf import settings
from django.core import mail
from django.db import connection
from klentyadmin.integrations.ratelimit import FileRateLimiter
from prospects.imports import save_upload

with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE probe (x)")
    cursor.execute("INSERT INTO probe VALUES (1)")
save_upload(user=SimpleNamespace(pk=1), data=b"email\\nada@lovelace.example\\n", filename="a.csv")
mail.send_mail("Weekly report", "Numbers", "klentyadmin@localhost", ["morgan@northwind.example"])
FileRateLimiter(settings.RATE_LIMIT_DIR).acquire("klenty", 600)

var = Path(settings.VAR_DIR)
modes = {str(p.relative_to(var)): oct(p.stat().st_mode & 0o777) for p in var.rglob("*")}
modes["."] = oct(var.stat().st_mode & 0o777)
print(json.dumps(modes))
"""


def start_with_loose_umask(var: Path, code: str) -> subprocess.CompletedProcess:
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "klentyadmin.settings",
        "KLENTYADMIN_VAR_DIR": str(var),
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
    }
    for name in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY"):
        env.pop(name, None)
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=lambda: os.umask(0o022),  # noqa: PLW1509 - the umask under test
    )
    assert done.returncode == 0, done.stderr
    return done


def test_every_file_the_app_writes_in_var_is_private_under_a_loose_umask(tmp_path):
    var = tmp_path / "var"

    done = start_with_loose_umask(var, WRITE_EVERY_KIND)

    modes = json.loads(done.stdout.strip().splitlines()[-1])
    names = set(modes)
    assert {".", "db.sqlite3", "db.sqlite3-wal", "db.sqlite3-shm", "secret_key"} <= names
    assert {"imports", "sent-mail", "ratelimit", "ratelimit/klenty.gcra"} <= names
    assert any(n.startswith("imports/") and n.endswith(".csv") for n in names)
    assert any(n.startswith("sent-mail/") for n in names)
    folders = {n for n in names if (var / n).is_dir()}
    assert {n: modes[n] for n in folders} == dict.fromkeys(folders, "0o700")
    assert {n: modes[n] for n in names - folders} == dict.fromkeys(names - folders, "0o600")


def test_files_left_readable_by_others_are_made_private_at_start_up(tmp_path):
    var = tmp_path / "var"
    (var / "imports").mkdir(parents=True)
    loose = [var / "db.sqlite3", var / "db.sqlite3-wal", var / "imports" / "old.csv"]
    for path in loose:
        path.write_bytes(b"")
        path.chmod(0o644)
    for folder in (var, var / "imports"):
        folder.chmod(0o755)

    start_with_loose_umask(var, "import django; django.setup()")

    assert stat.S_IMODE(var.stat().st_mode) == 0o700
    assert stat.S_IMODE((var / "imports").stat().st_mode) == 0o700
    assert {p.name: stat.S_IMODE(p.stat().st_mode) for p in loose} == dict.fromkeys(
        (p.name for p in loose), 0o600
    )
