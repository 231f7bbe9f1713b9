"""A verified request matched to contacts, made directly (intake is dsar's own tests' business)."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import timedelta

from django.utils import timezone

from core.crypto import blind_index
from crm.models import Contact
from crm.normalise import normalise_email
from dsar.models import MatchMethod, Request, RequestChannel, RequestMatch


def verified_request(
    contacts: Sequence[Contact], *, rights: Sequence[str], email: str = "", name: str = "Jeanne Test"
) -> Request:
    email = email or (contacts[0].primary_email if contacts else "nobody@example.org")
    now = timezone.now()
    request = Request.objects.create(
        reference=f"R-{secrets.token_hex(4).upper()}",
        rights=list(rights),
        requester_name=name,
        requester_email=email,
        requester_email_index=blind_index(normalise_email(email)),
        language="en",
        channel=RequestChannel.WEB,
        received_at=now - timedelta(days=2),
        verified_at=now - timedelta(days=1),
        original_due_date=(now + timedelta(days=28)).date(),
        due_date=(now + timedelta(days=28)).date(),
    )
    for contact in contacts:
        RequestMatch.objects.create(
            request=request, contact=contact, method=MatchMethod.VERIFIED_ADDRESS, added_by_kind="job", added_by="t"
        )
    return request
