"""Loaded by pytest before Django (`-p tests.testenv` in pyproject.toml).

Tests run on real PostgreSQL and Redis, with keys generated for the run; the
checkout's `.env` (demo keys, SQLite) is ignored.
"""

from __future__ import annotations

import os
import secrets
import tempfile

from cryptography.fernet import Fernet

os.environ["ENV_FILE"] = os.devnull
os.environ.setdefault("DEBUG", "true")  # pytest-django still runs the tests with DEBUG off
os.environ["TESTING"] = "true"
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/gdpr_crm")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_url_for_this_process(url: str, xdist_worker: str) -> str:
    """Under pytest-xdist, worker gwN uses the Redis database after REDIS_URL's by N + 1 (modulo 16).

    Each worker has its own test database (pytest-django), so it needs its own broker too: a
    Celery worker started by one must never take the tasks queued by another.
    """
    if not xdist_worker.startswith("gw"):
        return url
    base, _, database = url.rstrip("/").rpartition("/")
    number = int(database) if database.isdigit() else 0
    if not database.isdigit():
        base = url.rstrip("/")
    return f"{base}/{(number + 1 + int(xdist_worker[2:])) % 16}"


os.environ["REDIS_URL"] = redis_url_for_this_process(os.environ["REDIS_URL"], os.environ.get("PYTEST_XDIST_WORKER", ""))
# Always this process's database: an xdist worker inherits the environment the controller had when it spawned
# it, broker included, and a broker shared by the workers lets one's Celery worker take another's tasks.
os.environ["CELERY_BROKER_URL"] = os.environ["REDIS_URL"]
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", Fernet.generate_key().decode())
os.environ.setdefault("BLIND_INDEX_KEY", secrets.token_urlsafe(48))
# The purge ledger's file (RET-08) goes to a directory of the run, not the checkout's var/.
os.environ.setdefault("RETENTION_LEDGER_PATH", os.path.join(tempfile.mkdtemp(prefix="ledger-"), "purge-ledger.jsonl"))
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
# Playwright's sync API runs an event loop in the test thread; Django's ORM calls
# made by the test itself are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
