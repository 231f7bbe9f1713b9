"""Export of the contact list: terms (purpose, reason, recipient), content, role minimisation, and the evidence
it leaves (disclosure, access, audit)."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from core.models import AuditEvent
from crm.exports import LEFT_OUT_HEADER, ExportTerms, export_terms
from crm.models import ContactAccess, DisclosedContact, Disclosure
from crm.services import contact_delete, contact_restriction_place
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db

EXPORT = reverse("crm:contact_export")
TERMS = {
    "format": "csv",
    "purpose_activity": "other",
    "purpose": "Trade fair invitations",
    "reason": "The partner sends the invitations for us",
    "recipient_kind": "internal",
}
PARTNER = {**TERMS, "recipient_kind": "third_party", "recipient": "Partner X", "country": "de"}


@pytest.fixture
def contacts(sales_user) -> list:
    mine = ContactFactory(
        first_name="Élise",
        last_name="Fournier",
        emails=["elise@example.org", "e.fournier@example.com"],
        phones=["01 99 00 12 34"],
        notes="Prefers calls",
        owner=sales_user,
        status="customer",
    )
    # Explicit (empty) notes: the factory's random sentence could trip the notes' sensitive-terms check.
    other = ContactFactory(
        first_name="Paul", last_name="Martin", emails=["paul@example.org"], status="prospect", notes=""
    )
    deleted = ContactFactory(first_name="Gone", last_name="Away", owner=sales_user, notes="")
    contact_delete(contact=deleted)
    return [mine, other]


def _export(client: Client, **data: str):
    return client.post(EXPORT, {**TERMS, **data})


def _rows(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.content[:500]
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


def _nothing_logged() -> bool:
    return not (
        Disclosure.objects.exists()
        or ContactAccess.objects.exists()
        or AuditEvent.objects.filter(action="contacts.exported").exists()
    )


# --------------------------------------------------------------------------- the form


def test_the_list_export_button_opens_a_form_that_carries_the_filters(role_client, contacts):
    client = role_client("DPO")
    html = client.get(reverse("crm:contact_list"), {"status": "customer", "sort": "name"}).content.decode()
    href = re.search(r'href="([^"]*format=xlsx)"', html).group(1).replace("&amp;", "&")

    response = client.get(href)

    assert response.status_code == 200
    page = response.content.decode()
    assert '<input type="hidden" name="status" value="customer">' in page
    assert 'name="sort"' not in page  # the list's sort and cursor do not travel: only its filters
    assert re.search(r'<input type="radio" name="format" value="xlsx"[^>]* checked', page)
    assert re.search(r'<input type="radio" name="recipient_kind" value="internal"[^>]* checked', page)
    assert 'method="post"' in page and "csrfmiddlewaretoken" in page
    assert "Status: <strong>Customer</strong>" in page
    assert "record of processing activities" in page  # the purpose's help text says where purposes will come from
    assert not Disclosure.objects.exists()  # opening the form exports nothing


def test_the_form_page_has_no_inline_script_or_style(role_client, contacts):
    page = role_client("DPO").get(EXPORT, {"format": "csv"}).content.decode()

    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page) == []
    assert " style=" not in page and "<style" not in page


@pytest.mark.parametrize("missing", ["purpose", "reason"])
def test_an_export_without_a_purpose_or_a_reason_is_blocked(role_client, contacts, missing):
    response = _export(role_client("DPO"), **{missing: "   "})

    assert response.status_code == 400
    assert not response.has_header("Content-Disposition")
    assert list(response.context["form"].errors) == [missing]
    assert f'id="id_{missing}_errors"' in response.content.decode()  # shown under the field
    assert _nothing_logged()


def test_a_third_party_needs_a_name_and_a_real_country_code(role_client, contacts):
    client = role_client("DPO")

    unnamed = _export(client, recipient_kind="third_party")
    wrong_code = _export(client, **{**PARTNER, "country": "UK"})

    assert unnamed.status_code == 400
    assert set(unnamed.context["form"].errors) == {"recipient", "country"}
    assert wrong_code.status_code == 400
    assert list(wrong_code.context["form"].errors) == ["country"]
    assert "ISO 3166" in wrong_code.content.decode()
    assert _nothing_logged()


def test_export_refuses_roles_without_the_permission_bad_filters_and_bad_formats(role_client, contacts):
    dpo = role_client("DPO")

    assert role_client("Support").get(EXPORT).status_code == 403
    assert _export(role_client("Support")).status_code == 403
    assert dpo.get(EXPORT, {"status": "nonsense"}).status_code == 400
    assert _export(dpo, status="nonsense").status_code == 400
    assert _export(dpo, format="pdf").status_code == 400
    assert _nothing_logged()


def test_an_export_cannot_be_forged_from_another_site(cast, contacts):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast["DPO"])

    assert client.post(EXPORT, PARTNER).status_code == 403
    assert _nothing_logged()


# --------------------------------------------------------------------------- the file


def test_csv_export_of_the_filtered_list_with_decrypted_points(role_client, contacts, dpo_user):
    response = _export(role_client("DPO"), status="customer")

    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = _rows(response)
    assert len(rows) == 1
    row = rows[0]
    assert (row["First name"], row["Last name"]) == ("Élise", "Fournier")
    assert row["Email"] == "elise@example.org"
    assert row["All emails"] == "elise@example.org; e.fournier@example.com"
    assert row["Phone"] == "+33199001234"
    assert row["Notes"] == "Prefers calls"


def test_xlsx_export(role_client, contacts):
    response = _export(role_client("DPO"), format="xlsx")

    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert rows[0][:3] == ("Id", "First name", "Last name")
    assert {row[2] for row in rows[1:]} == {"Fournier", "Martin"}


def test_marketing_never_gets_the_notes_and_sales_only_their_contacts(role_client, contacts):
    marketing = _rows(_export(role_client("Marketing")))
    sales = _rows(_export(role_client("Sales")))

    assert "Notes" not in marketing[0]
    assert "Prefers calls" not in str(marketing)
    assert "notes" not in Disclosure.objects.get(actor_label="marketing").fields
    assert [row["Last name"] for row in sales] == ["Fournier"]
    assert sales[0]["Notes"] == "Prefers calls"  # Sales may see interactions, so notes too


def test_an_export_without_the_notes_column_never_reads_them(role_client, contacts):
    with CaptureQueriesContext(connection) as queries:
        rows = _rows(_export(role_client("Marketing")))
    assert len(rows) == 2
    assert not [q for q in queries.captured_queries if '"crm_contact"."notes"' in q["sql"]]


def test_formula_like_cells_are_neutralised(role_client, sales_user):
    ContactFactory(first_name="=HYPERLINK(1)", last_name="Test", owner=sales_user, notes="")

    rows = _rows(_export(role_client("Sales")))

    assert rows[0]["First name"] == "'=HYPERLINK(1)"


# --------------------------------------------------------------------------- the evidence


def test_an_export_to_a_third_party_is_a_disclosure_to_it_with_exactly_the_exported_contacts(
    role_client, contacts, dpo_user
):
    response = _export(role_client("DPO"), **PARTNER, status="prospect")
    exported = {int(row["Id"]) for row in _rows(response)}

    assert exported == {contacts[1].pk}
    disclosure = Disclosure.objects.get()
    assert (disclosure.recipient, disclosure.country, disclosure.purpose) == ("Partner X", "DE", TERMS["purpose"])
    assert disclosure.channel == "export" and disclosure.contact_count == 1
    assert "email" in disclosure.fields and "notes" in disclosure.fields
    assert set(DisclosedContact.objects.values_list("contact_id", flat=True)) == exported
    event = AuditEvent.objects.get(action="contacts.exported")
    assert event.reason == TERMS["reason"]
    assert event.data["purpose"] == TERMS["purpose"]
    assert (event.data["recipient"], event.data["country"], event.data["third_party"]) == ("Partner X", "DE", True)
    assert event.data["contacts"] == 1 and event.data["filters"] == ["status"]
    assert event.actor_user_id == dpo_user.pk
    assert "paul@example.org" not in str(event.data) and "Martin" not in str(event.data)


def test_an_internal_export_names_the_user_and_keeps_an_access_row_per_contact(role_client, contacts, marketing_user):
    # A name and country typed before choosing "internal" do not make it a third party.
    response = _export(role_client("Marketing"), recipient="Partner X", country="DE")
    exported = {int(row["Id"]) for row in _rows(response)}

    assert exported == {contact.pk for contact in contacts}  # the soft-deleted one stays out
    disclosure = Disclosure.objects.get()
    assert (disclosure.recipient, disclosure.country, disclosure.purpose) == (
        "internal: marketing",
        "",
        TERMS["purpose"],
    )
    assert set(disclosure.entries.values_list("contact_id", flat=True)) == exported
    accesses = ContactAccess.objects.filter(channel="export")
    assert set(accesses.values_list("contact_id", flat=True)) == exported
    assert set(accesses.values_list("actor_label", "user_id")) == {("marketing", marketing_user.pk)}
    event = AuditEvent.objects.get(action="contacts.exported")
    assert (event.data["recipient"], event.data["third_party"]) == ("internal: marketing", False)
    assert event.data["contacts"] == 2 and event.data["format"] == "csv"
    assert event.actor_user_id == marketing_user.pk


def test_filter_values_stay_out_of_the_audit_event(role_client, contacts):
    response = _export(role_client("DPO"), email="elise@example.org")

    assert [row["Last name"] for row in _rows(response)] == ["Fournier"]
    event = AuditEvent.objects.get(action="contacts.exported")
    assert event.data["filters"] == ["email"]
    assert "elise@example.org" not in str(event.data)


# --------------------------------------------------------------------------- the command


def test_export_command_needs_a_purpose_and_a_reason(contacts):
    with pytest.raises(CommandError, match="--purpose"):
        call_command("export_contacts", "--reason", "audit", stdout=io.StringIO(), stderr=io.StringIO())
    with pytest.raises(CommandError, match="--reason"):
        call_command("export_contacts", "--purpose", "audit", stdout=io.StringIO(), stderr=io.StringIO())
    with pytest.raises(CommandError, match="--purpose"):
        call_command("export_contacts", "--purpose", " ", "--reason", "audit", stdout=io.StringIO())
    with pytest.raises(CommandError, match="--country"):
        call_command("export_contacts", "--purpose", "p", "--reason", "r", "--recipient", "Partner X")
    assert _nothing_logged()


def test_export_command_acts_as_a_system_actor_and_is_logged(contacts, tmp_path):
    terms = ["--purpose", "Year-end audit", "--reason", "The auditors asked for it"]
    out = io.StringIO()
    call_command("export_contacts", *terms, "--filter", "status=prospect", stdout=out, stderr=io.StringIO())

    rows = list(csv.DictReader(io.StringIO(out.getvalue().lstrip("\ufeff"))))
    assert [row["Last name"] for row in rows] == ["Martin"]
    assert "Notes" not in rows[0]
    disclosure = Disclosure.objects.get()
    assert (disclosure.actor_kind, disclosure.actor_label) == ("system", "export_contacts")
    assert (disclosure.recipient, disclosure.purpose) == ("internal: export_contacts", "Year-end audit")
    assert AuditEvent.objects.get(action="contacts.exported").reason == "The auditors asked for it"
    assert ContactAccess.objects.filter(channel="export", actor_label="export_contacts").count() == 1

    path = tmp_path / "all.xlsx"
    third_party = ["--recipient", "Partner X", "--country", "de"]
    options = ["--format", "xlsx", "--output", str(path), "--with-notes"]
    call_command("export_contacts", *terms, *third_party, *options, stderr=io.StringIO())
    sheet = load_workbook(path, read_only=True).worksheets[0]
    header = next(sheet.iter_rows(values_only=True))
    assert "Notes" in header
    partner = Disclosure.objects.get(recipient="Partner X")
    assert (partner.country, partner.contact_count) == ("DE", 2)
    assert set(partner.entries.values_list("contact_id", flat=True)) == {contact.pk for contact in contacts}

    with pytest.raises(CommandError, match="Unknown filter"):
        call_command("export_contacts", *terms, "--filter", "colour=blue")


def test_export_terms_are_checked_by_the_service_whoever_calls_it():
    terms = export_terms(purpose=" Mailing ", reason="Partner sends it", recipient="Partner X", country="de")

    assert (terms.purpose, terms.recipient, terms.country) == ("Mailing", "Partner X", "DE")
    with pytest.raises(ValidationError) as blocked:
        export_terms(purpose="", reason="", country="DE")
    assert set(blocked.value.message_dict) == {"purpose", "reason", "recipient"}
    with pytest.raises(ValueError, match="purpose"):
        ExportTerms(purpose="", reason="no purpose")  # built by hand, past the check: still refused


# --------------------------------------------------------------------------- restricted contacts (Art. 18(2))


@pytest.fixture
def restricted(contacts) -> object:
    """A third contact, restricted: its data may only be stored, so no export may carry it."""
    contact = ContactFactory(first_name="Rita", last_name="Stored", emails=["rita@example.org"], notes="")
    return contact_restriction_place(contact=contact, reason="accuracy contested")


@pytest.mark.parametrize("role", ["Administrator", "DPO"])
def test_an_export_to_a_third_party_leaves_restricted_contacts_out_and_counts_them(role_client, restricted, role):
    client = role_client(role)

    response = _export(client, **PARTNER)

    exported = {int(row["Id"]) for row in _rows(response)}
    assert restricted.pk not in exported and len(exported) == 2
    assert response[LEFT_OUT_HEADER] == "1"
    assert not DisclosedContact.objects.filter(contact_id=restricted.pk).exists()
    assert not ContactAccess.objects.filter(contact_id=restricted.pk).exists()
    event = AuditEvent.objects.get(action="contacts.exported")
    assert event.data["contacts"] == 2 and event.data["restricted_left_out"] == 1
    page = client.get(EXPORT)
    assert "1 restricted contact (Art. 18) was left out of the export." in page.content.decode()


def test_an_export_without_restricted_contacts_says_nothing_about_them(role_client, contacts):
    client = role_client("DPO")

    response = _export(client)

    assert response[LEFT_OUT_HEADER] == "0"
    assert AuditEvent.objects.get(action="contacts.exported").data["restricted_left_out"] == 0
    assert "left out of the export" not in client.get(EXPORT).content.decode()


def test_the_export_command_leaves_restricted_contacts_out_and_counts_them(restricted, tmp_path, capsys):
    output = tmp_path / "out.csv"

    call_command("export_contacts", purpose="Mailing", reason="Partner", output=str(output))

    ids = {int(row["Id"]) for row in csv.DictReader(io.StringIO(output.read_text("utf-8-sig")))}
    assert restricted.pk not in ids and len(ids) == 2
    assert "Left out 1 restricted contacts" in capsys.readouterr().err
    assert AuditEvent.objects.get(action="contacts.exported").data["restricted_left_out"] == 1
