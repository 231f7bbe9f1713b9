"""Art. 19 (CON-05, DSR-13): each recipient in the disclosure log gets a task when a contact's data are rectified,
erased or restricted; a task is closed as sent, or as impossible or disproportionate with a justification."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from core.actors import Actor, acting_as
from core.figures import figures_refresh
from core.models import AuditDetail, AuditEvent
from crm.models import Contact, NotificationStatus, RecipientNotification
from crm.models.recipients import JUSTIFICATION_ERASED
from crm.services import (
    contact_restriction_place,
    contact_update,
    disclosure_record,
    recipient_notification_close,
)
from crm.subject_data import subject_data_erase
from tests.factories import ContactFactory

from .test_export import EXPORT, PARTNER

pytestmark = pytest.mark.django_db


def disclose(contact: Contact, recipient: str, fields: list[str], country: str = "") -> None:
    disclosure_record(recipient=recipient, channel="api", contact_ids=[contact.pk], fields=fields, country=country)


def tasks(contact: Contact, **filters) -> list[tuple[str, str, list[str]]]:
    rows = RecipientNotification.objects.filter(contact_ref=contact.pk, **filters).order_by("recipient", "cause")
    return [(task.recipient, task.cause, task.fields) for task in rows]


def test_editing_an_exported_email_opens_a_task_for_partner_x_with_audit_and_a_new_updated_at(dpo_user, client):
    # given a contact exported to Partner X through the real export
    contact = ContactFactory(first_name="Ada", last_name="Lovelace", emails=["ada@example.com"])
    client.force_login(dpo_user)
    assert client.post(EXPORT, {**PARTNER, "q": "ada@example.com"}).status_code == 200
    before = Contact.objects.get(pk=contact.pk).updated_at

    # when a member of staff corrects the email address (and nothing else)
    with acting_as(Actor.for_user(dpo_user)):
        contact_update(contact=contact, emails=["ada.lovelace@example.com"])

    # then Partner X has a task naming the field, the change is in the history, and updated_at moved
    assert tasks(contact) == [("Partner X", "rectification", ["emails"])]
    task = RecipientNotification.objects.get(contact=contact)
    assert (task.country, task.status) == ("DE", "open")
    assert AuditEvent.objects.filter(action="art19.task_opened", subject_id=contact.pk, actor_label="dpo").exists()
    refreshed = Contact.objects.get(pk=contact.pk)
    assert refreshed.updated_at > before
    latest = refreshed.history.first()
    assert (latest.history_user, latest.history_change_reason) == (dpo_user, "changed emails")


def test_only_recipients_that_received_a_changed_field_are_concerned():
    contact = ContactFactory(emails=["grace@example.com"], city="Lyon")
    disclose(contact, "Mailing tool", ["id", "first_name", "emails"])
    disclose(contact, "Address checker", ["id", "street", "city"])
    disclose(contact, "Legacy sync", [])  # did not say which fields: every field counts

    contact_update(contact=contact, city="Paris")

    assert tasks(contact) == [
        ("Address checker", "rectification", ["city"]),
        ("Legacy sync", "rectification", ["city"]),
    ]


def test_a_second_rectification_extends_the_open_task_instead_of_opening_a_twin():
    contact = ContactFactory(emails=["alan@example.com"], city="Lyon")
    disclose(contact, "Partner X", [])
    contact_update(contact=contact, city="Paris")
    contact_update(contact=contact, emails=["alan.turing@example.com"])

    assert tasks(contact) == [("Partner X", "rectification", ["city", "emails"])]
    assert AuditEvent.objects.filter(action="art19.task_opened", subject_id=contact.pk).count() == 1


def test_a_change_of_a_never_disclosed_contact_opens_nothing():
    contact = ContactFactory(city="Lyon")
    contact_update(contact=contact, city="Paris")
    assert not RecipientNotification.objects.exists()


def test_restriction_concerns_every_recipient():
    contact = ContactFactory()
    disclose(contact, "Partner X", ["emails"])
    disclose(contact, "Partner Y", ["city"])

    contact_restriction_place(contact=contact, reason="Accuracy contested")

    assert tasks(contact) == [("Partner X", "restriction", []), ("Partner Y", "restriction", [])]


def test_erasure_of_an_exported_contact_leaves_one_task_per_recipient_without_the_link():
    contact = ContactFactory(first_name="Erased", emails=["erased@example.com"])
    disclose(contact, "Partner X", ["emails"], country="DE")
    disclose(contact, "Newsletter tool", ["emails"])
    pk = contact.pk

    subject_data_erase(contact=contact, reason="Art. 17 request")

    remaining = RecipientNotification.objects.filter(contact_ref=pk).order_by("recipient")
    assert [(t.recipient, t.country, t.cause, t.contact_id) for t in remaining] == [
        ("Newsletter tool", "", "erasure", None),
        ("Partner X", "DE", "erasure", None),
    ]
    erased = AuditEvent.objects.get(action="subject.erased", subject_id=pk)
    assert erased.data["recipients_to_notify"] == 2


def test_erasure_erases_what_staff_wrote_in_a_task_and_keeps_the_task(open_task, dpo_user, client):
    recipient_notification_close(
        notification=open_task, status="impossible", justification="Partner X lost her file, says 06 12 34 56 78"
    )
    contact = Contact.objects.get(pk=open_task.contact_ref)

    subject_data_erase(contact=contact, reason="Art. 17 request")

    kept = RecipientNotification.objects.get(pk=open_task.pk)
    assert (kept.contact_id, kept.recipient, kept.status) == (None, "Partner X", "impossible")
    assert kept.justification == JUSTIFICATION_ERASED and kept.justification_erased
    assert not RecipientNotification.history.filter(id=open_task.pk).exists()
    closed = AuditEvent.objects.get(action="art19.task_closed")
    assert (closed.reason, closed.data["status"]) == ("", "impossible")
    assert not AuditDetail.objects.filter(event=closed).exists()
    client.force_login(dpo_user)
    with translation.override("en"):  # the French page must not leave French active for later tests
        page = client.get("/fr" + reverse("crm:recipient_notification_detail", args=[open_task.pk]))
    assert "Effacée avec le contact." in page.content.decode() and "06 12 34" not in page.content.decode()


@pytest.fixture
def open_task() -> RecipientNotification:
    contact = ContactFactory(city="Lyon")
    disclose(contact, "Partner X", [])
    contact_update(contact=contact, city="Paris")
    return RecipientNotification.objects.get(contact=contact)


@pytest.mark.parametrize("status", ["impossible", "disproportionate"])
def test_not_telling_a_recipient_needs_a_justification(open_task, status):
    with pytest.raises(ValidationError) as error:
        recipient_notification_close(notification=open_task, status=status, justification="  ")
    assert "justification" in error.value.message_dict
    assert RecipientNotification.objects.get(pk=open_task.pk).status == "open"

    recipient_notification_close(notification=open_task, status=status, justification="Partner X was dissolved.")
    closed = RecipientNotification.objects.get(pk=open_task.pk)
    assert (closed.status, closed.justification) == (status, "Partner X was dissolved.")
    assert closed.resolved_at is not None


def test_a_closed_task_keeps_its_first_outcome(open_task, dpo_user):
    with acting_as(Actor.for_user(dpo_user)):
        recipient_notification_close(notification=open_task, status=NotificationStatus.SENT)
    with pytest.raises(ValidationError):
        recipient_notification_close(notification=open_task, status="impossible", justification="changed my mind")

    closed = RecipientNotification.objects.get(pk=open_task.pk)
    assert (closed.status, closed.resolved_by) == ("sent", "dpo")
    event = AuditEvent.objects.get(action="art19.task_closed")
    assert (event.subject_id, event.data["status"]) == (open_task.contact_ref, "sent")


def test_the_dpo_closes_a_task_from_its_page_with_field_errors_first(open_task, dpo_user, client):
    client.force_login(dpo_user)
    page = reverse("crm:recipient_notification_detail", args=[open_task.pk])

    response = client.post(page, {"status": "disproportionate", "justification": ""})
    assert response.status_code == 200
    assert "Say why this recipient cannot be told" in response.content.decode()

    response = client.post(page, {"status": "sent", "justification": "Emailed their DPO."})
    assert response.status_code == 302
    assert RecipientNotification.objects.get(pk=open_task.pk).status == "sent"

    listing = client.get(reverse("crm:recipient_notification_list"), {"status": "sent"}).content.decode()
    assert f'data-task="{open_task.pk}"' in listing
    assert f'data-task="{open_task.pk}"' not in client.get(reverse("crm:recipient_notification_list")).content.decode()


def test_the_contact_page_lists_its_recipients_and_their_tasks(open_task, dpo_user, client):
    client.force_login(dpo_user)
    page = client.get(reverse("crm:contact_detail", args=[open_task.contact_id])).content.decode()
    assert 'data-recipient="Partner X"' in page
    assert 'data-task-status="open"' in page


def test_the_api_lists_and_closes_tasks(open_task, dpo_user, sales_user, client):
    url = reverse("api:recipientnotification-list")
    client.force_login(sales_user)
    assert client.get(url).status_code == 403

    client.force_login(dpo_user)
    listed = client.get(url, {"status": "open"}).json()["results"]
    assert [(row["id"], row["recipient"], row["cause"]) for row in listed] == [
        (open_task.pk, "Partner X", "rectification")
    ]
    close = reverse("api:recipientnotification-close", args=[open_task.pk])
    refused = client.post(close, {"status": "impossible"}, content_type="application/json")
    assert refused.status_code == 400
    assert "justification" in refused.json()
    done = client.post(close, {"status": "impossible", "justification": "No address."}, content_type="application/json")
    assert done.status_code == 200
    assert done.json()["status"] == "impossible"


def test_the_dashboard_counts_the_open_tasks(open_task, dpo_user, client):
    client.force_login(dpo_user)

    def figure() -> str:
        figures_refresh()  # the beat's job: the dashboard reads the figures store
        html = client.get(reverse("dashboard")).content.decode()
        kpi = html[html.index('id="kpi-art19"') :]
        return kpi[: kpi.index("</a>")].rsplit(">", 1)[1]

    assert figure() == "1"
    recipient_notification_close(notification=open_task, status="sent")
    assert figure() == "0"


def test_the_task_list_names_the_contact_without_decrypting_its_notes(open_task, dpo_user, client):
    client.force_login(dpo_user)
    with CaptureQueriesContext(connection) as queries:
        html = client.get(reverse("crm:recipient_notification_list")).content.decode()
    assert str(open_task.contact) in html
    assert not any('"notes"' in query["sql"] for query in queries.captured_queries)
