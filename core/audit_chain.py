"""The audit trail as a hash chain, its verification, its guard in PostgreSQL and its purge by checkpoint (SEC-04).

Each `AuditEvent` stores `previous_digest` (the digest of the event before it, by id) and `digest`:
SHA-256 over that previous digest and the event's columns (time, action, actor kind and label, object type
and id, contact id, reason, data). Those hold ids, actions, counts and fixed texts, never personal values of
a data subject (core.audit), and an erasure deletes only the `AuditDetail` beside an event, so erasure never
breaks the chain. The user foreign key is left out: deleting a staff account sets it to NULL.

Writers take a transaction-level advisory lock before reading the head of the chain, so two transactions
never chain to the same event; the lock is held until commit, so ids follow the chain's order.

`verify_audit()` walks the chain from the last checkpoint and names the first event whose link is broken.

Retention: `audit_purge(before=…)` writes an `AuditCheckpoint` (last purged event's id and digest, count,
cutoff; chained to the previous checkpoint) and then deletes the events it covers. The PostgreSQL triggers
(migration core 0008) refuse any UPDATE of an event (except the user foreign key set to NULL when an account
is deleted), any DELETE of an event no checkpoint covers, any TRUNCATE, any change to a checkpoint, and a
checkpoint covering events younger than `AUDIT_MINIMUM_RETENTION_DAYS` (180: the CNIL's six months).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models.signals import post_migrate
from django.dispatch import receiver
from django.utils import timezone

from .models import AuditCheckpoint, AuditEvent

GENESIS = "0" * 64
CHAIN_LOCK = 7_301_013  # pg_advisory_xact_lock key of the audit chain
AUDIT_MINIMUM_RETENTION_DAYS = 180  # also written into the trigger by migration core 0008
ITERATION_CHUNK = 5000


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def _instant(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def event_digest(event: Any, previous_digest: str) -> str:
    """SHA-256 of the previous digest and the event's columns (an AuditEvent or a row with the same names)."""
    content = [
        previous_digest,
        _instant(event.occurred_at),
        event.action,
        event.actor_kind,
        event.actor_label,
        event.object_type,
        event.object_id,
        event.subject_id,
        event.reason,
        event.data,
    ]
    return hashlib.sha256(_canonical(content).encode()).hexdigest()


def checkpoint_digest(checkpoint: AuditCheckpoint, previous_digest: str) -> str:
    content = [
        previous_digest,
        _instant(checkpoint.created_at),
        _instant(checkpoint.cutoff),
        checkpoint.last_event_id,
        checkpoint.last_event_digest,
        checkpoint.events_purged,
    ]
    return hashlib.sha256(_canonical(content).encode()).hexdigest()


def lock_chain() -> None:
    """Serialise writers of the chain until the end of the transaction (SQLite serialises every writer)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK])


def chain_head() -> str:
    last = AuditEvent.objects.order_by("-id").values_list("digest", flat=True).first()
    if last is not None:
        return last
    checkpoint = AuditCheckpoint.objects.order_by("-id").values_list("last_event_digest", flat=True).first()
    return checkpoint or GENESIS


@transaction.atomic
def chain_append(event: AuditEvent) -> AuditEvent:
    """Insert `event` at the head of the chain (inside the caller's transaction)."""
    lock_chain()
    event.occurred_at = event.occurred_at or timezone.now()
    event.data = json.loads(_canonical(event.data or {}))  # what the database gives back, digested as such
    event.previous_digest = chain_head()
    event.digest = event_digest(event, event.previous_digest)
    event.save()
    return event


@dataclass(frozen=True)
class ChainReport:
    events: int
    checkpoints: int
    broken_at: int | None = None  # id of the first event (or checkpoint) whose link is broken
    problem: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_at is None


def verify_audit() -> ChainReport:
    """Recompute every link: checkpoints first, then the events from the last checkpoint on."""
    previous, checkpoints = "", 0
    for checkpoint in AuditCheckpoint.objects.order_by("id").iterator():
        checkpoints += 1
        if checkpoint.previous_digest != previous or checkpoint.digest != checkpoint_digest(checkpoint, previous):
            return ChainReport(0, checkpoints, checkpoint.pk, f"checkpoint {checkpoint.pk} does not match its content")
        previous = checkpoint.digest
    last = AuditCheckpoint.objects.order_by("-id").first()
    expected = last.last_event_digest if last else GENESIS
    count = 0
    events = AuditEvent.objects.order_by("id").values(
        "id", "occurred_at", "action", "actor_kind", "actor_label", "object_type", "object_id", "subject_id",
        "reason", "data", "previous_digest", "digest",
    )  # fmt: skip
    for row in events.iterator(chunk_size=ITERATION_CHUNK):
        count += 1
        if row["previous_digest"] != expected:
            return ChainReport(count, checkpoints, row["id"], f"event {row['id']} does not follow the event before it")
        if row["digest"] != event_digest(_Row(row), expected):
            return ChainReport(count, checkpoints, row["id"], f"event {row['id']} does not match its content")
        expected = row["digest"]
    return ChainReport(count, checkpoints)


class _Row:
    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)


@transaction.atomic
def audit_purge(*, before: datetime) -> AuditCheckpoint | None:
    """Delete the audit events older than `before`, after a checkpoint that records what they were.

    Deletes: every event up to the last one (by id) that occurred before `before`, with their details.
    Keeps: every later event, and the chain of checkpoints. Returns the checkpoint, or None when no event
    is that old. The database refuses a cutoff within AUDIT_MINIMUM_RETENTION_DAYS.
    """
    lock_chain()
    last = AuditEvent.objects.filter(occurred_at__lt=before).order_by("-id").values("id", "digest").first()
    if last is None:
        return None
    covered = AuditEvent.objects.filter(id__lte=last["id"])
    previous = AuditCheckpoint.objects.order_by("-id").values_list("digest", flat=True).first() or ""
    checkpoint = AuditCheckpoint(
        created_at=timezone.now(),
        cutoff=before,
        last_event_id=last["id"],
        last_event_digest=last["digest"],
        events_purged=covered.count(),
        previous_digest=previous,
    )
    checkpoint.digest = checkpoint_digest(checkpoint, previous)
    checkpoint.save()
    with connection.cursor() as cursor:  # AppendOnlyQuerySet refuses delete(): only this checkpointed purge may
        table = AuditEvent._meta.db_table
        detail = AuditEvent._meta.get_field("detail").related_model._meta.db_table
        cursor.execute(f"DELETE FROM {detail} WHERE event_id <= %s", [last["id"]])
        cursor.execute(f"DELETE FROM {table} WHERE id <= %s", [last["id"]])
    return checkpoint


def retention_cutoff(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - timedelta(days=settings.AUDIT_RETENTION_DAYS)


# --- the guard in PostgreSQL (migration core 0008) and the application role's grants ---------------------------

GUARD_SQL = f"""
CREATE OR REPLACE FUNCTION core_audit_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        -- Only a test run's flush sets this (config/settings.py when TESTING); the application role may not
        -- truncate anyway (no TRUNCATE grant).
        IF current_setting('crm.audit_maintenance', true) = 'on' THEN
            RETURN NULL;
        END IF;
        RAISE EXCEPTION 'the audit trail is append-only: TRUNCATE of % refused', TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_TABLE_NAME = 'core_auditcheckpoint' THEN
        IF TG_OP = 'INSERT' THEN
            IF EXISTS (
                SELECT 1 FROM core_auditevent
                WHERE id <= NEW.last_event_id
                  AND occurred_at > now() - interval '{AUDIT_MINIMUM_RETENTION_DAYS} days'
            ) THEN
                RAISE EXCEPTION
                    'an audit checkpoint may not cover events younger than {AUDIT_MINIMUM_RETENTION_DAYS} days'
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'audit checkpoints are append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'UPDATE' THEN
        -- Deleting a staff account sets the user foreign key to NULL; nothing else may change.
        IF NEW.actor_user_id IS NULL AND (to_jsonb(NEW) - 'actor_user_id') = (to_jsonb(OLD) - 'actor_user_id') THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'the audit trail is append-only: UPDATE of event % refused', OLD.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF EXISTS (SELECT 1 FROM core_auditcheckpoint WHERE last_event_id >= OLD.id) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit event % is not covered by a checkpoint: DELETE refused', OLD.id
        USING ERRCODE = 'insufficient_privilege';
END
$$;
DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent;
CREATE TRIGGER core_auditevent_append_only BEFORE UPDATE OR DELETE ON core_auditevent
    FOR EACH ROW EXECUTE FUNCTION core_audit_guard();
DROP TRIGGER IF EXISTS core_auditevent_no_truncate ON core_auditevent;
CREATE TRIGGER core_auditevent_no_truncate BEFORE TRUNCATE ON core_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION core_audit_guard();
DROP TRIGGER IF EXISTS core_auditcheckpoint_guard ON core_auditcheckpoint;
CREATE TRIGGER core_auditcheckpoint_guard BEFORE INSERT OR UPDATE OR DELETE ON core_auditcheckpoint
    FOR EACH ROW EXECUTE FUNCTION core_audit_guard();
DROP TRIGGER IF EXISTS core_auditcheckpoint_no_truncate ON core_auditcheckpoint;
CREATE TRIGGER core_auditcheckpoint_no_truncate BEFORE TRUNCATE ON core_auditcheckpoint
    FOR EACH STATEMENT EXECUTE FUNCTION core_audit_guard();
"""

UNGUARD_SQL = """
DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent;
DROP TRIGGER IF EXISTS core_auditevent_no_truncate ON core_auditevent;
DROP TRIGGER IF EXISTS core_auditcheckpoint_guard ON core_auditcheckpoint;
DROP TRIGGER IF EXISTS core_auditcheckpoint_no_truncate ON core_auditcheckpoint;
DROP FUNCTION IF EXISTS core_audit_guard();
"""


def audit_role_grants_apply(cursor: Any, role: str) -> None:
    """What the application's own database role may do to the audit tables: read and append, nothing else.

    Run by migration core 0008 and after every `migrate` (core.apps), so a broader grant given to the role
    later (GRANT ... ON ALL TABLES) is narrowed again. The role keeps UPDATE of the user foreign key alone,
    which deleting a staff account needs; the trigger refuses any other change.
    """
    from psycopg2 import sql

    role_name = sql.Identifier(role)
    tables = sql.SQL(", ").join(sql.Identifier(name) for name in ("core_auditevent", "core_auditcheckpoint"))
    statements = [
        sql.SQL("REVOKE ALL ON {} FROM {}").format(tables, role_name),
        sql.SQL("GRANT SELECT, INSERT ON {} TO {}").format(tables, role_name),
        sql.SQL("GRANT UPDATE (actor_user_id) ON core_auditevent TO {}").format(role_name),
        sql.SQL("GRANT USAGE, SELECT ON SEQUENCE core_auditevent_id_seq, core_auditcheckpoint_id_seq TO {}").format(
            role_name
        ),
    ]
    for statement in statements:
        cursor.execute(statement)


@receiver(post_migrate)
def _narrow_the_application_role(sender: Any, using: str = "default", **kwargs: Any) -> None:
    if getattr(sender, "name", "") != "core" or not settings.AUDIT_APP_ROLE:
        return
    target = connections[using]
    if target.vendor == "postgresql":
        with target.cursor() as cursor:
            audit_role_grants_apply(cursor, settings.AUDIT_APP_ROLE)
