"""The staff "Consents" area and the contact's consent panel."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from access import roles
from consent import services
from consent.models import Action, ConsentEvent, ConsentState, Method, Purpose, Status
from core.models import AuditEvent, OutboxMessage
from crm.models import Disclosure

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_marketing_creates_a_purpose_with_field_errors_first(role_client, activity):
    client = role_client(roles.MARKETING)
    bad = client.post(reverse("consent:purpose_create"), {"key": "promo", "name": "Promotions"})
    assert bad.status_code == 200
    assert 'id="id_channels_errors"' in bad.content.decode() or "channels" in bad.context["form"].errors
    good = client.post(
        reverse("consent:purpose_create"),
        {
            "key": "promo",
            "name": "Promotions",
            "activity": activity.pk,
            "lawful_basis": "consent",
            "channels": ["email", "sms"],
        },
    )
    assert good.status_code == 302
    purpose = Purpose.objects.get(key="promo")
    assert purpose.channels == ["email", "sms"] and not purpose.states.exists()
    assert AuditEvent.objects.filter(action="consent.purpose_created").exists()
    assert purpose.history.first().history_actor_kind == "user"


def test_editing_a_shown_wording_in_the_ui_is_refused_with_a_clear_message(
    role_client, newsletter, wording_en, make_contact
):
    services.consent_give(
        contact=make_contact(), purpose=newsletter, channel="email", method=Method.PHONE, wording=wording_en
    )
    response = role_client(roles.DPO).post(reverse("consent:wording_edit", args=[wording_en.pk]), {"text": "New text"})
    assert response.status_code == 200
    assert "already been shown to people, so it cannot be edited" in response.content.decode()
    wording_en.refresh_from_db()
    assert wording_en.text == "Send me the monthly newsletter."


def test_purpose_page_shows_the_rates_chart_data(role_client, newsletter, wording_en, make_contact):
    services.consent_give(
        contact=make_contact(), purpose=newsletter, channel="email", method=Method.PHONE, wording=wording_en
    )
    html = role_client(roles.AUDITOR).get(reverse("consent:purpose_detail", args=[newsletter.pk])).content.decode()
    assert 'id="consent-chart-data"' in html and "consent-rates-chart" in html
    assert "<script>" not in html.replace("<script src=", "")  # data in json_script, no inline code


def test_sales_record_a_paper_consent_with_its_scan(role_client, cast, newsletter, wording_en, make_contact):
    contact = make_contact(owner=cast[roles.SALES])
    client = role_client(roles.SALES)
    url = reverse("consent:contact_record", args=[contact.pk])
    data = {
        "action": "given",
        "purpose": newsletter.pk,
        "channel": "email",
        "method": "paper",
        "wording": wording_en.pk,
    }
    missing = client.post(url, data)
    assert "Attach the scan of the signed paper form." in missing.content.decode()
    scan = SimpleUploadedFile("form.pdf", b"%PDF-1.4 signed", content_type="application/pdf")
    assert client.post(url, {**data, "attachment": scan, "note": "Signed at the fair"}).status_code == 302
    event = ConsentEvent.objects.get(contact=contact)
    assert (event.method, event.staff_user, event.note) == (Method.PAPER, cast[roles.SALES], "Signed at the fair")
    assert event.attachment.name.startswith("consent_proof/")
    assert ConsentState.objects.get(contact=contact).status == Status.GRANTED


def test_the_contact_panel_lists_states_and_events_with_proof(role_client, newsletter, wording_en, make_contact):
    contact = make_contact()
    services.consent_give(contact=contact, purpose=newsletter, channel="email", method=Method.PHONE, wording=wording_en)
    html = role_client(roles.AUDITOR).get(reverse("consent:contact_panel", args=[contact.pk])).content.decode()
    assert 'data-status="granted"' in html and 'data-event-action="given"' in html
    assert "wording v1 (en)" in html
    assert 'id="consent-record"' not in html  # the auditor only reads


def test_staff_record_an_objection(role_client, newsletter, make_contact):
    contact = make_contact()
    response = role_client(roles.MARKETING).post(reverse("consent:contact_object", args=[contact.pk]))
    assert response.status_code == 302
    assert ConsentEvent.objects.get(contact=contact).action == Action.OBJECTED


def test_proof_export_as_json_and_printable_html(role_client, newsletter, wording_en, make_contact):
    contact = make_contact()
    services.consent_give(
        contact=contact, purpose=newsletter, channel="email", method=Method.WEB_FORM, wording=wording_en
    )
    client = role_client(roles.DPO)
    body = json.loads(client.get(reverse("consent:contact_proof", args=[contact.pk, "json"])).content)
    assert [e["action"] for e in body["events"]] == ["given", "confirmation_sent"]
    assert body["events"][0]["wording"]["text"] == "Send me the monthly newsletter."
    html = client.get(reverse("consent:contact_proof", args=[contact.pk, "html"])).content.decode()
    assert "Send me the monthly newsletter." in html
    assert client.get(reverse("consent:contact_proof", args=[contact.pk, "xml"])).status_code == 404


def test_audience_export_keeps_only_eligible_contacts_and_logs_the_disclosure(
    role_client, newsletter, wording_en, make_contact
):
    yes, _no, objector = make_contact(emails=["yes@example.com"]), make_contact(), make_contact()
    services.consent_give(contact=yes, purpose=newsletter, channel="email", method=Method.PHONE, wording=wording_en)
    services.objection_record(contact=objector, method=Method.STAFF)
    client = role_client(roles.MARKETING)
    form = {"purpose": newsletter.pk, "channel": "email", "recipient": "Mailjet"}
    report = client.post(reverse("consent:audience"), {**form, "download": "report"}).content.decode()
    assert 'data-reason="no_consent"' in report and 'data-reason="suppressed"' in report
    assert not Disclosure.objects.exists()
    csv = client.post(reverse("consent:audience"), {**form, "download": "csv"}).content.decode()
    lines = csv.strip().splitlines()
    assert len(lines) == 2 and "yes@example.com" in lines[1]
    disclosure = Disclosure.objects.get()
    assert (disclosure.recipient, disclosure.contact_count) == ("Mailjet", 1)
    exported = AuditEvent.objects.get(action="consent.audience_exported")
    assert exported.data["excluded"] == {"no_consent": 1, "suppressed": 1}


def test_the_contact_page_loads_the_panel_for_consent_readers_only(role_client, cast, make_contact):
    contact = make_contact(owner=cast[roles.SALES])
    sales = role_client(roles.SALES).get(reverse("crm:contact_detail", args=[contact.pk])).content.decode()
    support = role_client(roles.SUPPORT).get(reverse("crm:contact_detail", args=[contact.pk])).content.decode()
    panel = reverse("consent:contact_panel", args=[contact.pk])
    assert panel in sales and panel not in support


def test_an_imported_person_exported_for_a_first_campaign_gets_the_source_statement(
    role_client, newsletter, wording_en, make_contact
):
    contact = make_contact(source="import", source_detail="Salon Lyon 2026 list")
    services.consent_give(contact=contact, purpose=newsletter, channel="email", method=Method.PHONE, wording=wording_en)
    form = {"purpose": newsletter.pk, "channel": "email", "recipient": "Mailjet", "download": "csv"}
    csv = role_client(roles.MARKETING).post(reverse("consent:audience"), form).content.decode()
    assert "Import, Salon Lyon 2026 list" in csv
    contact.refresh_from_db()
    assert contact.art14_notice_sent_at is not None
    assert OutboxMessage.objects.filter(contact=contact, template="art14_notice").count() == 1


def test_erasure_removes_the_consent_proof_and_its_attachment(
    role_client, cast, newsletter, wording_en, make_contact, media_root, django_capture_on_commit_callbacks
):
    from crm.subject_data import subject_data_erase

    contact = make_contact(owner=cast[roles.SALES])
    scan = SimpleUploadedFile("form.pdf", b"%PDF-1.4 signed", content_type="application/pdf")
    data = {
        "action": "given",
        "purpose": newsletter.pk,
        "channel": "email",
        "method": "paper",
        "wording": wording_en.pk,
    }
    role_client(roles.SALES).post(reverse("consent:contact_record", args=[contact.pk]), {**data, "attachment": scan})
    path = Path(ConsentEvent.objects.get(contact=contact).attachment.path)
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        subject_data_erase(contact=contact, reason="Art. 17 request")
    assert not ConsentEvent.objects.filter(contact_id=contact.pk).exists()
    assert not ConsentState.objects.filter(contact_id=contact.pk).exists()
    assert not path.exists()


def test_a_material_change_makes_consented_contacts_ineligible_and_lists_them_for_re_permission(
    newsletter, make_contact, role_client
):
    """CNS-06: flagged by the DPO, the older consents stop counting until the person gives consent again."""
    from django.urls import reverse

    from consent.eligibility import Identifier, Reason, check_one
    from consent.models import Method
    from consent.services import consent_give

    wording = newsletter.wordings.get(language="en")
    consented = make_contact(last_name="Consentedbefore")
    consent_give(contact=consented, purpose=newsletter, channel="email", method=Method.PHONE, wording=wording)
    assert check_one(Identifier(contact_id=consented.pk), purpose=newsletter, channel="email").allowed

    client = role_client("DPO")
    response = client.post(reverse("consent:material_change", args=[newsletter.pk]), {"note": "Now weekly"})
    assert response.status_code == 302
    newsletter.refresh_from_db()

    answer = check_one(Identifier(contact_id=consented.pk), purpose=newsletter, channel="email")
    assert (answer.allowed, answer.reason) == (False, Reason.NEEDS_REFRESH)
    page = client.get(reverse("consent:purpose_detail", args=[newsletter.pk])).content.decode()
    assert "Consentedbefore" in page and 'id="refresh-required"' in page

    # the person renews (here by phone): the consent counts again and the list is empty
    consent_give(contact=consented, purpose=newsletter, channel="email", method=Method.PHONE, wording=wording)
    assert check_one(Identifier(contact_id=consented.pk), purpose=newsletter, channel="email").allowed
    assert "Consentedbefore" not in client.get(reverse("consent:purpose_detail", args=[newsletter.pk])).content.decode()
    assert role_client("Sales").post(reverse("consent:material_change", args=[newsletter.pk])).status_code == 403


def test_a_purge_removes_the_attachment_after_its_commit_and_a_rolled_back_one_leaves_it(
    role_client, cast, newsletter, wording_en, make_contact, media_root, django_capture_on_commit_callbacks
):
    from django.db import transaction

    from retention.engine import purge_contacts

    contact = make_contact(owner=cast[roles.SALES])
    scan = SimpleUploadedFile("form.pdf", b"%PDF-1.4 signed", content_type="application/pdf")
    data = {"action": "given", "purpose": newsletter.pk, "channel": "email", "method": "paper"}
    data.update(wording=wording_en.pk, attachment=scan)
    role_client(roles.SALES).post(reverse("consent:contact_record", args=[contact.pk]), data)
    path = Path(ConsentEvent.objects.get(contact=contact).attachment.path)

    # a purge that fails after the rows went: the database rolls back, and so the file must stay
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        purge_contacts([contact.pk], end_action="delete")
        raise RuntimeError("the worker died")
    assert path.exists() and ConsentEvent.objects.filter(contact_id=contact.pk).exists()

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        purge_contacts([contact.pk], end_action="delete")
        assert path.exists()  # not before the commit
    assert not path.exists()
