"""What consent adds to the registry's coverage check, crm's suppression hook and the outbox."""

from __future__ import annotations

import pytest

from consent import services
from consent.hooks import purpose_gaps, unsubscribe_headers
from consent.models import Method
from core.models import OutboxMessage
from crm.suppression import contact_is_suppressed
from registry.coverage import coverage_gaps

pytestmark = pytest.mark.django_db


def test_the_coverage_check_names_purposes_on_unapproved_activities_or_missing_a_language(prospection):
    rules = {gap.rule for gap in purpose_gaps()}
    assert rules == {"consent_purpose_activity", "consent_purpose_wording"}  # draft activity, no French wording
    assert {"consent_purpose_activity", "consent_purpose_wording"} <= {gap.rule for gap in coverage_gaps()}
    services.wording_publish(purpose=prospection, language="fr", text="Envoyez-moi des offres.")
    assert {gap.rule for gap in purpose_gaps()} == {"consent_purpose_activity"}


def test_crm_asks_consent_through_the_hook(newsletter, make_contact):
    contact = make_contact()
    assert not contact_is_suppressed(contact)
    services.objection_record(contact=contact, method=Method.STAFF)
    assert contact_is_suppressed(contact)


def test_messages_to_a_contact_carry_list_unsubscribe_and_others_do_not(make_contact):
    contact = make_contact()
    to_contact = OutboxMessage(contact=contact, recipient="x@example.com", template="t", subject="s", body="b")
    assert set(unsubscribe_headers(to_contact)) == {"List-Unsubscribe", "List-Unsubscribe-Post"}
    assert unsubscribe_headers(OutboxMessage(recipient="dpo@example.com", template="t", subject="s", body="b")) == {}
