from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from core.deadlines import retention_cutoff, retention_expires_on
from core.models import AuditEvent
from crm.models import Contact
from crm.services import contact_delete
from crm.subject_data import ErasureRefused, subject_data_erase
from retention.defaults import DEFAULT_POLICIES
from retention.models import ActivityKind, LedgerAction, PurgeLedgerEntry, RetentionPolicy
from retention.selectors import expired_contacts, policy_cutoff
from retention.services import contact_activity_record, legal_hold_place, policy_update, purge_policy_now

from ..factories import ContactFactory

PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.parametrize(
    ("start", "months", "expires"),
    [
        (datetime(2022, 1, 10, 12, tzinfo=PARIS), 36, date(2025, 1, 10)),
        (datetime(2024, 2, 29, 12, tzinfo=PARIS), 36, date(2027, 2, 28)),  # leap day
        (datetime(2024, 1, 31, 12, tzinfo=PARIS), 1, date(2024, 2, 29)),  # month end
        (datetime(2024, 1, 31, 23, 30, tzinfo=UTC), 12, date(2025, 2, 1)),  # 1 February in Paris
    ],
)
def test_expiry_day(start, months, expires):
    assert retention_expires_on(start, months=months) == expires


@pytest.mark.parametrize("months", [1, 12, 36])
@pytest.mark.parametrize("today", [date(2027, 2, 28), date(2027, 3, 1), date(2026, 12, 31), date(2028, 2, 29)])
def test_cutoff_agrees_with_expiry_for_every_start_day(today, months):
    cutoff = retention_cutoff(today, months=months)
    for offset in range(-70, 70):
        start = cutoff + timedelta(days=offset, hours=12)
        expired = retention_expires_on(start, months=months) <= today
        assert expired == (start < cutoff), (start, today)


def test_days_period():
    assert retention_cutoff(date(2026, 3, 31), days=30) == datetime(2026, 3, 2, tzinfo=PARIS)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("activity", "expires"),
    [
        (None, date(2025, 1, 10)),
        ((ActivityKind.OUTBOUND_EMAIL, datetime(2024, 6, 1, 9, tzinfo=PARIS)), date(2025, 1, 10)),
        ((ActivityKind.OPEN, datetime(2024, 6, 3, 9, tzinfo=PARIS)), date(2025, 1, 10)),
        ((ActivityKind.STAFF_EDIT, datetime(2024, 6, 4, 9, tzinfo=PARIS)), date(2025, 1, 10)),
        ((ActivityKind.CLICK, datetime(2024, 6, 2, 9, tzinfo=PARIS)), date(2027, 6, 2)),
    ],
)
def test_ret03_only_an_inbound_contact_restarts_the_prospect_clock(activity, expires):
    # given a prospect created 2022-01-10, with an outbound campaign in June 2024, opened
    policy = RetentionPolicy.objects.get(key="prospects")
    contact = ContactFactory(status="prospect", collected_at=datetime(2022, 1, 10, 10, tzinfo=PARIS))
    contact_activity_record(
        contact=contact, kind=ActivityKind.OUTBOUND_EMAIL, occurred_at=datetime(2024, 6, 1, tzinfo=PARIS)
    )
    if activity:
        contact_activity_record(contact=contact, kind=activity[0], occurred_at=activity[1])

    def expired_on(day: date) -> bool:
        return expired_contacts(policy, policy_cutoff(policy, day)).filter(pk=contact.pk).exists()

    # then it is still kept the day before its expiry, and expired on that day
    assert not expired_on(expires - timedelta(days=1))
    assert expired_on(expires)


@pytest.mark.django_db
def test_shipped_policies_are_loaded_with_their_legal_reference():
    keys = set(RetentionPolicy.objects.values_list("key", flat=True))
    assert {p["key"] for p in DEFAULT_POLICIES} <= keys
    prospects = RetentionPolicy.objects.get(key="prospects")
    assert (prospects.period_months, prospects.start_event, prospects.end_action) == (36, "last_inbound", "delete")
    assert "référentiel" in prospects.legal_reference
    assert RetentionPolicy.objects.get(key="deleted-contacts").period_days == 30


@pytest.mark.django_db
def test_contacts_deleted_by_staff_are_purged_after_30_days_by_the_engine():
    # given one contact deleted 31 days ago, one deleted yesterday and one live
    old, recent, live = ContactFactory(), ContactFactory(), ContactFactory()
    for contact in (old, recent):
        contact_delete(contact=contact, reason="duplicate")
    Contact.objects.filter(pk=old.pk).update(deleted_at=timezone.now() - timedelta(days=31))

    # when the shipped policy runs (approved as shipped)
    run = purge_policy_now(policy=RetentionPolicy.objects.get(key="deleted-contacts"))

    # then only the old one is purged, with its history, and the run and ledger record it
    assert run.processed == 1
    assert set(Contact.objects.values_list("pk", flat=True)) == {recent.pk, live.pk}
    assert not Contact.history.filter(id=old.pk).exists()
    assert AuditEvent.objects.filter(action="retention.purge_finished", object_id=str(run.pk)).exists()
    assert PurgeLedgerEntry.objects.filter(contact_id=old.pk, action=LedgerAction.DELETED).exists()


@pytest.mark.django_db
def test_erasure_of_a_held_contact_is_refused_with_the_reason(dpo_user):
    contact = ContactFactory()
    legal_hold_place(
        owner=dpo_user, reason="Tax audit", ends_on=timezone.localdate() + timedelta(days=1), contact=contact
    )

    with pytest.raises(ErasureRefused, match="legal hold"):
        subject_data_erase(contact=contact, reason="Art. 17 request")

    assert Contact.objects.filter(pk=contact.pk).exists()


@pytest.mark.django_db
def test_an_organisation_hold_covers_its_contacts(dpo_user):
    from crm.models import Organisation

    organisation = Organisation.objects.create(name="Acme")
    contact = ContactFactory(organisation=organisation)
    legal_hold_place(owner=dpo_user, reason="Dispute", ends_on=timezone.localdate(), organisation=organisation)

    with pytest.raises(ErasureRefused):
        subject_data_erase(contact=contact, reason="Art. 17 request")


@pytest.mark.django_db
def test_every_erasure_joins_the_ledger():
    contact = ContactFactory()
    subject_data_erase(contact=contact, reason="Art. 17 request")
    assert PurgeLedgerEntry.objects.filter(contact_id=contact.pk, action=LedgerAction.ERASED).count() == 1


@pytest.mark.django_db
def test_a_hold_needs_a_future_end_and_one_target(dpo_user):
    from django.core.exceptions import ValidationError

    contact = ContactFactory()
    with pytest.raises(ValidationError) as error:
        legal_hold_place(owner=dpo_user, reason="x", ends_on=timezone.localdate() - timedelta(days=1), contact=contact)
    assert "ends_on" in error.value.message_dict
    with pytest.raises(ValidationError):
        legal_hold_place(owner=dpo_user, reason="x", ends_on=timezone.localdate())


@pytest.mark.django_db
def test_coverage_lists_each_category_of_an_approved_activity_without_a_policy():
    from registry import coverage
    from registry.choices import ActivityStatus
    from registry.models import ActivityDataCategory, ProcessingActivity

    activity = ProcessingActivity.objects.create(
        reference="ACT-9", name="Events", main_purpose="x", status=ActivityStatus.APPROVED
    )
    for category in ("identity", "contact_details"):
        ActivityDataCategory.objects.create(activity=activity, category=category)
    RetentionPolicy.objects.filter(key="prospects").update(activity=activity)

    gaps = [gap for gap in coverage.coverage_gaps() if gap.rule == "retention"]

    assert len(gaps) == 1
    assert gaps[0].causes == ["Contact details"]


@pytest.mark.django_db
def test_a_change_whose_reason_outgrows_the_history_column_is_saved_with_the_reason_shortened(prospects_policy):
    # given a change of most fields (the API fuzzer's body), its generated reason longer than the history column
    changes = {"name": "0", "legal_reference": "0", "period_months": 0, "period_days": 1, "archive_months": 2}
    changes |= {"end_action": "anonymise", "repermission_days": 3, "enabled": False, "start_event": "collection"}

    # when the DPO saves it
    policy = policy_update(policy=prospects_policy, **changes)

    # then the change is saved and its history row says which fields changed, within the column's length
    reason = policy.history.latest("history_id").history_change_reason
    assert policy.version == prospects_policy.version + 1 and not policy.enabled
    assert (
        len(reason) == 100
        and reason.startswith("changed name, legal_reference, period_months")
        and reason.endswith("…")
    )
