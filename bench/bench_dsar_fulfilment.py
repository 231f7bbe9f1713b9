"""Data-subject requests: the access report and the erasure of one contact, beside bare SQL on the same rows.

The bench works inside one transaction that it rolls back at the end, so the
shared bench database keeps nothing of it (not even the dsar tables, when its
migrations were not applied there yet: PostgreSQL's DDL is transactional). It
writes its own contacts (BENCH_DSAR_SAMPLES, default 30; each with an e-mail,
a phone, a note, two interactions, a disclosure and history), each matched to
a verified request asking for access and erasure. Access: the whole report of
one contact (the subject-data map read, history, disclosure log, the
register's Art. 15(1) information, HTML and JSON rendered, both encrypted and
stored, the link sent through the outbox), against a bare select of the
contact's row. Erasure: one contact erased through the request's job step
(suppression entries, every table of the map, history purged, the proof
written, in its own savepoint), against a bare DELETE of a contact row (its
foreign keys, deferred, are never checked: the savepoint is rolled back).
Inside the bench's transaction, a contact's erasure ends with a savepoint
release, not a commit: the commit's fsync is not counted.
"""

from __future__ import annotations

import os
import secrets
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common

MARKER = "bench-dsar"
SMOKE_ARGS = {"samples": 5}


class _Rollback(Exception):
    pass


def _contacts(count: int) -> list[Any]:
    from django.utils import timezone

    from crm.services import contact_create, disclosure_record, interaction_create

    made = []
    for number in range(count):
        tag = secrets.token_hex(4)
        contact = contact_create(
            first_name=f"Bench{tag}",
            last_name="Dsar",
            emails=[f"bench.dsar.{tag}@example.org"],
            phones=[f"+33 1 98 {number // 100 % 100:02d} {number % 100:02d} {secrets.randbelow(100):02d}"],
            notes=f"bench note {tag}",
            source_detail=MARKER,
        )
        for subject in ("Call", "Visit"):
            interaction_create(contact=contact, kind="call", occurred_at=timezone.now(), subject=subject, body=tag)
        disclosure_record(recipient="Bench partner", channel="export", contact_ids=[contact.pk], fields=["email"])
        made.append(contact)
    return made


def _request(contact: Any) -> Any:
    from datetime import timedelta

    from django.utils import timezone

    from core.crypto import blind_index
    from crm.normalise import normalise_email
    from dsar.models import MatchMethod, Request, RequestChannel, RequestMatch

    now = timezone.now()
    request = Request.objects.create(
        reference=f"B-{secrets.token_hex(5).upper()}",
        rights=["access", "erasure"],
        requester_name=contact.full_name,
        requester_email=contact.primary_email,
        requester_email_index=blind_index(normalise_email(contact.primary_email)),
        language="en",
        channel=RequestChannel.WEB,
        received_at=now,
        verified_at=now,
        original_due_date=(now + timedelta(days=30)).date(),
        due_date=(now + timedelta(days=30)).date(),
    )
    RequestMatch.objects.create(
        request=request, contact=contact, method=MatchMethod.VERIFIED_ADDRESS, added_by_kind="job", added_by="bench"
    )
    return request


def _measure(samples: int) -> tuple[common.Metric, common.Metric, int]:
    from django.db import connection, transaction

    from crm.models import Contact
    from dsar.fulfilment.erasure import erasure_contact
    from dsar.fulfilment.files import access_report_create
    from dsar.models import ErasureRun

    total = Contact.objects.count()
    contacts = _contacts(samples + 1)
    requests = [_request(contact) for contact in contacts]
    access, select = [], []
    for request, contact in zip(requests, contacts, strict=True):
        started = time.perf_counter()
        access_report_create(request=request)
        access.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        Contact.objects.get(pk=contact.pk)
        select.append((time.perf_counter() - started) * 1000)
    erase, delete = [], []
    bare = contacts.pop()  # its rows go by bare SQL below: the baseline
    for request, contact in zip(requests, contacts, strict=False):
        run = ErasureRun.objects.create(request=request, contact_ids=[contact.pk], operator_label="bench")
        started = time.perf_counter()
        erasure_contact(run=run, contact_id=contact.pk)
        erase.append((time.perf_counter() - started) * 1000)
    with connection.cursor() as cursor:
        for _ in range(samples):
            sid = transaction.savepoint()
            started = time.perf_counter()
            cursor.execute("DELETE FROM crm_contact WHERE id = %s AND NOT restricted", [bare.pk])
            delete.append((time.perf_counter() - started) * 1000)
            transaction.savepoint_rollback(sid)
    return (
        common.Metric(
            name="access report of one contact (HTML + JSON, stored, link sent)",
            samples=access,
            baseline=select,
            note="baseline: select the contact's row",
        ),
        common.Metric(
            name="erase one contact (every table, history, proof)",
            samples=erase,
            baseline=delete,
            note="baseline: bare DELETE of a contact row",
        ),
        total,
    )


def main(contacts: int | None = None, *, samples: int | None = None) -> common.Report:
    from django.conf import settings
    from django.core.management import call_command
    from django.db import transaction

    from config.celery import app

    count = samples or int(os.environ.get("BENCH_DSAR_SAMPLES", "30"))
    saved = (settings.EMAIL_BACKEND, settings.RETENTION_LEDGER_PATH, app.conf.task_always_eager)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.RETENTION_LEDGER_PATH = Path(tempfile.mkdtemp(prefix="bench-dsar-ledger-")) / "ledger.jsonl"
    app.conf.task_always_eager = True  # the outbox's deliveries run in-process (locmem), queue nothing
    result: list[Any] = []
    try:
        with transaction.atomic():
            call_command("migrate", verbosity=0, interactive=False)  # rolled back with the rest
            result.extend(_measure(count))
            raise _Rollback
    except _Rollback:
        pass
    finally:
        settings.EMAIL_BACKEND, settings.RETENTION_LEDGER_PATH, app.conf.task_always_eager = saved
    access, erase, total = result
    return common.Report(
        title="Data-subject requests: fulfilment",
        description=__doc__.strip().split("\n\n", 1)[1],
        metrics=[access, erase],
        notes=[
            f"{count} samples each, on a database of {total:,} contacts; everything rolled back afterwards",
            "the machine is shared with other engineers' test runs: absolute figures are noisy, ratios less so",
        ],
    )


if __name__ == "__main__":
    common.setup_django(migrate=False)
    report = main()
    common.print_report(report)
    if "--write" in sys.argv:
        from bench import run_all

        run_all.OUTPUT.write_text(run_all.replace_sections(run_all.OUTPUT.read_text(), [report]))
