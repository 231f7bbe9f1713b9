"""Staff actions on a request: register, assign, note, identity, extension, refusal, answer (Arts. 12, 15-22).

Each is one transaction that appends to the case's timeline (with its audit
event) and writes to the requester through the outbox, after commit.
"""

from __future__ import annotations

import contextlib
import os
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import audit_event_record
from core.crypto import blind_index
from core.deadlines import art12_extension_open, art12_paused_days, local_date, local_today
from crm.normalise import normalise_email

from ..models import (
    EventKind,
    ExtensionCategory,
    IdentityMethod,
    MatchMethod,
    RefusalGround,
    Request,
    RequestChannel,
    RequestNote,
    RequestStatus,
    Right,
)
from .common import (
    clock_suspends,
    due_dates_set,
    event_record,
    lock,
    now,
    reference_new,
    requester_message,
    user_label,
)
from .matching import request_match_by_address


def _check_rights(rights: list[str]) -> list[str]:
    chosen = [right for right in Right.values if right in set(rights or [])]
    if not chosen or len(chosen) != len(set(rights)):
        raise ValidationError({"rights": [_("Choose one or more of the rights listed.")]})
    return chosen


@transaction.atomic
def request_register(
    *,
    rights: list[str],
    name: str,
    email: str = "",
    details: str = "",
    channel: str,
    received_at: datetime,
    language: str = "fr",
    assignee: Any = None,
) -> Request:
    """Record a request received by e-mail, post, phone or in person, dated from its actual receipt (DSR-01).

    Contacts holding the address given are matched; staff check the identity on the case page.
    """
    errors: dict[str, list[str]] = {}
    if channel not in RequestChannel.values or channel == RequestChannel.WEB:
        errors["channel"] = [_("Choose how the request reached us.")]
    if received_at > now():
        errors["received_at"] = [_("The date of receipt cannot be in the future.")]
    if not (name or "").strip():
        errors["name"] = [_("Give the requester's name.")]
    address = ""
    if email:
        try:
            address = normalise_email(email)
        except ValidationError as exc:
            errors["email"] = list(exc.messages)
    try:
        rights = _check_rights(rights)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    request = Request(
        rights=rights,
        requester_name=name.strip(),
        requester_email=address,
        requester_email_index=blind_index(address) if address else "",
        details=details,
        language=language,
        channel=channel,
        received_at=received_at,
        assignee=assignee,
    )
    request.reference = reference_new(received_at)
    due_dates_set(request)
    request.save()
    event_record(request=request, kind=EventKind.RECEIVED, data={"channel": channel}, at=received_at)
    if assignee is not None:
        event_record(request=request, kind=EventKind.ASSIGNED, data={"assignee": assignee.pk})
    request_match_by_address(request=request, method=MatchMethod.STAFF)
    if address:
        message = requester_message(request=request, template="dsar_acknowledgement")
        event_record(request=request, kind=EventKind.COMMUNICATED, data={"what": "acknowledgement"}, message=message)
    return request


@transaction.atomic
def request_assign(*, request: Request, assignee: Any) -> Request:
    request = lock(request)
    request.assignee = assignee
    request.save(update_fields=["assignee", "updated_at"])
    event_record(
        request=request,
        kind=EventKind.ASSIGNED,
        text=user_label(assignee),
        data={"assignee": assignee.pk if assignee is not None else None},
    )
    return request


@transaction.atomic
def request_note_add(*, request: Request, text: str, author: Any) -> RequestNote:
    if not (text or "").strip():
        raise ValidationError({"text": [_("Write the note.")]})
    note = RequestNote.objects.create(request=request, text=text.strip(), author=author)
    audit_event_record(action="dsar.note_added", obj=request, data={"note": note.pk})
    return note


def _check_active(request: Request) -> None:
    if not request.is_active:
        raise ValidationError(_("This request is closed."))


@transaction.atomic
def request_information_ask(*, request: Request, reason: str, message_text: str, document: bool = False) -> Request:
    """Ask the requester for more information to confirm their identity (Art. 12(6), DSR-05/06).

    A reasonable doubt must be recorded; asking for an identity document needs
    it too. The case waits (status `awaiting_identity`) and, with the
    suspension setting on, its clock stops until the information arrives.
    """
    request = lock(request)
    _check_active(request)
    errors = {}
    if not (reason or "").strip():
        errors["reason"] = [_("Record the reasonable doubt about the requester's identity.")]
    if not (message_text or "").strip():
        errors["message"] = [_("Write what you ask the requester for.")]
    if not request.requester_email:
        errors["message"] = [_("This request has no e-mail address: ask by post or phone and note it.")]
    if errors:
        raise ValidationError(errors)
    if request.status == RequestStatus.AWAITING_IDENTITY:
        raise ValidationError(_("Information is already awaited for this request."))
    request.status = RequestStatus.AWAITING_IDENTITY
    request.identity_doubt_reason = reason.strip()
    if clock_suspends():
        request.paused_since = now()
    request.save()
    message = requester_message(
        request=request, template="dsar_information_request", context={"message_text": message_text.strip()}
    )
    event_record(
        request=request,
        kind=EventKind.INFORMATION_ASKED,
        text=reason.strip(),
        data={"document": bool(document), "clock_suspended": request.paused_since is not None},
        message=message,
    )
    return request


@transaction.atomic
def request_information_receive(
    *, request: Request, method: str, checked_by: Any, document: Any = None, note: str = ""
) -> Request:
    """The requester answered: record how the identity was checked and restart the clock, later by the days stopped.

    An identity document (an uploaded file) is only read for the check: it is
    never stored, and its temporary copy is deleted before this returns; the case
    keeps the fact of the check (method, who, when), as DSR-05 requires.
    """
    request = lock(request)
    if request.status != RequestStatus.AWAITING_IDENTITY:
        raise ValidationError(_("No information is awaited for this request."))
    if method not in IdentityMethod.values or method == IdentityMethod.ADDRESS_CONTROL:
        raise ValidationError({"method": [_("Choose how the identity was checked.")]})
    if method == IdentityMethod.DOCUMENT and document is None:
        raise ValidationError({"document": [_("Attach the document you checked, or choose another method.")]})
    document_deleted = _document_discard(document) if document is not None else False
    received_at = now()
    paused = art12_paused_days(request.paused_since, received_at) if request.paused_since else 0
    request.paused_days += paused
    request.paused_since = None
    request.status = RequestStatus.OPEN
    request.identity_method = method
    request.identity_verified_at = received_at
    request.identity_verified_by = checked_by
    due_dates_set(request)
    request.save()
    event_record(
        request=request,
        kind=EventKind.INFORMATION_RECEIVED,
        text=note.strip(),
        data={"paused_days": paused, "due_date": request.due_date.isoformat()},
    )
    event_record(
        request=request,
        kind=EventKind.IDENTITY_CHECKED,
        data={"method": method, "document_deleted": document_deleted},
    )
    return request


def _document_discard(document: Any) -> bool:
    """Close the uploaded file and remove its temporary copy on disk, if Django made one."""
    path = getattr(document, "temporary_file_path", None)
    document.close()
    if path is not None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path())
    return True


@transaction.atomic
def request_identity_confirm(*, request: Request, method: str, checked_by: Any) -> Request:
    """Record that the identity is established without asking more (a request by post or phone, DSR-05)."""
    request = lock(request)
    _check_active(request)
    if method not in (IdentityMethod.DATA_ON_FILE, IdentityMethod.IN_PERSON, IdentityMethod.ADDITIONAL_INFORMATION):
        raise ValidationError({"method": [_("Choose how the identity was checked.")]})
    request.identity_method = method
    request.identity_verified_at = now()
    request.identity_verified_by = checked_by
    request.save()
    event_record(request=request, kind=EventKind.IDENTITY_CHECKED, data={"method": method})
    return request


@transaction.atomic
def request_extend(*, request: Request, category: str, reason: str) -> Request:
    """Extend by two further months (Art. 12(3), DSR-04): only up to the original due date, with a reason,
    and the requester told at once, the reason included."""
    request = lock(request)
    _check_active(request)
    errors = {}
    if category not in ExtensionCategory.values:
        errors["category"] = [_("Choose why the request needs more time.")]
    if not (reason or "").strip():
        errors["reason"] = [_("Explain why the request needs more time: the requester will read it.")]
    if errors:
        raise ValidationError(errors)
    if request.extended_at is not None:
        raise ValidationError(_("This request has already been extended."))
    today = local_today()
    if not art12_extension_open(request.received_at, paused_days=request.paused_days, today=today):
        raise ValidationError(_("The original due date has passed: the request can no longer be extended."))
    if not request.requester_email:
        raise ValidationError(_("This request has no e-mail address: the extension notice cannot be sent."))
    request.extended_at = now()
    request.extension_category = category
    request.extension_reason = reason.strip()
    due_dates_set(request)
    message = requester_message(
        request=request, template="dsar_extension_notice", context={"reason": request.extension_reason}
    )
    request.extension_notified_at = message.created_at
    request.save()
    event_record(
        request=request,
        kind=EventKind.EXTENDED,
        text=request.extension_reason,
        data={"category": category, "due_date": request.due_date.isoformat()},
        message=message,
    )
    return request


@transaction.atomic
def request_refuse(*, request: Request, ground: str, explanation: str) -> Request:
    """Refuse, or take no action, on one of the DSR-07 grounds; the notice states the reasons, the right to
    complain to the CNIL and the judicial remedy. Sent after the due date, it is recorded as a breach of the SLA."""
    request = lock(request)
    _check_active(request)
    errors = {}
    if ground not in RefusalGround.values:
        errors["ground"] = [_("Choose the ground of the refusal.")]
    if not (explanation or "").strip():
        errors["explanation"] = [_("Explain the refusal: the requester will read it.")]
    if errors:
        raise ValidationError(errors)
    request.status = RequestStatus.REFUSED
    request.refusal_ground = ground
    request.refusal_explanation = explanation.strip()
    request.closed_at = now()
    request.paused_since = None
    request.save()
    message = None
    if request.requester_email:
        message = requester_message(
            request=request,
            template="dsar_refusal_notice",
            context={"ground": RefusalGround(ground).label, "explanation": request.refusal_explanation},
        )
    event_record(
        request=request,
        kind=EventKind.REFUSED,
        text=request.refusal_explanation,
        data={"ground": ground},
        message=message,
    )
    _check_sla(request)
    return request


@transaction.atomic
def request_fulfilled(*, request: Request, text: str = "", data: dict[str, Any] | None = None) -> Request:
    """The answer is ready (fulfilment records it); staff then communicate it."""
    request = lock(request)
    _check_active(request)
    request.status = RequestStatus.FULFILLED
    request.save(update_fields=["status", "updated_at"])
    event_record(request=request, kind=EventKind.FULFILLED, text=text, data=data)
    return request


@transaction.atomic
def request_communicate(*, request: Request, note: str = "") -> Request:
    """The answer reached the requester: the case closes; after the due date, the audit records the breach."""
    request = lock(request)
    _check_active(request)
    request.status = RequestStatus.CLOSED
    request.closed_at = now()
    request.paused_since = None
    request.save()
    event_record(request=request, kind=EventKind.COMMUNICATED, text=note.strip(), data={"what": "answer"})
    _check_sla(request)
    return request


def _check_sla(request: Request) -> None:
    answered_on = local_date(request.closed_at)
    if answered_on > request.due_date:
        audit_event_record(
            action="dsar.sla_breached",
            obj=request,
            data={"due_date": request.due_date.isoformat(), "answered_on": answered_on.isoformat()},
        )
