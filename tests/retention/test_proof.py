"""CNS-05: the proof of an ended consent is kept for the policy's period, then purged by the retention engine."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from consent.models import Action, ConsentEvent, ConsentState, Method
from consent.services import consent_event_record, consent_give, purpose_save, wording_publish
from crm.models import Contact
from registry.models import ProcessingActivity
from retention.models import RetentionPolicy, RunStatus
from retention.services import legal_hold_place, purge_policy_now, purge_run_preview

from ..factories import ContactFactory, UserFactory

pytestmark = pytest.mark.django_db
SIX_YEARS_AGO = timedelta(days=6 * 365)


@pytest.fixture
def proof_policy(db) -> RetentionPolicy:
    policy = RetentionPolicy.objects.get(key="consent-proof")
    RetentionPolicy.objects.filter(pk=policy.pk).update(approved_version=policy.version)
    policy.refresh_from_db()
    return policy


def _consent(contact, purpose, *, given_ago: timedelta, withdrawn_ago: timedelta | None = None) -> None:
    now = timezone.now()
    consent_give(
        contact=contact,
        purpose=purpose,
        channel="email",
        method=Method.PAPER,
        wording=purpose.wordings.get(),
        occurred_at=now - given_ago,
    )
    if withdrawn_ago is not None:
        consent_event_record(
            contact=contact,
            purpose=purpose,
            channel="email",
            action=Action.WITHDRAWN,
            method=Method.STAFF,
            occurred_at=now - withdrawn_ago,
        )


def test_ended_consents_lose_their_proof_after_the_period_live_and_held_ones_keep_it(proof_policy):
    assert proof_policy.target == "consent_proof" and proof_policy.period_months == 60  # shipped, CNS-05
    activity = ProcessingActivity.objects.create(reference="ACT-P", name="News", main_purpose="News")
    purpose = purpose_save(
        data={"key": "news", "name": "News", "activity": activity, "lawful_basis": "consent", "channels": ["email"]}
    )
    wording_publish(purpose=purpose, language="en", text="News, please.")
    old_ended, recent_ended, live, held = (ContactFactory() for _ in range(4))
    _consent(old_ended, purpose, given_ago=SIX_YEARS_AGO + timedelta(days=30), withdrawn_ago=SIX_YEARS_AGO)
    _consent(recent_ended, purpose, given_ago=SIX_YEARS_AGO, withdrawn_ago=timedelta(days=365))
    _consent(live, purpose, given_ago=SIX_YEARS_AGO)
    _consent(held, purpose, given_ago=SIX_YEARS_AGO + timedelta(days=30), withdrawn_ago=SIX_YEARS_AGO)
    legal_hold_place(
        owner=UserFactory(), reason="Claim", ends_on=timezone.localdate() + timedelta(days=9), contact=held
    )

    preview = purge_run_preview(policy=proof_policy)
    assert (preview.expected, preview.held) == (1, 1)
    assert preview.preview == {"consent.ConsentState": {"rows": 1}, "consent.ConsentEvent": {"rows": 2}}

    run = purge_policy_now(policy=proof_policy)

    assert run.status == RunStatus.DONE and run.processed == 1 and run.held == 1
    assert run.counts["consent.ConsentEvent"]["deleted"] == 2 and run.counts["consent.ConsentEvent"]["history"] == 2
    assert not ConsentEvent.objects.filter(contact=old_ended).exists()
    assert not ConsentEvent.history.filter(contact_id=old_ended.pk).exists()
    assert not ConsentState.objects.filter(contact=old_ended).exists()
    assert Contact.objects.filter(pk=old_ended.pk).exists()  # the person stays: only the proof goes
    for kept in (recent_ended, live, held):
        assert ConsentEvent.objects.filter(contact=kept).exists()
    assert purge_policy_now(policy=proof_policy).processed == 0
