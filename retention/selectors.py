"""Reads: which contacts a policy has expired, which are held, what the retention area lists."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from django.db import models
from django.db.models.functions import Coalesce

from core.deadlines import local_today, retention_cutoff
from crm.models import Contact, ContactStatus

from .engine import anonymised_contacts
from .models import ArchivedContact, ContactActivity, LegalHold, RetentionPolicy, Target


def policy_cutoff(policy: RetentionPolicy, today: date | None = None) -> datetime:
    return retention_cutoff(today or local_today(), months=policy.period_months, days=policy.period_days)


def active_holds(today: date | None = None) -> models.QuerySet[LegalHold]:
    return LegalHold.objects.filter(lifted_at__isnull=True, ends_on__gte=today or local_today())


def held_contacts(today: date | None = None) -> models.Q:
    """Contacts under an active hold, their own or their organisation's."""
    holds = active_holds(today)
    return models.Q(
        models.Exists(holds.filter(contact=models.OuterRef("pk")))
        | models.Exists(holds.filter(organisation=models.OuterRef("organisation")))
    )


def _clock_expired(status: str, cutoff: datetime) -> models.QuerySet[Contact]:
    """RET-03: the clock starts at collection and restarts only with an inbound activity."""
    recent_inbound = ContactActivity.objects.filter(
        contact=models.OuterRef("pk"), inbound=True, occurred_at__gte=cutoff
    )
    return (
        Contact.objects.filter(status=status, deleted_at__isnull=True)
        .alias(clock_start=Coalesce("collected_at", "created_at"))
        .filter(clock_start__lt=cutoff)
        .exclude(models.Exists(recent_inbound))
    )


def _deleted_expired(cutoff: datetime) -> models.QuerySet[Contact]:
    return Contact.objects.filter(deleted_at__lt=cutoff)


TARGETS: dict[str, Callable[[datetime], models.QuerySet[Contact]]] = {
    Target.PROSPECTS: lambda cutoff: _clock_expired(ContactStatus.PROSPECT, cutoff),
    Target.CUSTOMERS: lambda cutoff: _clock_expired(ContactStatus.CUSTOMER, cutoff),
    Target.DELETED_CONTACTS: _deleted_expired,
}


def expired_contacts(policy: RetentionPolicy, cutoff: datetime) -> models.QuerySet[Contact]:
    """Every contact past the policy's period, held or not, not yet anonymised."""
    select = TARGETS.get(policy.target)
    if select is None:
        return Contact.objects.none()
    return select(cutoff).exclude(anonymised_contacts())


def archived() -> models.Q:
    return models.Q(models.Exists(ArchivedContact.objects.filter(contact=models.OuterRef("pk"))))


def purgeable_contacts(policy: RetentionPolicy, cutoff: datetime, today: date | None = None) -> models.QuerySet:
    """What a run purges now: for a policy with an intermediate archive, its archived contacts now due."""
    if policy.archive_months:
        due = Contact.objects.filter(archive__policy=policy, archive__purge_on__lte=today or local_today())
        return due.exclude(held_contacts(today))
    return expired_contacts(policy, cutoff).exclude(held_contacts(today))


def archivable_contacts(policy: RetentionPolicy, cutoff: datetime, today: date | None = None) -> models.QuerySet:
    """For a policy with an intermediate archive: contacts past the active period, not archived yet."""
    if not policy.archive_months:
        return Contact.objects.none()
    return expired_contacts(policy, cutoff).exclude(archived()).exclude(held_contacts(today))


def skipped_for_hold(policy: RetentionPolicy, cutoff: datetime, today: date | None = None) -> int:
    if policy.archive_months:
        due = Contact.objects.filter(archive__policy=policy, archive__purge_on__lte=today or local_today())
        return (expired_contacts(policy, cutoff).exclude(archived()) | due).filter(held_contacts(today)).count()
    return expired_contacts(policy, cutoff).filter(held_contacts(today)).count()


def last_inbound_at(contact: Contact) -> datetime | None:
    return ContactActivity.objects.filter(contact=contact, inbound=True).aggregate(last=models.Max("occurred_at"))[
        "last"
    ]


def contact_held(contact: Contact, today: date | None = None) -> bool:
    return Contact.objects.filter(pk=contact.pk).filter(held_contacts(today)).exists()
