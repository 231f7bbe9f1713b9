"""Before `make test`: make sure PostgreSQL and Redis answer, or say exactly what to start.

The suite runs on real servers (tests/testenv.py): PostgreSQL at DATABASE_URL,
where the test user may create the test database, and Redis at REDIS_URL.
"""

from __future__ import annotations

import os
import socket
import sys
from urllib.parse import urlparse

# The same defaults as tests/testenv.py.
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/gdpr_crm"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"

START_POSTGRES = (
    "  Start it: `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start` (Debian),\n"
    "  or `docker run -d -p 127.0.0.1:5432:5432 -e POSTGRES_HOST_AUTH_METHOD=trust postgres:16`,\n"
    "  or point DATABASE_URL at a server you have (postgres://user:password@host:5432/dbname)."
)
START_REDIS = (
    "  Start it: `redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save ''`,\n"
    "  or `docker run -d -p 127.0.0.1:6379:6379 redis:7`,\n"
    "  or point REDIS_URL at a server you have (redis://host:6379/15)."
)


def reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=2):
            return True
    except OSError:
        return False


def postgres_problem(url: str) -> str | None:
    """None when the server accepts our credentials on its maintenance database."""
    parsed = urlparse(url)
    where = parsed.hostname or "127.0.0.1"
    if not reachable(url, 5432):
        return f"PostgreSQL is not reachable at {where}:{parsed.port or 5432}.\n{START_POSTGRES}"
    try:
        import psycopg2

        psycopg2.connect(
            host=parsed.hostname,
            port=parsed.port or 5432,
            user=parsed.username or "postgres",
            password=parsed.password or None,
            dbname="postgres",
            connect_timeout=3,
        ).close()
    except ImportError:
        return None  # run outside the virtualenv: the port answering is all we can tell
    except Exception as exc:  # noqa: BLE001 - reported to the person running the tests
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
        return (
            f"PostgreSQL at {where} refuses the test user: {first_line}\n"
            "  The tests need a user that may create databases (pytest creates test_<name>);\n"
            "  fix the credentials in DATABASE_URL or grant CREATEDB to that user."
        )
    return None


def redis_problem(url: str) -> str | None:
    parsed = urlparse(url)
    if not reachable(url, 6379):
        return f"Redis is not reachable at {parsed.hostname or '127.0.0.1'}:{parsed.port or 6379}.\n{START_REDIS}"
    try:
        import redis

        redis.Redis.from_url(url, socket_timeout=3).ping()
    except ImportError:
        return None
    except Exception as exc:  # noqa: BLE001
        return f"Redis at {parsed.hostname} does not answer PING: {exc}\n  Fix REDIS_URL (password, db number)."
    return None


def main() -> int:
    database_url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    redis_url = os.environ.get("REDIS_URL", DEFAULT_REDIS_URL)
    if not database_url.startswith(("postgres://", "postgresql://")):
        print(
            f"DATABASE_URL must point at PostgreSQL for the tests (got {database_url.split(':')[0]}://).",
            file=sys.stderr,
        )
        return 1
    problems = [p for p in (postgres_problem(database_url), redis_problem(redis_url)) if p]
    if problems:
        print("The test suite runs on real PostgreSQL and Redis:\n" + "\n".join(problems), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
