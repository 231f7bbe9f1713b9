"""Export of the contact list: content, role minimisation, and the evidence it leaves (disclosure, access, audit)."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from openpyxl import load_workbook

from core.models import AuditEvent
from crm.models import ContactAccess, Disclosure
from crm.services import contact_delete
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


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
    other = ContactFactory(first_name="Paul", last_name="Martin", emails=["paul@example.org"], status="prospect")
    deleted = ContactFactory(first_name="Gone", last_name="Away", owner=sales_user)
    contact_delete(contact=deleted)
    return [mine, other]


def _rows(response) -> list[dict[str, str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


def test_csv_export_of_the_filtered_list_with_decrypted_points(role_client, contacts, dpo_user):
    response = role_client("DPO").get(reverse("crm:contact_export"), {"format": "csv", "status": "customer"})

    assert response.status_code == 200
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


def test_an_export_is_a_logged_disclosure_with_an_access_row_per_contact(role_client, contacts, marketing_user):
    response = role_client("Marketing").get(reverse("crm:contact_export"), {"format": "csv"})
    exported = {int(row["Id"]) for row in _rows(response)}

    assert exported == {contact.pk for contact in contacts}  # the soft-deleted one stays out
    disclosure = Disclosure.objects.get()
    assert disclosure.recipient == "staff export: marketing"
    assert disclosure.channel == "export"
    assert disclosure.contact_count == 2
    assert set(disclosure.entries.values_list("contact_id", flat=True)) == exported
    assert "notes" not in disclosure.fields and "email" in disclosure.fields
    accesses = ContactAccess.objects.filter(channel="export")
    assert set(accesses.values_list("contact_id", flat=True)) == exported
    assert set(accesses.values_list("actor_label", "user_id")) == {("marketing", marketing_user.pk)}
    event = AuditEvent.objects.get(action="contacts.exported")
    assert event.data["contacts"] == 2 and event.data["format"] == "csv"
    assert event.actor_user_id == marketing_user.pk


def test_marketing_never_gets_the_notes_and_sales_only_their_contacts(role_client, contacts):
    marketing = _rows(role_client("Marketing").get(reverse("crm:contact_export")))
    sales = _rows(role_client("Sales").get(reverse("crm:contact_export")))

    assert "Notes" not in marketing[0]
    assert "Prefers calls" not in str(marketing)
    assert [row["Last name"] for row in sales] == ["Fournier"]
    assert sales[0]["Notes"] == "Prefers calls"  # Sales may see interactions, so notes too


def test_filter_values_stay_out_of_the_audit_event(role_client, contacts):
    response = role_client("DPO").get(reverse("crm:contact_export"), {"email": "elise@example.org"})

    assert [row["Last name"] for row in _rows(response)] == ["Fournier"]
    event = AuditEvent.objects.get(action="contacts.exported")
    assert event.data["filters"] == ["email"]
    assert "elise@example.org" not in str(event.data)


def test_xlsx_export(role_client, contacts):
    response = role_client("DPO").get(reverse("crm:contact_export"), {"format": "xlsx"})

    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert rows[0][:3] == ("Id", "First name", "Last name")
    assert {row[2] for row in rows[1:]} == {"Fournier", "Martin"}


def test_export_refuses_roles_without_the_permission_and_bad_filters(role_client, contacts):
    assert role_client("Support").get(reverse("crm:contact_export")).status_code == 403
    assert role_client("DPO").get(reverse("crm:contact_export"), {"status": "nonsense"}).status_code == 400
    assert role_client("DPO").get(reverse("crm:contact_export"), {"format": "pdf"}).status_code == 400
    assert not Disclosure.objects.exists()


def test_formula_like_cells_are_neutralised(role_client, sales_user):
    ContactFactory(first_name="=HYPERLINK(1)", last_name="Test", owner=sales_user)

    rows = _rows(role_client("Sales").get(reverse("crm:contact_export")))

    assert rows[0]["First name"] == "'=HYPERLINK(1)"


def test_export_command_acts_as_a_system_actor_and_is_logged(contacts, tmp_path):
    out = io.StringIO()
    call_command("export_contacts", "--filter", "status=prospect", stdout=out, stderr=io.StringIO())

    rows = list(csv.DictReader(io.StringIO(out.getvalue().lstrip("\ufeff"))))
    assert [row["Last name"] for row in rows] == ["Martin"]
    assert "Notes" not in rows[0]
    disclosure = Disclosure.objects.get()
    assert (disclosure.actor_kind, disclosure.actor_label) == ("system", "export_contacts")
    assert ContactAccess.objects.filter(channel="export", actor_label="export_contacts").count() == 1

    path = tmp_path / "all.xlsx"
    call_command("export_contacts", "--format", "xlsx", "--output", str(path), "--with-notes", stderr=io.StringIO())
    sheet = load_workbook(path, read_only=True).worksheets[0]
    header = next(sheet.iter_rows(values_only=True))
    assert "Notes" in header

    with pytest.raises(CommandError, match="Unknown filter"):
        call_command("export_contacts", "--filter", "colour=blue")
