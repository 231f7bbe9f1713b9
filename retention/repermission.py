"""RET-04: one re-consent request, N days before a contact's period ends; a "yes" restarts the clock.

The request goes through the outbox with a signed link (like consent's double
opt-in: the link reaching the person's mailbox proves the address). On the
page, unticked boxes per purpose (CNS-03); ticking at least one and saving
records `given` consent events (method "re-permission") and an inbound
activity, which restarts the clock (RET-03). Without that positive answer,
nothing changes and the purge proceeds on the expiry date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from consent import tokens
from consent.models import Method, Purpose, Suppression
from consent.selectors import wording_current
from consent.services import Proof, consent_give
from core.audit import audit_event_record
from core.deadlines import add_months, local_today
from core.outbox import message_send
from crm.models import Contact, ContactPoint

from .models import ActivityKind, ContactActivity, RepermissionRequest, RetentionPolicy, Target
from .selectors import archived, expired_contacts, held_contacts, policy_cutoff
from .services import contact_activity_record

RENEW = "retention.renew"
TEMPLATE = "retention_repermission"
CLOCK_TARGETS = (Target.PROSPECTS, Target.CUSTOMERS)


def repermission_due(policy: RetentionPolicy, today: date | None = None) -> models.QuerySet[Contact]:
    """Contacts whose period ends within the policy's N days, not asked yet during this period, reachable by e-mail.

    Left out: already expired (the purge's business), held, archived, restricted (Art. 18: storage only), and
    anyone whose address is on the suppression list (they objected to marketing).
    """
    if not policy.repermission_days or policy.target not in CLOCK_TARGETS:
        return Contact.objects.none()
    today = today or local_today()
    now_cutoff = policy_cutoff(policy, today)
    soon_cutoff = policy_cutoff(policy, today + timedelta(days=policy.repermission_days))
    asked = RepermissionRequest.objects.filter(contact=models.OuterRef("pk"), policy=policy, sent_at__gte=now_cutoff)
    emails = ContactPoint.objects.filter(contact=models.OuterRef("pk"), kind="email")
    suppressed = ContactPoint.objects.filter(
        contact=models.OuterRef("pk"), value_index__in=Suppression.objects.values("value_hash")
    )
    return (
        expired_contacts(policy, soon_cutoff)
        .exclude(pk__in=expired_contacts(policy, now_cutoff).values("pk"))
        .exclude(held_contacts(today))
        .exclude(archived())
        .filter(models.Exists(emails), restricted=False)
        .exclude(models.Exists(asked))
        .exclude(models.Exists(suppressed))
    )


def _expires_on(contact: Contact, policy: RetentionPolicy) -> date:
    last_inbound = ContactActivity.objects.filter(contact=contact, inbound=True).aggregate(
        last=models.Max("occurred_at")
    )["last"]
    start = contact.collected_at or contact.created_at
    start = max(start, last_inbound) if last_inbound else start
    return add_months(timezone.localdate(start), policy.period_months) + timedelta(days=policy.period_days)


def _links(contact: Contact, request: RepermissionRequest) -> dict[str, str]:
    site = settings.SITE_URL
    return {
        "renew_url": f"{site}/privacy/renew/{tokens.make(RENEW, c=contact.pk, r=request.pk)}/",
        "unsubscribe_url": f"{site}/privacy/unsubscribe/{tokens.unsubscribe_token(contact.pk, None)}/",
        "preferences_url": f"{site}/privacy/preferences/{tokens.preferences_token(contact.pk)}/",
    }


def repermission_request_send(*, contact: Contact, policy: RetentionPolicy) -> RepermissionRequest:
    """Send one request through the outbox; one transaction with its audit event."""
    point = ContactPoint.objects.filter(contact=contact, kind="email").order_by("-is_primary", "id").first()
    if point is None:
        raise ValidationError({"contact": _("This contact has no e-mail address.")})
    language = contact.preferred_language or "en"
    with transaction.atomic():
        expires_on = _expires_on(contact, policy)
        request = RepermissionRequest.objects.create(
            contact=contact, policy=policy, sent_at=timezone.now(), expires_on=expires_on
        )
        message = message_send(
            to=point.value,
            template=TEMPLATE,
            contact=contact,
            language=language,
            context={
                "first_name": contact.first_name,
                "expires_on": expires_on,
                "controller_name": settings.CONTROLLER_NAME,
                **_links(contact, request),
            },
        )
        request.outbox_message_ref = message.pk
        request._change_reason = "sent"
        request.save(update_fields=["outbox_message_ref"])
        audit_event_record(
            action="retention.repermission_sent",
            obj=request,
            subject_id=contact.pk,
            data={"policy": policy.key, "expires_on": expires_on.isoformat()},
        )
    return request


def repermission_send(*, policy: RetentionPolicy, today: date | None = None, dry_run: bool = False) -> int:
    """Send the requests due today for `policy` (each in its own transaction: a rerun sends only what is left)."""
    due = repermission_due(policy, today).order_by("pk")
    if dry_run:
        return due.count()
    sent = 0
    for contact in due.iterator(chunk_size=500):
        repermission_request_send(contact=contact, policy=policy)
        sent += 1
    return sent


def repermission_send_all(*, today: date | None = None) -> dict[str, int]:
    """The daily job: every enforced policy that asks before its end."""
    policies = RetentionPolicy.objects.filter(enabled=True, target__in=CLOCK_TARGETS, repermission_days__isnull=False)
    return {policy.key: repermission_send(policy=policy, today=today) for policy in policies}


@dataclass
class Choice:
    purpose: Purpose
    channel: str
    field: str
    label: str
    wording: Any


def request_from_token(token: str) -> RepermissionRequest:
    """The request a signed link names; tokens.BadToken when forged, or when the contact or request is gone."""
    payload = tokens.read(RENEW, token)
    request = (
        RepermissionRequest.objects.select_related("contact", "policy")
        .filter(pk=payload.get("r"), contact_id=payload.get("c"), contact__deleted_at__isnull=True)
        .first()
    )
    if request is None:
        raise tokens.BadToken("no such request")
    return request


def renewal_choices(language: str) -> list[Choice]:
    """Every active consent-based purpose with a wording in the person's language, one line per channel."""
    choices = []
    for purpose in Purpose.objects.filter(active=True, lawful_basis="consent").order_by("name"):
        wording = wording_current(purpose=purpose, language=language)
        if wording is None:
            continue
        for channel in purpose.channels:
            choices.append(Choice(purpose, channel, f"p-{purpose.pk}-{channel}", purpose.label(language), wording))
    return choices


def repermission_answer(
    *, request: RepermissionRequest, chosen: list[Choice], proof: Proof | None = None
) -> RepermissionRequest:
    """A positive, explicit answer: consent for each choice, and an inbound activity that restarts the clock."""
    if not chosen:
        raise ValidationError({"choices": _("Tick at least one box to tell us you want to stay in touch.")})
    with transaction.atomic():
        request = RepermissionRequest.objects.select_for_update().select_related("contact", "policy").get(pk=request.pk)
        for choice in chosen:
            consent_give(
                contact=request.contact,
                purpose=choice.purpose,
                channel=choice.channel,
                method=Method.REPERMISSION,
                wording=choice.wording,
                proof=proof,
            )
        contact_activity_record(contact=request.contact, kind=ActivityKind.FORM)
        request.answered_at = timezone.now()
        request._change_reason = "answered yes"
        request.save(update_fields=["answered_at"])
        audit_event_record(
            action="retention.repermission_answered",
            obj=request,
            subject_id=request.contact_id,
            data={"policy": request.policy.key, "purposes": sorted({c.purpose.key for c in chosen})},
        )
    return request


def repermission_counts() -> dict[int, dict[str, int]]:
    """Per policy id: requests sent and answered yes (for the policy list)."""
    rows = RepermissionRequest.objects.values("policy_id").annotate(
        sent=models.Count("id"), answered=models.Count("id", filter=models.Q(answered_at__isnull=False))
    )
    return {row["policy_id"]: {"sent": row["sent"], "answered": row["answered"]} for row in rows}
