"""What erasing a person does to their requests: the case file stays as proof, without their data."""

from __future__ import annotations

import pytest
from django.db import transaction

from core.models import OutboxMessage
from crm.subject_data import subject_data_erase
from dsar import services
from dsar.models import PendingSubmission, Request, RequestEvent, RequestMatch, RequestNote
from retention.engine import purge_contacts
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def case_of(dpo_user):
    def make(contact):
        case = services.request_register(
            rights=["erasure"],
            name="Zqsecretname Martin",
            email=contact.primary_email,
            details="Zqsecretdetail",
            channel="email",
            received_at=contact.created_at,
        )
        services.request_note_add(request=case, text="Zqsecretnote", author=dpo_user)
        services.request_refuse(request=case, ground="erasure_exception", explanation="Zqsecretexplanation")
        return case

    return make


def _assert_anonymised(case: Request) -> None:
    case.refresh_from_db()
    assert (case.requester_name, case.requester_email, case.requester_email_index, case.details) == ("", "", "", "")
    assert case.refusal_explanation == "" and case.refusal_ground == "erasure_exception"  # the ground is no data
    assert case.reference and case.rights == ["erasure"] and case.due_date  # the case file stays
    assert not RequestNote.objects.filter(request=case).exists()
    assert not RequestMatch.objects.filter(request=case).exists()
    assert not RequestEvent.objects.filter(request=case).exclude(text="").exists()
    assert RequestEvent.objects.filter(request=case).count() >= 3  # the timeline stays
    assert not Request.history.filter(id=case.pk).exclude(requester_name="").exists()
    assert not OutboxMessage.objects.filter(body__contains="Zqsecret").exists()


def test_erasing_a_contact_anonymises_its_requests(case_of):
    contact = ContactFactory(emails=["zq.erased@example.org"])
    case = case_of(contact)
    subject_data_erase(contact=contact, reason="Art. 17 request")
    _assert_anonymised(case)


def test_the_retention_purge_anonymises_requests_too(case_of):
    contact = ContactFactory(emails=["zq.purged@example.org"])
    case = case_of(contact)
    with transaction.atomic():
        purge_contacts([contact.pk], end_action="delete")
    _assert_anonymised(case)


def test_erasing_a_contact_deletes_the_unverified_submissions_of_its_addresses(client):
    from .conftest import submit

    contact = ContactFactory(emails=["zq.pending@example.org"])
    submit(email="zq.pending@example.org")
    submit(email="someone.else@example.org")
    subject_data_erase(contact=contact, reason="Art. 17 request")
    assert list(PendingSubmission.objects.values_list("requester_email", flat=True)) == ["someone.else@example.org"]
