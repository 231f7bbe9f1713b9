"""The consent check as a mailing tool meets it: over HTTP, under gunicorn, with 1 and 8 concurrent clients.

The server is `gunicorn -c config/gunicorn.py` (the project's own configuration, DEBUG off) on loopback,
reading the bench database; the client is the bounded asyncio client of `bench/server.py`, on the same
machine. The check (`GET /api/v1/consents/check?contact=…&purpose=…&channel=email`) is asked with an API
key holding the `consents:read` scope, cycling through random contact and purpose pairs. Beside it, in the
same interleaved rounds, two baselines: a bare view doing one indexed lookup of the same state row behind
the same middleware (`/__bench__/consent/…`), and a request that touches no database (`/__bench__/nodb/`).
"""

from __future__ import annotations

import inspect
import os
import random

from bench import common, server
from bench.bench_consent import _api_key_headers, ensure_consents

NO_DATABASE = "/__bench__/nodb/"
SMOKE_ARGS = {"requests": 20, "warmup": 2, "concurrency": (1, 2)}


def main(
    contacts: int | None = None,
    *,
    requests: int = 400,
    warmup: int = 40,
    concurrency: tuple[int, ...] = (1, 8),
    workers: int = 2,
) -> common.Report:
    from crm.models import Contact

    contacts = contacts or common.bench_size()
    common.ensure_contacts(contacts)
    purposes = ensure_consents()
    rng = random.Random(13)
    low = Contact.objects.order_by("id").values_list("id", flat=True).first()
    high = Contact.objects.order_by("-id").values_list("id", flat=True).first()
    picks = [(rng.randint(low, high), rng.choice(purposes).key) for _ in range(200)]
    check_urls = [f"/api/v1/consents/check?contact={c}&purpose={p}&channel=email" for c, p in picks]
    bare_urls = [f"/__bench__/consent/{c}/{p}/email/" for c, p in picks]
    key = _api_key_headers()
    # A mailing tool's key is throttled per minute; the bench asks far more, and the throttle's lookup still runs.
    os.environ["API_KEY_THROTTLE_RATE"] = "10000000/minute"

    metrics: list[common.Metric] = []
    notes: list[str] = []
    with server.gunicorn_server(database_url=server.current_database_url(), workers=workers) as running:
        for clients in concurrency:
            check = server.Target("check", check_urls, headers=key)
            bare = server.Target("bare lookup", bare_urls)
            nodb = server.Target("no database", [NO_DATABASE])
            server.measure(running.base_url, [check, bare, nodb], requests=requests, concurrency=clients, warmup=warmup)
            metrics.append(
                common.Metric(
                    f"Single check over HTTP, {clients} client{'s' if clients > 1 else ''}",
                    check.samples,
                    bare.samples,
                    note=(
                        f"{check.requests_per_second:,.0f} answers/s; bare lookup {bare.requests_per_second:,.0f}/s; "
                        f"no database {nodb.requests_per_second:,.0f}/s "
                        f"(median {common.percentile(nodb.samples, 50):.1f} ms)"
                    ),
                )
            )
    notes.append(
        f"{Contact.objects.count():,} contacts, {len(purposes)} purposes; gunicorn with {workers} workers "
        f"(config/gunicorn.py), {requests} timed requests per target and concurrency after {warmup} untimed."
    )
    notes.append(
        "Targets (issue 8): the single check at most 2x the bare lookup at the median; answers per second with "
        "8 concurrent clients recorded beside the same bare view."
    )
    notes.append("The client runs on the same 2 CPUs as the server and the database.")
    return common.Report(
        title="Consents: the check over HTTP (gunicorn, 1 and 8 clients)",
        description=inspect.cleandoc(__doc__ or ""),
        metrics=metrics,
        notes=notes,
    )


if __name__ == "__main__":
    common.setup_django()
    common.print_report(main())
