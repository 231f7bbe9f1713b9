"""SEC-04: the audit trail is a hash chain that erasure never breaks, the database refuses to edit it, and only a
chained checkpoint purges events past their retention. On PostgreSQL, through the migration's trigger and grants."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from core.audit import audit_event_record
from core.audit_chain import GENESIS, audit_purge, audit_role_grants_apply, verify_audit
from core.models import AuditCheckpoint, AuditEvent
from crm.subject_data import subject_data_erase
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db
APP_ROLE = "crm_audit_test_app"


def events(count: int) -> list[AuditEvent]:
    return [audit_event_record(action="test.happened", data={"n": n, "ratio": 0.5}) for n in range(count)]


def as_superuser_without_the_trigger(statement: str, params: list) -> None:
    with connection.cursor() as cursor:
        # Only a superuser may switch triggers off like this: what an attacker with full control would do.
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(statement, params)
        cursor.execute("SET LOCAL session_replication_role = origin")


def refused(statement: str, params: list | None = None, role: str | None = None) -> bool:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            if role:
                cursor.execute(f'SET LOCAL ROLE "{role}"')
            cursor.execute("SET LOCAL crm.audit_maintenance = 'off'")
            cursor.execute(statement, params or [])
    except DatabaseError:
        return True
    return False


def test_each_event_chains_to_the_one_before():
    first, second, third = events(3)

    before = AuditEvent.objects.filter(pk__lt=first.pk).order_by("-pk").values_list("digest", flat=True).first()
    assert first.previous_digest == (before or GENESIS)
    assert (second.previous_digest, third.previous_digest) == (first.digest, second.digest)
    report = verify_audit()
    assert report.intact and report.events == AuditEvent.objects.count()


def test_editing_one_row_as_superuser_makes_verify_audit_point_at_it():
    _first, second, _third = events(3)

    as_superuser_without_the_trigger("UPDATE core_auditevent SET action = 'test.rewritten' WHERE id = %s", [second.pk])

    report = verify_audit()
    assert report.broken_at == second.pk and "does not match its content" in report.problem
    with pytest.raises(CommandError, match=f"BROKEN at id {second.pk}"):
        call_command("verify_audit")


def test_deleting_one_row_breaks_the_link_of_the_next():
    _first, second, third = events(3)

    as_superuser_without_the_trigger("DELETE FROM core_auditevent WHERE id = %s", [second.pk])

    assert verify_audit().broken_at == third.pk


def test_erasing_a_contact_leaves_the_chain_intact(capsys, settings, tmp_path):
    settings.RETENTION_LEDGER_PATH = tmp_path / "ledger.jsonl"
    contact = ContactFactory()
    audit_event_record(action="restriction.placed", subject_id=contact.pk, note="accuracy contested by her")

    subject_data_erase(contact=contact, reason="Art. 17 request")

    call_command("verify_audit")
    assert "intact" in capsys.readouterr().out


def test_the_trigger_refuses_update_delete_and_truncate_even_to_the_superuser():
    [event] = events(1)

    assert refused("UPDATE core_auditevent SET reason = 'x' WHERE id = %s", [event.pk])
    assert refused("DELETE FROM core_auditevent WHERE id = %s", [event.pk])
    assert refused("TRUNCATE core_auditevent CASCADE")
    assert refused("UPDATE core_auditevent SET actor_user_id = NULL, reason = 'x' WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk, reason="").exists()


def test_the_application_role_may_read_and_append_but_not_update_delete_or_truncate(admin_role_user):
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE ROLE "{APP_ROLE}" NOLOGIN')  # rolled back with the test's transaction
        audit_role_grants_apply(cursor, APP_ROLE)
    [event] = events(1)

    assert not refused("SELECT count(*) FROM core_auditevent", role=APP_ROLE)
    assert refused("UPDATE core_auditevent SET action = 'x' WHERE id = %s", [event.pk], role=APP_ROLE)
    assert refused("DELETE FROM core_auditevent WHERE id = %s", [event.pk], role=APP_ROLE)
    assert refused("TRUNCATE core_auditevent CASCADE", role=APP_ROLE)
    assert refused("DELETE FROM core_auditcheckpoint", role=APP_ROLE)
    with connection.cursor() as cursor:
        cursor.execute("SELECT has_table_privilege(%s, 'core_auditevent', 'INSERT')", [APP_ROLE])
        assert cursor.fetchone()[0]


def test_deleting_a_staff_account_keeps_its_events_and_the_chain(admin_role_user):
    from core.actors import Actor

    event = audit_event_record(action="test.happened", actor=Actor.for_user(admin_role_user))
    admin_role_user.delete()

    event.refresh_from_db()
    assert event.actor_user_id is None and event.actor_label == "administrator"
    assert verify_audit().intact


def test_old_events_go_behind_a_chained_checkpoint():
    old = events(3)
    recent = events(2)
    as_superuser_without_the_trigger(
        "UPDATE core_auditevent SET occurred_at = occurred_at - interval '400 days' WHERE id <= %s", [old[-1].pk]
    )
    # the digests covered the old times: re-chain them as they would have been written then
    _rechain()

    checkpoint = audit_purge(before=timezone.now() - timedelta(days=365))

    assert checkpoint.last_event_id == old[-1].pk and checkpoint.events_purged >= 3
    assert set(AuditEvent.objects.values_list("pk", flat=True)) == {event.pk for event in recent}
    assert verify_audit().intact


def test_the_database_refuses_a_checkpoint_over_recent_events():
    events(2)
    with pytest.raises(DatabaseError), transaction.atomic():
        audit_purge(before=timezone.now() + timedelta(seconds=1))
    assert not AuditCheckpoint.objects.exists()


def test_the_purge_command_keeps_recent_events(capsys):
    events(2)
    call_command("purge_audit")
    assert "nothing purged" in capsys.readouterr().out


def _rechain() -> None:
    from core.audit_chain import event_digest

    previous = GENESIS
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        for event in AuditEvent.objects.order_by("id"):
            digest = event_digest(event, previous)
            cursor.execute(
                "UPDATE core_auditevent SET previous_digest = %s, digest = %s WHERE id = %s",
                [previous, digest, event.pk],
            )
            previous = digest
        cursor.execute("SET LOCAL session_replication_role = origin")
