"""The "may I contact?" engine: the CNS-07 matrix, CNS-09 phone rule, suppression, restriction, expiry."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from consent import services
from consent.eligibility import Identifier, Reason, check_many, check_one
from consent.models import Method
from crm.models import ContactStatus, PersonKind
from crm.services import contact_restriction_place

pytestmark = pytest.mark.django_db


def ask(contact, purpose, channel="email", **kwargs):
    return check_one(Identifier(contact_id=contact.pk), purpose=purpose, channel=channel, **kwargs)


def test_unknown_people_are_denied(newsletter):
    by_id = check_one(Identifier(contact_id=999_999), purpose=newsletter, channel="email")
    by_email = check_one(Identifier(email="nobody@example.com"), purpose=newsletter, channel="email")
    assert (by_id.allowed, by_id.reason) == (False, Reason.UNKNOWN)
    assert (by_email.allowed, by_email.reason) == (False, Reason.UNKNOWN)


def test_consent_purpose_needs_a_granted_consent(newsletter, wording_en, make_contact):
    contact = make_contact()
    assert ask(contact, newsletter).reason == Reason.NO_CONSENT
    services.consent_give(
        contact=contact, purpose=newsletter, channel="email", method=Method.WEB_FORM, wording=wording_en
    )
    assert ask(contact, newsletter).reason == Reason.AWAITING_CONFIRMATION
    services.consent_give(contact=contact, purpose=newsletter, channel="email", method=Method.PAPER, wording=wording_en)
    answer = ask(contact, newsletter)
    assert (answer.allowed, answer.reason, answer.lawful_basis) == (True, Reason.CONSENT, "consent")
    services.consent_withdraw(contact=contact, purpose=newsletter, method=Method.STAFF)
    assert ask(contact, newsletter).reason == Reason.WITHDRAWN


def test_consent_expires_after_the_validity_period(newsletter, wording_en, make_contact):
    newsletter.validity_days = 365
    newsletter.save()
    contact = make_contact()
    services.consent_give(contact=contact, purpose=newsletter, channel="email", method=Method.PHONE, wording=wording_en)
    assert ask(contact, newsletter).allowed
    later = timezone.now() + dt.timedelta(days=366)
    assert ask(contact, newsletter, now=later).reason == Reason.EXPIRED


@pytest.mark.parametrize(
    ("kind", "status", "email", "customer_offer", "profession_related", "expected"),
    [
        (PersonKind.CONSUMER, ContactStatus.PROSPECT, "a@example.com", True, False, Reason.NO_CONSENT),
        (PersonKind.CONSUMER, ContactStatus.CUSTOMER, "b@example.com", True, False, Reason.EXISTING_CUSTOMER),
        (PersonKind.CONSUMER, ContactStatus.CUSTOMER, "c@example.com", False, False, Reason.NO_CONSENT),
        (
            PersonKind.PROFESSIONAL,
            ContactStatus.PROSPECT,
            "d.e@acme.example",
            False,
            False,
            Reason.NOT_PROFESSION_RELATED,
        ),
        (PersonKind.PROFESSIONAL, ContactStatus.PROSPECT, "f.g@acme.example", False, True, Reason.PROFESSIONAL),
        (PersonKind.PROFESSIONAL, ContactStatus.PROSPECT, "contact@acme.example", False, False, Reason.GENERIC_ADDRESS),
    ],
)
def test_prospection_matrix_by_email(
    prospection, make_contact, kind, status, email, customer_offer, profession_related, expected
):
    prospection.customer_offer, prospection.profession_related = customer_offer, profession_related
    prospection.save()
    contact = make_contact(kind=kind, status=status, emails=[email])
    assert ask(contact, prospection).reason == expected
    assert check_one(Identifier(email=email), purpose=prospection, channel="email").reason == expected


def test_phone_canvassing_of_consumers_needs_consent_from_the_switch_date(prospection, make_contact, settings):
    settings.CONSENT_PHONE_OPT_IN_FROM = "2026-08-11"
    prospect = make_contact(kind=PersonKind.CONSUMER, status=ContactStatus.PROSPECT, phones=["+33 6 55 55 55 55"])
    customer = make_contact(kind=PersonKind.CONSUMER, status=ContactStatus.CUSTOMER)
    before = dt.datetime(2026, 8, 10, 12, tzinfo=dt.UTC)
    after = dt.datetime(2026, 8, 11, 12, tzinfo=dt.UTC)
    assert ask(prospect, prospection, "phone", now=before).reason == Reason.BLOCTEL_UNCHECKED
    assert ask(prospect, prospection, "phone", now=after).reason == Reason.NO_CONSENT
    assert ask(customer, prospection, "phone", now=after).reason == Reason.CURRENT_CONTRACT
    services.consent_give(
        contact=prospect,
        purpose=prospection,
        channel="phone",
        method=Method.PHONE,
        wording=prospection.wordings.get(),
    )
    assert ask(prospect, prospection, "phone", now=after).reason == Reason.CONSENT


def test_restricted_contacts_are_always_denied(newsletter, wording_en, make_contact):
    contact = make_contact()
    services.consent_give(contact=contact, purpose=newsletter, channel="email", method=Method.PHONE, wording=wording_en)
    contact_restriction_place(contact=contact, reason="Accuracy contested")
    assert ask(contact, newsletter).reason == Reason.RESTRICTED


def test_suppression_wins_over_everything_even_for_a_new_record_of_the_same_address(
    newsletter, prospection, wording_en, make_contact
):
    objector = make_contact(kind=PersonKind.PROFESSIONAL, emails=["contact@acme.example"])
    services.objection_record(contact=objector, method=Method.STAFF)
    assert ask(objector, prospection).reason == Reason.SUPPRESSED
    answer = check_one(Identifier(email="  CONTACT@acme.example "), purpose=newsletter, channel="email")
    assert (answer.allowed, answer.reason) == (False, Reason.SUPPRESSED)


def test_bulk_answers_in_order_with_the_same_rules(newsletter, wording_en, make_contact, django_assert_max_num_queries):
    granted, nothing = make_contact(), make_contact(emails=["n@example.com"])
    services.consent_give(contact=granted, purpose=newsletter, channel="email", method=Method.PHONE, wording=wording_en)
    identifiers = [
        Identifier(contact_id=granted.pk),
        Identifier(email="n@example.com"),
        Identifier(email="x@example.com"),
    ]
    identifiers += [Identifier(contact_id=granted.pk)] * 50
    with django_assert_max_num_queries(5):
        answers = check_many(identifiers, purpose=newsletter, channel="email")
    assert [a.reason for a in answers[:3]] == [Reason.CONSENT, Reason.NO_CONSENT, Reason.UNKNOWN]
    assert answers[1].contact_id == nothing.pk
    assert len(answers) == 53


def _phone_hash(number: str) -> str:
    return services.identifier_hash("phone", number)


def test_before_the_switch_date_a_bloctel_listed_or_unchecked_number_is_not_callable(
    prospection, make_contact, settings
):
    from consent.phone import bloctel_record

    settings.CONSENT_PHONE_OPT_IN_FROM = "2026-08-11"
    monday_afternoon = dt.datetime(2026, 8, 3, 14, 30, tzinfo=dt.UTC)  # 16:30 in Paris
    listed = make_contact(kind=PersonKind.CONSUMER, phones=["+33 6 11 11 11 11"])
    clear = make_contact(kind=PersonKind.CONSUMER, phones=["+33 6 22 22 22 22"])
    stale = make_contact(kind=PersonKind.CONSUMER, phones=["+33 6 33 33 33 33"])
    customer = make_contact(kind=PersonKind.CONSUMER, status=ContactStatus.CUSTOMER, phones=["+33 6 44 44 44 44"])
    bloctel_record(
        checked=[_phone_hash("+33 6 22 22 22 22")],
        listed=[_phone_hash("+33 6 11 11 11 11"), _phone_hash("+33 6 44 44 44 44")],
        checked_at=monday_afternoon - dt.timedelta(days=2),
    )
    bloctel_record(
        checked=[_phone_hash("+33 6 33 33 33 33")], listed=[], checked_at=monday_afternoon - dt.timedelta(days=31)
    )

    assert ask(listed, prospection, "phone", now=monday_afternoon).reason == Reason.BLOCTEL_LISTED
    assert ask(clear, prospection, "phone", now=monday_afternoon).reason == Reason.OPT_OUT
    assert ask(stale, prospection, "phone", now=monday_afternoon).reason == Reason.BLOCTEL_UNCHECKED
    # a current contract with a direct link (the analogous-offer purpose) is the exception
    assert ask(customer, prospection, "phone", now=monday_afternoon).allowed
    # e-mail is not concerned
    assert ask(listed, prospection, "email", now=monday_afternoon).reason != Reason.BLOCTEL_LISTED


@pytest.mark.parametrize(
    ("local", "allowed"),
    [
        ("2026-09-07 10:00", True),  # Monday, first minute of the morning slot
        ("2026-09-07 12:59", True),
        ("2026-09-07 13:30", False),  # the lunch break
        ("2026-09-07 19:59", True),
        ("2026-09-07 20:00", False),
        ("2026-09-07 09:59", False),
        ("2026-09-05 11:00", False),  # Saturday
        ("2026-11-11 11:00", False),  # Armistice Day, a Wednesday
        ("2026-04-06 11:00", False),  # Easter Monday 2026
        ("2026-05-14 11:00", False),  # Ascension 2026
        ("2026-05-25 11:00", False),  # Whit Monday 2026
    ],
)
def test_consumers_are_called_only_in_the_permitted_slots(prospection, make_contact, local, allowed):
    from zoneinfo import ZoneInfo

    consumer = make_contact(kind=PersonKind.CONSUMER)
    services.consent_give(
        contact=consumer, purpose=prospection, channel="phone", method=Method.PHONE, wording=prospection.wordings.get()
    )
    at = dt.datetime.fromisoformat(local).replace(tzinfo=ZoneInfo("Europe/Paris"))
    answer = ask(consumer, prospection, "phone", now=at)
    assert answer.allowed is allowed
    if not allowed:
        assert answer.reason == Reason.OUTSIDE_CALL_HOURS
    professional = make_contact(kind=PersonKind.PROFESSIONAL)
    assert ask(professional, prospection, "phone", now=at).reason != Reason.OUTSIDE_CALL_HOURS


def test_bloctel_import_stores_hashes_only_and_makes_the_listed_number_uncallable(
    prospection, make_contact, settings, tmp_path
):
    from django.core.management import call_command

    from consent.models import BloctelCheck

    settings.CONSENT_PHONE_OPT_IN_FROM = "2099-01-01"
    listed = make_contact(kind=PersonKind.CONSUMER, phones=["+33 6 12 12 12 12"])
    clear = make_contact(kind=PersonKind.CONSUMER, phones=["+33 6 34 34 34 34"])
    answer = tmp_path / "bloctel.csv"
    answer.write_text("0612121212\nnot a number\n")
    call_command("bloctel_import", str(answer))

    assert BloctelCheck.objects.count() == 2
    assert not BloctelCheck.objects.filter(value_hash__contains="612121212").exists()
    tuesday_morning = timezone.now().replace(year=2026, month=9, day=8, hour=9, minute=30)  # 11:30 in Paris
    assert ask(listed, prospection, "phone", now=tuesday_morning).reason == Reason.BLOCTEL_LISTED
    assert ask(clear, prospection, "phone", now=tuesday_morning).allowed
