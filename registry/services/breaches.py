"""The breach register (Art. 33(5), SEC-09): record, update, notify the authority in phases, tell people, close."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.actors import current_actor
from core.audit import audit_event_record
from core.outbox import message_send
from crm.models import Contact
from crm.services.notices import notice_context

from ..choices import Art34Exemption, AuthorityDecision, NotificationPhase, RiskLevel
from ..models import Breach, BreachContact, BreachNotification
from ..selectors import organisation_profile

BREACH_TEMPLATE = "breach_notice"


def _next_reference(aware_at: datetime) -> str:
    year = timezone.localtime(aware_at).year
    count = Breach.objects.filter(reference__startswith=f"BR-{year}-").count()
    return f"BR-{year}-{count + 1:03d}"


def _check(breach: Breach) -> None:
    errors: dict[str, list[str]] = {}
    try:
        breach.full_clean(exclude=["reference"])
    except ValidationError as error:
        errors = error.message_dict
    if breach.aware_at and breach.aware_at > timezone.now():
        errors.setdefault("aware_at", []).append(_("The moment you became aware cannot be in the future."))
    if breach.occurred_at and breach.aware_at and breach.occurred_at > breach.aware_at:
        errors.setdefault("occurred_at", []).append(_("A breach occurs before anyone becomes aware of it."))
    if breach.authority_decision == AuthorityDecision.NOT_NOTIFY and not breach.not_notified_reason.strip():
        errors.setdefault("not_notified_reason", []).append(
            _("Say why the breach is unlikely to result in a risk (Art. 33(1)).")
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def breach_record(*, data: dict[str, Any]) -> Breach:
    """Record a breach (notifiable or not); the 72-hour countdown starts at `aware_at`."""
    breach = Breach(**data)
    if not breach.dpo_contact:  # Art. 33(3)(b): the DPO, or another contact point
        profile = organisation_profile()
        breach.dpo_contact = profile.dpo_contact or profile.controller_email
    _check(breach)
    breach.reference = _next_reference(breach.aware_at)
    breach._change_reason = "recorded"
    breach.save()
    audit_event_record(
        action="breach.recorded",
        obj=breach,
        data={"reference": breach.reference, "aware_at": breach.aware_at.isoformat(), "risk": breach.risk_level},
    )
    return breach


@transaction.atomic
def breach_update(*, breach: Breach, data: dict[str, Any]) -> Breach:
    breach = Breach.objects.select_for_update().get(pk=breach.pk)
    if breach.closed_at is not None:
        raise ValidationError(_("This breach is closed."))
    changed = [name for name, value in data.items() if getattr(breach, name) != value]
    if not changed:
        return breach
    for name in changed:
        setattr(breach, name, data[name])
    _check(breach)
    breach._change_reason = "updated: " + ", ".join(changed)
    breach.save()
    audit_event_record(action="breach.updated", obj=breach, data={"reference": breach.reference, "fields": changed})
    return breach


@transaction.atomic
def breach_notification_record(
    *,
    breach: Breach,
    phase: str,
    sent_at: datetime,
    content: str,
    reference: str = "",
    delay_reason: str = "",
) -> BreachNotification:
    """Record one phase sent to the authority (Art. 33(4)); the first one is the notification.

    A notification sent more than 72 hours after awareness needs the reasons for
    the delay (Art. 33(1)): ValidationError on "delay_reason" otherwise.
    """
    breach = Breach.objects.select_for_update().get(pk=breach.pk)
    errors: dict[str, list[str]] = {}
    if phase not in NotificationPhase.values:
        errors["phase"] = [_("Choose the phase.")]
    if not content.strip():
        errors["content"] = [_("Say what was sent to the authority.")]
    if sent_at > timezone.now():
        errors["sent_at"] = [_("A notification cannot be sent in the future.")]
    elif sent_at < breach.aware_at:
        errors["sent_at"] = [_("The authority cannot be notified before the breach was known.")]
    first = breach.notified_at is None
    delay_reason = delay_reason.strip() or breach.delay_reason
    if first and sent_at > breach.notification_deadline and not delay_reason:
        errors["delay_reason"] = [_("More than 72 hours after becoming aware: give the reasons for the delay.")]
    if errors:
        raise ValidationError(errors)
    actor = current_actor()
    notification = BreachNotification.objects.create(
        breach=breach,
        phase=phase,
        sent_at=sent_at,
        reference=reference.strip(),
        content=content.strip(),
        recorded_by_id=actor.user_id,
        recorded_by_label=actor.label[:150],
    )
    if first:
        breach.notified_at = sent_at
        breach.authority_decision = AuthorityDecision.NOTIFY
        breach.delay_reason = delay_reason
    breach.authority_reference = reference.strip() or breach.authority_reference
    breach._change_reason = f"authority notified ({phase})"
    breach.save()
    audit_event_record(
        action="breach.notified",
        obj=breach,
        data={
            "reference": breach.reference,
            "phase": phase,
            "late": sent_at > breach.notification_deadline,
            "authority_reference": breach.authority_reference,
        },
    )
    return notification


@transaction.atomic
def breach_contacts_link(*, breach: Breach, contact_ids: Sequence[int]) -> int:
    """Link the contacts concerned (known ids only, each once); returns how many were added."""
    known = set(Contact.objects.filter(pk__in=contact_ids).values_list("pk", flat=True))
    already = set(breach.affected.filter(contact_id__in=known).values_list("contact_id", flat=True))
    new = sorted(known - already)
    for contact_id in new:
        BreachContact.objects.create(breach=breach, contact_id=contact_id)
    if new:
        audit_event_record(action="breach.contacts_linked", obj=breach, data={"contacts": len(new)})
    return len(new)


def _inform_one(breach: Breach, link: BreachContact, context: dict[str, Any]) -> bool:
    contact = link.contact
    email = contact.primary_email
    if not email or contact.deleted_at is not None:
        return False
    message = message_send(
        to=email,
        template=BREACH_TEMPLATE,
        context={**context, **notice_context(contact=contact)},
        contact=contact,
        language=contact.preferred_language,
    )
    link.informed_at = timezone.now()
    link.message = message
    link.save()
    return True


def breach_contacts_inform(*, breach: Breach, batch_size: int = 200) -> tuple[int, bool]:
    """Tell up to `batch_size` linked contacts not yet told, by e-mail through the outbox (Art. 34(2)).

    Each contact is its own transaction: a rerun sends only to those not yet
    informed. Contacts without an e-mail address are skipped (and stay "not
    informed", for a letter). Returns (sent, has_more).
    """
    pending = list(
        breach.affected.filter(informed_at__isnull=True, message__isnull=True)
        .select_related("contact")
        .order_by("pk")[: batch_size + 1]
    )
    context = {
        "breach_title": breach.title,
        "breach_nature": breach.description,
        "consequences": breach.consequences,
        "measures": breach.measures,
        "dpo_contact": breach.dpo_contact,
    }
    sent = 0
    for link in pending[:batch_size]:
        with transaction.atomic():
            locked = BreachContact.objects.select_for_update().select_related("contact").get(pk=link.pk)
            if locked.informed_at is None and _inform_one(breach, locked, context):
                sent += 1
    if sent:
        with transaction.atomic():
            fresh = Breach.objects.select_for_update().get(pk=breach.pk)
            if fresh.subjects_informed_at is None:
                fresh.subjects_informed_at = timezone.now()
                fresh.subjects_communication = fresh.subjects_communication or _("E-mail to each person concerned.")
                fresh._change_reason = "data subjects informed"
                fresh.save()
            audit_event_record(action="breach.subjects_informed", obj=fresh, data={"sent": sent})
    return sent, len(pending) > batch_size


def closure_errors(breach: Breach) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if breach.authority_decision == AuthorityDecision.PENDING and breach.notified_at is None:
        errors["authority_decision"] = [_("Decide whether the authority is notified before closing.")]
    if breach.authority_decision == AuthorityDecision.NOTIFY and breach.notified_at is None:
        errors["authority_decision"] = [_("Record the notification to the authority before closing.")]
    if (
        breach.risk_level == RiskLevel.HIGH
        and breach.subjects_informed_at is None
        and breach.art34_exemption
        in (
            "",
            Art34Exemption.NONE,
        )
    ):
        errors["art34_exemption"] = [
            _("A high risk: inform the people concerned (Art. 34) or record the Art. 34(3) ground before closing.")
        ]
    if not breach.measures.strip():
        errors["measures"] = [_("Record the measures taken before closing.")]
    return errors


@transaction.atomic
def breach_close(*, breach: Breach) -> Breach:
    breach = Breach.objects.select_for_update().get(pk=breach.pk)
    if breach.closed_at is not None:
        return breach
    errors = closure_errors(breach)
    if errors:
        raise ValidationError(errors)
    breach.closed_at = timezone.now()
    breach._change_reason = "closed"
    breach.save()
    audit_event_record(action="breach.closed", obj=breach, data={"reference": breach.reference})
    return breach
