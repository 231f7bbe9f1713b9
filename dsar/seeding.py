"""`seed_demo` step of the dsar app: a handful of requests over the last months, in every state, one overdue."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from crm.generation import seed_step
from crm.models import Contact

from . import services
from .models import ExtensionCategory, IdentityMethod, RefusalGround, Request, RequestChannel, Right

# (days ago, rights, channel, what happens next)
DEMO = [
    (150, [Right.ACCESS], RequestChannel.EMAIL, "communicated"),
    (95, [Right.ERASURE], RequestChannel.POST, "refused"),
    (20, [Right.ACCESS, Right.PORTABILITY], RequestChannel.EMAIL, "extended"),
    (40, [Right.RECTIFICATION], RequestChannel.PHONE, "overdue"),
    (24, [Right.OBJECTION], RequestChannel.EMAIL, "at_risk"),
    (9, [Right.RESTRICTION], RequestChannel.POST, "awaiting_identity"),
    (2, [Right.ACCESS], RequestChannel.IN_PERSON, "new"),
]


@seed_step(150)
def seed_requests(ctx: Any) -> None:
    if Request.objects.exists():
        ctx.out(f"dsar: {Request.objects.count()} requests already")
        return
    dpo = ctx.users.get("DPO")
    contacts = list(Contact.objects.live().prefetch_related("points").order_by("pk")[: len(DEMO)])
    for (days_ago, rights, channel, outcome), contact in zip(DEMO, contacts, strict=False):
        case = services.request_register(
            rights=rights,
            name=f"{contact.first_name} {contact.last_name}",
            email=contact.primary_email,
            channel=channel,
            received_at=timezone.now() - timedelta(days=days_ago),
            language=contact.preferred_language,
            assignee=dpo,
        )
        _advance(case, outcome, dpo)
    ctx.out(f"dsar: {Request.objects.count()} requests")


def _advance(case: Request, outcome: str, dpo: Any) -> None:
    if outcome in ("new", "overdue", "at_risk"):
        return
    if outcome == "awaiting_identity":
        services.request_information_ask(
            request=case,
            reason="The letter gives an address that differs from the one on file (demo).",
            message_text="Please tell us your customer number.",
        )
        return
    services.request_identity_confirm(request=case, method=IdentityMethod.DATA_ON_FILE, checked_by=dpo)
    if outcome == "refused":
        services.request_refuse(
            request=case,
            ground=RefusalGround.ERASURE_EXCEPTION,
            explanation="The invoices are kept for ten years under the French Commercial Code (demo).",
        )
    elif outcome == "extended":
        services.request_extend(
            request=case, category=ExtensionCategory.COMPLEXITY, reason="Data from several systems (demo)."
        )
    elif outcome == "communicated":
        services.request_fulfilled(request=case)
        services.request_communicate(request=case, note="Report sent by e-mail (demo).")
