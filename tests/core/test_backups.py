"""SEC-03/SEC-06: backups are encrypted; a restore brings the database back, then replays the purge ledger so
that no erased person returns; every restore is recorded. Real pg_dump and pg_restore on the test database."""

from __future__ import annotations

import base64
import os

import pytest
from django.core.management import CommandError, call_command

from core.models import RestoreOutcome, RestoreRecord
from crm.models import Contact
from crm.subject_data import subject_data_erase
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def backup_key(settings, tmp_path):
    settings.BACKUP_ENCRYPTION_KEY = base64.urlsafe_b64encode(os.urandom(32)).decode()
    settings.RETENTION_LEDGER_PATH = tmp_path / "ledger.jsonl"  # outside the database, as in production
    return settings.BACKUP_ENCRYPTION_KEY


def test_backup_erase_restore_replay_the_erased_contact_stays_gone(backup_key, tmp_path):
    kept = ContactFactory(last_name="Keptinbackup")
    erased = ContactFactory(last_name="Erasedafterbackup")
    backup = tmp_path / "crm.backup"
    call_command("backup", "--output", str(backup))
    assert b"Erasedafterbackup" not in backup.read_bytes()  # encrypted at rest

    subject_data_erase(contact=erased, reason="Art. 17 request")
    added_after = ContactFactory(last_name="Addedafterbackup")
    call_command("restore", str(backup), "--yes")

    assert Contact._base_manager.filter(pk=kept.pk).exists()
    assert not Contact._base_manager.filter(pk=erased.pk).exists()
    assert not Contact._base_manager.filter(pk=added_after.pk).exists()  # the database is the backup's
    record = RestoreRecord.objects.get()
    assert record.outcome == RestoreOutcome.SUCCEEDED and record.duration_seconds > 0
    assert record.replayed.get("ledger_erased", 0) + record.replayed.get("ledger_deleted", 0) >= 1
    call_command("verify_audit")  # the restored audit chain is whole


def test_a_backup_cannot_be_restored_without_its_key(backup_key, settings, tmp_path):
    contact = ContactFactory(last_name="Stillhere")
    backup = tmp_path / "crm.backup"
    call_command("backup", "--output", str(backup))
    settings.BACKUP_ENCRYPTION_KEY = base64.urlsafe_b64encode(os.urandom(32)).decode()

    with pytest.raises(CommandError, match="cannot be decrypted"):
        call_command("restore", str(backup), "--yes")

    assert Contact.objects.filter(pk=contact.pk).exists()
    assert RestoreRecord.objects.get().outcome == RestoreOutcome.FAILED


def test_an_altered_backup_is_refused(backup_key, tmp_path):
    backup = tmp_path / "crm.backup"
    call_command("backup", "--output", str(backup))
    data = bytearray(backup.read_bytes())
    data[-10] ^= 0xFF
    backup.write_bytes(bytes(data))

    with pytest.raises(CommandError, match="altered"):
        call_command("restore", str(backup), "--yes")
