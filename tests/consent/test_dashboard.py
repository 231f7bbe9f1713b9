"""The consent figures of the dashboard: who was contacted after withdrawing, and the rates per purpose."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from consent.dashboard import contacted_without_basis, rates_per_purpose
from consent.models import Action, Method
from consent.services import consent_event_record
from crm.services import interaction_create


def _event(contact, purpose, action, days_ago, wording=None):
    return consent_event_record(
        contact=contact,
        purpose=purpose,
        channel="email",
        action=action,
        method=Method.STAFF,
        wording=wording,
        occurred_at=timezone.now() - timedelta(days=days_ago),
    )


def _email(contact, days_ago):
    when = timezone.now() - timedelta(days=days_ago)
    interaction_create(contact=contact, kind="email", occurred_at=when, subject="Offer", body="", author=None)


def test_a_contact_written_to_after_withdrawing_counts_until_consent_is_given_again(
    newsletter, wording_en, make_contact
):
    # given one contact who withdrew 10 days ago and was e-mailed 5 days ago, one e-mailed before withdrawing
    late = make_contact()
    _event(late, newsletter, Action.GIVEN, 100, wording_en)
    _event(late, newsletter, Action.WITHDRAWN, 10)
    _email(late, 5)
    early = make_contact()
    _event(early, newsletter, Action.GIVEN, 100, wording_en)
    _email(early, 20)
    _event(early, newsletter, Action.WITHDRAWN, 10)
    # and a note (not a message to the person) after a withdrawal does not count
    noted = make_contact()
    _event(noted, newsletter, Action.GIVEN, 100, wording_en)
    _event(noted, newsletter, Action.WITHDRAWN, 10)
    interaction_create(contact=noted, kind="note", occurred_at=timezone.now(), subject="Note", body="", author=None)

    assert contacted_without_basis() == 1

    # when the first gives consent again, the contact no longer counts
    _event(late, newsletter, Action.GIVEN, 1, wording_en)
    assert contacted_without_basis() == 0


def test_rates_count_given_and_withdrawn_per_month_over_24_months(newsletter, wording_en, make_contact):
    contact = make_contact()
    _event(contact, newsletter, Action.GIVEN, 400, wording_en)
    _event(contact, newsletter, Action.WITHDRAWN, 0)

    (row,) = [row for row in rates_per_purpose() if row["purpose"] == newsletter.pk]

    assert len(row["given"]) == len(row["withdrawn"]) == 24
    assert sum(n for _month, n in row["given"]) == 1 and row["given"][-1][1] == 0
    assert row["withdrawn"][-1][1] == 1
