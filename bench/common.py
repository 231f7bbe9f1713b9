"""Helpers the bench scripts share: Django setup, the data set, timing and reporting.

A bench script is a module `bench/bench_<name>.py` with `main(contacts=None) ->
Report`; it assumes Django is set up (`setup_django()` when run on its own,
`run_all.py` or the test suite otherwise) and that `contacts` contacts exist
(`ensure_contacts`). Times are wall-clock in-process measurements, in ms.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/gdpr_crm_bench"
DEFAULT_CONTACTS = 1_000_000
SALES_TEAM = 20  # Sales users the generated contacts are shared between (each owns about 1 in 21)
# Only ~64,000 fictional phone numbers exist and the generator hands each out once (numbers may be
# shared in the CRM, but generated people do not share them by accident): the fill takes few of them,
# leaving the rest to bench_import, whose file needs fresh numbers.
FILL_PHONES = 10_000


def bench_size() -> int:
    return int(os.environ.get("BENCH_CONTACTS", DEFAULT_CONTACTS))


def setup_django(*, migrate: bool = True) -> None:
    """Configure Django for a bench run on the bench database (created and migrated when missing).

    Production-like settings (DEBUG off) unless the environment says otherwise,
    so debug query logging does not distort the figures.
    """
    from django.apps import apps

    if apps.ready:
        return
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    # The benches measure pages behind a staff session (force_login), not the second factor's prompt.
    os.environ.setdefault("TWO_FACTOR_ENFORCED", "false")
    _create_database(os.environ["DATABASE_URL"])

    import django
    from django.conf import settings

    django.setup()
    # WhiteNoise warns that STATIC_ROOT is missing: the bench serves no static files.
    warnings.filterwarnings("ignore", message="No directory at")
    # The bench renders templates without `collectstatic`: serve static names as they are.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)


def _create_database(url: str) -> None:
    import dj_database_url

    config = dj_database_url.parse(url)
    if "postgresql" not in config["ENGINE"]:
        return
    import psycopg2

    admin = psycopg2.connect(
        dbname="postgres",
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
    )
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]])
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE DATABASE "{config["NAME"]}"')
                print(f"created database {config['NAME']}")
    finally:
        admin.close()


@dataclass
class Fill:
    contacts: int
    generated: int = 0
    seconds: float = 0.0


def ensure_contacts(count: int, *, batch_size: int = 50_000, echo: bool = True) -> Fill:
    """Top the database up to `count` contacts with the `generate_contacts` command (never removes any).

    The Sales team exists first, so that generated contacts are owned the way a
    real base is: each Sales user reaches only a slice of it. At most FILL_PHONES
    of them get a phone number.
    """
    import io

    from django.core.management import call_command

    from crm.models import Contact

    existing = Contact.objects.count()
    if existing >= count:
        return Fill(contacts=existing)
    sales_team()
    out = sys.stdout if echo else io.StringIO()
    started = time.perf_counter()
    missing = count - existing
    phone_ratio = min(0.6, FILL_PHONES / missing)
    call_command("generate_contacts", missing, batch=batch_size, phone_ratio=phone_ratio, stdout=out)
    seconds = time.perf_counter() - started
    _vacuum(Contact)
    total = Contact.objects.count()
    return Fill(contacts=total, generated=total - existing, seconds=seconds)


def _vacuum(contact_model: Any) -> None:
    """VACUUM ANALYZE the contact tables after a fill, as autovacuum does soon after on a served database.

    Index-only scans (the tag links, the list's filters) need the visibility map that VACUUM sets.
    """
    from django.db import connection

    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return  # (a test's transaction: VACUUM cannot run inside one)
    with connection.cursor() as cursor:
        for table in (contact_model._meta.db_table, contact_model.tags.through._meta.db_table):
            cursor.execute(f"VACUUM (ANALYZE) {table}")


def staff_user(username: str, role: str) -> Any:
    """An active user in the role's group; an existing user keeps its password."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user, created = get_user_model().objects.get_or_create(username=username, defaults={"is_active": True})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


def sales_team() -> list[Any]:
    """The bench's Sales users, `sales01` to `sales20`."""
    from access.roles import SALES

    return [staff_user(f"sales{number:02d}", SALES) for number in range(1, SALES_TEAM + 1)]


# --------------------------------------------------------------------------- timing


def time_calls(func: Callable[[], Any], *, repeat: int, warmup: int = 2) -> list[float]:
    """Milliseconds taken by each of `repeat` calls, after `warmup` untimed calls."""
    for _ in range(warmup):
        func()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


CPU_LOOP_SIZE = 2_000_000


def cpu_loop_ms(rounds: int = 5) -> float:
    """The machine's speed: median time of a fixed pure-Python loop (sum of squares below CPU_LOOP_SIZE), in ms.

    Figures from different days or machines can be read together through it (one core, no I/O).
    """
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        sum(number * number for number in range(CPU_LOOP_SIZE))
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def count_queries(func: Callable[[], Any]) -> int:
    """SQL statements one call of `func` sends (works with DEBUG off, across requests)."""
    from django.db import connection

    sent: list[str] = []

    def record(execute: Callable[..., Any], sql: str, *args: Any) -> Any:
        sent.append(sql)
        return execute(sql, *args)

    with connection.execute_wrapper(record):
        func()
    return len(sent)


def percentile(values: list[float], pct: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not values:
        raise ValueError("no samples")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * pct / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass
class Metric:
    name: str
    samples: list[float]
    baseline: list[float] = field(default_factory=list)
    unit: str = "ms"
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        return percentile(self.samples, 95)

    @property
    def baseline_median(self) -> float | None:
        return statistics.median(self.baseline) if self.baseline else None

    @property
    def ratio(self) -> float | None:
        base = self.baseline_median
        return self.median / base if base else None


@dataclass
class Report:
    title: str
    description: str
    metrics: list[Metric]
    notes: list[str] = field(default_factory=list)
    table: str = ""  # a report's own table, when the common one (markdown_table) does not fit its figures


def _fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "-"
    text = f"{value:,.0f}" if value >= 100 else f"{value:.2f}"
    return f"{text} {unit}".strip()


def markdown_table(report: Report) -> str:
    lines = [
        "| metric | median | p95 | baseline (median) | ratio | note |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for m in report.metrics:
        ratio = f"{m.ratio:.2f}x" if m.ratio is not None else "-"
        cells = [m.name, _fmt(m.median, m.unit), _fmt(m.p95, m.unit), _fmt(m.baseline_median, m.unit), ratio, m.note]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def print_report(report: Report) -> None:
    print(f"\n## {report.title}\n\n{report.description}\n")
    print(report.table or markdown_table(report))
    for note in report.notes:
        print(f"- {note}")
