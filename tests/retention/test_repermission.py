"""RET-04: one re-consent request before the end; a "yes" restarts the clock, silence lets the purge proceed."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from consent.models import Action, ConsentEvent, ConsentState, Method, Status
from consent.services import objection_record, purpose_save, wording_publish
from core.models import AuditEvent, OutboxMessage
from crm.models import Contact
from registry.models import ProcessingActivity
from retention.models import ContactActivity, RepermissionRequest, RetentionPolicy
from retention.repermission import repermission_due, repermission_send
from retention.services import policy_update, purge_policy_now

pytestmark = pytest.mark.django_db

ALMOST_THREE_YEARS = timedelta(days=3 * 365 - 10)  # the 36-month period ends in about 10 days


@pytest.fixture
def asking_policy(prospects_policy) -> RetentionPolicy:
    policy = policy_update(policy=prospects_policy, repermission_days=30)
    RetentionPolicy.objects.filter(pk=policy.pk).update(approved_version=policy.version)
    policy.refresh_from_db()
    return policy


@pytest.fixture
def newsletter(db):
    activity = ProcessingActivity.objects.create(reference="ACT-R", name="News", main_purpose="News")
    purpose = purpose_save(
        data={
            "key": "newsletter",
            "name": "Newsletter",
            "activity": activity,
            "lawful_basis": "consent",
            "channels": ["email"],
            "double_opt_in": True,
        }
    )
    wording_publish(purpose=purpose, language="en", text="Send me the newsletter.")
    return purpose


def _renew_path(contact: Contact) -> str:
    body = OutboxMessage.objects.get(contact=contact, template="retention_repermission").body
    return re.search(r"https?://[^/]+(/privacy/renew/[^/\s]+/)", body)[1]


def _time_passes(days: int) -> None:
    """Every clock moves `days` into the past, as if that many days went by."""
    Contact.objects.update(collected_at=F("collected_at") - timedelta(days=days))


def test_yes_restarts_the_clock_and_silence_lets_the_purge_proceed(asking_policy, newsletter, old_prospect, client):
    # given: two prospects whose period ends in ten days
    silent = old_prospect(collected_at=timezone.now() - ALMOST_THREE_YEARS, emails=["silent@example.com"])
    keen = old_prospect(collected_at=timezone.now() - ALMOST_THREE_YEARS, emails=["keen@example.com"])

    # when: the requests go out, once only
    assert repermission_send(policy=asking_policy) == 2
    assert repermission_send(policy=asking_policy) == 0
    request = RepermissionRequest.objects.get(contact=silent)
    assert 8 <= (request.expires_on - timezone.localdate()).days <= 11
    assert "unsubscribe" in OutboxMessage.objects.get(contact=silent).body  # CNS-08: a way out in every message

    # the keen one opens the link: boxes unticked (CNS-03); saving nothing ticked records nothing
    path = _renew_path(keen)
    page = client.get(path)
    assert page.status_code == 200 and b"checked" not in page.content
    assert b"Tick at least one box" in client.post(path, {}).content
    assert not ConsentEvent.objects.filter(contact=keen).exists()
    field = f"p-{newsletter.pk}-email"
    assert client.post(path, {field: "on"}).status_code == 200

    # then: a granted consent (no second confirmation: the link proves the address) and an inbound activity
    state = ConsentState.objects.get(contact=keen, purpose=newsletter, channel="email")
    assert state.status == Status.GRANTED
    assert ConsentEvent.objects.get(contact=keen, action=Action.GIVEN).method == Method.REPERMISSION
    assert ContactActivity.objects.filter(contact=keen, inbound=True).exists()
    assert RepermissionRequest.objects.get(contact=keen).answered_at is not None
    assert AuditEvent.objects.filter(action="retention.repermission_answered", subject_id=keen.pk).exists()

    # a month later the silent one is purged on expiry, the keen one stays
    _time_passes(30)
    purge_policy_now(policy=asking_policy)
    assert not Contact.objects.filter(pk=silent.pk).exists()
    assert Contact.objects.filter(pk=keen.pk).exists()


def test_nobody_is_asked_who_objected_is_restricted_or_is_not_yet_due(asking_policy, old_prospect):
    due = old_prospect(collected_at=timezone.now() - ALMOST_THREE_YEARS, emails=["due@example.com"])
    objected = old_prospect(collected_at=timezone.now() - ALMOST_THREE_YEARS, emails=["no@example.com"])
    objection_record(contact=objected, method=Method.STAFF)
    restricted = old_prospect(collected_at=timezone.now() - ALMOST_THREE_YEARS, emails=["r@example.com"])
    Contact.objects.filter(pk=restricted.pk).update(restricted=True, restricted_at=timezone.now())
    old_prospect(collected_at=timezone.now() - timedelta(days=365), emails=["young@example.com"])
    old_prospect(emails=["expired@example.com"])  # already past its end: the purge's business
    old_prospect(collected_at=timezone.now() - ALMOST_THREE_YEARS, emails=[])  # no e-mail to ask
    assert list(repermission_due(asking_policy).values_list("pk", flat=True)) == [due.pk]


def test_a_policy_without_re_permission_asks_nobody(prospects_policy, old_prospect):
    old_prospect(collected_at=timezone.now() - ALMOST_THREE_YEARS, emails=["due@example.com"])
    assert repermission_send(policy=prospects_policy) == 0


def test_forged_link_is_a_404(client):
    assert client.get("/privacy/renew/forged/").status_code == 404


def test_command_dry_run_counts_and_the_staff_button_sends(asking_policy, old_prospect, role_client, capsys):
    old_prospect(collected_at=timezone.now() - ALMOST_THREE_YEARS, emails=["due@example.com"])
    call_command("send_repermission", "--dry-run")
    assert "prospects: would send 1" in capsys.readouterr().out
    assert not RepermissionRequest.objects.exists()
    response = role_client("DPO").post(reverse("retention:repermission_send", args=[asking_policy.pk]))
    assert response.status_code == 302 and RepermissionRequest.objects.count() == 1
    page = role_client("DPO").get(reverse("retention:index")).content.decode()
    assert "1 sent, 0 said yes" in page
