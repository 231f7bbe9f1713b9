from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from crm.models import Contact
from retention.models import ArchiveAccess, ArchivedContact, RetentionPolicy
from retention.services import archive_open, policy_update, purge_policy_now

from ..factories import ContactFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def archiving_policy(prospects_policy) -> RetentionPolicy:
    policy = policy_update(policy=prospects_policy, archive_months=12)
    RetentionPolicy.objects.filter(pk=policy.pk).update(approved_version=policy.version)
    policy.refresh_from_db()
    return policy


def test_past_its_active_period_a_contact_goes_to_the_archive_then_is_purged_at_its_end(archiving_policy, old_prospect):
    contact = old_prospect()

    run = purge_policy_now(policy=archiving_policy)

    archive = ArchivedContact.objects.get(contact=contact)
    assert run.counts == {"retention.ArchivedContact": {"archived": 1}}
    assert archive.purge_on.year == timezone.localdate().year + 1
    assert purge_policy_now(policy=archiving_policy).processed == 0  # not archived twice, not purged yet

    ArchivedContact.objects.filter(pk=archive.pk).update(purge_on=timezone.localdate() - timedelta(days=1))
    run = purge_policy_now(policy=archiving_policy)
    assert run.processed == 1 and not Contact.objects.filter(pk=contact.pk).exists()


def test_an_archived_contact_is_invisible_to_lists_search_and_the_api(archiving_policy, old_prospect, role_client):
    contact = old_prospect(last_name="Archivé")
    visible = ContactFactory(last_name="Visible")
    purge_policy_now(policy=archiving_policy)
    client = role_client("DPO")

    assert client.get(reverse("crm:contact_detail", args=[contact.pk])).status_code == 404
    listing = client.get(reverse("crm:contact_list"), {"q": "Archiv"}).content.decode()
    assert "Archivé" not in listing
    api = client.get("/api/v1/contacts/").json()["results"]
    assert [row["id"] for row in api] == [visible.pk]


def test_opening_an_archived_record_needs_a_reason_and_is_logged(archiving_policy, old_prospect, dpo_user, role_client):
    contact = old_prospect(last_name="Archivé")
    purge_policy_now(policy=archiving_policy)

    with pytest.raises(ValidationError) as error:
        archive_open(contact_id=contact.pk, user=dpo_user, reason="  ")
    assert "reason" in error.value.message_dict

    url = reverse("retention:archive_open", args=[contact.pk])
    client = role_client("DPO")
    assert "Archivé" not in client.get(url).content.decode()
    page = client.post(url, {"reason": "Tax audit of 2023 orders"})
    assert "Archivé" in page.content.decode()
    access = ArchiveAccess.objects.get(contact=contact)
    assert (access.user.username, access.reason) == ("dpo", "Tax audit of 2023 orders")
    assert AuditEvent.objects.filter(action="retention.archive_opened", subject_id=contact.pk).exists()
    assert role_client("Administrator").post(url, {"reason": "curious"}).status_code == 403


def test_an_archived_contact_leaves_audiences_the_check_api_and_exports(archiving_policy, old_prospect, dpo_user):
    # given: two consenting contacts of a tag, one of them past its period and archived
    from consent.audience import audience_build
    from consent.eligibility import Identifier, check_one
    from consent.services import consent_give, purpose_save, wording_publish
    from crm.exports import filtered_contacts
    from crm.models import Tag
    from registry.models import ProcessingActivity

    activity = ProcessingActivity.objects.create(reference="ACT-A", name="News", main_purpose="News")
    purpose = purpose_save(
        data={"key": "news", "name": "News", "activity": activity, "lawful_basis": "consent", "channels": ["email"]}
    )
    wording = wording_publish(purpose=purpose, language="en", text="Send me news.")
    tag = Tag.objects.create(name="Fair 2021")
    archived, visible = old_prospect(emails=["old@example.com"]), ContactFactory(emails=["new@example.com"])
    for contact in (archived, visible):
        contact.tags.add(tag)
        consent_give(contact=contact, purpose=purpose, channel="email", method="paper", wording=wording)
    purge_policy_now(policy=archiving_policy)
    assert ArchivedContact.objects.filter(contact=archived).exists()

    # then: out of the audience (not even counted), unknown to "may I contact?", out of the DPO's export
    audience = audience_build(purpose=purpose, channel="email", tag=tag)
    assert (audience.eligible, audience.considered) == ([visible.pk], 1)
    for identifier in (Identifier(contact_id=archived.pk), Identifier(email="old@example.com")):
        answer = check_one(identifier, purpose=purpose, channel="email")
        assert (answer.allowed, answer.reason) == (False, "unknown")
    assert list(filtered_contacts(dpo_user, {}).values_list("pk", flat=True)) == [visible.pk]
