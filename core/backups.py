"""Encrypted PostgreSQL backups and their restore (SEC-03, SEC-06).

`backup_write(path)` streams `pg_dump --format=custom` through AES-256-GCM in 1 MiB chunks (the key is
BACKUP_ENCRYPTION_KEY, 32 bytes in URL-safe base64, kept apart from the backups): a file cannot be read nor
restored without the key, and a cut, reordered or altered chunk is refused. The file starts with one line
of JSON (format, time of the dump, nonce prefix), bound to every chunk as associated data.

`backup_restore(path)` decrypts into `pg_restore --clean --if-exists --single-transaction` (all or nothing),
then runs the after-restore hooks that other apps register (retention replays its purge ledger from the
backup's time, so no erased person comes back), and records the restore, successful or not, as a
`RestoreRecord` with its duration.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import struct
import subprocess
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.utils import timezone

from .models import RestoreOutcome, RestoreRecord

FORMAT = "crm-backup-1"
CHUNK = 1024 * 1024
AfterRestore = Callable[[datetime], dict[str, int]]
_after_restore: list[AfterRestore] = []


class BackupError(Exception):
    pass


def register_after_restore(hook: AfterRestore) -> AfterRestore:
    """`hook(backup_taken_at)` runs after every restore and returns counts to record (retention's ledger replay)."""
    if hook not in _after_restore:
        _after_restore.append(hook)
    return hook


def _key() -> bytes:
    encoded = settings.BACKUP_ENCRYPTION_KEY
    try:
        key = base64.urlsafe_b64decode(encoded.encode())
    except (ValueError, TypeError):
        key = b""
    if len(key) != 32:
        raise ImproperlyConfigured("BACKUP_ENCRYPTION_KEY must be 32 bytes in URL-safe base64 (see README).")
    return key


def _libpq_environment() -> dict[str, str]:
    database = connection.settings_dict
    env = dict(os.environ)
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD")):
        if database.get(key):
            env[variable] = str(database[key])
    env["PGDATABASE"] = database["NAME"]
    return env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed (PostgreSQL client tools)")
    return path


def _aad(header: bytes, index: int, last: bool) -> bytes:
    return header + struct.pack(">Q?", index, last)


def backup_write(path: Path) -> dict[str, Any]:
    """Dump the database into `path`, encrypted; returns the header (with `taken_at`)."""
    if connection.vendor != "postgresql":
        raise BackupError("backups need PostgreSQL (pg_dump)")
    aes, prefix = AESGCM(_key()), os.urandom(4)
    header = {"format": FORMAT, "taken_at": timezone.now().isoformat(), "nonce_prefix": prefix.hex()}
    header_line = json.dumps(header, sort_keys=True).encode()
    command = [_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, env=_libpq_environment()) as dump, path.open("wb") as out:
        out.write(header_line + b"\n")
        _encrypt_stream(dump.stdout, out, aes, prefix, header_line)
    if dump.returncode != 0:
        path.unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed with status {dump.returncode}")
    return header


def _encrypt_stream(source: BinaryIO, out: BinaryIO, aes: AESGCM, prefix: bytes, header: bytes) -> None:
    index, chunk = 0, source.read(CHUNK)
    while True:
        following = source.read(CHUNK)
        last = not following
        nonce = prefix + struct.pack(">Q", index)
        sealed = aes.encrypt(nonce, chunk, _aad(header, index, last))
        out.write(struct.pack(">I", len(sealed)) + sealed)
        if last:
            return
        index, chunk = index + 1, following


def _decrypt_stream(source: BinaryIO, out: BinaryIO, aes: AESGCM, prefix: bytes, header: bytes) -> None:
    index = 0
    while True:
        size_bytes = source.read(4)
        if len(size_bytes) != 4:
            raise BackupError("the backup is cut short")
        sealed = source.read(struct.unpack(">I", size_bytes)[0])
        nonce = prefix + struct.pack(">Q", index)
        following = source.peek(1)[:1] if hasattr(source, "peek") else b""
        last = not following
        try:
            out.write(aes.decrypt(nonce, sealed, _aad(header, index, last)))
        except InvalidTag:
            raise BackupError("the backup cannot be decrypted with this key, or it was altered") from None
        if last:
            return
        index += 1


def backup_header(path: Path) -> dict[str, Any]:
    with path.open("rb") as source:
        header = json.loads(source.readline())
    if header.get("format") != FORMAT:
        raise BackupError("not a backup of this application")
    return header


def backup_restore(path: Path) -> RestoreRecord:
    """Restore `path` over the database, replay the after-restore hooks, record the outcome (see module doc)."""
    started, clock = timezone.now(), time.monotonic()
    taken_at, replayed, error = None, {}, ""
    try:
        header = backup_header(path)
        taken_at = datetime.fromisoformat(header["taken_at"])
        _pg_restore(path, header)
        connection.close()  # the tables were replaced: start from a fresh connection
        for hook in _after_restore:
            replayed.update(hook(taken_at))
    except (BackupError, OSError, ValueError, ImproperlyConfigured) as failure:
        error = str(failure)[:255]
    record = RestoreRecord.objects.create(
        started_at=started,
        duration_seconds=round(time.monotonic() - clock, 3),
        outcome=RestoreOutcome.FAILED if error else RestoreOutcome.SUCCEEDED,
        backup_name=path.name[:255],
        backup_taken_at=taken_at,
        replayed=replayed,
        error=error,
    )
    return record


def _pg_restore(path: Path, header: dict[str, Any]) -> None:
    aes, prefix = AESGCM(_key()), bytes.fromhex(header["nonce_prefix"])
    header_line = json.dumps(header, sort_keys=True).encode()
    command = [_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error"]
    env = _libpq_environment()
    command += ["--dbname", env["PGDATABASE"]]
    connection.close()  # no idle connection of ours holds a lock on a table being replaced
    with (
        path.open("rb") as source,
        subprocess.Popen(command, stdin=subprocess.PIPE, stderr=subprocess.PIPE, env=env) as restore,
    ):
        source.readline()
        try:
            _decrypt_stream(source, restore.stdin, aes, prefix, header_line)
        finally:
            restore.stdin.close()
        errors = restore.stderr.read().decode(errors="replace")
    if restore.returncode != 0:
        last_line = errors.strip().splitlines()[-1] if errors.strip() else str(restore.returncode)
        raise BackupError(f"pg_restore failed: {last_line}")


def last_restore() -> RestoreRecord | None:
    return RestoreRecord.objects.filter(outcome=RestoreOutcome.SUCCEEDED).order_by("-started_at").first()
