"""CON-04: free text with sensitive or insulting terms needs a justification, which is logged."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from crm.models import Contact
from crm.sensitive import sensitive_terms
from crm.services import contact_create, contact_update, interaction_create

from ..factories import ContactFactory


@pytest.mark.parametrize(
    ("text", "categories"),
    [
        ("Il est ALCOOLIQUE", {"health"}),
        ("a eu un problème cardiaque l'an dernier", {"health"}),
        ("Very stupid customer", {"insult"}),
        ("membre du syndicat, voir avec RH", {"political"}),
        ("Client fidèle, rappeler mardi", set()),
        ("nullement intéressé", set()),  # "nul" is listed, but only as a whole word
    ],
)
def test_terms_are_found_as_whole_words_whatever_the_accents_and_case(text, categories):
    assert {flag.category for flag in sensitive_terms(text)} == categories


@pytest.mark.django_db
def test_a_sensitive_note_is_refused_without_a_justification_and_nothing_is_saved():
    with pytest.raises(ValidationError) as refused:
        contact_create(first_name="Paul", last_name="Henry", notes="il est alcoolique")
    assert set(refused.value.message_dict) == {"notes", "justification"}
    assert not Contact.objects.exists()


@pytest.mark.django_db
def test_with_a_justification_the_note_is_saved_and_the_reason_logged_without_the_text():
    contact = contact_create(
        first_name="Paul", last_name="Henry", notes="il est alcoolique", justification="court order, file 12"
    )
    event = AuditEvent.objects.get(action="free_text.sensitive_saved")
    assert event.subject_id == contact.pk
    assert (event.reason, event.data) == ("", {"field": "notes"})
    # the justification and the categories are about the person: the event's detail, erased with them
    assert (event.detail.contact_id, event.detail.note) == (contact.pk, "court order, file 12")
    assert event.detail.details == {"categories": ["health"]}
    assert "alcoolique" not in str(event.data) + str(event.detail.details)


@pytest.mark.django_db
def test_an_old_flagged_note_does_not_block_an_unrelated_edit():
    contact = contact_create(first_name="Paul", last_name="Henry", notes="il est alcoolique", justification="x")
    contact_update(contact=contact, city="Lyon")
    assert Contact.objects.get(pk=contact.pk).city == "Lyon"


@pytest.mark.django_db
def test_an_interaction_body_is_checked_too():
    contact = ContactFactory()
    with pytest.raises(ValidationError) as refused:
        interaction_create(
            contact=contact, kind="call", occurred_at=timezone.now(), subject="Call", body="quel imbécile"
        )
    assert "body" in refused.value.message_dict


@pytest.mark.django_db
def test_the_form_shows_the_warning_and_asks_for_a_justification(role_client, sales_user):
    client = role_client("Sales")
    contact = ContactFactory(owner=sales_user)
    url = reverse("crm:contact_edit", args=[contact.pk])
    form = {
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "kind": "consumer",
        "status": "prospect",
        "preferred_language": "fr",
        "emails": contact.primary_email,
        "notes": "problème cardiaque",
    }
    refused = client.post(url, form)
    assert refused.status_code == 200
    assert "id_justification" in refused.content.decode()
    assert Contact.objects.get(pk=contact.pk).notes != "problème cardiaque"

    saved = client.post(url, {**form, "justification": "needed for the event's first-aid plan"})
    assert saved.status_code == 302
    assert Contact.objects.get(pk=contact.pk).notes == "problème cardiaque"


@pytest.mark.django_db
def test_the_api_answers_a_field_error(role_client):
    client = role_client("DPO")
    response = client.post(
        "/api/v1/contacts/",
        {"first_name": "A", "last_name": "B", "source": "manual", "notes": "très radin"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert set(response.json()) >= {"notes", "justification"}
    accepted = client.post(
        "/api/v1/contacts/",
        {"first_name": "A", "last_name": "B", "source": "manual", "notes": "très radin", "justification": "quote"},
        content_type="application/json",
    )
    assert accepted.status_code == 201
    assert "justification" not in accepted.json()


@pytest.mark.django_db
def test_an_import_rejects_rows_whose_notes_hold_sensitive_terms(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    path = tmp_path / "people.csv"
    path.write_text(
        "first_name,last_name,email,notes\n"
        "Anna,Martin,anna@example.org,rappeler mardi\n"
        "Paul,Henry,paul@example.org,il est alcoolique\n",
        encoding="utf-8",
    )
    out = io.StringIO()
    call_command("import_contacts", str(path), stdout=out)
    assert list(Contact.objects.values_list("last_name", flat=True)) == ["Martin"]
    report = out.getvalue()
    assert "3" in report and "health" in report  # line 3 rejected, with the category, not the text
    assert "alcoolique" not in report
