"""The coverage check: the register held against the subject-data map and the disclosure log (REG-08, SEC-10)."""

from __future__ import annotations

import dataclasses
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

import core.subject_data
from core.subject_data import Category, PersonalField
from crm.models import Contact
from crm.services import disclosure_record
from registry import coverage
from registry.coverage import Gap, coverage_gaps, personal_fields
from registry.services import CategoryInput

from ..factories import ContactFactory

pytestmark = pytest.mark.django_db


def _all_categories() -> list[CategoryInput]:
    return [CategoryInput(category, "", "3 years") for category in sorted(set(personal_fields().values()))]


@pytest.fixture
def full_register(make_activity, make_recipient, dpo_user):
    """One approved activity covering every field of the map, with an internal service and Partner X (DE),
    and a retention policy for each of its categories (the retention app's rule)."""
    from retention.models import RetentionPolicy

    internal = make_recipient("Sales team", kind="internal")
    partner = make_recipient("Partner X", kind="partner", country="DE")
    activity = make_activity(
        approver=dpo_user,
        categories=_all_categories(),
        data_fields=sorted(personal_fields()),
        recipients=[internal, partner],
    )
    for row in activity.data_categories.all():
        RetentionPolicy.objects.create(
            key=f"test-{row.category}"[:40],
            name=row.category,
            activity=activity,
            category=row.category,
            period_months=36,
            start_event="record_date",
            end_action="delete",
            legal_reference="3 years",
        )
    return activity


def test_a_complete_register_has_no_gap(full_register):
    assert coverage_gaps() == []


def test_a_new_personal_field_without_a_covering_activity_is_listed(full_register, monkeypatch):
    # given a new personal-data field on Contact, declared in the subject-data map
    declarations = dict(core.subject_data._declarations)
    contact = declarations[Contact]
    declarations[Contact] = dataclasses.replace(
        contact, fields={**contact.fields, "nickname": PersonalField(Category.IDENTITY)}
    )
    monkeypatch.setattr(core.subject_data, "_declarations", declarations)
    # when the check runs, then it lists that field, under its category, with a link to the register
    gaps = coverage_gaps()
    assert [(gap.rule, gap.causes) for gap in gaps] == [("fields", ["crm.Contact.nickname"])]
    assert "Identity" in gaps[0].message and gaps[0].link == reverse("registry:index")


def test_a_field_listed_under_a_category_the_activity_does_not_declare_is_not_covered(make_activity, dpo_user):
    make_activity(approver=dpo_user, data_fields=["crm.Contact.first_name", "crm.Contact.city"])
    uncovered = {cause for gap in coverage_gaps() if gap.rule == "fields" for cause in gap.causes}
    assert "Contact: first name" not in uncovered  # identity is declared by the fixture's activity
    assert "Contact: city" in uncovered  # contact details are not


def test_a_draft_activity_covers_nothing(make_activity):
    make_activity(categories=_all_categories(), data_fields=sorted(personal_fields()))
    assert {gap.rule for gap in coverage_gaps()} == {"fields"}


def test_an_export_to_a_recipient_no_approved_activity_names_is_drift_listed_with_the_export(full_register):
    contact = ContactFactory()
    disclosure = disclosure_record(
        recipient="Data Broker Ltd", channel="export", contact_ids=[contact.pk], fields=["email"], country="GB"
    )
    gaps = [gap for gap in coverage_gaps() if gap.rule == "disclosures"]
    assert len(gaps) == 1
    assert "Data Broker Ltd" in gaps[0].message
    assert f"Disclosure #{disclosure.pk}" in gaps[0].causes[0]


def test_exports_to_named_recipients_and_internal_exports_are_covered(full_register):
    contact = ContactFactory()
    disclosure_record(recipient=" partner x ", channel="export", contact_ids=[contact.pk], fields=[], country="DE")
    disclosure_record(recipient="internal: sales", channel="export", contact_ids=[contact.pk], fields=[])
    assert coverage_gaps() == []


def test_an_api_key_reading_contacts_is_a_recipient_too(full_register):
    contact = ContactFactory()
    disclosure_record(recipient="Newsletter sync", channel="api", contact_ids=[contact.pk], fields=["email"])
    assert ["Newsletter sync" in gap.message for gap in coverage_gaps()] == [True]


def test_a_third_country_recipient_needs_a_safeguard(make_activity, make_recipient, dpo_user):
    # approved while it was in France; it then moved its data to the US without a safeguard
    mailer = make_recipient("Mailer", country="FR")
    make_activity(approver=dpo_user, recipients=[mailer])
    mailer.country = "US"
    mailer.save()
    gaps = [gap for gap in coverage_gaps() if gap.rule == "transfers"]
    assert len(gaps) == 1 and "Mailer (US)" in gaps[0].message
    assert gaps[0].link == reverse("registry:recipient_edit", args=[mailer.pk])


def test_later_apps_extend_the_check_with_their_own_rules(full_register, monkeypatch):
    monkeypatch.setattr(coverage, "_rules", list(coverage._rules))
    coverage.register(lambda: [Gap(rule="consent", message="Purpose without activity", link="/consents/")])
    assert [gap.rule for gap in coverage_gaps()] == ["consent"]


def test_check_registry_prints_the_gaps_and_fails(make_activity, full_register):
    out = io.StringIO()
    call_command("check_registry", stdout=out)
    assert "covers" in out.getvalue()
    disclosure_record(recipient="Stranger", channel="export", contact_ids=[ContactFactory().pk], fields=[])
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 gap"):
        call_command("check_registry", stdout=out)
    assert "[disclosures]" in out.getvalue() and "Stranger" in out.getvalue()


def test_the_registry_page_and_the_dashboard_list_the_gaps(full_register, dpo_user, client):
    disclosure_record(recipient="Stranger", channel="export", contact_ids=[ContactFactory().pk], fields=[])
    client.force_login(dpo_user)
    page = client.get(reverse("registry:index")).content.decode()
    assert "“Stranger” received contacts" in page
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert 'id="kpi-registry-gaps"' in dashboard
