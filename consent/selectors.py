"""Reads of the consent app: a contact's states and events, purposes with their current wording, rates."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth

from crm.models import Contact

from .models import Action, ConsentEvent, ConsentState, ConsentWording, Purpose, Suppression


def wording_current(*, purpose: Purpose, language: str) -> ConsentWording | None:
    """The latest version in `language`, else in English."""
    wordings = ConsentWording.objects.filter(purpose=purpose).order_by("-version")
    return wordings.filter(language=language).first() or wordings.filter(language="en").first()


def contact_states(*, contact: Contact) -> QuerySet[ConsentState]:
    return (
        ConsentState.objects.filter(contact=contact)
        .select_related("purpose", "wording")
        .order_by("purpose__name", "channel")
    )


def contact_events(*, contact: Contact) -> QuerySet[ConsentEvent]:
    return (
        ConsentEvent.objects.filter(contact=contact)
        .select_related("purpose", "wording", "staff_user", "api_key")
        .order_by("-occurred_at", "-id")
    )


def contact_suppressed(*, contact: Contact) -> bool:
    return (
        Suppression.objects.filter(contact=contact).exists()
        or Suppression.objects.filter(value_hash__in=contact.points.values("value_index")).exists()
    )


def purposes_with_counts() -> QuerySet[Purpose]:
    return Purpose.objects.select_related("activity").annotate(
        granted=Count("states", filter=Q(states__status="granted")),
        wording_count=Count("wordings", distinct=True),
    )


def monthly_rates(*, purpose: Purpose) -> list[dict[str, Any]]:
    """Per month: consents given or confirmed, and withdrawals or objections (for the chart)."""
    rows = (
        ConsentEvent.objects.filter(purpose=purpose)
        .annotate(month=TruncMonth("occurred_at"))
        .values("month")
        .annotate(
            given=Count("id", filter=Q(action__in=[Action.CONFIRMED, Action.GIVEN], awaits_confirmation=False)),
            withdrawn=Count("id", filter=Q(action__in=[Action.WITHDRAWN, Action.OBJECTED, Action.EXPIRED])),
        )
        .order_by("month")
    )
    return [
        {"month": row["month"].strftime("%Y-%m"), "given": row["given"], "withdrawn": row["withdrawn"]} for row in rows
    ]


def contacts_needing_refresh(*, purpose: Purpose) -> QuerySet[Contact]:
    """CNS-06: contacts whose consent predates the purpose's material change, to ask for re-permission."""
    if purpose.refresh_required_since is None:
        return Contact.objects.none()
    stale = ConsentState.objects.filter(
        purpose=purpose, status="granted", granted_at__lt=purpose.refresh_required_since
    ).values("contact_id")
    return Contact.objects.visible().filter(pk__in=stale).order_by("pk")
