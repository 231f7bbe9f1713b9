from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import OutboxMessage
from crm.models import Contact, ContactPoint, Interaction
from retention.models import LedgerAction, PurgeLedgerEntry, RetentionPolicy, RunStatus
from retention.services import legal_hold_place, policy_update, purge_policy_now

from ..factories import ContactFactory

pytestmark = pytest.mark.django_db


def _with_trail(contact: Contact) -> Contact:
    Interaction.objects.create(contact=contact, subject="Call", body="Talked about prices", occurred_at=timezone.now())
    OutboxMessage.objects.create(contact=contact, recipient="x@example.com", template="t", subject="s", body="b")
    return contact


def test_purge_deletes_expired_prospects_with_their_rows_and_history_and_keeps_the_others(
    prospects_policy, old_prospect
):
    # given two expired prospects with a trail, a recent prospect and an old customer
    expired = [_with_trail(old_prospect()) for _ in range(2)]
    recent = ContactFactory(status="prospect")
    customer = old_prospect(status="customer")

    # when the prospects policy runs, in batches of one
    run = purge_policy_now(policy=prospects_policy, batch_size=1)

    # then the expired prospects are gone everywhere, history included, and the ledger has them
    ids = [c.pk for c in expired]
    assert run.status == RunStatus.DONE and run.processed == 2
    assert set(Contact.objects.values_list("pk", flat=True)) == {recent.pk, customer.pk}
    assert not Contact.history.filter(id__in=ids).exists()
    assert not ContactPoint.objects.filter(contact_id__in=ids).exists()
    assert not ContactPoint.history.filter(contact_id__in=ids).exists()
    assert not Interaction.history.filter(contact_id__in=ids).exists()
    # the outbox proof stays, emptied and cut from the person; its history (which held the address) goes
    assert list(OutboxMessage.objects.values_list("contact_id", "recipient")) == [(None, ""), (None, "")]
    assert not OutboxMessage.history.filter(contact_id__in=ids).exists()
    # two history rows each: the creation, and the last one the delete itself wrote
    assert run.counts["crm.Contact"] == {"deleted": 2, "history": 4}
    assert run.counts["crm.ContactPoint"]["deleted"] == 2
    assert run.counts["core.OutboxMessage"]["anonymised"] == 2
    assert sorted(PurgeLedgerEntry.objects.values_list("contact_id", flat=True)) == sorted(ids)
    assert set(PurgeLedgerEntry.objects.values_list("action", flat=True)) == {LedgerAction.DELETED}

    # and a second run finds nothing to do
    assert purge_policy_now(policy=prospects_policy).processed == 0


def test_a_contact_under_legal_hold_survives_the_purge_of_its_neighbours_and_the_run_reports_it(
    prospects_policy, old_prospect, dpo_user
):
    # given three expired prospects, the middle one under a legal hold
    _first, held, _last = old_prospect(), old_prospect(), old_prospect()
    legal_hold_place(
        owner=dpo_user, reason="Litigation", ends_on=timezone.localdate() + timedelta(days=30), contact=held
    )

    run = purge_policy_now(policy=prospects_policy)

    assert list(Contact.objects.values_list("pk", flat=True)) == [held.pk]
    assert run.processed == 2
    assert run.held == 1
    assert "1 skipped under a legal hold" in run.outcome


def test_an_expired_or_lifted_hold_no_longer_protects(prospects_policy, old_prospect, dpo_user):
    held = old_prospect()
    hold = legal_hold_place(owner=dpo_user, reason="Litigation", ends_on=timezone.localdate(), contact=held)
    from retention.models import LegalHold

    LegalHold.objects.filter(pk=hold.pk).update(ends_on=timezone.localdate() - timedelta(days=1))

    assert purge_policy_now(policy=prospects_policy).processed == 1


def test_anonymise_blanks_every_identifier_and_keeps_no_join_key_back(prospects_policy, old_prospect):
    # given an expired prospect with an address, a birth date, notes and a phone
    contact = _with_trail(
        old_prospect(street="1 rue de la Paix", city="Paris", birth_date="1980-02-03", phones=["+33612345678"])
    )
    prospects_policy = policy_update(policy=prospects_policy, end_action="anonymise")
    RetentionPolicy.objects.filter(pk=prospects_policy.pk).update(approved_version=prospects_policy.version)
    prospects_policy.refresh_from_db()

    run = purge_policy_now(policy=prospects_policy)

    row = Contact.objects.get(pk=contact.pk)
    assert run.counts["crm.Contact"]["anonymised"] == 1
    for name in ("first_name", "last_name", "street", "postal_code", "city", "notes", "job_title", "source_detail"):
        assert getattr(row, name) == "", name
    assert row.birth_date is None and row.collected_at is None and row.organisation_id is None
    assert not row.points.exists() and not row.interactions.exists() and not row.tags.exists()
    assert not Contact.history.filter(id=contact.pk).exists()
    assert PurgeLedgerEntry.objects.get(contact_id=contact.pk).action == LedgerAction.ANONYMISED
    # an anonymised contact is not found again
    assert purge_policy_now(policy=prospects_policy).processed == 0


def test_a_policy_change_sends_the_next_run_back_to_the_dpo(prospects_policy, old_prospect):
    old_prospect()
    policy_update(policy=prospects_policy, period_months=48)

    run = purge_policy_now(policy=RetentionPolicy.objects.get(pk=prospects_policy.pk))

    assert run.status == RunStatus.AWAITING_APPROVAL
    assert Contact.objects.count() == 1


def test_a_name_change_does_not_need_approval_again(prospects_policy):
    policy = policy_update(policy=prospects_policy, name="Prospects, B2C")
    assert not policy.needs_approval
