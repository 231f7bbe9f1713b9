"""The audit explorer: one search over change history, domain events and record views; its CSV and API."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from access import roles
from core.actors import Actor, acting_as
from core.audit import audit_event_record
from crm.models import AccessChannel
from crm.services import contact_access_record
from tests.factories import ContactFactory, UserFactory

pytestmark = pytest.mark.django_db


def _csv(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_everything_a_user_did_and_everyone_who_viewed_a_contact(client):
    # given a Sales user who created a contact, viewed it, and an event they caused; and a support user's view
    sales = UserFactory(username="sam", roles=[roles.SALES])
    support = UserFactory(username="sue", roles=[roles.SUPPORT])
    with acting_as(Actor.for_user(sales)):
        contact = ContactFactory(owner=sales)
        contact.job_title = "Buyer"
        contact.save()
        contact_access_record(contact_ids=[contact.pk], channel=AccessChannel.PAGE)
        audit_event_record(action="contacts.exported", obj=contact, subject_id=contact.pk)
    with acting_as(Actor.for_user(support)):
        contact_access_record(contact_ids=[contact.pk], channel=AccessChannel.PAGE)
    other = ContactFactory()
    client.force_login(UserFactory(username="dora", roles=[roles.DPO]))
    today = timezone.localdate()

    # when the DPO asks what sam did this week
    page = client.get(reverse("audit:explorer"), {"user": "sam", "since": today - timedelta(days=7), "until": today})
    rows = page.context["rows"]

    # then the creation, the change, the view and the event are all there, and nothing by anyone else
    found = {(row.source, row.action, row.object_type, row.object_id) for row in rows}
    assert ("history", "created", "crm.Contact", str(contact.pk)) in found
    assert ("history", "changed", "crm.Contact", str(contact.pk)) in found
    assert ("access", "viewed", "crm.Contact", str(contact.pk)) in found
    assert ("event", "contacts.exported", "crm.Contact", str(contact.pk)) in found
    assert {row.actor for row in rows} == {"sam"}
    assert str(other.pk) not in {row.object_id for row in rows}

    # and everyone who viewed the contact: sam and sue
    viewers = client.get(reverse("audit:explorer"), {"object": str(contact.pk), "action": "viewed"}).context["rows"]
    assert sorted(row.actor for row in viewers) == ["sam", "sue"]

    # the CSV export holds the same rows
    exported = _csv(client.get(reverse("audit:export"), {"object": f"crm.Contact:{contact.pk}", "action": "viewed"}))
    assert sorted(row["actor"] for row in exported) == ["sam", "sue"]

    # and so does the API
    api = client.get("/api/v1/audit/", {"object": str(contact.pk), "action": "viewed"})
    assert api.status_code == 200
    assert sorted(row["actor"] for row in api.json()) == ["sam", "sue"]


@pytest.mark.parametrize(
    "params, field",
    [
        ({"object": "crm.Nothing:1"}, "object"),
        ({"object": "crm.Contact:abc"}, "object"),
        ({"since": "2026-02-30"}, "since"),
        ({"since": "2026-03-02", "until": "2026-03-01"}, "until"),
    ],
)
def test_bad_filters_get_field_errors_never_a_server_error(client, dpo_user, params, field):
    client.force_login(dpo_user)

    page = client.get(reverse("audit:explorer"), params)
    api = client.get("/api/v1/audit/", params)

    assert page.status_code == 400 and field in page.context["form"].errors
    assert api.status_code == 400 and field in api.json()
