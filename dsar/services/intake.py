"""The public form's path: a submission, its verification link, then the request (DESIGN invariant 4).

`submission_receive` does the same work whoever the address belongs to: it
never looks the address up among contacts, and the message goes through the
outbox, so the form's answer cannot tell a known person from an unknown one.
Only `submission_verify`, reached through the signed link sent to the address,
creates the request and matches it to contacts.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse

from core.actors import Actor, acting_as
from core.crypto import blind_index
from core.deadlines import art12_paused_days
from core.models import OutboxMessage
from core.outbox import message_send
from crm.normalise import normalise_email

from ..models import EventKind, IdentityMethod, MatchMethod, PendingSubmission, Request, RequestChannel
from .common import clock_suspends, due_dates_set, event_record, now, reference_new, requester_message
from .matching import request_match_by_address

VERIFY_SALT = "dsar.verify"
LAPSE_BATCH = 1000


def verification_max_age() -> int:
    return settings.DSAR_UNVERIFIED_LAPSE_DAYS * 24 * 3600


def submission_receive(
    *, rights: list[str], name: str, email: str, details: str = "", language: str = "fr"
) -> PendingSubmission:
    """Store a submission of the public form and send the verification link to the address given.

    `email` must already be valid (the form normalises it). Whether anyone in the CRM
    holds the address is not asked here, on purpose.
    """
    address = normalise_email(email)
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        submission = PendingSubmission.objects.create(
            token=token,
            rights=list(rights),
            requester_name=name,
            requester_email=address,
            requester_email_index=blind_index(address),
            details=details,
            language=language,
            submitted_at=now(),
        )
        link = settings.SITE_URL + reverse("dsar_verify", args=[signing.dumps(token, salt=VERIFY_SALT)])
        message = message_send(
            to=address,
            template="dsar_verification",
            context={
                "name": name,
                "link": link,
                "days": settings.DSAR_UNVERIFIED_LAPSE_DAYS,
                "controller_name": settings.CONTROLLER_NAME,
            },
            language=language,
        )
        PendingSubmission.objects.filter(pk=submission.pk).update(message_ref=message.pk)
    return submission


class VerificationFailed(Exception):
    """The link is forged, damaged, expired, or was already used."""


def submission_verify(*, signed_token: str) -> Request:
    """The requester clicked the link: the request exists from now, dated from the submission.

    The clock ran from the submission (Art. 12(3): receipt), but with the
    suspension setting on (DSR-06) the days spent waiting for the click do not
    count. Contacts holding the verified address are matched, and the
    acknowledgement with the case reference goes out.
    """
    try:
        token = signing.loads(signed_token, salt=VERIFY_SALT, max_age=verification_max_age())
    except signing.BadSignature as exc:
        raise VerificationFailed from exc
    with transaction.atomic():
        submission = PendingSubmission.objects.select_for_update().filter(token=token).first()
        if submission is None:
            raise VerificationFailed
        verified_at = now()
        request = Request(
            rights=submission.rights,
            requester_name=submission.requester_name,
            requester_email=submission.requester_email,
            requester_email_index=submission.requester_email_index,
            details=submission.details,
            language=submission.language,
            channel=RequestChannel.WEB,
            received_at=submission.submitted_at,
            verified_at=verified_at,
            paused_days=art12_paused_days(submission.submitted_at, verified_at) if clock_suspends() else 0,
            identity_method=IdentityMethod.ADDRESS_CONTROL,
            identity_verified_at=verified_at,
        )
        request.reference = reference_new(submission.submitted_at)
        due_dates_set(request)
        with acting_as(Actor.subject(f"requester of {request.reference} (verified link)")):
            request.save()
            verification = OutboxMessage.objects.filter(pk=submission.message_ref).first()
            submission.delete()
            event_record(
                request=request,
                kind=EventKind.RECEIVED,
                data={"channel": RequestChannel.WEB},
                message=verification,
                at=submission.submitted_at,
            )
            event_record(
                request=request,
                kind=EventKind.VERIFIED,
                data={"method": IdentityMethod.ADDRESS_CONTROL, "paused_days": request.paused_days},
            )
            request_match_by_address(request=request, method=MatchMethod.VERIFIED_ADDRESS)
            message = requester_message(request=request, template="dsar_acknowledgement")
            event_record(
                request=request, kind=EventKind.COMMUNICATED, data={"what": "acknowledgement"}, message=message
            )
    return request


def submissions_lapse(*, now: datetime | None = None, batch_size: int = LAPSE_BATCH) -> tuple[int, bool]:
    """Delete one batch of submissions nobody verified within DSAR_UNVERIFIED_LAPSE_DAYS.

    The verification message each one caused is blanked (recipient, subject,
    body) and its history purged: an address nobody confirmed stays nowhere; the
    outbox row keeps only that a message was sent. Returns (deleted, has_more).
    """
    from .common import now as current_time

    cutoff = (now or current_time()) - timedelta(days=settings.DSAR_UNVERIFIED_LAPSE_DAYS)
    with transaction.atomic():
        batch = list(
            PendingSubmission.objects.filter(submitted_at__lt=cutoff)
            .order_by("submitted_at")
            .select_for_update(skip_locked=True)
            .values_list("pk", "message_ref")[: batch_size + 1]
        )
        has_more = len(batch) > batch_size
        batch = batch[:batch_size]
        message_refs = [ref for _pk, ref in batch if ref is not None]
        messages_blank(message_refs)
        deleted, _ = PendingSubmission.objects.filter(pk__in=[pk for pk, _ref in batch]).delete()
    return deleted, has_more


def messages_blank(message_refs: list[int]) -> int:
    """Blank the personal part of these outbox messages (unlinked to any contact) and purge their history."""
    if not message_refs:
        return 0
    messages = OutboxMessage.objects.filter(pk__in=message_refs, contact__isnull=True)
    count = messages.update(recipient="", subject="", body="", last_error="")
    OutboxMessage.history.model.objects.filter(id__in=message_refs).delete()
    return count


def submissions_forget_address(*, email_index: str) -> int:
    """Delete pending submissions made with this address (its contact is being erased)."""
    rows = list(PendingSubmission.objects.filter(requester_email_index=email_index).values_list("pk", "message_ref"))
    messages_blank([ref for _pk, ref in rows if ref is not None])
    deleted, _ = PendingSubmission.objects.filter(pk__in=[pk for pk, _ref in rows]).delete()
    return deleted
