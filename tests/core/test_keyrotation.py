from __future__ import annotations

import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from core.crypto import PREFIX
from core.models import AuditEvent, OutboxMessage


def raw_bodies(table: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT body FROM {table}")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db
def test_rotation_rewrites_rows_and_history_under_the_new_key(settings):
    # given a message (and its history row) encrypted under the old key
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    message = OutboxMessage.objects.create(recipient="anna@example.org", template="t", subject="Hi", body="secret body")
    new_key = Fernet.generate_key().decode()

    # when the new key goes first and the rotation runs
    with override_settings(FIELD_ENCRYPTION_KEYS=[new_key, old_key]):
        call_command("rotate_keys", "--batch-size", "1", stdout=io.StringIO())

    # then every token opens with the new key alone, and the app reads the plaintext with it
    for table in ("core_outboxmessage", "core_historicaloutboxmessage"):
        for token in raw_bodies(table):
            assert Fernet(new_key.encode()).decrypt(token[len(PREFIX) :].encode()) == b"secret body"
    with override_settings(FIELD_ENCRYPTION_KEYS=[new_key]):
        assert OutboxMessage.objects.get(pk=message.pk).body == "secret body"
    event = AuditEvent.objects.get(action="keys.rotated")
    assert event.data["rewritten"]["core.OutboxMessage.body"] == 1


@pytest.mark.django_db
def test_rotation_twice_rewrites_nothing_the_second_time(settings):
    OutboxMessage.objects.create(recipient="a@example.org", template="t", subject="s", body="b")
    new_key = Fernet.generate_key().decode()
    with override_settings(FIELD_ENCRYPTION_KEYS=[new_key, *settings.FIELD_ENCRYPTION_KEYS]):
        from core.keyrotation import keys_rotate

        first = {(r.model, r.field): r.rows for r in keys_rotate()}
        second = {(r.model, r.field): r.rows for r in keys_rotate()}
    assert first[("core.OutboxMessage", "body")] == 1
    assert all(rows == 0 for rows in second.values())
