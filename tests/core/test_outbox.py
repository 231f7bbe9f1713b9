"""The outbox stores every message encrypted and sends it once, after commit."""

from __future__ import annotations

import logging
from smtplib import SMTPRecipientsRefused

import pytest
from django.core import mail
from django.db import connection

from core.models import AuditEvent, OutboxMessage, OutboxStatus
from core.outbox import MAX_ATTEMPTS, message_deliver, message_send
from crm.subject_data import subject_data_erase

pytestmark = pytest.mark.django_db

RECIPIENT = "amelie.durand@example.fr"


@pytest.fixture
def send(message_templates, contact):
    def send_one() -> OutboxMessage:
        return message_send(
            to=RECIPIENT,
            template="test_notice",
            context={"name": "Amélie", "reference": "REF-123"},
            contact=contact,
        )

    return send_one


def _stored(message: OutboxMessage) -> tuple[str, str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT recipient, subject, body FROM core_outboxmessage WHERE id = %s", [message.pk])
        return cursor.fetchone()


def test_message_is_stored_encrypted(send, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        message = send()
    recipient, subject, body = _stored(message)
    for column in (recipient, subject, body):
        assert column.startswith("fernet:")
    stored = recipient + subject + body
    assert RECIPIENT not in stored
    assert "REF-123" not in stored
    assert "Amélie" not in stored
    message.refresh_from_db()
    assert message.subject == "Your privacy notice REF-123"
    assert "Dear Amélie" in message.body
    assert message.recipient == RECIPIENT


def test_message_send_writes_an_audit_event_without_the_content(send, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        message = send()
    event = AuditEvent.objects.get(action="outbox.queued", object_id=str(message.pk))
    assert event.subject_id == message.contact_id
    assert RECIPIENT not in str(event.data)


def test_message_is_delivered_after_commit(send, eager_celery, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = send()
        # nothing leaves before the transaction commits
        assert mail.outbox == []
        assert OutboxMessage.objects.get(pk=message.pk).status == OutboxStatus.QUEUED
    assert len(callbacks) == 1
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    assert message.sent_at is not None
    assert [(m.to, m.subject) for m in mail.outbox] == [([RECIPIENT], "Your privacy notice REF-123")]


def test_delivering_twice_sends_once(send, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        message = send()
    message_deliver(message_id=message.pk)
    message_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert len(mail.outbox) == 1
    assert (message.status, message.attempts) == (OutboxStatus.SENT, 1)


def test_delivering_a_missing_message_does_nothing():
    assert message_deliver(message_id=987654) is None
    assert mail.outbox == []


def test_transport_failure_is_recorded_and_retried_until_the_limit(
    send, monkeypatch, django_capture_on_commit_callbacks
):
    def refuse(self, fail_silently=False):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    with django_capture_on_commit_callbacks(execute=False):
        message = send()
    message_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == (OutboxStatus.QUEUED, 1, "smtp down")
    for _ in range(MAX_ATTEMPTS - 1):
        message_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.FAILED, MAX_ATTEMPTS)


def test_a_refused_address_stays_out_of_the_worker_log_and_goes_with_the_erasure(
    send, contact, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def refuse(self, fail_silently=False):
        raise SMTPRecipientsRefused({RECIPIENT: (550, b"no such user")})

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    with django_capture_on_commit_callbacks(execute=False):
        message = send()
    with caplog.at_level(logging.WARNING, logger="core.outbox"):
        message_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert RECIPIENT in message.last_error  # staff see why, while the person is here
    assert "SMTPRecipientsRefused" in caplog.text and RECIPIENT not in caplog.text

    subject_data_erase(contact=contact, reason="Art. 17 request")

    assert OutboxMessage.objects.get(pk=message.pk).last_error == ""
