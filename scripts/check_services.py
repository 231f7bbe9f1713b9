"""Before `make test`: make sure PostgreSQL and Redis answer, or say exactly what to start."""

from __future__ import annotations

import os
import socket
import sys
from urllib.parse import urlparse

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/gdpr_crm"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=2):
            return True
    except OSError:
        return False


def main() -> int:
    database_url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    redis_url = os.environ.get("REDIS_URL", DEFAULT_REDIS_URL)
    missing = []
    if not reachable(database_url, 5432):
        missing.append(
            f"PostgreSQL is not reachable at {urlparse(database_url).netloc}.\n"
            "  Start it (Debian: `pg_ctlcluster $(ls /etc/postgresql) main start`, or "
            "`docker compose up -d postgres`), or set DATABASE_URL."
        )
    if not reachable(redis_url, 6379):
        missing.append(
            f"Redis is not reachable at {urlparse(redis_url).netloc}.\n"
            "  Start it (`redis-server --daemonize yes`, or `docker compose up -d redis`), or set REDIS_URL."
        )
    if missing:
        print("The test suite runs on real PostgreSQL and Redis:\n" + "\n".join(missing), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
