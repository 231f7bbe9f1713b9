from __future__ import annotations

import subprocess
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from crm.models import Contact
from crm.subject_data import subject_data_erase
from retention.models import RetentionPolicy

from ..factories import ContactFactory


@pytest.mark.django_db
def test_purge_dry_run_counts_and_purges_nothing(prospects_policy, old_prospect):
    old_prospect()
    out = StringIO()

    call_command("purge", "--policy", "prospects", "--dry-run", stdout=out)

    assert "prospects: would purge 1 contacts (crm.Contact 1" in out.getvalue()
    assert Contact.objects.count() == 1


@pytest.mark.django_db
def test_purge_waits_for_the_dpo_the_first_time(old_prospect):
    old_prospect()
    out = StringIO()

    call_command("purge", "--policy", "prospects", stdout=out)

    assert "waits for the DPO's approval" in out.getvalue()
    assert Contact.objects.count() == 1


@pytest.mark.django_db
def test_purge_runs_an_approved_policy(prospects_policy, old_prospect):
    old_prospect()
    out = StringIO()

    call_command("purge", "--policy", "prospects", stdout=out)

    assert "1 contacts purged, 0 skipped under a legal hold" in out.getvalue()
    assert Contact.objects.count() == 0


@pytest.mark.django_db
def test_purge_refuses_an_unknown_policy():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no enforced policy"):
        call_command("purge", "--policy", "nope")


def _pg(*args: str) -> None:
    settings = connection.settings_dict
    env = {
        "PGHOST": settings["HOST"] or "127.0.0.1",
        "PGUSER": settings["USER"],
        "PGPORT": str(settings["PORT"] or 5432),
    }
    subprocess.run(args, check=True, env={**env, "PATH": "/usr/bin:/bin"}, capture_output=True)


@pytest.mark.django_db(transaction=True)
def test_a_restored_backup_is_purged_again_by_replay_erasures(tmp_path):
    # given a database with expired prospects, an erased contact and a live one, dumped
    policy = RetentionPolicy.objects.get(key="prospects")
    RetentionPolicy.objects.filter(pk=policy.pk).update(approved_version=policy.version)
    long_ago = timezone.now() - timedelta(days=4 * 365)
    expired = [ContactFactory(status="prospect", collected_at=long_ago, last_name=f"Expired{i}") for i in range(3)]
    erased = ContactFactory(last_name="Erased")
    live = ContactFactory(last_name="Live")
    dump = tmp_path / "backup.dump"
    database = connection.settings_dict["NAME"]
    _pg("pg_dump", "-Fc", "-f", str(dump), database)

    # and, after the backup, a purge and an erasure
    call_command("purge", "--policy", "prospects", stdout=StringIO())
    subject_data_erase(contact=erased, reason="Art. 17 request")
    gone = {c.pk for c in [*expired, erased]}
    assert not Contact.objects.filter(pk__in=gone).exists()

    # when the backup is restored: they are all back
    connection.close()
    _pg("pg_restore", "--clean", "--if-exists", "--no-owner", "-d", database, str(dump))
    assert Contact.objects.filter(pk__in=gone).count() == 4

    # then replaying the ledger from the backup's day purges them again, and only them
    out = StringIO()
    call_command("replay_erasures", "--since", (timezone.localdate() - timedelta(days=1)).isoformat(), stdout=out)
    assert "deleted: 3" in out.getvalue() and "erased: 1" in out.getvalue()
    assert list(Contact.objects.values_list("pk", flat=True)) == [live.pk]
    with connection.cursor() as cursor:  # a scan of the whole tables, history included
        cursor.execute("SELECT count(*) FROM crm_contact WHERE last_name LIKE 'Expired%%' OR last_name = 'Erased'")
        assert cursor.fetchone()[0] == 0
        cursor.execute("SELECT count(*) FROM crm_historicalcontact WHERE id = ANY(%s)", [list(gone)])
        assert cursor.fetchone()[0] == 0
        cursor.execute("SELECT count(*) FROM crm_historicalcontactpoint WHERE contact_id = ANY(%s)", [list(gone)])
        assert cursor.fetchone()[0] == 0


def test_replay_needs_a_date():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("replay_erasures", "--since", "yesterday")
