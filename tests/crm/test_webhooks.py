"""Art. 19 notices by webhook: outbound URL checks, signed notices to a real receiver, retries, the log."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from core.models import AuditEvent
from crm.models import (
    AccessChannel,
    DeliveryOutcome,
    NotificationCause,
    NotificationStatus,
    RecipientEndpoint,
    RecipientNotification,
    WebhookDelivery,
)
from crm.selectors import recipients_notified
from crm.services import disclosure_record, recipient_notifications_open
from crm.services.webhooks import notice_sign, recipient_endpoint_save, webhook_url_errors
from tests.crm.api_clients import staff_api

from ..factories import ContactFactory
from .webhook_receiver import receiving

pytestmark = pytest.mark.django_db

SECRET = "s3cret-shared-with-the-tool"
TOOL = "Mailing tool"
OPENSSL_DIGEST = "a438e398bfafc57e4396bb7fc2304422f0f768e965d073ca313cb52e22e6ad03"


@pytest.fixture
def local_receivers(settings):
    """The test's receiver listens on 127.0.0.1 over http: allowed here only, as an operator would for a lab."""
    settings.WEBHOOK_HTTP_HOSTS = ["127.0.0.1"]
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    settings.WEBHOOK_RETRY_BASE_SECONDS = 0
    settings.WEBHOOK_MAX_ATTEMPTS = 3


def disclosed_contact(recipient: str = TOOL):
    contact = ContactFactory()
    disclosure_record(recipient=recipient, channel=AccessChannel.EXPORT, contact_ids=[contact.pk], fields=["email"])
    return contact


def open_erasure_task(contact, django_capture_on_commit_callbacks) -> RecipientNotification:
    with django_capture_on_commit_callbacks(execute=True):
        (task,) = recipient_notifications_open(contact=contact, cause=NotificationCause.ERASURE)
    task.refresh_from_db()
    return task


# ------------------------------------------------------------------ outbound URL check


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://93.184.216.34/hooks/art19", True),
        ("https://[2606:2800:220:1:248:1893:25c8:1946]/hook", True),
        ("http://93.184.216.34/hook", False),  # plain http to a host nobody listed
        ("https://127.0.0.1/hook", False),
        ("https://localhost/hook", False),
        ("https://10.0.0.8/hook", False),
        ("https://192.168.1.1/hook", False),
        ("https://169.254.169.254/latest/meta-data", False),  # a cloud metadata service
        ("https://[::1]/hook", False),
        ("https://[fd00::1]/hook", False),
        ("https://0.0.0.0/hook", False),
        ("https://[::ffff:127.0.0.1]/hook", False),  # IPv4-mapped loopback
        ("https://2130706433/hook", False),  # 127.0.0.1 written as one number
        ("https://0x7f.1/hook", False),
        ("https://user:pass@93.184.216.34/hook", False),
        ("ftp://93.184.216.34/hook", False),
        ("https:///hook", False),
        ("https://no-such-host.invalid/hook", False),
        ("https://93.184.216.34:99999/hook", False),
        ("javascript:alert(1)", False),
    ],
)
def test_only_public_https_addresses_receive_notices(url, allowed):
    assert (webhook_url_errors(url) == []) is allowed, webhook_url_errors(url)


def test_the_operator_may_allow_http_and_internal_addresses_for_named_hosts(settings):
    assert webhook_url_errors("http://127.0.0.1:8080/hook")
    settings.WEBHOOK_HTTP_HOSTS = ["127.0.0.1"]
    assert webhook_url_errors("http://127.0.0.1:8080/hook")  # http allowed, the loopback address still not
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    assert webhook_url_errors("http://127.0.0.1:8080/hook") == []
    assert webhook_url_errors("http://10.0.0.1/hook")  # http only to the listed hosts


def test_the_signature_is_hmac_sha256_over_the_timestamp_a_dot_and_the_body():
    # computed with `printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac key`
    assert notice_sign("key", "1700000000", b'{"a":1}') == f"sha256={OPENSSL_DIGEST}"
    assert notice_sign("key", "1700000000", b'{"a":1}') != notice_sign("key", "1700000001", b'{"a":1}')


# ------------------------------------------------------------------ notices to a real receiver


def test_a_delivered_notice_is_signed_carries_no_personal_data_and_closes_the_task(
    local_receivers, eager_celery, django_capture_on_commit_callbacks
):
    contact = disclosed_contact()
    contact.external_ids.create(system="mailing", value="MT-778")
    with receiving(200) as receiver:
        recipient_endpoint_save(
            data={"recipient": TOOL, "url": receiver.url, "secret": SECRET, "reference_system": "mailing"}
        )
        task = open_erasure_task(contact, django_capture_on_commit_callbacks)

    (received,) = receiver.received
    assert received.signature_valid(SECRET)
    assert not received.signature_valid("another secret")
    notice = received.notice
    assert notice == {
        "notice": received.header("X-CRM-Notice"),
        "type": "art19.erasure",
        "task": task.pk,
        "action": "erasure",
        "contact_id": contact.pk,
        "reference": "MT-778",
        "fields": [],
        "opened_at": task.created_at.isoformat(),
    }
    for value in (contact.first_name, contact.last_name):
        assert value.encode() not in received.body
    assert task.status == NotificationStatus.SENT and task.resolved_by == "art19-webhook"
    (delivery,) = WebhookDelivery.objects.filter(notification=task)
    assert (delivery.attempt, delivery.status_code, delivery.outcome, delivery.error) == (1, 200, "delivered", "")
    assert [(r.recipient, r.cause, r.by_webhook) for r in recipients_notified(contact_id=contact.pk)] == [
        (TOOL, "erasure", True)
    ]
    assert AuditEvent.objects.filter(action="art19.notice_delivered", subject_id=contact.pk).exists()
    assert AuditEvent.objects.filter(action="art19.task_closed", actor_label="art19-webhook").exists()


def test_a_server_error_is_retried_and_each_attempt_is_logged(
    local_receivers, eager_celery, django_capture_on_commit_callbacks
):
    contact = disclosed_contact()
    with receiving(500, 503, 204) as receiver:
        recipient_endpoint_save(data={"recipient": TOOL, "url": receiver.url, "secret": SECRET})
        task = open_erasure_task(contact, django_capture_on_commit_callbacks)

    assert len(receiver.received) == 3
    assert len({r.header("X-CRM-Notice") for r in receiver.received}) == 1  # one notice, three attempts
    log = list(WebhookDelivery.objects.filter(notification=task).order_by("attempt"))
    assert [(d.attempt, d.status_code, d.outcome) for d in log] == [
        (1, 500, DeliveryOutcome.FAILED),
        (2, 503, DeliveryOutcome.FAILED),
        (3, 204, DeliveryOutcome.DELIVERED),
    ]
    assert log[0].error == "HTTP 500" and all(d.duration_ms >= 0 for d in log)
    assert task.status == NotificationStatus.SENT


def test_after_the_last_attempt_the_task_stays_open_for_staff(
    local_receivers, eager_celery, django_capture_on_commit_callbacks
):
    contact = disclosed_contact()
    with receiving(500) as receiver:
        recipient_endpoint_save(data={"recipient": TOOL, "url": receiver.url, "secret": SECRET})
        task = open_erasure_task(contact, django_capture_on_commit_callbacks)

    outcomes = list(WebhookDelivery.objects.filter(notification=task).order_by("attempt").values_list("outcome"))
    assert outcomes == [("failed",), ("failed",), ("gave_up",)]
    assert task.status == NotificationStatus.OPEN
    assert recipients_notified(contact_id=contact.pk) == []


def test_an_unreachable_endpoint_logs_the_error_kind(local_receivers, eager_celery, django_capture_on_commit_callbacks):
    contact = disclosed_contact()
    with receiving(200) as receiver:
        url = receiver.url
    recipient_endpoint_save(data={"recipient": TOOL, "url": url, "secret": SECRET})  # nobody listens any more
    task = open_erasure_task(contact, django_capture_on_commit_callbacks)

    errors = set(WebhookDelivery.objects.filter(notification=task).values_list("status_code", "error"))
    assert errors == {(None, "ConnectionRefusedError")}


def test_a_recipient_without_a_webhook_or_an_inactive_one_gets_nothing(
    local_receivers, eager_celery, django_capture_on_commit_callbacks
):
    contact = disclosed_contact()
    with receiving(200) as receiver:
        recipient_endpoint_save(data={"recipient": TOOL, "url": receiver.url, "secret": SECRET, "active": False})
        other = disclosed_contact("Someone else")
        open_erasure_task(contact, django_capture_on_commit_callbacks)
        open_erasure_task(other, django_capture_on_commit_callbacks)
    assert receiver.received == []
    assert not WebhookDelivery.objects.exists()


# ------------------------------------------------------------------ API and staff pages


def test_the_api_registers_a_webhook_with_field_errors_and_never_returns_the_secret(cast, settings):
    api = staff_api(cast["DPO"])
    url = "/api/v1/recipient-webhooks/"

    bad = api.post(url, {"recipient": TOOL, "url": "https://169.254.169.254/x", "secret": "short"}, format="json")
    assert bad.status_code == 400
    assert set(bad.json()) >= {"url", "secret"}

    good = api.post(url, {"recipient": TOOL, "url": "https://93.184.216.34/hook", "secret": SECRET}, format="json")
    assert good.status_code == 201, good.content
    assert "secret" not in good.json() and SECRET not in good.content.decode()
    endpoint = RecipientEndpoint.objects.get()
    assert endpoint.secret == SECRET

    twin = api.post(url, {"recipient": TOOL, "url": "https://93.184.216.34/h", "secret": SECRET}, format="json")
    assert twin.status_code == 400 and "recipient" in twin.json()

    changed = api.patch(f"{url}{endpoint.pk}/", {"url": "https://93.184.216.35/hook"}, format="json")
    assert changed.status_code == 200
    endpoint.refresh_from_db()
    assert endpoint.secret == SECRET  # an absent secret keeps the current one
    assert api.get(f"{url}{endpoint.pk}/deliveries/").json() == []
    assert AuditEvent.objects.filter(action__startswith="art19.webhook_").count() == 2

    auditor = staff_api(cast["Auditor"])
    assert auditor.get(url).status_code == 200
    assert auditor.post(url, {"recipient": "X", "url": "https://93.184.216.34/", "secret": SECRET}).status_code == 403


def test_staff_register_a_webhook_and_read_its_delivery_log(
    role_client, local_receivers, eager_celery, django_capture_on_commit_callbacks
):
    client = role_client("DPO")
    refused = client.post(
        reverse("crm:recipient_endpoint_create"),
        {"recipient": TOOL, "url": "http://93.184.216.34/hook", "secret": SECRET, "active": "on"},
    )
    assert refused.status_code == 200
    assert "Use https" in refused.content.decode()
    contact = disclosed_contact()
    with receiving(500, 200) as receiver:
        data = {"recipient": TOOL, "url": receiver.url, "secret": SECRET, "active": "on"}
        response = client.post(reverse("crm:recipient_endpoint_create"), data)
        assert response.status_code == 302
        task = open_erasure_task(contact, django_capture_on_commit_callbacks)

    endpoint = RecipientEndpoint.objects.get()
    page = client.get(reverse("crm:recipient_endpoint_detail", args=[endpoint.pk])).content.decode()
    assert "HTTP 500" in page and SECRET not in page
    task_page = client.get(reverse("crm:recipient_notification_detail", args=[task.pk])).content.decode()
    assert 'id="task-deliveries"' in task_page


def test_tasks_opened_before_the_webhook_are_sent_once_it_is_registered_and_the_command_sends_them_again(
    local_receivers, eager_celery, django_capture_on_commit_callbacks
):
    contact = disclosed_contact()
    waiting = open_erasure_task(contact, django_capture_on_commit_callbacks)  # no webhook yet
    with receiving(500) as down, django_capture_on_commit_callbacks(execute=True):
        recipient_endpoint_save(data={"recipient": TOOL, "url": down.url, "secret": SECRET})
    assert len(down.received) == 3  # every attempt failed: the task waits for staff
    endpoint = RecipientEndpoint.objects.get()

    with receiving(200) as back:
        RecipientEndpoint.objects.filter(pk=endpoint.pk).update(url=back.url)
        with django_capture_on_commit_callbacks(execute=True):
            call_command("send_art19_notices", "--recipient", TOOL, stdout=io.StringIO())
    waiting.refresh_from_db()
    assert (len(back.received), waiting.status) == (1, NotificationStatus.SENT)
    with pytest.raises(CommandError):
        call_command("send_art19_notices", "--recipient", "Nobody")
